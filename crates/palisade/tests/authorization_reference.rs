//! Operations of services that declare no resources of their own are authorized on the ARNs the
//! Service Authorization Reference gives their action, filled from the request, end to end with
//! the aws CLI.

mod support;

use support::{error_text, Server};

const DETECTOR_ABC: &str = "arn:aws:guardduty:us-east-1:000000000000:detector/abc";

fn user_allowed(server: &Server, name: &str, action: &str, resource: &str) -> (String, String) {
    server.aws_json(&["iam", "create-user", "--user-name", name]);
    let document = format!(r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Action":"{action}","Resource":"{resource}"}}]}}"#);
    server.aws(&["iam", "put-user-policy", "--user-name", name, "--policy-name", "scoped", "--policy-document", &document]);
    let key = server.aws_json(&["iam", "create-access-key", "--user-name", name]);
    (
        key["AccessKey"]["AccessKeyId"].as_str().unwrap().to_owned(),
        key["AccessKey"]["SecretAccessKey"].as_str().unwrap().to_owned(),
    )
}

fn is_access_denied(text: &str) -> bool {
    text.contains("AccessDenied")
}

#[test]
fn get_detector_is_allowed_on_the_detector_the_policy_names() {
    let server = Server::start(&["--ephemeral"]);
    let (id, secret) = user_allowed(&server, "analyst", "guardduty:GetDetector", DETECTOR_ABC);
    let out = server.aws_as(&id, &secret, &["guardduty", "get-detector", "--detector-id", "abc"]);
    let text = error_text(&out);
    assert!(!is_access_denied(&text), "{text}");
}

#[test]
fn get_detector_is_denied_on_another_detector_naming_its_arn() {
    let server = Server::start(&["--ephemeral"]);
    let (id, secret) = user_allowed(&server, "analyst", "guardduty:GetDetector", DETECTOR_ABC);
    let out = server.aws_as(&id, &secret, &["guardduty", "get-detector", "--detector-id", "xyz"]);
    let text = error_text(&out);
    assert!(text.contains("AccessDeniedException"), "{text}");
    assert!(
        text.contains(
            "User: arn:aws:iam::000000000000:user/analyst is not authorized to perform: guardduty:GetDetector on resource: arn:aws:guardduty:us-east-1:000000000000:detector/xyz"
        ),
        "{text}"
    );
}

#[test]
fn a_member_holding_the_resource_arn_names_the_resource() {
    let server = Server::start(&["--ephemeral"]);
    let mine = "arn:aws:inspector2:us-east-1:000000000000:owner/000000000000/filter/mine";
    let theirs = "arn:aws:inspector2:us-east-1:000000000000:owner/000000000000/filter/theirs";
    let (id, secret) = user_allowed(&server, "triage", "inspector2:UpdateFilter", mine);
    let allowed = server.aws_as(&id, &secret, &["inspector2", "update-filter", "--filter-arn", mine]);
    assert!(!is_access_denied(&error_text(&allowed)), "{}", error_text(&allowed));
    let denied = error_text(&server.aws_as(&id, &secret, &["inspector2", "update-filter", "--filter-arn", theirs]));
    assert!(denied.contains(&format!("inspector2:UpdateFilter on resource: {theirs}")), "{denied}");
}

#[test]
fn the_security_hub_of_a_region_is_named_by_the_request_region() {
    let server = Server::start(&["--ephemeral"]);
    let hub = "arn:aws:securityhub:us-east-1:000000000000:hub/default";
    let (id, secret) = user_allowed(&server, "auditor", "securityhub:DescribeHub", hub);
    let allowed = server.aws_as(&id, &secret, &["securityhub", "describe-hub"]);
    assert!(!is_access_denied(&error_text(&allowed)), "{}", error_text(&allowed));
    let denied = error_text(&server.aws_as(&id, &secret, &["securityhub", "describe-hub", "--region", "us-west-2"]));
    assert!(denied.contains("securityhub:DescribeHub on resource: arn:aws:securityhub:us-west-2:000000000000:hub/default"), "{denied}");
}

#[test]
fn an_action_on_no_resource_type_is_judged_on_star() {
    let server = Server::start(&["--ephemeral"]);
    let (id, secret) = user_allowed(&server, "lister", "guardduty:GetDetector", DETECTOR_ABC);
    let denied = error_text(&server.aws_as(&id, &secret, &["guardduty", "list-detectors"]));
    assert!(denied.contains("guardduty:ListDetectors on resource: *"), "{denied}");
}

#[test]
fn create_key_with_a_request_tag_condition_allows_only_the_named_tag() {
    let server = Server::start(&["--ephemeral"]);
    server.aws_json(&["iam", "create-user", "--user-name", "builder"]);
    let document = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["kms:CreateKey","kms:TagResource"],"Resource":"*","Condition":{"StringEquals":{"aws:RequestTag/team":"blue"},"ForAllValues:StringEquals":{"aws:TagKeys":["team"]}}}]}"#;
    server.aws(&["iam", "put-user-policy", "--user-name", "builder", "--policy-name", "tagged", "--policy-document", document]);
    let key = server.aws_json(&["iam", "create-access-key", "--user-name", "builder"]);
    let (id, secret) = (key["AccessKey"]["AccessKeyId"].as_str().unwrap(), key["AccessKey"]["SecretAccessKey"].as_str().unwrap());
    let blue = server.aws_as(id, secret, &["kms", "create-key", "--tags", "TagKey=team,TagValue=blue"]);
    assert!(blue.status.success(), "{}", error_text(&blue));
    let red = error_text(&server.aws_as(id, secret, &["kms", "create-key", "--tags", "TagKey=team,TagValue=red"]));
    assert!(red.contains("kms:CreateKey") && is_access_denied(&red), "{red}");
    let untagged = error_text(&server.aws_as(id, secret, &["kms", "create-key"]));
    assert!(is_access_denied(&untagged), "{untagged}");
    let extra = error_text(&server.aws_as(id, secret, &["kms", "create-key", "--tags", "TagKey=team,TagValue=blue", "TagKey=cost,TagValue=1"]));
    assert!(is_access_denied(&extra), "{extra}");
}
