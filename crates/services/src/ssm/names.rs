//! Parameter names as Parameter Store reads them: the naming rules, hierarchies (paths), the
//! `name:3` and `name:label` selectors, and the ARN a name has.

use wire::ApiError;

use super::error;

/// The longest name, counted with the ARN prefix that precedes it, as AWS counts it.
const MAX_NAME_WITH_ARN_CHARS: usize = 1011;
/// The deepest hierarchy a name may have.
pub const MAX_HIERARCHY_LEVELS: usize = 15;
/// Labels are at most this long.
const MAX_LABEL_CHARS: usize = 100;

const NAME_RULES: &str = "Parameter name: can't be prefixed with \"aws\" or \"ssm\" (case-insensitive). If formed as a path, it can consist of sub-paths divided by slash symbol; each sub-path can be formed as a mix of letters, numbers and the following 3 symbols .-_";

/// The ARN of parameter `name`: hierarchical names keep their one leading slash after
/// `parameter`, flat names get one.
pub fn parameter_arn(region: &str, account: &str, name: &str) -> String {
    let separator = if name.starts_with('/') { "" } else { "/" };
    format!("arn:aws:ssm:{region}:{account}:parameter{separator}{name}")
}

/// How many levels a hierarchical name has (`/a/b/c` has three).
pub fn hierarchy_levels(name: &str) -> usize {
    name.split('/').filter(|segment| !segment.is_empty()).count()
}

fn is_name_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-' | '/')
}

/// Whether `name` lies in the names AWS keeps for itself (`aws…`, `ssm…`, `/aws/…`).
pub fn is_reserved(name: &str) -> bool {
    let first = name.trim_start_matches('/').to_ascii_lowercase();
    first.starts_with("aws") || first.starts_with("ssm")
}

/// The name PutParameter creates for `raw`: surrounding spaces removed, as AWS does, then
/// checked against AWS's naming rules.
pub fn validate_new_name(raw: &str, region: &str, account: &str) -> Result<String, ApiError> {
    let name = raw.trim_matches(' ');
    if name.contains(' ') {
        return Err(error("ValidationException", "Parameter name can't contain spaces."));
    }
    if name.is_empty() || !name.chars().all(is_name_char) || is_reserved(name) {
        return Err(error("ValidationException", NAME_RULES));
    }
    if name.contains('/') && (!name.starts_with('/') || name.ends_with('/') || name.contains("//")) {
        return Err(error(
            "ValidationException",
            format!("Parameter name {name} is not fully qualified: a hierarchical name starts with a slash and has no empty levels, such as /Dev/DBServer/MySQL/db-string13."),
        ));
    }
    if hierarchy_levels(name) > MAX_HIERARCHY_LEVELS {
        return Err(error(
            "HierarchyLevelLimitExceededException",
            format!("A parameter hierarchy can have a maximum of {MAX_HIERARCHY_LEVELS} levels; {name} has {}.", hierarchy_levels(name)),
        ));
    }
    let with_arn = parameter_arn(region, account, name).chars().count();
    if with_arn > MAX_NAME_WITH_ARN_CHARS {
        return Err(error(
            "ValidationException",
            format!("Parameter name is too long: with its ARN prefix it has {with_arn} characters, at most {MAX_NAME_WITH_ARN_CHARS} are allowed."),
        ));
    }
    Ok(name.to_owned())
}

/// The path GetParametersByPath and the Path filter read: a leading slash, no empty levels; a
/// trailing slash is dropped (`/` itself is the root).
pub fn validate_path(raw: &str) -> Result<String, ApiError> {
    let invalid = || {
        error(
            "ValidationException",
            format!("The path {raw} is not valid. A path starts with a forward slash (/) and names levels of letters, numbers and .-_ separated by slashes, such as /Dev/DBServer."),
        )
    };
    if !raw.starts_with('/') || !raw.chars().all(is_name_char) {
        return Err(invalid());
    }
    let path = if raw.len() > 1 { raw.trim_end_matches('/') } else { raw };
    if path.len() > 1 && path.contains("//") {
        return Err(invalid());
    }
    if hierarchy_levels(path) > MAX_HIERARCHY_LEVELS {
        return Err(error(
            "ValidationException",
            format!("A parameter hierarchy can have a maximum of {MAX_HIERARCHY_LEVELS} levels; the path {path} has {}.", hierarchy_levels(path)),
        ));
    }
    Ok(if path.is_empty() { "/".to_owned() } else { path.to_owned() })
}

/// Whether parameter `name` lies under `path`: directly below it, or anywhere below it when
/// `recursive`. Names without a slash sit directly below the root.
pub fn is_under(name: &str, path: &str, recursive: bool) -> bool {
    let rest = if path == "/" {
        name.strip_prefix('/').unwrap_or(name)
    } else {
        match name.strip_prefix(path).and_then(|r| r.strip_prefix('/')) {
            Some(rest) => rest,
            None => return false,
        }
    };
    !rest.is_empty() && (recursive || !rest.contains('/'))
}

/// Which version of a parameter a name selects.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Selector {
    Version(u64),
    Label(String),
}

impl Selector {
    /// The selector as GetParameter echoes it (`:3`, `:prod`).
    pub fn text(&self) -> String {
        match self {
            Selector::Version(v) => format!(":{v}"),
            Selector::Label(l) => format!(":{l}"),
        }
    }
}

/// A name as GetParameter(s) reads it: `name`, `name:3` or `name:label`. Parameter names never
/// hold a colon, so the first one starts the selector.
pub fn parse_selected(raw: &str) -> (&str, Option<Selector>) {
    match raw.split_once(':') {
        None => (raw, None),
        Some((name, selector)) => match selector.parse::<u64>() {
            Ok(version) if selector.bytes().all(|b| b.is_ascii_digit()) => (name, Some(Selector::Version(version))),
            _ => (name, Some(Selector::Label(selector.to_owned()))),
        },
    }
}

/// Whether `label` meets AWS's rules for labels: at most 100 letters, digits, `.`, `-` or `_`,
/// not starting with a digit, `aws` or `ssm`.
pub fn is_valid_label(label: &str) -> bool {
    let lower = label.to_ascii_lowercase();
    !label.is_empty()
        && label.chars().count() <= MAX_LABEL_CHARS
        && label.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_'))
        && !label.starts_with(|c: char| c.is_ascii_digit())
        && !lower.starts_with("aws")
        && !lower.starts_with("ssm")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hierarchical_and_flat_names_have_one_slash_after_parameter_in_their_arn() {
        assert_eq!(parameter_arn("us-east-1", "111122223333", "/prod/db"), "arn:aws:ssm:us-east-1:111122223333:parameter/prod/db");
        assert_eq!(parameter_arn("us-east-1", "111122223333", "flat"), "arn:aws:ssm:us-east-1:111122223333:parameter/flat");
    }

    #[test]
    fn names_follow_aws_naming_rules() {
        let check = |name: &str| validate_new_name(name, "us-east-1", "111122223333").map_err(|e| e.code.into_owned());
        assert_eq!(check("  /dev/app/db-host ").unwrap(), "/dev/app/db-host");
        assert_eq!(check("plain_name.v1").unwrap(), "plain_name.v1");
        assert_eq!(check("awsSecret").unwrap_err(), "ValidationException");
        assert_eq!(check("/SSM/x").unwrap_err(), "ValidationException");
        assert_eq!(check("/a b").unwrap_err(), "ValidationException");
        assert_eq!(check("dev/app").unwrap_err(), "ValidationException");
        assert_eq!(check("/dev//app").unwrap_err(), "ValidationException");
        assert_eq!(check("/a$").unwrap_err(), "ValidationException");
        let fifteen = "/l".repeat(15);
        assert!(check(&fifteen).is_ok());
        assert_eq!(check(&format!("{fifteen}/x")).unwrap_err(), "HierarchyLevelLimitExceededException");
        assert_eq!(check(&format!("/{}", "n".repeat(1000))).unwrap_err(), "ValidationException");
    }

    #[test]
    fn paths_hold_direct_children_or_every_descendant() {
        assert!(is_under("/a/b", "/a", false));
        assert!(!is_under("/a/b/c", "/a", false));
        assert!(is_under("/a/b/c", "/a", true));
        assert!(!is_under("/ab/c", "/a", true));
        assert!(!is_under("/a", "/a", true));
        assert!(is_under("/a", "/", false));
        assert!(is_under("flat", "/", false));
        assert!(!is_under("/a/b", "/", false));
        assert_eq!(validate_path("/a/b/").unwrap(), "/a/b");
        assert_eq!(validate_path("/").unwrap(), "/");
        assert!(validate_path("a/b").is_err());
    }

    #[test]
    fn selectors_name_versions_or_labels() {
        assert_eq!(parse_selected("/a/b:3"), ("/a/b", Some(Selector::Version(3))));
        assert_eq!(parse_selected("/a/b:prod"), ("/a/b", Some(Selector::Label("prod".into()))));
        assert_eq!(parse_selected("/a/b"), ("/a/b", None));
    }

    #[test]
    fn labels_follow_aws_rules() {
        assert!(is_valid_label("Production-2.x_y"));
        assert!(!is_valid_label("2prod"));
        assert!(!is_valid_label("awsLabel"));
        assert!(!is_valid_label("SSM"));
        assert!(!is_valid_label("has space"));
        assert!(!is_valid_label(&"l".repeat(101)));
    }
}
