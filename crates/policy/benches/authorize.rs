//! Policy evaluation for a principal with 10 managed policies of 10 statements each: the
//! median time per `authorize` call (target: under 10 µs). Run with
//! `cargo bench -p policy --bench authorize`.

use std::time::Instant;

use policy::authorizer::NamedPolicy;
use policy::{authorize, parse_policy, Caller, PolicySet, PolicyType, Request, RequestContext};

fn managed_policy(n: usize) -> NamedPolicy {
    let statements: Vec<String> = (0..10)
        .map(|i| {
            format!(
                r#"{{"Sid":"S{n}x{i}","Effect":"Allow","Action":["s3:Get*","s3:List*","ec2:Describe*","svc{n}{i}:Do*"],"Resource":["arn:aws:s3:::bucket-{n}-{i}/*","arn:aws:s3:::home/${{aws:username}}/*"],"Condition":{{"StringEquals":{{"aws:RequestedRegion":["eu-west-1","us-east-1"]}},"IpAddress":{{"aws:SourceIp":"203.0.113.0/24"}}}}}}"#
            )
        })
        .collect();
    let text = format!(
        r#"{{"Version":"2012-10-17","Statement":[{}]}}"#,
        statements.join(",")
    );
    NamedPolicy::new(
        &format!("policy-{n}"),
        parse_policy(&text, PolicyType::Identity).unwrap(),
    )
}

fn main() {
    let set = PolicySet {
        identity_policies: (0..10).map(managed_policy).collect(),
        ..PolicySet::default()
    };
    let request = Request::new(
        Caller::User {
            arn: "arn:aws:iam::111122223333:user/alice".into(),
        },
        "s3:GetObject",
        "arn:aws:s3:::home/alice/notes.txt",
    )
    .unwrap()
    .with_context(
        RequestContext::new()
            .with("aws:username", "alice")
            .with("aws:RequestedRegion", "eu-west-1")
            .with("aws:SourceIp", "203.0.113.9"),
    );
    assert!(authorize(&request, &set).is_allowed());
    let mut samples = Vec::new();
    for _ in 0..200 {
        let start = Instant::now();
        for _ in 0..100 {
            std::hint::black_box(authorize(std::hint::black_box(&request), &set));
        }
        samples.push(start.elapsed().as_nanos() as f64 / 100.0);
    }
    samples.sort_by(|a, b| a.partial_cmp(b).unwrap());
    let median = samples[samples.len() / 2];
    println!("median per authorize, 10 managed policies of 10 statements: {:.2} µs (target < 10 µs)", median / 1000.0);
}
