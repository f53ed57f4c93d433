//! Distinguished names, by the attributes ACM PCA's `ASN1Subject` names.

use rcgen::{DistinguishedName, DnType};

/// One attribute of a distinguished name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NameAttribute {
    Country,
    Organization,
    OrganizationalUnit,
    DistinguishedNameQualifier,
    State,
    CommonName,
    SerialNumber,
    Locality,
    Title,
    Surname,
    GivenName,
    Initials,
    Pseudonym,
    GenerationQualifier,
}

impl NameAttribute {
    fn dn_type(self) -> DnType {
        let custom = |oid: &[u64]| DnType::CustomDnType(oid.to_vec());
        match self {
            NameAttribute::Country => DnType::CountryName,
            NameAttribute::Organization => DnType::OrganizationName,
            NameAttribute::OrganizationalUnit => DnType::OrganizationalUnitName,
            NameAttribute::State => DnType::StateOrProvinceName,
            NameAttribute::CommonName => DnType::CommonName,
            NameAttribute::Locality => DnType::LocalityName,
            NameAttribute::DistinguishedNameQualifier => custom(&[2, 5, 4, 46]),
            NameAttribute::SerialNumber => custom(&[2, 5, 4, 5]),
            NameAttribute::Title => custom(&[2, 5, 4, 12]),
            NameAttribute::Surname => custom(&[2, 5, 4, 4]),
            NameAttribute::GivenName => custom(&[2, 5, 4, 42]),
            NameAttribute::Initials => custom(&[2, 5, 4, 43]),
            NameAttribute::Pseudonym => custom(&[2, 5, 4, 65]),
            NameAttribute::GenerationQualifier => custom(&[2, 5, 4, 44]),
        }
    }
}

/// A distinguished name, attributes in the order they are written.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Subject(pub Vec<(NameAttribute, String)>);

impl Subject {
    pub fn common_name(name: &str) -> Subject {
        Subject(vec![(NameAttribute::CommonName, name.to_owned())])
    }

    pub(crate) fn distinguished_name(&self) -> DistinguishedName {
        let mut name = DistinguishedName::new();
        for (attribute, value) in &self.0 {
            name.push(attribute.dn_type(), value.as_str());
        }
        name
    }
}
