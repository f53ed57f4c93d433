//! Exclusive XML Canonicalization 1.0 (W3C, http://www.w3.org/2001/10/xml-exc-c14n#) of one
//! element and what is below it, optionally leaving one element out (the enveloped
//! signature).
//!
//! Exclusive canonicalization renders a namespace declaration on an element only where the
//! element or one of its attributes uses the prefix (or the prefix is on the
//! `InclusiveNamespaces` list), and only when the nearest rendered ancestor did not already
//! render the same binding; the signed bytes thus do not depend on the context a signed
//! element is moved into.

use std::collections::{BTreeMap, HashMap};

use crate::xml::{Document, Element, Node, NodeId, XML_NAMESPACE};

/// The two algorithms of the specification, and their `InclusiveNamespaces PrefixList`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ExclusiveCanonicalization {
    pub with_comments: bool,
    /// Prefixes treated as in inclusive canonicalization; the empty string stands for
    /// `#default`.
    pub inclusive_prefixes: Vec<String>,
}

pub const EXCLUSIVE: &str = "http://www.w3.org/2001/10/xml-exc-c14n#";
pub const EXCLUSIVE_WITH_COMMENTS: &str = "http://www.w3.org/2001/10/xml-exc-c14n#WithComments";

impl ExclusiveCanonicalization {
    /// The algorithm an `Algorithm` URI names, with the `PrefixList` given; `None` for any
    /// other canonicalization.
    pub fn named(algorithm: &str, prefix_list: Option<&str>) -> Option<ExclusiveCanonicalization> {
        let with_comments = match algorithm {
            EXCLUSIVE => false,
            EXCLUSIVE_WITH_COMMENTS => true,
            _ => return None,
        };
        let inclusive_prefixes = prefix_list
            .unwrap_or_default()
            .split_ascii_whitespace()
            .map(|p| if p == "#default" { String::new() } else { p.to_owned() })
            .collect();
        Some(ExclusiveCanonicalization { with_comments, inclusive_prefixes })
    }

    /// The canonical form of element `apex` and its descendants, without `excluded` (an
    /// element below `apex`) and what is below it.
    pub fn canonicalize(&self, doc: &Document, apex: NodeId, excluded: Option<NodeId>) -> Vec<u8> {
        let mut walk = Walk { excluded, in_scope: HashMap::new(), rendered: HashMap::new(), out: String::new() };
        // The apex is read in the context of its ancestors' declarations, outermost first.
        let mut ancestors = Vec::new();
        let mut at = doc.parent(apex);
        while let Some(ancestor) = at {
            ancestors.push(ancestor);
            at = doc.parent(ancestor);
        }
        for ancestor in ancestors.into_iter().rev() {
            if let Some(element) = doc.element(ancestor) {
                walk.declare(element);
            }
        }
        self.node(doc, apex, &mut walk);
        walk.out.into_bytes()
    }

    fn node<'a>(&'a self, doc: &'a Document, id: NodeId, walk: &mut Walk<'a>) {
        if Some(id) == walk.excluded {
            return;
        }
        let out = &mut walk.out;
        match doc.node(id) {
            Node::Text(text) => escape_text(text, out),
            Node::Comment(comment) => {
                if self.with_comments {
                    out.push_str("<!--");
                    out.push_str(comment);
                    out.push_str("-->");
                }
            }
            Node::ProcessingInstruction { target, data } => {
                out.push_str("<?");
                out.push_str(target);
                if !data.is_empty() {
                    out.push(' ');
                    out.push_str(data);
                }
                out.push_str("?>");
            }
            Node::Element(element) => {
                walk.declare(element);
                let mut utilized: BTreeMap<&str, &str> = BTreeMap::new();
                utilized.insert(&element.name.prefix, &element.name.namespace);
                for attribute in element.attributes.iter().filter(|a| !a.name.prefix.is_empty()) {
                    utilized.insert(&attribute.name.prefix, &attribute.name.namespace);
                }
                for prefix in &self.inclusive_prefixes {
                    let bound = walk.bound(prefix);
                    // A non-default prefix bound to nothing is no namespace node at all.
                    if prefix.is_empty() || !bound.is_empty() {
                        utilized.insert(prefix, bound);
                    }
                }
                let qualified = element.name.qualified();
                let out = &mut walk.out;
                out.push('<');
                out.push_str(&qualified);
                let mut rendered_here = Vec::new();
                // BTreeMap order is the specification's: by prefix, the default namespace first.
                for (prefix, uri) in utilized {
                    if prefix == "xml" {
                        continue;
                    }
                    // Before any output ancestor renders it, a binding counts as empty: so the
                    // default namespace is undeclared (`xmlns=""`) only under a rendered one.
                    let in_force = walk.rendered.get(prefix).and_then(|uris| uris.last()).copied().unwrap_or("");
                    if in_force != uri {
                        out.push_str(if prefix.is_empty() { " xmlns" } else { " xmlns:" });
                        out.push_str(prefix);
                        out.push_str("=\"");
                        escape_attribute(uri, out);
                        out.push('"');
                        rendered_here.push((prefix, uri));
                    }
                }
                let mut attributes: Vec<_> = element.attributes.iter().collect();
                attributes.sort_by(|a, b| (&a.name.namespace, &a.name.local).cmp(&(&b.name.namespace, &b.name.local)));
                for attribute in attributes {
                    out.push(' ');
                    out.push_str(&attribute.name.qualified());
                    out.push_str("=\"");
                    escape_attribute(&attribute.value, out);
                    out.push('"');
                }
                out.push('>');
                for (prefix, uri) in &rendered_here {
                    walk.rendered.entry(prefix).or_default().push(uri);
                }
                for child in &element.children {
                    self.node(doc, *child, walk);
                }
                walk.out.push_str("</");
                walk.out.push_str(&qualified);
                walk.out.push('>');
                for (prefix, _) in rendered_here {
                    if let Some(uris) = walk.rendered.get_mut(prefix) {
                        uris.pop();
                    }
                }
                walk.undeclare(element);
            }
        }
    }
}

/// Where canonicalization is on its way down from the apex. Both maps keep each prefix's
/// bindings innermost last, so an element costs the same however deep it is and however many
/// declarations enclose it.
struct Walk<'a> {
    excluded: Option<NodeId>,
    /// The namespaces the document binds each prefix to at the current element.
    in_scope: HashMap<&'a str, Vec<&'a str>>,
    /// The namespaces output ancestors rendered for each prefix.
    rendered: HashMap<&'a str, Vec<&'a str>>,
    out: String,
}

impl<'a> Walk<'a> {
    fn declare(&mut self, element: &'a Element) {
        for declaration in &element.namespace_declarations {
            self.in_scope.entry(&declaration.prefix).or_default().push(&declaration.uri);
        }
    }

    fn undeclare(&mut self, element: &'a Element) {
        for declaration in &element.namespace_declarations {
            if let Some(uris) = self.in_scope.get_mut(declaration.prefix.as_str()) {
                uris.pop();
            }
        }
    }

    /// The namespace `prefix` (empty for the default namespace) is bound to, empty when none.
    fn bound(&self, prefix: &str) -> &'a str {
        if prefix == "xml" {
            return XML_NAMESPACE;
        }
        self.in_scope.get(prefix).and_then(|uris| uris.last()).copied().unwrap_or("")
    }
}

fn escape_text(text: &str, out: &mut String) {
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '\r' => out.push_str("&#xD;"),
            _ => out.push(c),
        }
    }
}

fn escape_attribute(value: &str, out: &mut String) {
    for c in value.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '"' => out.push_str("&quot;"),
            '\t' => out.push_str("&#x9;"),
            '\n' => out.push_str("&#xA;"),
            '\r' => out.push_str("&#xD;"),
            _ => out.push(c),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn exclusive(xml: &str, apex_path: &[usize]) -> String {
        canonical(xml, apex_path, &ExclusiveCanonicalization::default())
    }

    fn canonical(xml: &str, apex_path: &[usize], algorithm: &ExclusiveCanonicalization) -> String {
        let doc = Document::parse(xml).unwrap();
        let mut apex = doc.root();
        for index in apex_path {
            apex = doc.child_elements(apex).nth(*index).unwrap();
        }
        String::from_utf8(algorithm.canonicalize(&doc, apex, None)).unwrap()
    }

    #[test]
    fn only_the_namespaces_an_element_uses_are_rendered_on_it() {
        // The example of the specification's section 2.2: the apex renders only n1, which it
        // uses, not the n0 its ancestor declares.
        let xml = r#"<n0:local xmlns:n0="foo:bar" xmlns:n3="ftp://example.org"><n1:elem2 xmlns:n1="http://example.net" xml:lang="en"><n3:stuff xmlns:n3="ftp://example.org"/></n1:elem2></n0:local>"#;
        assert_eq!(
            exclusive(xml, &[0]),
            r#"<n1:elem2 xmlns:n1="http://example.net" xml:lang="en"><n3:stuff xmlns:n3="ftp://example.org"></n3:stuff></n1:elem2>"#
        );
    }

    #[test]
    fn a_binding_an_output_ancestor_rendered_is_not_rendered_again() {
        let xml = r#"<a:r xmlns:a="urn:a" xmlns:b="urn:b"><a:c b:x="1"><a:d/></a:c></a:r>"#;
        assert_eq!(
            exclusive(xml, &[]),
            r#"<a:r xmlns:a="urn:a"><a:c xmlns:b="urn:b" b:x="1"><a:d></a:d></a:c></a:r>"#
        );
    }

    #[test]
    fn attributes_sort_by_namespace_then_name_and_unqualified_ones_come_first() {
        let xml = r#"<r xmlns:z="urn:a" xmlns:a="urn:z" a:b="1" z:c="2" d="3" b="4"/>"#;
        assert_eq!(exclusive(xml, &[]), r#"<r xmlns:a="urn:z" xmlns:z="urn:a" b="4" d="3" z:c="2" a:b="1"></r>"#);
    }

    #[test]
    fn the_default_namespace_is_undeclared_only_where_an_output_ancestor_declared_one() {
        let xml = r#"<r xmlns="urn:d"><c xmlns=""><e/></c></r>"#;
        assert_eq!(exclusive(xml, &[]), r#"<r xmlns="urn:d"><c xmlns=""><e></e></c></r>"#);
        assert_eq!(exclusive(xml, &[0]), r#"<c><e></e></c>"#);
    }

    #[test]
    fn text_and_attribute_values_are_escaped_as_the_specification_says() {
        let xml = "<r a=\"&lt;&amp;&quot;&#9;&#10;&#13;>\">&lt;&amp;&gt;&#13;\"'</r>";
        assert_eq!(exclusive(xml, &[]), "<r a=\"&lt;&amp;&quot;&#x9;&#xA;&#xD;>\">&lt;&amp;&gt;&#xD;\"'</r>");
    }

    #[test]
    fn comments_are_kept_only_with_comments() {
        let xml = "<r><!-- c --><?pi  data?><x/></r>";
        assert_eq!(exclusive(xml, &[]), "<r><?pi data?><x></x></r>");
        let with_comments = ExclusiveCanonicalization { with_comments: true, ..Default::default() };
        assert_eq!(canonical(xml, &[], &with_comments), "<r><!-- c --><?pi data?><x></x></r>");
    }

    #[test]
    fn inclusive_prefixes_are_rendered_even_when_unused() {
        let xml = r#"<r xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns="urn:d"><a:v xmlns:a="urn:a">x</a:v></r>"#;
        let algorithm = ExclusiveCanonicalization::named(EXCLUSIVE, Some("xs #default")).unwrap();
        assert_eq!(
            canonical(xml, &[0], &algorithm),
            r#"<a:v xmlns="urn:d" xmlns:a="urn:a" xmlns:xs="http://www.w3.org/2001/XMLSchema">x</a:v>"#
        );
    }

    #[test]
    fn the_excluded_element_is_left_out_with_everything_below_it() {
        let xml = r#"<r ID="1"><s:Signature xmlns:s="urn:s"><s:v/></s:Signature><x/></r>"#;
        let doc = Document::parse(xml).unwrap();
        let signature = doc.child_elements(doc.root()).next();
        let bytes = ExclusiveCanonicalization::default().canonicalize(&doc, doc.root(), signature);
        assert_eq!(String::from_utf8(bytes).unwrap(), r#"<r ID="1"><x></x></r>"#);
    }

    #[test]
    fn other_canonicalizations_are_not_this_one() {
        assert!(ExclusiveCanonicalization::named("http://www.w3.org/TR/2001/REC-xml-c14n-20010315", None).is_none());
        assert!(ExclusiveCanonicalization::named(EXCLUSIVE_WITH_COMMENTS, None).unwrap().with_comments);
    }

    #[test]
    fn an_element_costs_the_same_however_many_declarations_enclose_it() {
        let declarations: String = (0..5_000).map(|i| format!(" xmlns:p{i}='urn:p{i}'")).collect();
        let xml = format!("<r{declarations}>{}</r>", "<p1:c/>".repeat(20_000));
        let prefixes: Vec<String> = (0..64).map(|i| format!("p{i}")).collect();
        let algorithm = ExclusiveCanonicalization::named(EXCLUSIVE, Some(&prefixes.join(" "))).unwrap();
        let started = std::time::Instant::now();
        let canonical = canonical(&xml, &[], &algorithm);
        assert!(started.elapsed().as_secs() < 5, "canonicalized in {:?}", started.elapsed());
        assert!(canonical.ends_with("<p1:c></p1:c></r>"), "the children render no declaration their parent rendered");
    }
}
