"""Test functions for Palisade's Lambda: each handler shows one behaviour of the runtime."""

import json
import logging
import os
import time

import boto3

logger = logging.getLogger()
logger.setLevel(logging.INFO)


def whoami(event, context):
    """Calls STS with the execution role's credentials Lambda provides."""
    print("event", json.dumps(event))
    logger.info("asking STS who I am")
    identity = boto3.client("sts").get_caller_identity()
    return {
        "arn": identity["Arn"],
        "greeting": os.environ.get("GREETING"),
        "function": context.function_name,
        "region": os.environ["AWS_REGION"],
        "remaining_ms": context.get_remaining_time_in_millis(),
    }


def fail(event, context):
    raise ValueError("the input is not acceptable")


def slow(event, context):
    time.sleep(30)


def read_file(event, context):
    """Tries to read a file of Palisade's: the isolation test."""
    try:
        with open(event["path"], "rb") as f:
            return {"read": len(f.read())}
    except OSError as error:
        return {"error": type(error).__name__}


def marker(event, context):
    print("marker", event["marker"])
    return None
