//! Throughput of the hot KMS paths, run on demand:
//! `cargo test -p kms-crypto --release -- --ignored --nocapture timing`.

use std::collections::BTreeMap;
use std::time::Instant;

use crate::{
    encrypt_symmetric, generate_data_key, generate_data_key_pair, DataKeySpec, KeyMaterial, KeySpec,
};

fn report(what: &str, iterations: u32, run: impl Fn()) {
    run();
    let started = Instant::now();
    for _ in 0..iterations {
        run();
    }
    let per_call = started.elapsed() / iterations;
    let per_second = 1.0 / per_call.as_secs_f64();
    println!("{what}: {per_call:?} per call, {per_second:.0} per second");
}

#[test]
#[ignore = "a measurement, not a check"]
fn timing_symmetric_encrypt_of_4_kib_and_data_key_generation() {
    let key = KeyMaterial::generate(KeySpec::SymmetricDefault).unwrap();
    let context: BTreeMap<String, String> = [("purpose".to_string(), "bench".to_string())].into();
    let plaintext = vec![0x61u8; 4096];
    let key_id = "arn:aws:kms:us-east-1:000000000000:key/1234abcd-12ab-34cd-56ef-1234567890ab";
    report("encrypt_symmetric 4 KiB", 20_000, || {
        encrypt_symmetric(key_id, &[1; 16], &key, &plaintext, &context).unwrap();
    });
    report(
        "generate_data_key AES_256 (plaintext + encrypted copy)",
        20_000,
        || {
            let data_key = generate_data_key(Some(DataKeySpec::Aes256), None).unwrap();
            encrypt_symmetric(key_id, &[1; 16], &key, data_key.as_bytes(), &context).unwrap();
        },
    );
    report("generate_data_key_pair ECC_NIST_P256", 1_000, || {
        generate_data_key_pair(KeySpec::EccNistP256).unwrap();
    });
    report("generate_data_key_pair RSA_2048", 10, || {
        generate_data_key_pair(KeySpec::Rsa2048).unwrap();
    });
}
