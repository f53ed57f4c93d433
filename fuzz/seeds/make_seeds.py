#!/usr/bin/env python3
"""Writes the seed inputs of every fuzz target into seeds/<target>/.

Each seed is one valid request in the target's input format (see the target's doc comment):
a selector byte that picks the operation or mode, then the body or a request written like
HTTP/1.1. SigV4 seeds carry real signatures (secret "test"), so the fuzzer starts from requests
that verify and mutates from there.

Run from anywhere: python3 fuzz/seeds/make_seeds.py
"""

import hashlib
import hmac
import json
import struct
from pathlib import Path
from urllib.parse import quote

SEEDS = Path(__file__).resolve().parent


def write(target, name, data):
    directory = SEEDS / target
    directory.mkdir(parents=True, exist_ok=True)
    (directory / name).write_bytes(data if isinstance(data, bytes) else data.encode())


def selected(selector, payload):
    return bytes([selector]) + (payload if isinstance(payload, bytes) else payload.encode())


def request(line, headers=(), body=""):
    """`METHOD target`, header lines and the body, as the targets read them."""
    text = line + "\n" + "".join(f"{name}: {value}\n" for name, value in headers) + "\n"
    return text.encode() + (body if isinstance(body, bytes) else body.encode())


def compact(value):
    return json.dumps(value, separators=(",", ":"))


def form(pairs):
    return "&".join(f"{quote(name, safe='')}={quote(str(value), safe='')}" for name, value in pairs)


# --- awsJson 1.1, KMS (order of OPERATIONS in aws_json_decode.rs) -----------------------------

KMS_KEY = "arn:aws:kms:us-east-1:000000000000:key/1234abcd-12ab-34cd-56ef-1234567890ab"


def aws_json_seeds():
    bodies = {
        0: ("encrypt", {"KeyId": "alias/app", "Plaintext": "aGVsbG8=", "EncryptionContext": {"purpose": "test"}, "EncryptionAlgorithm": "SYMMETRIC_DEFAULT"}),
        1: ("decrypt", {"CiphertextBlob": "AQIDBAUGBwg=", "KeyId": KMS_KEY, "GrantTokens": ["token"]}),
        2: ("create_key", {
            "Description": "app key",
            "KeyUsage": "ENCRYPT_DECRYPT",
            "KeySpec": "SYMMETRIC_DEFAULT",
            "Origin": "AWS_KMS",
            "MultiRegion": False,
            "Tags": [{"TagKey": "team", "TagValue": "security"}],
            "Policy": compact({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "kms:*", "Resource": "*"}]}),
        }),
        3: ("list_keys", {"Limit": 10, "Marker": "next"}),
        4: ("generate_data_key", {"KeyId": KMS_KEY, "NumberOfBytes": 32, "KeySpec": "AES_256"}),
        5: ("re_encrypt", {"CiphertextBlob": "AQIDBA==", "DestinationKeyId": "alias/other", "SourceEncryptionContext": {"a": "b"}}),
        7: ("create_grant", {
            "KeyId": KMS_KEY,
            "GranteePrincipal": "arn:aws:iam::000000000000:role/app",
            "Operations": ["Encrypt", "Decrypt"],
            "Constraints": {"EncryptionContextSubset": {"team": "security"}},
            "Name": "grant",
        }),
        9: ("schedule_key_deletion", {"KeyId": KMS_KEY, "PendingWindowInDays": 7}),
        10: ("sign", {"KeyId": KMS_KEY, "Message": "bWVzc2FnZQ==", "MessageType": "RAW", "SigningAlgorithm": "RSASSA_PSS_SHA_256"}),
    }
    for selector, (name, body) in bodies.items():
        write("aws_json_decode", name, selected(selector, compact(body)))
    write("aws_json_decode", "escapes_and_numbers", selected(3, '{"Limit": 1.0e1, "Marker": "\\u00e9\\ud83d\\ude00\\n"}'))


# --- restJson1, GuardDuty (low bit 0) and Lambda (low bit 1) ----------------------------------

JSON = ("content-type", "application/json")


def rest_json_seeds():
    seeds = {
        "guardduty_create_detector": (0, request("POST /detector", [JSON], compact({
            "enable": True, "findingPublishingFrequency": "FIFTEEN_MINUTES", "tags": {"team": "security"},
            "features": [{"name": "S3_DATA_EVENTS", "status": "ENABLED"}],
        }))),
        "guardduty_list_findings": (0, request("POST /detector/12abc34d567e8fa901bc2d34e56789f0/findings", [JSON], compact({
            "findingCriteria": {"criterion": {"severity": {"gte": 4}, "type": {"eq": ["Recon:EC2/PortProbeUnprotectedPort"]}}},
            "sortCriteria": {"attributeName": "severity", "orderBy": "DESC"},
            "maxResults": 10,
        }))),
        "guardduty_list_detectors": (0, request("GET /detector?maxResults=5&nextToken=abc")),
        "guardduty_tag_resource": (0, request(
            "POST /tags/arn%3Aaws%3Aguardduty%3Aus-east-1%3A000000000000%3Adetector%2F12abc34d567e8fa901bc2d34e56789f0", [JSON], compact({"tags": {"a": "b"}}))),
        "lambda_invoke": (1, request(
            "POST /2015-03-31/functions/my-function/invocations?Qualifier=1",
            [("X-Amz-Invocation-Type", "RequestResponse"), ("X-Amz-Log-Type", "Tail"), ("X-Amz-Client-Context", "eyJjdXN0b20iOnt9fQ==")],
            compact({"key": "value"}))),
        "lambda_create_function": (1, request("POST /2015-03-31/functions", [JSON], compact({
            "FunctionName": "my-function", "Runtime": "python3.12", "Role": "arn:aws:iam::000000000000:role/lambda",
            "Handler": "app.handler", "Code": {"ZipFile": "UEsDBBQAAAAIAA=="}, "Timeout": 30, "MemorySize": 256,
            "Environment": {"Variables": {"STAGE": "test"}}, "Tags": {"team": "security"}, "Architectures": ["arm64"],
        }))),
        "lambda_list_functions": (1, request("GET /2015-03-31/functions?MaxItems=10&Marker=abc&FunctionVersion=ALL")),
        "lambda_add_permission": (1, request("POST /2015-03-31/functions/my-function/policy", [JSON], compact({
            "StatementId": "s3-invoke", "Action": "lambda:InvokeFunction", "Principal": "s3.amazonaws.com",
            "SourceArn": "arn:aws:s3:::bucket",
        }))),
        "lambda_update_configuration": (1, request("PUT /2015-03-31/functions/my-function/configuration", [JSON], compact({
            "Timeout": 60, "VpcConfig": {"SubnetIds": ["subnet-1"], "SecurityGroupIds": ["sg-1"]}, "Layers": ["arn:aws:lambda:us-east-1:000000000000:layer:l:1"],
        }))),
        # Bit 1 set: decoded as the operation the remaining bits pick (Lambda PutFunctionConcurrency).
        "lambda_forced_put_concurrency": ((8 << 2) | 2 | 1, request("PUT /anything", [JSON], compact({"ReservedConcurrentExecutions": 5}))),
    }
    for name, (selector, data) in seeds.items():
        write("rest_json_decode", name, selected(selector, data))


# --- awsQuery, IAM (low bit 0) and STS (low bit 1) --------------------------------------------

POLICY = compact({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::bucket/*"}]})
TRUST = compact({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}]})


def query_seeds():
    iam = [("Version", "2010-05-08")]
    sts = [("Version", "2011-06-15")]
    seeds = {
        "iam_create_user": (0 << 1, [("Action", "CreateUser"), *iam, ("UserName", "alice"), ("Path", "/staff/"),
                                     ("Tags.member.1.Key", "team"), ("Tags.member.1.Value", "security")]),
        "iam_put_user_policy": (1 << 1, [("Action", "PutUserPolicy"), *iam, ("UserName", "alice"), ("PolicyName", "read"), ("PolicyDocument", POLICY)]),
        "iam_create_role": (2 << 1, [("Action", "CreateRole"), *iam, ("RoleName", "app"), ("AssumeRolePolicyDocument", TRUST), ("MaxSessionDuration", "3600")]),
        "iam_simulate_principal_policy": (8 << 1, [
            ("Action", "SimulatePrincipalPolicy"), *iam, ("PolicySourceArn", "arn:aws:iam::000000000000:user/alice"),
            ("ActionNames.member.1", "s3:GetObject"), ("ActionNames.member.2", "s3:PutObject"),
            ("ResourceArns.member.1", "arn:aws:s3:::bucket/key"),
            ("ContextEntries.member.1.ContextKeyName", "aws:SourceIp"),
            ("ContextEntries.member.1.ContextKeyValues.member.1", "10.0.0.1"),
            ("ContextEntries.member.1.ContextKeyType", "ip"),
        ]),
        "sts_assume_role": ((0 << 1) | 1, [
            ("Action", "AssumeRole"), *sts, ("RoleArn", "arn:aws:iam::000000000000:role/app"), ("RoleSessionName", "session"),
            ("DurationSeconds", "900"), ("Tags.member.1.Key", "project"), ("Tags.member.1.Value", "x"),
            ("PolicyArns.member.1.arn", "arn:aws:iam::aws:policy/ReadOnlyAccess"), ("TransitiveTagKeys.member.1", "project"),
        ]),
        "sts_get_session_token": ((1 << 1) | 1, [("Action", "GetSessionToken"), *sts, ("DurationSeconds", "3600"), ("SerialNumber", "arn:aws:iam::000000000000:mfa/alice"), ("TokenCode", "123456")]),
        "sts_assume_role_with_web_identity": ((3 << 1) | 1, [
            ("Action", "AssumeRoleWithWebIdentity"), *sts, ("RoleArn", "arn:aws:iam::000000000000:role/web"),
            ("RoleSessionName", "web"), ("WebIdentityToken", "eyJhbGciOiJSUzI1NiJ9.e30.c2ln"),
        ]),
    }
    for name, (selector, pairs) in seeds.items():
        write("query_decode", name, selected(selector, form(pairs)))


# --- ec2Query (order of OPERATIONS in ec2_decode.rs) ------------------------------------------


def ec2_seeds():
    ec2 = [("Version", "2016-11-15")]
    seeds = {
        "run_instances": (0, [
            ("Action", "RunInstances"), *ec2, ("ImageId", "ami-12345678"), ("MinCount", "1"), ("MaxCount", "2"),
            ("InstanceType", "t3.micro"), ("SecurityGroupId.1", "sg-1"), ("UserData", "ZWNobyBoaQ=="),
            ("TagSpecification.1.ResourceType", "instance"), ("TagSpecification.1.Tag.1.Key", "Name"), ("TagSpecification.1.Tag.1.Value", "web"),
            ("BlockDeviceMapping.1.DeviceName", "/dev/sda1"), ("BlockDeviceMapping.1.Ebs.VolumeSize", "8"), ("BlockDeviceMapping.1.Ebs.DeleteOnTermination", "true"),
            ("Monitoring.Enabled", "false"),
        ]),
        "describe_volumes": (1, [("Action", "DescribeVolumes"), *ec2, ("VolumeId.1", "vol-1"), ("Filter.1.Name", "status"),
                                 ("Filter.1.Value.1", "available"), ("Filter.1.Value.2", "in-use"), ("MaxResults", "5")]),
        "create_tags": (3, [("Action", "CreateTags"), *ec2, ("ResourceId.1", "i-1"), ("ResourceId.2", "vol-1"), ("Tag.1.Key", "env"), ("Tag.1.Value", "test")]),
        "authorize_security_group_ingress": (4, [
            ("Action", "AuthorizeSecurityGroupIngress"), *ec2, ("GroupId", "sg-1"), ("IpPermissions.1.IpProtocol", "tcp"),
            ("IpPermissions.1.FromPort", "22"), ("IpPermissions.1.ToPort", "22"), ("IpPermissions.1.IpRanges.1.CidrIp", "10.0.0.0/8"),
            ("IpPermissions.1.IpRanges.1.Description", "ssh"),
        ]),
        "modify_instance_attribute": (6, [("Action", "ModifyInstanceAttribute"), *ec2, ("InstanceId", "i-1"),
                                          ("InstanceType.Value", "t3.large"), ("DisableApiTermination.Value", "true")]),
    }
    for name, (selector, pairs) in seeds.items():
        write("ec2_decode", name, selected(selector, form(pairs)))


# --- restXml, S3 (low bit 0: routed) -----------------------------------------------------------

S3_NS = 'xmlns="http://s3.amazonaws.com/doc/2006-03-01/"'
XML = ("content-type", "application/xml")


def rest_xml_seeds():
    seeds = {
        "put_bucket_tagging": request("PUT /bucket?tagging", [XML],
                                      f"<Tagging {S3_NS}><TagSet><Tag><Key>a</Key><Value>1</Value></Tag><Tag><Key>b</Key><Value>&amp;&lt;2</Value></Tag></TagSet></Tagging>"),
        "complete_multipart_upload": request("POST /bucket/dir/key.txt?uploadId=2~abc", [XML],
                                             "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<CompleteMultipartUpload>"
                                             "<Part><ETag>\"etag1\"</ETag><PartNumber>1</PartNumber></Part>"
                                             "<Part><ChecksumCRC32>NSRBwg==</ChecksumCRC32><ETag>\"etag2\"</ETag><PartNumber>2</PartNumber></Part>"
                                             "</CompleteMultipartUpload>"),
        "delete_objects": request("POST /bucket?delete", [XML, ("content-md5", "1B2M2Y8AsgTpgAmY7PhCfg==")],
                                  "<Delete><Object><Key>a.txt</Key></Object><Object><Key>b.txt</Key><VersionId>v1</VersionId></Object><Quiet>true</Quiet></Delete>"),
        "put_bucket_lifecycle": request("PUT /bucket?lifecycle", [XML],
                                        "<LifecycleConfiguration><Rule><ID>logs</ID><Filter><And><Prefix>logs/</Prefix><Tag><Key>k</Key><Value>v</Value></Tag></And></Filter>"
                                        "<Status>Enabled</Status><Expiration><Date>2030-01-01T00:00:00.000Z</Date></Expiration>"
                                        "<Transition><Days>30</Days><StorageClass>GLACIER</StorageClass></Transition></Rule></LifecycleConfiguration>"),
        "put_object": request("PUT /bucket/photos/2024/cat%20picture.jpg", [
            ("content-type", "image/jpeg"), ("x-amz-meta-color", "blue"), ("x-amz-meta-Owner", "alice"),
            ("x-amz-server-side-encryption", "aws:kms"), ("x-amz-tagging", "a=b&c=d"), ("Expires", "Thu, 01 Dec 1994 16:00:00 GMT"),
            ("x-amz-object-lock-retain-until-date", "2030-01-01T00:00:00Z"), ("content-length", "5"),
        ], "hello"),
        "upload_part": request("PUT /bucket/key?partNumber=3&uploadId=abc", [("content-md5", "XUFAKrxLKna5cZ2REBfFkg==")], "part data"),
        "copy_object": request("PUT /bucket/key", [("x-amz-copy-source", "/source-bucket/source%20key?versionId=v1"), ("x-amz-metadata-directive", "REPLACE"),
                                                  ("x-amz-copy-source-if-modified-since", "Mon, 01 Jan 2024 00:00:00 GMT")]),
        "create_bucket": request("PUT /bucket", [("x-amz-acl", "private"), ("x-amz-bucket-object-lock-enabled", "true")],
                                 f"<CreateBucketConfiguration {S3_NS}><LocationConstraint>eu-west-1</LocationConstraint></CreateBucketConfiguration>"),
        "list_objects_v2": request("GET /bucket?list-type=2&prefix=photos%2F&delimiter=%2F&max-keys=10&start-after=a&fetch-owner=true"),
        "put_bucket_cors": request("PUT /bucket?cors", [XML],
                                   "<CORSConfiguration><CORSRule><AllowedMethod>GET</AllowedMethod><AllowedMethod>PUT</AllowedMethod>"
                                   "<AllowedOrigin>*</AllowedOrigin><MaxAgeSeconds>300</MaxAgeSeconds></CORSRule></CORSConfiguration>"),
        "put_public_access_block": request("PUT /bucket?publicAccessBlock", [XML],
                                           "<PublicAccessBlockConfiguration><BlockPublicAcls>true</BlockPublicAcls><RestrictPublicBuckets>false</RestrictPublicBuckets></PublicAccessBlockConfiguration>"),
    }
    for name, data in seeds.items():
        write("rest_xml_decode", name, selected(0, data))
    # Low bit set: the tagging body decoded as PutBucketEncryption (index 10) whatever the path.
    write("rest_xml_decode", "forced_put_bucket_encryption", selected((10 << 1) | 1, request("PUT /bucket?encryption", [XML],
          "<ServerSideEncryptionConfiguration><Rule><ApplyServerSideEncryptionByDefault><SSEAlgorithm>aws:kms</SSEAlgorithm>"
          "<KMSMasterKeyID>alias/s3</KMSMasterKeyID></ApplyServerSideEncryptionByDefault><BucketKeyEnabled>true</BucketKeyEnabled></Rule>"
          "</ServerSideEncryptionConfiguration>")))


# --- RPC v2 CBOR, CloudWatch (order of OPERATIONS in cbor_decode.rs) --------------------------


class Tag:
    def __init__(self, number, item):
        self.number, self.item = number, item


def head(major, argument):
    if argument < 24:
        return bytes([major << 5 | argument])
    for info, width in ((24, 1), (25, 2), (26, 4), (27, 8)):
        if argument < 1 << (8 * width):
            return bytes([major << 5 | info]) + argument.to_bytes(width, "big")
    raise ValueError(argument)


def cbor(value):
    if value is None:
        return b"\xf6"
    if value is True:
        return b"\xf5"
    if value is False:
        return b"\xf4"
    if isinstance(value, int):
        return head(0, value) if value >= 0 else head(1, -1 - value)
    if isinstance(value, float):
        return b"\xfb" + struct.pack(">d", value)
    if isinstance(value, bytes):
        return head(2, len(value)) + value
    if isinstance(value, str):
        return head(3, len(value.encode())) + value.encode()
    if isinstance(value, list):
        return head(4, len(value)) + b"".join(cbor(item) for item in value)
    if isinstance(value, dict):
        return head(5, len(value)) + b"".join(cbor(k) + cbor(v) for k, v in value.items())
    if isinstance(value, Tag):
        return head(6, value.number) + cbor(value.item)
    raise TypeError(value)


def cbor_seeds():
    seeds = {
        "put_metric_data": (0, cbor({
            "Namespace": "App",
            "MetricData": [{
                "MetricName": "Latency", "Dimensions": [{"Name": "Host", "Value": "a"}], "Timestamp": Tag(1, 1700000000),
                "Value": 1.5, "Unit": "Milliseconds", "StorageResolution": 60,
                "StatisticValues": {"SampleCount": 2.0, "Sum": 3.0, "Minimum": 1.0, "Maximum": 2.0},
            }, {"MetricName": "Sizes", "Values": [1.0, 2.25], "Counts": [3.0, 1.0], "Timestamp": Tag(1, 1700000000.125)}],
            "StrictEntityValidation": False,
        })),
        "get_metric_data": (1, cbor({
            "MetricDataQueries": [{"Id": "q1", "MetricStat": {"Metric": {"Namespace": "App", "MetricName": "Latency",
                                                                          "Dimensions": [{"Name": "Host", "Value": "a"}]},
                                                               "Period": 60, "Stat": "p99"}, "ReturnData": True},
                                  {"Id": "e1", "Expression": "q1 * 2", "Label": "double"}],
            "StartTime": Tag(1, 1700000000), "EndTime": Tag(1, 1700003600.5), "MaxDatapoints": 100, "ScanBy": "TimestampDescending",
        })),
        "put_metric_alarm": (2, cbor({
            "AlarmName": "high-latency", "MetricName": "Latency", "Namespace": "App", "Statistic": "Average", "Period": 60,
            "EvaluationPeriods": 3, "Threshold": 250.0, "ComparisonOperator": "GreaterThanThreshold",
            "AlarmActions": ["arn:aws:sns:us-east-1:000000000000:alerts"], "Tags": [{"Key": "team", "Value": "sre"}],
        })),
        "put_dashboard": (4, cbor({"DashboardName": "main", "DashboardBody": compact({"widgets": []})})),
    }
    for name, (selector, body) in seeds.items():
        write("cbor_decode", name, selected(selector, body))
    # ListMetrics written with indefinite lengths, a half float, negative and wide integers, null and undefined.
    indefinite = (b"\xbf" + cbor("Namespace") + b"\x7f" + cbor("A") + cbor("pp") + b"\xff"
                  + cbor("Dimensions") + b"\x9f" + cbor({"Name": "Host", "Value": None}) + b"\xff"
                  + cbor("RecentlyActive") + cbor("PT3H")
                  + cbor("IncludeLinkedAccounts") + b"\xf7"
                  + cbor("extra") + b"\x82\xf9\x3e\x00\x3b" + (2**63).to_bytes(8, "big")
                  + b"\xff")
    write("cbor_decode", "list_metrics_indefinite", selected(3, indefinite))


# --- SigV4 -------------------------------------------------------------------------------------

SECRET = "test"
TIMESTAMP = "20240101T000000Z"
DATE = TIMESTAMP[:8]
EMPTY_SHA256 = hashlib.sha256(b"").hexdigest()


def hmac256(key, text):
    return hmac.new(key, text.encode() if isinstance(text, str) else text, hashlib.sha256).digest()


def signing_key(region, service):
    key = hmac256(("AWS4" + SECRET).encode(), DATE)
    for part in (region, service, "aws4_request"):
        key = hmac256(key, part)
    return key


def signature(region, service, canonical_request):
    scope = f"{DATE}/{region}/{service}/aws4_request"
    string_to_sign = f"AWS4-HMAC-SHA256\n{TIMESTAMP}\n{scope}\n{hashlib.sha256(canonical_request.encode()).hexdigest()}"
    return hmac256(signing_key(region, service), string_to_sign)


def header_signed(method, path, query, headers, body, region, service, payload_hash):
    """A request signed in its Authorization header. `path` and `query` are sent as written and
    must already be canonical (SigV4-encoded, query sorted), which keeps this signer small."""
    names = sorted(name.lower() for name, _ in headers)
    values = {name.lower(): value for name, value in headers}
    canonical_headers = "".join(f"{name}:{values[name]}\n" for name in names)
    signed = ";".join(names)
    canonical_request = f"{method}\n{path}\n{query}\n{canonical_headers}\n{signed}\n{payload_hash}"
    sig = signature(region, service, canonical_request)
    authorization = f"AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/{DATE}/{region}/{service}/aws4_request, SignedHeaders={signed}, Signature={sig.hex()}"
    target = path + (f"?{query}" if query else "")
    return request(f"{method} {target}", [*headers, ("Authorization", authorization)], body), sig


def chunk_signature(region, service, previous, data):
    scope = f"{DATE}/{region}/{service}/aws4_request"
    string_to_sign = f"AWS4-HMAC-SHA256-PAYLOAD\n{TIMESTAMP}\n{scope}\n{previous.hex()}\n{EMPTY_SHA256}\n{hashlib.sha256(data).hexdigest()}"
    return hmac256(signing_key(region, service), string_to_sign)


def sigv4_seeds():
    body = '{"KeyId":"alias/app","Plaintext":"aGVsbG8="}'
    kms, _ = header_signed("POST", "/", "", [
        ("host", "kms.us-east-1.localhost"), ("x-amz-date", TIMESTAMP), ("x-amz-target", "TrentService.Encrypt"),
        ("x-amz-content-sha256", hashlib.sha256(body.encode()).hexdigest()),
    ], body, "us-east-1", "kms", hashlib.sha256(body.encode()).hexdigest())
    write("sigv4_parse", "header_signed_kms", selected(0, kms))

    form_body = "Action=GetCallerIdentity&Version=2011-06-15"
    sts, _ = header_signed("POST", "/", "", [
        ("content-type", "application/x-www-form-urlencoded; charset=utf-8"), ("host", "sts.localhost"), ("x-amz-date", TIMESTAMP),
        ("x-amz-security-token", "FwoGZXIvYXdzEXAMPLETOKEN"),
    ], form_body, "us-east-1", "sts", hashlib.sha256(form_body.encode()).hexdigest())
    write("sigv4_parse", "header_signed_sts_with_session_token", selected(0, sts))

    s3_get, _ = header_signed("GET", "/bucket/photos/cat%20picture.jpg", "list-type=2&prefix=a%2Fb", [
        ("host", "s3.localhost"), ("x-amz-date", TIMESTAMP), ("x-amz-content-sha256", "UNSIGNED-PAYLOAD"),
        ("range", "bytes=0-9"),
    ], "", "us-east-1", "s3", "UNSIGNED-PAYLOAD")
    write("sigv4_parse", "header_signed_s3_unsigned_payload", selected(0, s3_get))

    # An aws-chunked upload signed whole: the chunk signatures chain from the request's.
    mode = "STREAMING-AWS4-HMAC-SHA256-PAYLOAD"
    chunks = [b"hello world", b""]
    headers = [("content-encoding", "aws-chunked"), ("host", "s3.localhost"), ("x-amz-content-sha256", mode),
               ("x-amz-date", TIMESTAMP), ("x-amz-decoded-content-length", str(sum(map(len, chunks))))]
    _, seed = header_signed("PUT", "/bucket/key", "", headers, b"", "us-east-1", "s3", mode)
    chunked, previous = b"", seed
    for data in chunks:
        previous = chunk_signature("us-east-1", "s3", previous, data)
        chunked += f"{len(data):x};chunk-signature={previous.hex()}\r\n".encode() + data + b"\r\n"
    upload, _ = header_signed("PUT", "/bucket/key", "", headers, chunked, "us-east-1", "s3", mode)
    write("sigv4_parse", "header_signed_aws_chunked", selected(0, upload))

    # A presigned GET: the signature travels in the query and signs every other parameter.
    credential = quote(f"AKIDEXAMPLE/{DATE}/us-east-1/s3/aws4_request", safe="")
    query = f"X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential={credential}&X-Amz-Date={TIMESTAMP}&X-Amz-Expires=300&X-Amz-SignedHeaders=host"
    canonical_request = f"GET\n/bucket/key\n{query}\nhost:s3.localhost\n\nhost\nUNSIGNED-PAYLOAD"
    presigned = signature("us-east-1", "s3", canonical_request).hex()
    write("sigv4_parse", "presigned_s3_get", selected(0, request(f"GET /bucket/key?{query}&X-Amz-Signature={presigned}", [("host", "s3.localhost")])))

    # Signed with the Date header instead of X-Amz-Date, and a path SigV4 normalises.
    write("sigv4_parse", "date_header_and_dot_segments", selected(0, request("GET /a/./b/../c//d?b=2&a=1&a=%7E", [
        ("host", "iam.localhost"), ("date", "Mon, 01 Jan 2024 00:00:00 GMT"),
        ("authorization", "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20240101/us-east-1/iam/aws4_request,SignedHeaders=date;host,Signature=" + "0" * 64),
    ])))

    # Odd selectors: bodies for the upload sigv4_parse signs itself (bits 1-2 the streaming mode,
    # bit 3 x-amz-decoded-content-length); zeros are placeholders.
    placeholder = "0" * 64
    signed = f"5;chunk-signature={placeholder}\r\nhello\r\n6;chunk-signature={placeholder}\r\n world\r\n0;chunk-signature={placeholder}\r\n\r\n"
    write("sigv4_parse", "self_signed_chunks", selected(1, signed))
    trailer = (f"3;chunk-signature={placeholder}\r\nabc\r\n0;chunk-signature={placeholder}\r\n"
               f"x-amz-checksum-crc32:NSRBwg==\r\nx-amz-trailer-signature:{placeholder}\r\n\r\n")
    write("sigv4_parse", "self_signed_trailer_with_decoded_length", selected((1 << 3) | (1 << 1) | 1, trailer))
    write("sigv4_parse", "self_signed_unsigned_trailer", selected((2 << 1) | 1, "3\r\nabc\r\n0\r\nx-amz-checksum-sha256:ungWv48Bz+pBQUDeXa4iI7ADYaOWF3qctBD/YfIAFa0=\r\n\r\n"))


if __name__ == "__main__":
    aws_json_seeds()
    rest_json_seeds()
    query_seeds()
    ec2_seeds()
    rest_xml_seeds()
    cbor_seeds()
    sigv4_seeds()
