//! Text transformations (`TextTransformation.Type`), applied in priority order before a
//! statement inspects a value. Each is written from AWS's description of it.

use std::borrow::Cow;

/// One text transformation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TextTransformation {
    /// `NONE`.
    None,
    /// `COMPRESS_WHITE_SPACE`: whitespace characters become spaces, runs of spaces one space.
    CompressWhiteSpace,
    /// `HTML_ENTITY_DECODE`: named (`&lt;`), decimal (`&#60;`) and hex (`&#x3c;`) entities.
    HtmlEntityDecode,
    /// `LOWERCASE`: A–Z to a–z.
    Lowercase,
    /// `CMD_LINE`: the command-line normalisation (drop `\ " ' ^`, spaces before `/` and `(`,
    /// `,` and `;` to space, compress spaces, lowercase).
    CmdLine,
    /// `URL_DECODE`: `%HH` and `+`.
    UrlDecode,
    /// `BASE64_DECODE`.
    Base64Decode,
    /// `HEX_DECODE`: pairs of hex digits to bytes.
    HexDecode,
    /// `MD5`: the 16-byte MD5 digest.
    Md5,
    /// `REPLACE_COMMENTS`: each C-style comment `/* ... */` (also unterminated) becomes a space.
    ReplaceComments,
    /// `ESCAPE_SEQ_DECODE`: ANSI C escapes (`\n`, `\x41`, `\101`, ...).
    EscapeSeqDecode,
    /// `SQL_HEX_DECODE`: `0x414243` to `ABC`.
    SqlHexDecode,
    /// `CSS_DECODE`: CSS 2.x escapes (`\41`, `\000041 `, `\a` for `a`).
    CssDecode,
    /// `JS_DECODE`: JavaScript escapes (`\x41`, `\u0041`, `\101`, `\n`).
    JsDecode,
    /// `NORMALIZE_PATH`: collapse `//`, `/./` and `/seg/../`.
    NormalizePath,
    /// `NORMALIZE_PATH_WIN`: `\` to `/`, then `NORMALIZE_PATH`.
    NormalizePathWin,
    /// `REMOVE_NULLS`: drop NUL bytes.
    RemoveNulls,
    /// `REPLACE_NULLS`: NUL bytes to spaces.
    ReplaceNulls,
    /// `BASE64_DECODE_EXT`: base64, ignoring characters outside the alphabet.
    Base64DecodeExt,
    /// `URL_DECODE_UNI`: `URL_DECODE` plus Microsoft's `%uHHHH`.
    UrlDecodeUni,
    /// `UTF8_TO_UNICODE`: each multi-byte UTF-8 character to `%uHHHH`.
    Utf8ToUnicode,
}

impl TextTransformation {
    /// Every transformation.
    pub const ALL: &'static [TextTransformation] = {
        use TextTransformation::*;
        &[
            None,
            CompressWhiteSpace,
            HtmlEntityDecode,
            Lowercase,
            CmdLine,
            UrlDecode,
            Base64Decode,
            HexDecode,
            Md5,
            ReplaceComments,
            EscapeSeqDecode,
            SqlHexDecode,
            CssDecode,
            JsDecode,
            NormalizePath,
            NormalizePathWin,
            RemoveNulls,
            ReplaceNulls,
            Base64DecodeExt,
            UrlDecodeUni,
            Utf8ToUnicode,
        ]
    };

    /// The transformation of an API `Type` name.
    pub fn from_name(name: &str) -> Option<TextTransformation> {
        use TextTransformation::*;
        Some(match name {
            "NONE" => None,
            "COMPRESS_WHITE_SPACE" => CompressWhiteSpace,
            "HTML_ENTITY_DECODE" => HtmlEntityDecode,
            "LOWERCASE" => Lowercase,
            "CMD_LINE" => CmdLine,
            "URL_DECODE" => UrlDecode,
            "BASE64_DECODE" => Base64Decode,
            "HEX_DECODE" => HexDecode,
            "MD5" => Md5,
            "REPLACE_COMMENTS" => ReplaceComments,
            "ESCAPE_SEQ_DECODE" => EscapeSeqDecode,
            "SQL_HEX_DECODE" => SqlHexDecode,
            "CSS_DECODE" => CssDecode,
            "JS_DECODE" => JsDecode,
            "NORMALIZE_PATH" => NormalizePath,
            "NORMALIZE_PATH_WIN" => NormalizePathWin,
            "REMOVE_NULLS" => RemoveNulls,
            "REPLACE_NULLS" => ReplaceNulls,
            "BASE64_DECODE_EXT" => Base64DecodeExt,
            "URL_DECODE_UNI" => UrlDecodeUni,
            "UTF8_TO_UNICODE" => Utf8ToUnicode,
            _ => return Option::None,
        })
    }

    /// Applies the transformation.
    pub fn apply(self, input: &[u8]) -> Vec<u8> {
        use TextTransformation::*;
        match self {
            None => input.to_vec(),
            CompressWhiteSpace => compress_white_space(input),
            HtmlEntityDecode => html_entity_decode(input),
            Lowercase => input.to_ascii_lowercase(),
            CmdLine => cmd_line(input),
            UrlDecode => url_decode(input, false),
            Base64Decode => base64_decode(input, false),
            HexDecode => hex_decode(input),
            Md5 => {
                use md5::Digest;
                md5::Md5::digest(input).to_vec()
            }
            ReplaceComments => replace_comments(input),
            EscapeSeqDecode => escape_seq_decode(input),
            SqlHexDecode => sql_hex_decode(input),
            CssDecode => css_decode(input),
            JsDecode => js_decode(input),
            NormalizePath => normalize_path(input),
            NormalizePathWin => {
                let slashes: Vec<u8> = input
                    .iter()
                    .map(|&b| if b == b'\\' { b'/' } else { b })
                    .collect();
                normalize_path(&slashes)
            }
            RemoveNulls => input.iter().copied().filter(|&b| b != 0).collect(),
            ReplaceNulls => input
                .iter()
                .map(|&b| if b == 0 { b' ' } else { b })
                .collect(),
            Base64DecodeExt => base64_decode(input, true),
            UrlDecodeUni => url_decode(input, true),
            Utf8ToUnicode => utf8_to_unicode(input),
        }
    }
}

impl TextTransformation {
    /// Whether applying the transformation could change `input`: most values have nothing to
    /// decode, and skipping those keeps evaluation from copying them.
    fn could_change(self, input: &[u8]) -> bool {
        use memchr::{memchr, memchr2, memchr3, memmem};
        use TextTransformation::*;
        match self {
            None => false,
            Lowercase => input.iter().any(u8::is_ascii_uppercase),
            UrlDecode | UrlDecodeUni => memchr2(b'%', b'+', input).is_some(),
            HtmlEntityDecode => memchr(b'&', input).is_some(),
            CompressWhiteSpace => {
                memchr3(b'\t', b'\n', b'\r', input).is_some()
                    || input.iter().any(|&b| matches!(b, 0x0b | 0x0c | 0xa0))
                    || memmem::find(input, b"  ").is_some()
            }
            ReplaceComments => memmem::find(input, b"/*").is_some(),
            RemoveNulls | ReplaceNulls => memchr(0, input).is_some(),
            EscapeSeqDecode | CssDecode | JsDecode => memchr(b'\\', input).is_some(),
            SqlHexDecode => memchr2(b'x', b'X', input).is_some(),
            NormalizePath => memchr(b'.', input).is_some() || memmem::find(input, b"//").is_some(),
            NormalizePathWin => memchr3(b'\\', b'.', b'/', input).is_some(),
            Utf8ToUnicode => !input.is_ascii(),
            CmdLine | Base64Decode | Base64DecodeExt | HexDecode | Md5 => true,
        }
    }
}

/// Applies transformations in order; borrows the input while nothing changes it.
pub(crate) fn apply_all<'a>(
    transformations: &[TextTransformation],
    input: &'a [u8],
) -> Cow<'a, [u8]> {
    let mut value = Cow::Borrowed(input);
    for t in transformations {
        if t.could_change(&value) {
            value = Cow::Owned(t.apply(&value));
        }
    }
    value
}

fn is_white_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | b'\r' | 0x0b | 0x0c | 0xa0)
}

fn compress_white_space(input: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(input.len());
    let mut in_space = false;
    for &b in input {
        if is_white_space(b) {
            if !in_space {
                out.push(b' ');
            }
            in_space = true;
        } else {
            out.push(b);
            in_space = false;
        }
    }
    out
}

fn hex_value(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

fn push_code_point(out: &mut Vec<u8>, code: u32) {
    match char::from_u32(code) {
        Some(c) => {
            let mut buf = [0u8; 4];
            out.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
        }
        None => out.push(b'?'),
    }
}

fn html_entity_decode(input: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(input.len());
    let mut i = 0;
    while i < input.len() {
        if input[i] == b'&' {
            if let Some((decoded, used)) = html_entity(&input[i + 1..]) {
                match decoded {
                    Entity::Byte(b) => out.push(b),
                    Entity::CodePoint(c) => push_code_point(&mut out, c),
                }
                i += 1 + used;
                continue;
            }
        }
        out.push(input[i]);
        i += 1;
    }
    out
}

enum Entity {
    Byte(u8),
    CodePoint(u32),
}

/// The entity after `&`: its value and the bytes it used (the `;` is optional, as browsers
/// accept numeric entities without it).
fn html_entity(rest: &[u8]) -> Option<(Entity, usize)> {
    if rest.first() == Some(&b'#') {
        let (hex, start) = match rest.get(1) {
            Some(b'x') | Some(b'X') => (true, 2),
            _ => (false, 1),
        };
        let mut end = start;
        let mut code: u32 = 0;
        while end < rest.len() && end - start < 8 {
            let digit = if hex {
                hex_value(rest[end]).map(u32::from)
            } else {
                rest[end]
                    .is_ascii_digit()
                    .then(|| u32::from(rest[end] - b'0'))
            };
            match digit {
                Some(d) => code = code * if hex { 16 } else { 10 } + d,
                None => break,
            }
            end += 1;
        }
        if end == start {
            return None;
        }
        let used = if rest.get(end) == Some(&b';') {
            end + 1
        } else {
            end
        };
        return Some((Entity::CodePoint(code), used));
    }
    const NAMED: &[(&[u8], u8)] = &[
        (b"quot;", b'"'),
        (b"amp;", b'&'),
        (b"lt;", b'<'),
        (b"gt;", b'>'),
        (b"apos;", b'\''),
        (b"nbsp;", 0xa0),
        (b"colon;", b':'),
        (b"sol;", b'/'),
        (b"lpar;", b'('),
        (b"rpar;", b')'),
        (b"tab;", b'\t'),
        (b"newline;", b'\n'),
        (b"grave;", b'`'),
        (b"equals;", b'='),
    ];
    for (name, value) in NAMED {
        if rest.len() >= name.len() && rest[..name.len()].eq_ignore_ascii_case(name) {
            return Some((Entity::Byte(*value), name.len()));
        }
    }
    None
}

fn cmd_line(input: &[u8]) -> Vec<u8> {
    let mut out: Vec<u8> = Vec::with_capacity(input.len());
    for &b in input {
        match b {
            b'\\' | b'"' | b'\'' | b'^' => {}
            b'/' | b'(' => {
                while out.last() == Some(&b' ') {
                    out.pop();
                }
                out.push(b);
            }
            b',' | b';' | b' ' | b'\t' | b'\n' | b'\r' | 0x0b | 0x0c => {
                if out.last() != Some(&b' ') {
                    out.push(b' ');
                }
            }
            _ => out.push(b.to_ascii_lowercase()),
        }
    }
    out
}

pub(crate) fn url_decode(input: &[u8], unicode: bool) -> Vec<u8> {
    let mut out = Vec::with_capacity(input.len());
    let mut i = 0;
    while i < input.len() {
        match input[i] {
            b'%' => {
                if unicode
                    && matches!(input.get(i + 1), Some(b'u') | Some(b'U'))
                    && input.len() >= i + 6
                {
                    let digits = &input[i + 2..i + 6];
                    if digits.iter().all(|b| hex_value(*b).is_some()) {
                        let code = digits.iter().fold(0u32, |acc, b| {
                            acc * 16 + u32::from(hex_value(*b).unwrap_or(0))
                        });
                        out.push(best_fit(code));
                        i += 6;
                        continue;
                    }
                }
                match (
                    input.get(i + 1).and_then(|b| hex_value(*b)),
                    input.get(i + 2).and_then(|b| hex_value(*b)),
                ) {
                    (Some(h), Some(l)) => {
                        out.push(h * 16 + l);
                        i += 3;
                    }
                    _ => {
                        out.push(b'%');
                        i += 1;
                    }
                }
            }
            b'+' => {
                out.push(b' ');
                i += 1;
            }
            b => {
                out.push(b);
                i += 1;
            }
        }
    }
    out
}

/// The ASCII character a `%uHHHH` code point reads as where it matters: full-width ASCII
/// (U+FF01..U+FF5E) and the look-alike slashes and dots that Windows' best-fit mapping turns
/// into `/`, `\` and `.`; otherwise the low byte, as IIS decodes it.
fn best_fit(code: u32) -> u8 {
    match code {
        0xff01..=0xff5e => (code - 0xff00 + 0x20) as u8,
        0x2215 | 0x2044 => b'/',
        0x2216 | 0xfe68 => b'\\',
        0x2024 | 0xfe52 => b'.',
        _ => (code & 0xff) as u8,
    }
}

fn base64_value(b: u8) -> Option<u8> {
    match b {
        b'A'..=b'Z' => Some(b - b'A'),
        b'a'..=b'z' => Some(b - b'a' + 26),
        b'0'..=b'9' => Some(b - b'0' + 52),
        b'+' | b'-' => Some(62),
        b'/' | b'_' => Some(63),
        _ => None,
    }
}

/// Base64 (standard or URL-safe alphabet). Strict mode stops at the first character outside
/// the alphabet (padding ends the text); the extended mode skips such characters.
pub(crate) fn base64_decode(input: &[u8], skip_invalid: bool) -> Vec<u8> {
    let mut out = Vec::with_capacity(input.len() * 3 / 4);
    let mut bits: u32 = 0;
    let mut count = 0;
    for &b in input {
        let Some(v) = base64_value(b) else {
            if skip_invalid && b != b'=' {
                continue;
            }
            break;
        };
        bits = bits << 6 | u32::from(v);
        count += 1;
        if count == 4 {
            out.extend_from_slice(&[(bits >> 16) as u8, (bits >> 8) as u8, bits as u8]);
            bits = 0;
            count = 0;
        }
    }
    match count {
        2 => out.push((bits >> 4) as u8),
        3 => out.extend_from_slice(&[(bits >> 10) as u8, (bits >> 2) as u8]),
        _ => {}
    }
    out
}

fn hex_decode(input: &[u8]) -> Vec<u8> {
    input
        .chunks(2)
        .map_while(|pair| match pair {
            [h, l] => Some(hex_value(*h)? * 16 + hex_value(*l)?),
            _ => None,
        })
        .collect()
}

fn replace_comments(input: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(input.len());
    let mut i = 0;
    while i < input.len() {
        if input[i] == b'/' && input.get(i + 1) == Some(&b'*') {
            let end = input[i + 2..].windows(2).position(|w| w == b"*/");
            out.push(b' ');
            match end {
                Some(e) => i += 2 + e + 2,
                None => break,
            }
        } else {
            out.push(input[i]);
            i += 1;
        }
    }
    out
}

fn simple_escape(b: u8) -> Option<u8> {
    Some(match b {
        b'a' => 0x07,
        b'b' => 0x08,
        b'f' => 0x0c,
        b'n' => b'\n',
        b'r' => b'\r',
        b't' => b'\t',
        b'v' => 0x0b,
        b'\\' => b'\\',
        b'?' => b'?',
        b'\'' => b'\'',
        b'"' => b'"',
        _ => return None,
    })
}

/// Up to `max` hex digits from `rest`: (value, digits used).
fn hex_run(rest: &[u8], max: usize) -> (u32, usize) {
    let mut value = 0u32;
    let mut used = 0;
    while used < max && used < rest.len() {
        match hex_value(rest[used]) {
            Some(d) => value = value * 16 + u32::from(d),
            None => break,
        }
        used += 1;
    }
    (value, used)
}

/// Up to three octal digits from `rest`.
fn octal_run(rest: &[u8]) -> (u32, usize) {
    let mut value = 0u32;
    let mut used = 0;
    while used < 3 && used < rest.len() && (b'0'..=b'7').contains(&rest[used]) {
        value = value * 8 + u32::from(rest[used] - b'0');
        used += 1;
    }
    (value, used)
}

fn escape_seq_decode(input: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(input.len());
    let mut i = 0;
    while i < input.len() {
        if input[i] == b'\\' && i + 1 < input.len() {
            let next = input[i + 1];
            if let Some(b) = simple_escape(next) {
                out.push(b);
                i += 2;
                continue;
            }
            if next == b'x' || next == b'X' {
                let (value, used) = hex_run(&input[i + 2..], 2);
                if used == 2 {
                    out.push(value as u8);
                    i += 4;
                    continue;
                }
            }
            let (value, used) = octal_run(&input[i + 1..]);
            if used > 0 {
                out.push(value as u8);
                i += 1 + used;
                continue;
            }
        }
        out.push(input[i]);
        i += 1;
    }
    out
}

fn sql_hex_decode(input: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(input.len());
    let mut i = 0;
    while i < input.len() {
        if input[i] == b'0' && matches!(input.get(i + 1), Some(b'x') | Some(b'X')) {
            let digits = input[i + 2..]
                .iter()
                .take_while(|b| hex_value(**b).is_some())
                .count();
            if digits >= 2 {
                out.extend(hex_decode(&input[i + 2..i + 2 + digits - digits % 2]));
                i += 2 + digits - digits % 2;
                continue;
            }
        }
        out.push(input[i]);
        i += 1;
    }
    out
}

fn css_decode(input: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(input.len());
    let mut i = 0;
    while i < input.len() {
        if input[i] == b'\\' && i + 1 < input.len() {
            let (value, used) = hex_run(&input[i + 1..], 6);
            if used > 0 {
                // Only the low byte is kept, with full-width ASCII folded to ASCII.
                let byte = if (0xff01..=0xff5e).contains(&value) {
                    (value - 0xff00 + 0x20) as u8
                } else {
                    (value & 0xff) as u8
                };
                out.push(byte);
                i += 1 + used;
                if i < input.len() && is_white_space(input[i]) {
                    i += 1;
                }
                continue;
            }
            if input[i + 1] == b'\n' {
                i += 2;
                continue;
            }
            out.push(input[i + 1]);
            i += 2;
            continue;
        }
        out.push(input[i]);
        i += 1;
    }
    out
}

fn js_decode(input: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(input.len());
    let mut i = 0;
    while i < input.len() {
        if input[i] == b'\\' && i + 1 < input.len() {
            let next = input[i + 1];
            if next == b'u' {
                let (value, used) = hex_run(&input[i + 2..], 4);
                if used == 4 {
                    let byte = if (0xff01..=0xff5e).contains(&value) {
                        (value - 0xff00 + 0x20) as u8
                    } else {
                        (value & 0xff) as u8
                    };
                    out.push(byte);
                    i += 6;
                    continue;
                }
            }
            if next == b'x' {
                let (value, used) = hex_run(&input[i + 2..], 2);
                if used == 2 {
                    out.push(value as u8);
                    i += 4;
                    continue;
                }
            }
            let (value, used) = octal_run(&input[i + 1..]);
            if used > 0 {
                out.push(value as u8);
                i += 1 + used;
                continue;
            }
            out.push(simple_escape(next).unwrap_or(next));
            i += 2;
            continue;
        }
        out.push(input[i]);
        i += 1;
    }
    out
}

fn normalize_path(input: &[u8]) -> Vec<u8> {
    let absolute = input.first() == Some(&b'/');
    let trailing = input.len() > 1 && input.last() == Some(&b'/');
    let mut segments: Vec<&[u8]> = Vec::new();
    for segment in input.split(|&b| b == b'/') {
        match segment {
            b"" | b"." => {}
            b".." => {
                if segments.last().is_some_and(|s| *s != b"..") {
                    segments.pop();
                } else if !absolute {
                    segments.push(segment);
                }
            }
            _ => segments.push(segment),
        }
    }
    let mut out = Vec::with_capacity(input.len());
    if absolute {
        out.push(b'/');
    }
    out.extend(segments.join(&b'/'));
    if trailing && out.last() != Some(&b'/') {
        out.push(b'/');
    }
    out
}

fn utf8_to_unicode(input: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(input.len());
    for chunk in input.utf8_chunks() {
        for c in chunk.valid().chars() {
            if c.is_ascii() {
                out.push(c as u8);
            } else {
                out.extend(format!("%u{:04x}", u32::from(c) & 0xffff).bytes());
            }
        }
        out.extend_from_slice(chunk.invalid());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::TextTransformation::*;
    use super::*;

    fn t(transformation: TextTransformation, input: &str) -> String {
        String::from_utf8_lossy(&transformation.apply(input.as_bytes())).into_owned()
    }

    #[test]
    fn every_transformation_name_parses() {
        for name in [
            "NONE",
            "COMPRESS_WHITE_SPACE",
            "HTML_ENTITY_DECODE",
            "LOWERCASE",
            "CMD_LINE",
            "URL_DECODE",
            "BASE64_DECODE",
            "HEX_DECODE",
            "MD5",
            "REPLACE_COMMENTS",
            "ESCAPE_SEQ_DECODE",
            "SQL_HEX_DECODE",
            "CSS_DECODE",
            "JS_DECODE",
            "NORMALIZE_PATH",
            "NORMALIZE_PATH_WIN",
            "REMOVE_NULLS",
            "REPLACE_NULLS",
            "BASE64_DECODE_EXT",
            "URL_DECODE_UNI",
            "UTF8_TO_UNICODE",
        ] {
            assert!(TextTransformation::from_name(name).is_some(), "{name}");
        }
        assert!(TextTransformation::from_name("lowercase").is_none());
    }

    #[test]
    fn compress_white_space_makes_one_space_of_each_run() {
        assert_eq!(t(CompressWhiteSpace, "a \t\r\n b\x0bc"), "a b c");
    }

    #[test]
    fn html_entity_decode_reads_named_decimal_and_hex_entities() {
        assert_eq!(
            t(
                HtmlEntityDecode,
                "&lt;script&gt;&#97;&#x6C;&#X65;rt&quot;&amp;x"
            ),
            "<script>alert\"&x"
        );
        assert_eq!(t(HtmlEntityDecode, "&#60script"), "<script");
        assert_eq!(t(HtmlEntityDecode, "a & b &bogus;"), "a & b &bogus;");
    }

    #[test]
    fn lowercase_folds_ascii_only() {
        assert_eq!(t(Lowercase, "SeLeCT Ä"), "select Ä");
    }

    #[test]
    fn cmd_line_normalises_shell_evasions() {
        assert_eq!(
            t(CmdLine, "C^M\"D /C  'W'hoami,x;Y (z"),
            "cmd/c whoami x y(z"
        );
    }

    #[test]
    fn url_decode_reads_percent_escapes_and_plus() {
        assert_eq!(t(UrlDecode, "a%20b+c%3d%zz%4"), "a b c=%zz%4");
        assert_eq!(t(UrlDecodeUni, "%u003cscript%uff1e"), "<script>");
        assert_eq!(t(UrlDecodeUni, "..%u2215..%u2216%uff0e"), "../..\\.");
    }

    #[test]
    fn base64_decodes_strict_and_extended() {
        assert_eq!(t(Base64Decode, "PHNjcmlwdD4="), "<script>");
        assert_eq!(t(Base64Decode, "PHNj.cmlwdD4="), "<sc");
        assert_eq!(t(Base64DecodeExt, "PHNj.cmlw*dD4="), "<script>");
    }

    #[test]
    fn hex_decode_reads_pairs() {
        assert_eq!(t(HexDecode, "414243"), "ABC");
    }

    #[test]
    fn md5_is_the_digest() {
        let digest = Md5.apply(b"abc");
        let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
        assert_eq!(hex, "900150983cd24fb0d6963f7d28e17f72");
    }

    #[test]
    fn replace_comments_spaces_out_c_comments() {
        assert_eq!(
            t(ReplaceComments, "UNION/**/SELECT/*x*/1 /* open"),
            "UNION SELECT 1  "
        );
        assert_eq!(t(ReplaceComments, "a */ b"), "a */ b");
    }

    #[test]
    fn escape_seq_decode_reads_ansi_c_escapes() {
        assert_eq!(t(EscapeSeqDecode, r"a\nb\x41\101\q"), "a\nbAA\\q");
    }

    #[test]
    fn sql_hex_decode_reads_hex_literals() {
        assert_eq!(t(SqlHexDecode, "SELECT 0x61646d696e"), "SELECT admin");
    }

    #[test]
    fn css_decode_reads_css_escapes() {
        assert_eq!(
            t(CssDecode, r"\6a\61vascript \000041 x\:"),
            "javascript Ax:"
        );
    }

    #[test]
    fn js_decode_reads_javascript_escapes() {
        assert_eq!(t(JsDecode, r"\u0061\x6c\145rt\(1\)"), "alert(1)");
    }

    #[test]
    fn normalize_path_removes_dot_segments_and_double_slashes() {
        assert_eq!(t(NormalizePath, "/a//b/./c/../d/"), "/a/b/d/");
        assert_eq!(t(NormalizePath, "/../../etc/passwd"), "/etc/passwd");
        assert_eq!(t(NormalizePath, "../../etc/passwd"), "../../etc/passwd");
        assert_eq!(
            t(NormalizePathWin, r"\a\..\windows\win.ini"),
            "/windows/win.ini"
        );
    }

    #[test]
    fn nulls_are_removed_or_replaced() {
        assert_eq!(t(RemoveNulls, "a\0b"), "ab");
        assert_eq!(t(ReplaceNulls, "a\0b"), "a b");
    }

    #[test]
    fn utf8_to_unicode_writes_percent_u() {
        assert_eq!(t(Utf8ToUnicode, "a\u{00e9}"), "a%u00e9");
    }

    #[test]
    fn skipping_a_transformation_never_changes_its_result() {
        let samples: &[&[u8]] = &[
            b"plain text",
            b"a%20b",
            b"A&amp;B",
            b"/a/./b//c/../d",
            b"x\0y",
            b"\\x41",
            b"0x41",
            b"caf\xc3\xa9",
            b"a  b\tc",
            b"/*c*/",
            b"..",
            b"a+b",
        ];
        for t in [
            CompressWhiteSpace,
            HtmlEntityDecode,
            Lowercase,
            UrlDecode,
            UrlDecodeUni,
            ReplaceComments,
            RemoveNulls,
            ReplaceNulls,
            EscapeSeqDecode,
            CssDecode,
            JsDecode,
            SqlHexDecode,
            NormalizePath,
            NormalizePathWin,
            Utf8ToUnicode,
        ] {
            for sample in samples {
                if !t.could_change(sample) {
                    assert_eq!(t.apply(sample), sample.to_vec(), "{t:?} {sample:?}");
                }
            }
        }
    }

    #[test]
    fn transformations_apply_in_order() {
        let value = apply_all(&[UrlDecode, HtmlEntityDecode, Lowercase], b"%26lt%3BSCRIPT");
        assert_eq!(&*value, b"<script");
    }
}
