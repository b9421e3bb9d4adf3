//! The state store in a PostgreSQL database, its tables in the configured schema.
//!
//! A target's lock is a session-level advisory lock (`pg_advisory_lock`) on a key hashed from
//! the target, held by a connection of its own that lives in the [`StateLock`]: when the
//! holder's process dies its connection closes and PostgreSQL releases the lock. The holder
//! also writes its host, pid and start time to `bfm_locks`, so that a waiter can name it.

use super::sql::{
    LOCK_HOLDER_DDL, LOCK_POLL_INTERVAL, RECORD_COLUMN_COUNT, RECORD_COLUMNS, RECORD_COLUMNS_DDL,
    bind_lock_row, bind_record, digest, holder_from_row, lock_token, record_from_row, state_error,
    unreachable, upsert_assignments,
};
use super::{
    LockHandle, LockHolder, MigrationRecord, StateError, StateLock, StateStore, Target,
    this_process_holder,
};
use sqlx::postgres::{PgConnectOptions, PgConnection, PgPool, PgPoolOptions};
use sqlx::{AssertSqlSafe, Connection};
use std::str::FromStr;
use std::time::{Duration, Instant};

/// How long a query waits for a free pooled connection before the store counts as gone.
const ACQUIRE_TIMEOUT: Duration = Duration::from_secs(30);

/// The state tables, all of which [`StateStore::ensure_tables`] makes.
const TABLES: [&str; 3] = ["bfm_migrations", "bfm_migration_history", "bfm_locks"];

/// A state store in a PostgreSQL schema.
#[derive(Debug, Clone)]
pub struct PostgresStateStore {
    pool: PgPool,
    options: PgConnectOptions,
    schema: String,
    describe: String,
}

impl PostgresStateStore {
    /// Connects to the database at `url` (checking that it answers), keeping the state tables
    /// in `schema`.
    pub async fn connect(url: &str, schema: &str) -> Result<PostgresStateStore, StateError> {
        let options = PgConnectOptions::from_str(url).map_err(|e| unreachable("postgresql", e))?;
        let describe = format!(
            "postgresql {}:{}/{}",
            options.get_host(),
            options.get_port(),
            options.get_database().unwrap_or_default()
        );
        let probe = PgConnection::connect_with(&options)
            .await
            .map_err(|e| unreachable(&describe, e))?;
        let _ = probe.close().await;
        let pool = PgPoolOptions::new()
            .max_connections(4)
            .acquire_timeout(ACQUIRE_TIMEOUT)
            .connect_lazy_with(options.clone());
        Ok(PostgresStateStore {
            pool,
            options,
            schema: schema.to_string(),
            describe,
        })
    }

    fn error(&self, error: sqlx::Error) -> StateError {
        state_error(&self.describe, error)
    }

    /// `"schema".name`.
    fn table(&self, name: &str) -> String {
        format!("\"{}\".{name}", self.schema.replace('"', "\"\""))
    }

    async fn missing_tables(&self) -> Result<bool, StateError> {
        let present: i64 = sqlx::query_scalar(
            "SELECT count(*) FROM pg_catalog.pg_tables \
             WHERE schemaname = $1 AND tablename = ANY($2)",
        )
        .bind(&self.schema)
        .bind(TABLES.map(str::to_string).to_vec())
        .fetch_one(&self.pool)
        .await
        .map_err(|e| self.error(e))?;
        Ok(present < TABLES.len() as i64)
    }

    /// Records this process as the holder of `target`'s lock, through the holding connection.
    async fn write_holder(
        &self,
        connection: &mut PgConnection,
        target: &Target,
        holder: &LockHolder,
        token: &str,
    ) -> Result<(), StateError> {
        let sql = format!(
            "INSERT INTO {} (connection_name, schema_name, host, pid, since, token) \
             VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (connection_name, schema_name) \
             DO UPDATE SET host = excluded.host, pid = excluded.pid, since = excluded.since, \
             token = excluded.token",
            self.table("bfm_locks")
        );
        bind_lock_row(sqlx::query(AssertSqlSafe(sql)), target, holder, token)
            .execute(connection)
            .await
            .map_err(|e| self.error(e))?;
        Ok(())
    }

    /// Who `bfm_locks` says holds `target`'s lock.
    async fn holder(&self, target: &Target) -> Result<Option<LockHolder>, StateError> {
        let sql = format!(
            "SELECT host, pid, since FROM {} WHERE connection_name = $1 AND schema_name = $2",
            self.table("bfm_locks")
        );
        let row = sqlx::query(AssertSqlSafe(sql))
            .bind(&target.connection)
            .bind(&target.schema)
            .fetch_optional(&self.pool)
            .await
            .map_err(|e| self.error(e))?;
        row.as_ref().map(holder_from_row).transpose()
    }

    async fn try_advisory_lock(
        &self,
        connection: &mut PgConnection,
        key: i64,
    ) -> Result<bool, StateError> {
        sqlx::query_scalar("SELECT pg_try_advisory_lock($1)")
            .bind(key)
            .fetch_one(connection)
            .await
            .map_err(|e| self.error(e))
    }
}

/// The advisory-lock key of `target`.
fn lock_key(target: &Target) -> i64 {
    key_of(&["bfm lock", &target.connection, &target.schema])
}

/// The first eight bytes of the digest of `parts`, as advisory locks take a `bigint`.
fn key_of(parts: &[&str]) -> i64 {
    let digest = digest(parts);
    let mut bytes = [0; 8];
    bytes.copy_from_slice(&digest[..8]);
    i64::from_be_bytes(bytes)
}

/// `$1, $2, …` for `count` values.
fn placeholders(count: usize) -> String {
    (1..=count)
        .map(|n| format!("${n}"))
        .collect::<Vec<_>>()
        .join(", ")
}

impl StateStore for PostgresStateStore {
    fn describe(&self) -> String {
        self.describe.clone()
    }

    /// Only touches the catalog when a table is missing, so a user without CREATE rights can
    /// use tables made for it; concurrent creators are serialized by a transaction-level
    /// advisory lock, as `CREATE … IF NOT EXISTS` alone can fail when raced.
    async fn ensure_tables(&self) -> Result<(), StateError> {
        if !self.missing_tables().await? {
            return Ok(());
        }
        let schema = format!("\"{}\"", self.schema.replace('"', "\"\""));
        let ddl = format!(
            "CREATE SCHEMA IF NOT EXISTS {schema}; \
             CREATE TABLE IF NOT EXISTS {migrations} ({RECORD_COLUMNS_DDL}, \
               PRIMARY KEY (connection_name, schema_name, migration_id)); \
             CREATE TABLE IF NOT EXISTS {history} (\
               id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY, {RECORD_COLUMNS_DDL}); \
             CREATE INDEX IF NOT EXISTS bfm_migration_history_target \
               ON {history} (connection_name, schema_name, id); \
             CREATE TABLE IF NOT EXISTS {locks} ({LOCK_HOLDER_DDL});",
            migrations = self.table("bfm_migrations"),
            history = self.table("bfm_migration_history"),
            locks = self.table("bfm_locks"),
        );
        let mut transaction = self.pool.begin().await.map_err(|e| self.error(e))?;
        sqlx::query("SELECT pg_advisory_xact_lock($1)")
            .bind(key_of(&["bfm ensure tables", &self.schema]))
            .execute(&mut *transaction)
            .await
            .map_err(|e| self.error(e))?;
        sqlx::raw_sql(AssertSqlSafe(ddl))
            .execute(&mut *transaction)
            .await
            .map_err(|e| self.error(e))?;
        transaction.commit().await.map_err(|e| self.error(e))
    }

    async fn records(&self, target: &Target) -> Result<Vec<MigrationRecord>, StateError> {
        let sql = format!(
            "SELECT {RECORD_COLUMNS} FROM {} WHERE connection_name = $1 AND schema_name = $2 \
             ORDER BY version, migration_id",
            self.table("bfm_migrations")
        );
        let rows = sqlx::query(AssertSqlSafe(sql))
            .bind(&target.connection)
            .bind(&target.schema)
            .fetch_all(&self.pool)
            .await
            .map_err(|e| self.error(e))?;
        rows.iter().map(record_from_row).collect()
    }

    async fn next_batch(&self, target: &Target) -> Result<i64, StateError> {
        let sql = format!(
            "SELECT max(batch) FROM {} WHERE connection_name = $1 AND schema_name = $2",
            self.table("bfm_migration_history")
        );
        let largest: Option<i64> = sqlx::query_scalar(AssertSqlSafe(sql))
            .bind(&target.connection)
            .bind(&target.schema)
            .fetch_one(&self.pool)
            .await
            .map_err(|e| self.error(e))?;
        Ok(largest.unwrap_or(0) + 1)
    }

    async fn record(&self, record: &MigrationRecord) -> Result<(), StateError> {
        let values = placeholders(RECORD_COLUMN_COUNT);
        let upsert = format!(
            "INSERT INTO {} ({RECORD_COLUMNS}) VALUES ({values}) \
             ON CONFLICT (connection_name, schema_name, migration_id) DO UPDATE SET {}",
            self.table("bfm_migrations"),
            upsert_assignments()
        );
        let append = format!(
            "INSERT INTO {} ({RECORD_COLUMNS}) VALUES ({values})",
            self.table("bfm_migration_history")
        );
        let mut transaction = self.pool.begin().await.map_err(|e| self.error(e))?;
        bind_record(sqlx::query(AssertSqlSafe(upsert)), record)
            .execute(&mut *transaction)
            .await
            .map_err(|e| self.error(e))?;
        bind_record(sqlx::query(AssertSqlSafe(append)), record)
            .execute(&mut *transaction)
            .await
            .map_err(|e| self.error(e))?;
        transaction.commit().await.map_err(|e| self.error(e))
    }

    async fn history(&self, target: &Target) -> Result<Vec<MigrationRecord>, StateError> {
        let sql = format!(
            "SELECT {RECORD_COLUMNS} FROM {} WHERE connection_name = $1 AND schema_name = $2 \
             ORDER BY id",
            self.table("bfm_migration_history")
        );
        let rows = sqlx::query(AssertSqlSafe(sql))
            .bind(&target.connection)
            .bind(&target.schema)
            .fetch_all(&self.pool)
            .await
            .map_err(|e| self.error(e))?;
        rows.iter().map(record_from_row).collect()
    }

    /// Polls `pg_try_advisory_lock` until it succeeds or `timeout` has passed, so the wait is
    /// bounded without a server-side `lock_timeout`.
    async fn lock(&self, target: &Target, timeout: Duration) -> Result<StateLock, StateError> {
        let started = Instant::now();
        let mut connection = PgConnection::connect_with(&self.options)
            .await
            .map_err(|e| unreachable(&self.describe, e))?;
        let key = lock_key(target);
        loop {
            if self.try_advisory_lock(&mut connection, key).await? {
                let holder = this_process_holder();
                let token = lock_token(&holder);
                self.write_holder(&mut connection, target, &holder, &token)
                    .await?;
                return Ok(StateLock {
                    target: target.clone(),
                    handle: LockHandle::Postgres { connection, token },
                });
            }
            let waited = started.elapsed();
            if waited >= timeout {
                let _ = connection.close().await;
                return Err(StateError::LockTimeout {
                    target: target.clone(),
                    holder: self.holder(target).await?,
                    waited,
                });
            }
            tokio::time::sleep(LOCK_POLL_INTERVAL.min(timeout - waited)).await;
        }
    }

    async fn unlock(&self, lock: StateLock) -> Result<(), StateError> {
        let LockHandle::Postgres {
            mut connection,
            token,
        } = lock.handle
        else {
            return Err(StateError::Query(format!(
                "the lock on {} was not taken in {}",
                lock.target, self.describe
            )));
        };
        let sql = format!(
            "DELETE FROM {} WHERE connection_name = $1 AND schema_name = $2 AND token = $3",
            self.table("bfm_locks")
        );
        sqlx::query(AssertSqlSafe(sql))
            .bind(&lock.target.connection)
            .bind(&lock.target.schema)
            .bind(&token)
            .execute(&mut connection)
            .await
            .map_err(|e| self.error(e))?;
        sqlx::query("SELECT pg_advisory_unlock($1)")
            .bind(lock_key(&lock.target))
            .execute(&mut connection)
            .await
            .map_err(|e| self.error(e))?;
        connection.close().await.map_err(|e| self.error(e))
    }
}
