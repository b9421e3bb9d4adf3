//! The embedded state store: one SQLite file in the project (the default).
//!
//! A target's lock is a row in `bfm_locks`, inserted atomically (the primary key refuses a
//! second one) with the holder's host, pid and start time. SQLite has no session that dies
//! with its process, so a row can outlive its holder: a lock whose holder ran on this host and
//! whose pid no longer exists (no `/proc/<pid>`) is stale, and the next locker takes it over.
//! A row written by another host is never considered stale; it is removed by its holder's
//! unlock only.

use super::sql::{
    LOCK_HOLDER_DDL, LOCK_POLL_INTERVAL, RECORD_COLUMN_COUNT, RECORD_COLUMNS, RECORD_COLUMNS_DDL,
    bind_lock_row, bind_record, holder_from_row, lock_token, numbered_parameters, record_from_row,
    state_error, unreachable, upsert_assignments,
};
use super::{
    LockHandle, LockHolder, MigrationRecord, StateError, StateLock, StateStore, Target, host_name,
    this_process_holder,
};
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};
use sqlx::{AssertSqlSafe, Row};
use std::path::Path;
use std::str::FromStr;
use std::time::{Duration, Instant};

/// How long a statement waits for another connection's write to finish.
const BUSY_TIMEOUT: Duration = Duration::from_secs(30);

/// Whether SQLite answered SQLITE_BUSY ("database is locked").
fn is_busy(error: &sqlx::Error) -> bool {
    error
        .as_database_error()
        .and_then(|e| e.code())
        .is_some_and(|code| code == "5")
}

/// A state store in a SQLite file.
#[derive(Debug, Clone)]
pub struct SqliteStateStore {
    pool: SqlitePool,
    describe: String,
}

impl SqliteStateStore {
    /// Opens the store at `url` (`sqlite://path?mode=rwc` creates the file; its folder is
    /// created here).
    pub async fn connect(url: &str) -> Result<SqliteStateStore, StateError> {
        // Write-ahead logging with `synchronous = NORMAL`: a commit is appended to the log
        // without an fsync, so it survives bfm being killed (the operating system has it) but a
        // power loss may forget the last commits — never more than a suffix, so never an
        // `applied` without the `running` before it. The commit that ends a run (the unlock)
        // syncs the log, which makes the whole run durable; see [`Self::delete_lock_row`].
        let options = SqliteConnectOptions::from_str(url)
            .map_err(|e| unreachable("sqlite", e))?
            .busy_timeout(BUSY_TIMEOUT)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal);
        let file = options.get_filename().to_path_buf();
        let describe = format!("sqlite {}", file.display());
        if let Some(folder) = file.parent().filter(|f| !f.as_os_str().is_empty()) {
            std::fs::create_dir_all(folder).map_err(|e| unreachable(&describe, e))?;
        }
        // Two processes opening a new file at once both switch it to WAL, and that switch
        // answers "database is locked" without waiting on the busy timeout: retry it.
        let started = Instant::now();
        let pool = loop {
            match SqlitePoolOptions::new()
                .max_connections(4)
                .connect_with(options.clone())
                .await
            {
                Ok(pool) => break pool,
                Err(error) if is_busy(&error) && started.elapsed() < BUSY_TIMEOUT => {
                    tokio::time::sleep(Duration::from_millis(20)).await;
                }
                Err(error) => return Err(unreachable(&describe, error)),
            }
        };
        Ok(SqliteStateStore { pool, describe })
    }

    fn error(&self, error: sqlx::Error) -> StateError {
        state_error(&self.describe, error)
    }

    /// Inserts this process's lock row unless the target already has one.
    async fn try_insert_lock(
        &self,
        target: &Target,
        holder: &LockHolder,
        token: &str,
    ) -> Result<bool, StateError> {
        let inserted = bind_lock_row(
            sqlx::query(
                "INSERT INTO bfm_locks (connection_name, schema_name, host, pid, since, token) \
             VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (connection_name, schema_name) DO NOTHING",
            ),
            target,
            holder,
            token,
        )
        .execute(&self.pool)
        .await
        .map_err(|e| self.error(e))?;
        Ok(inserted.rows_affected() == 1)
    }

    /// The target's lock row: its holder and token.
    async fn lock_row(&self, target: &Target) -> Result<Option<(LockHolder, String)>, StateError> {
        let row = sqlx::query(
            "SELECT host, pid, since, token FROM bfm_locks \
             WHERE connection_name = ? AND schema_name = ?",
        )
        .bind(&target.connection)
        .bind(&target.schema)
        .fetch_optional(&self.pool)
        .await
        .map_err(|e| self.error(e))?;
        match row {
            Some(row) => {
                let token: String = row.try_get("token").map_err(|e| self.error(e))?;
                Ok(Some((holder_from_row(&row)?, token)))
            }
            None => Ok(None),
        }
    }

    /// Deletes a lock row in a durable commit: with `synchronous = FULL` on its connection the
    /// commit syncs the write-ahead log, and with it every earlier commit of the run.
    async fn delete_lock_row(&self, target: &Target, token: &str) -> Result<(), StateError> {
        let mut conn = self.pool.acquire().await.map_err(|e| self.error(e))?;
        sqlx::raw_sql("PRAGMA synchronous = FULL")
            .execute(&mut *conn)
            .await
            .map_err(|e| self.error(e))?;
        let deleted = sqlx::query(
            "DELETE FROM bfm_locks WHERE connection_name = ? AND schema_name = ? AND token = ?",
        )
        .bind(&target.connection)
        .bind(&target.schema)
        .bind(token)
        .execute(&mut *conn)
        .await
        .map(drop);
        let restored = sqlx::raw_sql("PRAGMA synchronous = NORMAL")
            .execute(&mut *conn)
            .await
            .map(drop);
        deleted.and(restored).map_err(|e| self.error(e))
    }
}

/// Whether `holder` ran on this host in a process that no longer exists. Only decidable where
/// `/proc` lists processes; elsewhere no lock is considered stale.
fn is_stale(holder: &LockHolder) -> bool {
    holder.host == host_name()
        && holder.pid != std::process::id()
        && Path::new("/proc/self").exists()
        && !Path::new(&format!("/proc/{}", holder.pid)).exists()
}

impl StateStore for SqliteStateStore {
    fn describe(&self) -> String {
        self.describe.clone()
    }

    async fn ensure_tables(&self) -> Result<(), StateError> {
        let ddl = format!(
            "CREATE TABLE IF NOT EXISTS bfm_migrations ({RECORD_COLUMNS_DDL}, \
               PRIMARY KEY (connection_name, schema_name, migration_id)); \
             CREATE TABLE IF NOT EXISTS bfm_migration_history (\
               id INTEGER PRIMARY KEY AUTOINCREMENT, {RECORD_COLUMNS_DDL}); \
             CREATE INDEX IF NOT EXISTS bfm_migration_history_target \
               ON bfm_migration_history (connection_name, schema_name, id); \
             CREATE TABLE IF NOT EXISTS bfm_locks ({LOCK_HOLDER_DDL});"
        );
        sqlx::raw_sql(AssertSqlSafe(ddl))
            .execute(&self.pool)
            .await
            .map_err(|e| self.error(e))?;
        Ok(())
    }

    async fn records(&self, target: &Target) -> Result<Vec<MigrationRecord>, StateError> {
        let sql = format!(
            "SELECT {RECORD_COLUMNS} FROM bfm_migrations \
             WHERE connection_name = ? AND schema_name = ? ORDER BY version, migration_id"
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
        let largest: Option<i64> = sqlx::query_scalar(
            "SELECT MAX(batch) FROM bfm_migration_history \
             WHERE connection_name = ? AND schema_name = ?",
        )
        .bind(&target.connection)
        .bind(&target.schema)
        .fetch_one(&self.pool)
        .await
        .map_err(|e| self.error(e))?;
        Ok(largest.unwrap_or(0) + 1)
    }

    /// The upsert and the history row in one transaction, sent as one multi-statement query
    /// whose numbered parameters (`?1` … `?14`) both inserts share: one trip to SQLite's
    /// worker thread per record instead of four (begin, two inserts, commit).
    async fn record(&self, record: &MigrationRecord) -> Result<(), StateError> {
        let values = numbered_parameters(RECORD_COLUMN_COUNT);
        let script = format!(
            "BEGIN IMMEDIATE; \
             INSERT INTO bfm_migrations ({RECORD_COLUMNS}) VALUES ({values}) \
             ON CONFLICT (connection_name, schema_name, migration_id) DO UPDATE SET {}; \
             INSERT INTO bfm_migration_history ({RECORD_COLUMNS}) VALUES ({values}); \
             COMMIT",
            upsert_assignments()
        );
        let mut connection = self.pool.acquire().await.map_err(|e| self.error(e))?;
        let written = bind_record(sqlx::query(AssertSqlSafe(script)), record)
            .execute(&mut *connection)
            .await;
        if let Err(error) = written {
            // Whatever ran after BEGIN is undone before the connection goes back to the pool.
            let _ = sqlx::raw_sql("ROLLBACK").execute(&mut *connection).await;
            return Err(self.error(error));
        }
        Ok(())
    }

    async fn history(&self, target: &Target) -> Result<Vec<MigrationRecord>, StateError> {
        let sql = format!(
            "SELECT {RECORD_COLUMNS} FROM bfm_migration_history \
             WHERE connection_name = ? AND schema_name = ? ORDER BY id"
        );
        let rows = sqlx::query(AssertSqlSafe(sql))
            .bind(&target.connection)
            .bind(&target.schema)
            .fetch_all(&self.pool)
            .await
            .map_err(|e| self.error(e))?;
        rows.iter().map(record_from_row).collect()
    }

    async fn lock(&self, target: &Target, timeout: Duration) -> Result<StateLock, StateError> {
        let started = Instant::now();
        loop {
            let holder = this_process_holder();
            let token = lock_token(&holder);
            if self.try_insert_lock(target, &holder, &token).await? {
                return Ok(StateLock {
                    target: target.clone(),
                    handle: LockHandle::Sqlite { token },
                });
            }
            let current = self.lock_row(target).await?;
            if let Some((holder, token)) = &current
                && is_stale(holder)
            {
                self.delete_lock_row(target, token).await?;
                continue;
            }
            let waited = started.elapsed();
            if waited >= timeout {
                return Err(StateError::LockTimeout {
                    target: target.clone(),
                    holder: current.map(|(holder, _)| holder),
                    waited,
                });
            }
            tokio::time::sleep(LOCK_POLL_INTERVAL.min(timeout - waited)).await;
        }
    }

    async fn unlock(&self, lock: StateLock) -> Result<(), StateError> {
        match &lock.handle {
            LockHandle::Sqlite { token } => self.delete_lock_row(&lock.target, token).await,
            _ => Err(StateError::Query(format!(
                "the lock on {} was not taken in {}",
                lock.target, self.describe
            ))),
        }
    }
}
