//! A small XML writer and reader for the XML protocols (query, ec2, restXml), and the
//! model-guided mapping between canonical values and XML elements that the three share.
//!
//! The reader is strict and small on purpose: requests come from anyone, so it accepts no
//! DTD (no entity can expand), only the five predefined entities and numeric character
//! references, and a bounded element depth.

use base64::Engine;
use serde_json::{Map, Number, Value};

use crate::{
    model::{Location, ServiceModel, Shape, ShapeRef, ShapeType, TimestampFormat, XmlNamespace},
    timestamp,
};

/// Elements nested deeper than this are refused; AWS documents are shallow and a deep
/// document is an attack on the stack or the allocator.
pub const MAX_DEPTH: usize = 64;

/// Builds an XML document in one `String`, escaping text and attribute values as it goes,
/// so encoders on the hot path allocate once.
#[derive(Debug, Default)]
pub struct XmlWriter {
    out: String,
}

impl XmlWriter {
    pub fn with_capacity(capacity: usize) -> Self {
        XmlWriter { out: String::with_capacity(capacity) }
    }

    /// Writes `<name` and leaves the tag open for [`XmlWriter::attribute`].
    pub fn start_open(&mut self, name: &str) {
        self.out.push('<');
        self.out.push_str(name);
    }

    /// Writes `<{name}{suffix}` (`<GetCallerIdentityResponse`) without building the name.
    pub fn start_open_suffixed(&mut self, name: &str, suffix: &str) {
        self.start_open(name);
        self.out.push_str(suffix);
    }

    pub fn close_suffixed(&mut self, name: &str, suffix: &str) {
        self.out.push_str("</");
        self.out.push_str(name);
        self.out.push_str(suffix);
        self.out.push('>');
    }

    pub fn attribute(&mut self, name: &str, value: &str) {
        self.out.push(' ');
        self.out.push_str(name);
        self.out.push_str("=\"");
        escape_into(&mut self.out, value, true);
        self.out.push('"');
    }

    /// Ends a tag begun with [`XmlWriter::start_open`].
    pub fn end_open(&mut self) {
        self.out.push('>');
    }

    pub fn open(&mut self, name: &str) {
        self.start_open(name);
        self.end_open();
    }

    pub fn close(&mut self, name: &str) {
        self.out.push_str("</");
        self.out.push_str(name);
        self.out.push('>');
    }

    pub fn text(&mut self, text: &str) {
        escape_into(&mut self.out, text, false);
    }

    /// `<name>text</name>`.
    pub fn leaf(&mut self, name: &str, text: &str) {
        self.open(name);
        self.text(text);
        self.close(name);
    }

    pub fn into_string(self) -> String {
        self.out
    }
}

/// Appends `text` escaped for element content (or, with `attribute`, for a double-quoted
/// attribute value). Carriage returns, and in attributes tabs and newlines, become character
/// references so a parser's whitespace normalization cannot change the value.
pub fn escape_into(out: &mut String, text: &str, attribute: bool) {
    let mut start = 0;
    for (index, byte) in text.bytes().enumerate() {
        let replacement = match byte {
            b'&' => "&amp;",
            b'<' => "&lt;",
            b'>' => "&gt;",
            b'\r' => "&#13;",
            b'"' if attribute => "&quot;",
            b'\n' if attribute => "&#10;",
            b'\t' if attribute => "&#9;",
            _ => continue,
        };
        out.push_str(&text[start..index]);
        out.push_str(replacement);
        start = index + 1;
    }
    out.push_str(&text[start..]);
}

/// An element as the XML protocols read it: local name (prefix dropped, as AWS parsers
/// ignore namespaces), attributes under their written names, child elements and the
/// concatenated character data directly inside it.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Element {
    pub name: String,
    pub attributes: Vec<(String, String)>,
    pub children: Vec<Element>,
    pub text: String,
}

impl Element {
    pub fn child(&self, name: &str) -> Option<&Element> {
        self.children.iter().find(|c| c.name == name)
    }

    pub fn children_named<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a Element> + 'a {
        self.children.iter().filter(move |c| c.name == name)
    }

    pub fn attribute(&self, name: &str) -> Option<&str> {
        self.attributes.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
    }
}

/// Why a document was refused, in words fit for an error message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct XmlError(pub String);

impl std::fmt::Display for XmlError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

fn fail<T>(message: impl Into<String>) -> Result<T, XmlError> {
    Err(XmlError(message.into()))
}

/// Parses a whole document into its root element.
pub fn parse(input: &[u8]) -> Result<Element, XmlError> {
    let text = std::str::from_utf8(input).map_err(|_| XmlError("the document is not UTF-8".into()))?;
    Parser { text: text.strip_prefix('\u{feff}').unwrap_or(text), pos: 0 }.document()
}

struct Parser<'a> {
    text: &'a str,
    pos: usize,
}

impl<'a> Parser<'a> {
    fn rest(&self) -> &'a str {
        &self.text[self.pos..]
    }

    fn skip_whitespace(&mut self) {
        let rest = self.rest();
        self.pos += rest.len() - rest.trim_start_matches([' ', '\t', '\r', '\n']).len();
    }

    fn skip_past(&mut self, terminator: &str, what: &str) -> Result<&'a str, XmlError> {
        match self.rest().find(terminator) {
            Some(at) => {
                let skipped = &self.rest()[..at];
                self.pos += at + terminator.len();
                Ok(skipped)
            }
            None => fail(format!("unterminated {what}")),
        }
    }

    /// Comments, processing instructions and whitespace allowed around the root element.
    fn skip_misc(&mut self) -> Result<(), XmlError> {
        loop {
            self.skip_whitespace();
            if self.rest().starts_with("<?") {
                self.skip_past("?>", "processing instruction")?;
            } else if self.rest().starts_with("<!--") {
                self.skip_past("-->", "comment")?;
            } else if self.rest().starts_with("<!") {
                return fail("document type declarations are not accepted");
            } else {
                return Ok(());
            }
        }
    }

    fn name(&mut self) -> Result<&'a str, XmlError> {
        let rest = self.rest();
        let end = rest.find(|c: char| c.is_whitespace() || matches!(c, '/' | '>' | '=' | '<' | '"' | '\'')).unwrap_or(rest.len());
        if end == 0 {
            return fail("expected a name");
        }
        self.pos += end;
        Ok(&rest[..end])
    }

    fn document(mut self) -> Result<Element, XmlError> {
        self.skip_misc()?;
        if !self.rest().starts_with('<') {
            return fail("expected a root element");
        }
        let root = self.element()?;
        self.skip_misc()?;
        if !self.rest().is_empty() {
            return fail("content after the root element");
        }
        Ok(root)
    }

    /// Reads the element starting at `<`, iteratively so depth is bounded by [`MAX_DEPTH`]
    /// rather than by the stack.
    fn element(&mut self) -> Result<Element, XmlError> {
        let mut stack: Vec<(Element, &'a str)> = Vec::new();
        loop {
            let rest = self.rest();
            if rest.is_empty() {
                return fail("unterminated element");
            }
            if rest.starts_with("</") {
                self.pos += 2;
                let name = self.name()?;
                self.skip_whitespace();
                if !self.rest().starts_with('>') {
                    return fail(format!("malformed end tag {name}"));
                }
                self.pos += 1;
                let (element, open_name) = stack.pop().ok_or_else(|| XmlError(format!("unexpected end tag {name}")))?;
                if open_name != name {
                    return fail(format!("end tag {name} does not match {open_name}"));
                }
                match stack.last_mut() {
                    Some((parent, _)) => parent.children.push(element),
                    None => return Ok(element),
                }
            } else if rest.starts_with("<!--") {
                self.skip_past("-->", "comment")?;
            } else if rest.starts_with("<![CDATA[") {
                self.pos += 9;
                let data = self.skip_past("]]>", "CDATA section")?;
                match stack.last_mut() {
                    Some((parent, _)) => parent.text.push_str(data),
                    None => return fail("character data outside the root element"),
                }
            } else if rest.starts_with("<?") {
                self.skip_past("?>", "processing instruction")?;
            } else if rest.starts_with("<!") {
                return fail("document type declarations are not accepted");
            } else if rest.starts_with('<') {
                if stack.len() >= MAX_DEPTH {
                    return fail(format!("elements are nested deeper than {MAX_DEPTH}"));
                }
                self.pos += 1;
                let (element, name, closed) = self.start_tag()?;
                if closed {
                    match stack.last_mut() {
                        Some((parent, _)) => parent.children.push(element),
                        None => return Ok(element),
                    }
                } else {
                    stack.push((element, name));
                }
            } else {
                let end = rest.find('<').unwrap_or(rest.len());
                let raw = &rest[..end];
                self.pos += end;
                match stack.last_mut() {
                    Some((parent, _)) => unescape_into(&mut parent.text, raw)?,
                    None => return fail("character data outside the root element"),
                }
            }
        }
    }

    /// Reads a start tag after its `<`; true when it was self-closing.
    fn start_tag(&mut self) -> Result<(Element, &'a str, bool), XmlError> {
        let name = self.name()?;
        let mut element = Element { name: local_name(name).to_owned(), ..Element::default() };
        loop {
            self.skip_whitespace();
            let rest = self.rest();
            if rest.starts_with("/>") {
                self.pos += 2;
                return Ok((element, name, true));
            }
            if rest.starts_with('>') {
                self.pos += 1;
                return Ok((element, name, false));
            }
            if rest.is_empty() {
                return fail(format!("unterminated start tag {name}"));
            }
            let attribute = self.name()?;
            self.skip_whitespace();
            if !self.rest().starts_with('=') {
                return fail(format!("attribute {attribute} has no value"));
            }
            self.pos += 1;
            self.skip_whitespace();
            let quote = match self.rest().chars().next() {
                Some(q @ ('"' | '\'')) => q,
                _ => return fail(format!("attribute {attribute} value is not quoted")),
            };
            self.pos += 1;
            let raw = self.skip_past(if quote == '"' { "\"" } else { "'" }, "attribute value")?;
            if raw.contains('<') {
                return fail(format!("attribute {attribute} contains '<'"));
            }
            let mut value = String::with_capacity(raw.len());
            unescape_into(&mut value, raw)?;
            if element.attributes.iter().any(|(k, _)| k == attribute) {
                return fail(format!("attribute {attribute} is repeated"));
            }
            element.attributes.push((attribute.to_owned(), value));
        }
    }
}

fn local_name(name: &str) -> &str {
    name.rsplit_once(':').map_or(name, |(_, local)| local)
}

fn unescape_into(out: &mut String, raw: &str) -> Result<(), XmlError> {
    let mut rest = raw;
    while let Some(at) = rest.find('&') {
        out.push_str(&rest[..at]);
        let after = &rest[at + 1..];
        let end = after.find(';').filter(|&e| e <= 12).ok_or_else(|| XmlError("unterminated entity reference".into()))?;
        let entity = &after[..end];
        let decoded = match entity {
            "lt" => '<',
            "gt" => '>',
            "amp" => '&',
            "quot" => '"',
            "apos" => '\'',
            _ => {
                let code = if let Some(hex) = entity.strip_prefix("#x").or_else(|| entity.strip_prefix("#X")) {
                    u32::from_str_radix(hex, 16).ok()
                } else if let Some(decimal) = entity.strip_prefix('#') {
                    decimal.parse::<u32>().ok()
                } else {
                    return fail(format!("undefined entity &{entity};"));
                };
                code.filter(|&c| c != 0).and_then(char::from_u32).ok_or_else(|| XmlError(format!("invalid character reference &{entity};")))?
            }
        };
        out.push(decoded);
        rest = &after[end + 1..];
    }
    out.push_str(rest);
    Ok(())
}

/// How a protocol names what the model leaves unnamed: the children of a wrapped list
/// (`member` for query and restXml, `item` for EC2).
#[derive(Debug, Clone, Copy)]
pub struct XmlNaming {
    pub list_member: &'static str,
}

pub const QUERY_NAMING: XmlNaming = XmlNaming { list_member: "member" };
pub const EC2_NAMING: XmlNaming = XmlNaming { list_member: "item" };

/// The namespace declaration for an element: `xmlns` or `xmlns:prefix`, and the URI.
pub fn namespace_attribute(namespace: &XmlNamespace) -> Option<(String, &str)> {
    let uri = namespace.uri.as_deref()?;
    let name = match namespace.prefix.as_deref() {
        Some(prefix) => format!("xmlns:{prefix}"),
        None => "xmlns".to_owned(),
    };
    Some((name, uri))
}

/// True when a response carries `member` outside its body. Only headers and the status code
/// can: a `uri` or `querystring` binding means nothing in a response, so such a member of a
/// structure shared by input and output travels in the body.
pub fn is_response_bound(member: &ShapeRef) -> bool {
    matches!(member.location, Some(Location::Header | Location::Headers | Location::StatusCode))
}

/// Writes the members of `shape` that belong in a response body (not bound to headers or the
/// status code, not attributes) as child elements, from the canonical `value`.
pub fn write_members(w: &mut XmlWriter, model: &ServiceModel, shape: &Shape, value: &Value, naming: XmlNaming) {
    let Some(object) = value.as_object() else { return };
    for (name, member) in &shape.members {
        if is_response_bound(member) || member.xml_attribute {
            continue;
        }
        if let Some(member_value) = object.get(name).filter(|v| !v.is_null()) {
            let element = member.location_name.as_deref().unwrap_or(name);
            write_element(w, model, element, member, member_value, naming);
        }
    }
}

/// Writes one element named `name` for a value of `member`'s shape. A flattened list or map
/// writes one element per item instead of a wrapper.
pub fn write_element(w: &mut XmlWriter, model: &ServiceModel, name: &str, member: &ShapeRef, value: &Value, naming: XmlNaming) {
    let shape = model.shape(&member.shape);
    let flattened = member.flattened || shape.flattened;
    match shape.kind {
        ShapeType::List if flattened => {
            let Some(item_ref) = shape.member.as_deref() else { return };
            let namespace = item_ref.xml_namespace.as_ref().or(member.xml_namespace.as_ref());
            for item in value.as_array().into_iter().flatten().filter(|v| !v.is_null()) {
                write_node(w, model, name, item_ref, namespace, item, naming);
            }
        }
        ShapeType::Map if flattened => {
            for (key, entry_value) in value.as_object().into_iter().flatten().filter(|(_, v)| !v.is_null()) {
                open_element(w, name, member.xml_namespace.as_ref());
                write_entry(w, model, shape, key, entry_value, naming);
                w.close(name);
            }
        }
        _ => write_node(w, model, name, member, member.xml_namespace.as_ref(), value, naming),
    }
}

/// Writes `<name ...>content</name>`: a structure's attributes and members, a wrapped list's
/// items, a map's entries, or a scalar's text.
fn write_node(
    w: &mut XmlWriter,
    model: &ServiceModel,
    name: &str,
    member: &ShapeRef,
    namespace: Option<&XmlNamespace>,
    value: &Value,
    naming: XmlNaming,
) {
    let shape = model.shape(&member.shape);
    w.start_open(name);
    if let Some((attribute, uri)) = namespace.and_then(namespace_attribute) {
        w.attribute(&attribute, uri);
    }
    if shape.kind == ShapeType::Structure {
        write_attributes(w, model, shape, value);
    }
    w.end_open();
    match shape.kind {
        ShapeType::Structure => write_members(w, model, shape, value, naming),
        ShapeType::List => {
            if let Some(item_ref) = shape.member.as_deref() {
                let item_name = item_ref.location_name.as_deref().unwrap_or(naming.list_member);
                for item in value.as_array().into_iter().flatten().filter(|v| !v.is_null()) {
                    write_element(w, model, item_name, item_ref, item, naming);
                }
            }
        }
        ShapeType::Map => {
            for (key, entry_value) in value.as_object().into_iter().flatten().filter(|(_, v)| !v.is_null()) {
                w.open("entry");
                write_entry(w, model, shape, key, entry_value, naming);
                w.close("entry");
            }
        }
        _ => write_scalar(w, member, shape, value),
    }
    w.close(name);
}

fn write_entry(w: &mut XmlWriter, model: &ServiceModel, map: &Shape, key: &str, value: &Value, naming: XmlNaming) {
    let (Some(key_ref), Some(value_ref)) = (map.key.as_deref(), map.value.as_deref()) else { return };
    let key_value = Value::String(key.to_owned());
    write_element(w, model, key_ref.location_name.as_deref().unwrap_or("key"), key_ref, &key_value, naming);
    write_element(w, model, value_ref.location_name.as_deref().unwrap_or("value"), value_ref, value, naming);
}

/// Writes the members of `shape` modeled as XML attributes into an open start tag.
pub fn write_attributes(w: &mut XmlWriter, model: &ServiceModel, shape: &Shape, value: &Value) {
    let Some(object) = value.as_object() else { return };
    for (name, member) in shape.members.iter().filter(|(_, m)| m.xml_attribute) {
        if let Some(member_value) = object.get(name).filter(|v| !v.is_null()) {
            let mut text = String::new();
            scalar_text(&mut text, member, model.shape(&member.shape), member_value);
            w.attribute(member.location_name.as_deref().unwrap_or(name), &text);
        }
    }
}

fn open_element(w: &mut XmlWriter, name: &str, namespace: Option<&XmlNamespace>) {
    w.start_open(name);
    if let Some((attribute, uri)) = namespace.and_then(namespace_attribute) {
        w.attribute(&attribute, uri);
    }
    w.end_open();
}

fn write_scalar(w: &mut XmlWriter, member: &ShapeRef, shape: &Shape, value: &Value) {
    match value {
        Value::String(text) if shape.kind != ShapeType::Timestamp => w.text(text),
        _ => {
            let mut text = String::new();
            scalar_text(&mut text, member, shape, value);
            w.text(&text);
        }
    }
}

/// The timestamp format a member is written in within an XML body: the member's, else its
/// shape's, else ISO 8601.
pub fn timestamp_format(member: &ShapeRef, shape: &Shape) -> TimestampFormat {
    member.timestamp_format.or(shape.timestamp_format).unwrap_or(TimestampFormat::Iso8601)
}

/// The text of a scalar canonical value as XML bodies carry it.
pub fn scalar_text(out: &mut String, member: &ShapeRef, shape: &Shape, value: &Value) {
    match (shape.kind, value) {
        (ShapeType::Timestamp, Value::Number(n)) => {
            let seconds = n.as_f64().unwrap_or_default();
            match timestamp_format(member, shape) {
                TimestampFormat::Iso8601 => out.push_str(&timestamp::format_iso8601(seconds)),
                TimestampFormat::Rfc822 => out.push_str(&timestamp::format_http_date(seconds)),
                TimestampFormat::UnixTimestamp => out.push_str(&n.to_string()),
            }
        }
        (_, Value::String(text)) => out.push_str(text),
        (_, Value::Bool(b)) => out.push_str(if *b { "true" } else { "false" }),
        (_, Value::Number(n)) => out.push_str(&n.to_string()),
        _ => {}
    }
}

/// Reading canonical values out of XML failed: what and where, for the protocol's error.
pub type ReadError = String;

/// Reads the body members of `shape` from `element` (its attributes and children).
pub fn read_structure(model: &ServiceModel, shape: &Shape, element: &Element) -> Result<Map<String, Value>, ReadError> {
    let mut out = Map::new();
    for (name, member) in &shape.members {
        if member.location.is_some() {
            continue;
        }
        let element_name = member.location_name.as_deref().unwrap_or(name);
        if member.xml_attribute {
            if let Some(text) = element.attribute(element_name) {
                out.insert(name.clone(), read_scalar(model.shape(&member.shape), member, text, element_name)?);
            }
            continue;
        }
        if let Some(value) = read_member(model, member, element, element_name)? {
            out.insert(name.clone(), value);
        }
    }
    Ok(out)
}

/// Reads one member named `name` from the children of `parent`; `None` when absent.
pub fn read_member(model: &ServiceModel, member: &ShapeRef, parent: &Element, name: &str) -> Result<Option<Value>, ReadError> {
    let shape = model.shape(&member.shape);
    let flattened = member.flattened || shape.flattened;
    match shape.kind {
        ShapeType::List if flattened => {
            let Some(item_ref) = shape.member.as_deref() else { return Ok(None) };
            let items: Vec<&Element> = parent.children_named(name).collect();
            if items.is_empty() {
                return Ok(None);
            }
            items.into_iter().map(|item| read_value(model, item_ref, item)).collect::<Result<Vec<_>, _>>().map(|v| Some(Value::Array(v)))
        }
        ShapeType::Map if flattened => {
            let entries: Vec<&Element> = parent.children_named(name).collect();
            if entries.is_empty() {
                return Ok(None);
            }
            read_entries(model, shape, &entries).map(Some)
        }
        _ => match parent.child(name) {
            Some(child) => read_value(model, member, child).map(Some),
            None => Ok(None),
        },
    }
}

/// Reads the canonical value of `member`'s shape from `element` itself.
pub fn read_value(model: &ServiceModel, member: &ShapeRef, element: &Element) -> Result<Value, ReadError> {
    let shape = model.shape(&member.shape);
    match shape.kind {
        ShapeType::Structure => read_structure(model, shape, element).map(Value::Object),
        ShapeType::List => {
            let Some(item_ref) = shape.member.as_deref() else { return Ok(Value::Array(vec![])) };
            element.children.iter().map(|item| read_value(model, item_ref, item)).collect::<Result<Vec<_>, _>>().map(Value::Array)
        }
        ShapeType::Map => {
            let entries: Vec<&Element> = element.children.iter().collect();
            read_entries(model, shape, &entries)
        }
        _ => read_scalar(shape, member, &element.text, &element.name),
    }
}

fn read_entries(model: &ServiceModel, shape: &Shape, entries: &[&Element]) -> Result<Value, ReadError> {
    let (Some(key_ref), Some(value_ref)) = (shape.key.as_deref(), shape.value.as_deref()) else { return Ok(Value::Object(Map::new())) };
    let key_name = key_ref.location_name.as_deref().unwrap_or("key");
    let value_name = value_ref.location_name.as_deref().unwrap_or("value");
    let mut out = Map::new();
    for entry in entries {
        let key = entry.child(key_name).ok_or_else(|| format!("a map entry in {} has no {key_name}", entry.name))?;
        let value = match entry.child(value_name) {
            Some(v) => read_value(model, value_ref, v)?,
            None => continue,
        };
        out.insert(key.text.clone(), value);
    }
    Ok(Value::Object(out))
}

/// Converts the text of a scalar into its canonical value; `at` names it in errors.
pub fn read_scalar(shape: &Shape, member: &ShapeRef, text: &str, at: &str) -> Result<Value, ReadError> {
    let invalid = |expected: &str| format!("value '{text}' for {at} is not {expected}");
    Ok(match shape.kind {
        ShapeType::Boolean => match text.trim() {
            "true" => Value::Bool(true),
            "false" => Value::Bool(false),
            _ => return Err(invalid("a boolean")),
        },
        ShapeType::Integer | ShapeType::Long | ShapeType::Short | ShapeType::Byte | ShapeType::Bigint => {
            Value::Number(text.trim().parse::<i64>().map_err(|_| invalid("an integer"))?.into())
        }
        ShapeType::Float | ShapeType::Double | ShapeType::Bigdecimal => float_value(text.trim()).ok_or_else(|| invalid("a number"))?,
        ShapeType::Timestamp => {
            let text = text.trim();
            let seconds = match timestamp_format(member, shape) {
                TimestampFormat::UnixTimestamp => text.parse::<f64>().ok().filter(|n| n.is_finite()),
                _ => timestamp::parse_any(text),
            };
            epoch_value(seconds.ok_or_else(|| invalid("a timestamp"))?)
        }
        ShapeType::Blob => {
            let compact: String = text.chars().filter(|c| !c.is_whitespace()).collect();
            base64::engine::general_purpose::STANDARD.decode(&compact).map_err(|_| invalid("base64"))?;
            Value::String(compact)
        }
        _ => Value::String(text.to_owned()),
    })
}

/// A float in canonical form: a JSON number, or the strings `NaN`, `Infinity`, `-Infinity`
/// that JSON cannot hold as numbers.
pub fn float_value(text: &str) -> Option<Value> {
    match text {
        "NaN" | "Infinity" | "-Infinity" => Some(Value::String(text.to_owned())),
        _ => text.parse::<f64>().ok().filter(|n| n.is_finite()).and_then(Number::from_f64).map(Value::Number),
    }
}

/// Epoch seconds as a canonical JSON number: an integer when whole.
pub fn epoch_value(seconds: f64) -> Value {
    if seconds.fract() == 0.0 && seconds.abs() < 9.0e15 {
        Value::Number((seconds as i64).into())
    } else {
        Number::from_f64(seconds).map_or(Value::Null, Value::Number)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_escapes_markup_characters() {
        let mut w = XmlWriter::default();
        w.leaf("a", "<b> & \"c\"\r");
        assert_eq!(w.into_string(), "<a>&lt;b&gt; &amp; \"c\"&#13;</a>");
    }

    #[test]
    fn attributes_escape_quotes_and_whitespace() {
        let mut w = XmlWriter::default();
        w.start_open("a");
        w.attribute("x", "\"1\"\n\t<&");
        w.end_open();
        w.close("a");
        assert_eq!(w.into_string(), "<a x=\"&quot;1&quot;&#10;&#9;&lt;&amp;\"></a>");
    }

    #[test]
    fn reader_drops_prefixes_and_keeps_attributes() {
        let root = parse(br#"<?xml version="1.0"?><s:Root xmlns:s="urn:x" a='1'><s:Child>v</s:Child><Empty/></s:Root>"#).unwrap();
        assert_eq!(root.name, "Root");
        assert_eq!(root.attribute("a"), Some("1"));
        assert_eq!(root.attribute("xmlns:s"), Some("urn:x"));
        assert_eq!(root.child("Child").unwrap().text, "v");
        assert_eq!(root.child("Empty").unwrap().text, "");
    }

    #[test]
    fn reader_decodes_predefined_entities_and_character_references() {
        let root = parse(b"<a>&lt;&gt;&amp;&quot;&apos;&#65;&#x1F639;<![CDATA[<raw&>]]></a>").unwrap();
        assert_eq!(root.text, "<>&\"'A\u{1F639}<raw&>");
    }

    #[test]
    fn billion_laughs_is_refused() {
        let doc = br#"<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;">]><lolz>&lol2;</lolz>"#;
        assert!(parse(doc).unwrap_err().0.contains("document type"));
    }

    #[test]
    fn undefined_entities_are_refused() {
        assert!(parse(b"<a>&lol;</a>").is_err());
        assert!(parse(b"<a>&#0;</a>").is_err());
        assert!(parse(b"<a>&#xD800;</a>").is_err());
    }

    #[test]
    fn deep_nesting_is_refused_without_overflowing_the_stack() {
        let depth = 100_000;
        let doc = format!("{}{}", "<a>".repeat(depth), "</a>".repeat(depth));
        assert!(parse(doc.as_bytes()).unwrap_err().0.contains("deeper"));
        let ok = format!("{}{}", "<a>".repeat(MAX_DEPTH), "</a>".repeat(MAX_DEPTH));
        assert!(parse(ok.as_bytes()).is_ok());
    }

    #[test]
    fn unterminated_and_mismatched_documents_are_refused() {
        for doc in [&b"<a><b></b>"[..], b"<a></b>", b"<a", b"<a x=\"1></a>", b"", b"text", b"<a/><b/>", b"<a>&amp</a>", b"\xff"] {
            assert!(parse(doc).is_err(), "{:?}", String::from_utf8_lossy(doc));
        }
    }

    #[test]
    fn epoch_values_are_integers_when_whole() {
        assert_eq!(epoch_value(1576540098.0), Value::from(1576540098));
        assert_eq!(epoch_value(946845296.123), serde_json::json!(946845296.123));
    }
}
