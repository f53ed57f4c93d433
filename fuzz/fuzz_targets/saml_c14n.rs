//! Exclusive canonicalization of arbitrary XML. The first byte picks the algorithm: bit 0 keeps
//! comments, bit 1 puts `#default` and the first 63 prefixes the document declares on the
//! `InclusiveNamespaces` list (signatures may name at most 64). The canonical form must itself
//! parse and canonicalize to the same bytes (a canonical form is a fixed point). The first
//! elements are canonicalized as apexes too, each leaving out its first element child as an
//! enveloped signature is left out; only the first few, since each apex costs the declarations
//! around it and a signature verification canonicalizes at most three.

#![no_main]

use libfuzzer_sys::fuzz_target;
use saml::{
    c14n::{ExclusiveCanonicalization, EXCLUSIVE, EXCLUSIVE_WITH_COMMENTS},
    xml::Document,
};

fn algorithm(selector: u8, doc: &Document) -> ExclusiveCanonicalization {
    let uri = if selector & 1 == 1 { EXCLUSIVE_WITH_COMMENTS } else { EXCLUSIVE };
    let prefix_list = if selector & 2 == 2 {
        let mut prefixes = vec!["#default".to_owned()];
        for element in doc.descendant_elements(doc.root()) {
            let declarations = &doc.element(element).expect("descendant elements are elements").namespace_declarations;
            prefixes.extend(declarations.iter().filter(|d| !d.prefix.is_empty()).map(|d| d.prefix.clone()));
        }
        prefixes.truncate(64);
        Some(prefixes.join(" "))
    } else {
        None
    };
    ExclusiveCanonicalization::named(uri, prefix_list.as_deref()).expect("both URIs name exclusive canonicalization")
}

fuzz_target!(|data: &[u8]| {
    let Some((&selector, body)) = data.split_first() else { return };
    let Ok(text) = std::str::from_utf8(body) else { return };
    let Ok(doc) = Document::parse(text) else { return };
    let algorithm = algorithm(selector, &doc);
    let canonical = algorithm.canonicalize(&doc, doc.root(), None);
    let canonical = String::from_utf8(canonical).expect("canonical XML is UTF-8");
    let reparsed = Document::parse(&canonical).unwrap_or_else(|e| panic!("the canonical form does not parse ({e}): {canonical}"));
    let again = String::from_utf8(algorithm.canonicalize(&reparsed, reparsed.root(), None)).expect("canonical XML is UTF-8");
    assert_eq!(again, canonical, "canonicalizing the canonical form changed it");
    for element in doc.descendant_elements(doc.root()).into_iter().take(8) {
        let enveloped = doc.child_elements(element).next();
        let _ = algorithm.canonicalize(&doc, element, enveloped);
    }
});
