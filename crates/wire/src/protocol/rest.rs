//! HTTP bindings shared by restJson1 and restXml: finding the operation from method and URI
//! template, and binding members to the path, query string, headers and status code.
//!
//! Nothing is precomputed: matching walks each operation's template against the already split
//! request path without allocating, which for the few hundred operations of the largest model
//! costs microseconds and needs no cache to invalidate.

use std::{borrow::Cow, cmp::Reverse};

use base64::Engine;
use http::HeaderMap;
use serde_json::{Map, Number, Value};

use super::{HttpRequest, HttpResponse};
use crate::{
    error::ApiError,
    model::{Location, Operation, ServiceModel, Shape, ShapeRef, ShapeType, TimestampFormat},
    timestamp,
};

/// The operation whose HTTP method and request URI template (`/keys/{KeyId}`, greedy
/// `{Key+}`, literal query parts such as `?tagging`) match the request; the most specific
/// template wins when several match.
pub fn find_operation<'m>(model: &'m ServiceModel, method: &str, path: &str, query: &str) -> Option<&'m Operation> {
    best_operation(model, method, path, query, None)
}

/// Like [`find_operation`], and where several operations share one template (S3's `PutObject`,
/// `UploadPart`, `CopyObject`) prefers the one whose required query and header members the
/// request carries.
pub fn find_operation_for_request<'m>(model: &'m ServiceModel, request: &HttpRequest<'_>) -> Option<&'m Operation> {
    best_operation(model, request.method, request.path, request.query, Some(request.headers))
}

/// How specific a matching template is; compared field by field, the greatest wins.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
struct Specificity {
    literal_segments: usize,
    query_literals: usize,
    without_greedy_label: bool,
    literal_chars: usize,
    required_bindings_present: usize,
    required_bindings_missing: Reverse<usize>,
    /// A deprecated operation yields its URI to the one that replaced it.
    current: bool,
}

fn best_operation<'m>(
    model: &'m ServiceModel,
    method: &str,
    path: &str,
    query: &str,
    headers: Option<&HeaderMap>,
) -> Option<&'m Operation> {
    let segments = path_segments(path);
    let params = query_pairs(query);
    let mut best: Option<(Specificity, &Operation)> = None;
    for operation in model.operations.values() {
        if !operation.http.method.eq_ignore_ascii_case(method) {
            continue;
        }
        let (path_template, query_template) = split_template(&operation.http.request_uri);
        let Some(path_match) = match_path(path_template, path, &segments, |_, _| {}) else { continue };
        let Some(query_literals) = match_query_literals(query_template, &params) else { continue };
        let (required_bindings_present, missing) = required_bindings(model, operation, &params, headers);
        let specificity = Specificity {
            literal_segments: path_match.literal_segments,
            query_literals,
            without_greedy_label: !path_match.greedy,
            literal_chars: path_match.literal_chars,
            required_bindings_present,
            required_bindings_missing: Reverse(missing),
            current: !operation.deprecated,
        };
        // Ties go to the alphabetically first name so routing never depends on hash order.
        let better = match &best {
            None => true,
            Some((current, chosen)) => specificity > *current || (specificity == *current && operation.name < chosen.name),
        };
        if better {
            best = Some((specificity, operation));
        }
    }
    best.map(|(_, operation)| operation)
}

/// How many required query-string (and, when known, header) members the request carries and
/// lacks. A missing one does not rule the operation out: validation answers for it, naming it.
fn required_bindings(
    model: &ServiceModel,
    operation: &Operation,
    params: &[(Cow<'_, str>, Cow<'_, str>)],
    headers: Option<&HeaderMap>,
) -> (usize, usize) {
    let Some(shape) = operation.input.as_ref().and_then(|input| model.shapes.get(&input.shape)) else { return (0, 0) };
    let (mut present, mut missing) = (0, 0);
    for name in &shape.required {
        let Some(member) = shape.members.get(name) else { continue };
        let wire_name = member.location_name.as_deref().unwrap_or(name);
        let found = match (member.location, headers) {
            (Some(Location::Querystring), _) => params.iter().any(|(k, _)| k == wire_name),
            (Some(Location::Header), Some(headers)) => headers.contains_key(wire_name),
            _ => continue,
        };
        if found {
            present += 1;
        } else {
            missing += 1;
        }
    }
    (present, missing)
}

fn split_template(request_uri: &str) -> (&str, &str) {
    request_uri.split_once('?').unwrap_or((request_uri, ""))
}

/// The path's segments; a trailing slash does not make an extra empty segment.
fn path_segments(path: &str) -> Vec<&str> {
    let trimmed = path.strip_prefix('/').unwrap_or(path);
    let trimmed = trimmed.strip_suffix('/').unwrap_or(trimmed);
    if trimmed.is_empty() {
        Vec::new()
    } else {
        trimmed.split('/').collect()
    }
}

struct PathMatch {
    literal_segments: usize,
    literal_chars: usize,
    greedy: bool,
}

/// Matches `template` against the request path, calling `on_label(name, raw_value)` for each
/// label (a greedy label's value spans several segments, slashes included).
fn match_path<'t, 'p>(
    template: &'t str,
    path: &'p str,
    segments: &[&'p str],
    mut on_label: impl FnMut(&'t str, &'p str),
) -> Option<PathMatch> {
    let template = template.strip_prefix('/').unwrap_or(template);
    let template = template.strip_suffix('/').unwrap_or(template);
    let template_count = if template.is_empty() { 0 } else { template.split('/').count() };
    let mut result = PathMatch { literal_segments: 0, literal_chars: 0, greedy: false };
    let mut index = 0;
    for (position, part) in template.split('/').filter(|_| template_count > 0).enumerate() {
        if let Some(label) = part.strip_prefix('{').and_then(|p| p.strip_suffix('}')) {
            if let Some(name) = label.strip_suffix('+') {
                let after = template_count - position - 1;
                let end = segments.len().checked_sub(after)?;
                if end <= index {
                    return None;
                }
                let first = segments[index];
                let last = segments[end - 1];
                let start_offset = first.as_ptr() as usize - path.as_ptr() as usize;
                let end_offset = last.as_ptr() as usize - path.as_ptr() as usize + last.len();
                on_label(name, &path[start_offset..end_offset]);
                result.greedy = true;
                index = end;
            } else {
                let value = segments.get(index)?;
                if value.is_empty() {
                    return None;
                }
                on_label(label, value);
                index += 1;
            }
        } else {
            let value = segments.get(index)?;
            if *value != part && percent_decode(value, false).as_deref() != Some(part) {
                return None;
            }
            result.literal_segments += 1;
            result.literal_chars += part.len();
            index += 1;
        }
    }
    (index == segments.len()).then_some(result)
}

/// Counts the template's literal query parts (`tagging`, `list-type=2`), or `None` when the
/// request lacks one.
fn match_query_literals(template: &str, params: &[(Cow<'_, str>, Cow<'_, str>)]) -> Option<usize> {
    let mut count = 0;
    for part in template.split('&').filter(|p| !p.is_empty()) {
        let found = match part.split_once('=') {
            Some((key, value)) => params.iter().any(|(k, v)| k == key && v == value),
            None => params.iter().any(|(k, _)| k == part),
        };
        if !found {
            return None;
        }
        count += 1;
    }
    Some(count)
}

/// Percent-decodes `text` (`+` as a space in query strings); `None` for invalid escapes or UTF-8.
pub fn percent_decode(text: &str, plus_as_space: bool) -> Option<Cow<'_, str>> {
    if !text.bytes().any(|b| b == b'%' || (plus_as_space && b == b'+')) {
        return Some(Cow::Borrowed(text));
    }
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'%' => {
                let hex = bytes.get(i + 1..i + 3)?;
                let high = (hex[0] as char).to_digit(16)?;
                let low = (hex[1] as char).to_digit(16)?;
                out.push((high * 16 + low) as u8);
                i += 3;
            }
            b'+' if plus_as_space => {
                out.push(b' ');
                i += 1;
            }
            b => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8(out).ok().map(Cow::Owned)
}

/// The decoded `key=value` pairs of a query string, in order; undecodable pairs are kept raw.
fn query_pairs(query: &str) -> Vec<(Cow<'_, str>, Cow<'_, str>)> {
    query
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|pair| {
            let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
            let decode = |s| percent_decode(s, true).unwrap_or(Cow::Borrowed(s));
            (decode(key), decode(value))
        })
        .collect()
}

fn serialization_error(message: String) -> ApiError {
    ApiError::new("SerializationException", 400, message)
}

/// Reads the members of `input` bound to the URI, query string and headers into canonical
/// values. Body members are left to the protocol.
pub fn bind_request(
    model: &ServiceModel,
    operation: &Operation,
    input: &Shape,
    request: &HttpRequest<'_>,
) -> Result<Map<String, Value>, ApiError> {
    let mut bound = Map::new();
    let (path_template, _) = split_template(&operation.http.request_uri);
    let segments = path_segments(request.path);
    let mut labels: Vec<(&str, &str)> = Vec::new();
    match_path(path_template, request.path, &segments, |name, value| labels.push((name, value)));
    let params = query_pairs(request.query);

    for (name, member) in &input.members {
        let Some(location) = member.location else { continue };
        let shape = model.shape(&member.shape);
        let wire_name = member.location_name.as_deref().unwrap_or(name);
        let value = match location {
            Location::Uri => {
                let Some((_, raw)) = labels.iter().find(|(label, _)| *label == wire_name) else { continue };
                let text = percent_decode(raw, false)
                    .ok_or_else(|| serialization_error(format!("The URI label '{wire_name}' is not valid percent-encoded UTF-8")))?;
                scalar_from_text(member, shape, &text, Location::Uri, wire_name)?
            }
            Location::Querystring if shape.kind == ShapeType::Map => {
                let value_shape = shape.value.as_deref().map(|v| (v, model.shape(&v.shape)));
                let mut map = Map::new();
                for (key, text) in &params {
                    match value_shape {
                        Some((value_ref, value_shape)) if value_shape.kind == ShapeType::List => {
                            let element_ref = value_shape.member.as_deref().unwrap_or(value_ref);
                            let element = scalar_from_text(element_ref, model.shape(&element_ref.shape), text, location, key)?;
                            let entry = map.entry(key.as_ref()).or_insert_with(|| Value::Array(Vec::new()));
                            if let Value::Array(items) = entry {
                                items.push(element);
                            }
                        }
                        Some((value_ref, value_shape)) if !map.contains_key(key.as_ref()) => {
                            map.insert(key.to_string(), scalar_from_text(value_ref, value_shape, text, location, key)?);
                        }
                        _ => {}
                    }
                }
                if map.is_empty() {
                    continue;
                }
                Value::Object(map)
            }
            Location::Querystring => {
                let mut values = params.iter().filter(|(k, _)| k == wire_name).map(|(_, v)| v.as_ref()).peekable();
                if values.peek().is_none() {
                    continue;
                }
                if shape.kind == ShapeType::List {
                    let element_ref = shape.member.as_deref().expect("list shapes have a member");
                    let element_shape = model.shape(&element_ref.shape);
                    let items = values
                        .map(|text| scalar_from_text(element_ref, element_shape, text, location, wire_name))
                        .collect::<Result<Vec<_>, _>>()?;
                    Value::Array(items)
                } else {
                    let first = values.next().unwrap_or_default();
                    scalar_from_text(member, shape, first, location, wire_name)?
                }
            }
            Location::Header => {
                let mut lines = request.headers.get_all(wire_name).iter().peekable();
                if lines.peek().is_none() {
                    continue;
                }
                let joined = lines.map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned()).collect::<Vec<_>>().join(", ");
                if shape.kind == ShapeType::List {
                    let element_ref = shape.member.as_deref().expect("list shapes have a member");
                    let element_shape = model.shape(&element_ref.shape);
                    let http_dates = element_shape.kind == ShapeType::Timestamp
                        && timestamp_format(element_ref, element_shape).unwrap_or(TimestampFormat::Rfc822) == TimestampFormat::Rfc822;
                    let items = split_header_list(&joined, http_dates)
                        .iter()
                        .map(|text| scalar_from_text(element_ref, element_shape, text, location, wire_name))
                        .collect::<Result<Vec<_>, _>>()?;
                    if items.is_empty() {
                        continue;
                    }
                    Value::Array(items)
                } else {
                    scalar_from_text(member, shape, joined.trim(), location, wire_name)?
                }
            }
            Location::Headers => {
                let value_ref = shape.value.as_deref().expect("map shapes have a value");
                let value_shape = model.shape(&value_ref.shape);
                let prefix = wire_name.to_ascii_lowercase();
                let mut map = Map::new();
                for (header, value) in request.headers {
                    if let Some(key) = header.as_str().strip_prefix(prefix.as_str()) {
                        let text = String::from_utf8_lossy(value.as_bytes());
                        map.insert(key.to_owned(), scalar_from_text(value_ref, value_shape, &text, Location::Header, header.as_str())?);
                    }
                }
                if map.is_empty() {
                    continue;
                }
                Value::Object(map)
            }
            Location::StatusCode => continue,
        };
        bound.insert(name.clone(), value);
    }
    Ok(bound)
}

fn timestamp_format(member: &ShapeRef, shape: &Shape) -> Option<TimestampFormat> {
    member.timestamp_format.or(shape.timestamp_format)
}

/// Splits a comma-separated header list, honouring double-quoted items (`"b,c", "\"def\"", a`).
/// HTTP dates contain a comma of their own, so a list of them is split every second comma.
fn split_header_list(value: &str, http_dates: bool) -> Vec<String> {
    let mut items = Vec::new();
    let mut current = String::new();
    let mut chars = value.chars();
    let mut quoted = false;
    while let Some(c) = chars.next() {
        match c {
            '"' if quoted => quoted = false,
            '"' if current.trim().is_empty() => {
                current.clear();
                quoted = true;
            }
            '\\' if quoted => {
                if let Some(next) = chars.next() {
                    current.push(next);
                }
            }
            ',' if !quoted => items.push(std::mem::take(&mut current)),
            c => current.push(c),
        }
    }
    items.push(current);
    let items: Vec<String> = items.into_iter().map(|item| item.trim().to_owned()).collect();
    if http_dates {
        items.chunks(2).map(|pair| pair.join(", ")).collect()
    } else if items.len() == 1 && items[0].is_empty() {
        Vec::new()
    } else {
        items
    }
}

/// A canonical epoch-seconds value: an integer when whole, so `1576540098` stays exact.
pub(crate) fn epoch_value(seconds: f64) -> Value {
    if seconds.fract() == 0.0 && seconds.abs() < 9.0e15 {
        Value::from(seconds as i64)
    } else {
        Number::from_f64(seconds).map_or(Value::Null, Value::Number)
    }
}

/// A canonical float: JSON has no NaN or infinities, so those travel as the strings AWS uses.
pub(crate) fn float_value(number: f64) -> Value {
    if number.is_nan() {
        Value::from("NaN")
    } else if number.is_infinite() {
        Value::from(if number > 0.0 { "Infinity" } else { "-Infinity" })
    } else {
        Number::from_f64(number).map_or(Value::Null, Value::Number)
    }
}

/// Parses a float as AWS writes it outside JSON numbers, `NaN` and `Infinity` included.
pub(crate) fn parse_float(text: &str) -> Option<f64> {
    match text {
        "NaN" => Some(f64::NAN),
        "Infinity" => Some(f64::INFINITY),
        "-Infinity" => Some(f64::NEG_INFINITY),
        _ => text.parse::<f64>().ok().filter(|n| n.is_finite()),
    }
}

fn parse_timestamp(text: &str, format: TimestampFormat) -> Option<f64> {
    let preferred = match format {
        TimestampFormat::Iso8601 => timestamp::parse_iso8601(text),
        TimestampFormat::Rfc822 => timestamp::parse_http_date(text),
        TimestampFormat::UnixTimestamp => text.trim().parse::<f64>().ok().filter(|n| n.is_finite()),
    };
    preferred.or_else(|| timestamp::parse_any(text))
}

/// Converts the text of a label, query parameter or header into the canonical value of `shape`.
fn scalar_from_text(
    member: &ShapeRef,
    shape: &Shape,
    text: &str,
    location: Location,
    wire_name: &str,
) -> Result<Value, ApiError> {
    let invalid = |expected: &str| {
        let place = match location {
            Location::Uri => "URI label",
            Location::Querystring => "query parameter",
            _ => "header",
        };
        serialization_error(format!("Value '{text}' of {place} '{wire_name}' cannot be converted to {expected}"))
    };
    Ok(match shape.kind {
        ShapeType::String if member.jsonvalue && location == Location::Header => {
            let bytes = base64::engine::general_purpose::STANDARD.decode(text.trim()).map_err(|_| invalid("base64-encoded JSON"))?;
            Value::String(String::from_utf8(bytes).map_err(|_| invalid("base64-encoded JSON"))?)
        }
        ShapeType::String => Value::String(text.to_owned()),
        ShapeType::Integer | ShapeType::Long | ShapeType::Short | ShapeType::Byte | ShapeType::Bigint => {
            Value::from(text.trim().parse::<i64>().map_err(|_| invalid("an integer"))?)
        }
        ShapeType::Float | ShapeType::Double | ShapeType::Bigdecimal => float_value(parse_float(text.trim()).ok_or_else(|| invalid("a number"))?),
        ShapeType::Boolean => match text.trim() {
            "true" => Value::Bool(true),
            "false" => Value::Bool(false),
            _ => return Err(invalid("a boolean")),
        },
        ShapeType::Timestamp => {
            let default = if location == Location::Header { TimestampFormat::Rfc822 } else { TimestampFormat::Iso8601 };
            let format = timestamp_format(member, shape).unwrap_or(default);
            epoch_value(parse_timestamp(text, format).ok_or_else(|| invalid("a timestamp"))?)
        }
        ShapeType::Blob if location == Location::Header => {
            base64::engine::general_purpose::STANDARD.decode(text.trim()).map_err(|_| invalid("base64"))?;
            Value::String(text.trim().to_owned())
        }
        ShapeType::Blob => Value::String(base64::engine::general_purpose::STANDARD.encode(text)),
        ShapeType::List | ShapeType::Map | ShapeType::Structure => return Err(invalid("a scalar")),
    })
}

/// Writes the members of `output` bound to headers and the status code into `response`.
pub fn bind_response(model: &ServiceModel, output_shape: &Shape, output: &Value, response: &mut HttpResponse) {
    let Some(fields) = output.as_object() else { return };
    for (name, member) in &output_shape.members {
        let Some(location) = member.location else { continue };
        let Some(value) = fields.get(name).filter(|v| !v.is_null()) else { continue };
        let shape = model.shape(&member.shape);
        let wire_name = member.location_name.as_deref().unwrap_or(name);
        match location {
            Location::Header => {
                let text = if shape.kind == ShapeType::List {
                    let element_ref = shape.member.as_deref().expect("list shapes have a member");
                    let element_shape = model.shape(&element_ref.shape);
                    let Some(items) = value.as_array() else { continue };
                    items
                        .iter()
                        .map(|item| {
                            let text = header_text(element_ref, element_shape, item);
                            let needs_quotes = element_shape.kind == ShapeType::String && text.contains([',', '"']);
                            if needs_quotes {
                                format!("\"{}\"", text.replace('\\', "\\\\").replace('"', "\\\""))
                            } else {
                                text
                            }
                        })
                        .collect::<Vec<_>>()
                        .join(", ")
                } else {
                    header_text(member, shape, value)
                };
                response.headers.push((wire_name.to_owned(), text));
            }
            Location::Headers => {
                let Some(map) = value.as_object() else { continue };
                let value_ref = shape.value.as_deref().expect("map shapes have a value");
                let value_shape = model.shape(&value_ref.shape);
                for (key, item) in map {
                    response.headers.push((format!("{wire_name}{key}"), header_text(value_ref, value_shape, item)));
                }
            }
            Location::StatusCode => {
                if let Some(status) = value.as_u64().and_then(|s| u16::try_from(s).ok()) {
                    response.status = status;
                }
            }
            Location::Uri | Location::Querystring => {}
        }
    }
}

/// The header text of a canonical scalar: timestamps as HTTP dates unless the model says
/// otherwise, `jsonvalue` strings base64-encoded.
fn header_text(member: &ShapeRef, shape: &Shape, value: &Value) -> String {
    match (shape.kind, value) {
        (ShapeType::String, Value::String(text)) if member.jsonvalue => base64::engine::general_purpose::STANDARD.encode(text),
        (ShapeType::Timestamp, Value::Number(n)) => {
            let seconds = n.as_f64().unwrap_or_default();
            match timestamp_format(member, shape).unwrap_or(TimestampFormat::Rfc822) {
                TimestampFormat::Rfc822 => timestamp::format_http_date(seconds),
                TimestampFormat::Iso8601 => timestamp::format_iso8601(seconds),
                TimestampFormat::UnixTimestamp => n.to_string(),
            }
        }
        (_, Value::String(text)) => text.clone(),
        (_, other) => other.to_string(),
    }
}

/// True when the member is carried outside the body (uri, querystring, header(s), statusCode).
pub fn is_http_bound(member: &ShapeRef) -> bool {
    member.location.is_some()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn model(operations: &[(&str, &str, &str)]) -> ServiceModel {
        let operations: Map<String, Value> = operations
            .iter()
            .map(|(name, method, uri)| {
                (name.to_string(), serde_json::json!({"name": name, "http": {"method": method, "requestUri": uri}}))
            })
            .collect();
        let json = serde_json::json!({
            "metadata": {"apiVersion": "1", "endpointPrefix": "t", "protocol": "rest-json"},
            "operations": operations,
            "shapes": {}
        });
        ServiceModel::parse(json.to_string().as_bytes()).unwrap()
    }

    fn found(model: &ServiceModel, method: &str, path: &str, query: &str) -> Option<String> {
        find_operation(model, method, path, query).map(|o| o.name.clone())
    }

    #[test]
    fn literal_segments_beat_labels() {
        let m = model(&[("GetKey", "GET", "/keys/{KeyId}"), ("ListAliases", "GET", "/keys/aliases")]);
        assert_eq!(found(&m, "GET", "/keys/aliases", "").as_deref(), Some("ListAliases"));
        assert_eq!(found(&m, "GET", "/keys/abc", "").as_deref(), Some("GetKey"));
    }

    #[test]
    fn literal_query_parts_must_be_present_and_win_when_they_are() {
        let m = model(&[("GetBucket", "GET", "/{Bucket}"), ("GetTagging", "GET", "/{Bucket}?tagging"), ("ListV2", "GET", "/{Bucket}?list-type=2")]);
        assert_eq!(found(&m, "GET", "/b", "").as_deref(), Some("GetBucket"));
        assert_eq!(found(&m, "GET", "/b", "tagging").as_deref(), Some("GetTagging"));
        assert_eq!(found(&m, "GET", "/b", "list-type=2&prefix=x").as_deref(), Some("ListV2"));
        assert_eq!(found(&m, "GET", "/b", "list-type=1").as_deref(), Some("GetBucket"));
    }

    #[test]
    fn greedy_labels_span_segments_but_lose_to_exact_templates() {
        let m = model(&[("GetObject", "GET", "/{Bucket}/{Key+}"), ("GetBucket", "GET", "/{Bucket}")]);
        assert_eq!(found(&m, "GET", "/b/a/b/c", "").as_deref(), Some("GetObject"));
        assert_eq!(found(&m, "GET", "/b", "").as_deref(), Some("GetBucket"));
    }

    #[test]
    fn operations_sharing_a_template_are_told_apart_by_their_required_bindings() {
        let json = serde_json::json!({
            "metadata": {"apiVersion": "1", "endpointPrefix": "s3", "protocol": "rest-xml"},
            "operations": {
                "PutObject": {"name": "PutObject", "http": {"method": "PUT", "requestUri": "/{Bucket}/{Key+}"}, "input": {"shape": "PutObjectRequest"}},
                "UploadPart": {"name": "UploadPart", "http": {"method": "PUT", "requestUri": "/{Bucket}/{Key+}"}, "input": {"shape": "UploadPartRequest"}}
            },
            "shapes": {
                "PutObjectRequest": {"type": "structure", "members": {}},
                "UploadPartRequest": {"type": "structure", "required": ["UploadId"], "members": {
                    "UploadId": {"shape": "S", "location": "querystring", "locationName": "uploadId"}
                }},
                "S": {"type": "string"}
            }
        });
        let m = ServiceModel::parse(json.to_string().as_bytes()).unwrap();
        assert_eq!(found(&m, "PUT", "/b/k", "uploadId=1&partNumber=2").as_deref(), Some("UploadPart"));
        assert_eq!(found(&m, "PUT", "/b/k", "").as_deref(), Some("PutObject"));
    }

    #[test]
    fn method_must_match() {
        let m = model(&[("GetKey", "GET", "/keys/{KeyId}")]);
        assert_eq!(found(&m, "DELETE", "/keys/abc", ""), None);
    }

    #[test]
    fn a_trailing_slash_does_not_change_the_match() {
        let m = model(&[("ListKeys", "GET", "/keys")]);
        assert_eq!(found(&m, "GET", "/keys/", "").as_deref(), Some("ListKeys"));
    }

    #[test]
    fn labels_do_not_match_empty_segments() {
        let m = model(&[("GetObject", "GET", "/{Bucket}/{Key+}")]);
        assert_eq!(found(&m, "GET", "/b", ""), None);
    }

    #[test]
    fn header_lists_keep_quoted_commas() {
        assert_eq!(split_header_list(r#""b,c", "\"def\"", a"#, false), vec!["b,c", "\"def\"", "a"]);
        assert_eq!(
            split_header_list("Mon, 16 Dec 2019 23:48:18 GMT, Mon, 16 Dec 2019 23:48:18 GMT", true),
            vec!["Mon, 16 Dec 2019 23:48:18 GMT", "Mon, 16 Dec 2019 23:48:18 GMT"]
        );
    }

    #[test]
    fn percent_decoding_handles_utf8_and_rejects_bad_escapes() {
        assert_eq!(percent_decode("%F0%9F%98%B9", false).as_deref(), Some("😹"));
        assert_eq!(percent_decode("a+b", true).as_deref(), Some("a b"));
        assert_eq!(percent_decode("a+b", false).as_deref(), Some("a+b"));
        assert_eq!(percent_decode("%zz", false), None);
    }
}
