//! The parts of a request a `FieldToMatch` names, with AWS's inspection limits and oversize
//! handling.

use std::borrow::Cow;

use crate::json;
use crate::request::Request;
use crate::statement::{
    FieldToMatch, JsonFallback, MapMatch, MapPattern, MatchScope, OversizeHandling,
};

/// AWS inspects at most this many bytes of headers, and of cookies.
pub(crate) const MAP_INSPECTION_BYTES: usize = 8 * 1024;
/// AWS inspects at most this many headers, and cookies.
pub(crate) const MAP_INSPECTION_ENTRIES: usize = 200;

/// The values to inspect, or an outcome decided without inspecting (oversize or unparsable
/// content, a missing fingerprint).
pub(crate) enum Extracted<'r> {
    Values(Vec<Cow<'r, [u8]>>),
    Decided(bool),
}

fn oversize(handling: OversizeHandling) -> Option<bool> {
    match handling {
        OversizeHandling::Continue => None,
        OversizeHandling::Match => Some(true),
        OversizeHandling::NoMatch => Some(false),
    }
}

pub(crate) fn extract<'r>(
    field: &FieldToMatch,
    request: &Request<'r>,
    body_limit: usize,
) -> Extracted<'r> {
    let values = match field {
        FieldToMatch::SingleHeader(name) => request
            .headers
            .iter()
            .filter(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| Cow::Borrowed(*v))
            .collect(),
        FieldToMatch::SingleQueryArgument(name) => request
            .query_arguments()
            .into_iter()
            .filter(|(n, _)| {
                crate::transform::url_decode(n, false).eq_ignore_ascii_case(name.as_bytes())
            })
            .map(|(_, v)| Cow::Borrowed(v))
            .collect(),
        FieldToMatch::AllQueryArguments => request
            .query_arguments()
            .into_iter()
            .map(|(_, v)| Cow::Borrowed(v))
            .collect(),
        FieldToMatch::UriPath => vec![Cow::Borrowed(request.uri_path.as_bytes())],
        FieldToMatch::QueryString => vec![Cow::Borrowed(request.query_string.as_bytes())],
        FieldToMatch::Method => vec![Cow::Borrowed(request.method.as_bytes())],
        FieldToMatch::Body { oversize: handling } => {
            if request.total_body_len() > body_limit as u64 {
                if let Some(decided) = oversize(*handling) {
                    return Extracted::Decided(decided);
                }
            }
            vec![Cow::Borrowed(
                &request.body[..request.body.len().min(body_limit)],
            )]
        }
        FieldToMatch::JsonBody(spec) => {
            if request.total_body_len() > body_limit as u64 {
                if let Some(decided) = oversize(spec.oversize) {
                    return Extracted::Decided(decided);
                }
            }
            let body = &request.body[..request.body.len().min(body_limit)];
            let mut values = Vec::new();
            let valid = json::walk(body, |item| {
                let included = spec
                    .included_paths
                    .as_ref()
                    .is_none_or(|paths| paths.iter().any(|p| p == item.pointer));
                let wanted = match spec.scope {
                    MatchScope::All => true,
                    MatchScope::Key => item.is_key,
                    MatchScope::Value => !item.is_key,
                };
                if included && wanted {
                    values.push(Cow::Owned(item.text.clone()));
                }
            });
            if !valid {
                match spec.invalid_fallback {
                    Some(JsonFallback::Match) => return Extracted::Decided(true),
                    Some(JsonFallback::NoMatch) => return Extracted::Decided(false),
                    Some(JsonFallback::EvaluateAsString) => {
                        return Extracted::Values(vec![Cow::Borrowed(body)])
                    }
                    None => {}
                }
            }
            values
        }
        FieldToMatch::Headers(spec) => {
            let entries: Vec<(&[u8], &[u8])> = request
                .headers
                .iter()
                .map(|(n, v)| (n.as_bytes(), *v))
                .collect();
            return map_values(&entries, spec, true);
        }
        FieldToMatch::Cookies(spec) => return map_values(&request.cookies(), spec, false),
        FieldToMatch::HeaderOrder { oversize: handling } => {
            if request.headers.len() > MAP_INSPECTION_ENTRIES {
                if let Some(decided) = oversize(*handling) {
                    return Extracted::Decided(decided);
                }
            }
            let names: Vec<String> = request
                .headers
                .iter()
                .take(MAP_INSPECTION_ENTRIES)
                .map(|(n, _)| n.to_ascii_lowercase())
                .collect();
            vec![Cow::Owned(names.join(":").into_bytes())]
        }
        FieldToMatch::Ja3Fingerprint { fallback_match } => match request.ja3_fingerprint {
            Some(f) => vec![Cow::Borrowed(f.as_bytes())],
            None => return Extracted::Decided(*fallback_match),
        },
        FieldToMatch::Ja4Fingerprint { fallback_match } => match request.ja4_fingerprint {
            Some(f) => vec![Cow::Borrowed(f.as_bytes())],
            None => return Extracted::Decided(*fallback_match),
        },
        FieldToMatch::UriFragment { fallback_match } => match request.fragment {
            Some(f) => vec![Cow::Borrowed(f.as_bytes())],
            None => return Extracted::Decided(*fallback_match),
        },
    };
    Extracted::Values(values)
}

/// The names and/or values of headers or cookies selected by the pattern, within AWS's limits
/// of 8 KB and 200 entries.
fn map_values<'r>(
    entries: &[(&'r [u8], &'r [u8])],
    spec: &MapMatch,
    headers: bool,
) -> Extracted<'r> {
    let total: usize = entries.iter().map(|(n, v)| n.len() + v.len()).sum();
    if total > MAP_INSPECTION_BYTES || entries.len() > MAP_INSPECTION_ENTRIES {
        if let Some(decided) = oversize(spec.oversize) {
            return Extracted::Decided(decided);
        }
    }
    let same = |name: &[u8], wanted: &str| {
        if headers {
            name.eq_ignore_ascii_case(wanted.as_bytes())
        } else {
            name == wanted.as_bytes()
        }
    };
    let mut values = Vec::new();
    let mut used = 0;
    for (i, (name, value)) in entries.iter().enumerate() {
        used += name.len() + value.len();
        if i >= MAP_INSPECTION_ENTRIES || used > MAP_INSPECTION_BYTES {
            break;
        }
        let selected = match &spec.pattern {
            MapPattern::All => true,
            MapPattern::Included(names) => names.iter().any(|n| same(name, n)),
            MapPattern::Excluded(names) => !names.iter().any(|n| same(name, n)),
        };
        if !selected {
            continue;
        }
        if spec.scope != MatchScope::Value {
            values.push(Cow::Borrowed(*name));
        }
        if spec.scope != MatchScope::Key {
            values.push(Cow::Borrowed(*value));
        }
    }
    Extracted::Values(values)
}
