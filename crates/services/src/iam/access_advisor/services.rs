//! The services an access report can list: the ones Palisade hosts, by the namespace policies
//! name them with, and which of them a set of identity policies allows.

use policy::ast::{ActionBlock, Effect};
use policy::PolicyDocument;

/// A service Palisade hosts, as access reports name it.
#[derive(Debug, PartialEq, Eq)]
pub struct HostedService {
    /// The id of its vendored model (`elbv2`), which gives its CloudTrail `eventSource`.
    pub model_id: &'static str,
    /// The prefix its IAM actions have (`elasticloadbalancing`).
    pub namespace: &'static str,
    /// `ServiceName` in reports.
    pub name: &'static str,
    /// Whether IAM reports last access per action for it (ACTION_LEVEL). AWS documents EC2,
    /// IAM, Lambda and S3 management actions among the tracked services.
    pub tracks_actions: bool,
}

const fn hosted(model_id: &'static str, namespace: &'static str, name: &'static str, tracks_actions: bool) -> HostedService {
    HostedService { model_id, namespace, name, tracks_actions }
}

/// Ordered by namespace, the order reports list services in.
pub const HOSTED_SERVICES: &[HostedService] = &[
    hosted("accessanalyzer", "access-analyzer", "IAM Access Analyzer", false),
    hosted("acm", "acm", "AWS Certificate Manager", false),
    hosted("acm-pca", "acm-pca", "AWS Private Certificate Authority", false),
    hosted("cloudtrail", "cloudtrail", "AWS CloudTrail", false),
    hosted("cloudwatch", "cloudwatch", "Amazon CloudWatch", false),
    hosted("config", "config", "AWS Config", false),
    hosted("ec2", "ec2", "Amazon EC2", true),
    hosted("elbv2", "elasticloadbalancing", "Elastic Load Balancing", false),
    hosted("events", "events", "Amazon EventBridge", false),
    hosted("fms", "fms", "AWS Firewall Manager", false),
    hosted("guardduty", "guardduty", "Amazon GuardDuty", false),
    hosted("iam", "iam", "AWS Identity and Access Management", true),
    hosted("inspector2", "inspector2", "Amazon Inspector2", false),
    hosted("kms", "kms", "AWS Key Management Service", false),
    hosted("lambda", "lambda", "AWS Lambda", true),
    hosted("logs", "logs", "Amazon CloudWatch Logs", false),
    hosted("macie2", "macie2", "Amazon Macie", false),
    hosted("organizations", "organizations", "AWS Organizations", false),
    hosted("s3", "s3", "Amazon S3", true),
    hosted("secretsmanager", "secretsmanager", "AWS Secrets Manager", false),
    hosted("securityhub", "securityhub", "AWS Security Hub", false),
    hosted("shield", "shield", "AWS Shield", false),
    hosted("sns", "sns", "Amazon SNS", false),
    hosted("ssm", "ssm", "AWS Systems Manager", false),
    hosted("sts", "sts", "AWS Security Token Service", false),
    hosted("wafv2", "wafv2", "AWS WAF V2", false),
];

/// The hosted service a CloudTrail `eventSource` (`monitoring.amazonaws.com`) belongs to.
pub fn by_event_source(event_source: &str) -> Option<&'static HostedService> {
    let model = wire::SERVICES.iter().find(|s| s.event_source == event_source)?;
    HOSTED_SERVICES.iter().find(|s| s.model_id == model.id)
}

/// `*` matches any run of characters, `?` one, case-insensitively. On a mismatch only the
/// last `*` is retried one character further, so a policy full of stars stays linear-ish.
fn matches(pattern: &str, text: &str) -> bool {
    let pattern: Vec<char> = pattern.to_lowercase().chars().collect();
    let text: Vec<char> = text.to_lowercase().chars().collect();
    let (mut p, mut t) = (0, 0);
    let mut last_star: Option<(usize, usize)> = None;
    while t < text.len() {
        match pattern.get(p) {
            Some('*') => {
                last_star = Some((p, t));
                p += 1;
            }
            Some(&c) if c == '?' || c == text[t] => {
                p += 1;
                t += 1;
            }
            _ => match last_star {
                Some((star, from)) => {
                    last_star = Some((star, from + 1));
                    p = star + 1;
                    t = from + 1;
                }
                None => return false,
            },
        }
    }
    pattern[p..].iter().all(|&c| c == '*')
}

/// An action pattern split into its service and action parts; `*` is `*:*`.
fn parts(pattern: &str) -> (&str, &str) {
    pattern.split_once(':').unwrap_or((pattern, "*"))
}

/// The actions one Allow statement grants.
enum Grant {
    Actions(Vec<String>),
    AllActionsBut(Vec<String>),
}

/// What the Allow statements of a set of identity policies grant, judged on actions alone:
/// last accessed reports list what the permissions policies could allow, whatever their
/// resources and conditions, and take no account of boundaries or other policy types.
pub struct AllowedActions {
    grants: Vec<Grant>,
}

impl AllowedActions {
    pub fn of<'d>(documents: impl IntoIterator<Item = &'d PolicyDocument>) -> AllowedActions {
        let grants = documents
            .into_iter()
            .flat_map(|d| &d.statements)
            .filter(|s| s.effect == Effect::Allow)
            .map(|s| match &s.action {
                ActionBlock::Action(patterns) => Grant::Actions(patterns.iter().map(|p| p.text.clone()).collect()),
                ActionBlock::NotAction(patterns) => Grant::AllActionsBut(patterns.iter().map(|p| p.text.clone()).collect()),
            })
            .collect();
        AllowedActions { grants }
    }

    /// Whether some action of the service is allowed: an `Action` pattern naming the service,
    /// or a `NotAction` that does not exclude the whole service.
    pub fn service(&self, namespace: &str) -> bool {
        self.grants.iter().any(|grant| match grant {
            Grant::Actions(patterns) => patterns.iter().any(|p| matches(parts(p).0, namespace)),
            Grant::AllActionsBut(patterns) => !patterns.iter().any(|p| {
                let (service, action) = parts(p);
                matches(service, namespace) && action.chars().all(|c| c == '*')
            }),
        })
    }

    /// Whether `namespace:action` is allowed.
    pub fn action(&self, namespace: &str, action: &str) -> bool {
        let full = format!("{namespace}:{action}");
        self.grants.iter().any(|grant| match grant {
            Grant::Actions(patterns) => patterns.iter().any(|p| matches(p, &full)),
            Grant::AllActionsBut(patterns) => !patterns.iter().any(|p| matches(p, &full)),
        })
    }

    /// The hosted services allowed, in report order.
    pub fn hosted_services(&self) -> Vec<&'static HostedService> {
        HOSTED_SERVICES.iter().filter(|s| self.service(s.namespace)).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use policy::PolicyType;

    fn allowed(documents: &[&str]) -> AllowedActions {
        let parsed: Vec<PolicyDocument> =
            documents.iter().map(|d| policy::parse_policy(d, PolicyType::Identity).expect("valid policy")).collect();
        AllowedActions::of(&parsed)
    }

    fn namespaces(allowed: &AllowedActions) -> Vec<&'static str> {
        allowed.hosted_services().iter().map(|s| s.namespace).collect()
    }

    #[test]
    fn every_vendored_model_is_a_hosted_service() {
        for model in wire::SERVICES {
            assert!(HOSTED_SERVICES.iter().any(|s| s.model_id == model.id), "{} has no entry", model.id);
        }
        let mut sorted: Vec<_> = HOSTED_SERVICES.iter().map(|s| s.namespace).collect();
        sorted.sort_unstable();
        assert_eq!(sorted, HOSTED_SERVICES.iter().map(|s| s.namespace).collect::<Vec<_>>());
    }

    #[test]
    fn event_sources_name_the_service_by_its_endpoint() {
        assert_eq!(by_event_source("monitoring.amazonaws.com").unwrap().namespace, "cloudwatch");
        assert_eq!(by_event_source("elasticloadbalancing.amazonaws.com").unwrap().namespace, "elasticloadbalancing");
        assert_eq!(by_event_source("kms.amazonaws.com").unwrap().name, "AWS Key Management Service");
        assert!(by_event_source("example.amazonaws.com").is_none());
    }

    #[test]
    fn an_action_list_grants_the_services_it_names() {
        let policy = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["kms:*","secretsmanager:GetSecretValue"],"Resource":"*"}]}"#;
        assert_eq!(namespaces(&allowed(&[policy])), ["kms", "secretsmanager"]);
    }

    #[test]
    fn wildcards_in_the_service_part_match_namespaces() {
        let policy = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s?s:Publish","Resource":"*"}]}"#;
        assert_eq!(namespaces(&allowed(&[policy])), ["sns", "sts"]);
        let everything = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}"#;
        assert_eq!(namespaces(&allowed(&[everything])).len(), HOSTED_SERVICES.len());
    }

    #[test]
    fn deny_statements_grant_nothing() {
        let policy = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"kms:*","Resource":"*"}]}"#;
        assert!(namespaces(&allowed(&[policy])).is_empty());
    }

    #[test]
    fn not_action_grants_every_service_it_does_not_wholly_exclude() {
        let policy = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","NotAction":["iam:*","organizations:*","kms:Decrypt"],"Resource":"*"}]}"#;
        let services = namespaces(&allowed(&[policy]));
        assert!(services.contains(&"kms") && services.contains(&"s3"));
        assert!(!services.contains(&"iam") && !services.contains(&"organizations"));
    }

    #[test]
    fn actions_match_case_insensitively() {
        let policy = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:create*","Resource":"*"}]}"#;
        let allowed = allowed(&[policy]);
        assert!(allowed.action("iam", "CreateUser"));
        assert!(!allowed.action("iam", "DeleteUser"));
        assert!(!allowed.action("s3", "CreateBucket"));
    }

    #[test]
    fn policies_add_up() {
        let kms = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"kms:Encrypt","Resource":"*"}]}"#;
        let s3 = r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:ListAllMyBuckets","Resource":"*"}}"#;
        assert_eq!(namespaces(&allowed(&[kms, s3])), ["kms", "s3"]);
    }
}
