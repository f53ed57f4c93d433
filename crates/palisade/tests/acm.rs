//! ACM and ACM PCA end to end with the aws CLI, checked by OpenSSL: issued certificates chain
//! to the exported installation root, imports check keys and chains, managed renewal follows
//! the server clock, and a private CA's revocations appear in the CRL Palisade serves.

mod support;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::{Duration, Instant};

use serde_json::Value;
use support::{error_text, http, Server, TempDir};

const DAY_SECONDS: u64 = 86_400;

/// How long DNS and e-mail validation take on the test servers, in server-clock seconds: long
/// enough that a certificate is seen pending however loaded the machine is, until the test
/// moves the clock with [`complete_validation`].
const VALIDATION_SECONDS: u64 = 3600;

/// A server with a test clock. Every test sets the same validation delay, so the order they
/// run in does not matter.
fn start_server() -> Server {
    std::env::set_var("PALISADE_ACM_VALIDATION_SECONDS", VALIDATION_SECONDS.to_string());
    Server::start(&["--ephemeral", "--test-clock"])
}

fn advance_clock(server: &Server, seconds: u64) {
    let body = format!(r#"{{"advance_seconds": {seconds}}}"#);
    let moved = http(server.port, "POST", "/_palisade/clock", &[], body.as_bytes()).unwrap();
    assert_eq!(moved.status, 200, "{}", moved.text());
}

/// Moves the server clock past the validation delay of the certificates requested so far.
fn complete_validation(server: &Server) {
    advance_clock(server, VALIDATION_SECONDS);
}

fn openssl(dir: &Path, args: &[&str]) -> Output {
    Command::new("openssl").current_dir(dir).args(args).output().expect("openssl runs")
}

fn openssl_ok(dir: &Path, args: &[&str]) -> String {
    let out = openssl(dir, args);
    assert!(out.status.success(), "openssl {args:?} failed: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

fn fileb(path: &Path) -> String {
    format!("fileb://{}", path.display())
}

fn poll(what: &str, mut done: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(30);
    while !done() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(200));
    }
}

fn describe(server: &Server, arn: &str) -> Value {
    server.aws_json(&["acm", "describe-certificate", "--certificate-arn", arn])["Certificate"].clone()
}

fn wait_issued(server: &Server, arn: &str) -> Value {
    let mut detail = Value::Null;
    poll("the certificate to be issued", || {
        detail = describe(server, arn);
        detail["Status"] == "ISSUED"
    });
    detail
}

fn request(server: &Server, args: &[&str]) -> String {
    let mut all = vec!["acm", "request-certificate"];
    all.extend_from_slice(args);
    server.aws_json(&all)["CertificateArn"].as_str().unwrap().to_owned()
}

#[test]
fn a_requested_certificate_is_issued_with_its_names_and_chains_to_the_exported_root() {
    let server = start_server();
    let dir = TempDir::new("acm");
    let arn = request(
        &server,
        &["--domain-name", "*.shop.example.com", "--subject-alternative-names", "shop.example.com", "--validation-method", "DNS"],
    );
    let early = server.aws(&["acm", "get-certificate", "--certificate-arn", &arn]);
    assert!(!early.status.success() && error_text(&early).contains("RequestInProgressException"), "{}", error_text(&early));
    let pending = describe(&server, &arn);
    assert_eq!(pending["Status"], "PENDING_VALIDATION");
    assert_eq!(pending["KeyAlgorithm"], "RSA-2048");
    let record = &pending["DomainValidationOptions"][0]["ResourceRecord"];
    assert_eq!(record["Type"], "CNAME");
    assert!(record["Name"].as_str().unwrap().ends_with(".shop.example.com."), "{record}");

    // The default listing shows RSA_2048 certificates; EC ones only when their key type is asked for.
    let ec_arn = request(&server, &["--domain-name", "ec.example.com", "--key-algorithm", "EC_prime256v1", "--validation-method", "DNS"]);
    complete_validation(&server);
    poll("ListCertificates to show the issued certificate", || {
        let listed = server.aws_json(&["acm", "list-certificates", "--certificate-statuses", "ISSUED"]);
        listed["CertificateSummaryList"].as_array().unwrap().iter().any(|c| c["CertificateArn"] == arn.as_str())
    });
    let detail = wait_issued(&server, &arn);
    assert_eq!(detail["SubjectAlternativeNames"], serde_json::json!(["*.shop.example.com", "shop.example.com"]));
    assert_eq!(detail["DomainValidationOptions"][0]["ValidationStatus"], "SUCCESS");
    assert_eq!(detail["RenewalEligibility"], "INELIGIBLE");
    // As ACM's: from the start of the day of issue to the end of the day 395 days later.
    let not_before = detail["NotBefore"].as_f64().unwrap();
    assert_eq!(not_before % DAY_SECONDS as f64, 0.0);
    assert_eq!(detail["NotAfter"].as_f64().unwrap() - not_before, (396 * DAY_SECONDS - 1) as f64);
    wait_issued(&server, &ec_arn);
    let default_list = server.aws_json(&["acm", "list-certificates"]);
    assert!(!default_list.to_string().contains(&ec_arn), "EC certificates are not listed by default");
    let ec_list = server.aws_json(&["acm", "list-certificates", "--includes", "keyTypes=EC_prime256v1"]);
    assert_eq!(ec_list["CertificateSummaryList"][0]["CertificateArn"], ec_arn.as_str());
    let page = server.aws_json(&["acm", "list-certificates", "--includes", "keyTypes=RSA_2048,EC_prime256v1", "--max-items", "1"]);
    assert_eq!(page["CertificateSummaryList"].as_array().unwrap().len(), 1);
    assert!(page["NextToken"].is_string());

    let filter = r#"{"And":[{"Filter":{"X509AttributeFilter":{"SubjectAlternativeName":{"DnsName":{"Value":"shop.example","ComparisonOperator":"CONTAINS"}}}}},{"Not":{"Filter":{"AcmCertificateMetadataFilter":{"Type":"IMPORTED"}}}}]}"#;
    let found = server.aws_json(&["acm", "search-certificates", "--filter-statement", filter]);
    assert_eq!(found["Results"].as_array().unwrap().len(), 1, "{found}");
    assert_eq!(found["Results"][0]["X509Attributes"]["Subject"]["CommonName"], "*.shop.example.com");

    let got = server.aws_json(&["acm", "get-certificate", "--certificate-arn", &arn]);
    write(dir.0.as_path(), "cert.pem", got["Certificate"].as_str().unwrap());
    write(dir.0.as_path(), "chain.pem", got["CertificateChain"].as_str().unwrap());
    let root = http(server.port, "GET", "/_palisade/ca.pem", &[], b"").unwrap().text();
    write(dir.0.as_path(), "root.pem", &root);
    // Checked at the server's time: the test moved its clock past the wall clock.
    let clock: Value = serde_json::from_slice(&http(server.port, "GET", "/_palisade/clock", &[], b"").unwrap().body).unwrap();
    let at = format!("{}", clock["epoch_seconds"].as_f64().unwrap() as u64);
    let verified = openssl_ok(&dir.0, &["verify", "-attime", &at, "-CAfile", "root.pem", "-untrusted", "chain.pem", "cert.pem"]);
    assert!(verified.contains("cert.pem: OK"), "{verified}");
    let text = openssl_ok(&dir.0, &["x509", "-in", "cert.pem", "-noout", "-text"]);
    assert!(text.contains("DNS:*.shop.example.com, DNS:shop.example.com"), "{text}");
    assert!(text.contains("Public-Key: (2048 bit)"), "{text}");

    let refused = server.aws(&["acm", "export-certificate", "--certificate-arn", &arn, "--passphrase", "fileb:///dev/null"]);
    assert!(!refused.status.success());
    server.aws_json(&["acm", "add-tags-to-certificate", "--certificate-arn", &arn, "--tags", "Key=team,Value=web"]);
    let tags = server.aws_json(&["acm", "list-tags-for-certificate", "--certificate-arn", &arn]);
    assert_eq!(tags["Tags"], serde_json::json!([{ "Key": "team", "Value": "web" }]));
    server.aws_json(&["acm", "delete-certificate", "--certificate-arn", &arn]);
    let gone = server.aws(&["acm", "describe-certificate", "--certificate-arn", &arn]);
    assert!(error_text(&gone).contains("ResourceNotFoundException"), "{}", error_text(&gone));
}

#[test]
fn import_refuses_a_key_that_is_not_the_certificates_and_reimport_keeps_the_arn() {
    let server = start_server();
    let dir = TempDir::new("acm-import");
    let d = dir.0.as_path();
    openssl_ok(d, &["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out", "ca.pem", "-days", "30", "-subj", "/CN=Import CA"]);
    for name in ["leaf", "other"] {
        openssl_ok(d, &["req", "-new", "-newkey", "rsa:2048", "-nodes", "-keyout", &format!("{name}.key"), "-out", &format!("{name}.csr"), "-subj", "/CN=imported.example.com"]);
    }
    write(d, "san.ext", "subjectAltName=DNS:imported.example.com,DNS:www.imported.example.com\n");
    openssl_ok(d, &["x509", "-req", "-in", "leaf.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial", "-out", "leaf.pem", "-days", "20", "-extfile", "san.ext"]);

    let import = |key: &str, extra: &[&str]| {
        let (cert, key, chain) = (fileb(&d.join("leaf.pem")), fileb(&d.join(key)), fileb(&d.join("ca.pem")));
        let mut args = vec!["acm", "import-certificate", "--certificate", &cert, "--private-key", &key, "--certificate-chain", &chain];
        args.extend_from_slice(extra);
        server.aws(&args)
    };
    let mismatched = import("other.key", &[]);
    assert!(!mismatched.status.success(), "a key that is not the certificate's is refused");
    assert!(error_text(&mismatched).contains("does not match"), "{}", error_text(&mismatched));

    let wrong_chain = server.aws(&[
        "acm", "import-certificate", "--certificate", &fileb(&d.join("leaf.pem")), "--private-key", &fileb(&d.join("leaf.key")),
        "--certificate-chain", &fileb(&d.join("leaf.pem")),
    ]);
    assert!(error_text(&wrong_chain).contains("certificate chain"), "{}", error_text(&wrong_chain));

    let imported = import("leaf.key", &[]);
    assert!(imported.status.success(), "{}", error_text(&imported));
    let arn = serde_json::from_slice::<Value>(&imported.stdout).unwrap()["CertificateArn"].as_str().unwrap().to_owned();
    let detail = describe(&server, &arn);
    assert_eq!(detail["Type"], "IMPORTED");
    assert_eq!(detail["Status"], "ISSUED");
    assert_eq!(detail["DomainName"], "imported.example.com");
    assert_eq!(detail["SubjectAlternativeNames"], serde_json::json!(["imported.example.com", "www.imported.example.com"]));
    let expiry = openssl_ok(d, &["x509", "-in", "leaf.pem", "-noout", "-enddate"]);
    assert!(expiry.starts_with("notAfter="));
    let not_after = detail["NotAfter"].as_f64().unwrap();
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs_f64();
    assert!((not_after - now - 20.0 * DAY_SECONDS as f64).abs() < 120.0, "NotAfter is read from the certificate");

    let reimported = import("leaf.key", &["--certificate-arn", &arn]);
    assert!(reimported.status.success(), "{}", error_text(&reimported));
    assert_eq!(serde_json::from_slice::<Value>(&reimported.stdout).unwrap()["CertificateArn"], arn.as_str());
}

#[test]
fn a_managed_certificate_in_use_or_exported_is_renewed_once_the_clock_passes_the_renewal_point() {
    let server = start_server();
    let exported = request(&server, &["--domain-name", "renew.example.com", "--validation-method", "DNS", "--options", "Export=ENABLED"]);
    let idle = request(&server, &["--domain-name", "idle.example.com", "--validation-method", "DNS"]);
    complete_validation(&server);
    let before = wait_issued(&server, &exported);
    let idle_before = wait_issued(&server, &idle);
    let dir = TempDir::new("acm-renew");
    let passphrase = write(&dir.0, "passphrase", "correct horse");
    let export = server.aws_json(&["acm", "export-certificate", "--certificate-arn", &exported, "--passphrase", &fileb(&passphrase)]);
    write(&dir.0, "key.pem", export["PrivateKey"].as_str().unwrap());
    let key = openssl_ok(&dir.0, &["pkey", "-in", "key.pem", "-passin", "pass:correct horse", "-noout", "-text"]);
    assert!(key.contains("Private-Key: (2048 bit"), "{key}");
    assert_eq!(describe(&server, &exported)["RenewalEligibility"], "ELIGIBLE");

    // 395-day certificates renew 60 days before they expire: 336 days on, the window is open.
    advance_clock(&server, 336 * DAY_SECONDS);
    let mut after = Value::Null;
    poll("the managed renewal", || {
        after = describe(&server, &exported);
        after["Serial"] != before["Serial"]
    });
    assert_eq!(after["CertificateArn"], exported.as_str());
    assert_eq!(after["Status"], "ISSUED");
    assert_eq!(after["RenewalSummary"]["RenewalStatus"], "SUCCESS");
    assert!(after["NotAfter"].as_f64().unwrap() > before["NotAfter"].as_f64().unwrap() + 300.0 * DAY_SECONDS as f64);
    assert_eq!(describe(&server, &idle)["Serial"], idle_before["Serial"], "an unused, unexported certificate is not renewed");

    advance_clock(&server, 60 * DAY_SECONDS);
    assert_eq!(describe(&server, &idle)["Status"], "EXPIRED");
    assert_eq!(describe(&server, &exported)["Status"], "ISSUED");
}

#[test]
fn a_private_ca_issues_from_an_openssl_csr_and_lists_revoked_certificates_in_its_crl() {
    let server = start_server();
    let dir = TempDir::new("acm-pca");
    let d = dir.0.as_path();
    let ca = server.aws_json(&[
        "acm-pca", "create-certificate-authority", "--certificate-authority-type", "ROOT",
        "--certificate-authority-configuration", "KeyAlgorithm=EC_prime256v1,SigningAlgorithm=SHA256WITHECDSA,Subject={CommonName=Palisade Test Root,Organization=Acme}",
        "--revocation-configuration", "CrlConfiguration={Enabled=true,S3BucketName=acme-crl,ExpirationInDays=7}",
        "--tags", "Key=env,Value=test",
    ])["CertificateAuthorityArn"]
        .as_str()
        .unwrap()
        .to_owned();
    let describe_ca = || server.aws_json(&["acm-pca", "describe-certificate-authority", "--certificate-authority-arn", &ca])["CertificateAuthority"].clone();
    assert_eq!(describe_ca()["Status"], "PENDING_CERTIFICATE");
    let csr = server.aws_json(&["acm-pca", "get-certificate-authority-csr", "--certificate-authority-arn", &ca])["Csr"].as_str().unwrap().to_owned();
    let csr_path = write(d, "ca.csr", &csr);
    let issue = |csr: &Path, template: &str, validity: &str| {
        let arn = server.aws_json(&[
            "acm-pca", "issue-certificate", "--certificate-authority-arn", &ca, "--csr", &fileb(csr), "--signing-algorithm",
            "SHA256WITHECDSA", "--template-arn", template, "--validity", validity,
        ])["CertificateArn"]
            .as_str()
            .unwrap()
            .to_owned();
        server.aws_json(&["acm-pca", "get-certificate", "--certificate-authority-arn", &ca, "--certificate-arn", &arn])
    };
    let root = issue(&csr_path, "arn:aws:acm-pca:::template/RootCACertificate/V1", "Value=5,Type=YEARS");
    let root_path = write(d, "root.pem", root["Certificate"].as_str().unwrap());
    server.aws_json(&["acm-pca", "import-certificate-authority-certificate", "--certificate-authority-arn", &ca, "--certificate", &fileb(&root_path)]);
    assert_eq!(describe_ca()["Status"], "ACTIVE");

    openssl_ok(d, &["req", "-new", "-newkey", "rsa:2048", "-nodes", "-keyout", "svc.key", "-out", "svc.csr", "-subj", "/O=Acme/CN=svc.internal", "-addext", "subjectAltName=DNS:svc.internal"]);
    let leaf = issue(&d.join("svc.csr"), "arn:aws:acm-pca:::template/EndEntityCertificate/V1", "Value=30,Type=DAYS");
    let issue_once = || {
        server.aws_json(&[
            "acm-pca", "issue-certificate", "--certificate-authority-arn", &ca, "--csr", &fileb(&d.join("svc.csr")),
            "--signing-algorithm", "SHA256WITHECDSA", "--validity", "Value=1,Type=DAYS", "--idempotency-token", "once",
        ])["CertificateArn"]
            .clone()
    };
    assert_eq!(issue_once(), issue_once(), "one idempotency token, one certificate");
    write(d, "svc.pem", leaf["Certificate"].as_str().unwrap());
    let verified = openssl_ok(d, &["verify", "-CAfile", "root.pem", "svc.pem"]);
    assert!(verified.contains("svc.pem: OK"), "{verified}");
    let text = openssl_ok(d, &["x509", "-in", "svc.pem", "-noout", "-text"]);
    assert!(text.contains("DNS:svc.internal") && text.contains("CN = svc.internal"), "{text}");
    assert!(text.contains(&format!("http://acme-crl.s3.us-east-1.amazonaws.com/crl/{}.crl", ca.rsplit('/').next().unwrap())), "{text}");

    let serial = openssl_ok(d, &["x509", "-in", "svc.pem", "-noout", "-serial"]).trim().trim_start_matches("serial=").to_owned();
    server.aws_json(&["acm-pca", "revoke-certificate", "--certificate-authority-arn", &ca, "--certificate-serial", &serial, "--revocation-reason", "KEY_COMPROMISE"]);
    let again = server.aws(&["acm-pca", "revoke-certificate", "--certificate-authority-arn", &ca, "--certificate-serial", &serial, "--revocation-reason", "KEY_COMPROMISE"]);
    assert!(error_text(&again).contains("RequestAlreadyProcessedException"), "{}", error_text(&again));
    let crl = http(server.port, "GET", &format!("/_palisade/crl/{}.crl", ca.rsplit('/').next().unwrap()), &[], b"").unwrap();
    assert_eq!(crl.status, 200);
    std::fs::write(d.join("ca.crl"), &crl.body).unwrap();
    let crl_text = openssl_ok(d, &["crl", "-inform", "DER", "-in", "ca.crl", "-CAfile", "root.pem", "-noout", "-text"]);
    assert!(crl_text.to_uppercase().contains(&format!("SERIAL NUMBER: {}", serial.to_uppercase())), "{crl_text}");
    assert!(crl_text.contains("Key Compromise"), "{crl_text}");
    let crl_check = openssl(d, &["verify", "-crl_check", "-CAfile", "root.pem", "-CRLfile", "ca.crl", "svc.pem"]);
    assert!(String::from_utf8_lossy(&crl_check.stdout).contains("revoked") || String::from_utf8_lossy(&crl_check.stderr).contains("revoked"));

    // ACM asks the CA for private certificates; they are exportable with an encrypted key.
    let private = request(&server, &["--domain-name", "api.internal.example", "--certificate-authority-arn", &ca]);
    let detail = wait_issued(&server, &private);
    assert_eq!(detail["Type"], "PRIVATE");
    assert_eq!(detail["CertificateAuthorityArn"], ca.as_str());
    let passphrase = write(d, "passphrase", "s3cret-pass");
    let export = server.aws_json(&["acm", "export-certificate", "--certificate-arn", &private, "--passphrase", &fileb(&passphrase)]);
    write(d, "private.pem", export["Certificate"].as_str().unwrap());
    write(d, "private.key", export["PrivateKey"].as_str().unwrap());
    assert!(openssl_ok(d, &["verify", "-CAfile", "root.pem", "private.pem"]).contains("OK"));
    let from_cert = openssl_ok(d, &["x509", "-in", "private.pem", "-noout", "-pubkey"]);
    let from_key = openssl_ok(d, &["pkey", "-in", "private.key", "-passin", "pass:s3cret-pass", "-pubout"]);
    assert_eq!(from_cert, from_key, "the exported key is the certificate's");

    server.aws_json(&["acm-pca", "update-certificate-authority", "--certificate-authority-arn", &ca, "--status", "DISABLED"]);
    server.aws_json(&["acm-pca", "delete-certificate-authority", "--certificate-authority-arn", &ca, "--permanent-deletion-time-in-days", "7"]);
    assert_eq!(describe_ca()["Status"], "DELETED");
    server.aws_json(&["acm-pca", "restore-certificate-authority", "--certificate-authority-arn", &ca]);
    assert_eq!(describe_ca()["Status"], "DISABLED");
    let tags = server.aws_json(&["acm-pca", "list-tags", "--certificate-authority-arn", &ca]);
    assert_eq!(tags["Tags"], serde_json::json!([{ "Key": "env", "Value": "test" }]));
}

/// A ROOT CA of account `000000000000`, made ACTIVE with its self-signed certificate.
fn active_root_ca(server: &Server, dir: &Path) -> String {
    let ca = server.aws_json(&[
        "acm-pca", "create-certificate-authority", "--certificate-authority-type", "ROOT",
        "--certificate-authority-configuration", "KeyAlgorithm=EC_prime256v1,SigningAlgorithm=SHA256WITHECDSA,Subject={CommonName=Shared Root}",
    ])["CertificateAuthorityArn"]
        .as_str()
        .unwrap()
        .to_owned();
    let csr = server.aws_json(&["acm-pca", "get-certificate-authority-csr", "--certificate-authority-arn", &ca])["Csr"].as_str().unwrap().to_owned();
    let csr_path = write(dir, "root.csr", &csr);
    let issued = server.aws_json(&[
        "acm-pca", "issue-certificate", "--certificate-authority-arn", &ca, "--csr", &fileb(&csr_path), "--signing-algorithm",
        "SHA256WITHECDSA", "--template-arn", "arn:aws:acm-pca:::template/RootCACertificate/V1", "--validity", "Value=5,Type=YEARS",
    ])["CertificateArn"]
        .as_str()
        .unwrap()
        .to_owned();
    let cert = server.aws_json(&["acm-pca", "get-certificate", "--certificate-authority-arn", &ca, "--certificate-arn", &issued]);
    let cert_path = write(dir, "root.pem", cert["Certificate"].as_str().unwrap());
    server.aws_json(&["acm-pca", "import-certificate-authority-certificate", "--certificate-authority-arn", &ca, "--certificate", &fileb(&cert_path)]);
    ca
}

#[test]
fn a_private_ca_is_shared_by_its_policy_and_renews_the_acm_certificates_its_permission_allows() {
    let server = start_server();
    let dir = TempDir::new("acm-pca-access");
    let d = dir.0.as_path();
    let ca = active_root_ca(&server, d);
    server.aws_json(&[
        "acm-pca", "update-certificate-authority", "--certificate-authority-arn", &ca,
        "--revocation-configuration", "CrlConfiguration={Enabled=true,S3BucketName=shared-crl,ExpirationInDays=7}",
    ]);
    let crl_number = || {
        let crl = http(server.port, "GET", &format!("/_palisade/crl/{}.crl", ca.rsplit('/').next().unwrap()), &[], b"").unwrap();
        std::fs::write(d.join("shared.crl"), &crl.body).unwrap();
        let text = openssl_ok(d, &["crl", "-inform", "DER", "-in", "shared.crl", "-noout", "-crlnumber"]);
        text.trim().trim_start_matches("crlNumber=").to_owned()
    };
    assert_eq!(crl_number(), "0x01");

    // Another account may issue from the CA only once the CA's policy says so.
    openssl_ok(d, &["req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", "b.key", "-out", "b.csr", "-subj", "/CN=b.partner.example"]);
    let csr = fileb(&d.join("b.csr"));
    let issue_as_b = || {
        server.aws_as("111111111111", "test", &[
            "acm-pca", "issue-certificate", "--certificate-authority-arn", &ca, "--csr", &csr, "--signing-algorithm", "SHA256WITHECDSA",
            "--validity", "Value=1,Type=DAYS",
        ])
    };
    let denied = issue_as_b();
    assert!(error_text(&denied).contains("AccessDeniedException"), "{}", error_text(&denied));
    let policy = serde_json::json!({
        "Version": "2012-10-17",
        "Statement": [{
            "Effect": "Allow",
            "Principal": { "AWS": "arn:aws:iam::111111111111:root" },
            "Action": ["acm-pca:IssueCertificate", "acm-pca:GetCertificate"],
            "Resource": ca,
        }],
    });
    server.aws_json(&["acm-pca", "put-policy", "--resource-arn", &ca, "--policy", &policy.to_string()]);
    let allowed = issue_as_b();
    assert!(allowed.status.success(), "{}", error_text(&allowed));
    let still_denied = server.aws_as("111111111111", "test", &["acm-pca", "update-certificate-authority", "--certificate-authority-arn", &ca, "--status", "DISABLED"]);
    assert!(error_text(&still_denied).contains("AccessDeniedException"), "{}", error_text(&still_denied));

    // Managed renewal of a private certificate is ACM acting alone: the CA must permit it.
    let private = request(&server, &["--domain-name", "renewing.internal", "--certificate-authority-arn", &ca]);
    let before = wait_issued(&server, &private);
    let passphrase = write(d, "passphrase", "renew-me");
    server.aws_json(&["acm", "export-certificate", "--certificate-arn", &private, "--passphrase", &fileb(&passphrase)]);
    advance_clock(&server, 336 * DAY_SECONDS);
    let mut failed = Value::Null;
    poll("the refused renewal", || {
        failed = describe(&server, &private);
        failed["RenewalSummary"]["RenewalStatus"] == "FAILED"
    });
    assert_eq!(failed["RenewalSummary"]["RenewalStatusReason"], "PCA_ACCESS_DENIED");
    assert_eq!(failed["Serial"], before["Serial"]);
    poll("the CRL to be published again once the old one is half expired", || crl_number() != "0x01");
    server.aws_json(&[
        "acm-pca", "create-permission", "--certificate-authority-arn", &ca, "--principal", "acm.amazonaws.com",
        "--actions", "IssueCertificate", "GetCertificate", "ListPermissions",
    ]);
    advance_clock(&server, DAY_SECONDS);
    let mut renewed = Value::Null;
    poll("the permitted renewal", || {
        renewed = describe(&server, &private);
        renewed["RenewalSummary"]["RenewalStatus"] == "SUCCESS"
    });
    assert_ne!(renewed["Serial"], before["Serial"]);
    assert_eq!(renewed["CertificateArn"], private.as_str());
}
