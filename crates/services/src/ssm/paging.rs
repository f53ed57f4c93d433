//! NextToken for Parameter Store's lists: the opaque form of the last item a page returned.

use base64::{engine::general_purpose::URL_SAFE_NO_PAD as TOKEN, Engine};
use wire::ApiError;

use super::error;

pub fn next_token(last: &str) -> String {
    TOKEN.encode(last)
}

/// The item a NextToken says the previous page ended with.
pub fn read_token(token: Option<&str>) -> Result<Option<String>, ApiError> {
    let Some(token) = token else { return Ok(None) };
    TOKEN
        .decode(token)
        .ok()
        .and_then(|bytes| String::from_utf8(bytes).ok())
        .map(Some)
        .ok_or_else(|| error("InvalidNextToken", "The specified token isn't valid."))
}

/// One page of `items` (ordered by `key`) after the token's item: the page and the next token.
pub fn page<T>(items: Vec<T>, key: impl Fn(&T) -> String, after: Option<&str>, max: usize) -> (Vec<T>, Option<String>) {
    let mut remaining: Vec<T> = match after {
        Some(after) => items.into_iter().filter(|item| key(item).as_str() > after).collect(),
        None => items,
    };
    if remaining.len() <= max {
        return (remaining, None);
    }
    remaining.truncate(max);
    let token = remaining.last().map(|item| next_token(&key(item)));
    (remaining, token)
}
