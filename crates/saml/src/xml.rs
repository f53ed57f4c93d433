//! A small XML tree over quick-xml's tokens: as much of XML as SAML and XML-DSig need, with
//! prefixes and namespace declarations kept as written, since canonicalization renders them.
//!
//! Document type declarations are refused, so no entity can expand into the tree and no
//! attribute can be declared an ID behind the reader's back; the only references read are
//! character references and XML's five predefined entities.

use std::collections::{HashMap, HashSet};

use quick_xml::{
    events::{BytesStart, Event},
    Reader, XmlVersion,
};

use crate::Error;

/// The namespace the `xml` prefix is bound to without a declaration.
pub const XML_NAMESPACE: &str = "http://www.w3.org/XML/1998/namespace";

/// Deeper documents are refused: nothing SAML sends nests this far, and canonicalization
/// recurses once per level.
const MAX_DEPTH: usize = 128;

/// A node of a [`Document`], by its index.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NodeId(usize);

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Node {
    Element(Element),
    Text(String),
    Comment(String),
    ProcessingInstruction { target: String, data: String },
}

/// A qualified name as written (`prefix` empty when there is none) with the namespace its
/// prefix is bound to (empty when none is).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Name {
    pub prefix: String,
    pub local: String,
    pub namespace: String,
}

impl Name {
    /// The name as written: `prefix:local` or `local`.
    pub fn qualified(&self) -> String {
        if self.prefix.is_empty() {
            self.local.clone()
        } else {
            format!("{}:{}", self.prefix, self.local)
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attribute {
    pub name: Name,
    /// The value after XML's attribute-value normalization.
    pub value: String,
}

/// `xmlns="uri"` (prefix empty) or `xmlns:prefix="uri"`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NamespaceDeclaration {
    pub prefix: String,
    pub uri: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Element {
    pub name: Name,
    pub namespace_declarations: Vec<NamespaceDeclaration>,
    pub attributes: Vec<Attribute>,
    pub children: Vec<NodeId>,
}

#[derive(Debug)]
struct Slot {
    parent: Option<NodeId>,
    node: Node,
}

/// A parsed document: its nodes, and the one root element.
#[derive(Debug)]
pub struct Document {
    slots: Vec<Slot>,
    root: NodeId,
}

impl Document {
    /// Parses `text`, refusing document type declarations, undeclared prefixes, entity
    /// references other than the predefined ones, and more than one root element.
    pub fn parse(text: &str) -> Result<Document, Error> {
        // XML normalizes line ends before parsing (XML 1.0 §2.11); character references to
        // a carriage return are references, so they survive this.
        let text = text.replace("\r\n", "\n").replace('\r', "\n");
        let mut reader = Reader::from_str(&text);
        reader.config_mut().check_comments = true;
        let mut builder = Builder::default();
        loop {
            let event = reader.read_event().map_err(|e| Error::Xml(e.to_string()))?;
            match event {
                Event::Start(start) => builder.open(&start, false)?,
                Event::Empty(start) => builder.open(&start, true)?,
                Event::End(_) => builder.close(),
                Event::Text(text) => builder.text(&text)?,
                Event::CData(data) => builder.text(&data)?,
                Event::GeneralRef(reference) => {
                    let character = match reference.resolve_char_ref().map_err(|e| Error::Xml(e.to_string()))? {
                        Some(character) => character,
                        None => predefined_entity(&reference).ok_or_else(|| Error::EntityReference(reference.to_string()))?,
                    };
                    builder.text(character.encode_utf8(&mut [0; 4]))?;
                }
                Event::Comment(comment) => builder.leaf(Node::Comment(comment.to_string())),
                Event::PI(instruction) => builder.leaf(Node::ProcessingInstruction {
                    target: instruction.target().to_owned(),
                    data: instruction.content().trim_start().to_owned(),
                }),
                Event::DocType(_) => return Err(Error::DocumentTypeDeclaration),
                Event::Decl(_) => {}
                Event::Eof => break,
            }
        }
        builder.finish()
    }

    pub fn root(&self) -> NodeId {
        self.root
    }

    pub fn node(&self, id: NodeId) -> &Node {
        &self.slots[id.0].node
    }

    pub fn parent(&self, id: NodeId) -> Option<NodeId> {
        self.slots[id.0].parent
    }

    pub fn element(&self, id: NodeId) -> Option<&Element> {
        match self.node(id) {
            Node::Element(element) => Some(element),
            _ => None,
        }
    }

    /// Whether `id` is an element named `local` in `namespace`.
    pub fn is(&self, id: NodeId, namespace: &str, local: &str) -> bool {
        self.element(id).is_some_and(|e| e.name.namespace == namespace && e.name.local == local)
    }

    /// The element children of `id`, in document order.
    pub fn child_elements(&self, id: NodeId) -> impl Iterator<Item = NodeId> + '_ {
        self.element(id).into_iter().flat_map(|e| e.children.iter().copied()).filter(|c| self.element(*c).is_some())
    }

    /// The element children of `id` named `local` in `namespace`.
    pub fn children_named<'a>(&'a self, id: NodeId, namespace: &'a str, local: &'a str) -> impl Iterator<Item = NodeId> + 'a {
        self.child_elements(id).filter(move |c| self.is(*c, namespace, local))
    }

    /// The only element child of `id` named `local` in `namespace`; none, or several, is an
    /// error naming `local`.
    pub fn only_child(&self, id: NodeId, namespace: &str, local: &str) -> Result<NodeId, Error> {
        let mut named = self.children_named(id, namespace, local);
        match (named.next(), named.next()) {
            (Some(only), None) => Ok(only),
            (None, _) => Err(Error::Malformed(format!("no {local} element"))),
            (Some(_), Some(_)) => Err(Error::Malformed(format!("more than one {local} element"))),
        }
    }

    /// `id` and every element below it, in document order.
    pub fn descendant_elements(&self, id: NodeId) -> Vec<NodeId> {
        let mut found = Vec::new();
        let mut pending = vec![id];
        while let Some(next) = pending.pop() {
            if let Some(element) = self.element(next) {
                found.push(next);
                pending.extend(element.children.iter().rev().copied());
            }
        }
        found
    }

    /// The value of the attribute `local` that has no prefix.
    pub fn attribute(&self, id: NodeId, local: &str) -> Option<&str> {
        let element = self.element(id)?;
        element.attributes.iter().find(|a| a.name.namespace.is_empty() && a.name.local == local).map(|a| a.value.as_str())
    }

    /// The text of `id`: all text below it joined, comments and processing instructions left
    /// out (so a comment cannot cut a value short).
    pub fn text(&self, id: NodeId) -> String {
        let mut text = String::new();
        let mut pending = vec![id];
        while let Some(next) = pending.pop() {
            match self.node(next) {
                Node::Text(part) => text.push_str(part),
                Node::Element(element) => pending.extend(element.children.iter().rev().copied()),
                Node::Comment(_) | Node::ProcessingInstruction { .. } => {}
            }
        }
        text
    }
}

/// Whether `name` is a name without a colon (Namespaces in XML §3, over XML 1.0's `Name`).
/// quick-xml takes whatever runs up to white space or `>` as a name; canonicalization writes
/// names back as they are, so `<a=""/>` read as an element named `a=""/` would come out as text
/// that means something else.
fn is_ncname(name: &str) -> bool {
    let mut chars = name.chars();
    chars.next().is_some_and(is_name_start_char) && chars.all(|c| is_name_start_char(c) || is_name_char(c))
}

/// XML 1.0 (fifth edition) `NameStartChar`, the colon left out.
fn is_name_start_char(c: char) -> bool {
    matches!(c,
        'A'..='Z' | '_' | 'a'..='z' | '\u{C0}'..='\u{D6}' | '\u{D8}'..='\u{F6}' | '\u{F8}'..='\u{2FF}' | '\u{370}'..='\u{37D}'
        | '\u{37F}'..='\u{1FFF}' | '\u{200C}'..='\u{200D}' | '\u{2070}'..='\u{218F}' | '\u{2C00}'..='\u{2FEF}'
        | '\u{3001}'..='\u{D7FF}' | '\u{F900}'..='\u{FDCF}' | '\u{FDF0}'..='\u{FFFD}' | '\u{10000}'..='\u{EFFFF}')
}

/// The rest of XML 1.0's `NameChar`.
fn is_name_char(c: char) -> bool {
    matches!(c, '-' | '.' | '0'..='9' | '\u{B7}' | '\u{300}'..='\u{36F}' | '\u{203F}'..='\u{2040}')
}

/// Ends the scope of `declarations`, the innermost bindings of their prefixes.
fn unbind(bindings: &mut HashMap<String, Vec<String>>, declarations: &[NamespaceDeclaration]) {
    for declaration in declarations {
        if let Some(uris) = bindings.get_mut(&declaration.prefix) {
            uris.pop();
        }
    }
}

fn predefined_entity(name: &str) -> Option<char> {
    Some(match name {
        "lt" => '<',
        "gt" => '>',
        "amp" => '&',
        "apos" => '\'',
        "quot" => '"',
        _ => return None,
    })
}

#[derive(Default)]
struct Builder {
    slots: Vec<Slot>,
    root: Option<NodeId>,
    open: Vec<NodeId>,
    /// Each prefix's bindings by the element being opened and the open elements, innermost
    /// last, so resolving a name costs the same however many declarations are in scope.
    bindings: HashMap<String, Vec<String>>,
}

impl Builder {
    fn push(&mut self, node: Node) -> NodeId {
        let id = NodeId(self.slots.len());
        let parent = self.open.last().copied();
        self.slots.push(Slot { parent, node });
        if let Some(Node::Element(parent)) = parent.map(|p| &mut self.slots[p.0].node) {
            parent.children.push(id);
        }
        id
    }

    /// Comments and processing instructions; outside the root element they are not part of
    /// anything SAML reads or signs by reference, so they are dropped there.
    fn leaf(&mut self, node: Node) {
        if !self.open.is_empty() {
            self.push(node);
        }
    }

    fn text(&mut self, text: &str) -> Result<(), Error> {
        let Some(parent) = self.open.last().copied() else {
            if text.trim_matches([' ', '\t', '\n']).is_empty() {
                return Ok(());
            }
            return Err(Error::Xml("text outside the root element".to_owned()));
        };
        let last_child = match &self.slots[parent.0].node {
            Node::Element(element) => element.children.last().copied(),
            _ => None,
        };
        match last_child.map(|c| &mut self.slots[c.0].node) {
            Some(Node::Text(previous)) => previous.push_str(text),
            _ => {
                self.push(Node::Text(text.to_owned()));
            }
        }
        Ok(())
    }

    fn lookup(&self, prefix: &str) -> Option<String> {
        if prefix == "xml" {
            return Some(XML_NAMESPACE.to_owned());
        }
        self.bindings.get(prefix).and_then(|uris| uris.last()).cloned()
    }

    fn name(&self, qualified: &str, is_attribute: bool) -> Result<Name, Error> {
        let (prefix, local) = match qualified.split_once(':') {
            Some((prefix, local)) if is_ncname(prefix) && is_ncname(local) => (prefix, local),
            None if is_ncname(qualified) => ("", qualified),
            _ => return Err(Error::Xml(format!("{qualified} is not a qualified name"))),
        };
        let namespace = if prefix.is_empty() && is_attribute {
            // Unprefixed attributes are in no namespace, whatever the default namespace is.
            String::new()
        } else if prefix.is_empty() {
            self.lookup(prefix).unwrap_or_default()
        } else {
            self.lookup(prefix).ok_or_else(|| Error::Xml(format!("the prefix of {qualified} is not declared")))?
        };
        Ok(Name { prefix: prefix.to_owned(), local: local.to_owned(), namespace })
    }

    fn bind(&mut self, declarations: &[NamespaceDeclaration]) {
        for declaration in declarations {
            self.bindings.entry(declaration.prefix.clone()).or_default().push(declaration.uri.clone());
        }
    }

    fn open(&mut self, start: &BytesStart<'_>, empty: bool) -> Result<(), Error> {
        if self.open.is_empty() && self.root.is_some() {
            return Err(Error::Xml("more than one root element".to_owned()));
        }
        if self.open.len() >= MAX_DEPTH {
            return Err(Error::Xml(format!("elements nest deeper than {MAX_DEPTH} levels")));
        }
        let mut declarations = Vec::new();
        let mut written = Vec::new();
        // Uniqueness is checked here with sets: quick-xml's own check compares every attribute
        // with every earlier one, quadratic in an element's attributes.
        let mut keys = HashSet::new();
        for attribute in start.attributes().with_checks(false) {
            let attribute = attribute.map_err(|e| Error::Xml(e.to_string()))?;
            let key = attribute.key.0.to_owned();
            if !keys.insert(key.clone()) {
                return Err(Error::Xml(format!("the attribute {key} is given twice")));
            }
            let value = attribute.normalized_value(XmlVersion::Implicit1_0).map_err(|e| Error::Xml(e.to_string()))?.into_owned();
            if key == "xmlns" {
                declarations.push(NamespaceDeclaration { prefix: String::new(), uri: value });
            } else if let Some(prefix) = key.strip_prefix("xmlns:") {
                if !is_ncname(prefix) {
                    return Err(Error::Xml(format!("{key} does not declare a prefix")));
                }
                if value.is_empty() {
                    return Err(Error::Xml(format!("the prefix {prefix} is declared with no namespace")));
                }
                declarations.push(NamespaceDeclaration { prefix: prefix.to_owned(), uri: value });
            } else {
                written.push((key, value));
            }
        }
        self.bind(&declarations);
        let names = self.names(start.name().0, written);
        if empty || names.is_err() {
            unbind(&mut self.bindings, &declarations);
        }
        let (name, attributes) = names?;
        let id = self.push(Node::Element(Element { name, namespace_declarations: declarations, attributes, children: Vec::new() }));
        if self.open.is_empty() {
            self.root = Some(id);
        }
        if !empty {
            self.open.push(id);
        }
        Ok(())
    }

    /// The element's name and its attributes' names, resolved with the element's own
    /// declarations bound.
    fn names(&self, qualified: &str, written: Vec<(String, String)>) -> Result<(Name, Vec<Attribute>), Error> {
        let name = self.name(qualified, false)?;
        let mut attributes = Vec::with_capacity(written.len());
        let mut expanded = HashSet::new();
        for (key, value) in written {
            let name = self.name(&key, true)?;
            // Two prefixes bound to one namespace name the same attribute.
            if !expanded.insert((name.namespace.clone(), name.local.clone())) {
                return Err(Error::Xml(format!("the attribute {key} is given twice")));
            }
            attributes.push(Attribute { name, value });
        }
        Ok((name, attributes))
    }

    fn close(&mut self) {
        if let Some(Node::Element(closed)) = self.open.pop().map(|id| &self.slots[id.0].node) {
            unbind(&mut self.bindings, &closed.namespace_declarations);
        }
    }

    fn finish(self) -> Result<Document, Error> {
        if !self.open.is_empty() {
            return Err(Error::Xml("an element is not closed".to_owned()));
        }
        let root = self.root.ok_or_else(|| Error::Xml("no root element".to_owned()))?;
        Ok(Document { slots: self.slots, root })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_keep_their_prefixes_and_resolve_their_namespaces() {
        let doc = Document::parse(r#"<a:r xmlns:a="urn:a" xmlns="urn:d"><c a:x="1" y="2"/></a:r>"#).unwrap();
        let root = doc.element(doc.root()).unwrap();
        assert_eq!(root.name, Name { prefix: "a".into(), local: "r".into(), namespace: "urn:a".into() });
        let child = doc.child_elements(doc.root()).next().unwrap();
        let element = doc.element(child).unwrap();
        assert_eq!(element.name.namespace, "urn:d");
        assert_eq!(element.attributes[0].name.namespace, "urn:a");
        assert_eq!(element.attributes[1].name.namespace, "", "unprefixed attributes are in no namespace");
    }

    #[test]
    fn text_joins_every_text_node_and_leaves_comments_out() {
        let doc = Document::parse("<n>admin<!-- cut -->@example.com&amp;<![CDATA[<x>]]>&#65;</n>").unwrap();
        assert_eq!(doc.text(doc.root()), "admin@example.com&<x>A");
    }

    #[test]
    fn attribute_values_are_normalized_and_line_ends_too() {
        let doc = Document::parse("<n a=\"x\ny&#10;z\">l1\r\nl2\rl3</n>").unwrap();
        assert_eq!(doc.attribute(doc.root(), "a"), Some("x y\nz"));
        assert_eq!(doc.text(doc.root()), "l1\nl2\nl3");
    }

    #[test]
    fn document_type_declarations_and_entities_are_refused() {
        let billion = r#"<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "aaaa">]><r>&a;</r>"#;
        assert_eq!(Document::parse(billion).unwrap_err(), Error::DocumentTypeDeclaration);
        assert!(matches!(Document::parse("<r>&a;</r>").unwrap_err(), Error::EntityReference(_)));
    }

    #[test]
    fn broken_documents_are_refused() {
        let same_attribute_twice = "<a xmlns:p='urn:p' xmlns:q='urn:p' p:x='1' q:x='2'/>";
        let same_prefix_twice = "<a xmlns:p='urn:p' xmlns:p='urn:q'/>";
        let prefix_out_of_scope = "<r><a xmlns:p='urn:p'/><p:b/></r>";
        // Found by the saml_c14n fuzz target (fuzz/regressions): names that are not XML names.
        let not_names = ["<..=\"\"//>", "<a=\"\"/>", "<1a/>", "<:a/>", "<a: xmlns:a='urn:a'/>", "<a xmlns:1='urn:a'/>", "<a b\"=''/>"];
        for broken in ["<a><b></a>", "<a>", "<a/><b/>", "<p:a/>", "<a x='1' x='2'/>", "text<a/>", "", same_attribute_twice, same_prefix_twice, prefix_out_of_scope]
            .into_iter()
            .chain(not_names)
        {
            assert!(Document::parse(broken).is_err(), "{broken}");
        }
    }

    /// Found with the saml_response fuzz target's inputs grown large (fuzz/regressions): 9,375
    /// attributes on one element took 27 s to read, each compared with every earlier one.
    #[test]
    fn thousands_of_attributes_and_declarations_are_read_in_linear_time() {
        let attributes: String = (0..10_000).map(|i| format!(" a{i}=''")).collect();
        let declarations: String = (0..5_000).map(|i| format!(" xmlns:p{i}='urn:p'")).collect();
        let document = format!("<r{attributes}{declarations}>{}</r>", "<p0:c p1:x=''/>".repeat(5_000));
        let started = std::time::Instant::now();
        let doc = Document::parse(&document).unwrap();
        assert_eq!(doc.child_elements(doc.root()).count(), 5_000);
        assert!(started.elapsed().as_secs() < 5, "read in {:?}", started.elapsed());
    }
}
