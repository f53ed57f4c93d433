use serde_json::json;

use super::*;

const REGION: &str = "us-east-1";
const ACCOUNT: &str = "111122223333";

fn action(name: &str) -> &'static Action {
    AuthorizationReference::get().action(name).unwrap_or_else(|| panic!("{name} is in the reference"))
}

#[test]
fn get_detector_is_a_read_action_on_a_required_detector() {
    let get_detector = action("guardduty:GetDetector");
    assert_eq!(get_detector.name, "guardduty:GetDetector");
    assert_eq!(get_detector.access_levels, [AccessLevel::Read]);
    let [detector] = get_detector.resources.as_slice() else { panic!("one resource type") };
    assert!(detector.required);
    assert_eq!(detector.resource_type.name, "detector");
    assert_eq!(detector.resource_type.arn_template, "arn:${Partition}:guardduty:${Region}:${Account}:detector/${DetectorId}");
    assert_eq!(detector.resource_type.condition_keys, ["aws:ResourceTag/${TagKey}"]);
}

#[test]
fn tagging_actions_are_also_write_actions() {
    assert_eq!(action("guardduty:TagResource").access_levels, [AccessLevel::Tagging, AccessLevel::Write]);
}

#[test]
fn action_names_are_case_insensitive() {
    assert_eq!(action("GUARDDUTY:getdetector").name, "guardduty:GetDetector");
}

#[test]
fn unknown_actions_are_not_in_the_reference() {
    assert!(AuthorizationReference::get().action("guardduty:GetEverything").is_none());
    assert!(AuthorizationReference::get().action("nosuchservice:GetDetector").is_none());
}

#[test]
fn actions_carry_their_condition_keys() {
    assert!(action("kms:Decrypt").condition_keys.contains(&"kms:EncryptionContextKeys"));
    assert!(action("guardduty:CreateDetector").condition_keys.contains(&"aws:TagKeys"));
}

#[test]
fn actions_named_unlike_their_operation_are_kept() {
    assert_eq!(action("lambda:InvokeFunction").resources[0].resource_type.name, "function");
}

#[test]
fn the_detector_arn_is_filled_from_the_detector_id() {
    let arns = action("guardduty:GetDetector").resource_arns(REGION, ACCOUNT, &json!({ "DetectorId": "abc" }));
    assert_eq!(arns, ["arn:aws:guardduty:us-east-1:111122223333:detector/abc"]);
}

#[test]
fn every_placeholder_of_a_nested_resource_is_filled() {
    let input = json!({ "DetectorId": "abc", "FilterName": "quiet" });
    let arns = action("guardduty:GetFilter").resource_arns(REGION, ACCOUNT, &input);
    assert_eq!(arns, ["arn:aws:guardduty:us-east-1:111122223333:detector/abc/filter/quiet"]);
}

#[test]
fn members_match_placeholders_in_any_case() {
    let arns = action("guardduty:GetDetector").resource_arns(REGION, ACCOUNT, &json!({ "detectorId": "abc" }));
    assert_eq!(arns, ["arn:aws:guardduty:us-east-1:111122223333:detector/abc"]);
}

#[test]
fn a_placeholder_with_a_name_suffix_is_filled_from_the_bare_member() {
    let template = "arn:${Partition}:s3:::${BucketName}";
    assert_eq!(fill(template, REGION, ACCOUNT, &json!({ "Bucket": "logs" })).as_deref(), Some("arn:aws:s3:::logs"));
}

#[test]
fn a_member_holding_the_resource_arn_names_it_as_it_is() {
    let hub = "arn:aws:securityhub:eu-west-1:444455556666:hub/default";
    let template = "arn:${Partition}:securityhub:${Region}:${Account}:hub/default";
    assert_eq!(fill(template, REGION, ACCOUNT, &json!({ "HubArn": hub })).as_deref(), Some(hub));
}

#[test]
fn an_arn_of_another_resource_type_fills_nothing() {
    let template = "arn:${Partition}:guardduty:${Region}:${Account}:detector/${DetectorId}";
    let input = json!({ "DetectorId": "arn:aws:kms:us-east-1:111122223333:key/1" });
    assert_eq!(fill(template, REGION, ACCOUNT, &input), None);
}

#[test]
fn a_resource_the_request_does_not_name_is_judged_as_star() {
    let arns = action("guardduty:GetDetector").resource_arns(REGION, ACCOUNT, &json!({}));
    assert_eq!(arns, ["*"]);
}

#[test]
fn an_action_without_resource_types_is_judged_on_star() {
    let arns = action("guardduty:ListDetectors").resource_arns(REGION, ACCOUNT, &json!({ "MaxResults": 5 }));
    assert_eq!(arns, ["*"]);
}

#[test]
fn a_resource_named_by_region_and_account_alone_is_always_filled() {
    let arns = action("securityhub:DescribeHub").resource_arns(REGION, ACCOUNT, &json!({}));
    assert_eq!(arns, ["arn:aws:securityhub:us-east-1:111122223333:hub/default"]);
}

#[test]
fn arns_match_templates_segment_by_segment() {
    let template = "arn:${Partition}:guardduty:${Region}:${Account}:detector/${DetectorId}";
    assert!(is_instance_of("arn:aws:guardduty:us-east-1:111122223333:detector/abc", template));
    assert!(!is_instance_of("arn:aws:guardduty:us-east-1:111122223333:detector/", template));
    assert!(!is_instance_of("arn:aws:guardduty:us-east-1:111122223333:filter/abc", template));
    assert!(!is_instance_of("arn:aws:guardduty:us-east-1:111122223333:extra:detector/abc", template));
}

#[test]
fn the_last_placeholder_takes_the_rest_of_the_arn() {
    let template = "arn:${Partition}:ssm:${Region}:${Account}:parameter/${ParameterNameWithoutLeadingSlash}";
    assert!(is_instance_of("arn:aws:ssm:us-east-1:111122223333:parameter/app/db:password", template));
}
