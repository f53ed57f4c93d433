//! Every MalformedPolicyDocument message the parser produces, one test each, plus the
//! size quotas and the Version rules of reference_policies_elements_version.md.

use policy::parser::{check_policy_size, PolicySizeLimit};
use policy::{parse_policy, PolicyError, PolicyType};

fn message(text: &str, policy_type: PolicyType) -> String {
    match parse_policy(text, policy_type) {
        Err(PolicyError::MalformedPolicyDocument(m)) => m,
        other => panic!("expected MalformedPolicyDocument, got {other:?}"),
    }
}

const OK_STATEMENT: &str = r#"{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}"#;

fn doc(statement: &str) -> String {
    format!(r#"{{"Version":"2012-10-17","Statement":[{statement}]}}"#)
}

#[test]
fn invalid_json_is_a_syntax_error() {
    assert_eq!(
        message("{not json", PolicyType::Identity),
        "Syntax errors in policy."
    );
}

#[test]
fn a_document_that_is_not_an_object_is_a_syntax_error() {
    assert_eq!(
        message("[]", PolicyType::Identity),
        "Syntax errors in policy."
    );
}

#[test]
fn an_unknown_version_is_a_syntax_error() {
    let text = format!(r#"{{"Version":"2012-10-18","Statement":[{OK_STATEMENT}]}}"#);
    assert_eq!(
        message(&text, PolicyType::Identity),
        "Syntax errors in policy."
    );
}

#[test]
fn an_unknown_top_level_field_is_named() {
    let text = format!(r#"{{"Version":"2012-10-17","Foo":1,"Statement":[{OK_STATEMENT}]}}"#);
    assert_eq!(message(&text, PolicyType::Identity), "Unknown field Foo");
}

#[test]
fn an_unknown_statement_field_is_named() {
    let text = doc(r#"{"Effect":"Allow","Action":"s3:*","Resource":"*","Foo":"x"}"#);
    assert_eq!(message(&text, PolicyType::Identity), "Unknown field Foo");
}

#[test]
fn a_missing_statement_is_reported() {
    assert_eq!(
        message(r#"{"Version":"2012-10-17"}"#, PolicyType::Identity),
        "Missing required field Statement"
    );
}

#[test]
fn an_empty_statement_list_is_a_syntax_error() {
    assert_eq!(
        message(
            r#"{"Version":"2012-10-17","Statement":[]}"#,
            PolicyType::Identity
        ),
        "Syntax errors in policy."
    );
}

#[test]
fn a_single_statement_object_is_accepted() {
    let text = format!(r#"{{"Version":"2012-10-17","Statement":{OK_STATEMENT}}}"#);
    assert_eq!(
        parse_policy(&text, PolicyType::Identity)
            .unwrap()
            .statements
            .len(),
        1
    );
}

#[test]
fn a_missing_effect_is_reported() {
    assert_eq!(
        message(
            &doc(r#"{"Action":"s3:*","Resource":"*"}"#),
            PolicyType::Identity
        ),
        "Missing required field Effect"
    );
}

#[test]
fn an_effect_other_than_allow_or_deny_is_a_syntax_error() {
    assert_eq!(
        message(
            &doc(r#"{"Effect":"allow","Action":"s3:*","Resource":"*"}"#),
            PolicyType::Identity
        ),
        "Syntax errors in policy."
    );
}

#[test]
fn a_statement_without_actions_is_refused() {
    assert_eq!(
        message(
            &doc(r#"{"Effect":"Allow","Resource":"*"}"#),
            PolicyType::Identity
        ),
        "Policy statement must contain actions."
    );
}

#[test]
fn an_empty_action_list_is_refused() {
    assert_eq!(
        message(
            &doc(r#"{"Effect":"Allow","Action":[],"Resource":"*"}"#),
            PolicyType::Identity
        ),
        "Policy statement must contain actions."
    );
}

#[test]
fn both_action_and_not_action_is_a_syntax_error() {
    let text = doc(r#"{"Effect":"Allow","Action":"s3:*","NotAction":"iam:*","Resource":"*"}"#);
    assert_eq!(
        message(&text, PolicyType::Identity),
        "Syntax errors in policy."
    );
}

#[test]
fn an_action_without_a_vendor_is_refused() {
    let text = doc(r#"{"Effect":"Allow","Action":"GetObject","Resource":"*"}"#);
    assert_eq!(
        message(&text, PolicyType::Identity),
        "Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc."
    );
}

#[test]
fn an_identity_statement_without_resources_is_refused() {
    assert_eq!(
        message(
            &doc(r#"{"Effect":"Allow","Action":"s3:*"}"#),
            PolicyType::Identity
        ),
        "Policy statement must contain resources."
    );
}

#[test]
fn a_resource_policy_statement_without_resources_is_refused() {
    let text = doc(r#"{"Effect":"Allow","Principal":"*","Action":"s3:*"}"#);
    assert_eq!(
        message(&text, PolicyType::Resource),
        "Missing required field Resource"
    );
}

#[test]
fn a_resource_that_is_not_an_arn_is_refused_by_name() {
    let text = doc(r#"{"Effect":"Allow","Action":"s3:*","Resource":"mybucket"}"#);
    assert_eq!(
        message(&text, PolicyType::Identity),
        "Resource mybucket must be in ARN format or \"*\"."
    );
}

#[test]
fn a_resource_that_is_not_an_arn_fails_legacy_parsing_without_version() {
    let text = r#"{"Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"mybucket"}]}"#;
    assert_eq!(
        message(text, PolicyType::Identity),
        "The policy failed legacy parsing"
    );
}

#[test]
fn an_identity_policy_should_not_specify_a_principal() {
    let text = doc(r#"{"Effect":"Allow","Principal":"*","Action":"s3:*","Resource":"*"}"#);
    assert_eq!(
        message(&text, PolicyType::Identity),
        "Policy document should not specify a principal."
    );
}

#[test]
fn a_permissions_boundary_should_not_specify_a_principal() {
    let text = doc(
        r#"{"Effect":"Allow","Principal":{"AWS":"111122223333"},"Action":"s3:*","Resource":"*"}"#,
    );
    assert_eq!(
        message(&text, PolicyType::PermissionsBoundary),
        "Policy document should not specify a principal."
    );
}

#[test]
fn a_session_policy_should_not_specify_a_principal() {
    let text = doc(
        r#"{"Effect":"Deny","NotPrincipal":{"AWS":"111122223333"},"Action":"s3:*","Resource":"*"}"#,
    );
    assert_eq!(
        message(&text, PolicyType::Session),
        "Policy document should not specify a principal."
    );
}

#[test]
fn a_resource_policy_requires_a_principal() {
    assert_eq!(
        message(&doc(OK_STATEMENT), PolicyType::Resource),
        "Missing required field Principal"
    );
}

#[test]
fn a_trust_policy_requires_a_principal() {
    assert_eq!(
        message(
            &doc(r#"{"Effect":"Allow","Action":"sts:AssumeRole"}"#),
            PolicyType::Trust
        ),
        "Missing required field Principal"
    );
}

#[test]
fn a_key_policy_requires_a_principal() {
    assert_eq!(
        message(&doc(OK_STATEMENT), PolicyType::KeyPolicy),
        "Missing required field Principal"
    );
}

#[test]
fn a_trust_policy_has_no_resource() {
    let text = doc(
        r#"{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole","Resource":"*"}"#,
    );
    assert_eq!(
        message(&text, PolicyType::Trust),
        "Has prohibited field Resource"
    );
}

#[test]
fn a_trust_policy_has_no_not_resource() {
    let text = doc(
        r#"{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole","NotResource":"*"}"#,
    );
    assert_eq!(
        message(&text, PolicyType::Trust),
        "Has prohibited field NotResource"
    );
}

#[test]
fn an_unknown_principal_type_is_invalid() {
    let text =
        doc(r#"{"Effect":"Allow","Principal":{"Nobody":"x"},"Action":"s3:*","Resource":"*"}"#);
    assert_eq!(
        message(&text, PolicyType::Resource),
        "Invalid principal in policy: \"Nobody\""
    );
}

#[test]
fn a_malformed_aws_principal_is_invalid() {
    let text =
        doc(r#"{"Effect":"Allow","Principal":{"AWS":"alice"},"Action":"s3:*","Resource":"*"}"#);
    assert_eq!(
        message(&text, PolicyType::Resource),
        "Invalid principal in policy: \"AWS\":\"alice\""
    );
}

#[test]
fn not_principal_with_allow_is_refused() {
    let text = doc(
        r#"{"Effect":"Allow","NotPrincipal":{"AWS":"111122223333"},"Action":"s3:*","Resource":"*"}"#,
    );
    assert_eq!(
        message(&text, PolicyType::Resource),
        "Syntax errors in policy."
    );
}

#[test]
fn an_unknown_condition_operator_is_named() {
    let text = doc(
        r#"{"Effect":"Allow","Action":"s3:*","Resource":"*","Condition":{"StringEqual":{"aws:username":"a"}}}"#,
    );
    assert_eq!(
        message(&text, PolicyType::Identity),
        "Invalid Condition type : StringEqual"
    );
}

#[test]
fn null_with_if_exists_is_not_an_operator() {
    let text = doc(
        r#"{"Effect":"Allow","Action":"s3:*","Resource":"*","Condition":{"NullIfExists":{"aws:username":"true"}}}"#,
    );
    assert_eq!(
        message(&text, PolicyType::Identity),
        "Invalid Condition type : NullIfExists"
    );
}

#[test]
fn a_condition_key_without_a_vendor_is_refused() {
    let text = doc(
        r#"{"Effect":"Allow","Action":"s3:*","Resource":"*","Condition":{"StringEquals":{"username":"a"}}}"#,
    );
    assert_eq!(
        message(&text, PolicyType::Identity),
        "Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc."
    );
}

#[test]
fn a_condition_value_object_is_a_syntax_error() {
    let text = doc(
        r#"{"Effect":"Allow","Action":"s3:*","Resource":"*","Condition":{"StringEquals":{"aws:username":{"a":1}}}}"#,
    );
    assert_eq!(
        message(&text, PolicyType::Identity),
        "Syntax errors in policy."
    );
}

#[test]
fn duplicate_sids_are_refused() {
    let text = doc(
        r#"{"Sid":"A","Effect":"Allow","Action":"s3:*","Resource":"*"},{"Sid":"A","Effect":"Deny","Action":"s3:*","Resource":"*"}"#,
    );
    assert_eq!(
        message(&text, PolicyType::Identity),
        "Statement IDs (SID) in a single policy must be unique."
    );
}

#[test]
fn a_sid_with_spaces_is_refused_in_identity_policies() {
    let text = doc(r#"{"Sid":"Allow all","Effect":"Allow","Action":"s3:*","Resource":"*"}"#);
    assert_eq!(
        message(&text, PolicyType::Identity),
        "Statement IDs (SID) must be alpha-numeric. Check that your input satisfies the regular expression [0-9A-Za-z]*"
    );
}

#[test]
fn a_sid_with_spaces_is_accepted_in_bucket_policies() {
    let text = doc(
        r#"{"Sid":"Allow all","Effect":"Allow","Principal":"*","Action":"s3:*","Resource":"*"}"#,
    );
    assert!(parse_policy(&text, PolicyType::Resource).is_ok());
}

#[test]
fn an_scp_with_a_principal_does_not_meet_the_policy_type() {
    let text = doc(r#"{"Effect":"Deny","Principal":"*","Action":"s3:*","Resource":"*"}"#);
    assert_eq!(
        message(&text, PolicyType::ServiceControl),
        "The provided policy document does not meet the requirements of the specified policy type."
    );
}

#[test]
fn an_scp_allow_with_not_resource_does_not_meet_the_policy_type() {
    let text = doc(r#"{"Effect":"Allow","Action":"s3:*","NotResource":"arn:aws:s3:::b"}"#);
    assert_eq!(
        message(&text, PolicyType::ServiceControl),
        "The provided policy document does not meet the requirements of the specified policy type."
    );
}

#[test]
fn an_rcp_must_apply_to_every_principal() {
    let text = doc(
        r#"{"Effect":"Deny","Principal":{"AWS":"111122223333"},"Action":"s3:*","Resource":"*"}"#,
    );
    assert_eq!(
        message(&text, PolicyType::ResourceControl),
        "The provided policy document does not meet the requirements of the specified policy type."
    );
}

#[test]
fn an_rcp_allow_other_than_full_access_is_refused() {
    let text = doc(r#"{"Effect":"Allow","Principal":"*","Action":"s3:*","Resource":"*"}"#);
    assert_eq!(
        message(&text, PolicyType::ResourceControl),
        "The provided policy document does not meet the requirements of the specified policy type."
    );
}

#[test]
fn rcp_full_aws_access_is_accepted() {
    let text = doc(r#"{"Effect":"Allow","Principal":"*","Action":"*","Resource":"*"}"#);
    assert!(parse_policy(&text, PolicyType::ResourceControl).is_ok());
}

#[test]
fn a_managed_policy_over_6144_characters_exceeds_the_quota() {
    let long = format!(
        r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Action":"s3:*","Resource":"arn:aws:s3:::{}"}}]}}"#,
        "a".repeat(6100)
    );
    let error = check_policy_size(&long, PolicySizeLimit::ManagedPolicy).unwrap_err();
    assert_eq!(error.code(), "LimitExceeded");
    assert_eq!(error.message(), "Cannot exceed quota for PolicySize: 6144");
}

#[test]
fn whitespace_does_not_count_towards_the_quota() {
    let padded = format!("{}{}", " \n\t".repeat(3000), doc(OK_STATEMENT));
    assert!(check_policy_size(&padded, PolicySizeLimit::InlineUserPolicy).is_ok());
}

#[test]
fn the_quotas_are_those_documented() {
    assert_eq!(PolicySizeLimit::ManagedPolicy.max_characters(), 6144);
    assert_eq!(PolicySizeLimit::InlineUserPolicy.max_characters(), 2048);
    assert_eq!(PolicySizeLimit::InlineRolePolicy.max_characters(), 10240);
    assert_eq!(PolicySizeLimit::InlineGroupPolicy.max_characters(), 5120);
    assert_eq!(PolicySizeLimit::TrustPolicy.max_characters(), 2048);
    assert_eq!(PolicySizeLimit::ServiceControlPolicy.max_characters(), 5120);
}

#[test]
fn a_trust_policy_over_its_quota_names_acl_size_per_role() {
    let long = format!(
        r#"{{"Statement":{{"Effect":"Allow","Principal":{{"Service":"{}.amazonaws.com"}},"Action":"sts:AssumeRole"}}}}"#,
        "x".repeat(2100)
    );
    assert_eq!(
        check_policy_size(&long, PolicySizeLimit::TrustPolicy)
            .unwrap_err()
            .message(),
        "Cannot exceed quota for ACLSizePerRole: 2048"
    );
}

#[test]
fn the_2008_version_is_accepted() {
    let text = format!(r#"{{"Version":"2008-10-17","Statement":[{OK_STATEMENT}]}}"#);
    assert!(!parse_policy(&text, PolicyType::Identity)
        .unwrap()
        .variables_enabled());
}

#[test]
fn condition_values_may_be_numbers_and_booleans() {
    let text = doc(
        r#"{"Effect":"Allow","Action":"s3:*","Resource":"*","Condition":{"NumericLessThan":{"s3:max-keys":10},"Bool":{"aws:SecureTransport":true}}}"#,
    );
    assert_eq!(
        parse_policy(&text, PolicyType::Identity)
            .unwrap()
            .statements[0]
            .conditions
            .len(),
        2
    );
}
