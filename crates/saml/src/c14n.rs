//! Exclusive XML Canonicalization 1.0 (W3C, http://www.w3.org/2001/10/xml-exc-c14n#) of one
//! element and what is below it, optionally leaving one element out (the enveloped
//! signature).
//!
//! Exclusive canonicalization renders a namespace declaration on an element only where the
//! element or one of its attributes uses the prefix (or the prefix is on the
//! `InclusiveNamespaces` list), and only when the nearest rendered ancestor did not already
//! render the same binding; the signed bytes thus do not depend on the context a signed
//! element is moved into.

use std::collections::BTreeMap;

use crate::xml::{Document, Node, NodeId};

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
        let mut out = String::new();
        let mut rendered = Vec::new();
        self.node(doc, apex, excluded, &mut rendered, &mut out);
        out.into_bytes()
    }

    /// `rendered` is the stack of namespace bindings output ancestors rendered, innermost last.
    fn node(&self, doc: &Document, id: NodeId, excluded: Option<NodeId>, rendered: &mut Vec<(String, String)>, out: &mut String) {
        if Some(id) == excluded {
            return;
        }
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
                let mut utilized: BTreeMap<&str, String> = BTreeMap::new();
                utilized.insert(&element.name.prefix, element.name.namespace.clone());
                for attribute in element.attributes.iter().filter(|a| !a.name.prefix.is_empty()) {
                    utilized.insert(&attribute.name.prefix, attribute.name.namespace.clone());
                }
                for prefix in &self.inclusive_prefixes {
                    let bound = doc.namespace_in_scope(id, prefix);
                    // A non-default prefix bound to nothing is no namespace node at all.
                    if prefix.is_empty() || !bound.is_empty() {
                        utilized.insert(prefix, bound);
                    }
                }
                let outer = rendered.len();
                let qualified = element.name.qualified();
                out.push('<');
                out.push_str(&qualified);
                // BTreeMap order is the specification's: by prefix, the default namespace first.
                for (prefix, uri) in utilized {
                    if *prefix == *"xml" {
                        continue;
                    }
                    // Before any output ancestor renders it, a binding counts as empty: so the
                    // default namespace is undeclared (`xmlns=""`) only under a rendered one.
                    let in_force = rendered.iter().rev().find(|(p, _)| p == prefix).map(|(_, u)| u.as_str()).unwrap_or("");
                    if in_force != uri {
                        out.push_str(if prefix.is_empty() { " xmlns" } else { " xmlns:" });
                        out.push_str(prefix);
                        out.push_str("=\"");
                        escape_attribute(&uri, out);
                        out.push('"');
                        rendered.push((prefix.to_owned(), uri));
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
                for child in &element.children {
                    self.node(doc, *child, excluded, rendered, out);
                }
                out.push_str("</");
                out.push_str(&qualified);
                out.push('>');
                rendered.truncate(outer);
            }
        }
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
}
