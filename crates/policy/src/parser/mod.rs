//! JSON policy documents into the [`ast`](crate::ast), refusing what IAM refuses.

pub mod err;
mod limits;

pub use err::PolicyError;
pub use limits::{check_policy_size, policy_size, PolicySizeLimit};

use std::collections::HashSet;

use serde_json::{Map, Value};

use crate::ast::{
    ActionBlock, ActionPattern, Condition, ConditionOperator, Effect, Pattern, PolicyDocument,
    PolicyType, PrincipalBlock, PrincipalKind, PrincipalSet, PrincipalValue, ResourceBlock,
    Statement, Version,
};
use crate::evaluator::{is_account_id, named_account};
use err::*;

/// Parses and validates a policy document for the given policy type.
///
/// Size quotas depend on where the document is stored, so they are checked separately
/// with [`check_policy_size`].
pub fn parse_policy(text: &str, policy_type: PolicyType) -> Result<PolicyDocument, PolicyError> {
    let parsed = parse_document(text, policy_type);
    match policy_type {
        PolicyType::ServiceControl | PolicyType::ResourceControl => {
            parsed.map_err(|_| malformed(ORGANIZATIONS_POLICY_TYPE))
        }
        _ => parsed,
    }
}

fn parse_document(text: &str, policy_type: PolicyType) -> Result<PolicyDocument, PolicyError> {
    let value: Value = serde_json::from_str(text).map_err(|_| malformed(SYNTAX_ERRORS))?;
    let document = value.as_object().ok_or_else(|| malformed(SYNTAX_ERRORS))?;
    for key in document.keys() {
        if !matches!(key.as_str(), "Version" | "Id" | "Statement") {
            return Err(malformed(format!("Unknown field {key}")));
        }
    }
    let version = match document.get("Version") {
        None => None,
        Some(Value::String(v)) if v == "2012-10-17" => Some(Version::V2012_10_17),
        Some(Value::String(v)) if v == "2008-10-17" => Some(Version::V2008_10_17),
        Some(_) => return Err(malformed(SYNTAX_ERRORS)),
    };
    let id = optional_string(document, "Id")?;
    let statements = match document.get("Statement") {
        None => return Err(malformed(MISSING_STATEMENT)),
        Some(Value::Object(statement)) => vec![statement],
        Some(Value::Array(items)) if !items.is_empty() => items
            .iter()
            .map(|item| item.as_object().ok_or_else(|| malformed(SYNTAX_ERRORS)))
            .collect::<Result<Vec<_>, _>>()?,
        Some(_) => return Err(malformed(SYNTAX_ERRORS)),
    };
    let rules = Rules {
        policy_type,
        variables: version == Some(Version::V2012_10_17),
        legacy: version != Some(Version::V2012_10_17),
    };
    let statements = statements
        .into_iter()
        .map(|s| rules.statement(s))
        .collect::<Result<Vec<_>, _>>()?;
    let mut sids = HashSet::new();
    for sid in statements.iter().filter_map(|s| s.sid.as_deref()) {
        if !sids.insert(sid) {
            return Err(malformed(SID_NOT_UNIQUE));
        }
    }
    Ok(PolicyDocument {
        version,
        id,
        statements,
    })
}

struct Rules {
    policy_type: PolicyType,
    variables: bool,
    legacy: bool,
}

impl Rules {
    fn statement(&self, statement: &Map<String, Value>) -> Result<Statement, PolicyError> {
        for key in statement.keys() {
            if !matches!(
                key.as_str(),
                "Sid"
                    | "Effect"
                    | "Principal"
                    | "NotPrincipal"
                    | "Action"
                    | "NotAction"
                    | "Resource"
                    | "NotResource"
                    | "Condition"
            ) {
                return Err(malformed(format!("Unknown field {key}")));
            }
        }
        let sid = optional_string(statement, "Sid")?;
        if let Some(sid) = &sid {
            let iam_hosted = matches!(
                self.policy_type,
                PolicyType::Identity
                    | PolicyType::PermissionsBoundary
                    | PolicyType::Trust
                    | PolicyType::Session
            );
            if iam_hosted && !sid.chars().all(|c| c.is_ascii_alphanumeric()) {
                return Err(malformed(SID_NOT_ALPHANUMERIC));
            }
        }
        let effect = match statement.get("Effect") {
            None => return Err(malformed(MISSING_EFFECT)),
            Some(Value::String(e)) if e == "Allow" => Effect::Allow,
            Some(Value::String(e)) if e == "Deny" => Effect::Deny,
            Some(_) => return Err(malformed(SYNTAX_ERRORS)),
        };
        let principal = self.principal(statement, effect)?;
        let action = self.action(statement)?;
        let resource = self.resource(statement)?;
        let conditions = match statement.get("Condition") {
            None => Vec::new(),
            Some(block) => self.conditions(block)?,
        };
        let parsed = Statement {
            sid,
            effect,
            principal,
            action,
            resource,
            conditions,
        };
        self.organizations_rules(&parsed)?;
        Ok(parsed)
    }

    fn principal(
        &self,
        statement: &Map<String, Value>,
        effect: Effect,
    ) -> Result<Option<PrincipalBlock>, PolicyError> {
        let block = match (statement.get("Principal"), statement.get("NotPrincipal")) {
            (Some(_), Some(_)) => return Err(malformed(SYNTAX_ERRORS)),
            (Some(p), None) => Some(PrincipalBlock::Principal(principal_set(p)?)),
            (None, Some(p)) => Some(PrincipalBlock::NotPrincipal(principal_set(p)?)),
            (None, None) => None,
        };
        match self.policy_type {
            PolicyType::Identity | PolicyType::PermissionsBoundary | PolicyType::Session
                if block.is_some() =>
            {
                Err(malformed(SHOULD_NOT_SPECIFY_PRINCIPAL))
            }
            PolicyType::ServiceControl if block.is_some() => {
                Err(malformed("Has prohibited field Principal"))
            }
            PolicyType::Resource
            | PolicyType::Trust
            | PolicyType::KeyPolicy
            | PolicyType::ResourceControl
                if block.is_none() =>
            {
                Err(malformed(MISSING_PRINCIPAL))
            }
            _ if matches!(block, Some(PrincipalBlock::NotPrincipal(_)))
                && effect == Effect::Allow =>
            {
                Err(malformed(SYNTAX_ERRORS))
            }
            _ => Ok(block),
        }
    }

    fn action(&self, statement: &Map<String, Value>) -> Result<ActionBlock, PolicyError> {
        let (values, negated) = match (statement.get("Action"), statement.get("NotAction")) {
            (Some(_), Some(_)) => return Err(malformed(SYNTAX_ERRORS)),
            (Some(v), None) => (v, false),
            (None, Some(v)) => (v, true),
            (None, None) => return Err(malformed(MUST_CONTAIN_ACTIONS)),
        };
        let names = string_list(values)?;
        if names.is_empty() {
            return Err(malformed(MUST_CONTAIN_ACTIONS));
        }
        for name in &names {
            let prefixed = name
                .split_once(':')
                .is_some_and(|(vendor, action)| !vendor.is_empty() && !action.is_empty());
            if name != "*" && !prefixed {
                return Err(malformed(VENDOR_PREFIX));
            }
        }
        let patterns = names.iter().map(|n| ActionPattern::new(n)).collect();
        Ok(if negated {
            ActionBlock::NotAction(patterns)
        } else {
            ActionBlock::Action(patterns)
        })
    }

    fn resource(
        &self,
        statement: &Map<String, Value>,
    ) -> Result<Option<ResourceBlock>, PolicyError> {
        let (values, negated) = match (statement.get("Resource"), statement.get("NotResource")) {
            (Some(_), Some(_)) => return Err(malformed(SYNTAX_ERRORS)),
            (Some(v), None) => (v, false),
            (None, Some(v)) => (v, true),
            (None, None) => {
                return match self.policy_type {
                    PolicyType::Trust => Ok(None),
                    PolicyType::Resource | PolicyType::KeyPolicy => {
                        Err(malformed(MISSING_RESOURCE))
                    }
                    _ => Err(malformed(MUST_CONTAIN_RESOURCES)),
                }
            }
        };
        if self.policy_type == PolicyType::Trust {
            let field = if negated { "NotResource" } else { "Resource" };
            return Err(malformed(format!("Has prohibited field {field}")));
        }
        let names = string_list(values)?;
        if names.is_empty() {
            return Err(malformed(MUST_CONTAIN_RESOURCES));
        }
        for name in &names {
            let arn_format = name.starts_with("arn:") && name.matches(':').count() >= 5;
            if name != "*" && !arn_format {
                return Err(malformed(if self.legacy {
                    LEGACY_PARSING.to_string()
                } else {
                    format!("Resource {name} must be in ARN format or \"*\".")
                }));
            }
        }
        let patterns = names
            .iter()
            .map(|n| Pattern::compile(n, self.variables))
            .collect();
        Ok(Some(if negated {
            ResourceBlock::NotResource(patterns)
        } else {
            ResourceBlock::Resource(patterns)
        }))
    }

    fn conditions(&self, block: &Value) -> Result<Vec<Condition>, PolicyError> {
        let operators = block.as_object().ok_or_else(|| malformed(SYNTAX_ERRORS))?;
        let mut conditions = Vec::new();
        for (name, keys) in operators {
            let operator = ConditionOperator::parse(name)
                .ok_or_else(|| malformed(format!("Invalid Condition type : {name}")))?;
            let keys = keys.as_object().ok_or_else(|| malformed(SYNTAX_ERRORS))?;
            for (key, values) in keys {
                if !key
                    .split_once(':')
                    .is_some_and(|(vendor, rest)| !vendor.is_empty() && !rest.is_empty())
                {
                    return Err(malformed(VENDOR_PREFIX));
                }
                let variables = self.variables && operator.family.accepts_variables();
                let values = scalar_list(values)?
                    .iter()
                    .map(|v| Pattern::compile(v, variables))
                    .collect();
                conditions.push(Condition::new(operator, key, values));
            }
        }
        Ok(conditions)
    }

    /// The documented limits of the Organizations policy types: SCPs name no principal
    /// and cannot use `NotResource` in an `Allow`; RCPs apply to every principal and their
    /// only `Allow` is the full-access statement of `RCPFullAWSAccess`.
    fn organizations_rules(&self, statement: &Statement) -> Result<(), PolicyError> {
        let refused = match self.policy_type {
            PolicyType::ServiceControl => {
                statement.effect == Effect::Allow
                    && matches!(statement.resource, Some(ResourceBlock::NotResource(_)))
            }
            PolicyType::ResourceControl => {
                let everyone = matches!(
                    statement.principal,
                    Some(PrincipalBlock::Principal(PrincipalSet::Everyone))
                );
                let full_access = matches!(&statement.action, ActionBlock::Action(a) if a.iter().all(|p| p.text == "*"))
                    && matches!(&statement.resource, Some(ResourceBlock::Resource(r)) if r.iter().all(|p| p.text == "*"))
                    && statement.conditions.is_empty();
                !everyone || (statement.effect == Effect::Allow && !full_access)
            }
            _ => false,
        };
        if refused {
            return Err(malformed(ORGANIZATIONS_POLICY_TYPE));
        }
        Ok(())
    }
}

fn optional_string(object: &Map<String, Value>, key: &str) -> Result<Option<String>, PolicyError> {
    match object.get(key) {
        None => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(_) => Err(malformed(SYNTAX_ERRORS)),
    }
}

/// A string or an array of strings.
fn string_list(value: &Value) -> Result<Vec<String>, PolicyError> {
    match value {
        Value::String(s) => Ok(vec![s.clone()]),
        Value::Array(items) => items
            .iter()
            .map(|i| {
                i.as_str()
                    .map(str::to_string)
                    .ok_or_else(|| malformed(SYNTAX_ERRORS))
            })
            .collect(),
        _ => Err(malformed(SYNTAX_ERRORS)),
    }
}

/// A condition value: a string, number or Boolean, or an array of them.
fn scalar_list(value: &Value) -> Result<Vec<String>, PolicyError> {
    let scalar = |v: &Value| match v {
        Value::String(s) => Ok(s.clone()),
        Value::Number(n) => Ok(n.to_string()),
        Value::Bool(b) => Ok(b.to_string()),
        _ => Err(malformed(SYNTAX_ERRORS)),
    };
    match value {
        Value::Array(items) => items.iter().map(scalar).collect(),
        other => Ok(vec![scalar(other)?]),
    }
}

fn principal_set(value: &Value) -> Result<PrincipalSet, PolicyError> {
    let object = match value {
        Value::String(s) if s == "*" => return Ok(PrincipalSet::Everyone),
        Value::Object(object) if !object.is_empty() => object,
        _ => return Err(malformed(SYNTAX_ERRORS)),
    };
    let mut listed = Vec::new();
    for (key, values) in object {
        let kind = match key.as_str() {
            "AWS" => PrincipalKind::Aws,
            "Service" => PrincipalKind::Service,
            "Federated" => PrincipalKind::Federated,
            "CanonicalUser" => PrincipalKind::CanonicalUser,
            _ => return Err(malformed(format!("Invalid principal in policy: \"{key}\""))),
        };
        for name in string_list(values)? {
            if kind == PrincipalKind::Aws && name == "*" {
                return Ok(PrincipalSet::Everyone);
            }
            if !valid_principal(kind, &name) {
                return Err(malformed(format!(
                    "Invalid principal in policy: \"{key}\":\"{name}\""
                )));
            }
            listed.push(PrincipalValue { kind, value: name });
        }
    }
    Ok(PrincipalSet::Listed(listed))
}

/// The principal formats of the Principal reference: account ids and IAM/STS ARNs for
/// `AWS`, service names for `Service`, provider names or ARNs for `Federated`, and
/// the hexadecimal ids of `CanonicalUser`.
fn valid_principal(kind: PrincipalKind, name: &str) -> bool {
    match kind {
        PrincipalKind::Aws => {
            if is_account_id(name) || named_account(name).is_some() {
                return true;
            }
            let fields: Vec<&str> = name.splitn(6, ':').collect();
            let [arn, partition, service, region, account, resource] = fields[..] else {
                return false;
            };
            let known_resource = match service {
                "iam" => ["user/", "role/", "federated-user/"]
                    .iter()
                    .any(|p| resource.starts_with(p)),
                "sts" => ["assumed-role/", "federated-user/"]
                    .iter()
                    .any(|p| resource.starts_with(p)),
                _ => false,
            };
            arn == "arn"
                && partition.starts_with("aws")
                && region.is_empty()
                && is_account_id(account)
                && known_resource
        }
        PrincipalKind::Service => !name.is_empty() && !name.contains('*') && name.contains('.'),
        PrincipalKind::Federated => !name.is_empty() && !name.contains('*'),
        PrincipalKind::CanonicalUser => {
            !name.is_empty() && name.bytes().all(|b| b.is_ascii_hexdigit())
        }
    }
}
