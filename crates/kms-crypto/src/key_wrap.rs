//! AES Key Wrap with Padding (RFC 5649), the inner layer of the RSA_AES_KEY_WRAP import
//! algorithms (CKM_RSA_AES_KEY_WRAP).

use aes::cipher::{BlockCipherDecrypt, BlockCipherEncrypt, KeyInit};
use aes::{Aes128, Aes192, Aes256, Block};
use zeroize::Zeroizing;

use crate::{CryptoError, SecretBytes};

/// RFC 5649's alternative initial value prefix; the low 32 bits carry the message length.
const AIV_PREFIX: [u8; 4] = [0xA6, 0x59, 0x59, 0xA6];

/// An AES key-encryption key of any of the three key sizes.
enum Kek {
    Aes128(Aes128),
    Aes192(Aes192),
    Aes256(Aes256),
}

impl Kek {
    fn new(key: &[u8]) -> Result<Self, CryptoError> {
        let wrong_length = |_| {
            CryptoError::ValidationFailure(
                "a key-encryption key must be 16, 24 or 32 bytes".to_string(),
            )
        };
        match key.len() {
            16 => Aes128::new_from_slice(key)
                .map(Kek::Aes128)
                .map_err(wrong_length),
            24 => Aes192::new_from_slice(key)
                .map(Kek::Aes192)
                .map_err(wrong_length),
            32 => Aes256::new_from_slice(key)
                .map(Kek::Aes256)
                .map_err(wrong_length),
            _ => Err(CryptoError::ValidationFailure(
                "a key-encryption key must be 16, 24 or 32 bytes".to_string(),
            )),
        }
    }

    fn encrypt(&self, block: &mut Block) {
        match self {
            Kek::Aes128(cipher) => cipher.encrypt_block(block),
            Kek::Aes192(cipher) => cipher.encrypt_block(block),
            Kek::Aes256(cipher) => cipher.encrypt_block(block),
        }
    }

    fn decrypt(&self, block: &mut Block) {
        match self {
            Kek::Aes128(cipher) => cipher.decrypt_block(block),
            Kek::Aes192(cipher) => cipher.decrypt_block(block),
            Kek::Aes256(cipher) => cipher.decrypt_block(block),
        }
    }
}

/// Wraps `key_data` (1 byte to 4 GiB) under `kek` (16, 24 or 32 bytes), as a KMS client does before
/// ImportKeyMaterial.
pub fn aes_key_wrap_with_padding(kek: &[u8], key_data: &[u8]) -> Result<Vec<u8>, CryptoError> {
    let kek = Kek::new(kek)?;
    let length = u32::try_from(key_data.len())
        .ok()
        .filter(|&n| n > 0)
        .ok_or_else(|| {
            CryptoError::ValidationFailure("the key data must be 1 byte to 4 GiB".to_string())
        })?;
    let mut aiv = [0u8; 8];
    aiv[..4].copy_from_slice(&AIV_PREFIX);
    aiv[4..].copy_from_slice(&length.to_be_bytes());

    let padded_len = key_data.len().div_ceil(8) * 8;
    let mut padded = Zeroizing::new(vec![0u8; padded_len]);
    padded[..key_data.len()].copy_from_slice(key_data);

    if padded_len == 8 {
        // A single semiblock is one AES block: AIV | P (RFC 5649 section 4.1).
        let mut block = Block::default();
        block[..8].copy_from_slice(&aiv);
        block[8..].copy_from_slice(&padded);
        kek.encrypt(&mut block);
        return Ok(block.to_vec());
    }
    let mut output = Vec::with_capacity(8 + padded_len);
    output.extend_from_slice(&wrap_semiblocks(&kek, aiv, &mut padded));
    output.extend_from_slice(&padded);
    Ok(output)
}

/// Unwraps an RFC 5649 ciphertext. A wrong key, altered bytes or a bad length or padding are
/// all `InvalidCiphertext`, as ImportKeyMaterial reports them.
pub fn aes_key_unwrap_with_padding(kek: &[u8], wrapped: &[u8]) -> Result<SecretBytes, CryptoError> {
    let kek = Kek::new(kek)?;
    if wrapped.len() < 16 || !wrapped.len().is_multiple_of(8) {
        return Err(CryptoError::InvalidCiphertext);
    }
    let (aiv, padded) = if wrapped.len() == 16 {
        let mut block = Block::try_from(wrapped).map_err(|_| CryptoError::InvalidCiphertext)?;
        kek.decrypt(&mut block);
        let aiv: [u8; 8] = block[..8]
            .try_into()
            .map_err(|_| CryptoError::InvalidCiphertext)?;
        let padded = Zeroizing::new(block[8..].to_vec());
        block.fill(0);
        (aiv, padded)
    } else {
        let mut a: [u8; 8] = wrapped[..8]
            .try_into()
            .map_err(|_| CryptoError::InvalidCiphertext)?;
        let mut padded = Zeroizing::new(wrapped[8..].to_vec());
        unwrap_semiblocks(&kek, &mut a, &mut padded);
        (a, padded)
    };

    if aiv[..4] != AIV_PREFIX {
        return Err(CryptoError::InvalidCiphertext);
    }
    let length = u32::from_be_bytes([aiv[4], aiv[5], aiv[6], aiv[7]]) as usize;
    let n = padded.len() / 8;
    if length <= 8 * (n - 1) || length > 8 * n || padded[length..].iter().any(|&b| b != 0) {
        return Err(CryptoError::InvalidCiphertext);
    }
    Ok(SecretBytes::new(padded[..length].to_vec()))
}

/// RFC 3394's wrapping function W with initial value `iv`, in place over the semiblocks of
/// `data` (at least two); returns the final integrity register A.
fn wrap_semiblocks(kek: &Kek, iv: [u8; 8], data: &mut [u8]) -> [u8; 8] {
    let n = data.len() / 8;
    let mut a = iv;
    let mut block = Block::default();
    for j in 0..6 {
        for i in 0..n {
            block[..8].copy_from_slice(&a);
            block[8..].copy_from_slice(&data[i * 8..i * 8 + 8]);
            kek.encrypt(&mut block);
            let t = (n * j + i + 1) as u64;
            a.copy_from_slice(&block[..8]);
            for (byte, counter) in a.iter_mut().zip(t.to_be_bytes()) {
                *byte ^= counter;
            }
            data[i * 8..i * 8 + 8].copy_from_slice(&block[8..]);
        }
    }
    block.fill(0);
    a
}

/// RFC 3394's unwrapping function W⁻¹, in place; leaves the recovered initial value in `a`.
fn unwrap_semiblocks(kek: &Kek, a: &mut [u8; 8], data: &mut [u8]) {
    let n = data.len() / 8;
    let mut block = Block::default();
    for j in (0..6).rev() {
        for i in (0..n).rev() {
            let t = (n * j + i + 1) as u64;
            for ((slot, byte), counter) in block[..8].iter_mut().zip(a.iter()).zip(t.to_be_bytes())
            {
                *slot = byte ^ counter;
            }
            block[8..].copy_from_slice(&data[i * 8..i * 8 + 8]);
            kek.decrypt(&mut block);
            a.copy_from_slice(&block[..8]);
            data[i * 8..i * 8 + 8].copy_from_slice(&block[8..]);
        }
    }
    block.fill(0);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_keys::hex;

    const RFC_5649_KEK: &str = "5840df6e29b02af1ab493b705bf16ea1ae8338f4dcc176a8";

    #[test]
    fn rfc_5649_wraps_20_octets_with_a_192_bit_kek() {
        let wrapped = aes_key_wrap_with_padding(
            &hex(RFC_5649_KEK),
            &hex("c37b7e6492584340bed12207808941155068f738"),
        )
        .unwrap();
        assert_eq!(
            wrapped,
            hex("138bdeaa9b8fa7fc61f97742e72248ee5ae6ae5360d1ae6a5f54f373fa543b6a")
        );
    }

    #[test]
    fn rfc_5649_wraps_7_octets_with_a_192_bit_kek() {
        let wrapped =
            aes_key_wrap_with_padding(&hex(RFC_5649_KEK), &hex("466f7250617369")).unwrap();
        assert_eq!(wrapped, hex("afbeb0f07dfbf5419200f2ccb50bb24f"));
    }

    #[test]
    fn rfc_5649_unwraps_both_examples() {
        let kek = hex(RFC_5649_KEK);
        let long = aes_key_unwrap_with_padding(
            &kek,
            &hex("138bdeaa9b8fa7fc61f97742e72248ee5ae6ae5360d1ae6a5f54f373fa543b6a"),
        )
        .unwrap();
        assert_eq!(
            long.as_bytes(),
            hex("c37b7e6492584340bed12207808941155068f738")
        );
        let short =
            aes_key_unwrap_with_padding(&kek, &hex("afbeb0f07dfbf5419200f2ccb50bb24f")).unwrap();
        assert_eq!(short.as_bytes(), hex("466f7250617369"));
    }

    #[test]
    fn the_rfc_3394_core_matches_section_4_1() {
        let kek = Kek::new(&hex("000102030405060708090a0b0c0d0e0f")).unwrap();
        let mut data = hex("00112233445566778899aabbccddeeff");
        let a = wrap_semiblocks(&kek, [0xA6; 8], &mut data);
        assert_eq!(
            [a.to_vec(), data.clone()].concat(),
            hex("1fa68b0a8112b447aef34bd8fb5a7b829d3e862371d2cfe5")
        );
        let mut recovered = a;
        unwrap_semiblocks(&kek, &mut recovered, &mut data);
        assert_eq!(
            (recovered, data),
            ([0xA6; 8], hex("00112233445566778899aabbccddeeff"))
        );
    }

    #[test]
    fn rfc_3394_vector_unwraps_only_with_the_3394_iv_so_padding_mode_refuses_it() {
        // RFC 3394 section 4.1 (128-bit KEK, 128-bit key data): valid for plain key wrap, whose
        // IV is A6A6A6A6A6A6A6A6, so the padded variant must refuse it.
        let kek = hex("000102030405060708090a0b0c0d0e0f");
        let wrapped = hex("1fa68b0a8112b447aef34bd8fb5a7b829d3e862371d2cfe5");
        assert_eq!(
            aes_key_unwrap_with_padding(&kek, &wrapped),
            Err(CryptoError::InvalidCiphertext)
        );
    }

    #[test]
    fn every_length_from_1_to_100_round_trips_under_each_kek_size() {
        for kek_len in [16, 24, 32] {
            let kek: Vec<u8> = (0..kek_len as u8).collect();
            for len in 1..=100 {
                let data: Vec<u8> = (0..len).map(|i| (i * 7 + 3) as u8).collect();
                let wrapped = aes_key_wrap_with_padding(&kek, &data).unwrap();
                assert_eq!(wrapped.len(), 8 + data.len().div_ceil(8) * 8);
                assert_eq!(
                    aes_key_unwrap_with_padding(&kek, &wrapped)
                        .unwrap()
                        .as_bytes(),
                    data
                );
            }
        }
    }

    #[test]
    fn a_flipped_bit_or_wrong_kek_fails_to_unwrap() {
        let kek = [9u8; 32];
        let wrapped = aes_key_wrap_with_padding(&kek, &[1u8; 32]).unwrap();
        for byte in 0..wrapped.len() {
            let mut tampered = wrapped.clone();
            tampered[byte] ^= 0x80;
            assert_eq!(
                aes_key_unwrap_with_padding(&kek, &tampered),
                Err(CryptoError::InvalidCiphertext)
            );
        }
        assert_eq!(
            aes_key_unwrap_with_padding(&[8u8; 32], &wrapped),
            Err(CryptoError::InvalidCiphertext)
        );
    }

    #[test]
    fn malformed_lengths_fail_to_unwrap() {
        for len in [0, 8, 15, 17, 23] {
            assert_eq!(
                aes_key_unwrap_with_padding(&[0u8; 16], &vec![0u8; len]),
                Err(CryptoError::InvalidCiphertext)
            );
        }
    }

    #[test]
    fn empty_key_data_and_odd_kek_sizes_are_refused() {
        assert!(matches!(
            aes_key_wrap_with_padding(&[0u8; 16], b""),
            Err(CryptoError::ValidationFailure(_))
        ));
        assert!(matches!(
            aes_key_wrap_with_padding(&[0u8; 20], b"x"),
            Err(CryptoError::ValidationFailure(_))
        ));
    }
}
