//! Reading old catalog versions for the admin pages: a bundle's document at one version (items
//! already have [`Store::item_version`]).

use tongban_domain::catalog::Bundle;

use crate::{Result, Store, StoreError, on_pool};

impl Store {
    /// One version of a bundle, as it was imported.
    pub async fn bundle_version(&self, code: &str, version: i64) -> Result<Option<Bundle>> {
        let doc: Option<String> = on_pool!(self, pool => sqlx::query_scalar(
            "SELECT document FROM bundle_versions WHERE bundle_code = $1 AND version = $2",
        ).bind(code).bind(version).fetch_optional(pool).await?);
        doc.as_deref()
            .map(|d| serde_json::from_str(d).map_err(|e| StoreError::Corrupt(e.to_string())))
            .transpose()
    }
}
