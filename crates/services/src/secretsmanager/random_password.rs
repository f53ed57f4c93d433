//! GetRandomPassword: a password from the character classes the request keeps, by default with
//! at least one character of each.

use gateway::Reply;
use serde::Deserialize;
use serde_json::{json, Value};
use wire::ApiError;

use super::invalid_parameter;
use crate::input::from_input;

const DEFAULT_LENGTH: usize = 32;
const LOWERCASE: &str = "abcdefghijklmnopqrstuvwxyz";
const UPPERCASE: &str = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";
const NUMBERS: &str = "0123456789";
const PUNCTUATION: &str = "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~";

#[derive(Deserialize, Default)]
#[serde(rename_all = "PascalCase")]
pub struct PasswordRules {
    password_length: Option<i64>,
    exclude_characters: Option<String>,
    exclude_numbers: Option<bool>,
    exclude_punctuation: Option<bool>,
    exclude_uppercase: Option<bool>,
    exclude_lowercase: Option<bool>,
    include_space: Option<bool>,
    require_each_included_type: Option<bool>,
}

/// A password following `rules`, from the operating system's secure random source (through
/// `rand`'s thread generator, seeded from it).
pub fn generate(rules: &PasswordRules) -> Result<String, ApiError> {
    let length = usize::try_from(rules.password_length.unwrap_or(DEFAULT_LENGTH as i64))
        .ok()
        .filter(|&l| l >= 1)
        .ok_or_else(|| invalid_parameter("PasswordLength must be at least 1."))?;
    let excluded = rules.exclude_characters.as_deref().unwrap_or("");
    let class = |chars: &str, excluded_class: Option<bool>| -> Option<Vec<char>> {
        if excluded_class.unwrap_or(false) {
            return None;
        }
        let kept: Vec<char> = chars.chars().filter(|c| !excluded.contains(*c)).collect();
        (!kept.is_empty()).then_some(kept)
    };
    let classes: Vec<Vec<char>> = [
        class(LOWERCASE, rules.exclude_lowercase),
        class(UPPERCASE, rules.exclude_uppercase),
        class(NUMBERS, rules.exclude_numbers),
        class(PUNCTUATION, rules.exclude_punctuation),
        class(" ", Some(!rules.include_space.unwrap_or(false))),
    ]
    .into_iter()
    .flatten()
    .collect();
    if classes.is_empty() {
        return Err(invalid_parameter("The password can't be generated: every character type is excluded."));
    }
    let require_each = rules.require_each_included_type.unwrap_or(true);
    if require_each && length < classes.len() {
        return Err(invalid_parameter(format!(
            "The password length must be at least {} to include a character of each included type.",
            classes.len()
        )));
    }
    let all: Vec<char> = classes.iter().flatten().copied().collect();
    let pick = |set: &[char]| set[rand::random_range(0..set.len())];
    let mut password: Vec<char> = Vec::with_capacity(length);
    if require_each {
        password.extend(classes.iter().map(|set| pick(set)));
    }
    while password.len() < length {
        password.push(pick(&all));
    }
    // The guaranteed characters must not sit at known positions.
    for i in (1..password.len()).rev() {
        password.swap(i, rand::random_range(0..=i));
    }
    Ok(password.into_iter().collect())
}

pub async fn get_random_password(input: Value) -> Result<Reply, ApiError> {
    let rules: PasswordRules = from_input(input)?;
    Ok(Reply::new(json!({ "RandomPassword": generate(&rules)? })))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_password_has_32_characters_of_every_type() {
        let password = generate(&PasswordRules::default()).unwrap();
        assert_eq!(password.chars().count(), 32);
        for class in [LOWERCASE, UPPERCASE, NUMBERS, PUNCTUATION] {
            assert!(password.chars().any(|c| class.contains(c)), "{password} lacks one of {class}");
        }
        assert!(!password.contains(' '));
    }

    #[test]
    fn excluded_characters_and_types_never_appear() {
        let rules = PasswordRules {
            password_length: Some(200),
            exclude_characters: Some("abc".into()),
            exclude_punctuation: Some(true),
            exclude_numbers: Some(true),
            ..PasswordRules::default()
        };
        let password = generate(&rules).unwrap();
        assert!(password.chars().all(|c| c.is_ascii_alphabetic() && !"abc".contains(c)));
    }

    #[test]
    fn a_space_is_included_on_request() {
        let rules = PasswordRules { password_length: Some(5), include_space: Some(true), ..PasswordRules::default() };
        assert!(generate(&rules).unwrap().contains(' '));
    }

    #[test]
    fn excluding_everything_is_refused() {
        let rules = PasswordRules {
            exclude_lowercase: Some(true),
            exclude_uppercase: Some(true),
            exclude_numbers: Some(true),
            exclude_punctuation: Some(true),
            ..PasswordRules::default()
        };
        assert_eq!(generate(&rules).unwrap_err().code, "InvalidParameterException");
    }

    #[test]
    fn a_password_too_short_for_every_type_is_refused() {
        let rules = PasswordRules { password_length: Some(3), ..PasswordRules::default() };
        assert!(generate(&rules).is_err());
    }
}
