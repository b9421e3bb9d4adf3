//! The state store the configuration names, chosen at run time.

use super::{
    MigrationRecord, MysqlStateStore, PostgresStateStore, SqliteStateStore, StateError, StateLock,
    StateStore, Target,
};
use crate::config::{StateBackend, StateConfig};
use std::path::Path;
use std::time::Duration;

/// One of the state stores, picked by [`StateConfig::backend`].
#[derive(Debug, Clone)]
pub enum AnyStateStore {
    Postgres(PostgresStateStore),
    Mysql(MysqlStateStore),
    Sqlite(SqliteStateStore),
}

impl AnyStateStore {
    /// Connects to the configured store; `root` is the project root a SQLite path is relative
    /// to (the file and its folder are created when missing). Does not create the tables: call
    /// [`StateStore::ensure_tables`].
    pub async fn connect(config: &StateConfig, root: &Path) -> Result<AnyStateStore, StateError> {
        let url = config.database_url(root)?;
        Ok(match config.backend {
            StateBackend::Postgresql => AnyStateStore::Postgres(
                PostgresStateStore::connect(url.expose(), &config.schema).await?,
            ),
            StateBackend::Mysql => {
                AnyStateStore::Mysql(MysqlStateStore::connect(url.expose()).await?)
            }
            StateBackend::Sqlite => {
                AnyStateStore::Sqlite(SqliteStateStore::connect(url.expose()).await?)
            }
        })
    }
}

/// Calls `$method` on whichever store `$self` is.
macro_rules! delegate {
    ($self:ident, $store:ident => $call:expr) => {
        match $self {
            AnyStateStore::Postgres($store) => $call,
            AnyStateStore::Mysql($store) => $call,
            AnyStateStore::Sqlite($store) => $call,
        }
    };
}

impl StateStore for AnyStateStore {
    fn describe(&self) -> String {
        delegate!(self, store => store.describe())
    }

    async fn ensure_tables(&self) -> Result<(), StateError> {
        delegate!(self, store => store.ensure_tables().await)
    }

    async fn records(&self, target: &Target) -> Result<Vec<MigrationRecord>, StateError> {
        delegate!(self, store => store.records(target).await)
    }

    async fn next_batch(&self, target: &Target) -> Result<i64, StateError> {
        delegate!(self, store => store.next_batch(target).await)
    }

    async fn record(&self, record: &MigrationRecord) -> Result<(), StateError> {
        delegate!(self, store => store.record(record).await)
    }

    async fn history(&self, target: &Target) -> Result<Vec<MigrationRecord>, StateError> {
        delegate!(self, store => store.history(target).await)
    }

    async fn lock(&self, target: &Target, timeout: Duration) -> Result<StateLock, StateError> {
        delegate!(self, store => store.lock(target, timeout).await)
    }

    async fn unlock(&self, lock: StateLock) -> Result<(), StateError> {
        delegate!(self, store => store.unlock(lock).await)
    }
}
