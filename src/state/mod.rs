//! The state store: which migration ran on which target schema, when, how long, with what
//! checksum and outcome — in PostgreSQL, MySQL/MariaDB, or an embedded SQLite file.
//!
//! One row per migration per target in `bfm_migrations`, and every attempt appended to
//! `bfm_migration_history`. Applies to one target are serialized by a lock held in the store
//! (PostgreSQL advisory lock, MySQL `GET_LOCK`, a lock row in SQLite).

use serde::{Deserialize, Serialize};
use std::future::Future;
use std::time::Duration;
use thiserror::Error;

mod any;
mod mysql;
mod postgres;
mod sql;
mod sqlite;

pub use any::AnyStateStore;
pub use mysql::MysqlStateStore;
pub use postgres::PostgresStateStore;
pub use sqlite::SqliteStateStore;

/// Where migrations are applied: a connection and the schema its SQL runs in (the fixed schema,
/// or one environment's schema of a per-environment connection).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Target {
    pub connection: String,
    pub schema: String,
}

impl std::fmt::Display for Target {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.connection, self.schema)
    }
}

/// A migration's state on one target. A migration with no row is pending.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MigrationStatus {
    /// Started and not known to have finished: the process died between starting and
    /// recording the outcome.
    Running,
    Applied,
    Failed,
    RolledBack,
}

impl MigrationStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            MigrationStatus::Running => "running",
            MigrationStatus::Applied => "applied",
            MigrationStatus::Failed => "failed",
            MigrationStatus::RolledBack => "rolled_back",
        }
    }

    pub fn parse(text: &str) -> Option<MigrationStatus> {
        match text {
            "running" => Some(MigrationStatus::Running),
            "applied" => Some(MigrationStatus::Applied),
            "failed" => Some(MigrationStatus::Failed),
            "rolled_back" => Some(MigrationStatus::RolledBack),
            _ => None,
        }
    }
}

/// One row of `bfm_migrations` (and, as an attempt, of `bfm_migration_history`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MigrationRecord {
    /// The file stem without `_down`, e.g. `core_users_20250101120000_create_users`.
    pub migration_id: String,
    pub target: Target,
    /// `postgresql`, `mysql`, `greptimedb`, `etcd`.
    pub backend: String,
    /// The table (or other object) a generated migration is about; empty for hand-written ones.
    pub table: String,
    /// `YYYYMMDDHHMMSS`.
    pub version: String,
    pub name: String,
    /// SHA-256 (hex) of the up file as applied.
    pub checksum: String,
    pub status: MigrationStatus,
    /// Migrations applied by one `bfm apply` share a batch number; `bfm down` undoes the last.
    pub batch: i64,
    /// When the attempt started, RFC 3339 in UTC.
    pub applied_at: String,
    pub execution_ms: i64,
    /// Statements that ran to completion (for a file run outside a transaction, how far it got).
    pub statements_done: i64,
    pub error: Option<String>,
}

/// Who holds a target's lock, as the waiting side reports it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LockHolder {
    pub host: String,
    pub pid: u32,
    /// RFC 3339 in UTC.
    pub since: String,
}

impl std::fmt::Display for LockHolder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "pid {} on {} since {}", self.pid, self.host, self.since)
    }
}

#[derive(Debug, Error)]
pub enum StateError {
    #[error("cannot reach the state store ({store}): {message}")]
    Unreachable { store: String, message: String },
    #[error("state store query failed: {0}")]
    Query(String),
    #[error("another apply holds the lock on {target}{}: gave up after {waited:?}", holder.as_ref().map(|h| format!(" ({h})")).unwrap_or_default())]
    LockTimeout {
        target: Target,
        holder: Option<LockHolder>,
        waited: Duration,
    },
    /// The configuration does not say how to reach the store (e.g. no host for a server).
    #[error(transparent)]
    Config(#[from] crate::config::ConfigError),
}

/// A held lock on one target; released by [`StateStore::unlock`] (and by the store when the
/// holding connection or process goes away).
#[derive(Debug)]
pub struct StateLock {
    pub target: Target,
    /// The backend's handle: the connection that holds an advisory lock or `GET_LOCK`, or the
    /// lock row's owner token for SQLite.
    pub(crate) handle: LockHandle,
}

/// Backend-specific lock handles.
#[derive(Debug)]
pub(crate) enum LockHandle {
    /// The connection holding `pg_advisory_lock` (closing it releases the lock) and the token
    /// of the `bfm_locks` row naming the holder.
    Postgres {
        connection: sqlx::postgres::PgConnection,
        token: String,
    },
    /// The connection holding `GET_LOCK(name)` (closing it releases the lock) and the token of
    /// the `bfm_locks` row naming the holder.
    Mysql {
        connection: sqlx::mysql::MySqlConnection,
        name: String,
        token: String,
    },
    /// The token written into this lock's `bfm_locks` row, so only its owner deletes it.
    Sqlite { token: String },
}

/// The current time as RFC 3339 in UTC, to the second (`2025-01-01T12:00:00Z`): the form of
/// [`MigrationRecord::applied_at`] and [`LockHolder::since`].
pub fn now_rfc3339() -> String {
    let now = time::OffsetDateTime::now_utc();
    let now = now.replace_nanosecond(0).unwrap_or(now);
    now.format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_else(|_| now.unix_timestamp().to_string())
}

/// This machine's name, for lock holders: the kernel's host name, else `$HOSTNAME`, else
/// `unknown`.
pub fn host_name() -> String {
    std::fs::read_to_string("/proc/sys/kernel/hostname")
        .ok()
        .map(|name| name.trim().to_string())
        .filter(|name| !name.is_empty())
        .or_else(|| {
            std::env::var("HOSTNAME")
                .ok()
                .filter(|name| !name.is_empty())
        })
        .unwrap_or_else(|| "unknown".to_string())
}

/// The holder this process writes when it takes a lock: this host, this pid, now.
fn this_process_holder() -> LockHolder {
    LockHolder {
        host: host_name(),
        pid: std::process::id(),
        since: now_rfc3339(),
    }
}

/// What bfm needs from a state store. Implemented once per backend; [`AnyStateStore`] picks one
/// at run time from the configuration.
pub trait StateStore: Send + Sync {
    /// A short description for messages, without secrets (`postgresql 127.0.0.1:5432/state`).
    fn describe(&self) -> String;

    /// Creates `bfm_migrations`, `bfm_migration_history` and `bfm_locks` when missing; must run
    /// before any other call (the lock writes its holder to `bfm_locks`). Idempotent.
    fn ensure_tables(&self) -> impl Future<Output = Result<(), StateError>> + Send;

    /// Every row of `target`, in version order.
    fn records(
        &self,
        target: &Target,
    ) -> impl Future<Output = Result<Vec<MigrationRecord>, StateError>> + Send;

    /// The batch number a new apply on `target` uses (one more than the largest so far).
    fn next_batch(&self, target: &Target) -> impl Future<Output = Result<i64, StateError>> + Send;

    /// Inserts or replaces the row of `record.migration_id` on its target and appends the
    /// attempt to the history, atomically.
    fn record(
        &self,
        record: &MigrationRecord,
    ) -> impl Future<Output = Result<(), StateError>> + Send;

    /// Every attempt on `target`, oldest first.
    fn history(
        &self,
        target: &Target,
    ) -> impl Future<Output = Result<Vec<MigrationRecord>, StateError>> + Send;

    /// Takes the lock of `target`, waiting up to `timeout`; on time-out the error names the
    /// holder.
    fn lock(
        &self,
        target: &Target,
        timeout: Duration,
    ) -> impl Future<Output = Result<StateLock, StateError>> + Send;

    fn unlock(&self, lock: StateLock) -> impl Future<Output = Result<(), StateError>> + Send;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn now_is_rfc3339_utc_to_the_second() {
        let now = now_rfc3339();
        assert_eq!(now.len(), "2025-01-01T12:00:00Z".len(), "{now}");
        assert!(now.ends_with('Z') && now.as_bytes()[10] == b'T', "{now}");
    }

    #[test]
    fn host_name_is_never_empty() {
        assert!(!host_name().is_empty());
    }

    #[test]
    fn lock_time_out_message_names_the_holder() {
        let error = StateError::LockTimeout {
            target: Target {
                connection: "core".to_string(),
                schema: "public".to_string(),
            },
            holder: Some(LockHolder {
                host: "deploy-1".to_string(),
                pid: 4242,
                since: "2025-01-01T12:00:00Z".to_string(),
            }),
            waited: Duration::from_secs(5),
        };
        assert_eq!(
            error.to_string(),
            "another apply holds the lock on core/public (pid 4242 on deploy-1 since \
             2025-01-01T12:00:00Z): gave up after 5s"
        );
    }
}
