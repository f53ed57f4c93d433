//! The facts of a SAML assertion that AWS reads (IAM User Guide, "Configuring SAML assertions
//! for the authentication response"): issuer, subject, recipient, audiences and times, and
//! the attributes, with AWS's own under `https://aws.amazon.com/SAML/Attributes/`.

use base64::{engine::general_purpose::STANDARD, Engine};

use crate::{
    datetime,
    xml::{Document, NodeId},
    Error,
};

pub const ASSERTION_NAMESPACE: &str = "urn:oasis:names:tc:SAML:2.0:assertion";
const BEARER: &str = "urn:oasis:names:tc:SAML:2.0:cm:bearer";
/// A `NameID` without a `Format` has this one (SAML core §8.3.1).
const UNSPECIFIED_FORMAT: &str = "urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified";
/// STS answers a format with this prefix without it (`persistent`, `transient`, ...).
const NAME_ID_FORMAT_PREFIX: &str = "urn:oasis:names:tc:SAML:2.0:nameid-format:";

pub const ROLE: &str = "https://aws.amazon.com/SAML/Attributes/Role";
pub const ROLE_SESSION_NAME: &str = "https://aws.amazon.com/SAML/Attributes/RoleSessionName";
pub const SESSION_DURATION: &str = "https://aws.amazon.com/SAML/Attributes/SessionDuration";
pub const SOURCE_IDENTITY: &str = "https://aws.amazon.com/SAML/Attributes/SourceIdentity";
pub const PRINCIPAL_TAG_PREFIX: &str = "https://aws.amazon.com/SAML/Attributes/PrincipalTag:";
pub const TRANSITIVE_TAG_KEYS: &str = "https://aws.amazon.com/SAML/Attributes/TransitiveTagKeys";

/// The attributes IAM maps to `saml:` condition keys of trust policies, by attribute name.
/// The user guide's X.500 table misprints three object identifiers (2.4.5.42 and
/// 0.9.2342.19200300100.1.x); these are the registered ones.
const CONDITION_KEY_ATTRIBUTES: &[(&str, &str)] = &[
    ("urn:oid:1.3.6.1.4.1.5923.1.1.1.1", "saml:edupersonaffiliation"),
    ("urn:oid:1.3.6.1.4.1.5923.1.1.1.2", "saml:edupersonnickname"),
    ("urn:oid:1.3.6.1.4.1.5923.1.1.1.3", "saml:edupersonorgdn"),
    ("urn:oid:1.3.6.1.4.1.5923.1.1.1.4", "saml:edupersonorgunitdn"),
    ("urn:oid:1.3.6.1.4.1.5923.1.1.1.5", "saml:edupersonprimaryaffiliation"),
    ("urn:oid:1.3.6.1.4.1.5923.1.1.1.6", "saml:edupersonprincipalname"),
    ("urn:oid:1.3.6.1.4.1.5923.1.1.1.7", "saml:edupersonentitlement"),
    ("urn:oid:1.3.6.1.4.1.5923.1.1.1.8", "saml:edupersonprimaryorgunitdn"),
    ("urn:oid:1.3.6.1.4.1.5923.1.1.1.9", "saml:edupersonscopedaffiliation"),
    ("urn:oid:1.3.6.1.4.1.5923.1.1.1.10", "saml:edupersontargetedid"),
    ("urn:oid:1.3.6.1.4.1.5923.1.1.1.11", "saml:edupersonassurance"),
    ("urn:oid:1.3.6.1.4.1.5923.1.2.1.2", "saml:eduorghomepageuri"),
    ("urn:oid:1.3.6.1.4.1.5923.1.2.1.3", "saml:eduorgidentityauthnpolicyuri"),
    ("urn:oid:1.3.6.1.4.1.5923.1.2.1.4", "saml:eduorglegalname"),
    ("urn:oid:1.3.6.1.4.1.5923.1.2.1.5", "saml:eduorgsuperioruri"),
    ("urn:oid:1.3.6.1.4.1.5923.1.2.1.6", "saml:eduorgwhitepagesuri"),
    ("urn:oid:2.5.4.3", "saml:cn"),
    ("http://schemas.xmlsoap.org/ws/2005/05/identity/claims/name", "saml:name"),
    ("http://schemas.xmlsoap.org/claims/CommonName", "saml:commonName"),
    ("http://schemas.xmlsoap.org/ws/2005/05/identity/claims/givenname", "saml:givenName"),
    ("http://schemas.xmlsoap.org/ws/2005/05/identity/claims/surname", "saml:surname"),
    ("http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress", "saml:mail"),
    ("http://schemas.microsoft.com/ws/2008/06/identity/claims/primarygroupsid", "saml:primaryGroupSID"),
    ("2.5.4.3", "saml:commonName"),
    ("2.5.4.4", "saml:surname"),
    ("2.5.4.42", "saml:givenName"),
    ("2.5.4.45", "saml:x500UniqueIdentifier"),
    ("0.9.2342.19200300.100.1.1", "saml:uid"),
    ("0.9.2342.19200300.100.1.3", "saml:mail"),
    ("0.9.2342.19200300.100.1.45", "saml:organizationStatus"),
];

#[derive(Debug, Clone, PartialEq)]
pub struct Attribute {
    pub name: String,
    pub values: Vec<String>,
}

/// An assertion's facts, read from the element a verified signature covers.
#[derive(Debug, Clone, PartialEq)]
pub struct Assertion {
    pub issuer: String,
    /// The subject's `NameID`.
    pub subject: String,
    /// The `NameID`'s `Format`.
    pub subject_format: String,
    /// The bearer `SubjectConfirmationData`'s `Recipient`: where the response may be
    /// presented, which IAM calls `saml:aud`.
    pub recipient: String,
    /// The bearer `SubjectConfirmationData`'s `NotOnOrAfter`.
    pub confirmation_not_on_or_after: f64,
    /// `Conditions`' `NotBefore` and `NotOnOrAfter`.
    pub not_before: Option<f64>,
    pub not_on_or_after: Option<f64>,
    /// The audiences of each `AudienceRestriction`; the assertion is for an audience that is
    /// in every one of them.
    pub audience_restrictions: Vec<Vec<String>>,
    /// The first `AuthnStatement`'s `SessionNotOnOrAfter`.
    pub session_not_on_or_after: Option<f64>,
    pub attributes: Vec<Attribute>,
}

fn malformed(what: &str) -> Error {
    Error::Malformed(what.to_owned())
}

fn time_attribute(doc: &Document, element: NodeId, name: &str) -> Result<Option<f64>, Error> {
    doc.attribute(element, name)
        .map(|text| datetime::parse(text).ok_or_else(|| Error::Malformed(format!("{name} {text} is not a time"))))
        .transpose()
}

/// Whether an audience or recipient names AWS's sign-in endpoint: the global one, a regional
/// one (`https://REGION.signin.aws.amazon.com/saml`), or another partition's.
fn is_aws_endpoint(value: &str) -> bool {
    let regional = value
        .strip_prefix("https://")
        .and_then(|rest| rest.strip_suffix(".signin.aws.amazon.com/saml"))
        .is_some_and(|region| !region.is_empty() && region.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-'));
    regional
        || matches!(
            value,
            "https://signin.aws.amazon.com/saml" | "https://signin.amazonaws.cn/saml" | "https://signin.amazonaws-us-gov.com/saml"
        )
}

impl Assertion {
    /// Reads the facts of `assertion`, an `Assertion` element.
    pub fn read(doc: &Document, assertion: NodeId) -> Result<Assertion, Error> {
        let issuer = doc.text(doc.only_child(assertion, ASSERTION_NAMESPACE, "Issuer")?).trim().to_owned();
        let subject = doc.only_child(assertion, ASSERTION_NAMESPACE, "Subject")?;
        let name_id = doc.only_child(subject, ASSERTION_NAMESPACE, "NameID")?;
        let confirmation = doc.only_child(subject, ASSERTION_NAMESPACE, "SubjectConfirmation")?;
        if doc.attribute(confirmation, "Method") != Some(BEARER) {
            return Err(malformed("the subject confirmation is not bearer"));
        }
        let confirmation_data = doc.only_child(confirmation, ASSERTION_NAMESPACE, "SubjectConfirmationData")?;
        let recipient = doc.attribute(confirmation_data, "Recipient").ok_or_else(|| malformed("no Recipient"))?.to_owned();
        let confirmation_not_on_or_after =
            time_attribute(doc, confirmation_data, "NotOnOrAfter")?.ok_or_else(|| malformed("no NotOnOrAfter in SubjectConfirmationData"))?;
        let conditions = doc.children_named(assertion, ASSERTION_NAMESPACE, "Conditions").next();
        let (not_before, not_on_or_after, audience_restrictions) = match conditions {
            Some(conditions) => (
                time_attribute(doc, conditions, "NotBefore")?,
                time_attribute(doc, conditions, "NotOnOrAfter")?,
                doc.children_named(conditions, ASSERTION_NAMESPACE, "AudienceRestriction")
                    .map(|restriction| {
                        doc.children_named(restriction, ASSERTION_NAMESPACE, "Audience").map(|a| doc.text(a).trim().to_owned()).collect()
                    })
                    .collect(),
            ),
            None => (None, None, Vec::new()),
        };
        let session_not_on_or_after = match doc.children_named(assertion, ASSERTION_NAMESPACE, "AuthnStatement").next() {
            Some(statement) => time_attribute(doc, statement, "SessionNotOnOrAfter")?,
            None => None,
        };
        let attributes = doc
            .children_named(assertion, ASSERTION_NAMESPACE, "AttributeStatement")
            .flat_map(|statement| doc.children_named(statement, ASSERTION_NAMESPACE, "Attribute"))
            .map(|attribute| Attribute {
                name: doc.attribute(attribute, "Name").unwrap_or_default().to_owned(),
                values: doc
                    .children_named(attribute, ASSERTION_NAMESPACE, "AttributeValue")
                    .map(|value| doc.text(value).trim().to_owned())
                    .collect(),
            })
            .collect();
        Ok(Assertion {
            issuer,
            subject: doc.text(name_id).trim().to_owned(),
            subject_format: doc.attribute(name_id, "Format").unwrap_or(UNSPECIFIED_FORMAT).to_owned(),
            recipient,
            confirmation_not_on_or_after,
            not_before,
            not_on_or_after,
            audience_restrictions,
            session_not_on_or_after,
            attributes,
        })
    }

    /// Whether the assertion may be used at `now` (seconds since the epoch) at AWS: within
    /// its validity, for an AWS audience and presented to AWS's sign-in endpoint.
    pub fn check(&self, now: f64) -> Result<(), Error> {
        if let Some(not_before) = self.not_before.filter(|t| *t > now) {
            return Err(Error::NotYetValid { not_before });
        }
        let expiry = self.not_on_or_after.map_or(self.confirmation_not_on_or_after, |t| t.min(self.confirmation_not_on_or_after));
        if expiry <= now {
            return Err(Error::Expired { not_on_or_after: expiry });
        }
        let for_aws = |audience: &String| audience == "urn:amazon:webservices" || is_aws_endpoint(audience);
        if self.audience_restrictions.is_empty() || !self.audience_restrictions.iter().all(|r| r.iter().any(for_aws)) {
            return Err(Error::WrongAudience("the assertion is not for an AWS audience".to_owned()));
        }
        if !is_aws_endpoint(&self.recipient) {
            return Err(Error::WrongAudience(format!("the recipient {} is not AWS's sign-in endpoint", self.recipient)));
        }
        Ok(())
    }

    /// The values of the first attribute named `name`.
    pub fn values(&self, name: &str) -> &[String] {
        self.attributes.iter().find(|a| a.name == name).map_or(&[], |a| &a.values)
    }

    fn value(&self, name: &str) -> Option<&str> {
        self.values(name).first().map(String::as_str)
    }

    /// Whether a value of the `Role` attribute pairs `role_arn` with `provider_arn`, in either
    /// order.
    pub fn pairs_role_with_provider(&self, role_arn: &str, provider_arn: &str) -> bool {
        self.values(ROLE).iter().any(|pair| {
            let Some((first, second)) = pair.split_once(',') else { return false };
            let (first, second) = (first.trim(), second.trim());
            (first == role_arn && second == provider_arn) || (first == provider_arn && second == role_arn)
        })
    }

    pub fn role_session_name(&self) -> Option<&str> {
        self.value(ROLE_SESSION_NAME)
    }

    pub fn source_identity(&self) -> Option<&str> {
        self.value(SOURCE_IDENTITY)
    }

    /// The `SessionDuration` attribute in seconds, which AWS documents from 900 to 43200.
    pub fn session_duration(&self) -> Result<Option<i64>, Error> {
        let Some(text) = self.value(SESSION_DURATION) else { return Ok(None) };
        match text.parse::<i64>() {
            Ok(seconds) if (900..=43_200).contains(&seconds) => Ok(Some(seconds)),
            _ => Err(Error::Malformed(format!("SessionDuration {text} is not from 900 to 43200 seconds"))),
        }
    }

    /// Session tags: the keys of `PrincipalTag:KEY` attributes, with their values (STS takes
    /// exactly one).
    pub fn principal_tags(&self) -> Vec<(&str, &[String])> {
        self.attributes.iter().filter_map(|a| Some((a.name.strip_prefix(PRINCIPAL_TAG_PREFIX)?, a.values.as_slice()))).collect()
    }

    pub fn transitive_tag_keys(&self) -> &[String] {
        self.values(TRANSITIVE_TAG_KEYS)
    }

    /// The subject's format as STS answers it and `saml:sub_type` holds it: `persistent`,
    /// `transient`, ... for SAML 2.0's formats, other formats whole.
    pub fn subject_type(&self) -> &str {
        self.subject_format.strip_prefix(NAME_ID_FORMAT_PREFIX).unwrap_or(&self.subject_format)
    }

    /// `saml:namequalifier`: Base64(SHA-1(issuer + account + "/" + provider name)), which
    /// with `saml:sub` names a federated user uniquely.
    pub fn name_qualifier(&self, account: &str, provider_name: &str) -> String {
        let qualified = format!("{}{account}/{provider_name}", self.issuer);
        STANDARD.encode(ring::digest::digest(&ring::digest::SHA1_FOR_LEGACY_USE_ONLY, qualified.as_bytes()))
    }

    /// The `saml:` condition keys a trust policy is judged with, for the provider named
    /// `provider_name` in `account`. Of attributes mapped to the same key, the first counts.
    pub fn condition_keys(&self, account: &str, provider_name: &str) -> Vec<(String, Vec<String>)> {
        let mut keys = vec![
            ("saml:aud".to_owned(), vec![self.recipient.clone()]),
            ("saml:iss".to_owned(), vec![self.issuer.clone()]),
            ("saml:sub".to_owned(), vec![self.subject.clone()]),
            ("saml:sub_type".to_owned(), vec![self.subject_type().to_owned()]),
            ("saml:doc".to_owned(), vec![format!("{account}/{provider_name}")]),
            ("saml:namequalifier".to_owned(), vec![self.name_qualifier(account, provider_name)]),
        ];
        for attribute in &self.attributes {
            let Some((_, key)) = CONDITION_KEY_ATTRIBUTES.iter().find(|(name, _)| *name == attribute.name) else { continue };
            if !attribute.values.is_empty() && !keys.iter().any(|(k, _)| k.eq_ignore_ascii_case(key)) {
                keys.push(((*key).to_owned(), attribute.values.clone()));
            }
        }
        keys
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn assertion(extra_attributes: &str, conditions: &str) -> Assertion {
        let xml = format!(
            r#"<saml:Assertion xmlns:saml="{ASSERTION_NAMESPACE}" ID="a1">
  <saml:Issuer>https://idp.example.com/saml</saml:Issuer>
  <saml:Subject>
    <saml:NameID Format="urn:oasis:names:tc:SAML:2.0:nameid-format:persistent">alice</saml:NameID>
    <saml:SubjectConfirmation Method="urn:oasis:names:tc:SAML:2.0:cm:bearer">
      <saml:SubjectConfirmationData NotOnOrAfter="2030-01-01T00:05:00Z" Recipient="https://signin.aws.amazon.com/saml"/>
    </saml:SubjectConfirmation>
  </saml:Subject>
  {conditions}
  <saml:AuthnStatement AuthnInstant="2030-01-01T00:00:00Z" SessionNotOnOrAfter="2030-01-01T08:00:00Z"/>
  <saml:AttributeStatement>
    <saml:Attribute Name="https://aws.amazon.com/SAML/Attributes/Role">
      <saml:AttributeValue>arn:aws:iam::111122223333:saml-provider/Corp, arn:aws:iam::111122223333:role/Dev</saml:AttributeValue>
    </saml:Attribute>
    <saml:Attribute Name="https://aws.amazon.com/SAML/Attributes/RoleSessionName"><saml:AttributeValue>alice@example.com</saml:AttributeValue></saml:Attribute>
    <saml:Attribute Name="https://aws.amazon.com/SAML/Attributes/PrincipalTag:Project"><saml:AttributeValue>Marketing</saml:AttributeValue></saml:Attribute>
    {extra_attributes}
  </saml:AttributeStatement>
</saml:Assertion>"#
        );
        let doc = Document::parse(&xml).unwrap();
        Assertion::read(&doc, doc.root()).unwrap()
    }

    const AWS_CONDITIONS: &str = r#"<saml:Conditions NotBefore="2030-01-01T00:00:00Z" NotOnOrAfter="2030-01-01T00:10:00Z"><saml:AudienceRestriction><saml:Audience>https://signin.aws.amazon.com/saml</saml:Audience></saml:AudienceRestriction></saml:Conditions>"#;

    fn at(time: &str) -> f64 {
        datetime::parse(time).unwrap()
    }

    #[test]
    fn the_role_attribute_pairs_a_role_with_its_provider_in_either_order() {
        let read = assertion("", AWS_CONDITIONS);
        let (role, provider) = ("arn:aws:iam::111122223333:role/Dev", "arn:aws:iam::111122223333:saml-provider/Corp");
        assert!(read.pairs_role_with_provider(role, provider));
        assert!(!read.pairs_role_with_provider("arn:aws:iam::111122223333:role/Admin", provider));
        assert!(!read.pairs_role_with_provider(role, "arn:aws:iam::111122223333:saml-provider/Other"));
        assert_eq!(read.role_session_name(), Some("alice@example.com"));
        assert_eq!(read.principal_tags(), vec![("Project", ["Marketing".to_owned()].as_slice())]);
        assert_eq!(read.session_not_on_or_after, Some(at("2030-01-01T08:00:00Z")));
    }

    #[test]
    fn an_assertion_is_valid_from_not_before_until_the_earlier_not_on_or_after() {
        let read = assertion("", AWS_CONDITIONS);
        assert_eq!(read.check(at("2030-01-01T00:01:00Z")), Ok(()));
        assert!(matches!(read.check(at("2029-12-31T23:59:59Z")), Err(Error::NotYetValid { .. })));
        // The subject confirmation ends at 00:05, before the conditions' 00:10.
        assert_eq!(read.check(at("2030-01-01T00:05:00Z")), Err(Error::Expired { not_on_or_after: at("2030-01-01T00:05:00Z") }));
    }

    #[test]
    fn the_audience_must_be_aws_in_every_restriction() {
        let regional = r#"<saml:Conditions><saml:AudienceRestriction><saml:Audience>https://eu-west-1.signin.aws.amazon.com/saml</saml:Audience></saml:AudienceRestriction></saml:Conditions>"#;
        assert_eq!(assertion("", regional).check(at("2030-01-01T00:01:00Z")), Ok(()));
        let urn = r#"<saml:Conditions><saml:AudienceRestriction><saml:Audience>urn:amazon:webservices</saml:Audience></saml:AudienceRestriction></saml:Conditions>"#;
        assert_eq!(assertion("", urn).check(at("2030-01-01T00:01:00Z")), Ok(()));
        let elsewhere = r#"<saml:Conditions><saml:AudienceRestriction><saml:Audience>https://sp.example.com</saml:Audience></saml:AudienceRestriction><saml:AudienceRestriction><saml:Audience>urn:amazon:webservices</saml:Audience></saml:AudienceRestriction></saml:Conditions>"#;
        assert!(matches!(assertion("", elsewhere).check(at("2030-01-01T00:01:00Z")), Err(Error::WrongAudience(_))));
        assert!(matches!(assertion("", "").check(at("2030-01-01T00:01:00Z")), Err(Error::WrongAudience(_))));
    }

    #[test]
    fn condition_keys_follow_the_iam_user_guide() {
        let affiliation = r#"<saml:Attribute Name="urn:oid:1.3.6.1.4.1.5923.1.1.1.1"><saml:AttributeValue>staff</saml:AttributeValue><saml:AttributeValue>member</saml:AttributeValue></saml:Attribute>"#;
        let keys = assertion(affiliation, AWS_CONDITIONS).condition_keys("111122223333", "Corp");
        let key = |name: &str| keys.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone()).unwrap();
        assert_eq!(key("saml:aud"), vec!["https://signin.aws.amazon.com/saml"]);
        assert_eq!(key("saml:sub_type"), vec!["persistent"]);
        assert_eq!(key("saml:doc"), vec!["111122223333/Corp"]);
        assert_eq!(key("saml:edupersonaffiliation"), vec!["staff", "member"]);
        let expected = STANDARD.encode(ring::digest::digest(
            &ring::digest::SHA1_FOR_LEGACY_USE_ONLY,
            b"https://idp.example.com/saml111122223333/Corp",
        ));
        assert_eq!(key("saml:namequalifier"), vec![expected]);
    }

    #[test]
    fn session_duration_is_read_within_its_documented_range() {
        let duration = |value: &str| {
            let attribute = format!(r#"<saml:Attribute Name="{SESSION_DURATION}"><saml:AttributeValue>{value}</saml:AttributeValue></saml:Attribute>"#);
            assertion(&attribute, AWS_CONDITIONS).session_duration()
        };
        assert_eq!(duration("1800"), Ok(Some(1800)));
        assert!(duration("60").is_err());
        assert!(duration("an hour").is_err());
        assert_eq!(assertion("", AWS_CONDITIONS).session_duration(), Ok(None));
    }
}
