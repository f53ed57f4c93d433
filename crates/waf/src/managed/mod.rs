//! The AWS managed rule groups, implemented natively: AWS's rule names, actions, labels and
//! capacities, with inspections written from each rule's documented purpose.
//!
//! Each group is a rule group in the API's JSON shapes (see `definitions.rs`), parsed by the
//! same parser as users' rule groups, so a managed rule is an ordinary rule: overrides, labels,
//! metrics and logs treat it alike. The few checks no API statement can express (Bot
//! Control's classification of user agents, the Log4j lookup de-obfuscation) are
//! [`NativeCheck`]s, which only these definitions may use.

mod bots;
mod definitions;
mod log4j;

use std::sync::OnceLock;

use serde_json::Value;

use crate::cidr::IpSet;
use crate::request::Request;
use crate::ActionKind;

/// The names of the address lists behind the IP reputation, anonymous IP and Bot Control
/// groups; [`crate::AclContext::managed_ip_lists`] gives their addresses.
pub const IP_LISTS: &[&str] = &[
    "AWSManagedIPReputationList",
    "AWSManagedReconnaissanceList",
    "AWSManagedIPDDoSList",
    "AnonymousIPList",
    "HostingProviderIPList",
    "KnownBotDataCenter",
    "VerifiedBots",
];

/// An AWS managed rule group.
#[derive(Debug)]
pub struct ManagedRuleGroup {
    /// `VendorName`: `AWS`.
    pub vendor: &'static str,
    /// `Name`, e.g. `AWSManagedRulesCommonRuleSet`.
    pub name: &'static str,
    /// `Description`.
    pub description: &'static str,
    /// Its capacity in WCUs.
    pub capacity: u64,
    /// The namespace of its labels, e.g. `awswaf:managed:aws:core-rule-set:`.
    pub label_namespace: &'static str,
    /// Its versions, oldest first; empty for groups AWS does not version.
    pub versions: Vec<ManagedVersion>,
    /// Its rules with their default actions.
    pub rules: Vec<ManagedRule>,
    /// Every label its rules can add (`AvailableLabels`).
    pub labels: Vec<String>,
    /// Labels of other groups it reads (`ConsumedLabels`).
    pub consumed_labels: Vec<String>,
    rules_json: Value,
}

/// A version of a managed rule group.
#[derive(Debug, Clone)]
pub struct ManagedVersion {
    /// `Name`, e.g. `Version_1.0`.
    pub name: &'static str,
    /// When AWS last updated it (`LastUpdateTimestamp`), seconds since the epoch.
    pub last_updated: u64,
}

/// A rule of a managed rule group.
#[derive(Debug, Clone)]
pub struct ManagedRule {
    /// The rule's name, e.g. `NoUserAgent_HEADER`.
    pub name: String,
    /// Its action when not overridden.
    pub action: ActionKind,
}

impl ManagedRuleGroup {
    /// The group's rules in the API's JSON shape.
    pub fn rules_json(&self) -> &Value {
        &self.rules_json
    }

    /// The version used when a statement names none: the latest.
    pub fn default_version(&self) -> Option<&'static str> {
        self.versions.last().map(|v| v.name)
    }
}

/// The managed rule groups, as ListAvailableManagedRuleGroups lists them.
pub fn catalog() -> &'static [ManagedRuleGroup] {
    static CATALOG: OnceLock<Vec<ManagedRuleGroup>> = OnceLock::new();
    CATALOG.get_or_init(definitions::all)
}

/// The group of this vendor and name.
pub fn find(vendor: &str, name: &str) -> Option<&'static ManagedRuleGroup> {
    catalog()
        .iter()
        .find(|g| g.vendor == vendor && g.name == name)
}

fn build(
    name: &'static str,
    description: &'static str,
    capacity: u64,
    label_namespace: &'static str,
    versions: &[(&'static str, u64)],
    extra_labels: &[&str],
    rules_json: Value,
) -> ManagedRuleGroup {
    let mut rules = Vec::new();
    let mut labels = Vec::new();
    for rule in rules_json.as_array().into_iter().flatten() {
        let action = match rule["Action"]
            .as_object()
            .and_then(|a| a.keys().next())
            .map(String::as_str)
        {
            Some("Allow") => ActionKind::Allow,
            Some("Count") => ActionKind::Count,
            Some("Captcha") => ActionKind::Captcha,
            Some("Challenge") => ActionKind::Challenge,
            _ => ActionKind::Block,
        };
        rules.push(ManagedRule {
            name: rule["Name"].as_str().unwrap_or_default().to_string(),
            action,
        });
        for label in rule["RuleLabels"].as_array().into_iter().flatten() {
            labels.push(format!(
                "{label_namespace}{}",
                label["Name"].as_str().unwrap_or_default()
            ));
        }
    }
    labels.extend(extra_labels.iter().map(|l| format!("{label_namespace}{l}")));
    labels.sort();
    labels.dedup();
    ManagedRuleGroup {
        vendor: "AWS",
        name,
        description,
        capacity,
        label_namespace,
        versions: versions
            .iter()
            .map(|&(name, last_updated)| ManagedVersion { name, last_updated })
            .collect(),
        rules,
        labels,
        consumed_labels: Vec::new(),
        rules_json,
    }
}

/// A managed rule's check that no API statement expresses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NativeCheck {
    /// A self-identifying bot of this Bot Control category that is not verified.
    BotCategory(bots::Category),
    /// A user agent that is not a browser's.
    NonBrowserUserAgent,
    /// A browser automation framework.
    AutomatedBrowser,
    /// A Log4j lookup (`${jndi:...}`) after resolving the nested lookups that hide it.
    Log4jLookup,
}

impl NativeCheck {
    pub(crate) fn from_name(name: &str) -> Option<NativeCheck> {
        match name {
            "NonBrowserUserAgent" => Some(NativeCheck::NonBrowserUserAgent),
            "AutomatedBrowser" => Some(NativeCheck::AutomatedBrowser),
            "Log4jLookup" => Some(NativeCheck::Log4jLookup),
            other => other
                .strip_prefix("BotCategory:")
                .and_then(bots::Category::from_label)
                .map(NativeCheck::BotCategory),
        }
    }

    /// Whether an inspected value passes the check.
    pub(crate) fn matches_value(self, value: &[u8]) -> bool {
        match self {
            NativeCheck::Log4jLookup => log4j::has_lookup(value),
            _ => false,
        }
    }

    /// Whether the request matches. `labels` receives labels added without a match (Bot
    /// Control labels verified bots without acting on them); `pending` receives labels to add
    /// if the rule matches.
    pub(crate) fn evaluate(
        self,
        request: &Request,
        verified_bots: &IpSet,
        labels: &mut Vec<String>,
        pending: &mut Vec<String>,
    ) -> bool {
        bots::evaluate(self, request, verified_bots, labels, pending)
    }
}
