//! ParameterFilters (and DescribeParameters' older Filters): which keys and options each
//! operation accepts, with AWS's errors, and whether a parameter matches.

use serde::Deserialize;
use wire::ApiError;

use super::{
    error, names,
    record::{ParameterVersion, StoredParameter},
};

/// The operation a filter list belongs to; they accept different keys and options.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FilterUse {
    DescribeParameters,
    GetParametersByPath,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct RequestFilter {
    key: String,
    option: Option<String>,
    values: Option<Vec<String>>,
}

/// DescribeParameters' deprecated `Filters` entry.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct LegacyFilter {
    key: String,
    values: Vec<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ParameterFilter {
    key: String,
    option: String,
    values: Vec<String>,
}

const TYPES: &[&str] = &["String", "StringList", "SecureString"];
const TIERS: &[&str] = &["Standard", "Advanced", "Intelligent-Tiering"];

fn options_for(key: &str, usage: FilterUse) -> &'static [&'static str] {
    match (usage, key) {
        (FilterUse::DescribeParameters, "Path") => &["Recursive", "OneLevel"],
        (FilterUse::DescribeParameters, "Name") => &["Equals", "BeginsWith", "Contains"],
        (FilterUse::GetParametersByPath, "Label") => &["Equals"],
        _ => &["Equals", "BeginsWith"],
    }
}

fn key_allowed(key: &str, usage: FilterUse) -> bool {
    match usage {
        FilterUse::DescribeParameters => {
            matches!(key, "Name" | "Type" | "KeyId" | "Path" | "Tier" | "DataType") || key.strip_prefix("tag:").is_some_and(|k| !k.is_empty())
        }
        FilterUse::GetParametersByPath => matches!(key, "Type" | "KeyId" | "Label"),
    }
}

fn invalid_value(key: &str, value: &str) -> ApiError {
    error("InvalidFilterValue", format!("The following filter value is not valid: {value}. Valid values for the {key} filter differ."))
}

/// Checks `filters` for `usage`, filling in the default option.
pub fn validate(filters: Vec<RequestFilter>, usage: FilterUse) -> Result<Vec<ParameterFilter>, ApiError> {
    let mut checked: Vec<ParameterFilter> = Vec::new();
    for filter in filters {
        if !key_allowed(&filter.key, usage) {
            let valid = match usage {
                FilterUse::DescribeParameters => "[Name, Type, KeyId, Path, Tier, DataType, tag:<key>]",
                FilterUse::GetParametersByPath => "[Type, KeyId, Label]",
            };
            return Err(error(
                "InvalidFilterKey",
                format!("The following filter key is not valid: {}. Valid filter keys include: {valid}.", filter.key),
            ));
        }
        if checked.iter().any(|f| f.key == filter.key) {
            return Err(error(
                "InvalidFilterKey",
                format!("The following filter is duplicated in the request: {}. A request can contain only one occurrence of a specific filter.", filter.key),
            ));
        }
        let options = options_for(&filter.key, usage);
        let option = filter.option.unwrap_or_else(|| if filter.key == "Path" { "OneLevel" } else { "Equals" }.to_owned());
        if !options.contains(&option.as_str()) {
            return Err(error(
                "InvalidFilterOption",
                format!("The following filter option is not valid: {option}. Valid options include: [{}].", options.join(", ")),
            ));
        }
        let values = filter.values.unwrap_or_default();
        if values.is_empty() && !filter.key.starts_with("tag:") {
            return Err(error("InvalidFilterValue", format!("The following filter values are missing: {}.", filter.key)));
        }
        let mut normalized = Vec::with_capacity(values.len());
        for value in values {
            match filter.key.as_str() {
                "Type" if !TYPES.contains(&value.as_str()) && option == "Equals" => return Err(invalid_value("Type", &value)),
                "Tier" if !TIERS.contains(&value.as_str()) && option == "Equals" => return Err(invalid_value("Tier", &value)),
                "Path" => normalized.push(names::validate_path(&value).map_err(|_| invalid_value("Path", &value))?),
                _ => normalized.push(value),
            }
        }
        checked.push(ParameterFilter { key: filter.key, option, values: normalized });
    }
    Ok(checked)
}

/// DescribeParameters' deprecated Filters as parameter filters: names by prefix, types and keys
/// exactly.
pub fn from_legacy(filters: Vec<LegacyFilter>) -> Result<Vec<ParameterFilter>, ApiError> {
    filters
        .into_iter()
        .map(|f| {
            let option = if f.key == "Name" { "BeginsWith" } else { "Equals" };
            validate(vec![RequestFilter { key: f.key, option: Some(option.to_owned()), values: Some(f.values) }], FilterUse::DescribeParameters)
                .map(|mut v| v.remove(0))
        })
        .collect()
}

fn text_matches(option: &str, actual: &str, wanted: &str) -> bool {
    match option {
        "BeginsWith" => actual.starts_with(wanted),
        "Contains" => actual.contains(wanted),
        _ => actual == wanted,
    }
}

impl ParameterFilter {
    /// Whether `version` of `parameter` passes this filter.
    pub fn matches(&self, parameter: &StoredParameter, version: &ParameterVersion) -> bool {
        let any = |actual: &str| self.values.iter().any(|v| text_matches(&self.option, actual, v));
        match self.key.as_str() {
            "Name" => any(&parameter.name),
            "Type" => any(&version.kind),
            "KeyId" => version.key_id.as_deref().is_some_and(any),
            "Tier" => any(&version.tier),
            "DataType" => any(&version.data_type),
            "Label" => version.labels.iter().any(|l| self.values.contains(l)),
            "Path" => self.values.iter().any(|path| names::is_under(&parameter.name, path, self.option == "Recursive")),
            key => {
                let tag_key = key.strip_prefix("tag:").unwrap_or_default();
                match parameter.tags.get(tag_key) {
                    Some(tag_value) => self.values.is_empty() || any(tag_value),
                    None => false,
                }
            }
        }
    }

    /// A Label filter picks, of each parameter, the version that carries one of its labels.
    pub fn label(&self) -> Option<&[String]> {
        (self.key == "Label").then_some(self.values.as_slice())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn filter(key: &str, option: Option<&str>, values: &[&str]) -> RequestFilter {
        RequestFilter {
            key: key.to_owned(),
            option: option.map(str::to_owned),
            values: Some(values.iter().map(|v| v.to_string()).collect()),
        }
    }

    fn code(result: Result<Vec<ParameterFilter>, ApiError>) -> String {
        result.unwrap_err().code.into_owned()
    }

    #[test]
    fn describe_parameters_accepts_every_key_but_label() {
        assert!(validate(vec![filter("Name", Some("Contains"), &["db"])], FilterUse::DescribeParameters).is_ok());
        assert!(validate(vec![filter("tag:team", None, &[])], FilterUse::DescribeParameters).is_ok());
        assert_eq!(code(validate(vec![filter("Label", None, &["x"])], FilterUse::DescribeParameters)), "InvalidFilterKey");
        assert_eq!(code(validate(vec![filter("Type", Some("Contains"), &["String"])], FilterUse::DescribeParameters)), "InvalidFilterOption");
        assert_eq!(code(validate(vec![filter("Path", Some("Equals"), &["/a"])], FilterUse::DescribeParameters)), "InvalidFilterOption");
        assert_eq!(code(validate(vec![filter("Type", None, &["Number"])], FilterUse::DescribeParameters)), "InvalidFilterValue");
        let path = validate(vec![filter("Path", None, &["/a/"])], FilterUse::DescribeParameters).unwrap();
        assert_eq!(path[0].option, "OneLevel");
        assert_eq!(path[0].values, ["/a"]);
    }

    #[test]
    fn get_parameters_by_path_accepts_type_key_id_and_label() {
        assert!(validate(vec![filter("Label", None, &["prod"])], FilterUse::GetParametersByPath).is_ok());
        assert_eq!(code(validate(vec![filter("Label", Some("BeginsWith"), &["p"])], FilterUse::GetParametersByPath)), "InvalidFilterOption");
        for key in ["Name", "Path", "Tier", "DataType", "tag:team"] {
            assert_eq!(code(validate(vec![filter(key, None, &["x"])], FilterUse::GetParametersByPath)), "InvalidFilterKey", "{key}");
        }
    }
}
