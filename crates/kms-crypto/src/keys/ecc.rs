//! ECDSA and ECDH over the NIST curves and secp256k1, generic over the curve.

use std::ops::Add;

use ecdsa::der::{MaxOverhead, MaxSize};
use ecdsa::signature::hazmat::{PrehashSigner, PrehashVerifier};
use ecdsa::{DigestAlgorithm, EcdsaCurve, Signature, SigningKey, VerifyingKey};
use elliptic_curve::array::ArraySize;
use elliptic_curve::ops::Invert;
use elliptic_curve::pkcs8::{
    AssociatedOid, DecodePrivateKey, DecodePublicKey, EncodePrivateKey, EncodePublicKey,
};
use elliptic_curve::sec1::{FromSec1Point, ModulusSize, ToSec1Point};
use elliptic_curve::subtle::CtOption;
use elliptic_curve::{
    AffinePoint, CurveArithmetic, FieldBytesSize, Generate, PublicKey, Scalar, SecretKey,
};
use getrandom::SysRng;

use super::{internal, invalid_material};
use crate::random::random_source_failed;
use crate::{CryptoError, SecretBytes};

pub(crate) fn generate_pkcs8<C>() -> Result<Vec<u8>, CryptoError>
where
    C: AssociatedOid + CurveArithmetic,
    AffinePoint<C>: FromSec1Point<C> + ToSec1Point<C>,
    FieldBytesSize<C>: ModulusSize,
{
    let key = SecretKey::<C>::try_generate_from_rng(&mut SysRng).map_err(random_source_failed)?;
    let document = key
        .to_pkcs8_der()
        .map_err(|e| internal("encoding an EC private key", e))?;
    Ok(document.as_bytes().to_vec())
}

pub(crate) fn secret_key<C>(pkcs8: &[u8], curve_name: &str) -> Result<SecretKey<C>, CryptoError>
where
    C: AssociatedOid + CurveArithmetic,
    AffinePoint<C>: FromSec1Point<C> + ToSec1Point<C>,
    FieldBytesSize<C>: ModulusSize,
{
    SecretKey::<C>::from_pkcs8_der(pkcs8).map_err(|_| invalid_material(curve_name))
}

pub(crate) fn public_key_der<C>(key: &SecretKey<C>) -> Result<Vec<u8>, CryptoError>
where
    C: AssociatedOid + CurveArithmetic,
    AffinePoint<C>: FromSec1Point<C> + ToSec1Point<C>,
    FieldBytesSize<C>: ModulusSize,
{
    let document = key
        .public_key()
        .to_public_key_der()
        .map_err(|e| internal("encoding an EC public key", e))?;
    Ok(document.into_vec())
}

/// Signs a digest and returns the DER `ECDSA-Sig-Value`, the form KMS and OpenSSL use.
pub(crate) fn sign_digest<C>(key: &SecretKey<C>, digest: &[u8]) -> Result<Vec<u8>, CryptoError>
where
    C: EcdsaCurve + CurveArithmetic + DigestAlgorithm,
    Scalar<C>: Invert<Output = CtOption<Scalar<C>>>,
    MaxSize<C>: ArraySize,
    <FieldBytesSize<C> as Add>::Output: Add<MaxOverhead> + ArraySize,
{
    let signing_key = SigningKey::<C>::from(key);
    let signature: Signature<C> = signing_key
        .sign_prehash(digest)
        .map_err(|e| CryptoError::ValidationFailure(format!("the digest cannot be signed: {e}")))?;
    Ok(signature.to_der().as_bytes().to_vec())
}

/// Verifies a DER signature over a digest. Either form of `s` is accepted (secp256k1 signers
/// often produce the high one), as OpenSSL and KMS accept both.
pub(crate) fn verify_digest<C>(key: &SecretKey<C>, digest: &[u8], signature_der: &[u8]) -> bool
where
    C: EcdsaCurve + CurveArithmetic,
    MaxSize<C>: ArraySize,
    <FieldBytesSize<C> as Add>::Output: Add<MaxOverhead> + ArraySize,
{
    let Ok(signature) = Signature::<C>::from_der(signature_der) else {
        return false;
    };
    let verifying_key = VerifyingKey::<C>::from(key.public_key());
    verifying_key
        .verify_prehash(digest, &signature.normalize_s())
        .is_ok()
}

/// The ECDH shared secret: the x-coordinate of the shared point, as `openssl pkeyutl -derive`.
pub(crate) fn diffie_hellman<C>(
    key: &SecretKey<C>,
    peer_public_key_der: &[u8],
) -> Result<SecretBytes, CryptoError>
where
    C: AssociatedOid + CurveArithmetic,
    AffinePoint<C>: FromSec1Point<C> + ToSec1Point<C>,
    FieldBytesSize<C>: ModulusSize,
{
    let peer = PublicKey::<C>::from_public_key_der(peer_public_key_der).map_err(|_| {
        CryptoError::ValidationFailure(
            "PublicKey must be a DER-encoded SubjectPublicKeyInfo on the key's curve".to_string(),
        )
    })?;
    let shared = elliptic_curve::ecdh::diffie_hellman(key.to_nonzero_scalar(), peer.as_affine());
    Ok(SecretBytes::new(shared.raw_secret_bytes().to_vec()))
}
