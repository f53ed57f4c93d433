//! awsQuery: form-encoded `Action=...&Version=...` requests, XML responses wrapped in
//! `<OpResponse><OpResult>`. IAM, STS, SNS, ELBv2 and CloudWatch speak it; ec2Query reuses the
//! form decoding with EC2's naming rules.

use std::collections::BTreeMap;

use serde_json::{Map, Value};

use super::{
    xml::{self, XmlNaming, XmlWriter},
    HttpRequest, HttpResponse,
};
use crate::{
    error::ApiError,
    model::{Operation, ServiceModel, Shape, ShapeRef, ShapeType},
};

/// Which protocol's rules name the form parameters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FormDialect {
    /// `locationName` else the member name; lists `Name.member.N` unless flattened.
    Query,
    /// `queryName`, else the capitalized `locationName` or member name; lists always `Name.N`.
    Ec2,
}

impl FormDialect {
    fn invalid_value_code(self) -> &'static str {
        match self {
            FormDialect::Query => "ValidationError",
            FormDialect::Ec2 => "InvalidParameterValue",
        }
    }
}

/// Decodes an awsQuery request into the operation's canonical input.
pub fn decode_request(model: &ServiceModel, operation: &Operation, request: &HttpRequest<'_>) -> Result<Value, ApiError> {
    decode_form(model, operation, request, FormDialect::Query)
}

/// Decodes the form parameters of a query-family request (query string, and a form-encoded
/// body) into the canonical input of `operation`, naming parameters by `dialect`.
pub fn decode_form(model: &ServiceModel, operation: &Operation, request: &HttpRequest<'_>, dialect: FormDialect) -> Result<Value, ApiError> {
    let params = form_params(request)?;
    let Some(input) = &operation.input else { return Ok(Value::Object(Map::new())) };
    let reader = FormReader { model, params: &params, dialect };
    reader.structure(model.shape(&input.shape), "").map(Value::Object)
}

fn malformed(message: impl Into<String>) -> ApiError {
    ApiError::new("MalformedQueryString", 400, message)
}

/// The query string's parameters, then the body's when it is a form (a body parameter
/// wins over a query-string one of the same name).
fn form_params(request: &HttpRequest<'_>) -> Result<BTreeMap<String, String>, ApiError> {
    let mut params = BTreeMap::new();
    parse_form_into(&mut params, request.query.as_bytes())?;
    let content_type = request.headers.get(http::header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("");
    let is_form = content_type.is_empty() || content_type.to_ascii_lowercase().starts_with("application/x-www-form-urlencoded");
    if is_form && !request.body.is_empty() {
        parse_form_into(&mut params, request.body)?;
    }
    Ok(params)
}

fn parse_form_into(params: &mut BTreeMap<String, String>, form: &[u8]) -> Result<(), ApiError> {
    for pair in form.split(|&b| b == b'&').filter(|p| !p.is_empty()) {
        let (name, value) = match pair.iter().position(|&b| b == b'=') {
            Some(at) => (&pair[..at], &pair[at + 1..]),
            None => (pair, &b""[..]),
        };
        params.insert(percent_decode(name)?, percent_decode(value)?);
    }
    Ok(())
}

fn percent_decode(raw: &[u8]) -> Result<String, ApiError> {
    let mut bytes = Vec::with_capacity(raw.len());
    let mut i = 0;
    while i < raw.len() {
        match raw[i] {
            b'+' => bytes.push(b' '),
            b'%' => {
                let hex = raw.get(i + 1..i + 3).and_then(|h| std::str::from_utf8(h).ok()).and_then(|h| u8::from_str_radix(h, 16).ok());
                bytes.push(hex.ok_or_else(|| malformed("The query string contains an invalid percent-encoding"))?);
                i += 2;
            }
            b => bytes.push(b),
        }
        i += 1;
    }
    String::from_utf8(bytes).map_err(|_| malformed("The query string is not valid UTF-8 once decoded"))
}

struct FormReader<'a> {
    model: &'a ServiceModel,
    params: &'a BTreeMap<String, String>,
    dialect: FormDialect,
}

fn join(prefix: &str, name: &str) -> String {
    if prefix.is_empty() {
        name.to_owned()
    } else {
        format!("{prefix}.{name}")
    }
}

fn capitalized(name: &str) -> String {
    let mut chars = name.chars();
    chars.next().map_or_else(String::new, |first| first.to_uppercase().chain(chars).collect())
}

impl FormReader<'_> {
    fn member_name(&self, member: &ShapeRef, name: &str) -> String {
        match self.dialect {
            FormDialect::Query => member.location_name.as_deref().unwrap_or(name).to_owned(),
            FormDialect::Ec2 => match &member.query_name {
                Some(query_name) => query_name.clone(),
                None => capitalized(member.location_name.as_deref().unwrap_or(name)),
            },
        }
    }

    /// Parameters under `prefix.` exist.
    fn has_children(&self, prefix: &str) -> bool {
        let start = format!("{prefix}.");
        self.params.range(start.clone()..).next().is_some_and(|(k, _)| k.starts_with(&start))
    }

    /// The sorted, distinct `N` of every `prefix.N` and `prefix.N.*` parameter.
    fn indices(&self, prefix: &str) -> Result<Vec<u32>, ApiError> {
        let start = format!("{prefix}.");
        let mut indices = Vec::new();
        for (key, _) in self.params.range(start.clone()..).take_while(|(k, _)| k.starts_with(&start)) {
            let segment = key[start.len()..].split('.').next().unwrap_or("");
            match segment.parse::<u32>() {
                Ok(n) if n > 0 && !segment.starts_with('+') => indices.push(n),
                _ => return Err(malformed(format!("Parameter {key} has an invalid list index '{segment}'"))),
            }
        }
        indices.sort_unstable();
        indices.dedup();
        Ok(indices)
    }

    fn structure(&self, shape: &Shape, prefix: &str) -> Result<Map<String, Value>, ApiError> {
        let mut out = Map::new();
        for (name, member) in &shape.members {
            let key = join(prefix, &self.member_name(member, name));
            if let Some(value) = self.value(member, &key)? {
                out.insert(name.clone(), value);
            }
        }
        Ok(out)
    }

    fn value(&self, member: &ShapeRef, key: &str) -> Result<Option<Value>, ApiError> {
        let shape = self.model.shape(&member.shape);
        match shape.kind {
            ShapeType::Structure => {
                if self.has_children(key) {
                    self.structure(shape, key).map(|m| Some(Value::Object(m)))
                } else {
                    Ok(None)
                }
            }
            ShapeType::List => self.list(member, shape, key),
            ShapeType::Map => self.map(member, shape, key),
            _ => match self.params.get(key) {
                Some(text) => xml::read_scalar(shape, member, text, key)
                    .map(Some)
                    .map_err(|message| ApiError::new(self.dialect.invalid_value_code(), 400, message)),
                None => Ok(None),
            },
        }
    }

    /// `key=` with nothing under it is how query clients send an empty list or map.
    fn explicitly_empty(&self, key: &str) -> bool {
        self.params.get(key).is_some_and(|v| v.is_empty())
    }

    fn list(&self, member: &ShapeRef, shape: &Shape, key: &str) -> Result<Option<Value>, ApiError> {
        let Some(item_ref) = shape.member.as_deref() else { return Ok(None) };
        let item_prefix = match self.dialect {
            FormDialect::Ec2 => key.to_owned(),
            FormDialect::Query if member.flattened || shape.flattened => key.to_owned(),
            FormDialect::Query => format!("{key}.{}", item_ref.location_name.as_deref().unwrap_or("member")),
        };
        let indices = self.indices(&item_prefix)?;
        if indices.is_empty() {
            return Ok(self.explicitly_empty(key).then(|| Value::Array(vec![])));
        }
        let mut items = Vec::with_capacity(indices.len());
        for index in indices {
            if let Some(item) = self.value(item_ref, &format!("{item_prefix}.{index}"))? {
                items.push(item);
            }
        }
        Ok(Some(Value::Array(items)))
    }

    fn map(&self, member: &ShapeRef, shape: &Shape, key: &str) -> Result<Option<Value>, ApiError> {
        let (Some(key_ref), Some(value_ref)) = (shape.key.as_deref(), shape.value.as_deref()) else { return Ok(None) };
        let entry_prefix = if member.flattened || shape.flattened { key.to_owned() } else { format!("{key}.entry") };
        let indices = self.indices(&entry_prefix)?;
        if indices.is_empty() {
            return Ok(self.explicitly_empty(key).then(|| Value::Object(Map::new())));
        }
        let key_name = self.member_name_or(key_ref, "key");
        let value_name = self.member_name_or(value_ref, "value");
        let mut entries = Map::new();
        for index in indices {
            let entry = format!("{entry_prefix}.{index}");
            let entry_key = self
                .params
                .get(&format!("{entry}.{key_name}"))
                .ok_or_else(|| ApiError::new(self.dialect.invalid_value_code(), 400, format!("Map entry {entry} has no {key_name}")))?;
            if let Some(entry_value) = self.value(value_ref, &format!("{entry}.{value_name}"))? {
                entries.insert(entry_key.clone(), entry_value);
            }
        }
        Ok(Some(Value::Object(entries)))
    }

    fn member_name_or(&self, member: &ShapeRef, default: &str) -> String {
        if member.location_name.is_some() || member.query_name.is_some() {
            self.member_name(member, default)
        } else {
            default.to_owned()
        }
    }
}

/// The namespace of a query service's responses: the model's `xmlNamespace`, else the form
/// AWS uses (`https://{endpointPrefix}.amazonaws.com/doc/{apiVersion}/`).
pub fn response_namespace(model: &ServiceModel) -> std::borrow::Cow<'_, str> {
    match &model.metadata.xml_namespace {
        Some(namespace) => namespace.as_str().into(),
        None => format!("https://{}.amazonaws.com/doc/{}/", model.metadata.endpoint_prefix, model.metadata.api_version).into(),
    }
}

/// Encodes `<OpResponse xmlns><OpResult>members</OpResult><ResponseMetadata>...`.
pub fn encode_response(model: &ServiceModel, operation: &Operation, output: &Value, request_id: &str) -> HttpResponse {
    let mut w = XmlWriter::with_capacity(512);
    w.start_open_suffixed(&operation.name, "Response");
    w.attribute("xmlns", &response_namespace(model));
    w.end_open();
    if let Some(output_ref) = &operation.output {
        let (wrapper, suffix) = match &output_ref.result_wrapper {
            Some(wrapper) => (wrapper.as_str(), ""),
            None => (operation.name.as_str(), "Result"),
        };
        w.start_open_suffixed(wrapper, suffix);
        w.end_open();
        xml::write_members(&mut w, model, model.shape(&output_ref.shape), output, xml::QUERY_NAMING);
        w.close_suffixed(wrapper, suffix);
    }
    w.open("ResponseMetadata");
    w.leaf("RequestId", request_id);
    w.close("ResponseMetadata");
    w.close_suffixed(&operation.name, "Response");
    xml_response(200, "text/xml", w)
}

/// Encodes `<ErrorResponse><Error><Type/><Code/><Message/>fields</Error><RequestId/>`.
pub fn encode_error(model: Option<&ServiceModel>, error: &ApiError, request_id: &str) -> HttpResponse {
    let mut w = XmlWriter::with_capacity(256);
    w.start_open("ErrorResponse");
    if let Some(model) = model {
        w.attribute("xmlns", &response_namespace(model));
    }
    w.end_open();
    w.open("Error");
    w.leaf("Type", if error.sender_fault { "Sender" } else { "Receiver" });
    write_error_body(&mut w, model, error, xml::QUERY_NAMING);
    w.close("Error");
    w.leaf("RequestId", request_id);
    w.close("ErrorResponse");
    xml_response(error.status, "text/xml", w)
}

/// Writes `<Code>`, `<Message>` (when there is one) and the modeled error's extra members,
/// shaped by the error structure when the model defines it.
pub(crate) fn write_error_body(w: &mut XmlWriter, model: Option<&ServiceModel>, error: &ApiError, naming: XmlNaming) {
    w.leaf("Code", &error.code);
    if !error.message.is_empty() {
        w.leaf("Message", &error.message);
    }
    if error.fields.is_empty() {
        return;
    }
    let fields: Map<String, Value> = error.fields.iter().filter(|(k, _)| !k.eq_ignore_ascii_case("message")).map(|(k, v)| (k.clone(), v.clone())).collect();
    match model.and_then(|m| error_shape(m, &error.code).map(|shape| (m, shape))) {
        Some((model, shape)) => xml::write_members(w, model, shape, &Value::Object(fields), naming),
        None => {
            for (name, value) in &fields {
                match value {
                    Value::String(text) => w.leaf(name, text),
                    Value::Number(n) => w.leaf(name, &n.to_string()),
                    Value::Bool(b) => w.leaf(name, if *b { "true" } else { "false" }),
                    _ => {}
                }
            }
        }
    }
}

/// The modeled exception whose code (its `error.code`, else its shape name) is `code`.
pub(crate) fn error_shape<'m>(model: &'m ServiceModel, code: &str) -> Option<&'m Shape> {
    model.shapes.iter().find_map(|(name, shape)| {
        let shape_code = shape.error.as_ref().and_then(|e| e.code.as_deref()).unwrap_or(name);
        (shape.exception && shape_code == code).then_some(shape)
    })
}

pub(crate) fn xml_response(status: u16, content_type: &str, w: XmlWriter) -> HttpResponse {
    HttpResponse { status, headers: vec![("Content-Type".to_owned(), content_type.to_owned())], body: w.into_string().into_bytes() }
}
