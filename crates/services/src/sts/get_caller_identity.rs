use gateway::{Reply, RequestContext};
use serde_json::json;

/// Who the caller is. As in AWS, it needs no permission: even a principal denied everything
/// may ask.
pub fn get_caller_identity(ctx: &RequestContext) -> Reply {
    let principal = &ctx.principal;
    Reply::new(json!({
        "UserId": principal.user_id,
        "Account": principal.account,
        "Arn": principal.arn,
    }))
}
