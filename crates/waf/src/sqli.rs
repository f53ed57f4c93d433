//! SQL injection detection (`SqliMatchStatement`).

/// Whether `input` carries SQL injection.
pub fn is_sqli(input: &[u8], high_sensitivity: bool) -> bool {
    let _ = (input, high_sensitivity);
    false
}
