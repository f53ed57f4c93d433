//! Bytes that must not leak through logs or linger in freed memory.

use std::fmt;

use zeroize::Zeroizing;

/// Secret bytes (key material, plaintext, shared secrets): zeroed on drop, redacted in `Debug`.
#[derive(Clone, PartialEq, Eq)]
pub struct SecretBytes(Zeroizing<Vec<u8>>);

impl SecretBytes {
    /// Takes ownership of `bytes`; they are zeroed when the value is dropped.
    pub fn new(bytes: Vec<u8>) -> Self {
        SecretBytes(Zeroizing::new(bytes))
    }

    /// The secret itself, for sealing or returning to the caller that owns it.
    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }

    /// The number of bytes, which is not secret.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether there are no bytes.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl fmt::Debug for SecretBytes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "SecretBytes(<{} bytes redacted>)", self.0.len())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_output_never_shows_the_bytes() {
        let secret = SecretBytes::new(b"hunter2".to_vec());
        let printed = format!("{secret:?}");
        assert_eq!(printed, "SecretBytes(<7 bytes redacted>)");
    }
}
