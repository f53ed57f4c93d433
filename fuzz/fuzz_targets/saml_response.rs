//! SAML responses as AssumeRoleWithSAML reads them once the base64 is decoded: verified against
//! a fixed identity provider's metadata (the fixtures' RSA and ECDSA certificates), and every
//! `Assertion` in the document read as the verified one would be, so the reading is reached
//! even though a mutated signature never verifies. The input is also read as metadata.

#![no_main]

use libfuzzer_sys::fuzz_target;
use saml::{
    assertion::ASSERTION_NAMESPACE,
    metadata, response,
    xml::Document,
    Assertion,
};

const METADATA: &str = include_str!("../../crates/saml/tests/fixtures/metadata.xml");
/// 2030-01-01T00:00:00Z, within the fixtures' validity.
const NOW: f64 = 1_893_456_000.0;

fn exercise(assertion: &Assertion) {
    let _ = assertion.check(NOW);
    let _ = assertion.condition_keys("111122223333", "Corp");
    let _ = assertion.session_duration();
    let _ = assertion.pairs_role_with_provider("arn:aws:iam::111122223333:role/Dev", "arn:aws:iam::111122223333:saml-provider/Corp");
    let _ = assertion.principal_tags();
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let provider = metadata::read(METADATA).expect("the fixture metadata reads");
    if let Ok(verified) = response::verify(text, &provider) {
        exercise(&verified);
    }
    if let Ok(doc) = Document::parse(text) {
        for element in doc.descendant_elements(doc.root()) {
            if doc.is(element, ASSERTION_NAMESPACE, "Assertion") {
                if let Ok(read) = Assertion::read(&doc, element) {
                    exercise(&read);
                }
            }
        }
    }
    let _ = metadata::read(text);
});
