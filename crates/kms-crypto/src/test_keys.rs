//! Keys shared by the unit tests: RSA generation is slow, so each spec is generated once per run.

use std::sync::OnceLock;

use crate::{KeyMaterial, KeySpec};

static KEYS: [OnceLock<KeyMaterial>; 16] = [const { OnceLock::new() }; 16];

/// The test key of `spec`, generated on first use.
pub(crate) fn material(spec: KeySpec) -> &'static KeyMaterial {
    let index = KeySpec::ALL
        .iter()
        .position(|s| *s == spec)
        .expect("every spec is in KeySpec::ALL");
    KEYS[index].get_or_init(|| KeyMaterial::generate(spec).expect("test key generation"))
}

/// Decodes a hex string from a test vector.
pub(crate) fn hex(text: &str) -> Vec<u8> {
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&text[i..i + 2], 16).expect("test vectors are valid hex"))
        .collect()
}
