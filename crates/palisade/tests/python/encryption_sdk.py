#!/usr/bin/env python3
"""Encrypts and decrypts 100 KB with the AWS Encryption SDK for Python, its KMS master key
provider calling the server at ENDPOINT (set as AWS_ENDPOINT_URL_KMS): the SDK's own message
format, data keys from GenerateDataKey and Decrypt.

  encryption_sdk.py ENDPOINT KEY_ARN

Prints one JSON object: the decrypted text, the encryption context the SDK read back, and
whether a tampered message was refused.
"""
import json
import os
import sys

import aws_encryption_sdk
import botocore.session
from aws_encryption_sdk import CommitmentPolicy


def main():
    endpoint, key_arn = sys.argv[1], sys.argv[2]
    os.environ.update({
        "AWS_ENDPOINT_URL_KMS": endpoint,
        "AWS_ACCESS_KEY_ID": "test",
        "AWS_SECRET_ACCESS_KEY": "test",
        "AWS_DEFAULT_REGION": key_arn.split(":")[3],
    })
    client = aws_encryption_sdk.EncryptionSDKClient(commitment_policy=CommitmentPolicy.REQUIRE_ENCRYPT_REQUIRE_DECRYPT)
    provider = aws_encryption_sdk.StrictAwsKmsMasterKeyProvider(key_ids=[key_arn], botocore_session=botocore.session.Session())
    context = {"purpose": "interop", "tenant": "palisade"}
    original = os.urandom(100 * 1024)
    message, _ = client.encrypt(source=original, key_provider=provider, encryption_context=context)
    plaintext, header = client.decrypt(source=message, key_provider=provider)
    tampered = bytearray(message)
    tampered[-40] ^= 1
    try:
        client.decrypt(source=bytes(tampered), key_provider=provider)
        refused = False
    except Exception:
        refused = True
    print(json.dumps({
        "round_trip": plaintext == original,
        "bytes": len(plaintext),
        "context": {k: v for k, v in header.encryption_context.items() if k in context},
        "data_keys": len(header.encrypted_data_keys),
        "tampered_refused": refused,
    }))


if __name__ == "__main__":
    main()
