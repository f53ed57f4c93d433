//! awsQuery and ec2Query behaviour on the vendored models: the documented request forms and
//! the exact response envelopes clients see.

use http::{HeaderMap, HeaderValue};
use serde_json::{json, Value};
use wire::{
    protocol::{self, HttpRequest, Protocol},
    service_by_id, ApiError,
};

fn form_headers() -> HeaderMap {
    let mut headers = HeaderMap::new();
    headers.insert(http::header::CONTENT_TYPE, HeaderValue::from_static("application/x-www-form-urlencoded; charset=utf-8"));
    headers
}

fn decode(service: &str, protocol: Protocol, operation: &str, body: &str) -> Result<Value, ApiError> {
    let model = service_by_id(service).unwrap().model();
    let headers = form_headers();
    let request = HttpRequest { method: "POST", path: "/", query: "", headers: &headers, body: body.as_bytes() };
    protocol::decode_request(model, protocol, model.operation(operation).unwrap(), &request)
}

#[test]
fn sts_get_caller_identity_answers_in_the_documented_envelope() {
    let model = service_by_id("sts").unwrap().model();
    let operation = model.operation("GetCallerIdentity").unwrap();
    let output = json!({"Arn": "arn:aws:iam::000000000000:root", "UserId": "000000000000", "Account": "000000000000"});
    let response = protocol::encode_response(model, Protocol::Query, operation, &output, "req-1");
    assert_eq!(response.status, 200);
    assert_eq!(response.header("Content-Type"), Some("text/xml"));
    // Members follow the model's declaration order as the vendored model keeps it (sorted);
    // AWS's own order (Arn, UserId, Account) is not in the model and no SDK depends on it.
    assert_eq!(
        String::from_utf8(response.body).unwrap(),
        "<GetCallerIdentityResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\">\
         <GetCallerIdentityResult><Account>000000000000</Account><Arn>arn:aws:iam::000000000000:root</Arn>\
         <UserId>000000000000</UserId></GetCallerIdentityResult>\
         <ResponseMetadata><RequestId>req-1</RequestId></ResponseMetadata></GetCallerIdentityResponse>"
    );
}

#[test]
fn operations_without_output_answer_with_response_metadata_only() {
    let model = service_by_id("iam").unwrap().model();
    let response = protocol::encode_response(model, Protocol::Query, model.operation("DeleteUser").unwrap(), &json!({}), "r");
    assert_eq!(
        String::from_utf8(response.body).unwrap(),
        "<DeleteUserResponse xmlns=\"https://iam.amazonaws.com/doc/2010-05-08/\"><ResponseMetadata><RequestId>r</RequestId></ResponseMetadata></DeleteUserResponse>"
    );
}

#[test]
fn query_timestamps_are_iso8601_with_milliseconds_only_when_present() {
    let model = service_by_id("sts").unwrap().model();
    let output = json!({"Credentials": {"AccessKeyId": "AKIA", "SecretAccessKey": "s", "SessionToken": "t", "Expiration": 1576540098.5}});
    let response = protocol::encode_response(model, Protocol::Query, model.operation("GetSessionToken").unwrap(), &output, "r");
    let body = String::from_utf8(response.body).unwrap();
    assert!(body.contains("<Expiration>2019-12-16T23:48:18.500Z</Expiration>"), "{body}");
}

#[test]
fn query_errors_carry_type_code_message_and_request_id() {
    let model = service_by_id("iam").unwrap().model();
    let error = ApiError::new("NoSuchEntity", 404, "The user with name bob cannot be found.");
    let response = protocol::encode_error(Some(model), Protocol::Query, &error, "r");
    assert_eq!(response.status, 404);
    assert_eq!(
        String::from_utf8(response.body).unwrap(),
        "<ErrorResponse xmlns=\"https://iam.amazonaws.com/doc/2010-05-08/\"><Error><Type>Sender</Type>\
         <Code>NoSuchEntity</Code><Message>The user with name bob cannot be found.</Message></Error>\
         <RequestId>r</RequestId></ErrorResponse>"
    );
}

#[test]
fn error_messages_are_escaped() {
    let error = ApiError::new("ValidationError", 400, "Value '<a&b>' is invalid");
    let response = protocol::encode_error(None, Protocol::Query, &error, "r");
    assert!(String::from_utf8(response.body).unwrap().contains("<Message>Value '&lt;a&amp;b&gt;' is invalid</Message>"));
}

#[test]
fn query_lists_of_structures_and_tags_decode() {
    let input = decode(
        "iam",
        Protocol::Query,
        "CreateUser",
        "Action=CreateUser&Version=2010-05-08&UserName=bob&Path=%2Fteam%2F&Tags.member.1.Key=env&Tags.member.1.Value=prod&Tags.member.2.Key=team&Tags.member.2.Value=a+b",
    )
    .unwrap();
    assert_eq!(
        input,
        json!({"UserName": "bob", "Path": "/team/", "Tags": [{"Key": "env", "Value": "prod"}, {"Key": "team", "Value": "a b"}]})
    );
}

#[test]
fn query_list_items_are_ordered_by_index_not_by_arrival() {
    let input = decode("sns", Protocol::Query, "TagResource", "ResourceArn=arn&Tags.member.2.Key=b&Tags.member.2.Value=2&Tags.member.10.Key=c&Tags.member.10.Value=3&Tags.member.1.Key=a&Tags.member.1.Value=1").unwrap();
    let keys: Vec<&str> = input["Tags"].as_array().unwrap().iter().map(|t| t["Key"].as_str().unwrap()).collect();
    assert_eq!(keys, ["a", "b", "c"]);
}

#[test]
fn query_maps_decode_from_entry_key_value() {
    let input = decode(
        "sns",
        Protocol::Query,
        "CreateTopic",
        "Name=t&Attributes.entry.1.key=DisplayName&Attributes.entry.1.value=Hi&Attributes.entry.2.key=FifoTopic&Attributes.entry.2.value=false",
    )
    .unwrap();
    assert_eq!(input, json!({"Name": "t", "Attributes": {"DisplayName": "Hi", "FifoTopic": "false"}}));
}

#[test]
fn query_numbers_and_booleans_decode_to_json() {
    let input = decode("iam", Protocol::Query, "ListUsers", "MaxItems=5&Marker=m").unwrap();
    assert_eq!(input, json!({"MaxItems": 5, "Marker": "m"}));
    let input = decode("sts", Protocol::Query, "AssumeRole", "RoleArn=a&RoleSessionName=s&DurationSeconds=900").unwrap();
    assert_eq!(input["DurationSeconds"], json!(900));
}

#[test]
fn query_values_of_the_wrong_type_are_validation_errors() {
    let error = decode("iam", Protocol::Query, "ListUsers", "MaxItems=many").unwrap_err();
    assert_eq!((error.code.as_ref(), error.status), ("ValidationError", 400));
    assert!(error.message.contains("MaxItems"), "{}", error.message);
}

#[test]
fn malformed_percent_encoding_is_a_malformed_query_string() {
    let error = decode("iam", Protocol::Query, "ListUsers", "Marker=%zz").unwrap_err();
    assert_eq!(error.code, "MalformedQueryString");
    let error = decode("iam", Protocol::Query, "ListUsers", "Marker=%").unwrap_err();
    assert_eq!(error.code, "MalformedQueryString");
    let error = decode("iam", Protocol::Query, "ListUsers", "Marker=%C3%28").unwrap_err();
    assert_eq!(error.code, "MalformedQueryString");
}

#[test]
fn non_numeric_list_indices_are_refused() {
    let error = decode("sns", Protocol::Query, "TagResource", "ResourceArn=a&Tags.member.x.Key=k").unwrap_err();
    assert_eq!(error.code, "MalformedQueryString");
}

#[test]
fn get_requests_read_the_query_string() {
    let model = service_by_id("iam").unwrap().model();
    let headers = HeaderMap::new();
    let request = HttpRequest { method: "GET", path: "/", query: "Action=GetUser&Version=2010-05-08&UserName=al%20ice", headers: &headers, body: b"" };
    let input = protocol::decode_request(model, Protocol::Query, model.operation("GetUser").unwrap(), &request).unwrap();
    assert_eq!(input, json!({"UserName": "al ice"}));
}

#[test]
fn ec2_names_parameters_by_query_name_and_flattens_lists() {
    let input = decode(
        "ec2",
        Protocol::Ec2,
        "DescribeInstances",
        "Action=DescribeInstances&Version=2016-11-15&InstanceId.1=i-1&InstanceId.2=i-2&Filter.1.Name=tag%3Aenv&Filter.1.Value.1=prod&DryRun=true&MaxResults=5",
    )
    .unwrap();
    assert_eq!(
        input,
        json!({"InstanceIds": ["i-1", "i-2"], "Filters": [{"Name": "tag:env", "Values": ["prod"]}], "DryRun": true, "MaxResults": 5})
    );
}

#[test]
fn ec2_wrong_types_are_invalid_parameter_values() {
    let error = decode("ec2", Protocol::Ec2, "DescribeInstances", "MaxResults=lots").unwrap_err();
    assert_eq!(error.code, "InvalidParameterValue");
}

#[test]
fn ec2_responses_lead_with_request_id_and_name_list_items_item() {
    let model = service_by_id("ec2").unwrap().model();
    let output = json!({"SecurityGroups": [{"GroupId": "sg-1", "GroupName": "web"}]});
    let response = protocol::encode_response(model, Protocol::Ec2, model.operation("DescribeSecurityGroups").unwrap(), &output, "r");
    let body = String::from_utf8(response.body).unwrap();
    assert!(body.starts_with("<DescribeSecurityGroupsResponse xmlns=\"http://ec2.amazonaws.com/doc/2016-11-15/\"><requestId>r</requestId>"), "{body}");
    assert!(body.contains("<securityGroupInfo><item>"), "{body}");
    assert!(body.contains("<groupId>sg-1</groupId>"), "{body}");
}

#[test]
fn ec2_errors_use_the_response_errors_envelope() {
    let error = ApiError::new("InvalidGroup.NotFound", 400, "The security group 'sg-1' does not exist");
    let response = protocol::encode_error(None, Protocol::Ec2, &error, "r");
    assert_eq!(
        String::from_utf8(response.body).unwrap(),
        "<Response><Errors><Error><Code>InvalidGroup.NotFound</Code><Message>The security group 'sg-1' does not exist</Message></Error></Errors><RequestID>r</RequestID></Response>"
    );
}

#[test]
fn s3_errors_use_the_bare_error_form() {
    let error = ApiError::new("NoSuchBucket", 404, "The specified bucket does not exist").with_field("BucketName", "b");
    let response = protocol::encode_error(None, Protocol::RestXml, &error, "r");
    assert_eq!(response.status, 404);
    assert_eq!(
        String::from_utf8(response.body).unwrap(),
        "<Error><Code>NoSuchBucket</Code><Message>The specified bucket does not exist</Message><BucketName>b</BucketName><RequestId>r</RequestId></Error>"
    );
}

#[test]
fn s3_put_bucket_tagging_decodes_its_xml_payload() {
    let model = service_by_id("s3").unwrap().model();
    let headers = HeaderMap::new();
    let body = br#"<Tagging xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><TagSet><Tag><Key>a</Key><Value>1</Value></Tag></TagSet></Tagging>"#;
    let request = HttpRequest { method: "PUT", path: "/bucket", query: "tagging", headers: &headers, body };
    let input = protocol::decode_request(model, Protocol::RestXml, model.operation("PutBucketTagging").unwrap(), &request).unwrap();
    assert_eq!(input["Bucket"], json!("bucket"));
    assert_eq!(input["Tagging"], json!({"TagSet": [{"Key": "a", "Value": "1"}]}));
}

#[test]
fn s3_malformed_xml_is_refused_as_malformed_xml() {
    let model = service_by_id("s3").unwrap().model();
    let headers = HeaderMap::new();
    let body = br#"<!DOCTYPE x [<!ENTITY a "aaaa">]><Tagging>&a;</Tagging>"#;
    let request = HttpRequest { method: "PUT", path: "/bucket", query: "tagging", headers: &headers, body };
    let error = protocol::decode_request(model, Protocol::RestXml, model.operation("PutBucketTagging").unwrap(), &request).unwrap_err();
    assert_eq!((error.code.as_ref(), error.status), ("MalformedXML", 400));
}
