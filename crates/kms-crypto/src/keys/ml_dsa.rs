//! ML-DSA (FIPS 204) signatures at the three parameter sets KMS offers.

use digest::array::Array;
use digest::consts::U64;
use getrandom::SysRng;
use ml_dsa::pkcs8::{DecodePrivateKey, EncodePrivateKey, EncodePublicKey};
use ml_dsa::signature::Keypair;
use ml_dsa::{
    ExpandedSigningKey, MlDsa44, MlDsa65, MlDsa87, MlDsaParams, Signature, SigningKey, B32,
};

use super::{internal, invalid_material};
use crate::random::random_array;
use crate::CryptoError;

/// The length of an ML-DSA external µ (FIPS 204's message representative).
pub(crate) const MU_LEN: usize = 64;

/// An ML-DSA parameter set, chosen at run time from the key spec.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ParameterSet {
    MlDsa44,
    MlDsa65,
    MlDsa87,
}

/// What an ML-DSA signature covers.
pub(crate) enum Signed<'a> {
    /// The message itself, with the empty context string.
    Message(&'a [u8]),
    /// A µ the caller computed (KMS's EXTERNAL_MU), exactly 64 bytes.
    Mu(&'a [u8]),
}

pub(crate) fn generate_pkcs8(set: ParameterSet) -> Result<Vec<u8>, CryptoError> {
    let seed = zeroize::Zeroizing::new(B32::from(random_array::<32>()?));
    match set {
        ParameterSet::MlDsa44 => encode::<MlDsa44>(&seed),
        ParameterSet::MlDsa65 => encode::<MlDsa65>(&seed),
        ParameterSet::MlDsa87 => encode::<MlDsa87>(&seed),
    }
}

pub(crate) fn check(set: ParameterSet, pkcs8: &[u8]) -> Result<(), CryptoError> {
    public_key_der(set, pkcs8).map(drop)
}

pub(crate) fn public_key_der(set: ParameterSet, pkcs8: &[u8]) -> Result<Vec<u8>, CryptoError> {
    match set {
        ParameterSet::MlDsa44 => public_der::<MlDsa44>(pkcs8),
        ParameterSet::MlDsa65 => public_der::<MlDsa65>(pkcs8),
        ParameterSet::MlDsa87 => public_der::<MlDsa87>(pkcs8),
    }
}

pub(crate) fn sign(
    set: ParameterSet,
    pkcs8: &[u8],
    signed: Signed<'_>,
) -> Result<Vec<u8>, CryptoError> {
    match set {
        ParameterSet::MlDsa44 => sign_with::<MlDsa44>(pkcs8, signed),
        ParameterSet::MlDsa65 => sign_with::<MlDsa65>(pkcs8, signed),
        ParameterSet::MlDsa87 => sign_with::<MlDsa87>(pkcs8, signed),
    }
}

pub(crate) fn verify(
    set: ParameterSet,
    pkcs8: &[u8],
    signed: Signed<'_>,
    signature: &[u8],
) -> Result<bool, CryptoError> {
    match set {
        ParameterSet::MlDsa44 => verify_with::<MlDsa44>(pkcs8, signed, signature),
        ParameterSet::MlDsa65 => verify_with::<MlDsa65>(pkcs8, signed, signature),
        ParameterSet::MlDsa87 => verify_with::<MlDsa87>(pkcs8, signed, signature),
    }
}

fn encode<P: MlDsaParams>(seed: &B32) -> Result<Vec<u8>, CryptoError>
where
    SigningKey<P>: EncodePrivateKey,
{
    let document = SigningKey::<P>::from_seed(seed)
        .to_pkcs8_der()
        .map_err(|e| internal("encoding an ML-DSA private key", e))?;
    Ok(document.as_bytes().to_vec())
}

fn signing_key<P: MlDsaParams>(pkcs8: &[u8]) -> Result<SigningKey<P>, CryptoError>
where
    SigningKey<P>: DecodePrivateKey,
{
    SigningKey::<P>::from_pkcs8_der(pkcs8).map_err(|_| invalid_material("ML-DSA"))
}

fn public_der<P: MlDsaParams>(pkcs8: &[u8]) -> Result<Vec<u8>, CryptoError>
where
    SigningKey<P>: DecodePrivateKey,
    ml_dsa::VerifyingKey<P>: EncodePublicKey,
{
    let document = signing_key::<P>(pkcs8)?
        .verifying_key()
        .to_public_key_der()
        .map_err(|e| internal("encoding an ML-DSA public key", e))?;
    Ok(document.into_vec())
}

fn sign_with<P: MlDsaParams>(pkcs8: &[u8], signed: Signed<'_>) -> Result<Vec<u8>, CryptoError>
where
    SigningKey<P>: DecodePrivateKey,
{
    let seed = zeroize::Zeroizing::new(signing_key::<P>(pkcs8)?.to_seed());
    let expanded = ExpandedSigningKey::<P>::from_seed(&seed);
    let signature = match signed {
        Signed::Message(message) => expanded.sign_randomized(message, &[], &mut SysRng),
        Signed::Mu(mu) => expanded.sign_mu_randomized(&mu_from(mu)?, &mut SysRng),
    }
    .map_err(|e| internal("ML-DSA signing", e))?;
    Ok(signature.encode().to_vec())
}

fn verify_with<P: MlDsaParams>(
    pkcs8: &[u8],
    signed: Signed<'_>,
    signature: &[u8],
) -> Result<bool, CryptoError>
where
    SigningKey<P>: DecodePrivateKey,
{
    let verifying_key = signing_key::<P>(pkcs8)?.verifying_key();
    let Ok(signature) = Signature::<P>::try_from(signature) else {
        return Ok(false);
    };
    Ok(match signed {
        Signed::Message(message) => verifying_key.verify_with_context(message, &[], &signature),
        Signed::Mu(mu) => verifying_key.verify_mu(&mu_from(mu)?, &signature),
    })
}

fn mu_from(mu: &[u8]) -> Result<Array<u8, U64>, CryptoError> {
    Array::try_from(mu).map_err(|_| {
        CryptoError::ValidationFailure(format!("an EXTERNAL_MU message must be {MU_LEN} bytes"))
    })
}
