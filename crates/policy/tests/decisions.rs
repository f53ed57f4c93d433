//! Decision reasons and AccessDenied phrases (the issue's message forms), and the
//! simulator's extra outputs.

use policy::authorizer::{NamedPolicy, OrganizationPolicies};
use policy::simulation::{simulate, EvalDecision};
use policy::{authorize, parse_policy, Caller, PolicySet, PolicyType, Request, RequestContext};

fn named(id: &str, text: &str, policy_type: PolicyType) -> NamedPolicy {
    NamedPolicy::new(id, parse_policy(text, policy_type).unwrap())
}

fn alice() -> Caller {
    Caller::User {
        arn: "arn:aws:iam::000000000000:user/alice".into(),
    }
}

fn create_user() -> Request {
    Request::new(
        alice(),
        "iam:CreateUser",
        "arn:aws:iam::000000000000:user/bob",
    )
    .unwrap()
}

const ADMIN: &str = r#"{"Version":"2012-10-17","Statement":[{"Sid":"Admin","Effect":"Allow","Action":"*","Resource":"*"}]}"#;
const KMS_S3: &str = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["kms:*","s3:*"],"Resource":"*"}]}"#;

#[test]
fn no_identity_policy_names_the_identity_based_policy() {
    let decision = authorize(&create_user(), &PolicySet::default());
    assert_eq!(
        decision.denial_reason().unwrap(),
        "because no identity-based policy allows the iam:CreateUser action"
    );
}

#[test]
fn a_boundary_denial_gives_the_full_access_denied_message() {
    let set = PolicySet {
        identity_policies: vec![named("AdministratorAccess", ADMIN, PolicyType::Identity)],
        permissions_boundary: Some(named("boundary", KMS_S3, PolicyType::PermissionsBoundary)),
        ..PolicySet::default()
    };
    let request = create_user();
    let decision = authorize(&request, &set);
    assert_eq!(
        decision.access_denied_message(&request).unwrap(),
        "User: arn:aws:iam::000000000000:user/alice is not authorized to perform: iam:CreateUser on resource: \
         arn:aws:iam::000000000000:user/bob because no permissions boundary allows the iam:CreateUser action"
    );
}

#[test]
fn an_explicit_deny_names_the_policy_and_statement() {
    let deny = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"},{"Sid":"NoIam","Effect":"Deny","Action":"iam:*","Resource":"*"}]}"#;
    let set = PolicySet {
        identity_policies: vec![named("p1", deny, PolicyType::Identity)],
        ..PolicySet::default()
    };
    let decision = authorize(&create_user(), &set);
    assert_eq!(
        decision.denial_reason().unwrap(),
        "with an explicit deny in an identity-based policy"
    );
    let statement = &decision.matched_statements[0];
    assert_eq!(
        (
            statement.policy_id.as_str(),
            statement.sid.as_deref(),
            statement.index
        ),
        ("p1", Some("NoIam"), 1)
    );
}

#[test]
fn an_scp_deny_names_the_service_control_policy() {
    let deny_kms = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"kms:*","Resource":"*"}]}"#;
    let set = PolicySet {
        identity_policies: vec![named("admin", ADMIN, PolicyType::Identity)],
        service_control_policies: Some(OrganizationPolicies {
            levels: vec![vec![
                named("FullAWSAccess", ADMIN, PolicyType::ServiceControl),
                named("DenyKms", deny_kms, PolicyType::ServiceControl),
            ]],
            management_account: false,
        }),
        ..PolicySet::default()
    };
    let request = Request::new(alice(), "kms:ListKeys", "*").unwrap();
    assert_eq!(
        authorize(&request, &set).denial_reason().unwrap(),
        "with an explicit deny in a service control policy"
    );
}

#[test]
fn a_missing_scp_allow_names_the_service_control_policy() {
    let set = PolicySet {
        identity_policies: vec![named("admin", ADMIN, PolicyType::Identity)],
        service_control_policies: Some(OrganizationPolicies {
            levels: vec![vec![]],
            management_account: false,
        }),
        ..PolicySet::default()
    };
    assert_eq!(
        authorize(&create_user(), &set).denial_reason().unwrap(),
        "because no service control policy allows the iam:CreateUser action"
    );
}

#[test]
fn an_allowed_decision_has_no_denial_reason_and_lists_its_statements() {
    let set = PolicySet {
        identity_policies: vec![named("admin", ADMIN, PolicyType::Identity)],
        ..PolicySet::default()
    };
    let decision = authorize(&create_user(), &set);
    assert!(decision.is_allowed());
    assert_eq!(decision.denial_reason(), None);
    assert_eq!(decision.matched_statements[0].sid.as_deref(), Some("Admin"));
}

#[test]
fn the_simulator_reports_missing_context_values() {
    let conditional = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:*","Resource":"*","Condition":{"IpAddress":{"aws:SourceIp":"203.0.113.0/24"},"Bool":{"aws:MultiFactorAuthPresent":"true"}}}]}"#;
    let set = PolicySet {
        identity_policies: vec![named("p", conditional, PolicyType::Identity)],
        ..PolicySet::default()
    };
    let request =
        create_user().with_context(RequestContext::new().with("aws:SourceIp", "203.0.113.5"));
    let result = simulate(&request, &set);
    assert_eq!(result.eval_decision, EvalDecision::ImplicitDeny);
    assert_eq!(result.eval_decision.as_str(), "implicitDeny");
    assert_eq!(
        result.missing_context_values,
        vec!["aws:MultiFactorAuthPresent".to_string()]
    );
}

#[test]
fn the_simulator_reports_boundary_and_organizations_details() {
    let set = PolicySet {
        identity_policies: vec![named("admin", ADMIN, PolicyType::Identity)],
        permissions_boundary: Some(named("boundary", KMS_S3, PolicyType::PermissionsBoundary)),
        service_control_policies: Some(OrganizationPolicies {
            levels: vec![vec![named(
                "FullAWSAccess",
                ADMIN,
                PolicyType::ServiceControl,
            )]],
            management_account: false,
        }),
        ..PolicySet::default()
    };
    let result = simulate(&create_user(), &set);
    assert_eq!(result.allowed_by_permissions_boundary, Some(false));
    assert_eq!(result.allowed_by_organizations, Some(true));
}

#[test]
fn typed_context_entries_refuse_values_of_the_wrong_type() {
    use policy::context::ContextKeyType;
    let mut context = RequestContext::new();
    assert!(context
        .insert_typed("aws:SourceIp", ContextKeyType::Ip, vec!["not-an-ip".into()])
        .is_err());
    assert!(context
        .insert_typed(
            "aws:SourceIp",
            ContextKeyType::Ip,
            vec!["203.0.113.1".into()]
        )
        .is_ok());
    assert!(context
        .insert_typed(
            "aws:CurrentTime",
            ContextKeyType::Date,
            vec!["2020-13-01".into()]
        )
        .is_err());
}

#[test]
fn a_request_needs_a_service_prefixed_action() {
    assert!(Request::new(alice(), "CreateUser", "*").is_err());
}

#[test]
fn a_policy_set_reads_the_keys_of_its_conditions_and_resource_variables() {
    let plain = named("plain", r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"kms:*","Resource":"*"}]}"#, PolicyType::Identity);
    let conditioned = named(
        "conditioned",
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"kms:*","Resource":"*","Condition":{"Bool":{"aws:SecureTransport":"true"}}}]}"#,
        PolicyType::Identity,
    );
    let variable = named(
        "variable",
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"arn:aws:s3:::home/${aws:username}/*"}]}"#,
        PolicyType::Identity,
    );
    let old_version = named(
        "literal",
        r#"{"Version":"2008-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"arn:aws:s3:::home/${aws:username}/*"}]}"#,
        PolicyType::Identity,
    );
    let set = |policy: &NamedPolicy| PolicySet { identity_policies: vec![plain.clone(), policy.clone()], ..PolicySet::default() };
    assert!(set(&plain).context_keys().is_empty());
    assert!(set(&old_version).context_keys().is_empty(), "variables are literal text before 2012-10-17");
    assert_eq!(set(&conditioned).context_keys(), ["aws:SecureTransport"]);
    assert_eq!(set(&variable).context_keys(), ["aws:username"]);
    let boundary = PolicySet {
        identity_policies: vec![variable.clone()],
        permissions_boundary: Some(conditioned),
        session_policies: Some(vec![named(
            "session",
            r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*","Condition":{"StringEquals":{"AWS:UserName":"alice"}}}]}"#,
            PolicyType::Session,
        )]),
        ..PolicySet::default()
    };
    assert_eq!(boundary.context_keys(), ["aws:username", "aws:SecureTransport"], "each key once, whatever its case");
}
