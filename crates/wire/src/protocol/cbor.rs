//! CBOR (RFC 8949) encoding and decoding of canonical values, for Smithy RPC v2 CBOR.
