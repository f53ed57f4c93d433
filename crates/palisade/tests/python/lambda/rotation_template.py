"""A rotation function written like AWS's rotation template, for tests of Secrets Manager's
rotation: createSecret stores a new random password as AWSPENDING, setSecret and testSecret have
no database to talk to, finishSecret moves AWSCURRENT. Setting FAIL_STEP (e.g. testSecret) makes
that step raise, to check that a failed rotation leaves AWSCURRENT alone.
"""

import json
import os

import boto3


def lambda_handler(event, context):
    arn, token, step = event["SecretId"], event["ClientRequestToken"], event["Step"]
    client = boto3.client("secretsmanager")
    metadata = client.describe_secret(SecretId=arn)
    if not metadata.get("RotationEnabled"):
        raise ValueError("Secret %s is not enabled for rotation" % arn)
    versions = metadata["VersionIdsToStages"]
    if token not in versions:
        raise ValueError("Secret version %s has no stage for rotation of secret %s." % (token, arn))
    if "AWSCURRENT" in versions[token]:
        return
    if "AWSPENDING" not in versions[token]:
        raise ValueError("Secret version %s not set as AWSPENDING for rotation of secret %s." % (token, arn))
    if os.environ.get("FAIL_STEP") == step:
        raise RuntimeError("%s failed on purpose" % step)
    if step == "createSecret":
        current = json.loads(client.get_secret_value(SecretId=arn, VersionStage="AWSCURRENT")["SecretString"])
        try:
            client.get_secret_value(SecretId=arn, VersionId=token, VersionStage="AWSPENDING")
        except client.exceptions.ResourceNotFoundException:
            current["password"] = client.get_random_password(ExcludeCharacters="/@\"'\\")["RandomPassword"]
            client.put_secret_value(SecretId=arn, ClientRequestToken=token, SecretString=json.dumps(current), VersionStages=["AWSPENDING"])
    elif step == "finishSecret":
        current_version = next(v for v, stages in versions.items() if "AWSCURRENT" in stages)
        client.update_secret_version_stage(SecretId=arn, VersionStage="AWSCURRENT", MoveToVersionId=token, RemoveFromVersionId=current_version)
    elif step not in ("setSecret", "testSecret"):
        raise ValueError("Invalid step parameter %s" % step)
