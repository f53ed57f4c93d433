//! Identifiers in IAM's formats: unique ids with a type prefix (`AIDA…` users, `AROA…` roles),
//! access key ids and secret access keys.

use rand::RngExt;

const ID_ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
const SECRET_ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

fn random_text(alphabet: &[u8], len: usize) -> String {
    let mut rng = rand::rng();
    (0..len).map(|_| alphabet[rng.random_range(0..alphabet.len())] as char).collect()
}

/// A unique id such as `AIDAJQABLZS4A3QDU576Q`: a four-letter type prefix and 17 characters.
pub fn unique_id(prefix: &str) -> String {
    format!("{prefix}{}", random_text(ID_ALPHABET, 17))
}

/// A 20-character access key id: `AKIA` for long-term keys, `ASIA` for session keys.
pub fn access_key_id(prefix: &str) -> String {
    format!("{prefix}{}", random_text(ID_ALPHABET, 16))
}

/// A 40-character secret access key.
pub fn secret_access_key() -> String {
    random_text(SECRET_ALPHABET, 40)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_have_aws_shapes() {
        assert_eq!(unique_id("AIDA").len(), 21);
        assert!(access_key_id("AKIA").starts_with("AKIA"));
        assert_eq!(access_key_id("AKIA").len(), 20);
        assert_eq!(secret_access_key().len(), 40);
        assert_ne!(secret_access_key(), secret_access_key());
    }
}
