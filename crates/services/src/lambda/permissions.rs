//! A function's resource-based policy: AddPermission adds a statement, RemovePermission takes
//! one out, GetPolicy shows the document. The authorizer judges calls on the function with it.

use gateway::{Reply, RequestContext};
use serde_json::{json, Map, Value};
use store::Store;
use wire::ApiError;

use super::{
    error,
    records::{self, FunctionRef, StoredFunction},
    store_error,
};
use crate::input::{required, text};

/// AWS's limit on a function policy's size.
const MAX_POLICY_BYTES: usize = 20_480;

async fn load(store: &Store, ctx: &RequestContext, input: &Value) -> Result<StoredFunction, ApiError> {
    let mut reference = FunctionRef::parse(required(input, "FunctionName")?, ctx.account(), &ctx.region)?;
    if let Some(qualifier) = text(input, "Qualifier") {
        reference.qualifier = Some(qualifier.to_owned());
    }
    let mut tx = store.begin().await.map_err(store_error)?;
    records::load(&mut tx, &reference).await
}

fn statements(function: &StoredFunction) -> Vec<Value> {
    function
        .policy
        .as_deref()
        .and_then(|p| serde_json::from_str::<Value>(p).ok())
        .and_then(|p| p.get("Statement").and_then(Value::as_array).cloned())
        .unwrap_or_default()
}

fn policy_document(statements: Vec<Value>) -> String {
    json!({ "Version": "2012-10-17", "Id": "default", "Statement": statements }).to_string()
}

/// The principal element for AddPermission's `Principal`: a service, an account, `*` or an ARN.
fn principal_element(principal: &str) -> Value {
    if principal == "*" {
        json!("*")
    } else if principal.len() == 12 && principal.bytes().all(|b| b.is_ascii_digit()) {
        json!({ "AWS": format!("arn:aws:iam::{principal}:root") })
    } else if principal.starts_with("arn:") {
        json!({ "AWS": principal })
    } else {
        json!({ "Service": principal })
    }
}

pub async fn add_permission(store: &Store, ctx: &RequestContext, input: Value) -> Result<Reply, ApiError> {
    let mut function = load(store, ctx, &input).await?;
    if function.builtin {
        return Err(error("InvalidParameterValueException", format!("{} is a Palisade built-in function and cannot be changed or deleted.", function.name)));
    }
    if let Some(revision) = text(&input, "RevisionId").filter(|r| *r != function.revision_id) {
        return Err(error("PreconditionFailedException", format!("The Revision Id provided does not match the latest Revision Id ({revision} is not current). Call the GetPolicy API to retrieve the latest Revision Id")));
    }
    let sid = required(&input, "StatementId")?;
    let action = required(&input, "Action")?;
    let principal = required(&input, "Principal")?;
    let mut statements = statements(&function);
    if statements.iter().any(|s| s["Sid"] == sid) {
        return Err(error(
            "ResourceConflictException",
            "The statement id (sid) provided already exists. Please provide a new statement id, or remove the existing statement.",
        ));
    }
    let mut conditions = Map::new();
    if let Some(source_arn) = text(&input, "SourceArn") {
        conditions.insert("ArnLike".into(), json!({ "AWS:SourceArn": source_arn }));
    }
    let mut equals = Map::new();
    if let Some(account) = text(&input, "SourceAccount") {
        equals.insert("AWS:SourceAccount".into(), json!(account));
    }
    if let Some(org) = text(&input, "PrincipalOrgID") {
        equals.insert("aws:PrincipalOrgID".into(), json!(org));
    }
    if let Some(token) = text(&input, "EventSourceToken") {
        equals.insert("lambda:EventSourceToken".into(), json!(token));
    }
    if !equals.is_empty() {
        conditions.insert("StringEquals".into(), Value::Object(equals));
    }
    let mut statement = json!({
        "Sid": sid,
        "Effect": "Allow",
        "Principal": principal_element(principal),
        "Action": action,
        "Resource": function.arn(),
    });
    if !conditions.is_empty() {
        statement["Condition"] = Value::Object(conditions);
    }
    statements.push(statement.clone());
    let document = policy_document(statements);
    if document.len() > MAX_POLICY_BYTES {
        return Err(error("PolicyLengthExceededException", "The final policy size is bigger than the limit."));
    }
    policy::parse_policy(&document, policy::PolicyType::Resource)
        .map_err(|e| error("InvalidParameterValueException", format!("The policy is not valid: {}", e.message())))?;
    function.policy = Some(document);
    function.revision_id = records::revision_id();
    let mut tx = store.begin().await.map_err(store_error)?;
    records::save(&mut tx, &function).await?;
    tx.commit().await.map_err(store_error)?;
    Ok(Reply::new(json!({ "Statement": statement.to_string() })).resource("AWS::Lambda::Function", function.arn()))
}

pub async fn remove_permission(store: &Store, ctx: &RequestContext, input: Value) -> Result<Reply, ApiError> {
    let mut function = load(store, ctx, &input).await?;
    if function.builtin {
        return Err(error("InvalidParameterValueException", format!("{} is a Palisade built-in function and cannot be changed or deleted.", function.name)));
    }
    let sid = required(&input, "StatementId")?;
    let mut statements = statements(&function);
    let before = statements.len();
    statements.retain(|s| s["Sid"] != sid);
    if statements.len() == before {
        return Err(error("ResourceNotFoundException", format!("Statement {sid} is not found in resource policy.")));
    }
    function.policy = (!statements.is_empty()).then(|| policy_document(statements));
    function.revision_id = records::revision_id();
    let mut tx = store.begin().await.map_err(store_error)?;
    records::save(&mut tx, &function).await?;
    tx.commit().await.map_err(store_error)?;
    Ok(Reply::new(json!({})).resource("AWS::Lambda::Function", function.arn()))
}

pub async fn get_policy(store: &Store, ctx: &RequestContext, input: Value) -> Result<Reply, ApiError> {
    let function = load(store, ctx, &input).await?;
    let policy = function.policy.clone().ok_or_else(|| error("ResourceNotFoundException", "The resource you requested does not exist."))?;
    Ok(Reply::new(json!({ "Policy": policy, "RevisionId": function.revision_id })))
}
