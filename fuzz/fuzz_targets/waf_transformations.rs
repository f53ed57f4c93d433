//! Every text transformation, alone and chained, on arbitrary bytes, and the SQL injection
//! and cross-site scripting detectors on the input and on each result. The first byte picks
//! up to three transformations (two bits of it select how many, the next bytes which ones).

#![no_main]

use libfuzzer_sys::fuzz_target;
use waf::{sqli, xss, TextTransformation};

fuzz_target!(|data: &[u8]| {
    let Some((&selector, rest)) = data.split_first() else {
        return;
    };
    let chain_length = usize::from(selector & 3).min(rest.len());
    let (picks, input) = rest.split_at(chain_length);
    let all = TextTransformation::ALL;
    for transformation in all {
        let _ = transformation.apply(input);
    }
    let mut value = input.to_vec();
    for pick in picks {
        value = all[usize::from(*pick) % all.len()].apply(&value);
    }
    for candidate in [input, value.as_slice()] {
        let _ = sqli::is_sqli(candidate, false);
        let _ = sqli::is_sqli(candidate, true);
        let _ = xss::is_xss(candidate);
    }
});
