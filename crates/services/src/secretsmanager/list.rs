//! ListSecrets with AWS's filters (prefix matches, `!` negations, the `all` word search) and sort
//! orders, and the paging every list operation shares.

use base64::Engine;
use gateway::{Reply, RequestContext};
use serde::Deserialize;
use serde_json::{json, Value};
use store::Txn;
use wire::ApiError;

use super::{error, invalid_parameter, secret_record::{self, StoredSecret}, store_error, SecretsManager};
use crate::input::from_input;

const DEFAULT_PAGE: usize = 100;

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Filter {
    key: Option<String>,
    #[serde(default)]
    values: Vec<String>,
}

/// One filter value against an attribute: a prefix, or with `!` the absence of that prefix.
fn prefix_matches(attribute: &str, wanted: &str, case_sensitive: bool) -> bool {
    if case_sensitive {
        attribute.starts_with(wanted)
    } else {
        attribute.to_lowercase().starts_with(&wanted.to_lowercase())
    }
}

/// The attributes a filter key looks at, and whether it compares case by case.
fn attributes<'s>(secret: &'s StoredSecret, key: &str) -> (Vec<&'s str>, bool) {
    match key {
        "name" => (vec![secret.name.as_str()], true),
        "description" => (secret.description.iter().map(String::as_str).collect(), false),
        "tag-key" => (secret.tags.iter().map(|t| t.key.as_str()).collect(), true),
        "tag-value" => (secret.tags.iter().map(|t| t.value.as_str()).collect(), true),
        "primary-region" => (vec![secret.primary_region.as_deref().unwrap_or(&secret.region)], true),
        // Secrets created by other AWS services carry their name; Palisade's are all the user's.
        "owning-service" => (Vec::new(), true),
        _ => {
            // `all` searches every attribute word by word.
            let mut words: Vec<&str> = Vec::new();
            let mut add = |text: &'s str| words.extend(text.split(|c: char| c.is_whitespace() || "/_-.".contains(c)).chain([text]));
            add(&secret.name);
            if let Some(description) = &secret.description {
                add(description);
            }
            for tag in &secret.tags {
                add(&tag.key);
                add(&tag.value);
            }
            add(secret.primary_region.as_deref().unwrap_or(&secret.region));
            (words, false)
        }
    }
}

/// Whether `secret` passes `filter`: any of its values matches (negated values must all hold).
fn passes(secret: &StoredSecret, filter: &Filter) -> bool {
    let key = filter.key.as_deref().unwrap_or("all");
    let (attributes, case_sensitive) = attributes(secret, key);
    let (negated, wanted): (Vec<&String>, Vec<&String>) = filter.values.iter().partition(|v| v.starts_with('!'));
    let any_wanted = wanted.is_empty() || wanted.iter().any(|w| attributes.iter().any(|a| prefix_matches(a, w, case_sensitive)));
    let none_negated =
        negated.iter().all(|n| !attributes.iter().any(|a| prefix_matches(a, &n[1..], case_sensitive)));
    any_wanted && none_negated
}

fn check_filters(filters: &[Filter]) -> Result<(), ApiError> {
    for filter in filters {
        if filter.key.is_none() {
            return Err(invalid_parameter("Invalid filter key: a filter needs a Key."));
        }
        if filter.values.is_empty() {
            return Err(invalid_parameter("Invalid filter values: a filter needs at least one value."));
        }
    }
    Ok(())
}

/// The secrets of the request's account and region that pass every filter, in name order.
pub async fn filtered(tx: &mut Txn, ctx: &RequestContext, filters: &[Filter], include_deleted: bool) -> Result<Vec<StoredSecret>, ApiError> {
    check_filters(filters)?;
    Ok(secret_record::list(tx, ctx.account(), &ctx.region, ctx.time)
        .await?
        .into_iter()
        .filter(|s| include_deleted || s.deleted_date.is_none())
        .filter(|s| filters.iter().all(|f| passes(s, f)))
        .collect())
}

/// One page of a list.
pub struct Page<T> {
    pub items: Vec<T>,
    pub next_token: Option<String>,
}

/// The page of `items` that starts where `next_token` says, with a token for the rest.
pub fn page<T>(items: Vec<T>, next_token: Option<&str>, max_results: usize) -> Result<Page<T>, ApiError> {
    let start = match next_token {
        Some(token) => base64::engine::general_purpose::STANDARD
            .decode(token)
            .ok()
            .and_then(|bytes| String::from_utf8(bytes).ok())
            .and_then(|text| text.parse::<usize>().ok())
            .filter(|&start| start <= items.len())
            .ok_or_else(|| error("InvalidNextTokenException", "The NextToken value is not valid."))?,
        None => 0,
    };
    let end = start.saturating_add(max_results.max(1)).min(items.len());
    let next_token = (end < items.len()).then(|| base64::engine::general_purpose::STANDARD.encode(end.to_string()));
    let items = items.into_iter().skip(start).take(end - start).collect();
    Ok(Page { items, next_token })
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct ListSecretsRequest {
    include_planned_deletion: Option<bool>,
    max_results: Option<usize>,
    next_token: Option<String>,
    #[serde(default)]
    filters: Vec<Filter>,
    sort_order: Option<String>,
    sort_by: Option<String>,
}

pub async fn list_secrets(service: &SecretsManager, ctx: &RequestContext, input: Value) -> Result<Reply, ApiError> {
    let request: ListSecretsRequest = from_input(input)?;
    let mut secrets = {
        let mut tx = service.store.begin().await.map_err(store_error)?;
        filtered(&mut tx, ctx, &request.filters, request.include_planned_deletion.unwrap_or(false)).await?
    };
    let by = request.sort_by.as_deref().unwrap_or("created-date");
    let date = |s: &StoredSecret| match by {
        "last-accessed-date" => s.last_accessed.unwrap_or(0.0),
        "last-changed-date" => s.last_changed,
        _ => s.created,
    };
    if by == "name" {
        secrets.sort_by(|a, b| a.name.cmp(&b.name));
    } else {
        secrets.sort_by(|a, b| date(a).total_cmp(&date(b)).then_with(|| a.name.cmp(&b.name)));
    }
    if request.sort_order.as_deref() == Some("desc") {
        secrets.reverse();
    }
    let page = page(secrets, request.next_token.as_deref(), request.max_results.unwrap_or(DEFAULT_PAGE))?;
    let mut out = json!({ "SecretList": page.items.iter().map(StoredSecret::list_entry).collect::<Vec<_>>() });
    if let Some(token) = page.next_token {
        out["NextToken"] = json!(token);
    }
    Ok(Reply::new(out))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::secretsmanager::secret_record::{RotationState, Tag};

    fn secret(name: &str, description: &str, tags: &[(&str, &str)]) -> StoredSecret {
        StoredSecret {
            account: "1".into(),
            region: "us-east-1".into(),
            name: name.into(),
            arn: format!("arn:aws:secretsmanager:us-east-1:1:secret:{name}-abcdef"),
            description: Some(description.into()),
            kms_key_id: None,
            secret_type: None,
            created: 0.0,
            last_changed: 0.0,
            last_accessed: None,
            deleted_date: None,
            deletion_date: None,
            tags: tags.iter().map(|(k, v)| Tag { key: k.to_string(), value: v.to_string() }).collect(),
            versions: Vec::new(),
            rotation: RotationState::default(),
            resource_policy: None,
            primary_region: None,
            replicas: Vec::new(),
        }
    }

    fn filter(key: &str, values: &[&str]) -> Filter {
        Filter { key: Some(key.into()), values: values.iter().map(|v| v.to_string()).collect() }
    }

    #[test]
    fn a_name_filter_is_a_case_sensitive_prefix() {
        let s = secret("prod/db", "Database", &[]);
        assert!(passes(&s, &filter("name", &["prod/"])));
        assert!(!passes(&s, &filter("name", &["Prod/"])));
        assert!(!passes(&s, &filter("name", &["db"])));
    }

    #[test]
    fn a_description_filter_ignores_case() {
        assert!(passes(&secret("a", "Production DB", &[]), &filter("description", &["production"])));
    }

    #[test]
    fn a_negated_value_excludes_matches() {
        let s = secret("prod/db", "", &[("team", "payments")]);
        assert!(!passes(&s, &filter("tag-value", &["!pay"])));
        assert!(passes(&s, &filter("tag-value", &["!web"])));
    }

    #[test]
    fn all_searches_every_attribute_by_word() {
        let s = secret("prod/db", "Main database", &[("team", "payments")]);
        assert!(passes(&s, &filter("all", &["DATABASE"])));
        assert!(passes(&s, &filter("all", &["pay"])));
        assert!(!passes(&s, &filter("all", &["web"])));
    }

    #[test]
    fn pages_continue_where_the_token_says() {
        let first = page((0..5).collect::<Vec<_>>(), None, 2).unwrap();
        assert_eq!(first.items, vec![0, 1]);
        let second = page((0..5).collect::<Vec<_>>(), first.next_token.as_deref(), 2).unwrap();
        assert_eq!(second.items, vec![2, 3]);
        assert!(page((0..5).collect::<Vec<_>>(), Some("garbage!"), 2).is_err());
    }
}
