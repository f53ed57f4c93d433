//! The ways a request names a secret: its name, its full ARN, or a partial ARN (the ARN without
//! the six random characters AWS appends).

use std::sync::Arc;

use gateway::RequestContext;
use store::Txn;
use wire::ApiError;

use super::{
    error,
    secret_record::{self, SecretCache, StoredSecret},
};

/// The length of `-` and the six random characters ending a secret's ARN.
const ARN_SUFFIX_LEN: usize = 7;

/// The ARN policies judge a request by; a name becomes the ARN without the random suffix, which
/// [`super::policy_target`] completes once it has found the secret.
pub fn policy_arn(ctx: &RequestContext, id: &str) -> String {
    if id.starts_with("arn:") {
        id.to_owned()
    } else {
        ctx.arn("secretsmanager", &format!("secret:{id}"))
    }
}

/// The account and the candidate names a secret id may stand for, most specific first.
pub fn candidates<'a>(default_account: &'a str, id: &'a str) -> Option<(&'a str, Vec<&'a str>)> {
    let Some(rest) = id.strip_prefix("arn:") else { return Some((default_account, vec![id])) };
    let parts: Vec<&str> = rest.splitn(5, ':').collect();
    let [_partition, service, _region, account, resource] = parts.as_slice() else { return None };
    let name = resource.strip_prefix("secret:")?;
    if *service != "secretsmanager" || account.is_empty() || name.is_empty() {
        return None;
    }
    let mut names = Vec::with_capacity(2);
    if name.len() > ARN_SUFFIX_LEN && name.as_bytes()[name.len() - ARN_SUFFIX_LEN] == b'-' {
        names.push(&name[..name.len() - ARN_SUFFIX_LEN]);
    }
    names.push(name);
    Some((account, names))
}

pub fn not_found() -> ApiError {
    error("ResourceNotFoundException", "Secrets Manager can't find the specified secret.")
}

/// The secret `id` names in the request's region, if it exists (including a secret scheduled for
/// deletion, which most operations then refuse).
pub async fn lookup(tx: &mut Txn, ctx: &RequestContext, id: &str) -> Result<Option<StoredSecret>, ApiError> {
    lookup_in(tx, ctx.account(), &ctx.region, id, ctx.time).await
}

pub async fn lookup_in(tx: &mut Txn, account: &str, region: &str, id: &str, now: f64) -> Result<Option<StoredSecret>, ApiError> {
    let Some((account, names)) = candidates(account, id) else { return Ok(None) };
    for name in names {
        let Some(secret) = secret_record::load(tx, account, region, name, now).await? else { continue };
        if is_named_by(&secret, id) {
            return Ok(Some(secret));
        }
    }
    Ok(None)
}

/// A full ARN must carry the secret's suffix; a partial ARN is the name itself.
fn is_named_by(secret: &StoredSecret, id: &str) -> bool {
    !id.starts_with("arn:") || secret.arn == id || secret.name == id.rsplit_once(":secret:").map_or("", |(_, n)| n)
}

/// [`find`] for reads that change nothing, served by the cache.
pub async fn find_cached(cache: &SecretCache, ctx: &RequestContext, id: &str) -> Result<Arc<StoredSecret>, ApiError> {
    let Some((account, names)) = candidates(ctx.account(), id) else { return Err(not_found()) };
    for name in names {
        let Some(secret) = cache.load(account, &ctx.region, name, ctx.time).await? else { continue };
        if is_named_by(&secret, id) {
            return Ok(secret);
        }
    }
    Err(not_found())
}

/// The secret `id` names, or AWS's ResourceNotFoundException.
pub async fn find(tx: &mut Txn, ctx: &RequestContext, id: &str) -> Result<StoredSecret, ApiError> {
    lookup(tx, ctx, id).await?.ok_or_else(not_found)
}

/// The secret `id` names, refused when it is scheduled for deletion (every operation but
/// DescribeSecret, RestoreSecret and DeleteSecret).
pub async fn find_live(tx: &mut Txn, ctx: &RequestContext, id: &str) -> Result<StoredSecret, ApiError> {
    let secret = find(tx, ctx, id).await?;
    secret.require_not_deleted()?;
    Ok(secret)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_name_is_looked_up_as_it_is() {
        assert_eq!(candidates("111", "prod/db"), Some(("111", vec!["prod/db"])));
    }

    #[test]
    fn a_full_arn_is_tried_without_its_suffix_first() {
        let arn = "arn:aws:secretsmanager:us-east-1:222:secret:prod/db-AbCdEf";
        assert_eq!(candidates("111", arn), Some(("222", vec!["prod/db", "prod/db-AbCdEf"])));
    }

    #[test]
    fn other_services_arns_name_no_secret() {
        assert_eq!(candidates("111", "arn:aws:kms:us-east-1:222:key/abc"), None);
    }
}
