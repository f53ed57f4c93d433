//! SQL injection detection (`SqliMatchStatement`).
//!
//! An injected value only attacks when it changes the grammar of the query it is pasted
//! into. The value is read as SQL tokens three times, as the three places a value lands in a
//! query: as bare code (a number, `... WHERE id=<value>`), and inside a single- or a
//! double-quoted string literal (`... WHERE name='<value>'`). In the string contexts, only what
//! follows the first quote that closes the literal is code. The token stream is then judged by
//! the shapes an injection takes from there:
//!
//! - a condition added to the query: `' OR '1'='1`, `1 AND SLEEP(5)`, `') OR ('a'='a`;
//! - the rest of the query cut off: `admin'--`, `x'#`;
//! - a second query: `UNION [ALL] SELECT`, `; DROP TABLE`, `; EXEC xp_cmdshell`;
//! - a clause appended: `' ORDER BY 3--`, `1 GROUP BY 1 HAVING 1=1`;
//! - an expression spliced in: `'+SLEEP(5)+'`, `'||(SELECT ...)||'`, `'='`;
//! - a whole statement as the value: `SELECT password FROM users`, `DROP TABLE t`.
//!
//! A statement is recognised by its grammar (`SELECT <columns> FROM <table>`), not by its
//! words: prose such as "the union made a select committee" or "select your size from the list" has the
//! words without the grammar. MySQL's executable comments (`/*!50000UNION*/`), comments as
//! whitespace and keywords glued to numbers (`1UNION`) are read as MySQL reads them.
//!
//! HIGH sensitivity adds weaker signs: a number cut off by a comment (`1--`), a tautology
//! anywhere in the value (`name or 1=1`) and calls of functions attackers use (`sleep(`,
//! `benchmark(`, `extractvalue(`).

/// Whether `input` carries SQL injection.
pub fn is_sqli(input: &[u8], high_sensitivity: bool) -> bool {
    // Only a quote, a keyword or an operator can change a query; plain words and numbers
    // cannot, so most values are cleared without tokenizing.
    if !input.iter().any(|b| {
        matches!(
            b,
            b'\''
                | b'"'
                | b';'
                | b'='
                | b'<'
                | b'>'
                | b'('
                | b')'
                | b'#'
                | b'-'
                | b'/'
                | b'|'
                | b'&'
                | b'@'
                | b'`'
        )
    }) && !has_keyword_hint(input)
    {
        return false;
    }
    let bare = tokenize(input, None);
    if judge_code(&bare, high_sensitivity) {
        return true;
    }
    for quote in [b'\'', b'"'] {
        if input.contains(&quote) {
            let tokens = tokenize(input, Some(quote));
            if judge_after_string(&tokens, high_sensitivity) {
                return true;
            }
        }
    }
    false
}

fn has_keyword_hint(input: &[u8]) -> bool {
    let lower = input.to_ascii_lowercase();
    [
        "union", "select", "drop", "insert", "delete", "update", "exec", "sleep", " or ", " and ",
        "order", "group", "having", "where",
    ]
    .iter()
    .any(|k| memchr::memmem::find(&lower, k.as_bytes()).is_some())
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Token {
    /// A string literal; `closed` when its closing quote is in the input.
    Str {
        closed: bool,
    },
    Number,
    /// `@name` or `@@name`.
    Variable,
    /// AND, OR, XOR, `&&`, `||`.
    Logical,
    /// NOT or `!`.
    Not,
    /// A comparison: `=`, `<`, `>`, `<=`, `>=`, `<>`, `!=`, `<=>`, LIKE, RLIKE, REGEXP, IS, IN,
    /// BETWEEN, SOUNDS.
    Comparison,
    /// Arithmetic and bitwise operators.
    Operator,
    /// A SQL keyword, lowercase.
    Keyword(&'static str),
    /// NULL, TRUE, FALSE.
    Literal,
    /// A call of a function attackers use: the name is followed by `(`.
    SqlFunction,
    /// Another name followed by `(`.
    OtherFunction,
    /// A name: identifier, backquoted identifier, or unknown word.
    Word,
    /// A function SQL calls without parentheses: CURRENT_USER, SESSION_USER, ...
    Niladic,
    OpenParen,
    CloseParen,
    Comma,
    Semicolon,
    Dot,
    Star,
    /// `--`, `#` or `/* */`.
    Comment,
    /// Anything else (punctuation SQL does not use here, non-ASCII text).
    Other,
}

const KEYWORDS: &[&str] = &[
    "select",
    "union",
    "insert",
    "update",
    "delete",
    "drop",
    "create",
    "alter",
    "truncate",
    "exec",
    "execute",
    "declare",
    "shutdown",
    "waitfor",
    "grant",
    "revoke",
    "from",
    "where",
    "into",
    "values",
    "set",
    "table",
    "database",
    "schema",
    "view",
    "procedure",
    "function",
    "index",
    "user",
    "trigger",
    "to",
    "order",
    "group",
    "by",
    "having",
    "limit",
    "offset",
    "procedure",
    "all",
    "distinct",
    "as",
    "join",
    "on",
    "case",
    "when",
    "then",
    "else",
    "end",
    "top",
    "delay",
    "time",
    "outfile",
    "dumpfile",
    "analyse",
    "with",
    "asc",
    "desc",
    "collate",
    "div",
    "mod",
    "escape",
];

const SQL_FUNCTIONS: &[&str] = &[
    "sleep",
    "benchmark",
    "pg_sleep",
    "extractvalue",
    "updatexml",
    "concat",
    "concat_ws",
    "group_concat",
    "char",
    "chr",
    "ascii",
    "substring",
    "substr",
    "mid",
    "version",
    "user",
    "database",
    "schema",
    "current_user",
    "system_user",
    "session_user",
    "load_file",
    "hex",
    "unhex",
    "cast",
    "convert",
    "count",
    "length",
    "len",
    "if",
    "iif",
    "ifnull",
    "isnull",
    "coalesce",
    "md5",
    "sha1",
    "floor",
    "rand",
    "exp",
    "name_const",
    "elt",
    "make_set",
    "randomblob",
    "sqlite_version",
    "ord",
    "bin",
    "xp_cmdshell",
    "utl_inaddr",
    "dbms_pipe",
    "get_host_address",
    "receive_message",
    "json_keys",
    "gtid_subset",
    "polygon",
    "multipoint",
    "geometrycollection",
    "exp",
    "db_name",
    "user_name",
    "host_name",
    "suser_name",
    "is_srvrolemember",
    "openrowset",
    "opendatasource",
    "waitfor",
    "row_count",
    "found_rows",
    "last_insert_id",
    "quote",
    "lower",
    "upper",
    "reverse",
    "replace",
    "left",
    "right",
    "instr",
    "locate",
    "position",
    "strcmp",
    "nullif",
    "sum",
    "min",
    "max",
    "current_setting",
    "current_database",
    "lpad",
    "rpad",
    "generate_series",
    "pg_read_file",
    "pg_ls_dir",
    "to_char",
    "xmltype",
    "dbms_xmlgen",
    "sys_context",
    "exists",
];

const NILADIC: &[&str] = &[
    "current_user",
    "session_user",
    "system_user",
    "current_database",
    "current_schema",
    "current_role",
    "current_timestamp",
    "localtimestamp",
    "current_path",
];

/// Tokenizes `input`. With `quote`, the input starts inside a string literal opened by that
/// quote: the first token is that literal (closed or not).
fn tokenize(input: &[u8], quote: Option<u8>) -> Vec<Token> {
    let mut tokens = Vec::new();
    let mut i = 0;
    if let Some(q) = quote {
        let (end, closed) = string_end(input, 0, q);
        tokens.push(Token::Str { closed });
        if !closed {
            return tokens;
        }
        i = end;
    }
    let n = input.len();
    while i < n {
        let b = input[i];
        match b {
            _ if b.is_ascii_whitespace()
                || b < 0x20
                || b == 0xa0
                || b == b'+' && is_space_plus(input, i) =>
            {
                i += 1
            }
            b'\'' | b'"' => {
                let (end, closed) = string_end(input, i + 1, b);
                tokens.push(Token::Str { closed });
                i = end;
            }
            b'`' => {
                i = input[i + 1..]
                    .iter()
                    .position(|&c| c == b'`')
                    .map_or(n, |p| i + 1 + p + 1);
                tokens.push(Token::Word);
            }
            b'/' if input.get(i + 1) == Some(&b'*') => {
                if input.get(i + 2) == Some(&b'!') {
                    // MySQL runs the inside of `/*! ... */` (after an optional version number).
                    i += 3;
                    while i < n && input[i].is_ascii_digit() {
                        i += 1;
                    }
                } else {
                    i = memchr::memmem::find(&input[i + 2..], b"*/").map_or(n, |p| i + 2 + p + 2);
                    tokens.push(Token::Comment);
                }
            }
            b'*' if input.get(i + 1) == Some(&b'/') => i += 2,
            b'-' if input.get(i + 1) == Some(&b'-') => {
                i = input[i..]
                    .iter()
                    .position(|&c| c == b'\n')
                    .map_or(n, |p| i + p + 1);
                tokens.push(Token::Comment);
            }
            b'#' => {
                i = input[i..]
                    .iter()
                    .position(|&c| c == b'\n')
                    .map_or(n, |p| i + p + 1);
                tokens.push(Token::Comment);
            }
            b'0'..=b'9' => i = number_or_word(input, i, &mut tokens),
            b'.' if input.get(i + 1).is_some_and(u8::is_ascii_digit) => {
                i = number_or_word(input, i, &mut tokens)
            }
            b'@' => {
                i += 1;
                while i < n
                    && (input[i] == b'@'
                        || input[i].is_ascii_alphanumeric()
                        || input[i] == b'_'
                        || input[i] == b'.'
                        || input[i] == b'$')
                {
                    i += 1;
                }
                tokens.push(Token::Variable);
            }
            b'a'..=b'z' | b'A'..=b'Z' | b'_' | b'$' => {
                let start = i;
                while i < n
                    && (input[i].is_ascii_alphanumeric() || input[i] == b'_' || input[i] == b'$')
                {
                    i += 1;
                }
                let word = input[start..i].to_ascii_lowercase();
                tokens.push(classify_word(&word, next_is_paren(input, i)));
            }
            b'(' => {
                tokens.push(Token::OpenParen);
                i += 1;
            }
            b')' => {
                tokens.push(Token::CloseParen);
                i += 1;
            }
            b',' => {
                tokens.push(Token::Comma);
                i += 1;
            }
            b';' => {
                tokens.push(Token::Semicolon);
                i += 1;
            }
            b'.' => {
                tokens.push(Token::Dot);
                i += 1;
            }
            b'*' => {
                tokens.push(Token::Star);
                i += 1;
            }
            b'=' | b'<' | b'>' | b'!' => {
                let start = i;
                while i < n && matches!(input[i], b'=' | b'<' | b'>' | b'!') && i - start < 3 {
                    i += 1;
                }
                tokens.push(if &input[start..i] == b"!" {
                    Token::Not
                } else {
                    Token::Comparison
                });
            }
            b'|' | b'&' => {
                if input.get(i + 1) == Some(&b) {
                    tokens.push(Token::Logical);
                    i += 2;
                } else {
                    tokens.push(Token::Operator);
                    i += 1;
                }
            }
            b'+' | b'-' | b'/' | b'%' | b'^' | b'~' => {
                tokens.push(Token::Operator);
                i += 1;
            }
            b':' if input.get(i + 1) == Some(&b':') => {
                tokens.push(Token::Operator);
                i += 2;
            }
            _ => {
                tokens.push(Token::Other);
                i += 1;
            }
        }
    }
    tokens
}

/// A `+` that stands for a space (form encoding) rather than addition: between a word and a
/// word, as in `union+select`.
fn is_space_plus(input: &[u8], i: usize) -> bool {
    let before = i.checked_sub(1).map(|p| input[p]);
    let after = input.get(i + 1).copied();
    matches!(before, Some(c) if c.is_ascii_alphabetic())
        && matches!(after, Some(c) if c.is_ascii_alphabetic())
}

/// The end of a string literal starting at `start` (after its opening quote): the index after
/// the closing quote, and whether there was one. Doubled quotes and backslash escapes stay
/// inside.
fn string_end(input: &[u8], start: usize, quote: u8) -> (usize, bool) {
    let mut i = start;
    while i < input.len() {
        match input[i] {
            b'\\' => i += 2,
            c if c == quote => {
                if input.get(i + 1) == Some(&quote) {
                    i += 2;
                } else {
                    return (i + 1, true);
                }
            }
            _ => i += 1,
        }
    }
    (input.len(), false)
}

fn next_is_paren(input: &[u8], mut i: usize) -> bool {
    while i < input.len() && input[i].is_ascii_whitespace() {
        i += 1;
    }
    input.get(i) == Some(&b'(')
}

/// A number, or a word that starts with digits (`1st`), or a number glued to a keyword
/// (`1union`), which MySQL reads as two tokens.
fn number_or_word(input: &[u8], mut i: usize, tokens: &mut Vec<Token>) -> usize {
    let n = input.len();
    if input[i] == b'0'
        && matches!(input.get(i + 1), Some(b'x') | Some(b'X'))
        && input.get(i + 2).is_some_and(u8::is_ascii_hexdigit)
    {
        i += 2;
        while i < n && input[i].is_ascii_hexdigit() {
            i += 1;
        }
    } else {
        while i < n && (input[i].is_ascii_digit() || input[i] == b'.') {
            i += 1;
        }
        if i < n
            && (input[i] == b'e' || input[i] == b'E')
            && input
                .get(i + 1)
                .is_some_and(|c| c.is_ascii_digit() || *c == b'-' || *c == b'+')
        {
            i += 2;
            while i < n && input[i].is_ascii_digit() {
                i += 1;
            }
        }
    }
    if i < n && (input[i].is_ascii_alphabetic() || input[i] == b'_') {
        let start = i;
        let mut end = i;
        while end < n && (input[end].is_ascii_alphanumeric() || input[end] == b'_') {
            end += 1;
        }
        let word = input[start..end].to_ascii_lowercase();
        if matches!(
            classify_word(&word, false),
            Token::Keyword(_) | Token::Logical
        ) {
            tokens.push(Token::Number);
            return i;
        }
        tokens.push(Token::Word);
        return end;
    }
    tokens.push(Token::Number);
    i
}

fn classify_word(word: &[u8], called: bool) -> Token {
    let Ok(word) = std::str::from_utf8(word) else {
        return Token::Word;
    };
    match word {
        "and" | "or" | "xor" => return Token::Logical,
        "not" => return Token::Not,
        "like" | "rlike" | "regexp" | "is" | "in" | "between" | "sounds" | "glob" => {
            return Token::Comparison
        }
        "null" | "true" | "false" => return Token::Literal,
        "div" | "mod" => return Token::Operator,
        _ => {}
    }
    if called && SQL_FUNCTIONS.contains(&word) {
        return Token::SqlFunction;
    }
    if NILADIC.contains(&word) {
        return Token::Niladic;
    }
    let keyword = KEYWORDS.iter().find(|k| **k == word);
    if called {
        // `UNION(SELECT ...)`, `SELECT(1)`: a keyword stays one before a parenthesis.
        if let Some(k) = keyword {
            return Token::Keyword(k);
        }
        return Token::OtherFunction;
    }
    match keyword {
        Some(k) => Token::Keyword(k),
        None => Token::Word,
    }
}

/// Tokens without comments (they separate tokens like whitespace), with the index of each in
/// the original stream.
fn significant(tokens: &[Token]) -> Vec<&Token> {
    tokens.iter().filter(|t| **t != Token::Comment).collect()
}

/// The value read as bare code (`... WHERE id=<value>`).
fn judge_code(tokens: &[Token], high: bool) -> bool {
    let sig = significant(tokens);
    if anywhere(&sig) {
        return true;
    }
    // A whole statement as the value, possibly in parentheses.
    let start = sig
        .iter()
        .position(|t| **t != Token::OpenParen)
        .unwrap_or(sig.len());
    if statement_at(&sig, start) {
        return true;
    }
    // A fragment written to follow a value: `AND 1=1--`, `OR 'a'='a'`, `HAVING 1=1`.
    if leading_fragment(&sig) {
        return true;
    }
    // A number, then what breaks out of the numeric context.
    let mut i = 0;
    while matches!(sig.get(i), Some(Token::OpenParen) | Some(Token::Operator)) {
        i += 1;
    }
    if matches!(sig.get(i), Some(Token::Number)) {
        let after = i + 1;
        if continuation(&sig, after) {
            return true;
        }
        if high
            && tokens.iter().skip_while(|t| **t != Token::Number).nth(1) == Some(&Token::Comment)
        {
            return true;
        }
    }
    high && high_signals(&sig)
}

/// A value that starts where an injected fragment continues a query: a condition after
/// AND/OR, or a WHERE/HAVING condition (also after an alias, `AS x WHERE 1=1`). ORDER BY and
/// GROUP BY need a column number here, as "order by phone" is prose.
fn leading_fragment(sig: &[&Token]) -> bool {
    let mut i = 0;
    if sig.first() == Some(&&Token::Keyword("as")) && sig.get(1) == Some(&&Token::Word) {
        i = 2;
    }
    match sig.get(i) {
        Some(Token::Logical) => condition(sig, i + 1),
        Some(Token::Keyword("where")) | Some(Token::Keyword("having")) => condition(sig, i + 1),
        Some(Token::Keyword("order")) | Some(Token::Keyword("group")) => {
            sig.get(i + 1) == Some(&&Token::Keyword("by"))
                && sig.get(i + 2) == Some(&&Token::Number)
        }
        // `RLIKE (SELECT ...)`, `= (SELECT ...)`: a comparison with a subquery.
        Some(Token::Comparison) => {
            sig.get(i + 1) == Some(&&Token::OpenParen)
                && sig.get(i + 2) == Some(&&Token::Keyword("select"))
        }
        _ => false,
    }
}

/// The value read as the inside of a string literal: what follows the literal's end.
fn judge_after_string(tokens: &[Token], high: bool) -> bool {
    if tokens.first() != Some(&Token::Str { closed: true }) {
        return false;
    }
    // `admin'--`: the rest of the query cut off right after the literal.
    let rest = &tokens[1..];
    let first_real = rest.iter().position(|t| *t != Token::CloseParen);
    if let Some(p) = first_real {
        if rest[p] == Token::Comment && (rest[p + 1..].iter().all(|t| *t == Token::Comment) || high)
        {
            return true;
        }
    }
    let sig = significant(rest);
    if anywhere(&sig) {
        return true;
    }
    if continuation(&sig, 0) {
        return true;
    }
    high && high_signals(&sig)
}

/// Shapes that are injection wherever they appear: a UNION query, a stacked statement.
fn anywhere(sig: &[&Token]) -> bool {
    for (i, token) in sig.iter().enumerate() {
        match token {
            Token::Keyword("union") => {
                let mut j = i + 1;
                if matches!(
                    sig.get(j),
                    Some(Token::Keyword("all")) | Some(Token::Keyword("distinct"))
                ) {
                    j += 1;
                }
                while sig.get(j) == Some(&&Token::OpenParen) {
                    j += 1;
                }
                if sig.get(j) == Some(&&Token::Keyword("select")) {
                    return true;
                }
            }
            Token::Semicolon if statement_at(sig, i + 1) => return true,
            _ => {}
        }
    }
    false
}

/// What may follow a value that broke out of its context (a closed literal or a number),
/// starting at `i`: closing parentheses, then a condition, a clause, a second statement or a
/// spliced expression.
fn continuation(sig: &[&Token], mut i: usize) -> bool {
    while sig.get(i) == Some(&&Token::CloseParen) {
        i += 1;
    }
    let Some(token) = sig.get(i) else {
        return false;
    };
    match token {
        Token::Logical => condition(sig, i + 1),
        Token::Semicolon => statement_at(sig, i + 1),
        Token::Keyword("order") | Token::Keyword("group") => {
            sig.get(i + 1) == Some(&&Token::Keyword("by")) && is_operand(sig.get(i + 2))
        }
        Token::Keyword("having") | Token::Keyword("where") => condition(sig, i + 1),
        Token::Keyword("limit") => matches!(sig.get(i + 1), Some(Token::Number)),
        Token::Keyword("into") => matches!(
            sig.get(i + 1),
            Some(Token::Keyword("outfile")) | Some(Token::Keyword("dumpfile"))
        ),
        Token::Keyword("procedure") => matches!(
            sig.get(i + 1),
            Some(Token::Keyword("analyse")) | Some(Token::Word)
        ),
        Token::Keyword("waitfor") => matches!(
            sig.get(i + 1),
            Some(Token::Keyword("delay")) | Some(Token::Keyword("time"))
        ),
        Token::Keyword("union") => true,
        Token::Comparison => comparison_tail(sig, i + 1),
        Token::Operator => spliced(sig, i + 1),
        _ => false,
    }
}

fn is_operand(token: Option<&&Token>) -> bool {
    matches!(
        token,
        Some(Token::Number)
            | Some(Token::Str { .. })
            | Some(Token::Variable)
            | Some(Token::Literal)
            | Some(Token::Word)
            | Some(Token::SqlFunction)
            | Some(Token::OpenParen)
    )
}

/// After a comparison operator: a literal operand, then nothing or something that goes on
/// as SQL (`'='`, `' = 1 --`, `'>'0`).
fn comparison_tail(sig: &[&Token], i: usize) -> bool {
    match sig.get(i) {
        Some(Token::Str { .. })
        | Some(Token::Number)
        | Some(Token::Literal)
        | Some(Token::Variable) => {
            matches!(
                sig.get(i + 1),
                None | Some(Token::Logical) | Some(Token::Semicolon) | Some(Token::CloseParen)
            ) || continuation(sig, i + 1)
        }
        Some(Token::SqlFunction) => true,
        Some(Token::OpenParen) => sig.get(i + 1) == Some(&&Token::Keyword("select")),
        _ => false,
    }
}

/// After an arithmetic or concatenation operator: a subquery or an attacker's function call
/// (`'+SLEEP(5)+'`, `'||(SELECT 1)||'`).
fn spliced(sig: &[&Token], i: usize) -> bool {
    match sig.get(i) {
        Some(Token::SqlFunction) => true,
        Some(Token::OpenParen) => sig.get(i + 1) == Some(&&Token::Keyword("select")),
        _ => false,
    }
}

/// A condition after AND/OR: `1=1`, `'a'='a`, `SLEEP(5)`, `NOT 1`, `(SELECT ...)`, `x LIKE y`,
/// `1` alone at the end. A bare word needs a comparison after it: `or open it` is prose.
fn condition(sig: &[&Token], mut i: usize) -> bool {
    while matches!(sig.get(i), Some(Token::Not) | Some(Token::OpenParen)) {
        if sig.get(i) == Some(&&Token::OpenParen)
            && sig.get(i + 1) == Some(&&Token::Keyword("select"))
        {
            return true;
        }
        i += 1;
    }
    match sig.get(i) {
        Some(Token::SqlFunction) => true,
        Some(Token::Number)
        | Some(Token::Str { .. })
        | Some(Token::Literal)
        | Some(Token::Variable)
        | Some(Token::Niladic) => match sig.get(i + 1) {
            None | Some(Token::Semicolon) | Some(Token::Logical) | Some(Token::CloseParen) => true,
            Some(Token::Comparison) | Some(Token::Operator) => operand_follows(sig, i + 2),
            Some(Token::Keyword(k)) => matches!(
                *k,
                "order" | "group" | "limit" | "union" | "having" | "into" | "procedure"
            ),
            _ => false,
        },
        Some(Token::Word) => {
            // `or username like '%'`, `and t.x=1`.
            let mut j = i + 1;
            while sig.get(j) == Some(&&Token::Dot) && sig.get(j + 1) == Some(&&Token::Word) {
                j += 2;
            }
            matches!(sig.get(j), Some(Token::Comparison)) && operand_follows(sig, j + 1)
        }
        _ => false,
    }
}

fn operand_follows(sig: &[&Token], mut i: usize) -> bool {
    while matches!(
        sig.get(i),
        Some(Token::Not) | Some(Token::Operator) | Some(Token::OpenParen) | Some(Token::Comparison)
    ) {
        i += 1;
    }
    matches!(
        sig.get(i),
        Some(Token::Number)
            | Some(Token::Str { .. })
            | Some(Token::Literal)
            | Some(Token::Variable)
            | Some(Token::SqlFunction)
            | Some(Token::Word)
            | Some(Token::Keyword("select"))
    )
}

/// A SQL statement by its grammar, starting at `i`.
fn statement_at(sig: &[&Token], i: usize) -> bool {
    let at = |k: usize| sig.get(i + k).copied();
    // A table name followed by `(` reads as a call (`users (a)`).
    let word = |t: Option<&Token>| {
        matches!(
            t,
            Some(Token::Word)
                | Some(Token::Keyword(_))
                | Some(Token::OtherFunction)
                | Some(Token::SqlFunction)
        )
    };
    match at(0) {
        Some(Token::Keyword("select")) => select_statement(sig, i + 1),
        Some(Token::Keyword("insert")) => {
            at(1) == Some(&Token::Keyword("into"))
                && word(at(2))
                && matches!(
                    at(3),
                    Some(Token::OpenParen)
                        | Some(Token::Keyword("values"))
                        | Some(Token::Keyword("select"))
                        | Some(Token::Keyword("set"))
                )
        }
        Some(Token::Keyword("update")) => {
            word(at(1)) && at(2) == Some(&Token::Keyword("set")) && word(at(3))
        }
        Some(Token::Keyword("delete")) => at(1) == Some(&Token::Keyword("from")) && word(at(2)),
        Some(Token::Keyword("drop"))
        | Some(Token::Keyword("create"))
        | Some(Token::Keyword("alter")) => {
            matches!(
                at(1),
                Some(Token::Keyword(
                    "table"
                        | "database"
                        | "schema"
                        | "view"
                        | "procedure"
                        | "function"
                        | "index"
                        | "user"
                        | "trigger"
                ))
            ) && word(at(2))
        }
        Some(Token::Keyword("truncate")) => {
            at(1) == Some(&Token::Keyword("table")) || (word(at(1)) && at(2).is_none())
        }
        // `EXEC master..xp_cmdshell 'dir'`, `EXEC('...')`, `EXEC @sql`; "exec summary" is prose.
        Some(Token::Keyword("exec")) | Some(Token::Keyword("execute")) => match at(1) {
            Some(Token::SqlFunction)
            | Some(Token::OpenParen)
            | Some(Token::Variable)
            | Some(Token::Str { .. }) => true,
            Some(Token::Word) | Some(Token::OtherFunction) => matches!(
                at(2),
                Some(Token::Dot)
                    | Some(Token::Str { .. })
                    | Some(Token::Variable)
                    | Some(Token::Number)
                    | Some(Token::OpenParen)
            ),
            _ => false,
        },
        Some(Token::Keyword("declare")) => at(1) == Some(&Token::Variable),
        Some(Token::Keyword("shutdown")) => matches!(
            at(1),
            None | Some(Token::Keyword("with")) | Some(Token::Semicolon)
        ),
        Some(Token::Keyword("waitfor")) => matches!(
            at(1),
            Some(Token::Keyword("delay")) | Some(Token::Keyword("time"))
        ),
        Some(Token::Keyword("grant")) | Some(Token::Keyword("revoke")) => {
            // `GRANT <privileges> TO|ON <name>`.
            sig[i + 1..].windows(2).take(8).any(|w| {
                matches!(w[0], Token::Keyword("to" | "on"))
                    && matches!(w[1], Token::Word | Token::Keyword(_))
            })
        }
        _ => false,
    }
}

/// `SELECT` then a column list, then `FROM` (or, when the columns are plainly SQL: numbers,
/// variables, function calls, `*`, the end of the value).
fn select_statement(sig: &[&Token], mut i: usize) -> bool {
    while matches!(
        sig.get(i),
        Some(Token::Keyword("distinct")) | Some(Token::Keyword("all"))
    ) {
        i += 1;
    }
    if sig.get(i) == Some(&&Token::Keyword("top")) {
        i += 2;
    }
    let mut strong = false;
    let mut items = 0;
    loop {
        // One column expression: operands joined by operators.
        let mut operands = 0;
        loop {
            let mut depth = 0usize;
            match sig.get(i) {
                Some(Token::Number)
                | Some(Token::Variable)
                | Some(Token::Star)
                | Some(Token::Literal)
                | Some(Token::Str { .. })
                | Some(Token::Niladic)
                | Some(Token::Keyword("user")) => {
                    strong = true;
                    i += 1;
                }
                Some(Token::OpenParen) => {
                    // A parenthesized expression or subquery.
                    strong = true;
                    let mut depth = 0usize;
                    while let Some(t) = sig.get(i) {
                        match t {
                            Token::OpenParen => depth += 1,
                            Token::CloseParen => {
                                depth -= 1;
                                if depth == 0 {
                                    i += 1;
                                    break;
                                }
                            }
                            _ => {}
                        }
                        i += 1;
                    }
                }
                Some(Token::SqlFunction) | Some(Token::OtherFunction) => {
                    if sig.get(i) == Some(&&Token::SqlFunction) {
                        strong = true;
                    }
                    // Skip the call's arguments.
                    i += 1;
                    while let Some(t) = sig.get(i) {
                        match t {
                            Token::OpenParen => depth += 1,
                            Token::CloseParen => {
                                depth = depth.saturating_sub(1);
                                if depth == 0 {
                                    i += 1;
                                    break;
                                }
                            }
                            _ => {}
                        }
                        i += 1;
                    }
                }
                Some(Token::Word) => {
                    i += 1;
                    while sig.get(i) == Some(&&Token::Dot)
                        && matches!(sig.get(i + 1), Some(Token::Word) | Some(Token::Star))
                    {
                        i += 2;
                    }
                    // `package.function(...)`: the call's arguments are the next operand's.
                    if sig.get(i) == Some(&&Token::Dot)
                        && matches!(
                            sig.get(i + 1),
                            Some(Token::OtherFunction) | Some(Token::SqlFunction)
                        )
                    {
                        i += 1;
                        continue;
                    }
                }
                _ => return false,
            }
            operands += 1;
            if matches!(sig.get(i), Some(Token::Operator) | Some(Token::Comparison)) {
                i += 1;
                continue;
            }
            if sig.get(i) == Some(&&Token::Keyword("as"))
                && matches!(sig.get(i + 1), Some(Token::Word) | Some(Token::Str { .. }))
            {
                i += 2;
            }
            break;
        }
        items += operands.min(1);
        if sig.get(i) == Some(&&Token::Comma) {
            i += 1;
            continue;
        }
        break;
    }
    if items == 0 {
        return false;
    }
    match sig.get(i) {
        Some(Token::Keyword("from")) => matches!(
            sig.get(i + 1),
            Some(Token::Word) | Some(Token::Keyword(_)) | Some(Token::OpenParen)
        ),
        None
        | Some(Token::Semicolon)
        | Some(Token::CloseParen)
        | Some(Token::Keyword("union" | "into" | "where" | "limit" | "order" | "group")) => strong,
        _ => false,
    }
}

/// HIGH sensitivity: tautologies anywhere and attackers' functions anywhere.
fn high_signals(sig: &[&Token]) -> bool {
    sig.iter().enumerate().any(|(i, t)| match t {
        Token::Logical => condition(sig, i + 1),
        Token::SqlFunction => {
            matches!(
                i.checked_sub(1).and_then(|p| sig.get(p)),
                Some(Token::Operator)
                    | Some(Token::Comparison)
                    | Some(Token::Logical)
                    | Some(Token::OpenParen)
                    | Some(Token::Comma)
            ) || i == 0
        }
        _ => false,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn low(input: &str) -> bool {
        is_sqli(input.as_bytes(), false)
    }

    #[test]
    fn tautologies_after_a_closed_literal_are_injection() {
        assert!(low("1' OR '1'='1"));
        assert!(low("' or ''='"));
        assert!(low("x' or 1=1--"));
        assert!(low("') OR ('a'='a"));
        assert!(low("\" or \"\"=\""));
        assert!(low("admin' or 1 -- -"));
        assert!(low("' OR username LIKE '%"));
    }

    #[test]
    fn numeric_context_breaks_are_injection() {
        assert!(low("1 OR 1=1"));
        assert!(low("1 AND SLEEP(5)"));
        assert!(low("-1 or 2>1"));
        assert!(low("1)) or ((1=1"));
        assert!(low("1 ORDER BY 3--"));
        assert!(low(" ORDER BY 2"));
        assert!(low(" RLIKE (SELECT 1) AND 'a'='"));
    }

    #[test]
    fn comments_cutting_off_the_query_are_injection() {
        assert!(low("admin'--"));
        assert!(low("admin'#"));
        assert!(low("admin'/*"));
    }

    #[test]
    fn second_queries_are_injection() {
        assert!(low("1 UNION SELECT username, password FROM users"));
        assert!(low("' union all select null,null--"));
        assert!(low("1/*!50000UNION*//*!50000SELECT*/1,2"));
        assert!(low("1 union/**/select 1"));
        assert!(low("x'; DROP TABLE users--"));
        assert!(low("1; exec master..xp_cmdshell 'dir'"));
        assert!(low("'||(select 1 from dual)||'"));
        assert!(low("'+sleep(5)+'"));
        assert!(low("1union select 2"));
    }

    #[test]
    fn whole_statements_are_injection() {
        assert!(low("SELECT password FROM users WHERE id=1"));
        assert!(low("select @@version"));
        assert!(low("select user()"));
        assert!(low("DROP TABLE accounts"));
        assert!(low("insert into users (a) values (1)"));
        assert!(low("delete from users"));
        assert!(low("select current_database();"));
    }

    #[test]
    fn prose_with_sql_words_and_quotes_is_not_injection() {
        for benign in [
            "the union made a select committee",
            "select your size from the list",
            "Anna said 'ring me at the station and I'll pick you up or wait'",
            "L'or 2nd edition",
            "O'Brien",
            "It's 5 o'clock",
            "Tom's and Jerry's",
            "2) x-y=z",
            "x1<x2",
            "rock 'n' roll",
            "I'd like to order by phone",
            "a=1&b=2",
            "hello world",
            "2024-01-01",
            "drop me a line",
            "exec summary",
            "the update was delayed; select a new date",
        ] {
            assert!(!low(benign), "{benign}");
        }
    }

    #[test]
    fn long_values_take_linear_time() {
        let started = std::time::Instant::now();
        for filler in ["'", "; select a,", "(", "1 or ", "/*", "union "] {
            let input = filler.repeat(64 * 1024 / filler.len());
            let _ = is_sqli(input.as_bytes(), true);
        }
        assert!(
            started.elapsed() < std::time::Duration::from_secs(2),
            "{:?}",
            started.elapsed()
        );
    }

    #[test]
    fn high_sensitivity_adds_weaker_signs() {
        assert!(!low("name or 1=1"));
        assert!(is_sqli(b"name or 1=1", true));
        assert!(is_sqli(b"1--", true));
        assert!(!low("1--"));
        assert!(is_sqli(b"benchmark(1000000,md5(1))", true));
    }
}
