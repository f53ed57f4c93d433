"""Palisade's built-in Secrets Manager rotation for a database user that rotates its own
password (AWS's single-user strategy), for PostgreSQL and MySQL/MariaDB.

The secret holds {engine, host, port, username, password, dbname}. The four steps follow AWS's
rotation templates: createSecret stores a new password as AWSPENDING, setSecret changes the
user's password in the database, testSecret logs in with it, finishSecret moves AWSCURRENT.
The database is reached with the psql and mysql command-line clients (no driver is needed in
the interpreter); passwords travel in the clients' environment and standard input, never on a
command line, and PostgreSQL receives a SCRAM verifier rather than the password itself.
"""

import base64
import hashlib
import hmac
import json
import logging
import os
import subprocess

import boto3

logger = logging.getLogger()
logger.setLevel(logging.INFO)

ENGINE = os.environ["DATABASE_ENGINE"]
EXCLUDE_CHARACTERS = os.environ.get("EXCLUDE_CHARACTERS", "/@\"'\\")
CONNECT_TIMEOUT_SECONDS = "5"


def lambda_handler(event, context):
    arn = event["SecretId"]
    token = event["ClientRequestToken"]
    step = event["Step"]
    client = boto3.client("secretsmanager")

    metadata = client.describe_secret(SecretId=arn)
    if "RotationEnabled" in metadata and not metadata["RotationEnabled"]:
        raise ValueError("Secret %s is not enabled for rotation." % arn)
    versions = metadata["VersionIdsToStages"]
    if token not in versions:
        raise ValueError("Secret version %s has no stage for rotation of secret %s." % (token, arn))
    if "AWSCURRENT" in versions[token]:
        logger.info("Secret version %s already set as AWSCURRENT for secret %s.", token, arn)
        return
    if "AWSPENDING" not in versions[token]:
        raise ValueError("Secret version %s not set as AWSPENDING for rotation of secret %s." % (token, arn))

    if step == "createSecret":
        create_secret(client, arn, token)
    elif step == "setSecret":
        set_secret(client, arn, token)
    elif step == "testSecret":
        test_secret(client, arn, token)
    elif step == "finishSecret":
        finish_secret(client, arn, token)
    else:
        raise ValueError("Invalid step parameter %s for secret %s." % (step, arn))


def create_secret(client, arn, token):
    current = get_secret_dict(client, arn, "AWSCURRENT")
    try:
        get_secret_dict(client, arn, "AWSPENDING", token)
        logger.info("createSecret: Successfully retrieved secret for %s.", arn)
        return
    except client.exceptions.ResourceNotFoundException:
        pass
    current["password"] = client.get_random_password(ExcludeCharacters=EXCLUDE_CHARACTERS)["RandomPassword"]
    client.put_secret_value(SecretId=arn, ClientRequestToken=token, SecretString=json.dumps(current), VersionStages=["AWSPENDING"])
    logger.info("createSecret: Successfully put secret for ARN %s and version %s.", arn, token)


def set_secret(client, arn, token):
    pending = get_secret_dict(client, arn, "AWSPENDING", token)
    current = get_secret_dict(client, arn, "AWSCURRENT")
    candidates = [current]
    try:
        candidates.append(get_secret_dict(client, arn, "AWSPREVIOUS"))
    except client.exceptions.ResourceNotFoundException:
        pass
    # The pending password comes last: a setSecret that ran before may have set it already.
    # Trying it first, as AWS's templates do, would be fooled by a server that does not check
    # passwords (trust authentication), so the change is always made and is idempotent.
    candidates.append(pending)
    for login in candidates:
        if login["username"] != pending["username"] or login["host"] != pending["host"]:
            raise ValueError("setSecret: the user or host of a previous version does not match the pending secret.")
        if can_log_in(login):
            change_password(login, pending["password"])
            logger.info("setSecret: Successfully set password for user %s in the database for secret arn %s.", pending["username"], arn)
            return
    raise ValueError("setSecret: Unable to log into database with previous, current, or pending secret of secret arn %s" % arn)


def test_secret(client, arn, token):
    pending = get_secret_dict(client, arn, "AWSPENDING", token)
    if not can_log_in(pending):
        raise ValueError("Unable to log into database with pending secret of secret ARN %s" % arn)
    logger.info("testSecret: Successfully signed into the database with AWSPENDING secret in %s.", arn)


def finish_secret(client, arn, token):
    metadata = client.describe_secret(SecretId=arn)
    current_version = None
    for version, stages in metadata["VersionIdsToStages"].items():
        if "AWSCURRENT" in stages:
            if version == token:
                logger.info("finishSecret: Version %s already marked as AWSCURRENT for %s", version, arn)
                return
            current_version = version
            break
    client.update_secret_version_stage(SecretId=arn, VersionStage="AWSCURRENT", MoveToVersionId=token, RemoveFromVersionId=current_version)
    logger.info("finishSecret: Successfully set AWSCURRENT stage to version %s for secret %s.", token, arn)


def get_secret_dict(client, arn, stage, token=None):
    if token:
        secret = client.get_secret_value(SecretId=arn, VersionId=token, VersionStage=stage)
    else:
        secret = client.get_secret_value(SecretId=arn, VersionStage=stage)
    secret_dict = json.loads(secret["SecretString"])
    for field in ("host", "username", "password"):
        if field not in secret_dict:
            raise KeyError("%s key is missing from secret JSON" % field)
    engines = ("postgres",) if ENGINE == "postgres" else ("mysql", "mariadb")
    if secret_dict.get("engine", engines[0]) not in engines:
        raise KeyError("Database engine must be set to '%s' in order to use this rotation lambda" % engines[0])
    return secret_dict


def run_client(secret, sql):
    """Runs `sql` as the secret's user; returns (succeeded, output)."""
    env = dict(os.environ)
    if ENGINE == "postgres":
        env["PGPASSWORD"] = secret["password"]
        env["PGCONNECT_TIMEOUT"] = CONNECT_TIMEOUT_SECONDS
        command = [
            "psql", "-X", "-q", "-At", "-v", "ON_ERROR_STOP=1",
            "-h", secret["host"], "-p", str(secret.get("port", 5432)),
            "-U", secret["username"], "-d", secret.get("dbname", "postgres"),
        ]
    else:
        env["MYSQL_PWD"] = secret["password"]
        command = [
            "mysql", "--protocol=TCP", "--connect-timeout=" + CONNECT_TIMEOUT_SECONDS, "-N", "-B",
            "-h", secret["host"], "-P", str(secret.get("port", 3306)), "-u", secret["username"],
        ]
        if secret.get("dbname"):
            command.append("--database=" + secret["dbname"])
    result = subprocess.run(command, input=sql, env=env, capture_output=True, text=True, timeout=30)
    return result.returncode == 0, result.stdout + result.stderr


def can_log_in(secret):
    succeeded, output = run_client(secret, "SELECT 1;\n")
    if not succeeded:
        logger.info("Login as %s failed: %s", secret["username"], output.strip().splitlines()[-1:] or "")
    return succeeded


def change_password(login, new_password):
    if ENGINE == "postgres":
        user = '"' + login["username"].replace('"', '""') + '"'
        statements = ["ALTER USER %s WITH PASSWORD '%s';\n" % (user, scram_verifier(new_password))]
    else:
        escaped = new_password.replace("\\", "\\\\").replace("'", "\\'")
        # MariaDB and MySQL 5.x hash with PASSWORD(); MySQL 8 dropped it and takes the password.
        statements = ["SET PASSWORD = PASSWORD('%s');\n" % escaped, "SET PASSWORD = '%s';\n" % escaped]
    for sql in statements:
        succeeded, output = run_client(login, sql)
        if succeeded:
            return
    # Clients echo a failed statement; only their error lines are kept, so no password is logged.
    errors = [line for line in output.splitlines() if line.startswith("ERROR")]
    raise ValueError("setSecret: the database refused the password change: %s" % " ".join(errors))


def scram_verifier(password, iterations=4096):
    """The SCRAM-SHA-256 verifier PostgreSQL stores for `password` (RFC 5802, RFC 7677)."""
    salt = os.urandom(16)
    salted = hashlib.pbkdf2_hmac("sha256", password.encode(), salt, iterations)
    client_key = hmac.new(salted, b"Client Key", hashlib.sha256).digest()
    stored_key = hashlib.sha256(client_key).digest()
    server_key = hmac.new(salted, b"Server Key", hashlib.sha256).digest()
    encode = lambda b: base64.b64encode(b).decode()
    return "SCRAM-SHA-256$%d:%s$%s:%s" % (iterations, encode(salt), encode(stored_key), encode(server_key))
