"""Parses responses Palisade encoded for botocore's protocol vectors with botocore's own
response parsers and compares them with the vectors' expected results.

Usage: botocore_parse_check.py RESPONSES.json (written by tests/xml_protocol_vectors.rs).
Exits non-zero and prints each disagreement when botocore reads something else.
"""

import base64
import datetime
import json
import math
import sys

from botocore.model import ServiceModel
from botocore.parsers import create_parser

# Members botocore cannot read back from the vectors' own responses (see BOTOCORE_DIVERGENCES
# in xml_protocol_vectors.rs): botocore names flattened list items by the list member's
# locationName, the vectors by the structure member.
DIVERGENCES = {"QueryXmlLists", "Ec2XmlLists", "XmlLists"}
DIVERGENT_MEMBERS = {"flattenedList", "flattenedList2", "flattenedStructureList"}
# Cases botocore cannot read even from the vector's own response: it parses nothing from
# `<Ahoy>` (a root named by the output shape's locationName), raises on the empty body of an
# unset union payload, and splits a list of HTTP dates at the comma inside each date. The Rust
# reader checks them.
UNREADABLE = {"BodyWithXmlName", "RestXmlHttpPayloadWithUnsetUnion", "InputAndOutputWithTimestampHeaders"}


def normalize(value):
    if isinstance(value, datetime.datetime):
        return value.timestamp()
    if isinstance(value, (bytes, bytearray)):
        return value.decode("utf-8", "replace")
    if isinstance(value, float) and math.isnan(value):
        return "NaN"
    if isinstance(value, float) and math.isinf(value):
        return "Infinity" if value > 0 else "-Infinity"
    if isinstance(value, dict):
        return {k: normalize(v) for k, v in value.items() if k != "ResponseMetadata"}
    if isinstance(value, list):
        return [normalize(v) for v in value]
    if hasattr(value, "read"):
        return normalize(value.read())
    return value


def expected_value(value):
    if isinstance(value, dict):
        return {k: expected_value(v) for k, v in value.items()}
    if isinstance(value, list):
        return [expected_value(v) for v in value]
    return value


def close(a, b):
    if isinstance(a, (int, float)) and isinstance(b, (int, float)) and not isinstance(a, bool):
        return abs(a - b) < 1e-6
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(close(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(close(x, y) for x, y in zip(a, b))
    return a == b


def main():
    with open(sys.argv[1]) as f:
        run = json.load(f)
    protocol = run["protocol"]
    failures = 0
    checked = 0
    for item in run["responses"]:
        case = item["case"]
        if item["id"] in UNREADABLE:
            continue
        checked += 1
        given = dict(case["given"])
        if protocol == "query" and "output" in given and "resultWrapper" not in given["output"]:
            # Real query models always name the wrapper; the vectors leave it to the harness.
            given["output"] = dict(given["output"], resultWrapper=given["name"] + "Result")
        metadata = dict(item["suite"]["metadata"], endpointPrefix="example")
        model = ServiceModel({"metadata": metadata, "shapes": item["suite"]["shapes"], "operations": {given["name"]: given}})
        operation = model.operation_model(given["name"])
        response = {
            "status_code": item["status"],
            "headers": {k: v for k, v in item["headers"]},
            "body": item["body"].encode("utf-8"),
        }
        parser = create_parser(protocol)
        try:
            ok, got = check(parser, model, operation, item, case, response)
        except Exception as error:  # a parser exception is a disagreement too
            ok, got = False, f"{type(error).__name__}: {error}"
        if not ok:
            failures += 1
            print(f"{item['id']}: botocore parsed {got!r}, expected {case.get('result', case.get('error'))!r}\n  body: {item['body']}")
    print(f"botocore {protocol}: {checked - failures} agree, {failures} disagree, {len(run['responses']) - checked} unreadable by botocore", file=sys.stderr)
    sys.exit(1 if failures else 0)


def check(parser, model, operation, item, case, response):
    if "errorCode" in case:
        parsed = parser.parse(response, None)
        error = parsed.get("Error", {})
        ok = error.get("Code") == case["errorCode"]
        if "errorMessage" in case:
            ok = ok and error.get("Message") == case["errorMessage"]
        error_shape = model.shape_for(case["given"]["errors"][0]["shape"])
        modeled = normalize(parser.parse(response, error_shape))
        ok = ok and close(modeled, expected_value(case["error"]))
        got = {"Error": error, "modeled": modeled}
    else:
        parsed = normalize(parser.parse(response, operation.output_shape))
        expected = expected_value(case.get("result", {}))
        if item["id"] in DIVERGENCES:
            parsed = {k: v for k, v in parsed.items() if k not in DIVERGENT_MEMBERS}
            expected = {k: v for k, v in expected.items() if k not in DIVERGENT_MEMBERS}
        # An absent blob or string payload can only be sent as an empty body, which
        # botocore reports as b''.
        parsed = {k: v for k, v in parsed.items() if v not in ("", b"") or k in expected}
        ok = close(parsed, expected)
        got = parsed
    return ok, got


main()
