//! KMS end to end with the aws CLI: keys, aliases, encryption, key states, rotation, deletion,
//! multi-Region replicas, key policies and signatures checked by OpenSSL.

mod support;

use std::path::PathBuf;
use std::process::{Command, Output};

use base64::Engine;
use serde_json::Value;
use support::{error_text, http, Server, TempDir};


fn b64_decode(text: &Value) -> Vec<u8> {
    base64::engine::general_purpose::STANDARD.decode(text.as_str().expect("a base64 string")).unwrap()
}

/// A scratch directory for the blobs the CLI reads with `fileb://`.
struct Files(TempDir);

impl Files {
    fn new() -> Files {
        Files(TempDir::new("kms"))
    }

    fn write(&self, name: &str, bytes: &[u8]) -> String {
        let path = self.path(name);
        std::fs::write(&path, bytes).unwrap();
        format!("fileb://{}", path.display())
    }

    fn path(&self, name: &str) -> PathBuf {
        self.0 .0.join(name)
    }
}

fn create_key(server: &Server, extra: &[&str]) -> Value {
    let mut args = vec!["kms", "create-key"];
    args.extend_from_slice(extra);
    server.aws_json(&args)["KeyMetadata"].clone()
}

fn key_id(metadata: &Value) -> String {
    metadata["KeyId"].as_str().unwrap().to_owned()
}

/// Encrypts `plaintext` and returns the ciphertext blob's bytes.
fn encrypt(server: &Server, files: &Files, key: &str, plaintext: &[u8], extra: &[&str]) -> Vec<u8> {
    let blob = files.write("plaintext", plaintext);
    let mut args = vec!["kms", "encrypt", "--key-id", key, "--plaintext", &blob];
    args.extend_from_slice(extra);
    b64_decode(&server.aws_json(&args)["CiphertextBlob"])
}

fn decrypt(server: &Server, files: &Files, ciphertext: &[u8], extra: &[&str]) -> Output {
    let blob = files.write("ciphertext", ciphertext);
    let mut args = vec!["kms", "decrypt", "--ciphertext-blob", &blob];
    args.extend_from_slice(extra);
    server.aws(&args)
}

fn plaintext_of(out: &Output) -> Vec<u8> {
    assert!(out.status.success(), "decrypt failed: {}", error_text(out));
    let answer: Value = serde_json::from_slice(&out.stdout).unwrap();
    b64_decode(&answer["Plaintext"])
}

fn advance_clock(server: &Server, seconds: u64) {
    let body = format!(r#"{{"advance_seconds": {seconds}}}"#);
    let moved = http(server.port, "POST", "/_palisade/clock", &[], body.as_bytes()).unwrap();
    assert_eq!(moved.status, 200, "{}", moved.text());
}

/// Retries `check` for up to thirty seconds: jobs run on the worker's next poll, later on a loaded machine.
fn eventually(what: &str, mut check: impl FnMut() -> bool) {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    while !check() {
        assert!(std::time::Instant::now() < deadline, "timed out waiting for {what}");
        std::thread::sleep(std::time::Duration::from_millis(200));
    }
}

#[test]
fn a_new_key_is_an_enabled_symmetric_key_with_the_default_key_policy() {
    let server = Server::start(&["--ephemeral"]);
    let key = create_key(&server, &["--description", "orders"]);
    assert_eq!(key["KeyState"], "Enabled");
    assert_eq!(key["KeySpec"], "SYMMETRIC_DEFAULT");
    assert_eq!(key["KeyUsage"], "ENCRYPT_DECRYPT");
    assert_eq!(key["EncryptionAlgorithms"], serde_json::json!(["SYMMETRIC_DEFAULT"]));
    assert_eq!(key["Origin"], "AWS_KMS");
    assert_eq!(key["KeyManager"], "CUSTOMER");
    assert_eq!(key["MultiRegion"], false);
    assert_eq!(key["Arn"], format!("arn:aws:kms:us-east-1:000000000000:key/{}", key_id(&key)));
    let policy = server.aws_json(&["kms", "get-key-policy", "--key-id", &key_id(&key), "--policy-name", "default"]);
    let policy: Value = serde_json::from_str(policy["Policy"].as_str().unwrap()).unwrap();
    assert_eq!(policy["Statement"][0]["Principal"]["AWS"], "arn:aws:iam::000000000000:root");
    assert_eq!(policy["Statement"][0]["Action"], "kms:*");
}

#[test]
fn encrypt_and_decrypt_round_trip_without_naming_the_key() {
    let server = Server::start(&["--ephemeral"]);
    let files = Files::new();
    let key = key_id(&create_key(&server, &[]));
    let ciphertext = encrypt(&server, &files, &key, b"attack at dawn", &[]);
    assert!(!ciphertext.windows(6).any(|w| w == b"attack"), "the plaintext shows in the ciphertext");
    assert_eq!(plaintext_of(&decrypt(&server, &files, &ciphertext, &[])), b"attack at dawn");
}

#[test]
fn a_tampered_ciphertext_is_invalid() {
    let server = Server::start(&["--ephemeral"]);
    let files = Files::new();
    let key = key_id(&create_key(&server, &[]));
    let mut ciphertext = encrypt(&server, &files, &key, b"do not tamper", &[]);
    let last = ciphertext.len() - 1;
    ciphertext[last] ^= 1;
    let out = decrypt(&server, &files, &ciphertext, &[]);
    assert!(error_text(&out).contains("InvalidCiphertextException"), "{}", error_text(&out));
}

#[test]
fn the_encryption_context_must_match_to_decrypt() {
    let server = Server::start(&["--ephemeral"]);
    let files = Files::new();
    let key = key_id(&create_key(&server, &[]));
    let ciphertext = encrypt(&server, &files, &key, b"bound", &["--encryption-context", "purpose=test"]);
    let wrong = decrypt(&server, &files, &ciphertext, &["--encryption-context", "purpose=other"]);
    assert!(error_text(&wrong).contains("InvalidCiphertextException"), "{}", error_text(&wrong));
    let missing = decrypt(&server, &files, &ciphertext, &[]);
    assert!(error_text(&missing).contains("InvalidCiphertextException"), "{}", error_text(&missing));
    let right = decrypt(&server, &files, &ciphertext, &["--encryption-context", "purpose=test"]);
    assert_eq!(plaintext_of(&right), b"bound");
}

#[test]
fn an_alias_names_its_key_in_describe_and_encrypt() {
    let server = Server::start(&["--ephemeral"]);
    let files = Files::new();
    let key = key_id(&create_key(&server, &[]));
    server.aws_json(&["kms", "create-alias", "--alias-name", "alias/orders", "--target-key-id", &key]);
    let described = server.aws_json(&["kms", "describe-key", "--key-id", "alias/orders"]);
    assert_eq!(described["KeyMetadata"]["KeyId"], key.as_str());
    let alias_arn = "arn:aws:kms:us-east-1:000000000000:alias/orders";
    let by_arn = server.aws_json(&["kms", "describe-key", "--key-id", alias_arn]);
    assert_eq!(by_arn["KeyMetadata"]["KeyId"], key.as_str());
    let ciphertext = encrypt(&server, &files, "alias/orders", b"via alias", &[]);
    assert_eq!(plaintext_of(&decrypt(&server, &files, &ciphertext, &["--key-id", &key])), b"via alias");
    let aliases = server.aws_json(&["kms", "list-aliases", "--key-id", &key]);
    assert_eq!(aliases["Aliases"][0]["AliasArn"], alias_arn);
}

#[test]
fn alias_names_under_alias_aws_are_reserved() {
    let server = Server::start(&["--ephemeral"]);
    let key = key_id(&create_key(&server, &[]));
    let out = server.aws(&["kms", "create-alias", "--alias-name", "alias/aws/mine", "--target-key-id", &key]);
    assert!(error_text(&out).contains("NotAuthorizedException"), "{}", error_text(&out));
}

#[test]
fn a_disabled_key_refuses_to_encrypt_until_enabled() {
    let server = Server::start(&["--ephemeral"]);
    let files = Files::new();
    let key = key_id(&create_key(&server, &[]));
    server.aws_json(&["kms", "disable-key", "--key-id", &key]);
    let blob = files.write("p", b"x");
    let out = server.aws(&["kms", "encrypt", "--key-id", &key, "--plaintext", &blob]);
    assert!(error_text(&out).contains("DisabledException"), "{}", error_text(&out));
    assert!(error_text(&out).contains("is disabled."), "{}", error_text(&out));
    server.aws_json(&["kms", "enable-key", "--key-id", &key]);
    encrypt(&server, &files, &key, b"x", &[]);
}

#[test]
fn rotation_keeps_old_ciphertexts_decryptable() {
    let server = Server::start(&["--ephemeral", "--test-clock"]);
    let files = Files::new();
    let key = key_id(&create_key(&server, &[]));
    let before = encrypt(&server, &files, &key, b"made before rotation", &[]);
    server.aws_json(&["kms", "enable-key-rotation", "--key-id", &key, "--rotation-period-in-days", "90"]);
    let status = server.aws_json(&["kms", "get-key-rotation-status", "--key-id", &key]);
    assert_eq!(status["KeyRotationEnabled"], true);
    assert_eq!(status["RotationPeriodInDays"], 90);
    advance_clock(&server, 91 * 86_400);
    eventually("the scheduled rotation", || {
        let rotations = server.aws_json(&["kms", "list-key-rotations", "--key-id", &key]);
        rotations["Rotations"].as_array().is_some_and(|r| r.len() == 1 && r[0]["RotationType"] == "AUTOMATIC")
    });
    server.aws_json(&["kms", "rotate-key-on-demand", "--key-id", &key]);
    let rotations = server.aws_json(&["kms", "list-key-rotations", "--key-id", &key]);
    assert_eq!(rotations["Rotations"].as_array().unwrap().len(), 2);
    assert_eq!(plaintext_of(&decrypt(&server, &files, &before, &[])), b"made before rotation");
    let after = encrypt(&server, &files, &key, b"made after", &[]);
    assert_eq!(plaintext_of(&decrypt(&server, &files, &after, &[])), b"made after");
    let event = service_event(&server, "RotateKey");
    assert_eq!(event["eventType"], "AwsServiceEvent");
    assert_eq!(event["userIdentity"]["invokedBy"], "kms.amazonaws.com");
    assert!(event["resources"][0]["ARN"].as_str().unwrap().ends_with(&key));
}

/// The first CloudTrail event named `name`, once the trail has it.
fn service_event(server: &Server, name: &str) -> Value {
    let mut found = Value::Null;
    eventually(&format!("a {name} event"), || {
        let attribute = format!("AttributeKey=EventName,AttributeValue={name}");
        let events = server.aws_json(&["cloudtrail", "lookup-events", "--lookup-attributes", &attribute]);
        match events["Events"].as_array().and_then(|e| e.first()) {
            Some(event) => {
                found = serde_json::from_str(event["CloudTrailEvent"].as_str().unwrap()).unwrap();
                true
            }
            None => false,
        }
    });
    found
}

#[test]
fn a_key_pending_deletion_refuses_use_can_be_cancelled_and_is_gone_after_the_window() {
    let server = Server::start(&["--ephemeral", "--test-clock"]);
    let files = Files::new();
    let key = key_id(&create_key(&server, &[]));
    let scheduled = server.aws_json(&["kms", "schedule-key-deletion", "--key-id", &key, "--pending-window-in-days", "7"]);
    assert_eq!(scheduled["KeyState"], "PendingDeletion");
    assert_eq!(scheduled["PendingWindowInDays"], 7);
    let blob = files.write("p", b"x");
    let out = server.aws(&["kms", "encrypt", "--key-id", &key, "--plaintext", &blob]);
    assert!(error_text(&out).contains("KMSInvalidStateException"), "{}", error_text(&out));
    assert!(error_text(&out).contains("is pending deletion."), "{}", error_text(&out));

    server.aws_json(&["kms", "cancel-key-deletion", "--key-id", &key]);
    let described = server.aws_json(&["kms", "describe-key", "--key-id", &key]);
    assert_eq!(described["KeyMetadata"]["KeyState"], "Disabled");
    assert!(described["KeyMetadata"].get("DeletionDate").is_none());

    server.aws_json(&["kms", "schedule-key-deletion", "--key-id", &key, "--pending-window-in-days", "7"]);
    advance_clock(&server, 8 * 86_400);
    eventually("the key to be deleted", || {
        let out = server.aws(&["kms", "describe-key", "--key-id", &key]);
        error_text(&out).contains("NotFoundException")
    });
    let keys = server.aws_json(&["kms", "list-keys"]);
    assert!(keys["Keys"].as_array().unwrap().iter().all(|k| k["KeyId"] != key.as_str()));
    assert_eq!(service_event(&server, "DeleteKey")["eventType"], "AwsServiceEvent");
}

#[test]
fn a_replica_decrypts_what_its_primary_encrypted() {
    let server = Server::start(&["--ephemeral"]);
    let files = Files::new();
    let key = key_id(&create_key(&server, &["--multi-region"]));
    assert!(key.starts_with("mrk-") && key.len() == 36, "{key}");
    let replica = server.aws_json(&["kms", "replicate-key", "--key-id", &key, "--replica-region", "eu-west-1"]);
    assert_eq!(replica["ReplicaKeyMetadata"]["KeyState"], "Creating");
    assert_eq!(replica["ReplicaKeyMetadata"]["MultiRegionConfiguration"]["MultiRegionKeyType"], "REPLICA");
    eventually("the replica to be enabled", || {
        let described = server.aws_json(&["kms", "describe-key", "--region", "eu-west-1", "--key-id", &key]);
        described["KeyMetadata"]["KeyState"] == "Enabled"
    });
    let ciphertext = encrypt(&server, &files, &key, b"hello regions", &[]);
    let out = decrypt(&server, &files, &ciphertext, &["--region", "eu-west-1", "--key-id", &key]);
    assert_eq!(plaintext_of(&out), b"hello regions");
    let primary = server.aws_json(&["kms", "describe-key", "--key-id", &key]);
    let replicas = &primary["KeyMetadata"]["MultiRegionConfiguration"]["ReplicaKeys"];
    assert_eq!(replicas[0]["Region"], "eu-west-1");
}

#[test]
fn a_key_policy_that_would_lock_the_caller_out_is_refused() {
    let server = Server::start(&["--ephemeral"]);
    let key = key_id(&create_key(&server, &[]));
    let lockout = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::000000000000:role/Someone"},"Action":"kms:*","Resource":"*"}]}"#;
    let out = server.aws(&["kms", "put-key-policy", "--key-id", &key, "--policy-name", "default", "--policy", lockout]);
    assert!(error_text(&out).contains("MalformedPolicyDocumentException"), "{}", error_text(&out));
    assert!(error_text(&out).contains("will not allow you to update the key policy in the future"), "{}", error_text(&out));
    server.aws_json(&[
        "kms",
        "put-key-policy",
        "--key-id",
        &key,
        "--policy-name",
        "default",
        "--policy",
        lockout,
        "--bypass-policy-lockout-safety-check",
    ]);
}

#[test]
fn a_malformed_key_policy_is_refused() {
    let server = Server::start(&["--ephemeral"]);
    let key = key_id(&create_key(&server, &[]));
    let out = server.aws(&["kms", "put-key-policy", "--key-id", &key, "--policy-name", "default", "--policy", "{not json"]);
    assert!(error_text(&out).contains("MalformedPolicyDocumentException"), "{}", error_text(&out));
}

#[test]
fn a_data_key_decrypts_to_its_plaintext() {
    let server = Server::start(&["--ephemeral"]);
    let files = Files::new();
    let key = key_id(&create_key(&server, &[]));
    let data_key = server.aws_json(&["kms", "generate-data-key", "--key-id", &key, "--key-spec", "AES_256"]);
    let plaintext = b64_decode(&data_key["Plaintext"]);
    assert_eq!(plaintext.len(), 32);
    let ciphertext = b64_decode(&data_key["CiphertextBlob"]);
    assert_eq!(plaintext_of(&decrypt(&server, &files, &ciphertext, &[])), plaintext);
}

#[test]
fn an_hmac_key_verifies_its_own_mac_and_refuses_another() {
    let server = Server::start(&["--ephemeral"]);
    let files = Files::new();
    let key = key_id(&create_key(&server, &["--key-spec", "HMAC_256", "--key-usage", "GENERATE_VERIFY_MAC"]));
    let message = files.write("message", b"payload");
    let mac = server.aws_json(&["kms", "generate-mac", "--key-id", &key, "--message", &message, "--mac-algorithm", "HMAC_SHA_256"]);
    let mac_file = files.write("mac", &b64_decode(&mac["Mac"]));
    let verified = server.aws_json(&[
        "kms", "verify-mac", "--key-id", &key, "--message", &message, "--mac-algorithm", "HMAC_SHA_256", "--mac", &mac_file,
    ]);
    assert_eq!(verified["MacValid"], true);
    let other = files.write("other", b"other payload");
    let out = server.aws(&[
        "kms", "verify-mac", "--key-id", &key, "--message", &other, "--mac-algorithm", "HMAC_SHA_256", "--mac", &mac_file,
    ]);
    assert!(error_text(&out).contains("KMSInvalidMacException"), "{}", error_text(&out));
}

fn openssl_present() -> bool {
    Command::new("openssl").arg("version").output().is_ok_and(|o| o.status.success())
}

fn openssl_verify(files: &Files, public_key_der: &[u8], message: &[u8], signature: &[u8], digest: &str, pss: bool) -> bool {
    std::fs::write(files.path("pub.der"), public_key_der).unwrap();
    std::fs::write(files.path("message.bin"), message).unwrap();
    std::fs::write(files.path("sig.bin"), signature).unwrap();
    let path = |name: &str| files.path(name).display().to_string();
    let mut command = Command::new("openssl");
    command.args(["dgst", digest, "-keyform", "DER", "-verify", &path("pub.der"), "-signature", &path("sig.bin")]);
    if pss {
        command.args(["-sigopt", "rsa_padding_mode:pss", "-sigopt", "rsa_pss_saltlen:-1"]);
    }
    command.arg(path("message.bin"));
    let out = command.output().unwrap();
    out.status.success()
}

fn sign_and_check_with_openssl(key_spec: &str, algorithm: &str, pss: bool) {
    if !openssl_present() {
        eprintln!("openssl is not installed; skipped");
        return;
    }
    let server = Server::start(&["--ephemeral"]);
    let files = Files::new();
    let key = key_id(&create_key(&server, &["--key-spec", key_spec, "--key-usage", "SIGN_VERIFY"]));
    let public = server.aws_json(&["kms", "get-public-key", "--key-id", &key]);
    assert_eq!(public["KeySpec"], key_spec);
    let public_key = b64_decode(&public["PublicKey"]);
    let message = files.write("message", b"signed by KMS");
    let signed = server.aws_json(&["kms", "sign", "--key-id", &key, "--message", &message, "--signing-algorithm", algorithm]);
    let signature = b64_decode(&signed["Signature"]);
    let digest = format!("-sha{}", &algorithm[algorithm.len() - 3..]);
    assert!(openssl_verify(&files, &public_key, b"signed by KMS", &signature, &digest, pss), "OpenSSL rejects the signature");
    let signature_file = files.write("signature", &signature);
    let verified = server.aws_json(&[
        "kms", "verify", "--key-id", &key, "--message", &message, "--signature", &signature_file, "--signing-algorithm", algorithm,
    ]);
    assert_eq!(verified["SignatureValid"], true);
}

#[test]
fn openssl_verifies_an_ecdsa_p256_signature_with_the_public_key() {
    sign_and_check_with_openssl("ECC_NIST_P256", "ECDSA_SHA_256", false);
}

#[test]
fn openssl_verifies_an_ecdsa_p384_signature_with_the_public_key() {
    sign_and_check_with_openssl("ECC_NIST_P384", "ECDSA_SHA_384", false);
}

#[test]
fn openssl_verifies_an_rsa_pss_signature_with_the_public_key() {
    sign_and_check_with_openssl("RSA_2048", "RSASSA_PSS_SHA_256", true);
}

#[test]
fn a_signature_for_another_message_is_invalid() {
    let server = Server::start(&["--ephemeral"]);
    let files = Files::new();
    let key = key_id(&create_key(&server, &["--key-spec", "ECC_NIST_P256", "--key-usage", "SIGN_VERIFY"]));
    let message = files.write("message", b"original");
    let signed = server.aws_json(&["kms", "sign", "--key-id", &key, "--message", &message, "--signing-algorithm", "ECDSA_SHA_256"]);
    let signature = files.write("signature", &b64_decode(&signed["Signature"]));
    let other = files.write("other", b"forged");
    let out = server.aws(&[
        "kms", "verify", "--key-id", &key, "--message", &other, "--signature", &signature, "--signing-algorithm", "ECDSA_SHA_256",
    ]);
    assert!(error_text(&out).contains("KMSInvalidSignatureException"), "{}", error_text(&out));
}

#[test]
fn a_symmetric_key_cannot_sign() {
    let server = Server::start(&["--ephemeral"]);
    let files = Files::new();
    let key = key_id(&create_key(&server, &[]));
    let message = files.write("message", b"m");
    let out = server.aws(&["kms", "sign", "--key-id", &key, "--message", &message, "--signing-algorithm", "ECDSA_SHA_256"]);
    assert!(error_text(&out).contains("InvalidKeyUsageException"), "{}", error_text(&out));
}


fn openssl(args: &[&str]) -> Output {
    let out = Command::new("openssl").args(args).output().unwrap();
    assert!(out.status.success(), "openssl {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    out
}

/// Wraps `material` with the public key GetParametersForImport gave, as the AWS docs show with
/// OpenSSL, and imports it.
fn import_material(server: &Server, files: &Files, key: &str, material: &[u8], extra: &[&str]) -> Output {
    let parameters = server.aws_json(&[
        "kms", "get-parameters-for-import", "--key-id", key, "--wrapping-algorithm", "RSAES_OAEP_SHA_256", "--wrapping-key-spec", "RSA_2048",
    ]);
    std::fs::write(files.path("wrapping.der"), b64_decode(&parameters["PublicKey"])).unwrap();
    std::fs::write(files.path("material.bin"), material).unwrap();
    let path = |name: &str| files.path(name).display().to_string();
    openssl(&[
        "pkeyutl", "-encrypt", "-pubin", "-keyform", "DER", "-inkey", &path("wrapping.der"), "-in", &path("material.bin"),
        "-out", &path("wrapped.bin"), "-pkeyopt", "rsa_padding_mode:oaep", "-pkeyopt", "rsa_oaep_md:sha256", "-pkeyopt", "rsa_mgf1_md:sha256",
    ]);
    let token = files.write("token.bin", &b64_decode(&parameters["ImportToken"]));
    let wrapped = format!("fileb://{}", path("wrapped.bin"));
    let mut args = vec!["kms", "import-key-material", "--key-id", key, "--encrypted-key-material", &wrapped, "--import-token", &token];
    args.extend_from_slice(extra);
    server.aws(&args)
}

#[test]
fn imported_key_material_encrypts_can_be_deleted_and_only_the_same_material_is_reimported() {
    if !openssl_present() {
        eprintln!("openssl is not installed; skipped");
        return;
    }
    let server = Server::start(&["--ephemeral"]);
    let files = Files::new();
    let metadata = create_key(&server, &["--origin", "EXTERNAL"]);
    assert_eq!(metadata["Origin"], "EXTERNAL");
    assert_eq!(metadata["KeyState"], "PendingImport");
    let key = key_id(&metadata);
    let material = [7u8; 32];

    let out = import_material(&server, &files, &key, &material, &["--expiration-model", "KEY_MATERIAL_DOES_NOT_EXPIRE"]);
    assert!(out.status.success(), "{}", error_text(&out));
    let described = server.aws_json(&["kms", "describe-key", "--key-id", &key])["KeyMetadata"].clone();
    assert_eq!(described["KeyState"], "Enabled");
    assert_eq!(described["ExpirationModel"], "KEY_MATERIAL_DOES_NOT_EXPIRE");
    let ciphertext = encrypt(&server, &files, &key, b"imported", &[]);

    server.aws_json(&["kms", "delete-imported-key-material", "--key-id", &key]);
    assert!(error_text(&decrypt(&server, &files, &ciphertext, &[])).contains("KMSInvalidStateException"));

    let out = import_material(&server, &files, &key, &[8u8; 32], &["--expiration-model", "KEY_MATERIAL_DOES_NOT_EXPIRE"]);
    assert!(error_text(&out).contains("IncorrectKeyMaterialException"), "{}", error_text(&out));
    let out = import_material(&server, &files, &key, &material, &["--valid-to", "2099-01-01T00:00:00Z"]);
    assert!(out.status.success(), "{}", error_text(&out));
    assert_eq!(plaintext_of(&decrypt(&server, &files, &ciphertext, &[])), b"imported");

    let aws_key = key_id(&create_key(&server, &[]));
    let out = server.aws(&[
        "kms", "get-parameters-for-import", "--key-id", &aws_key, "--wrapping-algorithm", "RSAES_OAEP_SHA_256", "--wrapping-key-spec", "RSA_2048",
    ]);
    assert!(error_text(&out).contains("UnsupportedOperationException"), "{}", error_text(&out));
}

#[test]
fn derive_shared_secret_agrees_with_openssl_ecdh() {
    if !openssl_present() {
        eprintln!("openssl is not installed; skipped");
        return;
    }
    let server = Server::start(&["--ephemeral"]);
    let files = Files::new();
    let key = key_id(&create_key(&server, &["--key-spec", "ECC_NIST_P256", "--key-usage", "KEY_AGREEMENT"]));
    let path = |name: &str| files.path(name).display().to_string();
    openssl(&["genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", &path("peer.pem")]);
    openssl(&["pkey", "-in", &path("peer.pem"), "-pubout", "-outform", "DER", "-out", &path("peer_pub.der")]);
    let peer_public = format!("fileb://{}", path("peer_pub.der"));
    let derived = server.aws_json(&[
        "kms", "derive-shared-secret", "--key-id", &key, "--key-agreement-algorithm", "ECDH", "--public-key", &peer_public,
    ]);
    let kms_secret = b64_decode(&derived["SharedSecret"]);

    let kms_public = b64_decode(&server.aws_json(&["kms", "get-public-key", "--key-id", &key])["PublicKey"]);
    std::fs::write(files.path("kms_pub.der"), kms_public).unwrap();
    openssl(&["pkey", "-pubin", "-inform", "DER", "-in", &path("kms_pub.der"), "-out", &path("kms_pub.pem")]);
    openssl(&["pkeyutl", "-derive", "-inkey", &path("peer.pem"), "-peerkey", &path("kms_pub.pem"), "-out", &path("secret.bin")]);
    assert_eq!(kms_secret, std::fs::read(files.path("secret.bin")).unwrap(), "both sides derive the same secret");

    let symmetric = key_id(&create_key(&server, &[]));
    let out = server.aws(&[
        "kms", "derive-shared-secret", "--key-id", &symmetric, "--key-agreement-algorithm", "ECDH", "--public-key", &peer_public,
    ]);
    assert!(error_text(&out).contains("InvalidKeyUsageException"), "{}", error_text(&out));
}

#[test]
fn update_primary_region_makes_a_replica_the_primary() {
    let server = Server::start(&["--ephemeral"]);
    let key = key_id(&create_key(&server, &["--multi-region"]));
    server.aws_json(&["kms", "replicate-key", "--key-id", &key, "--replica-region", "eu-west-1"]);
    let out = server.aws(&["kms", "update-primary-region", "--key-id", &key, "--primary-region", "ap-south-1"]);
    assert!(error_text(&out).contains("NotFoundException"), "{}", error_text(&out));
    let out = server.aws(&["kms", "update-primary-region", "--key-id", &key, "--primary-region", "eu-west-1"]);
    assert!(out.status.success(), "{}", error_text(&out));
    let old = server.aws_json(&["kms", "describe-key", "--key-id", &key])["KeyMetadata"]["MultiRegionConfiguration"].clone();
    assert_eq!(old["MultiRegionKeyType"], "REPLICA");
    assert_eq!(old["PrimaryKey"]["Region"], "eu-west-1");
    let new = server.aws_json(&["kms", "describe-key", "--key-id", &key, "--region", "eu-west-1"])["KeyMetadata"]["MultiRegionConfiguration"].clone();
    assert_eq!(new["MultiRegionKeyType"], "PRIMARY");
    assert_eq!(new["ReplicaKeys"][0]["Region"], "us-east-1");
}

#[test]
fn the_aws_encryption_sdk_encrypts_and_decrypts_with_a_palisade_key() {
    let server = Server::start(&["--ephemeral"]);
    let key = create_key(&server, &[]);
    let out = support::python("encryption_sdk.py", &[&server.endpoint(), key["Arn"].as_str().unwrap()]);
    assert!(out.status.success(), "{}", error_text(&out));
    let result: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(result["round_trip"], true);
    assert_eq!(result["bytes"], 100 * 1024);
    assert_eq!(result["context"]["tenant"], "palisade");
    assert_eq!(result["data_keys"], 1);
    assert_eq!(result["tampered_refused"], true);
}

#[test]
fn kms_decrypts_what_openssl_encrypted_with_the_rsa_public_key() {
    if !openssl_present() {
        eprintln!("openssl is not installed; skipped");
        return;
    }
    let server = Server::start(&["--ephemeral"]);
    let files = Files::new();
    let key = key_id(&create_key(&server, &["--key-spec", "RSA_2048", "--key-usage", "ENCRYPT_DECRYPT"]));
    std::fs::write(files.path("pub.der"), b64_decode(&server.aws_json(&["kms", "get-public-key", "--key-id", &key])["PublicKey"])).unwrap();
    std::fs::write(files.path("secret.txt"), b"sealed by openssl").unwrap();
    let path = |name: &str| files.path(name).display().to_string();
    openssl(&[
        "pkeyutl", "-encrypt", "-pubin", "-keyform", "DER", "-inkey", &path("pub.der"), "-in", &path("secret.txt"),
        "-out", &path("sealed.bin"), "-pkeyopt", "rsa_padding_mode:oaep", "-pkeyopt", "rsa_oaep_md:sha256", "-pkeyopt", "rsa_mgf1_md:sha256",
    ]);
    let sealed = std::fs::read(files.path("sealed.bin")).unwrap();
    let out = decrypt(&server, &files, &sealed, &["--key-id", &key, "--encryption-algorithm", "RSAES_OAEP_SHA_256"]);
    assert_eq!(plaintext_of(&out), b"sealed by openssl");
}

#[test]
fn a_service_default_key_is_an_aws_managed_key() {
    let server = Server::start(&["--ephemeral"]);
    server.aws_json(&["ssm", "put-parameter", "--name", "/app/secret", "--type", "SecureString", "--value", "v"]);
    let key = server.aws_json(&["kms", "describe-key", "--key-id", "alias/aws/ssm"])["KeyMetadata"].clone();
    assert_eq!(key["KeyManager"], "AWS");
    assert_eq!(key["KeyState"], "Enabled");
    let out = server.aws(&["kms", "schedule-key-deletion", "--key-id", key["KeyId"].as_str().unwrap()]);
    assert!(error_text(&out).contains("AccessDeniedException"), "no one may delete an AWS managed key: {}", error_text(&out));
}
