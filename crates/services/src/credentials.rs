//! The credentials Palisade stores, for the gateway's authentication: IAM users' access keys
//! (`AKIA…`) and STS sessions (`ASIA…`).

use std::sync::Arc;

use gateway::principal::{CredentialSource, CredentialsFuture};
use store::{Sealer, Store};

use crate::{iam, sts};

pub struct StoredCredentials {
    store: Store,
    sealer: Arc<Sealer>,
}

impl StoredCredentials {
    pub fn new(store: Store, sealer: Arc<Sealer>) -> Self {
        StoredCredentials { store, sealer }
    }
}

impl CredentialSource for StoredCredentials {
    fn lookup<'a>(&'a self, access_key_id: &'a str, session_token: Option<&'a str>) -> CredentialsFuture<'a> {
        Box::pin(async move {
            if access_key_id.starts_with("ASIA") {
                sts::sessions::lookup(&self.store, &self.sealer, access_key_id, session_token).await
            } else {
                iam::access_keys::lookup(&self.store, &self.sealer, access_key_id).await
            }
        })
    }
}
