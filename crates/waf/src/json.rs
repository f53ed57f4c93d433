//! A JSON reader for `JsonBody` inspection: it reports each key and each scalar value with its
//! JSON Pointer, and on malformed input stops where the error is, after reporting what came
//! before it (what AWS WAF inspects when no `InvalidFallbackBehavior` is set).

/// One key or scalar value of the document.
pub(crate) struct JsonItem<'p> {
    /// The JSON Pointer of the value (for a key: of the member it names).
    pub pointer: &'p str,
    /// Whether this is an object key rather than a value.
    pub is_key: bool,
    /// The text: a string's unescaped content, or a number, `true`, `false` or `null` as written.
    pub text: Vec<u8>,
}

enum Container {
    /// An object; the pointer length before this member's segment was pushed.
    Object { member_base: Option<usize> },
    /// An array, with the index of the next element and the pointer length before it.
    Array {
        next: usize,
        element_base: Option<usize>,
    },
}

/// Walks `input`, calling `visit` for each key and scalar. Returns whether the whole input was
/// one well-formed JSON value.
pub(crate) fn walk(input: &[u8], mut visit: impl FnMut(&JsonItem)) -> bool {
    let mut reader = Reader { input, pos: 0 };
    let mut pointer = String::new();
    let mut stack: Vec<Container> = Vec::new();
    loop {
        // Parse one value at the current position.
        reader.skip_space();
        match reader.peek() {
            Some(b'{') => {
                reader.pos += 1;
                reader.skip_space();
                if reader.peek() == Some(b'}') {
                    reader.pos += 1;
                } else {
                    stack.push(Container::Object { member_base: None });
                    if !object_member(&mut reader, &mut pointer, &mut stack, &mut visit) {
                        return false;
                    }
                    continue;
                }
            }
            Some(b'[') => {
                reader.pos += 1;
                reader.skip_space();
                if reader.peek() == Some(b']') {
                    reader.pos += 1;
                } else {
                    let base = pointer.len();
                    pointer.push_str("/0");
                    stack.push(Container::Array {
                        next: 1,
                        element_base: Some(base),
                    });
                    continue;
                }
            }
            Some(b'"') => match reader.string() {
                Some(text) => visit(&JsonItem {
                    pointer: &pointer,
                    is_key: false,
                    text,
                }),
                None => return false,
            },
            Some(_) => match reader.literal() {
                Some(text) => visit(&JsonItem {
                    pointer: &pointer,
                    is_key: false,
                    text: text.to_vec(),
                }),
                None => return false,
            },
            None => return false,
        }
        // A value ended: continue its container.
        loop {
            match stack.last_mut() {
                None => {
                    reader.skip_space();
                    return reader.pos == input.len();
                }
                Some(Container::Array { next, element_base }) => {
                    if let Some(base) = element_base.take() {
                        pointer.truncate(base);
                    }
                    reader.skip_space();
                    match reader.peek() {
                        Some(b',') => {
                            reader.pos += 1;
                            let base = pointer.len();
                            pointer.push('/');
                            pointer.push_str(&next.to_string());
                            *next += 1;
                            *element_base = Some(base);
                            break;
                        }
                        Some(b']') => {
                            reader.pos += 1;
                            stack.pop();
                        }
                        _ => return false,
                    }
                }
                Some(Container::Object { member_base }) => {
                    if let Some(base) = member_base.take() {
                        pointer.truncate(base);
                    }
                    reader.skip_space();
                    match reader.peek() {
                        Some(b',') => {
                            reader.pos += 1;
                            if !object_member(&mut reader, &mut pointer, &mut stack, &mut visit) {
                                return false;
                            }
                            break;
                        }
                        Some(b'}') => {
                            reader.pos += 1;
                            stack.pop();
                        }
                        _ => return false,
                    }
                }
            }
        }
    }
}

/// Reads `"key":`, pushing the key's segment onto the pointer.
fn object_member(
    reader: &mut Reader,
    pointer: &mut String,
    stack: &mut [Container],
    visit: &mut impl FnMut(&JsonItem),
) -> bool {
    reader.skip_space();
    if reader.peek() != Some(b'"') {
        return false;
    }
    let Some(key) = reader.string() else {
        return false;
    };
    let base = pointer.len();
    pointer.push('/');
    for c in String::from_utf8_lossy(&key).chars() {
        match c {
            '~' => pointer.push_str("~0"),
            '/' => pointer.push_str("~1"),
            c => pointer.push(c),
        }
    }
    visit(&JsonItem {
        pointer,
        is_key: true,
        text: key,
    });
    reader.skip_space();
    if reader.peek() != Some(b':') {
        return false;
    }
    reader.pos += 1;
    if let Some(Container::Object { member_base }) = stack.last_mut() {
        *member_base = Some(base);
    }
    true
}

struct Reader<'a> {
    input: &'a [u8],
    pos: usize,
}

impl Reader<'_> {
    fn peek(&self) -> Option<u8> {
        self.input.get(self.pos).copied()
    }

    fn skip_space(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.pos += 1;
        }
    }

    /// A string at `"`: its unescaped bytes.
    fn string(&mut self) -> Option<Vec<u8>> {
        self.pos += 1;
        let mut out = Vec::new();
        loop {
            let b = self.peek()?;
            self.pos += 1;
            match b {
                b'"' => return Some(out),
                b'\\' => {
                    let e = self.peek()?;
                    self.pos += 1;
                    match e {
                        b'"' | b'\\' | b'/' => out.push(e),
                        b'b' => out.push(0x08),
                        b'f' => out.push(0x0c),
                        b'n' => out.push(b'\n'),
                        b'r' => out.push(b'\r'),
                        b't' => out.push(b'\t'),
                        b'u' => {
                            let hex = self.input.get(self.pos..self.pos + 4)?;
                            let code =
                                u32::from_str_radix(std::str::from_utf8(hex).ok()?, 16).ok()?;
                            self.pos += 4;
                            let c = char::from_u32(code).unwrap_or('\u{fffd}');
                            let mut buf = [0u8; 4];
                            out.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
                        }
                        _ => return None,
                    }
                }
                0x00..=0x1f => return None,
                _ => out.push(b),
            }
        }
    }

    /// A number, `true`, `false` or `null`.
    fn literal(&mut self) -> Option<&[u8]> {
        let start = self.pos;
        while matches!(
            self.peek(),
            Some(b'0'..=b'9' | b'a'..=b'z' | b'+' | b'-' | b'.' | b'E')
        ) {
            self.pos += 1;
        }
        let text = &self.input[start..self.pos];
        let valid = matches!(text, b"true" | b"false" | b"null")
            || (!text.is_empty()
                && std::str::from_utf8(text).ok()?.parse::<f64>().is_ok()
                && !text.starts_with(b"+")
                && !text.ends_with(b"."));
        valid.then_some(text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn items(input: &str) -> (Vec<String>, bool) {
        let mut seen = Vec::new();
        let valid = walk(input.as_bytes(), |item| {
            seen.push(format!(
                "{}{}={}",
                if item.is_key { "K" } else { "V" },
                item.pointer,
                String::from_utf8_lossy(&item.text)
            ));
        });
        (seen, valid)
    }

    #[test]
    fn keys_and_values_come_with_their_pointers() {
        let (seen, valid) =
            items(r#"{"a": {"b/c": [1, "x\n", {"d": null}]}, "e": true, "f": {}, "g": []}"#);
        assert!(valid);
        assert_eq!(
            seen,
            [
                "K/a=a",
                "K/a/b~1c=b/c",
                "V/a/b~1c/0=1",
                "V/a/b~1c/1=x\n",
                "K/a/b~1c/2/d=d",
                "V/a/b~1c/2/d=null",
                "K/e=e",
                "V/e=true",
                "K/f=f",
                "K/g=g"
            ]
        );
    }

    #[test]
    fn a_scalar_document_is_one_value() {
        assert_eq!(items("\"hi\""), (vec!["V=hi".to_string()], true));
        assert_eq!(items("12.5e3"), (vec!["V=12.5e3".to_string()], true));
    }

    #[test]
    fn malformed_input_reports_what_came_before_the_error() {
        let (seen, valid) = items(r#"{"a": "x", "b": tru"#);
        assert!(!valid);
        assert_eq!(seen, ["K/a=a", "V/a=x", "K/b=b"]);
        assert!(!items(r#"{"a": 1} x"#).1);
        assert!(!items(r#"[1,]"#).1);
        assert!(!items("").1);
    }
}
