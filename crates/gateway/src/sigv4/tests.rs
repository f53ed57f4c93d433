//! Requests signed by botocore (testdata/generate.py) checked end to end.

use base64::Engine;
use hyper::http::{HeaderMap, HeaderName, HeaderValue};
use serde_json::Value;

use super::*;

const VECTORS: &str = include_str!("testdata/vectors.json");
const SECRET: &str = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
/// 2024-01-01T00:00:00Z, when every vector was signed.
const SIGNED_AT: f64 = 1_704_067_200.0;

/// One vector as owned parts, so tests can change any of them before verifying.
#[derive(Clone)]
struct Vector {
    method: String,
    path: String,
    query: String,
    headers: HeaderMap,
    body: Vec<u8>,
    decoded: Option<Vec<u8>>,
    trailers: Vec<(String, String)>,
}

impl Vector {
    fn named(name: &str) -> Vector {
        all_vectors()
            .into_iter()
            .find(|(n, _)| n == name)
            .unwrap_or_else(|| panic!("no vector {name}"))
            .1
    }

    fn request(&self) -> SignedRequest<'_> {
        SignedRequest {
            method: &self.method,
            path: &self.path,
            query: &self.query,
            headers: &self.headers,
            body: &self.body,
        }
    }

    fn verify_at(&self, secret: &str, now: f64) -> Result<Verified<'_>, SigV4Error> {
        let req = self.request();
        let sig = parse(&req)?.expect("the vector is signed");
        verify(&sig, &req, secret, now, &SigningKeyCache::new())
    }

    fn verify(&self) -> Result<Verified<'_>, SigV4Error> {
        self.verify_at(SECRET, SIGNED_AT)
    }

    fn set_header(&mut self, name: &str, value: &str) {
        self.headers.insert(
            HeaderName::from_bytes(name.as_bytes()).unwrap(),
            HeaderValue::from_str(value).unwrap(),
        );
    }

    fn header(&self, name: &str) -> String {
        self.headers[name].to_str().unwrap().to_owned()
    }
}

fn all_vectors() -> Vec<(String, Vector)> {
    let root: Value = serde_json::from_str(VECTORS).unwrap();
    let b64 = |v: &Value| {
        base64::engine::general_purpose::STANDARD
            .decode(v.as_str().unwrap())
            .unwrap()
    };
    root["vectors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| {
            let mut headers = HeaderMap::new();
            for pair in v["headers"].as_array().unwrap() {
                headers.append(
                    HeaderName::from_bytes(
                        pair[0].as_str().unwrap().to_ascii_lowercase().as_bytes(),
                    )
                    .unwrap(),
                    HeaderValue::from_str(pair[1].as_str().unwrap()).unwrap(),
                );
            }
            let trailers = v["trailers"]
                .as_array()
                .map(|list| {
                    list.iter()
                        .map(|p| {
                            (
                                p[0].as_str().unwrap().to_owned(),
                                p[1].as_str().unwrap().to_owned(),
                            )
                        })
                        .collect()
                })
                .unwrap_or_default();
            let vector = Vector {
                method: v["method"].as_str().unwrap().to_owned(),
                path: v["path"].as_str().unwrap().to_owned(),
                query: v["query"].as_str().unwrap().to_owned(),
                headers,
                body: b64(&v["body_base64"]),
                decoded: v.get("decoded_base64").map(b64),
                trailers,
            };
            (v["name"].as_str().unwrap().to_owned(), vector)
        })
        .collect()
}

fn assert_accepted(name: &str) -> Vector {
    let vector = Vector::named(name);
    if let Err(e) = vector.verify() {
        panic!("{name} refused: {e:?}");
    }
    vector
}

// Accepted as botocore signed them.

#[test]
fn kms_json_post_is_accepted() {
    assert_accepted("kms_json_post");
}

#[test]
fn sts_form_post_is_accepted() {
    assert_accepted("sts_query_post");
}

#[test]
fn session_token_header_is_accepted_and_reported() {
    let vector = assert_accepted("sts_query_post_with_session_token");
    let sig = parse(&vector.request()).unwrap().unwrap();
    assert_eq!(
        sig.session_token.as_deref(),
        Some("FwoGZXIvYXdzEXAMPLESESSIONTOKEN//+==")
    );
    assert_eq!(sig.region, "eu-west-1");
}

#[test]
fn date_header_dates_a_request_without_x_amz_date() {
    let vector = assert_accepted("sts_query_post_dated_by_date_header");
    assert_eq!(
        parse(&vector.request()).unwrap().unwrap().request_time,
        SIGNED_AT
    );
}

#[test]
fn query_with_spaces_unicode_repeated_keys_and_empty_values_is_accepted() {
    assert_accepted("iam_get_with_odd_query");
}

#[test]
fn s3_path_with_encoded_characters_is_signed_as_sent() {
    assert_accepted("s3_put_with_encoded_path");
}

#[test]
fn unsigned_payload_is_accepted_with_any_body() {
    let mut vector = Vector::named("s3_get_unsigned_payload");
    vector.body = b"not what was sent".to_vec();
    assert!(vector.verify().is_ok());
}

#[test]
fn presigned_s3_get_is_accepted_with_its_session_token() {
    let vector = assert_accepted("s3_presigned_get");
    let sig = parse(&vector.request()).unwrap().unwrap();
    assert_eq!(
        sig.kind,
        SignatureKind::Presigned {
            expires_seconds: 3600
        }
    );
    assert_eq!(
        sig.session_token.as_deref(),
        Some("FwoGZXIvYXdzEXAMPLESESSIONTOKEN//+==")
    );
}

#[test]
fn presigned_sts_query_is_accepted() {
    assert_accepted("sts_presigned_query");
}

#[test]
fn signed_chunked_upload_decodes_to_the_uploaded_data() {
    let vector = assert_accepted("s3_streaming_signed_chunks");
    let verified = vector.verify().unwrap();
    assert_eq!(verified.body.as_ref(), vector.decoded.as_deref().unwrap());
    assert!(verified.trailers.is_empty());
}

#[test]
fn signed_chunked_upload_with_signed_trailer_returns_the_trailer() {
    let vector = assert_accepted("s3_streaming_signed_chunks_with_trailer");
    let verified = vector.verify().unwrap();
    assert_eq!(verified.body.as_ref(), vector.decoded.as_deref().unwrap());
    assert_eq!(verified.trailers, vector.trailers);
}

#[test]
fn unsigned_trailer_upload_decodes_and_returns_the_checksum() {
    let vector = assert_accepted("s3_streaming_unsigned_trailer");
    let verified = vector.verify().unwrap();
    assert_eq!(verified.body.as_ref(), vector.decoded.as_deref().unwrap());
    assert_eq!(verified.trailers, vector.trailers);
}

#[test]
fn headers_added_after_signing_do_not_matter() {
    let mut vector = Vector::named("kms_json_post");
    vector.set_header("x-forwarded-for", "10.0.0.1");
    assert!(vector.verify().is_ok());
}

// Parsing, before any secret is known.

#[test]
fn parse_reads_the_credential_scope() {
    let vector = Vector::named("kms_json_post");
    let sig = parse(&vector.request()).unwrap().unwrap();
    assert_eq!(sig.access_key_id, "AKIDEXAMPLE");
    assert_eq!(sig.scope_date, "20240101");
    assert_eq!(sig.region, "us-east-1");
    assert_eq!(sig.service, "kms");
    assert_eq!(
        sig.signed_headers,
        "content-type;host;x-amz-date;x-amz-target"
    );
    assert_eq!(sig.kind, SignatureKind::Header);
    assert_eq!(sig.request_time, SIGNED_AT);
    assert_eq!(sig.session_token, None);
}

#[test]
fn request_without_sigv4_parses_to_none() {
    let mut vector = Vector::named("kms_json_post");
    vector.headers.remove("authorization");
    assert_eq!(parse(&vector.request()), Ok(None));
}

#[test]
fn authorization_header_without_parts_lists_what_is_missing() {
    let mut vector = Vector::named("kms_json_post");
    vector.headers.remove("x-amz-date");
    vector.set_header("authorization", "Bearer abc");
    assert_eq!(
        parse(&vector.request()).unwrap_err().message(false),
        "Authorization header requires 'Credential' parameter. Authorization header requires \
         'Signature' parameter. Authorization header requires 'SignedHeaders' parameter. \
         Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. \
         Authorization=Bearer abc"
    );
}

#[test]
fn authorization_header_missing_only_the_signature_names_just_that() {
    let mut vector = Vector::named("kms_json_post");
    let header = vector.header("authorization");
    let without_signature = &header[..header.find(", Signature=").unwrap()];
    vector.set_header("authorization", without_signature);
    let error = parse(&vector.request()).unwrap_err();
    assert_eq!(
        error.message(true),
        format!("Authorization header requires 'Signature' parameter. Authorization={without_signature}")
    );
    assert_eq!(
        (error.code(true), error.code(false), error.status(true)),
        ("IncompleteSignature", "IncompleteSignatureException", 400)
    );
}

#[test]
fn authorization_part_without_equal_sign_is_named() {
    let mut vector = Vector::named("kms_json_post");
    let header = vector
        .header("authorization")
        .replacen("SignedHeaders=", "SignedHeaders:", 1);
    vector.set_header("authorization", &header);
    let message = parse(&vector.request()).unwrap_err().message(false);
    assert!(
        message.contains("not a valid key=value pair (missing equal-sign) in Authorization header"),
        "{message}"
    );
}

#[test]
fn space_inside_the_credential_is_a_part_without_equal_sign() {
    let mut vector = Vector::named("kms_json_post");
    let header = vector
        .header("authorization")
        .replace("AKIDEXAMPLE/", "AKIDEXAMPLE /");
    vector.set_header("authorization", &header);
    let message = parse(&vector.request()).unwrap_err().message(false);
    assert!(
        message.starts_with("'/20240101/us-east-1/kms/aws4_request' not a valid key=value pair"),
        "{message}"
    );
}

#[test]
fn debug_output_leaves_out_the_session_token() {
    let vector = Vector::named("s3_presigned_get");
    let sig = parse(&vector.request()).unwrap().unwrap();
    assert!(!format!("{sig:?}").contains("EXAMPLESESSIONTOKEN"));
}

#[test]
fn presigned_query_without_parts_lists_what_is_missing() {
    let mut vector = Vector::named("sts_presigned_query");
    vector.query =
        "Action=GetCallerIdentity&X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Date=20240101T000000Z"
            .to_owned();
    assert_eq!(
        parse(&vector.request()).unwrap_err().message(true),
        "AWS query-string parameters must include 'X-Amz-Credential'. AWS query-string parameters \
         must include 'X-Amz-Signature'. AWS query-string parameters must include \
         'X-Amz-SignedHeaders'. Re-examine the query-string parameters."
    );
}

#[test]
fn sigv4a_is_an_unsupported_algorithm() {
    let mut vector = Vector::named("kms_json_post");
    let header = vector
        .header("authorization")
        .replace("AWS4-HMAC-SHA256", "AWS4-ECDSA-P256-SHA256");
    vector.set_header("authorization", &header);
    assert_eq!(
        parse(&vector.request()),
        Err(SigV4Error::UnsupportedAlgorithm(
            "AWS4-ECDSA-P256-SHA256".to_owned()
        ))
    );
}

#[test]
fn header_and_presigned_signatures_together_are_refused() {
    let mut vector = Vector::named("s3_presigned_get");
    vector.set_header(
        "authorization",
        &Vector::named("kms_json_post").header("authorization"),
    );
    assert!(matches!(
        parse(&vector.request()),
        Err(SigV4Error::IncompleteSignature(_))
    ));
}

#[test]
fn credential_with_another_terminator_is_refused() {
    let mut vector = Vector::named("kms_json_post");
    let header = vector
        .header("authorization")
        .replace("/aws4_request", "/aws5_request");
    vector.set_header("authorization", &header);
    assert_eq!(
        parse(&vector.request()).unwrap_err().message(false),
        "Credential should be scoped with a valid terminator: 'aws4_request', not 'aws5_request'."
    );
}

#[test]
fn credential_without_a_region_is_malformed() {
    let mut vector = Vector::named("kms_json_post");
    let header = vector
        .header("authorization")
        .replace("/us-east-1/kms/", "/kms/");
    vector.set_header("authorization", &header);
    assert!(parse(&vector.request())
        .unwrap_err()
        .message(true)
        .contains("the Credential is mal-formed"));
}

#[test]
fn x_amz_date_not_in_basic_format_is_refused() {
    let mut vector = Vector::named("kms_json_post");
    vector.set_header("x-amz-date", "2024-01-01T00:00:00Z");
    assert!(parse(&vector.request())
        .unwrap_err()
        .message(false)
        .starts_with("Date must be in ISO-8601 'basic format'"));
}

#[test]
fn presigned_expiry_beyond_a_week_is_refused() {
    let mut vector = Vector::named("sts_presigned_query");
    vector.query = vector
        .query
        .replace("X-Amz-Expires=900", "X-Amz-Expires=604801");
    assert_eq!(
        parse(&vector.request()).unwrap_err().message(true),
        "X-Amz-Expires must be less than a week (in seconds) that is 604800"
    );
}

#[test]
fn signed_headers_named_twice_are_refused() {
    let mut vector = Vector::named("kms_json_post");
    let header = vector
        .header("authorization")
        .replace("SignedHeaders=", "SignedHeaders=content-type;");
    vector.set_header("authorization", &header);
    assert!(matches!(
        parse(&vector.request()),
        Err(SigV4Error::IncompleteSignature(_))
    ));
}

#[test]
fn signature_that_is_not_hex_does_not_match() {
    let mut vector = Vector::named("kms_json_post");
    let header = vector.header("authorization");
    vector.set_header(
        "authorization",
        &format!("{}zz", &header[..header.len() - 2]),
    );
    assert_eq!(
        parse(&vector.request()),
        Err(SigV4Error::SignatureDoesNotMatch)
    );
}

// One character changed after signing.

#[test]
fn every_vector_is_refused_with_another_secret() {
    let other_secret = SECRET.replacen('w', "W", 1);
    for (name, vector) in all_vectors() {
        assert_eq!(
            vector.verify_at(&other_secret, SIGNED_AT),
            Err(SigV4Error::SignatureDoesNotMatch),
            "{name}"
        );
    }
}

#[test]
fn changed_json_body_does_not_match() {
    let mut vector = Vector::named("kms_json_post");
    vector.body[10] ^= 1;
    assert_eq!(vector.verify(), Err(SigV4Error::SignatureDoesNotMatch));
}

#[test]
fn changed_form_body_does_not_match() {
    let mut vector = Vector::named("sts_query_post");
    vector.body[0] = b'B';
    assert_eq!(vector.verify(), Err(SigV4Error::SignatureDoesNotMatch));
}

#[test]
fn s3_body_differing_from_x_amz_content_sha256_is_a_content_mismatch() {
    let mut vector = Vector::named("s3_put_with_encoded_path");
    vector.body[0] ^= 1;
    let error = vector.verify().unwrap_err();
    assert_eq!(error, SigV4Error::ContentSha256Mismatch);
    assert_eq!(error.code(true), "XAmzContentSHA256Mismatch");
    assert_eq!(
        error.message(true),
        "The provided 'x-amz-content-sha256' header does not match what was computed."
    );
}

#[test]
fn changed_signed_header_does_not_match() {
    let mut vector = Vector::named("kms_json_post");
    vector.set_header("x-amz-target", "TrentService.Decrypt");
    assert_eq!(vector.verify(), Err(SigV4Error::SignatureDoesNotMatch));
}

#[test]
fn changed_whitespace_inside_a_signed_header_still_matches() {
    let mut vector = Vector::named("s3_put_with_encoded_path");
    vector.set_header("x-amz-meta-caption", "sunset over the bay");
    assert!(vector.verify().is_ok());
}

#[test]
fn changed_path_does_not_match() {
    let mut vector = Vector::named("s3_put_with_encoded_path");
    vector.path = vector.path.replace("%21", "%22");
    assert_eq!(vector.verify(), Err(SigV4Error::SignatureDoesNotMatch));
}

#[test]
fn changed_query_does_not_match() {
    let mut vector = Vector::named("iam_get_with_odd_query");
    vector.query = vector.query.replace("Tag=a", "Tag=c");
    assert_eq!(vector.verify(), Err(SigV4Error::SignatureDoesNotMatch));
}

#[test]
fn reordered_query_still_matches() {
    let mut vector = Vector::named("iam_get_with_odd_query");
    let mut pairs: Vec<&str> = vector.query.split('&').collect();
    pairs.reverse();
    vector.query = pairs.join("&");
    assert!(vector.verify().is_ok());
}

#[test]
fn changed_presigned_query_does_not_match() {
    let mut vector = Vector::named("sts_presigned_query");
    vector.query = vector
        .query
        .replace("Action=GetCallerIdentity", "Action=GetCallerIdentitz");
    assert_eq!(vector.verify(), Err(SigV4Error::SignatureDoesNotMatch));
}

#[test]
fn changed_presigned_expiry_does_not_match() {
    let mut vector = Vector::named("s3_presigned_get");
    vector.query = vector
        .query
        .replace("X-Amz-Expires=3600", "X-Amz-Expires=3601");
    assert_eq!(vector.verify(), Err(SigV4Error::SignatureDoesNotMatch));
}

#[test]
fn changed_chunk_data_does_not_match() {
    let mut vector = Vector::named("s3_streaming_signed_chunks");
    let at = vector.body.len() / 2;
    vector.body[at] ^= 1;
    assert_eq!(vector.verify(), Err(SigV4Error::SignatureDoesNotMatch));
}

#[test]
fn changed_signed_trailer_does_not_match() {
    let mut vector = Vector::named("s3_streaming_signed_chunks_with_trailer");
    let at = vector.body.windows(4).position(|w| w == b"sOO8").unwrap();
    vector.body[at] = b't';
    assert_eq!(vector.verify(), Err(SigV4Error::SignatureDoesNotMatch));
}

#[test]
fn chunked_body_truncated_before_the_final_chunk_is_malformed() {
    let mut vector = Vector::named("s3_streaming_signed_chunks");
    vector.body.truncate(70_000);
    assert!(matches!(
        vector.verify(),
        Err(SigV4Error::MalformedChunk(_))
    ));
}

#[test]
fn chunk_size_larger_than_the_body_is_malformed_without_allocating_it() {
    let mut vector = Vector::named("s3_streaming_signed_chunks");
    let signature_at = vector.body.iter().position(|&b| b == b';').unwrap();
    let mut body = b"ffffffffffffffff".to_vec();
    body.extend_from_slice(&vector.body[signature_at..]);
    vector.body = body;
    assert_eq!(
        vector.verify(),
        Err(SigV4Error::MalformedChunk(
            "a chunk is longer than the body"
        ))
    );
}

#[test]
fn decoded_length_other_than_declared_is_malformed() {
    let mut vector = Vector::named("s3_streaming_unsigned_trailer");
    vector.body = b"3\r\nabc\r\n0\r\nx-amz-checksum-crc32:NSRBwg==\r\n\r\n".to_vec();
    assert!(matches!(
        vector.verify(),
        Err(SigV4Error::MalformedChunk(_))
    ));
}

#[test]
fn presigned_query_for_a_service_other_than_s3_signs_the_body() {
    let mut vector = Vector::named("sts_presigned_query");
    vector.body = b"Action=CreateUser".to_vec();
    assert_eq!(vector.verify(), Err(SigV4Error::SignatureDoesNotMatch));
}

#[test]
fn content_sha256_that_is_neither_mode_nor_hash_is_invalid() {
    let mut vector = Vector::named("s3_put_with_encoded_path");
    vector.set_header("x-amz-content-sha256", "SOMETHING-ELSE");
    let error = vector.verify().unwrap_err();
    assert_eq!(
        (error.code(true), error.status(true)),
        ("InvalidArgument", 400)
    );
}

// Time.

#[test]
fn header_signed_request_fifteen_minutes_old_is_accepted() {
    assert!(Vector::named("kms_json_post")
        .verify_at(SECRET, SIGNED_AT + 900.0)
        .is_ok());
}

#[test]
fn header_signed_request_fifteen_minutes_ahead_is_accepted() {
    assert!(Vector::named("kms_json_post")
        .verify_at(SECRET, SIGNED_AT - 900.0)
        .is_ok());
}

#[test]
fn header_signed_request_older_than_fifteen_minutes_is_too_skewed() {
    let error = Vector::named("sts_query_post")
        .verify_at(SECRET, SIGNED_AT + 901.0)
        .unwrap_err();
    assert_eq!(
        (error.code(true), error.status(true)),
        ("RequestTimeTooSkewed", 403)
    );
    assert_eq!(
        error.message(true),
        "The difference between the request time and the current time is too large."
    );
}

#[test]
fn json_service_reports_an_old_request_as_signature_expired() {
    let error = Vector::named("kms_json_post")
        .verify_at(SECRET, SIGNED_AT + 1200.0)
        .unwrap_err();
    assert_eq!(
        (error.code(false), error.status(false)),
        ("InvalidSignatureException", 400)
    );
    assert_eq!(
        error.message(false),
        "Signature expired: 20240101T000000Z is now earlier than 20240101T000500Z (20240101T002000Z - 15 min.)"
    );
}

#[test]
fn json_service_reports_a_future_request_as_not_yet_current() {
    let error = Vector::named("kms_json_post")
        .verify_at(SECRET, SIGNED_AT - 1200.0)
        .unwrap_err();
    assert_eq!(
        error.message(false),
        "Signature not yet current: 20240101T000000Z is still later than 20231231T235500Z (20231231T234000Z + 15 min.)"
    );
}

#[test]
fn presigned_url_is_accepted_until_the_last_second_of_its_expiry() {
    assert!(Vector::named("s3_presigned_get")
        .verify_at(SECRET, SIGNED_AT + 3600.0)
        .is_ok());
}

#[test]
fn presigned_url_after_its_expiry_has_expired() {
    let error = Vector::named("s3_presigned_get")
        .verify_at(SECRET, SIGNED_AT + 3601.0)
        .unwrap_err();
    assert_eq!(error, SigV4Error::RequestExpired);
    assert_eq!(
        (error.code(true), error.message(true).as_str()),
        ("RequestExpired", "Request has expired")
    );
}

#[test]
fn presigned_url_dated_in_the_future_is_too_skewed() {
    let error = Vector::named("s3_presigned_get")
        .verify_at(SECRET, SIGNED_AT - 901.0)
        .unwrap_err();
    assert!(matches!(error, SigV4Error::RequestTimeTooSkewed { .. }));
}

#[test]
fn clock_that_is_not_a_number_is_refused() {
    assert!(Vector::named("kms_json_post")
        .verify_at(SECRET, f64::NAN)
        .is_err());
    assert!(Vector::named("s3_presigned_get")
        .verify_at(SECRET, f64::NAN)
        .is_err());
}

#[test]
fn scope_date_other_than_the_request_date_is_refused() {
    let mut vector = Vector::named("kms_json_post");
    let header = vector
        .header("authorization")
        .replace("/20240101/", "/20240102/");
    vector.set_header("authorization", &header);
    let error = vector.verify().unwrap_err();
    assert_eq!(
        (error.code(true), error.status(true)),
        ("SignatureDoesNotMatch", 403)
    );
    assert_eq!(
        error.message(true),
        "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: \
         '20240102' != '20240101', from '20240101T000000Z'."
    );
}

// Error mapping.

#[test]
fn signature_mismatch_is_403_for_xml_services_and_400_for_json_services() {
    let error = SigV4Error::SignatureDoesNotMatch;
    assert_eq!(
        (error.code(true), error.status(true)),
        ("SignatureDoesNotMatch", 403)
    );
    assert_eq!(
        (error.code(false), error.status(false)),
        ("InvalidSignatureException", 400)
    );
    assert!(error
        .message(true)
        .starts_with("The request signature we calculated does not match"));
}

// Robustness.

#[test]
fn arbitrary_authorization_headers_never_panic() {
    let vector = Vector::named("kms_json_post");
    let header = vector.header("authorization");
    for cut in 0..header.len() {
        let mut changed = vector.clone();
        changed.set_header("authorization", &header[..cut]);
        if let Ok(Some(sig)) = parse(&changed.request()) {
            let _ = verify(
                &sig,
                &changed.request(),
                SECRET,
                SIGNED_AT,
                &SigningKeyCache::new(),
            );
        }
    }
}

#[test]
fn arbitrary_chunked_bodies_never_panic() {
    let vector = Vector::named("s3_streaming_signed_chunks_with_trailer");
    let tail = vector.body.len() - 200;
    for cut in (0..300).chain(tail..vector.body.len()) {
        let mut changed = vector.clone();
        changed.body.truncate(cut);
        let _ = changed.verify();
    }
}

#[test]
#[ignore = "timing: cargo test -p gateway --release sigv4 -- --ignored --nocapture"]
fn verify_takes_a_few_microseconds() {
    let vector = Vector::named("kms_json_post");
    let req = vector.request();
    let keys = SigningKeyCache::new();
    let rounds = 100_000;
    let start = std::time::Instant::now();
    for _ in 0..rounds {
        let sig = parse(&req).unwrap().unwrap();
        verify(&sig, &req, SECRET, SIGNED_AT, &keys).unwrap();
    }
    let per_call = start.elapsed() / rounds;
    println!("parse + verify of a header-signed JSON request: {per_call:?}");
}
