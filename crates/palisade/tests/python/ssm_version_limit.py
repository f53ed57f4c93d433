#!/usr/bin/env python3
"""Parameter Store keeps 100 versions of a parameter: the 101st drops the oldest, unless the
oldest has a label. Prints the outcome of each step as JSON.

  ssm_version_limit.py ENDPOINT
"""
import json, sys

import boto3
from botocore.exceptions import ClientError

ssm = boto3.client("ssm", endpoint_url=sys.argv[1], region_name="us-east-1",
                   aws_access_key_id="test", aws_secret_access_key="test")
name = "/limits/versions"
for i in range(100):
    ssm.put_parameter(Name=name, Type="String", Value=f"v{i + 1}", Overwrite=True)
ssm.label_parameter_version(Name=name, ParameterVersion=1, Labels=["first"])
try:
    ssm.put_parameter(Name=name, Type="String", Value="v101", Overwrite=True)
    labelled_oldest = "accepted"
except ClientError as e:
    labelled_oldest = e.response["Error"]["Code"]
ssm.unlabel_parameter_version(Name=name, ParameterVersion=1, Labels=["first"])
version = ssm.put_parameter(Name=name, Type="String", Value="v101", Overwrite=True)["Version"]
history = ssm.get_parameter_history(Name=name, MaxResults=50)
versions = [p["Version"] for p in history["Parameters"]]
while "NextToken" in history:
    history = ssm.get_parameter_history(Name=name, MaxResults=50, NextToken=history["NextToken"])
    versions += [p["Version"] for p in history["Parameters"]]
print(json.dumps({"labelled_oldest": labelled_oldest, "version": version, "kept": [versions[0], versions[-1], len(versions)]}))
