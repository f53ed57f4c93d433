//! Interoperability with OpenSSL, the tool KMS users check Palisade's output with. Each test is
//! skipped, with a note, where the `openssl` command is missing.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};

use crate::test_keys::material;
use crate::{
    decrypt_asymmetric, derive_shared_secret, generate_data_key_pair, sign, verify,
    EncryptionAlgorithm, KeyAgreementAlgorithm, KeySpec, MessageType, SigningAlgorithm,
};

/// A scratch directory removed when the test ends.
struct Scratch(PathBuf);

impl Scratch {
    fn new(test: &str) -> Scratch {
        static COUNTER: AtomicUsize = AtomicUsize::new(0);
        let n = COUNTER.fetch_add(1, Ordering::Relaxed);
        let dir =
            std::env::temp_dir().join(format!("kms-crypto-{}-{test}-{n}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        Scratch(dir)
    }

    fn write(&self, name: &str, bytes: &[u8]) -> PathBuf {
        let path = self.0.join(name);
        std::fs::write(&path, bytes).unwrap();
        path
    }

    fn path(&self, name: &str) -> PathBuf {
        self.0.join(name)
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn openssl_available(test: &str) -> bool {
    let found = Command::new("openssl")
        .arg("version")
        .output()
        .is_ok_and(|o| o.status.success());
    if !found {
        eprintln!("skipping {test}: the openssl command is not on PATH");
    }
    found
}

/// Runs openssl and returns whether it succeeded, printing its stderr when it did not.
fn openssl(args: &[&str]) -> bool {
    let output = Command::new("openssl").args(args).output().unwrap();
    if !output.status.success() {
        eprintln!(
            "openssl {args:?} failed: {}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
    output.status.success()
}

fn text(path: &Path) -> &str {
    path.to_str().unwrap()
}

fn openssl_verifies(spec: KeySpec, algorithm: SigningAlgorithm, digest: &str, pss: bool) -> bool {
    let scratch = Scratch::new("verify");
    let key = material(spec);
    let message = b"Palisade signs this for OpenSSL to check";
    let signature = sign(key, algorithm, message, MessageType::Raw).unwrap();
    let public_key = scratch.write("public.der", &key.public_key_der().unwrap());
    let message_file = scratch.write("message", message);
    let signature_file = scratch.write("signature", &signature);
    let mut args = vec![
        "dgst",
        digest,
        "-keyform",
        "DER",
        "-verify",
        text(&public_key),
        "-signature",
        text(&signature_file),
    ];
    if pss {
        args.extend([
            "-sigopt",
            "rsa_padding_mode:pss",
            "-sigopt",
            "rsa_pss_saltlen:digest",
        ]);
    }
    args.push(text(&message_file));
    openssl(&args)
}

#[test]
fn openssl_verifies_rsa_pss_signatures() {
    if !openssl_available("openssl_verifies_rsa_pss_signatures") {
        return;
    }
    assert!(openssl_verifies(
        KeySpec::Rsa2048,
        SigningAlgorithm::RsassaPssSha256,
        "-sha256",
        true
    ));
    assert!(openssl_verifies(
        KeySpec::Rsa3072,
        SigningAlgorithm::RsassaPssSha512,
        "-sha512",
        true
    ));
}

#[test]
fn openssl_verifies_rsa_pkcs1_v1_5_signatures() {
    if !openssl_available("openssl_verifies_rsa_pkcs1_v1_5_signatures") {
        return;
    }
    assert!(openssl_verifies(
        KeySpec::Rsa2048,
        SigningAlgorithm::RsassaPkcs1V15Sha384,
        "-sha384",
        false
    ));
}

#[test]
fn openssl_verifies_ecdsa_p256_and_p384_signatures() {
    if !openssl_available("openssl_verifies_ecdsa_p256_and_p384_signatures") {
        return;
    }
    assert!(openssl_verifies(
        KeySpec::EccNistP256,
        SigningAlgorithm::EcdsaSha256,
        "-sha256",
        false
    ));
    assert!(openssl_verifies(
        KeySpec::EccNistP384,
        SigningAlgorithm::EcdsaSha384,
        "-sha384",
        false
    ));
}

#[test]
fn openssl_verifies_ecdsa_p521_and_secp256k1_signatures() {
    if !openssl_available("openssl_verifies_ecdsa_p521_and_secp256k1_signatures") {
        return;
    }
    assert!(openssl_verifies(
        KeySpec::EccNistP521,
        SigningAlgorithm::EcdsaSha512,
        "-sha512",
        false
    ));
    assert!(openssl_verifies(
        KeySpec::EccSecgP256k1,
        SigningAlgorithm::EcdsaSha256,
        "-sha256",
        false
    ));
}

#[test]
fn openssl_verifies_ed25519_signatures() {
    if !openssl_available("openssl_verifies_ed25519_signatures") {
        return;
    }
    let scratch = Scratch::new("ed25519");
    let key = material(KeySpec::EccNistEdwards25519);
    let message = b"pure Ed25519 signs the message itself";
    let signature = sign(
        key,
        SigningAlgorithm::Ed25519Sha512,
        message,
        MessageType::Raw,
    )
    .unwrap();
    let public_key = scratch.write("public.der", &key.public_key_der().unwrap());
    let message_file = scratch.write("message", message);
    let signature_file = scratch.write("signature", &signature);
    assert!(openssl(&[
        "pkeyutl",
        "-verify",
        "-pubin",
        "-keyform",
        "DER",
        "-inkey",
        text(&public_key),
        "-rawin",
        "-in",
        text(&message_file),
        "-sigfile",
        text(&signature_file),
    ]));
}

#[test]
fn an_openssl_signature_verifies_with_the_crate() {
    if !openssl_available("an_openssl_signature_verifies_with_the_crate") {
        return;
    }
    let scratch = Scratch::new("openssl-signs");
    let key = material(KeySpec::EccNistP256);
    let private_key = scratch.write("private.der", key.to_bytes().as_bytes());
    let message = scratch.write("message", b"OpenSSL signed this");
    let signature = scratch.path("signature");
    assert!(openssl(&[
        "dgst",
        "-sha256",
        "-keyform",
        "DER",
        "-sign",
        text(&private_key),
        "-out",
        text(&signature),
        text(&message),
    ]));
    let signature = std::fs::read(signature).unwrap();
    let verified = verify(
        key,
        SigningAlgorithm::EcdsaSha256,
        b"OpenSSL signed this",
        MessageType::Raw,
        &signature,
    );
    assert_eq!(verified, Ok(true));
}

#[test]
fn an_openssl_rsa_oaep_sha_256_ciphertext_decrypts() {
    if !openssl_available("an_openssl_rsa_oaep_sha_256_ciphertext_decrypts") {
        return;
    }
    let scratch = Scratch::new("oaep");
    let key = material(KeySpec::Rsa2048);
    let public_key = scratch.write("public.der", &key.public_key_der().unwrap());
    let plaintext = scratch.write("plaintext", b"encrypted by openssl");
    let ciphertext = scratch.path("ciphertext");
    assert!(openssl(&[
        "pkeyutl",
        "-encrypt",
        "-pubin",
        "-keyform",
        "DER",
        "-inkey",
        text(&public_key),
        "-pkeyopt",
        "rsa_padding_mode:oaep",
        "-pkeyopt",
        "rsa_oaep_md:sha256",
        "-pkeyopt",
        "rsa_mgf1_md:sha256",
        "-in",
        text(&plaintext),
        "-out",
        text(&ciphertext),
    ]));
    let ciphertext = std::fs::read(ciphertext).unwrap();
    let decrypted =
        decrypt_asymmetric(key, EncryptionAlgorithm::RsaesOaepSha256, &ciphertext).unwrap();
    assert_eq!(decrypted.as_bytes(), b"encrypted by openssl");
}

#[test]
fn ecdh_equals_openssl_pkeyutl_derive() {
    if !openssl_available("ecdh_equals_openssl_pkeyutl_derive") {
        return;
    }
    for (spec, curve) in [
        (KeySpec::EccNistP256, "P-256"),
        (KeySpec::EccNistP384, "P-384"),
        (KeySpec::EccNistP521, "P-521"),
    ] {
        let scratch = Scratch::new("ecdh");
        let ours = material(spec);
        let peer_private = scratch.path("peer.pem");
        let peer_public = scratch.path("peer-public.der");
        let our_public = scratch.write("ours.der", &ours.public_key_der().unwrap());
        let secret = scratch.path("secret");
        let curve_option = format!("ec_paramgen_curve:{curve}");
        assert!(openssl(&[
            "genpkey",
            "-algorithm",
            "EC",
            "-pkeyopt",
            &curve_option,
            "-out",
            text(&peer_private)
        ]));
        assert!(openssl(&[
            "pkey",
            "-in",
            text(&peer_private),
            "-pubout",
            "-outform",
            "DER",
            "-out",
            text(&peer_public)
        ]));
        assert!(openssl(&[
            "pkeyutl",
            "-derive",
            "-inkey",
            text(&peer_private),
            "-peerkey",
            text(&our_public),
            "-peerform",
            "DER",
            "-out",
            text(&secret),
        ]));
        let peer_public = std::fs::read(peer_public).unwrap();
        let derived =
            derive_shared_secret(ours, KeyAgreementAlgorithm::Ecdh, &peer_public).unwrap();
        assert_eq!(derived.as_bytes(), std::fs::read(secret).unwrap(), "{spec}");
    }
}

#[test]
fn openssl_reads_every_private_and_public_key() {
    if !openssl_available("openssl_reads_every_private_and_public_key") {
        return;
    }
    let asymmetric = [
        KeySpec::Rsa2048,
        KeySpec::EccNistP256,
        KeySpec::EccNistP384,
        KeySpec::EccNistP521,
        KeySpec::EccSecgP256k1,
        KeySpec::EccNistEdwards25519,
    ];
    for spec in asymmetric {
        let scratch = Scratch::new("parse");
        let key = material(spec);
        let private_key = scratch.write("private.der", key.to_bytes().as_bytes());
        let public_key = scratch.write("public.der", &key.public_key_der().unwrap());
        let derived_public = scratch.path("derived.der");
        assert!(
            openssl(&[
                "pkey",
                "-inform",
                "DER",
                "-in",
                text(&private_key),
                "-pubout",
                "-outform",
                "DER",
                "-out",
                text(&derived_public),
            ]),
            "{spec}"
        );
        assert!(
            openssl(&[
                "pkey",
                "-pubin",
                "-inform",
                "DER",
                "-in",
                text(&public_key),
                "-noout"
            ]),
            "{spec}"
        );
        assert_eq!(
            std::fs::read(derived_public).unwrap(),
            key.public_key_der().unwrap(),
            "{spec}"
        );
    }
}

#[test]
fn openssl_reads_data_key_pairs() {
    if !openssl_available("openssl_reads_data_key_pairs") {
        return;
    }
    let scratch = Scratch::new("data-key-pair");
    let pair = generate_data_key_pair(KeySpec::EccNistP521).unwrap();
    let private_key = scratch.write("private.der", pair.private_key.as_bytes());
    let derived_public = scratch.path("derived.der");
    assert!(openssl(&[
        "pkey",
        "-inform",
        "DER",
        "-in",
        text(&private_key),
        "-pubout",
        "-outform",
        "DER",
        "-out",
        text(&derived_public),
    ]));
    assert_eq!(std::fs::read(derived_public).unwrap(), pair.public_key);
}
