//! The case format and its runner.

use policy::authorizer::{OrganizationPolicies, PolicyKind, ResourcePolicy, ResourcePolicyKind};
use policy::simulation::{simulate, EvalDecision};
use policy::{
    authorize, parse_policy, Caller, DecisionKind, PolicySet, PolicyType, Request, RequestContext,
};

pub const ACCOUNT: &str = "111122223333";
pub const OTHER_ACCOUNT: &str = "444455556666";

/// What a case expects.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Expect {
    Allowed,
    ExplicitDeny(PolicyKind),
    ImplicitDeny(PolicyKind),
}

pub use Expect::*;
pub use PolicyKind::*;

/// One evaluation case: policies, a request, the expected decision.
pub struct Case {
    pub section: &'static str,
    pub name: String,
    pub caller: Caller,
    pub action: String,
    pub resource: String,
    pub resource_account: Option<String>,
    pub context: RequestContext,
    pub identity: Vec<String>,
    pub boundary: Option<String>,
    pub session: Option<Vec<String>>,
    pub resource_policy: Option<(ResourcePolicyKind, String)>,
    pub scps: Option<(Vec<Vec<String>>, bool)>,
    pub rcps: Option<Vec<Vec<String>>>,
    pub expect: Expect,
}

/// Starts a case for the user `alice` of `ACCOUNT`, `s3:GetObject` on a bucket object.
pub fn case(section: &'static str, name: &str) -> Case {
    Case {
        section,
        name: name.to_string(),
        caller: user("alice"),
        action: "s3:GetObject".into(),
        resource: "arn:aws:s3:::examplebucket/file.txt".into(),
        resource_account: None,
        context: RequestContext::new(),
        identity: Vec::new(),
        boundary: None,
        session: None,
        resource_policy: None,
        scps: None,
        rcps: None,
        expect: ImplicitDeny(IdentityBased),
    }
}

impl Case {
    pub fn caller(mut self, caller: Caller) -> Case {
        self.caller = caller;
        self
    }
    pub fn action(mut self, action: &str) -> Case {
        self.action = action.into();
        self
    }
    pub fn resource(mut self, resource: &str) -> Case {
        self.resource = resource.into();
        self
    }
    pub fn resource_account(mut self, account: &str) -> Case {
        self.resource_account = Some(account.into());
        self
    }
    pub fn context(mut self, key: &str, value: &str) -> Case {
        self.context.insert(key, value);
        self
    }
    pub fn context_values(mut self, key: &str, values: &[&str]) -> Case {
        self.context
            .insert_values(key, values.iter().map(|v| v.to_string()).collect());
        self
    }
    pub fn identity(mut self, policy: impl Into<String>) -> Case {
        self.identity.push(policy.into());
        self
    }
    pub fn boundary(mut self, policy: impl Into<String>) -> Case {
        self.boundary = Some(policy.into());
        self
    }
    pub fn session(mut self, policy: impl Into<String>) -> Case {
        self.session
            .get_or_insert_with(Vec::new)
            .push(policy.into());
        self
    }
    pub fn resource_policy(mut self, policy: impl Into<String>) -> Case {
        self.resource_policy = Some((ResourcePolicyKind::Resource, policy.into()));
        self
    }
    pub fn key_policy(mut self, policy: impl Into<String>) -> Case {
        self.resource_policy = Some((ResourcePolicyKind::KeyPolicy, policy.into()));
        self
    }
    pub fn trust_policy(mut self, policy: impl Into<String>) -> Case {
        self.resource_policy = Some((ResourcePolicyKind::TrustPolicy, policy.into()));
        self
    }
    /// SCPs by level (root, OUs..., account).
    pub fn scps(mut self, levels: &[&[&str]]) -> Case {
        self.scps = Some((
            levels
                .iter()
                .map(|l| l.iter().map(|p| p.to_string()).collect())
                .collect(),
            false,
        ));
        self
    }
    pub fn management_account(mut self) -> Case {
        if let Some((_, management)) = &mut self.scps {
            *management = true;
        }
        self
    }
    pub fn rcps(mut self, levels: &[&[&str]]) -> Case {
        self.rcps = Some(
            levels
                .iter()
                .map(|l| l.iter().map(|p| p.to_string()).collect())
                .collect(),
        );
        self
    }
    pub fn expect(mut self, expect: Expect) -> Case {
        self.expect = expect;
        self
    }
}

pub fn user(name: &str) -> Caller {
    Caller::User {
        arn: format!("arn:aws:iam::{ACCOUNT}:user/{name}"),
    }
}

pub fn user_in(account: &str, name: &str) -> Caller {
    Caller::User {
        arn: format!("arn:aws:iam::{account}:user/{name}"),
    }
}

pub fn role_session(role: &str, session: &str) -> Caller {
    role_session_in(ACCOUNT, role, session)
}

pub fn role_session_in(account: &str, role: &str, session: &str) -> Caller {
    Caller::RoleSession {
        role_arn: format!("arn:aws:iam::{account}:role/{role}"),
        session_arn: format!("arn:aws:sts::{account}:assumed-role/{role}/{session}"),
        service_linked: false,
    }
}

pub fn federated_user(user: &str, name: &str) -> Caller {
    Caller::FederatedUser {
        user_arn: format!("arn:aws:iam::{ACCOUNT}:user/{user}"),
        session_arn: format!("arn:aws:sts::{ACCOUNT}:federated-user/{name}"),
    }
}

pub fn root() -> Caller {
    Caller::Root {
        account: ACCOUNT.into(),
    }
}

pub fn service(name: &str) -> Caller {
    Caller::Service {
        service: name.into(),
    }
}

/// A 2012-10-17 policy of the given statements.
pub fn policy(statements: &[String]) -> String {
    format!(
        r#"{{"Version":"2012-10-17","Statement":[{}]}}"#,
        statements.join(",")
    )
}

/// An identity-style statement (no principal).
pub fn stmt(effect: &str, action: &str, resource: &str) -> String {
    format!(
        r#"{{"Effect":"{effect}","Action":{},"Resource":{}}}"#,
        list(action),
        list(resource)
    )
}

/// An identity-style statement with a condition block (raw JSON).
pub fn stmt_if(effect: &str, action: &str, resource: &str, condition: &str) -> String {
    format!(
        r#"{{"Effect":"{effect}","Action":{},"Resource":{},"Condition":{condition}}}"#,
        list(action),
        list(resource)
    )
}

/// A resource-policy statement naming `principal` (raw JSON for the Principal value).
pub fn rstmt(effect: &str, principal: &str, action: &str, resource: &str) -> String {
    format!(
        r#"{{"Effect":"{effect}","Principal":{principal},"Action":{},"Resource":{}}}"#,
        list(action),
        list(resource)
    )
}

/// `a|b|c` into a JSON array of strings.
pub fn list(items: &str) -> String {
    let quoted: Vec<String> = items.split('|').map(|i| format!("\"{i}\"")).collect();
    format!("[{}]", quoted.join(","))
}

pub fn allow(action: &str, resource: &str) -> String {
    policy(&[stmt("Allow", action, resource)])
}

pub fn deny(action: &str, resource: &str) -> String {
    policy(&[stmt("Deny", action, resource)])
}

pub fn aws(principal: &str) -> String {
    format!(r#"{{"AWS":"{principal}"}}"#)
}

fn parsed(text: &str, policy_type: PolicyType, case: &Case) -> policy::authorizer::NamedPolicy {
    let document = parse_policy(text, policy_type).unwrap_or_else(|e| {
        panic!(
            "case {:?} ({}): policy does not parse: {e}\n{text}",
            case.name, case.section
        )
    });
    policy::authorizer::NamedPolicy::new("policy", document)
}

fn policy_set(case: &Case) -> PolicySet {
    let named = |texts: &[String], policy_type: PolicyType, prefix: &str| {
        texts
            .iter()
            .enumerate()
            .map(|(i, t)| {
                let mut p = parsed(t, policy_type, case);
                p.id = format!("{prefix}{i}");
                p
            })
            .collect::<Vec<_>>()
    };
    PolicySet {
        identity_policies: named(&case.identity, PolicyType::Identity, "identity-"),
        permissions_boundary: case.boundary.as_ref().map(|b| {
            let mut p = parsed(b, PolicyType::PermissionsBoundary, case);
            p.id = "boundary".into();
            p
        }),
        session_policies: case
            .session
            .as_ref()
            .map(|s| named(s, PolicyType::Session, "session-")),
        resource_policy: case.resource_policy.as_ref().map(|(kind, text)| {
            let policy_type = match kind {
                ResourcePolicyKind::Resource => PolicyType::Resource,
                ResourcePolicyKind::KeyPolicy => PolicyType::KeyPolicy,
                ResourcePolicyKind::TrustPolicy => PolicyType::Trust,
            };
            let mut p = parsed(text, policy_type, case);
            p.id = "resource-policy".into();
            ResourcePolicy {
                policy: p,
                kind: *kind,
            }
        }),
        service_control_policies: case.scps.as_ref().map(|(levels, management)| {
            OrganizationPolicies {
                levels: levels
                    .iter()
                    .map(|l| named(l, PolicyType::ServiceControl, "scp-"))
                    .collect(),
                management_account: *management,
            }
        }),
        resource_control_policies: case.rcps.as_ref().map(|levels| OrganizationPolicies {
            levels: levels
                .iter()
                .map(|l| named(l, PolicyType::ResourceControl, "rcp-"))
                .collect(),
            management_account: false,
        }),
    }
}

/// Runs every case; reports all failures at once, each with its doc section.
pub fn run(page: &str, cases: Vec<Case>) {
    let mut failures = Vec::new();
    for case in &cases {
        let mut request = Request::new(case.caller.clone(), &case.action, &case.resource)
            .expect("valid action")
            .with_context(case.context.clone());
        if let Some(account) = &case.resource_account {
            request = request.with_resource_account(account);
        }
        let set = policy_set(case);
        let decision = authorize(&request, &set);
        let actual = match decision.kind() {
            DecisionKind::Allowed => Allowed,
            DecisionKind::ExplicitDeny => {
                ExplicitDeny(decision.denying_policy_kind().expect("deny kind"))
            }
            DecisionKind::ImplicitDeny => {
                ImplicitDeny(decision.denying_policy_kind().expect("deny kind"))
            }
        };
        if actual != case.expect {
            failures.push(format!(
                "[{}] {}: expected {:?}, got {:?}",
                case.section, case.name, case.expect, actual
            ));
        }
        let simulated = simulate(&request, &set);
        let expected_eval = match case.expect {
            Allowed => EvalDecision::Allowed,
            ExplicitDeny(_) => EvalDecision::ExplicitDeny,
            ImplicitDeny(_) => EvalDecision::ImplicitDeny,
        };
        if simulated.eval_decision != expected_eval {
            failures.push(format!(
                "[{}] {}: simulator says {:?}",
                case.section, case.name, simulated.eval_decision
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{page}: {} of {} cases fail:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
}
