//! `palisade ca export`: the installation root CA, for clients to trust.

use gateway::tls::InstallationCa;
use store::Sealer;

use crate::{cli::StorageOptions, storage};

pub fn export(options: StorageOptions) -> Result<(), String> {
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().map_err(|e| e.to_string())?;
    runtime.block_on(async {
        let (store, key) = storage::open(&options).await?;
        let ca = InstallationCa::load_or_create(&store, &Sealer::new(&key)).await.map_err(|e| e.to_string())?;
        print!("{}", ca.cert_pem);
        Ok(())
    })
}
