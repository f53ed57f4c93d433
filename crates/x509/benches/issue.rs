//! What certificate work costs: the median time of key generation, issuing a leaf, reading and
//! verifying it, encrypting its key for export, and signing a CRL of 1,000 entries. Run with
//! `cargo bench -p x509 --bench issue` (or `--profile dev` for a quick look on a shared machine).

use std::time::{Duration, Instant};

use x509::{
    der_to_pem, inspect, random_serial, self_signed_ca, verify_chain, CertificateAuthority, CertificateProfile, KeyAlgorithm,
    PrivateKey, Revocation, Subject, Validity,
};

const NOW: i64 = 1_800_000_000;

fn median(label: &str, runs: usize, mut work: impl FnMut()) {
    let mut samples: Vec<Duration> = (0..runs)
        .map(|_| {
            let start = Instant::now();
            work();
            start.elapsed()
        })
        .collect();
    samples.sort();
    println!("{label:<44} {:>10.3} ms (median of {runs})", samples[runs / 2].as_secs_f64() * 1000.0);
}

fn main() {
    let validity = Validity { not_before: NOW, not_after: NOW + 395 * 86_400 };
    let ca_key = PrivateKey::generate(KeyAlgorithm::EcPrime256v1).unwrap();
    let signing = KeyAlgorithm::EcPrime256v1.default_signing_algorithm();
    let ca_der = self_signed_ca(&Subject::common_name("Bench CA"), &ca_key, signing, validity, &random_serial()).unwrap();
    let ca = CertificateAuthority::new(ca_der.clone(), ca_key, signing).unwrap();
    let names = vec!["*.bench.example".to_owned(), "bench.example".to_owned()];

    median("generate RSA-2048 key", 11, || drop(PrivateKey::generate(KeyAlgorithm::Rsa2048).unwrap()));
    median("generate EC P-256 key", 101, || drop(PrivateKey::generate(KeyAlgorithm::EcPrime256v1).unwrap()));
    let leaf_key = PrivateKey::generate(KeyAlgorithm::Rsa2048).unwrap();
    let issue = || ca.issue_for_key("*.bench.example", &names, &leaf_key, CertificateProfile::EndEntity, validity, &random_serial(), &[]).unwrap();
    median("issue a leaf for an RSA-2048 key (EC CA)", 101, || drop(issue()));
    let leaf = issue();
    median("inspect a leaf", 1001, || drop(inspect(&leaf).unwrap()));
    median("verify a leaf against its CA", 1001, || verify_chain(&leaf, std::slice::from_ref(&ca_der)).unwrap());
    median("to PEM", 1001, || drop(der_to_pem(&leaf)));
    median("encrypt the key for export (PBKDF2 2048)", 101, || drop(leaf_key.to_encrypted_pem(b"passphrase")));
    let revoked: Vec<Revocation> =
        (0..1000).map(|_| Revocation { serial: random_serial(), revoked_at: NOW, reason: "KEY_COMPROMISE".to_owned() }).collect();
    median("sign a CRL of 1,000 revocations", 21, || drop(ca.revocation_list(&revoked, 1, NOW, NOW + 86_400).unwrap()));
}
