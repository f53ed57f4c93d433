//! The course our users work from (`../shared/acceptance/seed_walkthrough.sh`), run with the real
//! aws CLI against the real binary. Every step runs; the steps of the capabilities built so far
//! must pass, and no step may meet a server error.

mod support;

use std::process::Command;

use support::{http, workspace_root, Server};

/// The walkthrough's steps that Palisade's built capabilities cover. Each issue that lands adds
/// its steps here.
const PASSING_STEPS: &[&str] = &[
    "kms: create-key + alias",
    "kms: enable-key-rotation",
    "kms: encrypt/decrypt round trip",
    "kms: tampered ciphertext is refused",
    "kms: key policy with admin/usage roles",
    "kms: envelope encryption data key",
    "kms: multi-region key decrypts in replica region",
    "iam: permission boundary caps admin",
    "iam: credential report",
    "sts: root may not assume roles; a user may",
    "secretsmanager: create + get secret",
    "secretsmanager: versions and stages",
    "secretsmanager: missing secret error",
    "secretsmanager: replica region",
    "cloudtrail: GetSecretValue is audited",
    "acm: request DNS-validated certificate",
    "wafv2: web ACL with rate-based rule",
    "wafv2: managed rule groups listed",
    "ssm: parameters and SecureString",
];

/// The course has 29 steps.
const STEP_COUNT: usize = 29;

#[test]
fn the_seed_walkthrough_runs_every_step_without_a_server_error() {
    let script = workspace_root().join("../shared/acceptance/seed_walkthrough.sh");
    assert!(script.exists(), "the course walkthrough is at {}", script.display());
    let server = Server::start(&["--ephemeral"]);
    let venv = workspace_root().join(".venv/bin");
    let path = format!("{}:{}", venv.display(), std::env::var("PATH").unwrap_or_default());
    let out = Command::new("bash").arg(&script).env("ENDPOINT", server.endpoint()).env("PATH", path).output().unwrap();
    let report = String::from_utf8_lossy(&out.stdout).into_owned();
    let passed: Vec<&str> = report.lines().filter_map(|l| l.strip_prefix("PASS ")).collect();
    let failed: Vec<&str> = report.lines().filter_map(|l| l.strip_prefix("FAIL ")).collect();
    assert_eq!(passed.len() + failed.len(), STEP_COUNT, "every step reports:\n{report}");
    for step in PASSING_STEPS {
        assert!(passed.contains(step), "step '{step}' must pass:\n{report}");
    }
    let metrics = http(server.port, "GET", "/_palisade/metrics", &[], b"").unwrap().text();
    let server_errors: Vec<&str> = metrics
        .lines()
        .filter(|l| l.starts_with("palisade_requests_total") && l.contains("status=\"5") && !l.contains("status=\"501\""))
        .collect();
    assert!(server_errors.is_empty(), "server errors during the course:\n{}", server_errors.join("\n"));
}
