//! Input validation from the model: required members, types, enums, lengths, ranges and
//! patterns, with AWS's messages (`1 validation error detected: Value null at 'keyId' failed to
//! satisfy constraint: Member must not be null`).
