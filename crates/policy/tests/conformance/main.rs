//! Conformance suite: evaluation cases written from named sections of AWS's IAM User Guide.
//!
//! Each page of the guide has its own module of cases; each case names the document and
//! section it comes from. Every case runs through both `authorize` (enforcement) and
//! `simulate` (the policy simulator), which must agree.

mod harness;

mod boundaries;
mod condition_operators;
mod cross_account;
mod evaluation_logic;
mod kms_key_policies;
mod multi_value_conditions;
mod not_elements;
mod organizations;
mod principal;
mod session_policies;
mod trust_policies;
mod variables;
mod wildcards;

use harness::run;

#[test]
fn evaluation_logic_cases_conform() {
    run(
        "reference_policies_evaluation-logic.md",
        evaluation_logic::cases(),
    );
}

#[test]
fn cross_account_cases_conform() {
    run(
        "reference_policies_evaluation-logic-cross-account.md",
        cross_account::cases(),
    );
}

#[test]
fn permissions_boundary_cases_conform() {
    run("access_policies_boundaries.md", boundaries::cases());
}

#[test]
fn condition_operator_cases_conform() {
    run(
        "reference_policies_elements_condition_operators.md",
        condition_operators::cases(),
    );
}

#[test]
fn multi_value_condition_cases_conform() {
    run(
        "reference_policies_multi-value-conditions.md",
        multi_value_conditions::cases(),
    );
}

#[test]
fn policy_variable_cases_conform() {
    run("reference_policies_variables.md", variables::cases());
}

#[test]
fn not_action_not_resource_not_principal_cases_conform() {
    run("reference_policies_elements_not*.md", not_elements::cases());
}

#[test]
fn wildcard_cases_conform() {
    run(
        "reference_policies_elements_action.md / _resource.md",
        wildcards::cases(),
    );
}

#[test]
fn principal_cases_conform() {
    run(
        "reference_policies_elements_principal.md",
        principal::cases(),
    );
}

#[test]
fn organizations_policy_cases_conform() {
    run("orgs_manage_policies_scps / rcps", organizations::cases());
}

#[test]
fn kms_key_policy_cases_conform() {
    run("kms key-policies", kms_key_policies::cases());
}

#[test]
fn trust_policy_cases_conform() {
    run(
        "id_roles_compare-resource-policies.md",
        trust_policies::cases(),
    );
}

#[test]
fn session_policy_cases_conform() {
    run(
        "access_policies.md#policies_session",
        session_policies::cases(),
    );
}

#[test]
fn the_suite_has_at_least_300_cases() {
    let counts = [
        ("evaluation logic", evaluation_logic::cases().len()),
        ("cross-account", cross_account::cases().len()),
        ("boundaries", boundaries::cases().len()),
        ("condition operators", condition_operators::cases().len()),
        (
            "multi-value conditions",
            multi_value_conditions::cases().len(),
        ),
        ("variables", variables::cases().len()),
        (
            "NotAction/NotResource/NotPrincipal",
            not_elements::cases().len(),
        ),
        ("wildcards", wildcards::cases().len()),
        ("principal", principal::cases().len()),
        ("organizations (SCP/RCP)", organizations::cases().len()),
        ("KMS key policies", kms_key_policies::cases().len()),
        ("trust policies", trust_policies::cases().len()),
        ("session policies", session_policies::cases().len()),
    ];
    for (page, count) in counts {
        println!("{page}: {count}");
    }
    let total: usize = counts.iter().map(|(_, c)| c).sum();
    println!("total: {total}");
    assert!(total >= 300, "only {total} cases");
}
