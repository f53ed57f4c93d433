#!/usr/bin/env python3
"""A SAML 2.0 identity provider for AssumeRoleWithSAML tests: responses signed by signxml
(lxml's canonicalization, an XML-DSig implementation independent of Palisade's), enveloped,
RSA-SHA256 or ECDSA-SHA256, exclusive canonicalization.

  saml_idp.py responses PROVIDER_ARN ROLE_ARN...
      prints one JSON object: {"metadata": IdP metadata with the signing certificate,
      "responses": {name: base64 SAMLResponse}, "name_qualifier": what IAM documents for
      the provider}; the Role attribute pairs each role with the provider; times around now
  saml_idp.py fixtures DIRECTORY
      writes the fixed documents of crates/saml/tests/fixtures (times in 2030); the RSA-SHA1
      one is signed by xmlsec1 (Debian's xmlsec1 package), as signxml no longer signs with SHA-1
"""
import base64
import copy
import datetime
import hashlib
import json
import os
import subprocess
import sys
import tempfile

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import NameOID
from lxml import etree
from signxml import SignatureReference, XMLSigner

ENTITY_ID = "https://idp.example.com/saml"
PROTOCOL = "urn:oasis:names:tc:SAML:2.0:protocol"
ASSERTION = "urn:oasis:names:tc:SAML:2.0:assertion"
DSIG = "http://www.w3.org/2000/09/xmldsig#"
EXCLUSIVE_C14N = "http://www.w3.org/2001/10/xml-exc-c14n#"
AWS = "https://signin.aws.amazon.com/saml"


def certificate(key, name="idp.example.com"):
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    start = datetime.datetime(2024, 1, 1, tzinfo=datetime.timezone.utc)
    return (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(start + datetime.timedelta(days=3650))
        .sign(key, hashes.SHA256())
    )


def pem(cert):
    return cert.public_bytes(serialization.Encoding.PEM).decode()


def metadata(*certs):
    keys = "".join(
        f'<md:KeyDescriptor use="signing"><ds:KeyInfo><ds:X509Data><ds:X509Certificate>'
        f'{base64.b64encode(c.public_bytes(serialization.Encoding.DER)).decode()}'
        f"</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>"
        for c in certs
    )
    return (
        f'<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" xmlns:ds="{DSIG}" entityID="{ENTITY_ID}">'
        f'<md:IDPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">{keys}'
        f'<md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST" Location="https://idp.example.com/sso"/>'
        f"</md:IDPSSODescriptor></md:EntityDescriptor>"
    )


def stamp(t):
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")


def response(now, role_arns, provider_arn, subject="alice", recipient=AWS, audience=AWS, lifetime=300, attributes=()):
    """An unsigned Response with one Assertion, as an IdP writes it, with a signature
    placeholder after each Issuer (where SAML's schema puts the Signature)."""
    not_after = stamp(now + datetime.timedelta(seconds=lifetime))
    extra = "".join(
        f'<saml:Attribute Name="{name}">'
        + "".join(f"<saml:AttributeValue>{v}</saml:AttributeValue>" for v in values)
        + "</saml:Attribute>"
        for name, values in attributes
    )
    roles = "".join(f'<saml:AttributeValue xsi:type="xs:string">{role},{provider_arn}</saml:AttributeValue>' for role in role_arns)
    text = f"""<samlp:Response xmlns:samlp="{PROTOCOL}" xmlns:saml="{ASSERTION}" ID="_response1" Version="2.0" IssueInstant="{stamp(now)}" Destination="{recipient}">
  <saml:Issuer>{ENTITY_ID}</saml:Issuer>
  <samlp:Status><samlp:StatusCode Value="urn:oasis:names:tc:SAML:2.0:status:Success"/></samlp:Status>
  <saml:Assertion xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" ID="_assertion1" Version="2.0" IssueInstant="{stamp(now)}">
    <saml:Issuer>{ENTITY_ID}</saml:Issuer>
    <saml:Subject>
      <saml:NameID Format="urn:oasis:names:tc:SAML:2.0:nameid-format:persistent">{subject}</saml:NameID>
      <saml:SubjectConfirmation Method="urn:oasis:names:tc:SAML:2.0:cm:bearer">
        <saml:SubjectConfirmationData NotOnOrAfter="{not_after}" Recipient="{recipient}"/>
      </saml:SubjectConfirmation>
    </saml:Subject>
    <saml:Conditions NotBefore="{stamp(now - datetime.timedelta(seconds=60))}" NotOnOrAfter="{not_after}">
      <saml:AudienceRestriction><saml:Audience>{audience}</saml:Audience></saml:AudienceRestriction>
    </saml:Conditions>
    <saml:AuthnStatement AuthnInstant="{stamp(now)}" SessionNotOnOrAfter="{stamp(now + datetime.timedelta(hours=8))}">
      <saml:AuthnContext><saml:AuthnContextClassRef>urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport</saml:AuthnContextClassRef></saml:AuthnContext>
    </saml:AuthnStatement>
    <saml:AttributeStatement>
      <saml:Attribute Name="https://aws.amazon.com/SAML/Attributes/Role">{roles}</saml:Attribute>
      <saml:Attribute Name="https://aws.amazon.com/SAML/Attributes/RoleSessionName">
        <saml:AttributeValue xsi:type="xs:string">{subject}@example.com</saml:AttributeValue>
      </saml:Attribute>{extra}
    </saml:AttributeStatement>
  </saml:Assertion>
</samlp:Response>"""
    return etree.fromstring(text.encode())


def placeholder(element):
    """Puts signxml's placeholder right after the element's Issuer."""
    issuer = element.find(f"{{{ASSERTION}}}Issuer")
    issuer.addnext(etree.Element(f"{{{DSIG}}}Signature", Id="placeholder", nsmap={"ds": DSIG}))


def sign(root, key, cert, what="assertion", algorithm="rsa-sha256", inclusive_prefixes=None):
    """Signs the assertion, the response, or both (the assertion first); `inclusive_prefixes`
    is the PrefixList of SignedInfo's canonicalization."""
    signer = XMLSigner(signature_algorithm=algorithm, digest_algorithm="sha256", c14n_algorithm=EXCLUSIVE_C14N)
    targets = {"assertion": ["assertion"], "response": ["response"], "both": ["assertion", "response"]}[what]
    for target in targets:
        element = root if target == "response" else root.find(f"{{{ASSERTION}}}Assertion")
        placeholder(element)
        # In enveloped mode signxml writes a PrefixList only on SignedInfo's
        # CanonicalizationMethod, never on the reference's transform, so the reference is
        # digested without one (an empty list, not None, keeps signxml from using it there).
        reference = SignatureReference(URI="#" + element.get("ID"), inclusive_ns_prefixes=[])
        root = signer.sign(root, key=key, cert=[cert], reference_uri=[reference], inclusive_ns_prefixes=inclusive_prefixes)
    return root


def xmlsec1_sha1(root, key):
    """The assertion signed with RSA-SHA1 and a SHA-1 digest by xmlsec1, from a template."""
    assertion = root.find(f"{{{ASSERTION}}}Assertion")
    template = f"""<ds:Signature xmlns:ds="{DSIG}"><ds:SignedInfo>
<ds:CanonicalizationMethod Algorithm="{EXCLUSIVE_C14N}"/><ds:SignatureMethod Algorithm="{DSIG}rsa-sha1"/>
<ds:Reference URI="#{assertion.get("ID")}"><ds:Transforms><ds:Transform Algorithm="{DSIG}enveloped-signature"/>
<ds:Transform Algorithm="{EXCLUSIVE_C14N}"/></ds:Transforms><ds:DigestMethod Algorithm="{DSIG}sha1"/>
<ds:DigestValue/></ds:Reference></ds:SignedInfo><ds:SignatureValue/></ds:Signature>"""
    assertion.find(f"{{{ASSERTION}}}Issuer").addnext(etree.fromstring(template))
    with tempfile.TemporaryDirectory() as directory:
        key_path, document_path = os.path.join(directory, "key.pem"), os.path.join(directory, "template.xml")
        with open(key_path, "wb") as f:
            f.write(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
        with open(document_path, "wb") as f:
            f.write(etree.tostring(root))
        signed = subprocess.run(
            ["xmlsec1", "--sign", "--privkey-pem", key_path, "--id-attr:ID", f"{ASSERTION}:Assertion", document_path],
            check=True, capture_output=True,
        )
    return signed.stdout.decode()


def text(root):
    return etree.tostring(root).decode()


def tampered(root):
    """The signed response with the session name changed afterwards."""
    return text(root).replace("alice@example.com", "admin@example.com", 1)


def wrapped(root, forged_subject="mallory"):
    """Signature wrapping: the signed assertion kept (moved into Extensions, where a naive
    verifier still finds it by ID) and a forged, unsigned assertion put where it was read."""
    root = copy.deepcopy(root)
    signed = root.find(f"{{{ASSERTION}}}Assertion")
    forged = copy.deepcopy(signed)
    forged.remove(forged.find(f"{{{DSIG}}}Signature"))
    forged.set("ID", "_forged")
    forged.find(f".//{{{ASSERTION}}}NameID").text = forged_subject
    extensions = etree.Element(f"{{{PROTOCOL}}}Extensions")
    root.replace(signed, forged)
    extensions.append(signed)
    root.find(f"{{{ASSERTION}}}Issuer").addnext(extensions)
    return text(root)


def responses(provider_arn, role_arns):
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    cert = certificate(key)
    other_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    other_cert = certificate(other_key, "attacker.example.com")
    now = datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0)
    tags = [
        ("https://aws.amazon.com/SAML/Attributes/SourceIdentity", ["alice"]),
        ("https://aws.amazon.com/SAML/Attributes/SessionDuration", ["1800"]),
        ("https://aws.amazon.com/SAML/Attributes/PrincipalTag:Project", ["Marketing"]),
        ("urn:oid:1.3.6.1.4.1.5923.1.1.1.1", ["staff", "member"]),
    ]

    def build(**options):
        return response(now, role_arns, provider_arn, attributes=tags, **options)

    good = sign(build(), key, cert)
    out = {
        "good": text(good),
        "response_signed": text(sign(build(), key, cert, what="response")),
        "both_signed": text(sign(build(), key, cert, what="both")),
        "tampered": tampered(good),
        "other_key": text(sign(build(), other_key, other_cert)),
        "wrapped": wrapped(good),
        "expired": text(sign(response(now - datetime.timedelta(hours=1), role_arns, provider_arn), key, cert)),
        "other_subject": text(sign(build(subject="bob"), key, cert)),
        "regional_recipient": text(sign(build(recipient="https://us-west-2.signin.aws.amazon.com/saml"), key, cert)),
        "other_audience": text(sign(build(audience="https://sp.example.com/saml"), key, cert)),
        "unsigned": text(build()),
    }
    encoded = {name: base64.b64encode(document.encode()).decode() for name, document in out.items()}
    account, provider_name = provider_arn.split(":")[4], provider_arn.split("/")[-1]
    qualifier = base64.b64encode(hashlib.sha1(f"{ENTITY_ID}{account}/{provider_name}".encode()).digest()).decode()
    print(json.dumps({"metadata": metadata(cert), "responses": encoded, "name_qualifier": qualifier}))


def fixtures(directory):
    """Fixed documents for the saml crate's tests; times are in 2030."""
    os.makedirs(directory, exist_ok=True)
    role, provider = ["arn:aws:iam::111122223333:role/Dev"], "arn:aws:iam::111122223333:saml-provider/Corp"
    now = datetime.datetime(2030, 1, 1, tzinfo=datetime.timezone.utc)
    rsa_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    rsa_cert = certificate(rsa_key)
    ec_key = ec.generate_private_key(ec.SECP256R1())
    ec_cert = certificate(ec_key)
    other_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    other_cert = certificate(other_key, "attacker.example.com")
    documents = {
        "metadata.xml": metadata(rsa_cert, ec_cert),
        "assertion-signed.xml": text(sign(response(now, role, provider), rsa_key, rsa_cert)),
        "response-signed.xml": text(sign(response(now, role, provider), rsa_key, rsa_cert, what="response")),
        "both-signed.xml": text(sign(response(now, role, provider), rsa_key, rsa_cert, what="both")),
        "ecdsa-signed.xml": text(sign(response(now, role, provider), ec_key, ec_cert, algorithm="ecdsa-sha256")),
        "inclusive-prefixes.xml": text(sign(response(now, role, provider), rsa_key, rsa_cert, inclusive_prefixes=["xs", "xsi"])),
        "other-key-signed.xml": text(sign(response(now, role, provider), other_key, other_cert)),
        "xmlsec1-rsa-sha1.xml": xmlsec1_sha1(response(now, role, provider), rsa_key),
    }
    for name, document in documents.items():
        with open(os.path.join(directory, name), "w") as f:
            f.write(document)


if __name__ == "__main__":
    if sys.argv[1] == "responses":
        responses(sys.argv[2], sys.argv[3:])
    else:
        fixtures(sys.argv[2])
