#!/usr/bin/env python3
"""Generate SigV4 test vectors with botocore, the signer the AWS CLI and boto3 use.

Every vector is a complete HTTP request as it reaches the server (raw percent-encoded path,
raw query, headers, body) signed at a fixed time with a fixed secret. botocore has no signer
for STREAMING-AWS4-HMAC-SHA256-PAYLOAD, so those bodies are built here following the
algorithm in the S3 documentation ("Signature Calculations for the Authorization Header:
Transferring Payload in Multiple Chunks"), on top of a botocore-signed seed request.

Run: python3 generate.py > vectors.json
"""
import base64
import datetime
import hashlib
import hmac
import io
import json
from urllib.parse import urlsplit

import botocore.auth
import botocore.httpchecksum
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

SIGNING_TIME = datetime.datetime(2024, 1, 1, 0, 0, 0, tzinfo=datetime.timezone.utc)
ACCESS_KEY = "AKIDEXAMPLE"
SECRET_KEY = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
SESSION_TOKEN = "FwoGZXIvYXdzEXAMPLESESSIONTOKEN//+=="

botocore.auth.get_current_datetime = lambda: SIGNING_TIME


def credentials(token=None):
    return Credentials(ACCESS_KEY, SECRET_KEY, token)


def as_vector(name, service, request, body=None, xml_family=True):
    prepared = request.prepare()
    parts = urlsplit(prepared.url)
    headers = [[k, v if isinstance(v, str) else v.decode()] for k, v in prepared.headers.items()]
    if not any(k.lower() == "host" for k, _ in headers):
        headers.append(["host", parts.netloc])
    raw = body if body is not None else (prepared.body or b"")
    if isinstance(raw, str):
        raw = raw.encode()
    headers = [[k, str(len(raw)) if k.lower() == "content-length" else v] for k, v in headers]
    return {
        "name": name,
        "service": service,
        "xml_family": xml_family,
        "method": prepared.method,
        "path": parts.path or "/",
        "query": parts.query,
        "headers": headers,
        "body_base64": base64.b64encode(raw).decode(),
        "now": SIGNING_TIME.timestamp(),
    }


def kms_json_post():
    req = AWSRequest(
        method="POST",
        url="http://localhost:4566/",
        data=b'{"KeyId":"alias/my-key","Plaintext":"aGVsbG8="}',
        headers={
            "Content-Type": "application/x-amz-json-1.1",
            "X-Amz-Target": "TrentService.Encrypt",
            "User-Agent": "aws-cli/2.15.0   Python/3.11   exec-env/x",
        },
    )
    botocore.auth.SigV4Auth(credentials(), "kms", "us-east-1").add_auth(req)
    return as_vector("kms_json_post", "kms", req, xml_family=False)


def sts_query_post():
    req = AWSRequest(
        method="POST",
        url="http://localhost:4566/",
        data=b"Action=GetCallerIdentity&Version=2011-06-15",
        headers={"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"},
    )
    botocore.auth.SigV4Auth(credentials(), "sts", "us-east-1").add_auth(req)
    return as_vector("sts_query_post", "sts", req)


def sts_query_post_with_session_token():
    req = AWSRequest(
        method="POST",
        url="http://localhost:4566/",
        data=b"Action=GetCallerIdentity&Version=2011-06-15",
        headers={"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"},
    )
    botocore.auth.SigV4Auth(credentials(SESSION_TOKEN), "sts", "eu-west-1").add_auth(req)
    return as_vector("sts_query_post_with_session_token", "sts", req)


def sts_query_post_dated_by_date_header():
    req = AWSRequest(
        method="POST",
        url="http://localhost:4566/",
        data=b"Action=GetCallerIdentity&Version=2011-06-15",
        headers={
            "Content-Type": "application/x-www-form-urlencoded; charset=utf-8",
            "Date": "placeholder, replaced by the signer",
        },
    )
    botocore.auth.SigV4Auth(credentials(), "sts", "us-east-1").add_auth(req)
    return as_vector("sts_query_post_dated_by_date_header", "sts", req)


def iam_get_with_odd_query():
    req = AWSRequest(
        method="GET",
        url="http://localhost:4566/",
        params=[
            ("Action", "ListUsers"),
            ("Path Prefix", "/división/ü ber/"),
            ("Marker", ""),
            ("Tag", "b"),
            ("Tag", "a"),
            ("Empty", ""),
            ("Star*", "~x+y=z&w"),
        ],
    )
    botocore.auth.SigV4Auth(credentials(), "iam", "us-east-1").add_auth(req)
    return as_vector("iam_get_with_odd_query", "iam", req)


def s3_put_with_encoded_path():
    req = AWSRequest(
        method="PUT",
        url="http://localhost:4566/my-bucket/photos/2024%20trip/caf%C3%A9%20%26%20bar%2Bplus%21.jpg",
        data=b"jpeg bytes",
        headers={"X-Amz-Meta-Caption": "sunset   over\tthe    bay"},
    )
    botocore.auth.S3SigV4Auth(credentials(), "s3", "us-east-1").add_auth(req)
    return as_vector("s3_put_with_encoded_path", "s3", req)


def s3_get_unsigned_payload():
    req = AWSRequest(
        method="GET",
        url="https://localhost:4566/my-bucket/report.csv",
        params={"versionId": "3/L4kqtJlcpXroDTDmJ+rmSpXd3dIbrHY"},
    )
    req.context["payload_signing_enabled"] = False
    botocore.auth.SigV4Auth(credentials(), "s3", "us-east-1").add_auth(req)
    return as_vector("s3_get_unsigned_payload", "s3", req)


def s3_presigned_get():
    req = AWSRequest(method="GET", url="https://localhost:4566/my-bucket/some%20dir/key%2Bname.txt")
    botocore.auth.S3SigV4QueryAuth(credentials(SESSION_TOKEN), "s3", "us-east-1", expires=3600).add_auth(req)
    return as_vector("s3_presigned_get", "s3", req)


def sts_presigned_query():
    req = AWSRequest(
        method="GET",
        url="http://localhost:4566/",
        params={"Action": "GetCallerIdentity", "Version": "2011-06-15"},
    )
    botocore.auth.SigV4QueryAuth(credentials(), "sts", "us-east-1", expires=900).add_auth(req)
    return as_vector("sts_presigned_query", "sts", req)


class StreamingSeedAuth(botocore.auth.S3SigV4Auth):
    """Signs the seed request of an aws-chunked upload: the payload hash is the mode name."""

    def __init__(self, mode):
        super().__init__(credentials(), "s3", "us-east-1")
        self.mode = mode

    def payload(self, request):
        return self.mode


def hmac_hex(key, msg):
    return hmac.new(key, msg.encode(), hashlib.sha256).hexdigest()


def signing_key():
    key = ("AWS4" + SECRET_KEY).encode()
    for part in ("20240101", "us-east-1", "s3", "aws4_request"):
        key = hmac.new(key, part.encode(), hashlib.sha256).digest()
    return key


def seed_signature(req):
    return req.headers["Authorization"].rsplit("Signature=", 1)[1]


def signed_chunks(data, chunk_size, seed, trailer=None):
    key = signing_key()
    scope = "20240101/us-east-1/s3/aws4_request"
    timestamp = SIGNING_TIME.strftime("%Y%m%dT%H%M%SZ")
    empty = hashlib.sha256(b"").hexdigest()
    previous = seed
    out = b""
    pieces = [data[i:i + chunk_size] for i in range(0, len(data), chunk_size)] + [b""]
    for piece in pieces:
        sts = "\n".join([
            "AWS4-HMAC-SHA256-PAYLOAD", timestamp, scope, previous, empty,
            hashlib.sha256(piece).hexdigest(),
        ])
        previous = hmac_hex(key, sts)
        out += b"%x;chunk-signature=%s\r\n" % (len(piece), previous.encode())
        if piece:
            out += piece + b"\r\n"
    if trailer is None:
        return out + b"\r\n"
    trailer_text = "".join(f"{name}:{value}\n" for name, value in trailer)
    sts = "\n".join([
        "AWS4-HMAC-SHA256-TRAILER", timestamp, scope, previous,
        hashlib.sha256(trailer_text.encode()).hexdigest(),
    ])
    out += trailer_text.replace("\n", "\r\n").encode()
    out += b"x-amz-trailer-signature:%s\r\n\r\n" % hmac_hex(key, sts).encode()
    return out


STREAM_DATA = bytes(range(256)) * 300 + b"tail"


def s3_streaming_signed_chunks():
    req = AWSRequest(
        method="PUT",
        url="http://localhost:4566/my-bucket/big.bin",
        headers={
            "Content-Encoding": "aws-chunked",
            "X-Amz-Decoded-Content-Length": str(len(STREAM_DATA)),
        },
    )
    StreamingSeedAuth("STREAMING-AWS4-HMAC-SHA256-PAYLOAD").add_auth(req)
    body = signed_chunks(STREAM_DATA, 65536, seed_signature(req))
    vector = as_vector("s3_streaming_signed_chunks", "s3", req, body=body)
    vector["decoded_base64"] = base64.b64encode(STREAM_DATA).decode()
    return vector


def s3_streaming_signed_chunks_with_trailer():
    trailer = [("x-amz-checksum-crc32", "sOO8/Q==")]
    req = AWSRequest(
        method="PUT",
        url="http://localhost:4566/my-bucket/big-with-trailer.bin",
        headers={
            "Content-Encoding": "aws-chunked",
            "X-Amz-Decoded-Content-Length": str(len(STREAM_DATA)),
            "X-Amz-Trailer": "x-amz-checksum-crc32",
        },
    )
    StreamingSeedAuth("STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER").add_auth(req)
    body = signed_chunks(STREAM_DATA, 65536, seed_signature(req), trailer=trailer)
    vector = as_vector("s3_streaming_signed_chunks_with_trailer", "s3", req, body=body)
    vector["decoded_base64"] = base64.b64encode(STREAM_DATA).decode()
    vector["trailers"] = trailer
    return vector


def s3_streaming_unsigned_trailer():
    data = b"hello unsigned trailer " * 100
    wrapper = botocore.httpchecksum.AwsChunkedWrapper(
        io.BytesIO(data),
        checksum_cls=botocore.httpchecksum.Crc32Checksum,
        checksum_name="x-amz-checksum-crc32",
        chunk_size=1000,
    )
    body = wrapper.read()
    req = AWSRequest(
        method="PUT",
        url="https://localhost:4566/my-bucket/unsigned-trailer.txt",
        data=body,
        headers={
            "Content-Encoding": "aws-chunked",
            "X-Amz-Decoded-Content-Length": str(len(data)),
            "X-Amz-Trailer": "x-amz-checksum-crc32",
        },
    )
    req.context["checksum"] = {"request_algorithm": {"in": "trailer", "name": "x-amz-checksum-crc32"}}
    botocore.auth.S3SigV4Auth(credentials(), "s3", "us-east-1").add_auth(req)
    vector = as_vector("s3_streaming_unsigned_trailer", "s3", req, body=body)
    vector["decoded_base64"] = base64.b64encode(data).decode()
    crc = botocore.httpchecksum.Crc32Checksum()
    crc.update(data)
    vector["trailers"] = [["x-amz-checksum-crc32", crc.b64digest()]]
    return vector


VECTORS = [
    kms_json_post,
    sts_query_post,
    sts_query_post_with_session_token,
    sts_query_post_dated_by_date_header,
    iam_get_with_odd_query,
    s3_put_with_encoded_path,
    s3_get_unsigned_payload,
    s3_presigned_get,
    sts_presigned_query,
    s3_streaming_signed_chunks,
    s3_streaming_signed_chunks_with_trailer,
    s3_streaming_unsigned_trailer,
]

if __name__ == "__main__":
    print(json.dumps({
        "access_key_id": ACCESS_KEY,
        "secret_access_key": SECRET_KEY,
        "session_token": SESSION_TOKEN,
        "vectors": [make() for make in VECTORS],
    }, indent=1, ensure_ascii=False))
