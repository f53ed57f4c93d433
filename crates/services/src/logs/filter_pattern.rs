//! CloudWatch Logs filter patterns for unstructured and JSON log events.
//!
//! Unstructured: every plain term or `"quoted phrase"` must appear (case-sensitive), a
//! `-term` must not, and when `?term`s are given at least one of them must. JSON: `{ $.a.b =
//! "value" }` with `=`, `!=`, `<`, `<=`, `>`, `>=`, `*` wildcards in strings, joined by `&&`
//! and `||` (`&&` binds tighter) and parentheses. Space-delimited patterns (`[a, b, ...]`) are
//! not supported and are refused as invalid.

use serde_json::Value;

#[derive(Debug, Clone, PartialEq)]
pub enum FilterPattern {
    Everything,
    Terms { required: Vec<String>, any_of: Vec<String>, excluded: Vec<String> },
    Json(JsonExpression),
}

#[derive(Debug, Clone, PartialEq)]
pub enum JsonExpression {
    Compare { selector: Vec<String>, operator: Operator, value: Literal },
    And(Box<JsonExpression>, Box<JsonExpression>),
    Or(Box<JsonExpression>, Box<JsonExpression>),
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Operator {
    Equal,
    NotEqual,
    Less,
    LessOrEqual,
    Greater,
    GreaterOrEqual,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Literal {
    Number(f64),
    Text(String),
}

impl FilterPattern {
    pub fn parse(text: &str) -> Result<FilterPattern, String> {
        let text = text.trim();
        if text.is_empty() || text == "\"\"" {
            return Ok(FilterPattern::Everything);
        }
        if text.starts_with('[') {
            return Err("space-delimited filter patterns are not supported".to_owned());
        }
        if let Some(inner) = text.strip_prefix('{') {
            let inner = inner.strip_suffix('}').ok_or("a JSON filter pattern must end with '}'")?;
            let tokens = json_tokens(inner)?;
            let mut parser = JsonParser { tokens, next: 0 };
            let expression = parser.disjunction()?;
            if parser.next != parser.tokens.len() {
                return Err(format!("unexpected '{}'", parser.tokens[parser.next]));
            }
            return Ok(FilterPattern::Json(expression));
        }
        let (mut required, mut any_of, mut excluded) = (Vec::new(), Vec::new(), Vec::new());
        for term in text_terms(text)? {
            if let Some(optional) = term.strip_prefix('?') {
                any_of.push(unquote(optional));
            } else if let Some(negated) = term.strip_prefix('-').filter(|t| !t.is_empty()) {
                excluded.push(unquote(negated));
            } else {
                required.push(unquote(&term));
            }
        }
        Ok(FilterPattern::Terms { required, any_of, excluded })
    }

    pub fn matches(&self, message: &str) -> bool {
        match self {
            FilterPattern::Everything => true,
            FilterPattern::Terms { required, any_of, excluded } => {
                required.iter().all(|t| message.contains(t.as_str()))
                    && (any_of.is_empty() || any_of.iter().any(|t| message.contains(t.as_str())))
                    && !excluded.iter().any(|t| message.contains(t.as_str()))
            }
            FilterPattern::Json(expression) => {
                serde_json::from_str::<Value>(message).is_ok_and(|document| expression.matches(&document))
            }
        }
    }
}

/// Splits unstructured terms on whitespace, keeping a quoted phrase (and a `?`/`-` before
/// it) as one term with its quotes.
fn text_terms(text: &str) -> Result<Vec<String>, String> {
    let mut terms = Vec::new();
    let mut current = String::new();
    let mut quoted = false;
    for c in text.chars() {
        match c {
            '"' => {
                quoted = !quoted;
                current.push(c);
            }
            c if c.is_whitespace() && !quoted => {
                if !current.is_empty() {
                    terms.push(std::mem::take(&mut current));
                }
            }
            c => current.push(c),
        }
    }
    if quoted {
        return Err("unterminated quoted phrase".to_owned());
    }
    if !current.is_empty() {
        terms.push(current);
    }
    Ok(terms)
}

fn unquote(term: &str) -> String {
    term.strip_prefix('"').and_then(|t| t.strip_suffix('"')).unwrap_or(term).to_owned()
}

fn json_tokens(text: &str) -> Result<Vec<String>, String> {
    let mut tokens = Vec::new();
    let chars: Vec<char> = text.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c.is_whitespace() {
            i += 1;
        } else if c == '"' {
            let end = chars[i + 1..].iter().position(|&c| c == '"').ok_or("unterminated string")? + i + 1;
            tokens.push(chars[i..=end].iter().collect());
            i = end + 1;
        } else if c == '(' || c == ')' {
            tokens.push(c.to_string());
            i += 1;
        } else if "=!<>&|".contains(c) {
            let start = i;
            while i < chars.len() && "=!<>&|".contains(chars[i]) {
                i += 1;
            }
            tokens.push(chars[start..i].iter().collect());
        } else {
            let start = i;
            while i < chars.len() && !chars[i].is_whitespace() && !"=!<>&|()\"".contains(chars[i]) {
                i += 1;
            }
            tokens.push(chars[start..i].iter().collect());
        }
    }
    Ok(tokens)
}

struct JsonParser {
    tokens: Vec<String>,
    next: usize,
}

impl JsonParser {
    fn peek(&self) -> Option<&str> {
        self.tokens.get(self.next).map(String::as_str)
    }

    fn take(&mut self) -> Result<String, String> {
        let token = self.tokens.get(self.next).cloned().ok_or("the pattern ends too early")?;
        self.next += 1;
        Ok(token)
    }

    fn disjunction(&mut self) -> Result<JsonExpression, String> {
        let mut left = self.conjunction()?;
        while self.peek() == Some("||") {
            self.next += 1;
            left = JsonExpression::Or(Box::new(left), Box::new(self.conjunction()?));
        }
        Ok(left)
    }

    fn conjunction(&mut self) -> Result<JsonExpression, String> {
        let mut left = self.comparison()?;
        while self.peek() == Some("&&") {
            self.next += 1;
            left = JsonExpression::And(Box::new(left), Box::new(self.comparison()?));
        }
        Ok(left)
    }

    fn comparison(&mut self) -> Result<JsonExpression, String> {
        if self.peek() == Some("(") {
            self.next += 1;
            let inner = self.disjunction()?;
            if self.take()? != ")" {
                return Err("missing ')'".to_owned());
            }
            return Ok(inner);
        }
        let selector = self.take()?;
        let path = selector.strip_prefix("$.").ok_or_else(|| format!("'{selector}' is not a selector like $.field"))?;
        let operator = match self.take()?.as_str() {
            "=" => Operator::Equal,
            "!=" => Operator::NotEqual,
            "<" => Operator::Less,
            "<=" => Operator::LessOrEqual,
            ">" => Operator::Greater,
            ">=" => Operator::GreaterOrEqual,
            other => return Err(format!("'{other}' is not a comparison operator")),
        };
        let value = self.take()?;
        let value = match value.strip_prefix('"').and_then(|v| v.strip_suffix('"')) {
            Some(text) => Literal::Text(text.to_owned()),
            None => value.parse::<f64>().map_or(Literal::Text(value), Literal::Number),
        };
        if matches!(value, Literal::Text(_)) && !matches!(operator, Operator::Equal | Operator::NotEqual) {
            return Err("strings can only be compared with = and !=".to_owned());
        }
        Ok(JsonExpression::Compare { selector: path.split('.').map(str::to_owned).collect(), operator, value })
    }
}

impl JsonExpression {
    fn matches(&self, document: &Value) -> bool {
        match self {
            JsonExpression::And(a, b) => a.matches(document) && b.matches(document),
            JsonExpression::Or(a, b) => a.matches(document) || b.matches(document),
            JsonExpression::Compare { selector, operator, value } => {
                let Some(found) = selector.iter().try_fold(document, |node, key| node.get(key.as_str())) else {
                    return false;
                };
                match value {
                    Literal::Number(expected) => found.as_f64().is_some_and(|actual| match operator {
                        Operator::Equal => actual == *expected,
                        Operator::NotEqual => actual != *expected,
                        Operator::Less => actual < *expected,
                        Operator::LessOrEqual => actual <= *expected,
                        Operator::Greater => actual > *expected,
                        Operator::GreaterOrEqual => actual >= *expected,
                    }),
                    Literal::Text(expected) => {
                        let actual = match found {
                            Value::String(text) => text.clone(),
                            Value::Bool(_) | Value::Number(_) | Value::Null => found.to_string(),
                            _ => return false,
                        };
                        wildcard_match(expected, &actual) == (*operator == Operator::Equal)
                    }
                }
            }
        }
    }
}

/// `*` in a JSON filter string matches any run of characters.
fn wildcard_match(pattern: &str, text: &str) -> bool {
    let parts: Vec<&str> = pattern.split('*').collect();
    if parts.len() == 1 {
        return pattern == text;
    }
    let (first, last) = (parts[0], parts[parts.len() - 1]);
    if !text.starts_with(first) || !text[first.len()..].ends_with(last) || text.len() < first.len() + last.len() {
        return false;
    }
    let mut rest = &text[first.len()..text.len() - last.len()];
    for middle in &parts[1..parts.len() - 1] {
        match rest.find(middle) {
            Some(at) => rest = &rest[at + middle.len()..],
            None => return false,
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::FilterPattern;

    fn matches(pattern: &str, message: &str) -> bool {
        FilterPattern::parse(pattern).unwrap().matches(message)
    }

    #[test]
    fn every_plain_term_must_appear() {
        assert!(matches("ERROR timeout", "ERROR: request timeout after 3s"));
        assert!(!matches("ERROR timeout", "ERROR: bad input"));
        assert!(!matches("error", "ERROR: case matters"));
        assert!(matches("", "anything"));
    }

    #[test]
    fn a_quoted_phrase_matches_as_a_whole() {
        assert!(matches("\"Task timed out\"", "2024 abc Task timed out after 3.00 seconds"));
        assert!(!matches("\"Task timed out\"", "Task was not timed out"));
    }

    #[test]
    fn optional_and_excluded_terms() {
        assert!(matches("?ERROR ?WARN", "WARN disk"));
        assert!(!matches("?ERROR ?WARN", "INFO disk"));
        assert!(matches("ERROR -retry", "ERROR fatal"));
        assert!(!matches("ERROR -retry", "ERROR will retry"));
    }

    #[test]
    fn json_patterns_compare_selected_fields() {
        let event = r#"{"level":"ERROR","latency":250,"user":{"id":"u-17"}}"#;
        assert!(matches(r#"{ $.level = "ERROR" }"#, event));
        assert!(matches(r#"{ $.latency > 200 && $.user.id = "u-*" }"#, event));
        assert!(!matches(r#"{ $.latency < 200 }"#, event));
        assert!(matches(r#"{ ($.level = "INFO") || $.latency >= 250 }"#, event));
        assert!(!matches(r#"{ $.level = "ERROR" }"#, "not json"));
    }

    #[test]
    fn malformed_patterns_are_refused() {
        assert!(FilterPattern::parse("\"open phrase").is_err());
        assert!(FilterPattern::parse("{ $.a = ").is_err());
        assert!(FilterPattern::parse("[ip, user]").is_err());
    }
}
