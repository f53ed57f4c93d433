//! Randomness from the operating system, with failures reported instead of panicking.

use crate::CryptoError;

/// The largest `NumberOfBytes` GenerateRandom and GenerateDataKey accept.
pub const MAX_RANDOM_BYTES: usize = 1024;

pub(crate) fn random_bytes(len: usize) -> Result<Vec<u8>, CryptoError> {
    let mut bytes = vec![0u8; len];
    getrandom::fill(&mut bytes).map_err(random_source_failed)?;
    Ok(bytes)
}

pub(crate) fn random_array<const N: usize>() -> Result<[u8; N], CryptoError> {
    let mut bytes = [0u8; N];
    getrandom::fill(&mut bytes).map_err(random_source_failed)?;
    Ok(bytes)
}

pub(crate) fn random_source_failed(error: impl std::fmt::Display) -> CryptoError {
    CryptoError::Internal(format!("the system random source failed: {error}"))
}

/// GenerateRandom: `number_of_bytes` (1 to 1024) cryptographically secure random bytes.
pub fn generate_random(number_of_bytes: usize) -> Result<Vec<u8>, CryptoError> {
    if !(1..=MAX_RANDOM_BYTES).contains(&number_of_bytes) {
        return Err(CryptoError::ValidationFailure(format!(
            "NumberOfBytes must be between 1 and {MAX_RANDOM_BYTES}, got {number_of_bytes}"
        )));
    }
    random_bytes(number_of_bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generate_random_returns_the_requested_length() {
        assert_eq!(generate_random(1).unwrap().len(), 1);
        assert_eq!(generate_random(1024).unwrap().len(), 1024);
    }

    #[test]
    fn generate_random_refuses_zero_and_more_than_1024_bytes() {
        assert!(matches!(
            generate_random(0),
            Err(CryptoError::ValidationFailure(_))
        ));
        assert!(matches!(
            generate_random(1025),
            Err(CryptoError::ValidationFailure(_))
        ));
    }

    #[test]
    fn two_random_draws_differ() {
        assert_ne!(random_array::<32>().unwrap(), random_array::<32>().unwrap());
    }
}
