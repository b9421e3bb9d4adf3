//! The database migrations run on: PostgreSQL, or a server speaking the MySQL protocol
//! (GreptimeDB today; the MySQL backend reuses the same path).
//!
//! PostgreSQL runs each migration in a transaction. Over the MySQL protocol DDL is not
//! transactional (MySQL commits implicitly, GreptimeDB has no transactions), so a migration runs
//! statement by statement and the state store records how many statements are done: a failure
//! says how far it got, and the next apply resumes after the last statement that succeeded.

use crate::backend::BackendKind;
use sqlx::mysql::{MySqlConnectOptions, MySqlConnection, MySqlPool, MySqlPoolOptions};
use sqlx::postgres::{PgPool, PgPoolOptions};
use sqlx::{AssertSqlSafe, Connection as _};
use std::str::FromStr as _;
use std::time::Duration;

/// A connection pool to a target database.
#[derive(Debug, Clone)]
pub enum TargetPool {
    Postgres(PgPool),
    /// A server spoken to over the MySQL protocol; `backend` names it in the state store.
    MySql {
        pool: MySqlPool,
        backend: BackendKind,
    },
}

impl TargetPool {
    /// Connects to `url` for a connection of `backend` with at most `max_connections`.
    pub async fn connect(
        backend: BackendKind,
        url: &str,
        max_connections: u32,
    ) -> Result<TargetPool, sqlx::Error> {
        let acquire_timeout = Duration::from_secs(30);
        match backend {
            BackendKind::Postgresql => PgPoolOptions::new()
                .max_connections(max_connections)
                .acquire_timeout(acquire_timeout)
                .connect(url)
                .await
                .map(TargetPool::Postgres),
            _ => {
                let options = mysql_options(url, backend)?;
                let pool = MySqlPoolOptions::new()
                    .max_connections(max_connections)
                    .acquire_timeout(acquire_timeout)
                    .connect_with(options)
                    .await?;
                Ok(TargetPool::MySql { pool, backend })
            }
        }
    }

    /// The state store's `backend` column for migrations run here.
    pub fn backend(&self) -> BackendKind {
        match self {
            TargetPool::Postgres(_) => BackendKind::Postgresql,
            TargetPool::MySql { backend, .. } => *backend,
        }
    }

    /// Whether a migration can run in one transaction (and a dry run be rolled back).
    pub fn transactional(&self) -> bool {
        matches!(self, TargetPool::Postgres(_))
    }

    pub async fn close(&self) {
        match self {
            TargetPool::Postgres(pool) => pool.close().await,
            TargetPool::MySql { pool, .. } => pool.close().await,
        }
    }
}

/// MySQL-protocol connect options. GreptimeDB refuses the session settings sqlx sends on
/// connect (`sql_mode` with PIPES_AS_CONCAT / NO_ENGINE_SUBSTITUTION, `time_zone`, `SET NAMES`),
/// so they are turned off for it; a MySQL target keeps sqlx's defaults.
pub fn mysql_options(url: &str, backend: BackendKind) -> Result<MySqlConnectOptions, sqlx::Error> {
    let options = MySqlConnectOptions::from_str(url)?;
    Ok(match backend {
        BackendKind::Greptimedb => without_session_settings(options),
        _ => options,
    })
}

/// Connect options that send no session settings at connect time.
pub fn without_session_settings(options: MySqlConnectOptions) -> MySqlConnectOptions {
    options
        .pipes_as_concat(false)
        .no_engine_substitution(false)
        .timezone(None)
        .set_names(false)
}

/// `name` as a MySQL-protocol identifier (backticks, which GreptimeDB's MySQL dialect and
/// MySQL both read).
pub fn quote_mysql_ident(name: &str) -> String {
    format!("`{}`", name.replace('`', "``"))
}

/// A connection of its own for one migration: `USE database` changes the session, which must
/// not leak into connections other targets get from the pool.
pub async fn mysql_session(
    pool: &MySqlPool,
    database: Option<&str>,
) -> Result<MySqlConnection, sqlx::Error> {
    let mut conn = pool.acquire().await?.detach();
    if let Some(database) = database {
        let statement = format!("USE {}", quote_mysql_ident(database));
        if let Err(error) = sqlx::raw_sql(AssertSqlSafe(statement))
            .execute(&mut conn)
            .await
        {
            let _ = conn.close().await;
            return Err(error);
        }
    }
    Ok(conn)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn greptime_connections_send_no_session_settings_and_mysql_keeps_them() {
        let url = "mysql://root@127.0.0.1:4002/public";
        let greptime = format!("{:?}", mysql_options(url, BackendKind::Greptimedb).unwrap());
        let mysql = format!("{:?}", mysql_options(url, BackendKind::Mysql).unwrap());
        assert!(greptime.contains("set_names: false"), "{greptime}");
        assert!(greptime.contains("pipes_as_concat: false"), "{greptime}");
        assert!(greptime.contains("timezone: None"), "{greptime}");
        assert!(mysql.contains("set_names: true"), "{mysql}");
    }

    #[test]
    fn mysql_identifiers_are_backquoted_with_backquotes_doubled() {
        assert_eq!(quote_mysql_ident("logs_dev"), "`logs_dev`");
        assert_eq!(quote_mysql_ident("a`b"), "`a``b`");
    }
}
