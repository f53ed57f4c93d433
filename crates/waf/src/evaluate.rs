//! Evaluation of a web ACL against a request, in AWS WAF's order: rules by ascending priority;
//! a matching rule adds its labels, then its action either ends evaluation (Allow, Block, and
//! CAPTCHA or Challenge without a valid token) or lets it go on (Count, and CAPTCHA or
//! Challenge with a valid token); rule groups run their own rules in place, under the
//! referencing rule's override action and rule action overrides; when no rule ends evaluation,
//! the default action applies. Labels are visible to the rules evaluated after the rule that
//! added them.

use std::borrow::Cow;
use std::net::IpAddr;

use memchr::memmem;

use crate::field::{extract, Extracted};
use crate::request::Request;
use crate::statement::*;
use crate::transform::apply_all;
use crate::{sqli, xss, Action, RateState, RuleMatch, Verdict, WebAcl};

pub(crate) fn evaluate(acl: &WebAcl, request: &Request, rate: &RateState, now_ms: u64) -> Verdict {
    let mut evaluation = Evaluation {
        request,
        rate,
        now_ms,
        body_limit: acl.body_inspection_limit,
        labels: Vec::new(),
        pending_labels: Vec::new(),
        non_terminating: Vec::new(),
        inserted_headers: Vec::new(),
        inspected: (0..acl.inspections).map(|_| None).collect(),
    };
    let terminated = evaluation.run_rules(&acl.rules, None);
    let (action, terminating_rule) = match terminated {
        Some((action, rule)) => (action, Some(rule)),
        None => match &acl.default_action {
            RuleAction::Block { response } => (
                Action::Block {
                    custom_response: response.clone(),
                },
                None,
            ),
            RuleAction::Allow { insert_headers } => {
                evaluation
                    .inserted_headers
                    .extend(insert_headers.iter().cloned());
                (Action::Allow, None)
            }
            // The parser only accepts Allow and Block as default actions.
            _ => (Action::Allow, None),
        },
    };
    Verdict {
        action,
        terminating_rule,
        labels: evaluation.labels,
        non_terminating_matches: evaluation.non_terminating,
        inserted_headers: evaluation.inserted_headers,
    }
}

/// The rule group a rule runs in, and how its rules' actions are overridden.
struct GroupFrame<'a> {
    reference: &'a RuleGroupReference,
    via_rule: &'a str,
    count_all: bool,
}

struct Evaluation<'a, 'r> {
    request: &'a Request<'r>,
    rate: &'a RateState,
    now_ms: u64,
    body_limit: usize,
    labels: Vec<String>,
    /// Labels a native check found for the rule being evaluated, added if the rule matches.
    pending_labels: Vec<String>,
    non_terminating: Vec<RuleMatch>,
    inserted_headers: Vec<(String, String)>,
    /// The transformed values of each inspection, computed on first use.
    inspected: Vec<Option<Extracted<'r>>>,
}

impl<'r> Evaluation<'_, 'r> {
    /// Runs rules in order; the terminating action and rule, if one ended evaluation.
    fn run_rules(
        &mut self,
        rules: &[Rule],
        group: Option<&GroupFrame>,
    ) -> Option<(Action, RuleMatch)> {
        for rule in rules {
            if let Statement::RuleGroup(reference) = &rule.statement {
                let count_all = matches!(rule.action, RuleBehaviour::Override { count: true });
                if let Some(scope_down) = &reference.scope_down {
                    if !self.matches(scope_down) {
                        continue;
                    }
                }
                let frame = GroupFrame {
                    reference,
                    via_rule: &rule.name,
                    count_all,
                };
                if let Some(terminated) = self.run_rules(&reference.group.rules, Some(&frame)) {
                    return Some(terminated);
                }
                continue;
            }
            self.pending_labels.clear();
            if !self.matches(&rule.statement) {
                continue;
            }
            self.labels.extend(rule.labels.iter().cloned());
            self.labels.append(&mut self.pending_labels);
            let RuleBehaviour::Action(own_action) = &rule.action else {
                continue;
            };
            let action = match group {
                Some(frame) => match frame
                    .reference
                    .overrides
                    .iter()
                    .find(|(name, _)| *name == rule.name)
                {
                    Some((_, overridden)) => overridden,
                    None if frame.count_all => &COUNT,
                    None => own_action,
                },
                None => own_action,
            };
            let matched = RuleMatch {
                name: rule.name.clone(),
                rule_group: group.map(|f| f.reference.group.name.clone()),
                via_rule: group.map(|f| f.via_rule.to_string()),
                action: action.kind(),
                metric_name: rule.metric_name.clone(),
            };
            match action {
                RuleAction::Allow { insert_headers } => {
                    self.inserted_headers.extend(insert_headers.iter().cloned());
                    return Some((Action::Allow, matched));
                }
                RuleAction::Block { response } => {
                    return Some((
                        Action::Block {
                            custom_response: response.clone(),
                        },
                        matched,
                    ))
                }
                RuleAction::Count { insert_headers } => {
                    self.inserted_headers.extend(insert_headers.iter().cloned());
                    self.non_terminating.push(matched);
                }
                RuleAction::Captcha { insert_headers }
                | RuleAction::Challenge { insert_headers } => {
                    let captcha = matches!(action, RuleAction::Captcha { .. });
                    let immunity = if captcha {
                        rule.captcha_immunity_secs
                    } else {
                        rule.challenge_immunity_secs
                    };
                    if self
                        .request
                        .waf_token_age_secs
                        .is_some_and(|age| age <= immunity)
                    {
                        self.inserted_headers.extend(insert_headers.iter().cloned());
                        self.non_terminating.push(matched);
                    } else {
                        return Some((
                            if captcha {
                                Action::Captcha
                            } else {
                                Action::Challenge
                            },
                            matched,
                        ));
                    }
                }
            }
        }
        None
    }

    fn matches(&mut self, statement: &Statement) -> bool {
        match statement {
            Statement::ByteMatch {
                inspect,
                search,
                position,
            } => self.inspect(inspect, |value| byte_match(value, search, *position)),
            Statement::SqliMatch {
                inspect,
                high_sensitivity,
            } => self.inspect(inspect, |value| sqli::is_sqli(value, *high_sensitivity)),
            Statement::XssMatch { inspect } => self.inspect(inspect, xss::is_xss),
            Statement::RegexMatch { inspect, regex } => {
                self.inspect(inspect, |value| regex.is_match(value))
            }
            Statement::RegexPatternSet { inspect, regexes } => {
                self.inspect(inspect, |value| regexes.is_match(value))
            }
            Statement::SizeConstraint {
                inspect,
                operator,
                size,
            } => {
                // The size of a body is its full length, also beyond what is inspected.
                if matches!(inspect.field, FieldToMatch::Body { .. })
                    && inspect
                        .transformations
                        .iter()
                        .all(|t| *t == crate::TextTransformation::None)
                {
                    return operator.compare(self.request.total_body_len(), *size);
                }
                self.inspect(inspect, |value| operator.compare(value.len() as u64, *size))
            }
            Statement::IpSet { set, source } => self.ip_matches(source, |_, ip| set.contains(ip)),
            Statement::GeoMatch { countries, source } => {
                let request = self.request;
                let mut found = Vec::new();
                let matched = self.ip_matches(source, |forwarded, ip| {
                    let country = if forwarded {
                        request.ip_lookup.and_then(|l| l.country(ip))
                    } else {
                        request.country.map(str::to_string)
                    };
                    match country {
                        Some(country) => {
                            let hit = countries.contains(&country);
                            found.push((forwarded, country));
                            hit
                        }
                        None => false,
                    }
                });
                for (forwarded, country) in found {
                    let label = format!(
                        "awswaf:{}:geo:country:{country}",
                        if forwarded { "forwardedip" } else { "clientip" }
                    );
                    if !self.labels.contains(&label) {
                        self.labels.push(label);
                    }
                }
                matched
            }
            Statement::AsnMatch { asns, source } => {
                let request = self.request;
                self.ip_matches(source, |forwarded, ip| {
                    let asn = if forwarded {
                        request.ip_lookup.and_then(|l| l.asn(ip))
                    } else {
                        request.asn
                    };
                    asn.is_some_and(|a| asns.contains(&a))
                })
            }
            Statement::LabelMatch { namespace, key } => self
                .labels
                .iter()
                .any(|label| label_matches(label, key, *namespace)),
            Statement::RateBased(rule) => self.rate_exceeded(rule),
            Statement::And(statements) => statements.iter().all(|s| self.matches(s)),
            Statement::Or(statements) => statements.iter().any(|s| self.matches(s)),
            Statement::Not(statement) => !self.matches(statement),
            // Rule group statements are run by `run_rules`; the parser allows them nowhere else.
            Statement::RuleGroup(_) => false,
            Statement::Native(native) => match &native.inspect {
                Some(inspect) => self.inspect(inspect, |value| native.check.matches_value(value)),
                None => native.check.evaluate(
                    self.request,
                    &native.verified_bots,
                    &mut self.labels,
                    &mut self.pending_labels,
                ),
            },
        }
    }

    /// Whether any value of the inspected field, transformed, satisfies `predicate`.
    fn inspect(&mut self, inspect: &Inspection, predicate: impl Fn(&[u8]) -> bool) -> bool {
        let request = self.request;
        let body_limit = self.body_limit;
        let slot = &mut self.inspected[inspect.id];
        let inspected =
            slot.get_or_insert_with(|| match extract(&inspect.field, request, body_limit) {
                Extracted::Decided(outcome) => Extracted::Decided(outcome),
                Extracted::Values(values) => Extracted::Values(
                    values
                        .into_iter()
                        .map(|value| match value {
                            Cow::Borrowed(value) => apply_all(&inspect.transformations, value),
                            Cow::Owned(value) => {
                                Cow::Owned(apply_all(&inspect.transformations, &value).into_owned())
                            }
                        })
                        .collect(),
                ),
            });
        match inspected {
            Extracted::Decided(outcome) => *outcome,
            Extracted::Values(values) => values.iter().any(|value| predicate(value)),
        }
    }

    /// Applies `test` to the client IP or the forwarded addresses; `test` gets whether the
    /// address was forwarded.
    fn ip_matches(&self, source: &IpSource, mut test: impl FnMut(bool, IpAddr) -> bool) -> bool {
        match source {
            IpSource::Client => test(false, self.request.client_ip),
            IpSource::Forwarded {
                header,
                fallback_match,
                position,
            } => {
                let addresses = forwarded_addresses(self.request, header);
                let chosen: Vec<Option<IpAddr>> = match position {
                    ForwardedIpPosition::First => addresses.first().cloned().into_iter().collect(),
                    ForwardedIpPosition::Last => addresses.last().cloned().into_iter().collect(),
                    // AWS inspects at most the first ten addresses.
                    ForwardedIpPosition::Any => addresses.into_iter().take(10).collect(),
                };
                if chosen.is_empty() || chosen.iter().any(Option::is_none) {
                    return *fallback_match;
                }
                chosen.into_iter().flatten().any(|ip| test(true, ip))
            }
        }
    }

    fn rate_exceeded(&mut self, rule: &RateBasedStatement) -> bool {
        if let Some(scope_down) = &rule.scope_down {
            if !self.matches(scope_down) {
                return false;
            }
        }
        let key = match &rule.key {
            AggregateKey::Ip => self.request.client_ip.to_string().into_bytes(),
            AggregateKey::Constant => Vec::new(),
            AggregateKey::ForwardedIp {
                header,
                fallback_match,
            } => match forwarded_addresses(self.request, header).first() {
                Some(Some(ip)) => ip.to_string().into_bytes(),
                _ => return *fallback_match,
            },
            AggregateKey::Custom(keys) => match self.custom_key(keys) {
                Some(key) => key,
                // A request without one of the keys is not counted.
                None => return false,
            },
        };
        self.rate
            .hit(&rule.counter_id, key, rule.window_ms, self.now_ms)
            > rule.limit
    }

    fn custom_key(&self, keys: &[CustomKey]) -> Option<Vec<u8>> {
        let request = self.request;
        let mut key = Vec::new();
        for part in keys {
            let value: Cow<[u8]> = match part {
                CustomKey::Header {
                    name,
                    transformations,
                } => apply_all(transformations, request.header(name)?),
                CustomKey::Cookie {
                    name,
                    transformations,
                } => {
                    let cookies = request.cookies();
                    let (_, value) = cookies.iter().find(|(n, _)| *n == name.as_bytes())?;
                    Cow::Owned(apply_all(transformations, value).into_owned())
                }
                CustomKey::QueryArgument {
                    name,
                    transformations,
                } => {
                    let arguments = request.query_arguments();
                    let (_, value) = arguments.iter().find(|(n, _)| {
                        crate::transform::url_decode(n, false).eq_ignore_ascii_case(name.as_bytes())
                    })?;
                    Cow::Owned(apply_all(transformations, value).into_owned())
                }
                CustomKey::QueryString { transformations } => {
                    if request.query_string.is_empty() {
                        return None;
                    }
                    apply_all(transformations, request.query_string.as_bytes())
                }
                CustomKey::UriPath { transformations } => {
                    apply_all(transformations, request.uri_path.as_bytes())
                }
                CustomKey::HttpMethod => Cow::Borrowed(request.method.as_bytes()),
                CustomKey::Ip => Cow::Owned(request.client_ip.to_string().into_bytes()),
                CustomKey::ForwardedIp { header } => {
                    let ip = forwarded_addresses(request, header)
                        .first()
                        .cloned()
                        .flatten()?;
                    Cow::Owned(ip.to_string().into_bytes())
                }
                CustomKey::LabelNamespace(namespace) => {
                    let names: Vec<&str> = self
                        .labels
                        .iter()
                        .filter_map(|l| l.strip_prefix(namespace.as_str()))
                        .collect();
                    if names.is_empty() {
                        return None;
                    }
                    Cow::Owned(names.join(",").into_bytes())
                }
                // Without a fingerprint, MATCH counts the request under an empty fingerprint and
                // NO_MATCH leaves it uncounted.
                CustomKey::Ja3Fingerprint { fallback_match } => match request.ja3_fingerprint {
                    Some(f) => Cow::Borrowed(f.as_bytes()),
                    None if *fallback_match => Cow::Borrowed(&[][..]),
                    None => return None,
                },
                CustomKey::Ja4Fingerprint { fallback_match } => match request.ja4_fingerprint {
                    Some(f) => Cow::Borrowed(f.as_bytes()),
                    None if *fallback_match => Cow::Borrowed(&[][..]),
                    None => return None,
                },
                CustomKey::Asn => Cow::Owned(request.asn?.to_string().into_bytes()),
            };
            // Length-prefixed, so that no two different key tuples concatenate alike.
            key.extend_from_slice(&(value.len() as u32).to_be_bytes());
            key.extend_from_slice(&value);
        }
        Some(key)
    }
}

static COUNT: RuleAction = RuleAction::Count {
    insert_headers: Vec::new(),
};

/// The addresses of a forwarded IP header, first to last; `None` for an entry that is not an
/// address.
fn forwarded_addresses(request: &Request, header: &str) -> Vec<Option<IpAddr>> {
    let Some(value) = request.header(header) else {
        return Vec::new();
    };
    String::from_utf8_lossy(value)
        .split(',')
        .map(|part| part.trim().parse().ok())
        .collect()
}

fn is_word_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

fn byte_match(value: &[u8], search: &[u8], position: PositionalConstraint) -> bool {
    match position {
        PositionalConstraint::Exactly => value == search,
        PositionalConstraint::StartsWith => value.starts_with(search),
        PositionalConstraint::EndsWith => value.ends_with(search),
        PositionalConstraint::Contains => memmem::find(value, search).is_some(),
        PositionalConstraint::ContainsWord => memmem::find_iter(value, search).any(|at| {
            let before = at == 0 || !is_word_byte(value[at - 1]);
            let end = at + search.len();
            let after = end == value.len() || !is_word_byte(value[end]);
            before && after
        }),
    }
}

/// LABEL scope: the key is the label or a tail of it at a `:` boundary. NAMESPACE scope: the
/// key names contiguous namespaces of the label (its part before the name).
fn label_matches(label: &str, key: &str, namespace: bool) -> bool {
    if !namespace {
        return label == key
            || (label.ends_with(key)
                && label.as_bytes().get(label.len() - key.len() - 1) == Some(&b':'));
    }
    let Some(end) = label.rfind(':') else {
        return false;
    };
    let namespaces = format!(":{}", &label[..=end]);
    let key = key.trim_end_matches(':');
    namespaces.contains(&format!(":{key}:"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn contains_word_needs_word_boundaries() {
        assert!(byte_match(
            b"a select b",
            b"select",
            PositionalConstraint::ContainsWord
        ));
        assert!(byte_match(
            b"select",
            b"select",
            PositionalConstraint::ContainsWord
        ));
        assert!(byte_match(
            b"(select)",
            b"select",
            PositionalConstraint::ContainsWord
        ));
        assert!(!byte_match(
            b"selection",
            b"select",
            PositionalConstraint::ContainsWord
        ));
        assert!(!byte_match(
            b"preselect x",
            b"select",
            PositionalConstraint::ContainsWord
        ));
    }

    #[test]
    fn labels_match_by_name_tail_or_namespace() {
        let label = "awswaf:managed:aws:core-rule-set:NoUserAgent_Header";
        assert!(label_matches(label, label, false));
        assert!(label_matches(
            label,
            "core-rule-set:NoUserAgent_Header",
            false
        ));
        assert!(!label_matches(label, "UserAgent_Header", false));
        assert!(label_matches(
            label,
            "awswaf:managed:aws:core-rule-set:",
            true
        ));
        assert!(label_matches(label, "awswaf:managed:", true));
        assert!(label_matches(label, "core-rule-set", true));
        assert!(!label_matches(label, "NoUserAgent_Header", true));
        assert!(!label_matches(label, "rule-set:", true));
    }
}
