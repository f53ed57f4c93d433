//! The SHA-2 digests KMS signing algorithms name, chosen at run time.

use sha2::{Digest, Sha256, Sha384, Sha512};

/// A SHA-2 digest chosen by a signing algorithm.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Sha2 {
    Sha256,
    Sha384,
    Sha512,
}

impl Sha2 {
    pub(crate) fn output_len(self) -> usize {
        match self {
            Sha2::Sha256 => 32,
            Sha2::Sha384 => 48,
            Sha2::Sha512 => 64,
        }
    }

    pub(crate) fn digest(self, message: &[u8]) -> Vec<u8> {
        match self {
            Sha2::Sha256 => Sha256::digest(message).to_vec(),
            Sha2::Sha384 => Sha384::digest(message).to_vec(),
            Sha2::Sha512 => Sha512::digest(message).to_vec(),
        }
    }
}
