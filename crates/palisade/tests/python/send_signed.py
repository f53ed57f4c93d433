#!/usr/bin/env python3
"""Signs one request with botocore's SigV4 signer and sends it; prints the response as JSON.

  send_signed.py ENDPOINT SERVICE METHOD PATH [--header K:V ...] [--body TEXT]
                 [--key test] [--secret test] [--region us-east-1] [--skew-seconds N]

--skew-seconds signs the request as if the signer's clock were N seconds behind.
"""
import argparse
import datetime
import json
import sys
import urllib.error
import urllib.request
from unittest import mock

import botocore.auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("endpoint")
    ap.add_argument("service")
    ap.add_argument("method")
    ap.add_argument("path")
    ap.add_argument("--header", action="append", default=[])
    ap.add_argument("--body", default="")
    ap.add_argument("--key", default="test")
    ap.add_argument("--secret", default="test")
    ap.add_argument("--region", default="us-east-1")
    ap.add_argument("--skew-seconds", type=int, default=0)
    a = ap.parse_args()
    headers = dict(h.split(":", 1) for h in a.header)
    request = AWSRequest(method=a.method, url=a.endpoint + a.path, data=a.body.encode(), headers=headers)
    signer = botocore.auth.SigV4Auth(Credentials(a.key, a.secret), a.service, a.region)
    signed_at = datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None) - datetime.timedelta(seconds=a.skew_seconds)
    with mock.patch.object(botocore.auth, "get_current_datetime", return_value=signed_at):
        signer.add_auth(request)
    prepared = request.prepare()
    http_request = urllib.request.Request(prepared.url, data=prepared.body or None, method=prepared.method,
                                          headers=dict(prepared.headers.items()))
    try:
        with urllib.request.urlopen(http_request) as response:
            status, body, response_headers = response.status, response.read(), dict(response.headers.items())
    except urllib.error.HTTPError as e:
        status, body, response_headers = e.code, e.read(), dict(e.headers.items())
    json.dump({"status": status, "headers": response_headers, "body": body.decode("utf-8", "replace")}, sys.stdout)


if __name__ == "__main__":
    main()
