//! IP sets: CIDR blocks of IPv4 and IPv6 addresses, as IP sets and the managed IP lists hold.

use std::net::IpAddr;

/// A set of CIDR blocks, sorted for lookup by binary search over non-overlapping ranges.
#[derive(Debug, Default)]
pub struct IpSet {
    v4: Vec<(u32, u32)>,
    v6: Vec<(u128, u128)>,
}

impl IpSet {
    /// The set of these CIDR blocks (`10.0.0.0/8`, `2001:db8::/32`; a bare address is a /32 or
    /// /128). The error is the first block that does not parse.
    pub fn parse<S: AsRef<str>>(blocks: &[S]) -> Result<IpSet, String> {
        let mut v4 = Vec::new();
        let mut v6 = Vec::new();
        for block in blocks {
            let block = block.as_ref();
            let (address, prefix) = match block.split_once('/') {
                Some((a, p)) => (a, Some(p)),
                None => (block, None),
            };
            let address: IpAddr = address.parse().map_err(|_| block.to_string())?;
            match address {
                IpAddr::V4(a) => {
                    let prefix = parse_prefix(prefix, 32).ok_or_else(|| block.to_string())?;
                    let mask = if prefix == 0 {
                        0
                    } else {
                        u32::MAX << (32 - prefix)
                    };
                    let start = u32::from(a) & mask;
                    v4.push((start, start | !mask));
                }
                IpAddr::V6(a) => {
                    let prefix = parse_prefix(prefix, 128).ok_or_else(|| block.to_string())?;
                    let mask = if prefix == 0 {
                        0
                    } else {
                        u128::MAX << (128 - prefix)
                    };
                    let start = u128::from(a) & mask;
                    v6.push((start, start | !mask));
                }
            }
        }
        Ok(IpSet {
            v4: merge(v4),
            v6: merge(v6),
        })
    }

    /// Whether `ip` is in a block of the set. An IPv4-mapped IPv6 address counts as its IPv4
    /// address.
    pub fn contains(&self, ip: IpAddr) -> bool {
        match ip {
            IpAddr::V4(a) => within(&self.v4, u32::from(a)),
            IpAddr::V6(a) => match a.to_ipv4_mapped() {
                Some(v4) => within(&self.v4, u32::from(v4)),
                None => within(&self.v6, u128::from(a)),
            },
        }
    }
}

fn parse_prefix(prefix: Option<&str>, max: u32) -> Option<u32> {
    match prefix {
        None => Some(max),
        Some(p) if !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()) => {
            p.parse().ok().filter(|&n| n <= max)
        }
        Some(_) => None,
    }
}

fn merge<T: Ord + Copy>(mut ranges: Vec<(T, T)>) -> Vec<(T, T)> {
    ranges.sort();
    let mut merged: Vec<(T, T)> = Vec::with_capacity(ranges.len());
    for (start, end) in ranges {
        match merged.last_mut() {
            Some(last) if start <= last.1 => last.1 = last.1.max(end),
            _ => merged.push((start, end)),
        }
    }
    merged
}

fn within<T: Ord + Copy>(ranges: &[(T, T)], value: T) -> bool {
    let index = ranges.partition_point(|&(start, _)| start <= value);
    index > 0 && value <= ranges[index - 1].1
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blocks_of_both_families_match_their_addresses() {
        let set = IpSet::parse(&["192.0.2.0/24", "10.1.2.3", "2001:db8::/32"]).unwrap();
        assert!(set.contains("192.0.2.77".parse().unwrap()));
        assert!(set.contains("10.1.2.3".parse().unwrap()));
        assert!(!set.contains("10.1.2.4".parse().unwrap()));
        assert!(set.contains("2001:db8:1::1".parse().unwrap()));
        assert!(set.contains("::ffff:192.0.2.1".parse().unwrap()));
        assert!(!set.contains("2001:db9::1".parse().unwrap()));
    }

    #[test]
    fn a_malformed_block_is_refused() {
        assert_eq!(IpSet::parse(&["10.0.0.0/33"]).unwrap_err(), "10.0.0.0/33");
        assert!(IpSet::parse(&["10.0.0/8"]).is_err());
    }
}
