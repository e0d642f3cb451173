//! Unit tests' SQLite store: a new database file in its own directory, migrated
//! and never ANALYZEd (the state of any installation fed only by intake).

use std::path::PathBuf;

use crate::db::Store;

pub(crate) struct FreshSqlite {
    pub(crate) store: Store,
    dir: PathBuf,
}

impl FreshSqlite {
    /// Open a new database in a directory named after `label`.
    pub(crate) async fn open(label: &str) -> Self {
        let dir = std::env::temp_dir().join(format!(
            "govpulse-{label}-{}-{}",
            std::process::id(),
            govpulse_core::time::now_ms()
        ));
        let store = Store::open(&format!("sqlite://{}/test.db", dir.display()))
            .await
            .expect("open a fresh SQLite store");
        Self { store, dir }
    }

    /// Close the store and remove its directory.
    pub(crate) async fn close(self) {
        self.store.close().await;
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}
