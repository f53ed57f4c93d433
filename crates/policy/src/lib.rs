//! Palisade's IAM policy engine: the policy language, one policy's evaluation against a
//! request, AWS's evaluation logic across every policy type, and the policy simulator's
//! account of a decision.
//!
//! The modules follow the shape of the language's life: [`ast`] is what a policy says,
//! [`parser`] turns JSON into it (refusing what IAM refuses, with IAM's messages),
//! [`evaluator`] judges one policy against one [`context::Request`], [`authorizer`]
//! combines the policy types as AWS documents, and [`simulation`] reports the result in
//! the simulator's vocabulary. Everything is pure: no I/O, no clock, no store.

pub mod ast;
pub mod authorizer;
pub mod context;
pub mod evaluator;
pub mod parser;
pub mod simulation;

pub use ast::{PolicyDocument, PolicyType};
pub use authorizer::{authorize, Decision, DecisionKind, PolicyKind, PolicySet};
pub use context::{Caller, Request, RequestContext};
pub use parser::{parse_policy, PolicyError};
