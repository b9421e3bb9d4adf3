//! The state store in a MySQL or MariaDB database.
//!
//! A target's lock is `GET_LOCK` on a name hashed from the database and the target (lock
//! names are server-wide), held by a connection of its own that lives in the [`StateLock`]:
//! when the holder's process dies its connection closes and the server releases the lock. The
//! holder also writes its host, pid and start time to `bfm_locks`, so that a waiter can name
//! it. `GET_LOCK` waits in whole seconds, so a time-out is rounded up to the next second.

use super::sql::{
    LOCK_HOLDER_DDL, RECORD_COLUMN_COUNT, RECORD_COLUMNS, RECORD_COLUMNS_DDL, bind_lock_row,
    bind_record, digest, holder_from_row, lock_token, question_marks, record_from_row, state_error,
    unreachable,
};
use super::{
    LockHandle, LockHolder, MigrationRecord, StateError, StateLock, StateStore, Target,
    this_process_holder,
};
use sqlx::mysql::{MySqlConnectOptions, MySqlConnection, MySqlPool, MySqlPoolOptions};
use sqlx::{AssertSqlSafe, Connection};
use std::str::FromStr;
use std::time::{Duration, Instant};

/// How long a query waits for a free pooled connection before the store counts as gone.
const ACQUIRE_TIMEOUT: Duration = Duration::from_secs(30);

/// Byte-wise comparison, so targets differing only in case stay apart, and 4-byte UTF-8.
const TABLE_OPTIONS: &str = "ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin";

/// A state store in a MySQL/MariaDB database.
#[derive(Debug, Clone)]
pub struct MysqlStateStore {
    pool: MySqlPool,
    options: MySqlConnectOptions,
    database: String,
    describe: String,
}

impl MysqlStateStore {
    /// Connects to the database at `url` (checking that it answers); the state tables live in
    /// that database.
    pub async fn connect(url: &str) -> Result<MysqlStateStore, StateError> {
        let options = MySqlConnectOptions::from_str(url).map_err(|e| unreachable("mysql", e))?;
        let database = options.get_database().unwrap_or_default().to_string();
        let describe = format!(
            "mysql {}:{}/{database}",
            options.get_host(),
            options.get_port()
        );
        let probe = MySqlConnection::connect_with(&options)
            .await
            .map_err(|e| unreachable(&describe, e))?;
        let _ = probe.close().await;
        let pool = MySqlPoolOptions::new()
            .max_connections(4)
            .acquire_timeout(ACQUIRE_TIMEOUT)
            .connect_lazy_with(options.clone());
        Ok(MysqlStateStore {
            pool,
            options,
            database,
            describe,
        })
    }

    fn error(&self, error: sqlx::Error) -> StateError {
        state_error(&self.describe, error)
    }

    /// The `GET_LOCK` name of `target` in this database (at most 64 characters).
    fn lock_name(&self, target: &Target) -> String {
        let digest = digest(&[
            "bfm lock",
            &self.database,
            &target.connection,
            &target.schema,
        ]);
        let hex: String = digest[..20].iter().map(|b| format!("{b:02x}")).collect();
        format!("bfm_{hex}")
    }

    async fn missing_tables(&self) -> Result<bool, StateError> {
        let present: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = DATABASE() \
             AND table_name IN ('bfm_migrations', 'bfm_migration_history', 'bfm_locks')",
        )
        .fetch_one(&self.pool)
        .await
        .map_err(|e| self.error(e))?;
        Ok(present < 3)
    }

    /// Records this process as the holder of `target`'s lock, through the holding connection.
    async fn write_holder(
        &self,
        connection: &mut MySqlConnection,
        target: &Target,
        holder: &LockHolder,
        token: &str,
    ) -> Result<(), StateError> {
        bind_lock_row(
            sqlx::query(
                "REPLACE INTO bfm_locks (connection_name, schema_name, host, pid, since, token) \
             VALUES (?, ?, ?, ?, ?, ?)",
            ),
            target,
            holder,
            token,
        )
        .execute(connection)
        .await
        .map_err(|e| self.error(e))?;
        Ok(())
    }

    /// Who `bfm_locks` says holds `target`'s lock.
    async fn holder(&self, target: &Target) -> Result<Option<LockHolder>, StateError> {
        let row = sqlx::query(
            "SELECT host, pid, since FROM bfm_locks \
             WHERE connection_name = ? AND schema_name = ?",
        )
        .bind(&target.connection)
        .bind(&target.schema)
        .fetch_optional(&self.pool)
        .await
        .map_err(|e| self.error(e))?;
        row.as_ref().map(holder_from_row).transpose()
    }
}

/// `timeout` in the whole seconds `GET_LOCK` takes, rounded up.
fn whole_seconds(timeout: Duration) -> i64 {
    let seconds = timeout.as_secs() + u64::from(timeout.subsec_nanos() > 0);
    i64::try_from(seconds).unwrap_or(i64::MAX)
}

impl StateStore for MysqlStateStore {
    fn describe(&self) -> String {
        self.describe.clone()
    }

    /// Only issues DDL when a table is missing, so a user without CREATE rights can use
    /// tables made for it.
    async fn ensure_tables(&self) -> Result<(), StateError> {
        if !self.missing_tables().await? {
            return Ok(());
        }
        let statements = [
            format!(
                "CREATE TABLE IF NOT EXISTS bfm_migrations ({RECORD_COLUMNS_DDL}, \
                 PRIMARY KEY (connection_name, schema_name, migration_id)) {TABLE_OPTIONS}"
            ),
            format!(
                "CREATE TABLE IF NOT EXISTS bfm_migration_history (\
                 id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY, {RECORD_COLUMNS_DDL}, \
                 INDEX bfm_migration_history_target (connection_name, schema_name, id)) \
                 {TABLE_OPTIONS}"
            ),
            format!("CREATE TABLE IF NOT EXISTS bfm_locks ({LOCK_HOLDER_DDL}) {TABLE_OPTIONS}"),
        ];
        for statement in statements {
            sqlx::raw_sql(AssertSqlSafe(statement))
                .execute(&self.pool)
                .await
                .map_err(|e| self.error(e))?;
        }
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

    async fn record(&self, record: &MigrationRecord) -> Result<(), StateError> {
        let values = question_marks(RECORD_COLUMN_COUNT);
        let upsert = format!("REPLACE INTO bfm_migrations ({RECORD_COLUMNS}) VALUES ({values})");
        let append =
            format!("INSERT INTO bfm_migration_history ({RECORD_COLUMNS}) VALUES ({values})");
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
        let mut connection = MySqlConnection::connect_with(&self.options)
            .await
            .map_err(|e| unreachable(&self.describe, e))?;
        let name = self.lock_name(target);
        let acquired: Option<i64> = sqlx::query_scalar("SELECT GET_LOCK(?, ?)")
            .bind(&name)
            .bind(whole_seconds(timeout))
            .fetch_one(&mut connection)
            .await
            .map_err(|e| self.error(e))?;
        if acquired != Some(1) {
            let _ = connection.close().await;
            return Err(StateError::LockTimeout {
                target: target.clone(),
                holder: self.holder(target).await?,
                waited: started.elapsed(),
            });
        }
        let holder = this_process_holder();
        let token = lock_token(&holder);
        self.write_holder(&mut connection, target, &holder, &token)
            .await?;
        Ok(StateLock {
            target: target.clone(),
            handle: LockHandle::Mysql {
                connection,
                name,
                token,
            },
        })
    }

    async fn unlock(&self, lock: StateLock) -> Result<(), StateError> {
        let LockHandle::Mysql {
            mut connection,
            name,
            token,
        } = lock.handle
        else {
            return Err(StateError::Query(format!(
                "the lock on {} was not taken in {}",
                lock.target, self.describe
            )));
        };
        sqlx::query(
            "DELETE FROM bfm_locks WHERE connection_name = ? AND schema_name = ? AND token = ?",
        )
        .bind(&lock.target.connection)
        .bind(&lock.target.schema)
        .bind(&token)
        .execute(&mut connection)
        .await
        .map_err(|e| self.error(e))?;
        sqlx::query("SELECT RELEASE_LOCK(?)")
            .bind(&name)
            .execute(&mut connection)
            .await
            .map_err(|e| self.error(e))?;
        connection.close().await.map_err(|e| self.error(e))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn time_outs_round_up_to_whole_seconds() {
        assert_eq!(whole_seconds(Duration::ZERO), 0);
        assert_eq!(whole_seconds(Duration::from_millis(300)), 1);
        assert_eq!(whole_seconds(Duration::from_secs(2)), 2);
        assert_eq!(whole_seconds(Duration::from_millis(2001)), 3);
    }
}
