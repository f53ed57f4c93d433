"""Exits 0 when PASSWORD matches the SCRAM-SHA-256 verifier PostgreSQL stores (pg_authid's
rolpassword), as the server checks a client's proof: scram_matches.py VERIFIER PASSWORD."""

import base64
import hashlib
import hmac
import sys

verifier, password = sys.argv[1], sys.argv[2]
method, rest = verifier.split("$", 1)
assert method == "SCRAM-SHA-256", verifier
iterations_and_salt, keys = rest.split("$")
iterations, salt = iterations_and_salt.split(":")
stored_key, _server_key = keys.split(":")
salted = hashlib.pbkdf2_hmac("sha256", password.encode(), base64.b64decode(salt), int(iterations))
client_key = hmac.new(salted, b"Client Key", hashlib.sha256).digest()
sys.exit(0 if hashlib.sha256(client_key).digest() == base64.b64decode(stored_key) else 1)
