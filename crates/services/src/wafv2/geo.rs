//! Where client addresses are: the MaxMind-format databases (GeoLite2/GeoIP2 Country and ASN)
//! that `--geoip-country-db` and `--geoip-asn-db` name, for GeoMatch, AsnMatch, the geo labels
//! and the WAF log's `country`.

use std::{net::IpAddr, path::Path};

use maxminddb::{path, Reader};

#[derive(Default)]
pub struct GeoDatabases {
    country: Option<Reader<Vec<u8>>>,
    asn: Option<Reader<Vec<u8>>>,
}

fn open(path: &Path, what: &str) -> Result<Reader<Vec<u8>>, String> {
    Reader::open_readfile(path).map_err(|e| format!("cannot read the {what} database {}: {e}", path.display()))
}

impl GeoDatabases {
    pub fn open(country: Option<&Path>, asn: Option<&Path>) -> Result<GeoDatabases, String> {
        Ok(GeoDatabases {
            country: country.map(|p| open(p, "GeoIP country")).transpose()?,
            asn: asn.map(|p| open(p, "GeoIP ASN")).transpose()?,
        })
    }
}

impl waf::IpLookup for GeoDatabases {
    fn country(&self, ip: IpAddr) -> Option<String> {
        let found = self.country.as_ref()?.lookup(ip).ok()?;
        let code: Option<&str> = found.decode_path(&path!["country", "iso_code"]).ok()?;
        code.map(str::to_owned)
    }

    fn asn(&self, ip: IpAddr) -> Option<u32> {
        let found = self.asn.as_ref()?.lookup(ip).ok()?;
        found.decode_path(&path!["autonomous_system_number"]).ok()?
    }
}
