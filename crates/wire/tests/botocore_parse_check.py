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
DIVERGENT_MEMBERS = {"flattenedList", "flattenedList2"}


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
    for item in run["responses"]:
        case = item["case"]
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
            ok = close(parsed, expected)
            got = parsed
        if not ok:
            failures += 1
            print(f"{item['id']}: botocore parsed {got!r}, expected {case.get('result', case.get('error'))!r}\n  body: {item['body']}")
    print(f"botocore {protocol}: {len(run['responses']) - failures} agree, {failures} disagree", file=sys.stderr)
    sys.exit(1 if failures else 0)


main()
