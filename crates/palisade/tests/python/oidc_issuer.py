#!/usr/bin/env python3
"""A local OpenID Connect issuer for AssumeRoleWithWebIdentity tests: an HTTPS server on
127.0.0.1 (certificate for `localhost`) serving its discovery document and JWKS, and ID tokens
signed with its RSA key.

  oidc_issuer.py

Prints one JSON line, then serves until killed:
  {"issuer": "https://localhost:PORT", "thumbprint": SHA-1 of the certificate, hex,
   "tokens": {"good", "other_subject", "other_audience", "expired", "forged", "unsigned",
              "tagged" (session tags team=blue, transitive, and project=x)}}
"""
import base64
import datetime
import hashlib
import http.server
import json
import ssl
import sys
import tempfile
import threading
import time

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.x509.oid import NameOID


def b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def certificate(key):
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = datetime.datetime.now(datetime.timezone.utc)
    return (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName("localhost")]), critical=False)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )


def sign(key, header, claims):
    signing_input = f"{b64url(json.dumps(header).encode())}.{b64url(json.dumps(claims).encode())}"
    signature = key.sign(signing_input.encode(), padding.PKCS1v15(), hashes.SHA256())
    return f"{signing_input}.{b64url(signature)}"


def main():
    tls_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    cert = certificate(tls_key)
    signing_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    other_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    numbers = signing_key.public_key().public_numbers()
    jwks = {"keys": [{
        "kty": "RSA", "use": "sig", "alg": "RS256", "kid": "k1",
        "n": b64url(numbers.n.to_bytes((numbers.n.bit_length() + 7) // 8, "big")),
        "e": b64url(numbers.e.to_bytes(3, "big")),
    }]}

    state = {}

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            documents = {
                "/.well-known/openid-configuration": {"issuer": state["issuer"], "jwks_uri": state["issuer"] + "/keys"},
                "/keys": jwks,
            }
            body = json.dumps(documents[self.path]).encode() if self.path in documents else None
            self.send_response(200 if body else 404)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body or b"")))
            self.end_headers()
            self.wfile.write(body or b"")

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    with tempfile.NamedTemporaryFile(suffix=".pem") as pem:
        pem.write(tls_key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
        pem.write(cert.public_bytes(serialization.Encoding.PEM))
        pem.flush()
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(pem.name)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    issuer = f"https://localhost:{server.server_address[1]}"
    state["issuer"] = issuer

    now = int(time.time())
    header = {"alg": "RS256", "kid": "k1", "typ": "JWT"}

    def claims(sub="repo:main", aud="app-1", exp=now + 600):
        return {"iss": issuer, "aud": aud, "sub": sub, "iat": now - 10, "exp": exp}

    tokens = {
        "good": sign(signing_key, header, {**claims(), "https://aws.amazon.com/source_identity": "alice@example.com"}),
        "other_subject": sign(signing_key, header, claims(sub="repo:fork")),
        "other_audience": sign(signing_key, header, claims(aud="app-2")),
        "expired": sign(signing_key, header, claims(exp=now - 60)),
        "forged": sign(other_key, header, claims()),
        "tagged": sign(signing_key, header, {**claims(), "https://aws.amazon.com/tags": {
            "principal_tags": {"team": ["blue"], "project": ["x"]}, "transitive_tag_keys": ["team"]}}),
        "unsigned": f"{b64url(json.dumps({'alg': 'none'}).encode())}.{b64url(json.dumps(claims()).encode())}.",
    }
    thumbprint = hashlib.sha1(cert.public_bytes(serialization.Encoding.DER)).hexdigest()
    print(json.dumps({"issuer": issuer, "thumbprint": thumbprint, "tokens": tokens}), flush=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    sys.stdin.read()


if __name__ == "__main__":
    main()
