//! Virtual MFA devices: a TOTP seed (RFC 6238: HMAC-SHA1, 30-second steps, six digits) sealed
//! under the root key, enabled for a user with two consecutive codes, and checked when the user
//! asks STS for a session.

use base64::Engine;
use gateway::{Reply, RequestContext};
use hmac::{Hmac, KeyInit, Mac};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use sha1::Sha1;
use store::{Sealer, Store, Txn};
use wire::ApiError;

use super::{
    entities::{self, page, paged_output, EntityKind},
    error, store_error,
};

pub(super) const DEVICES: &str = "iam.mfa_device";
const STEP_SECONDS: u64 = 30;
const BASE32: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct MfaDevice {
    pub serial_number: String,
    pub account: String,
    pub user_name: Option<String>,
    pub enable_date: Option<f64>,
    /// The TOTP seed, sealed with the serial number as context; base64.
    pub sealed_seed: String,
}

fn base32(bytes: &[u8]) -> String {
    let mut out = String::new();
    for chunk in bytes.chunks(5) {
        let mut buffer = [0u8; 5];
        buffer[..chunk.len()].copy_from_slice(chunk);
        let bits = buffer.iter().fold(0u64, |acc, b| acc << 8 | u64::from(*b));
        let symbols = (chunk.len() * 8).div_ceil(5);
        for i in 0..symbols {
            out.push(BASE32[(bits >> (35 - 5 * i) & 31) as usize] as char);
        }
    }
    out
}

/// The six-digit code of `seed` for the 30-second step containing `time`.
pub fn totp(seed: &[u8], time: f64) -> String {
    let counter = (time.max(0.0) as u64) / STEP_SECONDS;
    let mut mac = <Hmac<Sha1> as KeyInit>::new_from_slice(seed).expect("HMAC takes keys of any length");
    mac.update(&counter.to_be_bytes());
    let digest = mac.finalize().into_bytes();
    let offset = usize::from(digest[19] & 0x0f);
    let code = u32::from_be_bytes([digest[offset] & 0x7f, digest[offset + 1], digest[offset + 2], digest[offset + 3]]);
    format!("{:06}", code % 1_000_000)
}

fn seal_context(serial: &str) -> String {
    format!("iam-mfa-seed:{serial}")
}

async fn load(tx: &mut Txn, serial: &str) -> Result<MfaDevice, ApiError> {
    let stored = tx.get(DEVICES, serial).await.map_err(store_error)?;
    stored
        .and_then(|v| serde_json::from_value(v).ok())
        .ok_or_else(|| error("NoSuchEntityException", format!("MFA device with serial number {serial} not found.")))
}

async fn save(tx: &mut Txn, device: &MfaDevice) -> Result<(), ApiError> {
    let value = serde_json::to_value(device).map_err(|e| ApiError::internal(e.to_string()))?;
    tx.put(DEVICES, &device.serial_number, &value).await.map_err(store_error)
}

fn seed_of(sealer: &Sealer, device: &MfaDevice) -> Option<Vec<u8>> {
    let sealed = base64::engine::general_purpose::STANDARD.decode(&device.sealed_seed).ok()?;
    sealer.unseal(&seal_context(&device.serial_number), &sealed).ok()
}

/// Whether `code` is the device's code now or one step either side (clock drift).
fn accepts(seed: &[u8], code: &str, time: f64) -> bool {
    [-1.0, 0.0, 1.0].iter().any(|step| totp(seed, time + step * STEP_SECONDS as f64) == code)
}

pub async fn create_virtual_mfa_device(store: &Store, sealer: &Sealer, ctx: &RequestContext, input: Value) -> Result<Reply, ApiError> {
    let name = input.get("VirtualMFADeviceName").and_then(Value::as_str).unwrap_or_default();
    let path = input.get("Path").and_then(Value::as_str).unwrap_or("/");
    let serial = format!("arn:aws:iam::{}:mfa{path}{name}", ctx.account());
    let mut tx = store.begin().await.map_err(store_error)?;
    if tx.get(DEVICES, &serial).await.map_err(store_error)?.is_some() {
        return Err(error("EntityAlreadyExistsException", "MFADevice entity at the same path and name already exists."));
    }
    let mut seed = [0u8; 20];
    rand::fill(&mut seed);
    let device = MfaDevice {
        serial_number: serial.clone(),
        account: ctx.account().to_owned(),
        user_name: None,
        enable_date: None,
        sealed_seed: base64::engine::general_purpose::STANDARD.encode(sealer.seal(&seal_context(&serial), &seed)),
    };
    save(&mut tx, &device).await?;
    tx.commit().await.map_err(store_error)?;
    Ok(Reply::new(json!({
        "VirtualMFADevice": {
            "SerialNumber": serial,
            "Base32StringSeed": base64::engine::general_purpose::STANDARD.encode(base32(&seed)),
        }
    })))
}

pub async fn enable_mfa_device(store: &Store, sealer: &Sealer, ctx: &RequestContext, input: Value) -> Result<Reply, ApiError> {
    let text = |member: &str| input.get(member).and_then(Value::as_str).unwrap_or_default().to_owned();
    let (user_name, serial) = (text("UserName"), text("SerialNumber"));
    let mut tx = store.begin().await.map_err(store_error)?;
    let user = entities::load(&mut tx, ctx.account(), EntityKind::User, &user_name).await?;
    let mut device = load(&mut tx, &serial).await?;
    if device.user_name.is_some() {
        return Err(error("EntityAlreadyExistsException", "MFA Device is already in use."));
    }
    let seed = seed_of(sealer, &device).ok_or_else(|| ApiError::internal("the MFA seed does not unseal"))?;
    // Two consecutive codes, as IAM requires: the first for the previous step, the second for now
    // (or the current and the next, for a client a step ahead).
    let consecutive = [-1.0, 0.0].iter().any(|step| {
        let first = ctx.time + step * STEP_SECONDS as f64;
        totp(&seed, first) == text("AuthenticationCode1") && totp(&seed, first + STEP_SECONDS as f64) == text("AuthenticationCode2")
    });
    if !consecutive {
        return Err(error("InvalidAuthenticationCodeException", "Authentication code for device is not valid."));
    }
    device.user_name = Some(user.name.clone());
    device.enable_date = Some(ctx.time.floor());
    save(&mut tx, &device).await?;
    tx.commit().await.map_err(store_error)?;
    Ok(Reply::new(json!({})))
}

pub async fn deactivate_mfa_device(store: &Store, ctx: &RequestContext, input: Value) -> Result<Reply, ApiError> {
    let serial = input.get("SerialNumber").and_then(Value::as_str).unwrap_or_default();
    let mut tx = store.begin().await.map_err(store_error)?;
    let mut device = load(&mut tx, serial).await?;
    if device.account != ctx.account() {
        return Err(error("NoSuchEntityException", format!("MFA device with serial number {serial} not found.")));
    }
    device.user_name = None;
    device.enable_date = None;
    save(&mut tx, &device).await?;
    tx.commit().await.map_err(store_error)?;
    Ok(Reply::new(json!({})))
}

pub async fn delete_virtual_mfa_device(store: &Store, ctx: &RequestContext, input: Value) -> Result<Reply, ApiError> {
    let serial = input.get("SerialNumber").and_then(Value::as_str).unwrap_or_default();
    let mut tx = store.begin().await.map_err(store_error)?;
    let device = load(&mut tx, serial).await?;
    if device.account != ctx.account() {
        return Err(error("NoSuchEntityException", format!("MFA device with serial number {serial} not found.")));
    }
    if device.user_name.is_some() {
        return Err(error("DeleteConflictException", "MFA VirtualDevice in use. Must deactivate first."));
    }
    tx.delete(DEVICES, serial).await.map_err(store_error)?;
    tx.commit().await.map_err(store_error)?;
    Ok(Reply::new(json!({})))
}

pub async fn list_mfa_devices(store: &Store, ctx: &RequestContext, input: Value) -> Result<Reply, ApiError> {
    let user_name = input.get("UserName").and_then(Value::as_str).unwrap_or_default();
    let mut tx = store.begin().await.map_err(store_error)?;
    let devices = tx.scan(DEVICES, &format!("arn:aws:iam::{}:mfa", ctx.account()), None, usize::MAX).await.map_err(store_error)?;
    let listed: Vec<(String, Value)> = devices
        .into_iter()
        .filter_map(|(_, v)| serde_json::from_value::<MfaDevice>(v).ok())
        .filter(|d| d.user_name.as_deref().is_some_and(|u| u.eq_ignore_ascii_case(user_name)))
        .map(|d| (d.serial_number.clone(), json!({ "UserName": d.user_name, "SerialNumber": d.serial_number, "EnableDate": d.enable_date })))
        .collect();
    let (keys, items): (Vec<String>, Vec<Value>) = listed.into_iter().unzip();
    let (items, next) = page(items, keys, &input)?;
    Ok(Reply::new(paged_output("MFADevices", items, next)))
}

/// Whether `code` is valid now for the MFA device `serial` enabled for `user_name`.
pub async fn verify_code(store: &Store, sealer: &Sealer, account: &str, user_name: &str, serial: &str, code: &str, time: f64) -> Result<bool, ApiError> {
    let mut tx = store.begin().await.map_err(store_error)?;
    let Ok(device) = load(&mut tx, serial).await else { return Ok(false) };
    let owned = device.account == account && device.user_name.as_deref().is_some_and(|u| u.eq_ignore_ascii_case(user_name));
    Ok(owned && seed_of(sealer, &device).is_some_and(|seed| accepts(&seed, code, time)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn totp_matches_rfc_6238_test_vectors() {
        let seed = b"12345678901234567890";
        assert_eq!(totp(seed, 59.0), "287082");
        assert_eq!(totp(seed, 1_111_111_109.0), "081804");
        assert_eq!(totp(seed, 1_234_567_890.0), "005924");
        assert_eq!(totp(seed, 2_000_000_000.0), "279037");
    }

    #[test]
    fn base32_follows_rfc_4648() {
        assert_eq!(base32(b"foobar"), "MZXW6YTBOI");
        assert_eq!(base32(b"12345678901234567890"), "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ");
    }
}
