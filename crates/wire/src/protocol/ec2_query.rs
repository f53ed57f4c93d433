//! ec2Query: awsQuery with EC2's own serialization names and response and error envelopes.
//! Input parameters are named `queryName`, else the capitalized `locationName` or member
//! name, and lists are always `Name.N`; responses have no Result wrapper, carry
//! `<requestId>` first and name list items `<item>`.

use serde_json::Value;

use super::{
    query::{self, FormDialect},
    xml::{self, XmlWriter},
    HttpRequest, HttpResponse,
};
use crate::{
    error::ApiError,
    model::{Operation, ServiceModel},
};

const CONTENT_TYPE: &str = "text/xml;charset=UTF-8";

/// Decodes an ec2Query request into the operation's canonical input.
pub fn decode_request(model: &ServiceModel, operation: &Operation, request: &HttpRequest<'_>) -> Result<Value, ApiError> {
    query::decode_form(model, operation, request, FormDialect::Ec2)
}

/// The namespace of EC2's responses: the model's `xmlNamespace` with the trailing slash EC2
/// answers with, else `http://ec2.amazonaws.com/doc/{apiVersion}/`.
fn response_namespace(model: &ServiceModel) -> std::borrow::Cow<'_, str> {
    match &model.metadata.xml_namespace {
        Some(namespace) if namespace.ends_with('/') => namespace.as_str().into(),
        Some(namespace) => format!("{namespace}/").into(),
        None => format!("http://ec2.amazonaws.com/doc/{}/", model.metadata.api_version).into(),
    }
}

/// Encodes `<OpResponse xmlns><requestId/>members</OpResponse>`.
pub fn encode_response(model: &ServiceModel, operation: &Operation, output: &Value, request_id: &str) -> HttpResponse {
    let mut w = XmlWriter::with_capacity(512);
    w.start_open_suffixed(&operation.name, "Response");
    w.attribute("xmlns", &response_namespace(model));
    w.end_open();
    w.leaf("requestId", request_id);
    if let Some(output_ref) = &operation.output {
        xml::write_members(&mut w, model, model.shape(&output_ref.shape), output, xml::EC2_NAMING);
    }
    w.close_suffixed(&operation.name, "Response");
    query::xml_response(200, CONTENT_TYPE, w)
}

/// Encodes `<Response><Errors><Error><Code/><Message/></Error></Errors><RequestID/></Response>`.
pub fn encode_error(model: Option<&ServiceModel>, error: &ApiError, request_id: &str) -> HttpResponse {
    let mut w = XmlWriter::with_capacity(256);
    w.open("Response");
    w.open("Errors");
    w.open("Error");
    query::write_error_body(&mut w, model, error, xml::EC2_NAMING);
    w.close("Error");
    w.close("Errors");
    w.leaf("RequestID", request_id);
    w.close("Response");
    query::xml_response(error.status, CONTENT_TYPE, w)
}
