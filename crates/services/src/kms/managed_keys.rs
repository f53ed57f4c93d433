//! AWS managed keys (`alias/aws/secretsmanager`): keys AWS creates in an account and region the
//! first time a service encrypts with its default key, usable only through that service.

use kms_crypto::{KeyMaterial, KeySpec, KeyUsage};
use serde_json::json;
use store::{Sealer, Store};
use wire::ApiError;

use super::{
    aliases::{self, StoredAlias},
    crypto_error, key_record, store_error,
};

/// The key policy AWS gives a service's managed key: every principal of the account may use
/// the key through the service (`kms:ViaService`), and the account may read its metadata.
fn managed_key_policy(account: &str, region: &str, service: &str) -> String {
    let policy = json!({
        "Version": "2012-10-17",
        "Id": format!("auto-{service}-2"),
        "Statement": [
            {
                "Sid": format!("Allow access through AWS {service} for all principals in the account that are authorized to use it"),
                "Effect": "Allow",
                "Principal": { "AWS": "*" },
                "Action": ["kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:CreateGrant", "kms:DescribeKey"],
                "Resource": "*",
                "Condition": { "StringEquals": {
                    "kms:CallerAccount": account,
                    "kms:ViaService": format!("{service}.{region}.amazonaws.com"),
                } },
            },
            {
                "Sid": "Allow direct access to key metadata to the account",
                "Effect": "Allow",
                "Principal": { "AWS": format!("arn:aws:iam::{account}:root") },
                "Action": ["kms:Describe*", "kms:Get*", "kms:List*", "kms:RevokeGrant"],
                "Resource": "*",
            },
        ],
    });
    serde_json::to_string_pretty(&policy).expect("a JSON value serializes")
}

/// The ARN of the AWS managed key `alias/aws/<service>` of `account` in `region`, created (with
/// its alias) if the account has none yet.
pub async fn aws_managed_key_arn(
    store: &Store,
    sealer: &Sealer,
    account: &str,
    region: &str,
    service: &str,
    now: f64,
) -> Result<String, ApiError> {
    let alias_name = format!("alias/aws/{service}");
    let existing = {
        let mut tx = store.begin().await.map_err(store_error)?;
        aliases::load(&mut tx, account, region, &alias_name).await?
    };
    if let Some(alias) = existing {
        return Ok(key_record::key_arn(region, account, &alias.target_key_id));
    }
    let mut tx = store.begin().await.map_err(store_error)?;
    // Another request may have created it since we looked.
    if let Some(alias) = aliases::load(&mut tx, account, region, &alias_name).await? {
        return Ok(key_record::key_arn(region, account, &alias.target_key_id));
    }
    let key_id = super::keys::new_key_id(false);
    let mut key = key_record::StoredKey {
        arn: key_record::key_arn(region, account, &key_id),
        account: account.to_owned(),
        region: region.to_owned(),
        key_id,
        description: format!("Default key that protects my {service} data when no other key is defined"),
        key_spec: key_record::KeySpecName(KeySpec::SymmetricDefault),
        key_usage: key_record::KeyUsageName(KeyUsage::EncryptDecrypt),
        state: key_record::KeyState::Enabled,
        creation_date: now,
        ready_at: None,
        deletion_date: None,
        pending_window_days: None,
        policy: managed_key_policy(account, region, service),
        tags: Default::default(),
        multi_region: None,
        rotation: key_record::RotationSchedule::default(),
        rotations: Vec::new(),
        materials: Vec::new(),
        imported: None,
        aws_managed: true,
    };
    let material = KeyMaterial::generate(KeySpec::SymmetricDefault).map_err(crypto_error)?;
    key.add_material(sealer, &material, now)?;
    key_record::save(&mut tx, &key).await?;
    let alias = StoredAlias {
        arn: aliases::alias_arn(region, account, &alias_name),
        name: alias_name,
        target_key_id: key.key_id.clone(),
        creation_date: now,
        last_updated_date: now,
    };
    aliases::save(&mut tx, account, region, &alias).await?;
    tx.commit().await.map_err(store_error)?;
    Ok(key.arn)
}
