//! What the three SQL state stores share: the column layout of `bfm_migrations` and
//! `bfm_migration_history`, reading and binding a [`MigrationRecord`], and error mapping.

use super::{LockHolder, MigrationRecord, MigrationStatus, StateError, Target};
use sqlx::query::Query;
use sqlx::{ColumnIndex, Database, Decode, Encode, Row, Type};
use std::time::Duration;

/// The record columns, in the order [`bind_record`] binds them.
pub(super) const RECORD_COLUMNS: &str = "connection_name, schema_name, migration_id, backend, \
     table_name, version, name, checksum, status, batch, applied_at, execution_ms, \
     statements_done, error_message";

/// How many values [`bind_record`] binds.
pub(super) const RECORD_COLUMN_COUNT: usize = 14;

/// The record columns' definitions, valid in PostgreSQL, MySQL and SQLite alike. The key
/// columns are bounded so MySQL can index them.
pub(super) const RECORD_COLUMNS_DDL: &str = "connection_name VARCHAR(255) NOT NULL, \
     schema_name VARCHAR(255) NOT NULL, \
     migration_id VARCHAR(255) NOT NULL, \
     backend VARCHAR(32) NOT NULL, \
     table_name TEXT NOT NULL, \
     version VARCHAR(32) NOT NULL, \
     name TEXT NOT NULL, \
     checksum VARCHAR(128) NOT NULL, \
     status VARCHAR(16) NOT NULL, \
     batch BIGINT NOT NULL, \
     applied_at VARCHAR(64) NOT NULL, \
     execution_ms BIGINT NOT NULL, \
     statements_done BIGINT NOT NULL, \
     error_message TEXT";

/// `bfm_locks`' columns but the key: who holds the target's lock and since when.
pub(super) const LOCK_HOLDER_DDL: &str = "connection_name VARCHAR(255) NOT NULL, \
     schema_name VARCHAR(255) NOT NULL, \
     host VARCHAR(255) NOT NULL, \
     pid BIGINT NOT NULL, \
     since VARCHAR(64) NOT NULL, \
     token VARCHAR(255) NOT NULL, \
     PRIMARY KEY (connection_name, schema_name)";

/// How long a waiting lock sleeps between attempts.
pub(super) const LOCK_POLL_INTERVAL: Duration = Duration::from_millis(100);

/// Binds a `bfm_locks` row: connection, schema, host, pid, since, token — the column order of
/// every store's lock-row insert.
pub(super) fn bind_lock_row<'q, DB: Database>(
    query: Query<'q, DB, <DB as Database>::Arguments>,
    target: &Target,
    holder: &LockHolder,
    token: &str,
) -> Query<'q, DB, <DB as Database>::Arguments>
where
    for<'t> String: Encode<'t, DB> + Type<DB>,
    for<'t> i64: Encode<'t, DB> + Type<DB>,
{
    query
        .bind(target.connection.clone())
        .bind(target.schema.clone())
        .bind(holder.host.clone())
        .bind(i64::from(holder.pid))
        .bind(holder.since.clone())
        .bind(token.to_string())
}

/// Binds every record column, in [`RECORD_COLUMNS`] order.
pub(super) fn bind_record<'q, DB: Database>(
    query: Query<'q, DB, <DB as Database>::Arguments>,
    record: &MigrationRecord,
) -> Query<'q, DB, <DB as Database>::Arguments>
where
    for<'t> String: Encode<'t, DB> + Type<DB>,
    for<'t> i64: Encode<'t, DB> + Type<DB>,
    for<'t> Option<String>: Encode<'t, DB> + Type<DB>,
{
    query
        .bind(record.target.connection.clone())
        .bind(record.target.schema.clone())
        .bind(record.migration_id.clone())
        .bind(record.backend.clone())
        .bind(record.table.clone())
        .bind(record.version.clone())
        .bind(record.name.clone())
        .bind(record.checksum.clone())
        .bind(record.status.as_str().to_string())
        .bind(record.batch)
        .bind(record.applied_at.clone())
        .bind(record.execution_ms)
        .bind(record.statements_done)
        .bind(record.error.clone())
}

/// A record read from a row holding [`RECORD_COLUMNS`].
pub(super) fn record_from_row<R>(row: &R) -> Result<MigrationRecord, StateError>
where
    R: Row,
    for<'r> &'r str: ColumnIndex<R>,
    for<'r> String: Decode<'r, R::Database> + Type<R::Database>,
    for<'r> i64: Decode<'r, R::Database> + Type<R::Database>,
    for<'r> Option<String>: Decode<'r, R::Database> + Type<R::Database>,
{
    let text = |column: &str| row.try_get::<String, _>(column).map_err(query_error);
    let number = |column: &str| row.try_get::<i64, _>(column).map_err(query_error);
    let status = text("status")?;
    Ok(MigrationRecord {
        migration_id: text("migration_id")?,
        target: Target {
            connection: text("connection_name")?,
            schema: text("schema_name")?,
        },
        backend: text("backend")?,
        table: text("table_name")?,
        version: text("version")?,
        name: text("name")?,
        checksum: text("checksum")?,
        status: MigrationStatus::parse(&status).ok_or_else(|| {
            StateError::Query(format!("unknown migration status {status:?} in the store"))
        })?,
        batch: number("batch")?,
        applied_at: text("applied_at")?,
        execution_ms: number("execution_ms")?,
        statements_done: number("statements_done")?,
        error: row
            .try_get::<Option<String>, _>("error_message")
            .map_err(query_error)?,
    })
}

/// A lock holder read from a `bfm_locks` row.
pub(super) fn holder_from_row<R>(row: &R) -> Result<LockHolder, StateError>
where
    R: Row,
    for<'r> &'r str: ColumnIndex<R>,
    for<'r> String: Decode<'r, R::Database> + Type<R::Database>,
    for<'r> i64: Decode<'r, R::Database> + Type<R::Database>,
{
    let pid: i64 = row.try_get("pid").map_err(query_error)?;
    Ok(LockHolder {
        host: row.try_get("host").map_err(query_error)?,
        pid: u32::try_from(pid).unwrap_or(0),
        since: row.try_get("since").map_err(query_error)?,
    })
}

/// A failed query. Lost connections are reported as [`StateError::Unreachable`] by
/// [`state_error`]; this is for everything the store answered with.
pub(super) fn query_error(error: sqlx::Error) -> StateError {
    StateError::Query(error.to_string())
}

/// Maps a driver error: the store going away (network, pool, TLS) is `Unreachable`, naming
/// the store by `describe` (which holds no password); anything else is a query failure.
pub(super) fn state_error(describe: &str, error: sqlx::Error) -> StateError {
    match error {
        sqlx::Error::Io(_)
        | sqlx::Error::Tls(_)
        | sqlx::Error::PoolTimedOut
        | sqlx::Error::PoolClosed
        | sqlx::Error::Configuration(_) => unreachable(describe, error),
        other => query_error(other),
    }
}

/// The store cannot be reached (or opened).
pub(super) fn unreachable(describe: &str, error: impl std::fmt::Display) -> StateError {
    StateError::Unreachable {
        store: describe.to_string(),
        message: error.to_string(),
    }
}

/// `?, ?, …` for `count` values (MySQL and SQLite).
pub(super) fn question_marks(count: usize) -> String {
    vec!["?"; count].join(", ")
}

/// `?1, ?2, …, ?count`: SQLite's numbered parameters, which several statements of one query
/// can share.
pub(super) fn numbered_parameters(count: usize) -> String {
    (1..=count)
        .map(|n| format!("?{n}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// A token naming one lock acquisition, written with the holder so that releasing a lock
/// deletes only its own `bfm_locks` row, never a row a later holder wrote.
pub(super) fn lock_token(holder: &LockHolder) -> String {
    use std::sync::atomic::{AtomicU64, Ordering};
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let count = COUNTER.fetch_add(1, Ordering::Relaxed);
    format!("{}:{}:{}:{count}", holder.host, holder.pid, holder.since)
}

/// `backend = excluded.backend, …` for every non-key record column: the update half of an
/// upsert (PostgreSQL and SQLite).
pub(super) fn upsert_assignments() -> String {
    RECORD_COLUMNS
        .split(", ")
        .skip(3)
        .map(|column| format!("{column} = excluded.{column}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// A digest of `parts` (separated so that `("ab", "c")` and `("a", "bc")` differ), from which
/// lock keys and names are taken: stable across processes, hosts and bfm versions.
pub(super) fn digest(parts: &[&str]) -> [u8; 32] {
    use sha2::{Digest, Sha256};
    let mut hasher = Sha256::new();
    for part in parts {
        hasher.update(part.as_bytes());
        hasher.update([0]);
    }
    hasher.finalize().into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn upsert_updates_every_column_but_the_key() {
        let assignments = upsert_assignments();
        assert!(assignments.starts_with("backend = excluded.backend, "));
        assert!(assignments.ends_with("error_message = excluded.error_message"));
        assert!(!assignments.contains("migration_id"));
        assert_eq!(
            assignments.split(", ").count(),
            RECORD_COLUMN_COUNT - 3,
            "{assignments}"
        );
    }

    #[test]
    fn record_columns_and_their_count_agree() {
        assert_eq!(RECORD_COLUMNS.split(", ").count(), RECORD_COLUMN_COUNT);
        assert_eq!(question_marks(3), "?, ?, ?");
    }

    #[test]
    fn digest_keeps_the_parts_apart() {
        assert_ne!(digest(&["ab", "c"]), digest(&["a", "bc"]));
        assert_eq!(digest(&["core", "public"]), digest(&["core", "public"]));
    }

    #[test]
    fn lock_tokens_differ_within_one_process() {
        let holder = LockHolder {
            host: "h".to_string(),
            pid: 1,
            since: "2025-01-01T00:00:00Z".to_string(),
        };
        assert_ne!(lock_token(&holder), lock_token(&holder));
    }
}
