//! The address lists behind the IP reputation, anonymous IP and Bot Control managed rule groups
//! (AWS keeps them from its threat intelligence; here the operator supplies them): a directory
//! with one `<ListName>.txt` per list, one address or CIDR block a line, `#` comments.

use std::{collections::HashMap, net::IpAddr, path::Path};

/// The lists found in `dir`, by list name; a list without a file is empty.
pub fn load(dir: &Path) -> Result<HashMap<String, Vec<String>>, String> {
    let mut lists = HashMap::new();
    for name in waf::managed::IP_LISTS {
        let path = dir.join(format!("{name}.txt"));
        let text = match std::fs::read_to_string(&path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
            Err(e) => return Err(format!("cannot read {}: {e}", path.display())),
        };
        let blocks = parse(&text).map_err(|line| format!("{}: '{line}' is not an IP address or CIDR block", path.display()))?;
        lists.insert((*name).to_owned(), blocks);
    }
    Ok(lists)
}

/// CIDR blocks from list text; a bare address is its own block. The bad line on failure.
fn parse(text: &str) -> Result<Vec<String>, String> {
    let mut blocks = Vec::new();
    for line in text.lines().map(|l| l.split('#').next().unwrap_or_default().trim()).filter(|l| !l.is_empty()) {
        let (address, prefix) = line.split_once('/').map_or((line, None), |(a, p)| (a, Some(p)));
        let ip: IpAddr = address.parse().map_err(|_| line.to_owned())?;
        let max = if ip.is_ipv4() { 32 } else { 128 };
        let prefix = match prefix {
            Some(p) => p.parse::<u8>().ok().filter(|p| *p <= max).ok_or_else(|| line.to_owned())?,
            None => max,
        };
        blocks.push(format!("{ip}/{prefix}"));
    }
    Ok(blocks)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_hold_cidr_blocks_and_bare_addresses() {
        assert_eq!(parse("# reputation\n192.0.2.0/24\n198.51.100.7  # scanner\n\n2001:db8::1\n").unwrap(), vec!["192.0.2.0/24", "198.51.100.7/32", "2001:db8::1/128"]);
        assert_eq!(parse("192.0.2.0/33"), Err("192.0.2.0/33".to_owned()));
    }

    #[test]
    fn a_directory_gives_the_lists_it_has_files_for() {
        let dir = std::env::temp_dir().join(format!("palisade-ip-lists-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("AWSManagedIPReputationList.txt"), "203.0.113.9\n").unwrap();
        let lists = load(&dir).unwrap();
        std::fs::remove_dir_all(&dir).unwrap();
        assert_eq!(lists["AWSManagedIPReputationList"], vec!["203.0.113.9/32"]);
        assert!(!lists.contains_key("AnonymousIPList"));
    }
}
