//! Passphrase-encrypted PKCS#8 (`ENCRYPTED PRIVATE KEY`), as ACM's ExportCertificate returns
//! keys: PBES2 with PBKDF2-HMAC-SHA256 and AES-256-CBC (RFC 8018), which OpenSSL and every TLS
//! stack read with the passphrase.

use aes::cipher::{BlockCipherEncrypt, KeyInit};
use aes::{Aes256, Block};
use hmac::{Hmac, Mac};
use sha2::Sha256;
use yasna::models::ObjectIdentifier;

use crate::keys::PrivateKey;

const PBES2: &[u64] = &[1, 2, 840, 113549, 1, 5, 13];
const PBKDF2: &[u64] = &[1, 2, 840, 113549, 1, 5, 12];
const HMAC_WITH_SHA256: &[u64] = &[1, 2, 840, 113549, 2, 9];
const AES_256_CBC: &[u64] = &[2, 16, 840, 1, 101, 3, 4, 1, 42];
/// OpenSSL's default for `openssl pkcs8 -topk8 -v2 aes-256-cbc`.
const ITERATIONS: u32 = 2048;
const SALT_LEN: usize = 16;
const KEY_LEN: usize = 32;
const BLOCK_LEN: usize = 16;

fn pbkdf2_hmac_sha256(passphrase: &[u8], salt: &[u8], iterations: u32) -> [u8; KEY_LEN] {
    let prf = <Hmac<Sha256> as KeyInit>::new_from_slice(passphrase).expect("HMAC takes keys of any length");
    // One output block is enough: SHA-256 yields exactly the 32 bytes AES-256 needs.
    let mut u = prf.clone().chain_update(salt).chain_update(1u32.to_be_bytes()).finalize().into_bytes();
    let mut derived: [u8; KEY_LEN] = u.into();
    for _ in 1..iterations {
        u = prf.clone().chain_update(u).finalize().into_bytes();
        for (d, x) in derived.iter_mut().zip(u.iter()) {
            *d ^= x;
        }
    }
    derived
}

fn aes_256_cbc_encrypt(key: &[u8; KEY_LEN], iv: &[u8; BLOCK_LEN], plaintext: &[u8]) -> Vec<u8> {
    let cipher = Aes256::new_from_slice(key).expect("the key is 32 bytes");
    let pad = BLOCK_LEN - plaintext.len() % BLOCK_LEN;
    let mut data = plaintext.to_vec();
    data.extend(std::iter::repeat_n(pad as u8, pad));
    let mut previous = *iv;
    for chunk in data.chunks_mut(BLOCK_LEN) {
        for (byte, p) in chunk.iter_mut().zip(previous.iter()) {
            *byte ^= p;
        }
        let mut block = Block::try_from(&*chunk).expect("chunks are one block");
        cipher.encrypt_block(&mut block);
        chunk.copy_from_slice(&block);
        previous.copy_from_slice(chunk);
    }
    data
}

impl PrivateKey {
    /// The key as an `ENCRYPTED PRIVATE KEY` PEM block under `passphrase`.
    pub fn to_encrypted_pem(&self, passphrase: &[u8]) -> String {
        let mut salt = [0u8; SALT_LEN];
        let mut iv = [0u8; BLOCK_LEN];
        getrandom::fill(&mut salt).expect("the operating system's random source works");
        getrandom::fill(&mut iv).expect("the operating system's random source works");
        let key = pbkdf2_hmac_sha256(passphrase, &salt, ITERATIONS);
        let encrypted = aes_256_cbc_encrypt(&key, &iv, self.pkcs8_der());
        let der = yasna::construct_der(|writer| {
            writer.write_sequence(|writer| {
                writer.next().write_sequence(|writer| {
                    writer.next().write_oid(&ObjectIdentifier::from_slice(PBES2));
                    writer.next().write_sequence(|writer| {
                        writer.next().write_sequence(|writer| {
                            writer.next().write_oid(&ObjectIdentifier::from_slice(PBKDF2));
                            writer.next().write_sequence(|writer| {
                                writer.next().write_bytes(&salt);
                                writer.next().write_u32(ITERATIONS);
                                writer.next().write_sequence(|writer| {
                                    writer.next().write_oid(&ObjectIdentifier::from_slice(HMAC_WITH_SHA256));
                                    writer.next().write_null();
                                });
                            });
                        });
                        writer.next().write_sequence(|writer| {
                            writer.next().write_oid(&ObjectIdentifier::from_slice(AES_256_CBC));
                            writer.next().write_bytes(&iv);
                        });
                    });
                });
                writer.next().write_bytes(&encrypted);
            })
        });
        pem::encode(&pem::Pem::new("ENCRYPTED PRIVATE KEY", der))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pbkdf2_matches_the_rfc_7914_vector() {
        // RFC 7914 §11: PBKDF2-HMAC-SHA256, P="passwd", S="salt", c=1, first 32 bytes.
        let derived = pbkdf2_hmac_sha256(b"passwd", b"salt", 1);
        let expected = "55ac046e56e3089fec1691c22544b605f94185216dde0465e68b9d57c20dacbc";
        let hex: String = derived.iter().map(|b| format!("{b:02x}")).collect();
        assert_eq!(hex, expected);
    }

    #[test]
    fn cbc_matches_the_nist_sp800_38a_vector() {
        // NIST SP 800-38A F.2.5, CBC-AES256.Encrypt, first block (the padding block follows).
        let key: [u8; 32] = hex("603deb1015ca71be2b73aef0857d77811f352c073b6108d72d9810a30914dff4").try_into().unwrap();
        let iv: [u8; 16] = hex("000102030405060708090a0b0c0d0e0f").try_into().unwrap();
        let out = aes_256_cbc_encrypt(&key, &iv, &hex("6bc1bee22e409f96e93d7e117393172a"));
        assert_eq!(out[..16], hex("f58c4c04d6e5f1ba779eabfb5f7bfbd6")[..]);
        assert_eq!(out.len(), 32);
    }

    fn hex(text: &str) -> Vec<u8> {
        (0..text.len()).step_by(2).map(|i| u8::from_str_radix(&text[i..i + 2], 16).unwrap()).collect()
    }
}
