//! AWS managed policies: the catalog every account can attach, each with the document of its
//! default version as AWS publishes it. The documents live in `aws_managed/<PolicyName>.json`;
//! `aws_managed/SOURCE.md` says where they come from and how to refresh them.

/// An AWS managed policy as `GetPolicy` describes it, with its default version's document.
pub struct AwsManagedPolicy {
    pub name: &'static str,
    /// IAM's unique id for the policy (`ANPA...`), the same in every account.
    pub id: &'static str,
    pub path: &'static str,
    pub default_version_id: &'static str,
    /// ISO 8601: when AWS created the policy, and when its default version was made (`UpdateDate`).
    pub created: &'static str,
    pub updated: &'static str,
    pub description: &'static str,
    pub document: &'static str,
}

const AWS_POLICY_ARN_PREFIX: &str = "arn:aws:iam::aws:policy";

/// Every AWS managed policy this IAM knows; an `arn:aws:iam::aws:policy/...` not here is one IAM
/// has never heard of (NoSuchEntity), not one to invent a document for.
pub static CATALOG: &[AwsManagedPolicy] = &[
    AwsManagedPolicy {
        name: "AdministratorAccess",
        id: "ANPAIWMBCKSKIEE64ZLYK",
        path: "/",
        default_version_id: "v1",
        created: "2015-02-06T18:39:46Z",
        updated: "2015-02-06T18:39:46Z",
        description: "Provides full access to AWS services and resources.",
        document: include_str!("aws_managed/AdministratorAccess.json"),
    },
    AwsManagedPolicy {
        name: "PowerUserAccess",
        id: "ANPAJYRXTHIB4FOVS3ZXS",
        path: "/",
        default_version_id: "v12",
        created: "2015-02-06T18:39:47Z",
        updated: "2026-02-12T17:59:14Z",
        description: "Provides full access to AWS services and resources, but does not allow management of Users and groups.",
        document: include_str!("aws_managed/PowerUserAccess.json"),
    },
    AwsManagedPolicy {
        name: "ReadOnlyAccess",
        id: "ANPAILL3HVNFSB6DCOWYQ",
        path: "/",
        default_version_id: "v190",
        created: "2015-02-06T18:39:48Z",
        updated: "2026-09-24T17:37:08Z",
        description: "Provides read-only access to AWS services and resources.",
        document: include_str!("aws_managed/ReadOnlyAccess.json"),
    },
    AwsManagedPolicy {
        name: "ViewOnlyAccess",
        id: "ANPAID22R6XPJATWOFDK6",
        path: "/job-function/",
        default_version_id: "v46",
        created: "2016-11-10T17:20:15Z",
        updated: "2026-09-30T20:27:08Z",
        description: "This policy grants permissions to view resources and basic metadata across all AWS services.",
        document: include_str!("aws_managed/ViewOnlyAccess.json"),
    },
    AwsManagedPolicy {
        name: "SecurityAudit",
        id: "ANPAIX2T3QCXHR2OGGCTO",
        path: "/",
        default_version_id: "v94",
        created: "2015-02-06T18:41:01Z",
        updated: "2026-09-30T20:27:08Z",
        description: "The security audit template grants access to read security configuration metadata. It is useful for software that audits the configuration of an AWS account.",
        document: include_str!("aws_managed/SecurityAudit.json"),
    },
    AwsManagedPolicy {
        name: "IAMFullAccess",
        id: "ANPAI7XKCFMBPM3QQRRVQ",
        path: "/",
        default_version_id: "v2",
        created: "2015-02-06T18:40:38Z",
        updated: "2019-06-21T19:40:00Z",
        description: "Provides full access to IAM via the AWS Management Console.",
        document: include_str!("aws_managed/IAMFullAccess.json"),
    },
    AwsManagedPolicy {
        name: "IAMReadOnlyAccess",
        id: "ANPAJKSO7NDY4T57MWDSQ",
        path: "/",
        default_version_id: "v4",
        created: "2015-02-06T18:40:39Z",
        updated: "2018-01-25T19:11:27Z",
        description: "Provides read only access to IAM via the AWS Management Console.",
        document: include_str!("aws_managed/IAMReadOnlyAccess.json"),
    },
    AwsManagedPolicy {
        name: "AWSOrganizationsFullAccess",
        id: "ANPAJZXBNRCJKNLQHSB5M",
        path: "/",
        default_version_id: "v9",
        created: "2018-11-06T20:31:57Z",
        updated: "2026-02-12T17:59:07Z",
        description: "Provides full access to AWS Organizations.",
        document: include_str!("aws_managed/AWSOrganizationsFullAccess.json"),
    },
    AwsManagedPolicy {
        name: "AWSOrganizationsReadOnlyAccess",
        id: "ANPAJY5RQATUV77PEPVOM",
        path: "/",
        default_version_id: "v6",
        created: "2018-11-06T20:32:38Z",
        updated: "2024-06-07T21:32:16Z",
        description: "Provides read-only access to AWS Organizations.",
        document: include_str!("aws_managed/AWSOrganizationsReadOnlyAccess.json"),
    },
    AwsManagedPolicy {
        name: "AWSKeyManagementServicePowerUser",
        id: "ANPAJNPP7PPPPMJRV2SA4",
        path: "/",
        default_version_id: "v2",
        created: "2015-02-06T18:40:40Z",
        updated: "2017-03-07T00:55:11Z",
        description: "Provides access to AWS Key Management Service (KMS).",
        document: include_str!("aws_managed/AWSKeyManagementServicePowerUser.json"),
    },
    AwsManagedPolicy {
        name: "SecretsManagerReadWrite",
        id: "ANPAI3VG7CI5BIQZQ6G2E",
        path: "/",
        default_version_id: "v6",
        created: "2018-04-04T18:05:29Z",
        updated: "2026-08-25T23:37:10Z",
        description: "Provides read/write access to AWS Secrets Manager via the AWS Management Console. Note: this exludes IAM actions, so combine with IAMFullAccess if rotation configuration is required.",
        document: include_str!("aws_managed/SecretsManagerReadWrite.json"),
    },
    AwsManagedPolicy {
        name: "AmazonS3FullAccess",
        id: "ANPAIFIR6V6BVTRAHWINE",
        path: "/",
        default_version_id: "v2",
        created: "2015-02-06T18:40:58Z",
        updated: "2021-09-27T20:16:37Z",
        description: "Provides full access to all buckets via the AWS Management Console.",
        document: include_str!("aws_managed/AmazonS3FullAccess.json"),
    },
    AwsManagedPolicy {
        name: "AmazonS3ReadOnlyAccess",
        id: "ANPAIZTJ4DXE7G6AGAE6M",
        path: "/",
        default_version_id: "v3",
        created: "2015-02-06T18:40:59Z",
        updated: "2023-08-10T21:31:39Z",
        description: "Provides read only access to all buckets via the AWS Management Console.",
        document: include_str!("aws_managed/AmazonS3ReadOnlyAccess.json"),
    },
    AwsManagedPolicy {
        name: "AmazonEC2FullAccess",
        id: "ANPAI3VAJF5ZCRZ7MCQE6",
        path: "/",
        default_version_id: "v5",
        created: "2015-02-06T18:40:15Z",
        updated: "2018-11-27T02:16:56Z",
        description: "Provides full access to Amazon EC2 via the AWS Management Console.",
        document: include_str!("aws_managed/AmazonEC2FullAccess.json"),
    },
    AwsManagedPolicy {
        name: "AWSLambdaBasicExecutionRole",
        id: "ANPAJNCQGXC42545SKXIK",
        path: "/service-role/",
        default_version_id: "v1",
        created: "2015-04-09T15:03:43Z",
        updated: "2015-04-09T15:03:43Z",
        description: "Provides write permissions to CloudWatch Logs.",
        document: include_str!("aws_managed/AWSLambdaBasicExecutionRole.json"),
    },
    AwsManagedPolicy {
        name: "AWSLambda_FullAccess",
        id: "ANPAZKAPJZG4OXQPYWZ5D",
        path: "/",
        default_version_id: "v7",
        created: "2020-11-17T21:14:08Z",
        updated: "2026-02-12T18:00:51Z",
        description: "Grants full access to AWS Lambda service, AWS Lambda console features, and other related AWS services.",
        document: include_str!("aws_managed/AWSLambda_FullAccess.json"),
    },
    AwsManagedPolicy {
        name: "AmazonSSMReadOnlyAccess",
        id: "ANPAJODSKQGGJTHRYZ5FC",
        path: "/",
        default_version_id: "v1",
        created: "2015-05-29T17:44:19Z",
        updated: "2015-05-29T17:44:19Z",
        description: "Provides read only access to Amazon SSM.",
        document: include_str!("aws_managed/AmazonSSMReadOnlyAccess.json"),
    },
    AwsManagedPolicy {
        name: "AWSWAFFullAccess",
        id: "ANPAJMIKIAFXZEGOLRH7C",
        path: "/",
        default_version_id: "v17",
        created: "2015-10-06T20:44:00Z",
        updated: "2026-07-28T21:42:26Z",
        description: "Provides full access to AWS WAF actions.",
        document: include_str!("aws_managed/AWSWAFFullAccess.json"),
    },
    AwsManagedPolicy {
        name: "AmazonGuardDutyFullAccess",
        id: "ANPAIKUTKSN4KC63VDQUM",
        path: "/",
        default_version_id: "v6",
        created: "2017-11-28T22:31:30Z",
        updated: "2024-06-10T22:50:00Z",
        description: "Provides full access to use Amazon GuardDuty.",
        document: include_str!("aws_managed/AmazonGuardDutyFullAccess.json"),
    },
    AwsManagedPolicy {
        name: "AmazonGuardDutyFullAccess_v2",
        id: "ANPAZKAPJZG4KFR4NCDHT",
        path: "/",
        default_version_id: "v7",
        created: "2025-06-04T20:22:07Z",
        updated: "2026-09-28T21:37:07Z",
        description: "Provides full access to use Amazon GuardDuty",
        document: include_str!("aws_managed/AmazonGuardDutyFullAccess_v2.json"),
    },
    AwsManagedPolicy {
        name: "AmazonGuardDutyReadOnlyAccess",
        id: "ANPAIVMCEDV336RWUSNHG",
        path: "/",
        default_version_id: "v4",
        created: "2017-11-28T22:29:40Z",
        updated: "2023-11-16T23:07:06Z",
        description: "Provides read only access to Amazon GuardDuty resources",
        document: include_str!("aws_managed/AmazonGuardDutyReadOnlyAccess.json"),
    },
    AwsManagedPolicy {
        name: "AWSSecurityHubFullAccess",
        id: "ANPAJ4262VZCA4HPBZSO6",
        path: "/",
        default_version_id: "v9",
        created: "2018-11-27T23:54:34Z",
        updated: "2026-02-12T17:58:23Z",
        description: "Provides full access to use AWS Security Hub.",
        document: include_str!("aws_managed/AWSSecurityHubFullAccess.json"),
    },
    AwsManagedPolicy {
        name: "AWSSecurityHubReadOnlyAccess",
        id: "ANPAIEBAQNOFUCLFJ3UHG",
        path: "/",
        default_version_id: "v4",
        created: "2018-11-28T01:34:29Z",
        updated: "2024-02-22T23:45:59Z",
        description: "Provides read only access to AWS Security Hub resources",
        document: include_str!("aws_managed/AWSSecurityHubReadOnlyAccess.json"),
    },
];

impl AwsManagedPolicy {
    pub fn arn(&self) -> String {
        format!("{AWS_POLICY_ARN_PREFIX}{}{}", self.path, self.name)
    }
}

pub fn find(arn: &str) -> Option<&'static AwsManagedPolicy> {
    CATALOG.iter().find(|p| p.arn() == arn)
}

#[cfg(test)]
mod tests {
    use policy::PolicyType;

    use super::*;

    /// The policies GitHub issue 3 names, and those the rest of the code and tests attach.
    const REQUIRED: &[&str] = &[
        "arn:aws:iam::aws:policy/AdministratorAccess",
        "arn:aws:iam::aws:policy/PowerUserAccess",
        "arn:aws:iam::aws:policy/ReadOnlyAccess",
        "arn:aws:iam::aws:policy/SecurityAudit",
        "arn:aws:iam::aws:policy/IAMFullAccess",
        "arn:aws:iam::aws:policy/IAMReadOnlyAccess",
        "arn:aws:iam::aws:policy/AWSKeyManagementServicePowerUser",
        "arn:aws:iam::aws:policy/SecretsManagerReadWrite",
        "arn:aws:iam::aws:policy/AmazonS3FullAccess",
        "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess",
        "arn:aws:iam::aws:policy/AmazonEC2FullAccess",
        "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole",
        "arn:aws:iam::aws:policy/AWSLambda_FullAccess",
        "arn:aws:iam::aws:policy/AmazonSSMReadOnlyAccess",
        "arn:aws:iam::aws:policy/AWSWAFFullAccess",
        "arn:aws:iam::aws:policy/AmazonGuardDutyFullAccess",
        "arn:aws:iam::aws:policy/AWSSecurityHubFullAccess",
        "arn:aws:iam::aws:policy/job-function/ViewOnlyAccess",
    ];

    #[test]
    fn every_required_policy_is_in_the_catalog() {
        for arn in REQUIRED {
            assert!(find(arn).is_some(), "{arn} is missing");
        }
    }

    #[test]
    fn an_unknown_aws_policy_arn_is_not_found() {
        assert!(find("arn:aws:iam::aws:policy/NoSuchPolicy").is_none());
        assert!(find("arn:aws:iam::aws:policy/AWSLambdaBasicExecutionRole").is_none(), "its path is /service-role/");
    }

    #[test]
    fn every_document_parses_as_an_identity_policy() {
        for policy in CATALOG {
            if let Err(e) = policy::parse_policy(policy.document, PolicyType::Identity) {
                panic!("{}: {}", policy.name, e.message());
            }
        }
    }

    #[test]
    fn documents_are_complete_json_with_the_2012_version() {
        for policy in CATALOG {
            let document: serde_json::Value = serde_json::from_str(policy.document).unwrap();
            assert_eq!(document["Version"], "2012-10-17", "{}", policy.name);
            assert!(!document["Statement"].as_array().unwrap().is_empty(), "{}", policy.name);
        }
    }

    #[test]
    fn the_large_job_function_documents_are_whole() {
        let actions = |name: &str| {
            let policy = CATALOG.iter().find(|p| p.name == name).unwrap();
            let document: serde_json::Value = serde_json::from_str(policy.document).unwrap();
            document["Statement"].as_array().unwrap().iter().map(|s| s["Action"].as_array().map_or(1, Vec::len)).sum::<usize>()
        };
        assert!(actions("ReadOnlyAccess") > 3000);
        assert!(actions("SecurityAudit") > 1000);
    }

    #[test]
    fn names_and_ids_are_unique_and_ids_are_iam_policy_ids() {
        let mut names = std::collections::HashSet::new();
        let mut ids = std::collections::HashSet::new();
        for policy in CATALOG {
            assert!(names.insert(policy.name), "{} twice", policy.name);
            assert!(ids.insert(policy.id), "{} twice", policy.id);
            assert!(policy.id.starts_with("ANPA") && policy.id.len() == 21, "{}", policy.id);
            assert!(policy.id.bytes().all(|b| b.is_ascii_uppercase() || b.is_ascii_digit()), "{}", policy.id);
        }
    }

    #[test]
    fn versions_and_dates_are_well_formed() {
        for policy in CATALOG {
            let number = policy.default_version_id.strip_prefix('v').and_then(|n| n.parse::<u32>().ok());
            assert!(number.is_some_and(|n| n >= 1), "{}: {}", policy.name, policy.default_version_id);
            let created = wire::timestamp::parse_iso8601(policy.created).unwrap();
            let updated = wire::timestamp::parse_iso8601(policy.updated).unwrap();
            assert!(created <= updated, "{}", policy.name);
            assert!(policy.path.starts_with('/') && policy.path.ends_with('/'), "{}", policy.name);
        }
    }
}
