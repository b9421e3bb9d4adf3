//! Executing migrations on a target under the state store's lock.
//!
//! Each migration is recorded `running` before it starts, runs in one transaction (or statement
//! by statement for a `-- bfm:no-transaction` file, and always over the MySQL protocol, where
//! DDL is not transactional), and is recorded `applied` only after it completed. A process
//! killed in between leaves `running`, never a false `applied`; a failure is recorded `failed`
//! with the statement, the error and how many statements were done (a transactional one rolled
//! back), and the next apply resumes a non-transactional one after the statements done.

use super::decide::{
    Applied, ApplyOptions, DecideError, DownSelection, Migration, Pending, decide_apply,
    decide_baseline, decide_down,
};
use super::target::{TargetPool, mysql_session, quote_mysql_ident};
use crate::migrations::{MigrationError, MigrationText};
use crate::state::{MigrationRecord, MigrationStatus, StateError, StateStore, Target};
use futures_util::TryStreamExt as _;
use sqlx::mysql::MySqlPool;
use sqlx::pool::PoolConnection;
use sqlx::postgres::{PgConnection, PgPool};
use sqlx::{AssertSqlSafe, Connection as _, Either};
use std::time::{Duration, Instant};
use thiserror::Error;

/// One target and the migrations of its connection.
#[derive(Debug, Clone)]
pub struct TargetRun<'a> {
    pub target: Target,
    /// Per-environment connections: the SQL is unqualified, so it runs in the target schema
    /// (`search_path` on PostgreSQL, `USE` over the MySQL protocol), created when missing.
    pub set_search_path: bool,
    pub migrations: &'a [Migration],
}

/// How a run behaves, whatever it runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Execution {
    /// How long to wait for another apply's lock on the same target.
    pub lock_timeout: Duration,
    /// Run inside a transaction that is rolled back, and record nothing.
    pub dry_run: bool,
    /// Raised by a server shutting down: an apply stops before its next migration.
    pub stop: StopFlag,
}

/// A flag an apply checks between migrations, so a shutdown stops at a migration boundary.
/// `'static` (a server has one for its lifetime) to keep [`Execution`] `Copy`.
#[derive(Debug, Clone, Copy, Default)]
pub struct StopFlag(Option<&'static std::sync::atomic::AtomicBool>);

impl StopFlag {
    pub fn new(flag: &'static std::sync::atomic::AtomicBool) -> StopFlag {
        StopFlag(Some(flag))
    }

    pub fn raised(&self) -> bool {
        self.0
            .is_some_and(|flag| flag.load(std::sync::atomic::Ordering::SeqCst))
    }
}

impl PartialEq for StopFlag {
    fn eq(&self, other: &StopFlag) -> bool {
        match (self.0, other.0) {
            (Some(a), Some(b)) => std::ptr::eq(a, b),
            (None, None) => true,
            _ => false,
        }
    }
}

impl Eq for StopFlag {}

impl Default for Execution {
    fn default() -> Self {
        Execution {
            lock_timeout: Duration::from_secs(60),
            dry_run: false,
            stop: StopFlag::default(),
        }
    }
}

/// Why a run stopped.
#[derive(Debug, Error)]
pub enum ApplyError {
    #[error(transparent)]
    Refused(#[from] DecideError),
    #[error(transparent)]
    State(#[from] StateError),
    #[error(transparent)]
    Files(#[from] MigrationError),
    #[error(
        "stopped before {next}: the server is shutting down ({remaining} migration(s) left pending)"
    )]
    Stopped { next: String, remaining: usize },
    #[error("cannot prepare schema {schema}: {message}")]
    Schema { schema: String, message: String },
    /// A migration failed; for a transactional file the database is as it was before it.
    #[error("{id} failed{}: {message}{}", statement_label(*.statement_index, .statements_done, *.no_transaction), statement_text(.statement))]
    Failed {
        id: String,
        /// 1-based; `None` when the failure was not a statement's (the connection was lost).
        statement_index: Option<usize>,
        statement: Option<String>,
        message: String,
        statements_done: usize,
        no_transaction: bool,
    },
    /// The migration's outcome is in the database but the state store could not record it.
    #[error(
        "{id} {outcome} in the database, but the state store could not record it ({source}); it \
         stays recorded as it was before (`running` for an apply): check the database, then \
         `bfm baseline` or `bfm apply --retry-interrupted`"
    )]
    NotRecorded {
        id: String,
        outcome: &'static str,
        source: StateError,
    },
}

fn statement_label(index: Option<usize>, done: &usize, no_transaction: bool) -> String {
    match (index, no_transaction) {
        (Some(index), false) => format!(" at statement {index} (rolled back)"),
        (Some(index), true) => format!(
            " at statement {index} (outside a transaction: {done} statement(s) before it stay done)"
        ),
        (None, _) => String::new(),
    }
}

fn statement_text(statement: &Option<String>) -> String {
    statement
        .as_ref()
        .map(|sql| format!("\n  | {}", sql.replace('\n', "\n  | ")))
        .unwrap_or_default()
}

/// What one target's run did: the migrations applied (rolled back, marked, or for a dry run:
/// that would run), and the error that stopped it.
#[derive(Debug)]
pub struct RunReport {
    pub target: Target,
    pub done: Vec<String>,
    pub error: Option<ApplyError>,
}

impl RunReport {
    pub fn succeeded(&self) -> bool {
        self.error.is_none()
    }
}

/// A migration's statements ran up to one that failed.
struct StatementFailure {
    index: Option<usize>,
    statement: Option<String>,
    message: String,
    done: usize,
}

fn database_message(error: &sqlx::Error) -> String {
    match error.as_database_error() {
        Some(db) => db.message().to_string(),
        None => error.to_string(),
    }
}

/// `name` as a quoted PostgreSQL identifier.
fn quote_ident(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

fn now_rfc3339() -> String {
    let now = time::OffsetDateTime::now_utc();
    now.format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_else(|_| now.unix_timestamp().to_string())
}

fn millis(since: Instant) -> i64 {
    i64::try_from(since.elapsed().as_millis()).unwrap_or(i64::MAX)
}

/// Runs `statements[skip..]` on `conn`, each a separate simple query, stopping at the first
/// failure. Returns how many statements are done (including the skipped ones).
async fn run_statements(
    conn: &mut PgConnection,
    statements: &[String],
    skip: usize,
) -> Result<usize, StatementFailure> {
    for (index, statement) in statements.iter().enumerate().skip(skip) {
        if let Err(error) = sqlx::raw_sql(AssertSqlSafe(statement.clone()))
            .execute(&mut *conn)
            .await
        {
            return Err(StatementFailure {
                index: Some(index + 1),
                statement: Some(statement.clone()),
                message: database_message(&error),
                done: index,
            });
        }
    }
    Ok(statements.len())
}

/// Runs `statements[skip..]` one by one on a MySQL-protocol session of its own (in `database`
/// when given), stopping at the first failure.
async fn run_mysql_statements(
    pool: &MySqlPool,
    database: Option<&str>,
    statements: &[String],
    skip: usize,
) -> Result<usize, StatementFailure> {
    let mut conn = mysql_session(pool, database)
        .await
        .map_err(|error| connection_failure(&error, skip))?;
    let mut result = Ok(statements.len());
    for (index, statement) in statements.iter().enumerate().skip(skip) {
        if let Err(error) = sqlx::raw_sql(AssertSqlSafe(statement.clone()))
            .execute(&mut conn)
            .await
        {
            result = Err(StatementFailure {
                index: Some(index + 1),
                statement: Some(statement.clone()),
                message: database_message(&error),
                done: index,
            });
            break;
        }
    }
    let _ = conn.close().await;
    result
}

/// The PostgreSQL session one run's transactional migrations share: taken from the pool once,
/// so a run pays the pool's liveness check once rather than once per migration.
#[derive(Default)]
struct Session(Option<PoolConnection<sqlx::Postgres>>);

impl Session {
    async fn connection(&mut self, pool: &PgPool) -> Result<&mut PgConnection, sqlx::Error> {
        if self.0.is_none() {
            self.0 = Some(pool.acquire().await?);
        }
        self.0.as_deref_mut().ok_or(sqlx::Error::PoolClosed)
    }
}

/// Runs one migration's statements the way the target allows: in a transaction on PostgreSQL
/// (unless `no_transaction`), statement by statement from `skip` otherwise.
async fn run_migration(
    pool: &TargetPool,
    session: &mut Session,
    schema: Option<&str>,
    statements: &[String],
    no_transaction: bool,
    skip: usize,
) -> Result<usize, StatementFailure> {
    match pool {
        TargetPool::Postgres(pg) if no_transaction => {
            // Back to the pool first: a pool of one connection has none other to give.
            session.0 = None;
            run_outside_transaction(pg, schema, statements, skip).await
        }
        TargetPool::Postgres(pg) => {
            let conn = session
                .connection(pg)
                .await
                .map_err(|error| connection_failure(&error, 0))?;
            run_in_transaction(conn, schema, statements).await
        }
        TargetPool::MySql { pool, .. } => {
            run_mysql_statements(pool, schema, statements, skip).await
        }
    }
}

fn connection_failure(error: &sqlx::Error, done: usize) -> StatementFailure {
    StatementFailure {
        index: None,
        statement: None,
        message: database_message(error),
        done,
    }
}

/// `SET LOCAL search_path` for per-environment targets (inside a transaction).
async fn set_local_search_path(
    conn: &mut PgConnection,
    schema: Option<&str>,
) -> Result<(), StatementFailure> {
    if let Some(schema) = schema {
        sqlx::raw_sql(AssertSqlSafe(format!(
            "SET LOCAL search_path TO {}",
            quote_ident(schema)
        )))
        .execute(&mut *conn)
        .await
        .map_err(|error| connection_failure(&error, 0))?;
    }
    Ok(())
}

/// Runs a migration's statements in one transaction, sent to the server as one simple-query
/// message — `BEGIN; [SET LOCAL search_path …;] statement; …; COMMIT` — so a migration costs
/// one round trip rather than one per statement. The server runs the parts in order and stops
/// at the first error; the parts completed before it say which statement failed, and the
/// aborted transaction is rolled back.
async fn run_in_transaction(
    conn: &mut PgConnection,
    schema: Option<&str>,
    statements: &[String],
) -> Result<usize, StatementFailure> {
    let mut script = String::from("BEGIN");
    let mut preamble = 1;
    if let Some(schema) = schema {
        script.push_str(";\nSET LOCAL search_path TO ");
        script.push_str(&quote_ident(schema));
        preamble += 1;
    }
    for statement in statements {
        // The newline after the statement ends a trailing `--` comment before the `;`.
        script.push_str(";\n");
        script.push_str(statement);
        script.push('\n');
    }
    script.push_str(";\nCOMMIT");

    let mut completed: usize = 0;
    let mut results = sqlx::raw_sql(AssertSqlSafe(script)).fetch_many(&mut *conn);
    let error = loop {
        match results.try_next().await {
            Ok(Some(Either::Left(_))) => completed += 1,
            Ok(Some(Either::Right(_))) => {}
            Ok(None) => return Ok(statements.len()),
            Err(error) => break error,
        }
    };
    drop(results);
    // The explicit BEGIN leaves an aborted transaction behind the error (a lost connection
    // has nothing to roll back, so that failure is moot).
    let _ = sqlx::raw_sql("ROLLBACK").execute(&mut *conn).await;
    let failure = match completed.checked_sub(preamble) {
        Some(done) if done < statements.len() && error.as_database_error().is_some() => {
            StatementFailure {
                index: Some(done + 1),
                statement: Some(statements[done].clone()),
                message: database_message(&error),
                done,
            }
        }
        // BEGIN, SET LOCAL or COMMIT (a deferred constraint) failed, or the connection did.
        _ => connection_failure(&error, 0),
    };
    Err(failure)
}

/// Runs a `no-transaction` file statement by statement on a connection of its own (its
/// session-wide search_path must not leak into the pool).
async fn run_outside_transaction(
    pool: &PgPool,
    schema: Option<&str>,
    statements: &[String],
    skip: usize,
) -> Result<usize, StatementFailure> {
    let mut conn = pool
        .acquire()
        .await
        .map_err(|error| connection_failure(&error, skip))?
        .detach();
    if let Some(schema) = schema {
        sqlx::raw_sql(AssertSqlSafe(format!(
            "SET search_path TO {}",
            quote_ident(schema)
        )))
        .execute(&mut conn)
        .await
        .map_err(|error| connection_failure(&error, skip))?;
    }
    let result = run_statements(&mut conn, statements, skip).await;
    let _ = conn.close().await;
    result
}

/// Creates a per-environment target's schema (a database over the MySQL protocol) when missing.
async fn ensure_schema(pool: &TargetPool, schema: &str) -> Result<(), ApplyError> {
    let result = match pool {
        TargetPool::Postgres(pg) => sqlx::raw_sql(AssertSqlSafe(format!(
            "CREATE SCHEMA IF NOT EXISTS {}",
            quote_ident(schema)
        )))
        .execute(pg)
        .await
        .map(drop),
        TargetPool::MySql { pool, .. } => sqlx::raw_sql(AssertSqlSafe(format!(
            "CREATE DATABASE IF NOT EXISTS {}",
            quote_mysql_ident(schema)
        )))
        .execute(pool)
        .await
        .map(drop),
    };
    result.map_err(|error| ApplyError::Schema {
        schema: schema.to_string(),
        message: database_message(&error),
    })
}

/// The record of one attempt at `migration` on `target`.
fn attempt(
    migration: &Migration,
    target: &Target,
    backend: &str,
    status: MigrationStatus,
    batch: i64,
) -> MigrationRecord {
    MigrationRecord {
        migration_id: migration.id().to_string(),
        target: target.clone(),
        backend: backend.to_string(),
        table: migration.table.clone(),
        version: migration.version(),
        name: migration.file.name.clone(),
        checksum: migration.checksum.clone(),
        status,
        batch,
        applied_at: now_rfc3339(),
        execution_ms: 0,
        statements_done: 0,
        error: None,
    }
}

fn failed_error(id: &str, failure: StatementFailure, no_transaction: bool) -> ApplyError {
    ApplyError::Failed {
        id: id.to_string(),
        statement_index: failure.index,
        statement: failure.statement,
        message: failure.message,
        statements_done: failure.done,
        no_transaction,
    }
}

/// The error text a failed record keeps: the message, and which statement.
fn recorded_error(failure: &StatementFailure) -> String {
    match (&failure.index, &failure.statement) {
        (Some(index), Some(statement)) => {
            format!("statement {index}: {}\n{statement}", failure.message)
        }
        _ => failure.message.clone(),
    }
}

/// Takes the target's lock, runs `body`, and releases the lock whatever happened.
async fn under_lock<S, F, Fut>(store: &S, target: &Target, timeout: Duration, body: F) -> RunReport
where
    S: StateStore,
    F: FnOnce() -> Fut,
    Fut: std::future::Future<Output = (Vec<String>, Option<ApplyError>)>,
{
    let lock = match store.lock(target, timeout).await {
        Ok(lock) => lock,
        Err(error) => {
            return RunReport {
                target: target.clone(),
                done: Vec::new(),
                error: Some(error.into()),
            };
        }
    };
    let (done, mut error) = body().await;
    if let Err(unlock_error) = store.unlock(lock).await
        && error.is_none()
    {
        error = Some(unlock_error.into());
    }
    RunReport {
        target: target.clone(),
        done,
        error,
    }
}

/// `bfm apply` on one target: the pending migrations in version order, each recorded.
pub async fn apply<S: StateStore>(
    store: &S,
    pool: &TargetPool,
    run: &TargetRun<'_>,
    options: &ApplyOptions,
    execution: &Execution,
) -> RunReport {
    if execution.dry_run {
        return dry_run_apply(store, pool, run, options).await;
    }
    under_lock(store, &run.target, execution.lock_timeout, || async {
        let mut done = Vec::new();
        let error = apply_locked(store, pool, run, options, execution.stop, &mut done)
            .await
            .err();
        (done, error)
    })
    .await
}

async fn apply_locked<S: StateStore>(
    store: &S,
    pool: &TargetPool,
    run: &TargetRun<'_>,
    options: &ApplyOptions,
    stop: StopFlag,
    done: &mut Vec<String>,
) -> Result<(), ApplyError> {
    let records = store.records(&run.target).await?;
    let pending = decide_apply(run.migrations, &records, options)?;
    if pending.is_empty() {
        return Ok(());
    }
    let schema = run.set_search_path.then_some(run.target.schema.as_str());
    if let Some(schema) = schema {
        ensure_schema(pool, schema).await?;
    }
    let batch = store.next_batch(&run.target).await?;
    let total = pending.len();
    let mut session = Session::default();
    for (index, step) in pending.into_iter().enumerate() {
        if stop.raised() {
            return Err(ApplyError::Stopped {
                next: step.migration.id().to_string(),
                remaining: total - index,
            });
        }
        apply_one(store, pool, &mut session, &run.target, schema, step, batch).await?;
        done.push(step.migration.id().to_string());
    }
    Ok(())
}

async fn apply_one<S: StateStore>(
    store: &S,
    pool: &TargetPool,
    session: &mut Session,
    target: &Target,
    schema: Option<&str>,
    step: Pending<'_>,
    batch: i64,
) -> Result<(), ApplyError> {
    let migration = step.migration;
    let text = migration.file.read_up()?;
    let no_transaction = text.no_transaction || !pool.transactional();
    let skip = step.resume_at(no_transaction);
    let backend = pool.backend();
    let mut record = attempt(
        migration,
        target,
        backend.as_str(),
        MigrationStatus::Running,
        batch,
    );
    record.statements_done = i64::try_from(skip).unwrap_or(0);
    store.record(&record).await?;
    let started = Instant::now();
    let outcome = run_migration(
        pool,
        session,
        schema,
        &text.statements,
        no_transaction,
        skip,
    )
    .await;
    record.execution_ms = millis(started);
    match outcome {
        Ok(statements_done) => {
            record.status = MigrationStatus::Applied;
            record.statements_done = i64::try_from(statements_done).unwrap_or(i64::MAX);
            store
                .record(&record)
                .await
                .map_err(|source| ApplyError::NotRecorded {
                    id: migration.id().to_string(),
                    outcome: "was applied",
                    source,
                })
        }
        Err(failure) => {
            record.status = MigrationStatus::Failed;
            record.statements_done = i64::try_from(failure.done).unwrap_or(i64::MAX);
            record.error = Some(recorded_error(&failure));
            store
                .record(&record)
                .await
                .map_err(|source| ApplyError::NotRecorded {
                    id: migration.id().to_string(),
                    outcome: if no_transaction {
                        "failed"
                    } else {
                        "failed (and was rolled back)"
                    },
                    source,
                })?;
            Err(failed_error(migration.id(), failure, no_transaction))
        }
    }
}

/// `apply --dry-run`: every pending migration runs in one transaction that is rolled back, so
/// later migrations see earlier ones; files that must run outside a transaction are listed but
/// not executed. Nothing is recorded and no lock is taken.
async fn dry_run_apply<S: StateStore>(
    store: &S,
    pool: &TargetPool,
    run: &TargetRun<'_>,
    options: &ApplyOptions,
) -> RunReport {
    let mut done = Vec::new();
    let error = async {
        let records = store.records(&run.target).await?;
        let pending = decide_apply(run.migrations, &records, options)?;
        let texts = pending
            .iter()
            .map(|step| Ok((step.migration.id(), step.migration.file.read_up()?)))
            .collect::<Result<Vec<_>, MigrationError>>()?;
        rehearse(pool, run, &texts, &mut done).await
    }
    .await
    .err();
    RunReport {
        target: run.target.clone(),
        done,
        error,
    }
}

/// Runs `texts` in one transaction and rolls it back; `done` lists those that ran. A target
/// without transactional DDL runs nothing: `done` lists what would run.
async fn rehearse(
    pool: &TargetPool,
    run: &TargetRun<'_>,
    texts: &[(&str, MigrationText)],
    done: &mut Vec<String>,
) -> Result<(), ApplyError> {
    if texts.is_empty() {
        return Ok(());
    }
    let TargetPool::Postgres(pool) = pool else {
        done.extend(texts.iter().map(|(id, _)| (*id).to_string()));
        return Ok(());
    };
    let schema = run.set_search_path.then_some(run.target.schema.as_str());
    let fail = |id: &str, failure| failed_error(id, failure, false);
    let first = texts[0].0;
    let mut tx = pool
        .begin()
        .await
        .map_err(|error| fail(first, connection_failure(&error, 0)))?;
    if let Some(schema) = schema {
        sqlx::raw_sql(AssertSqlSafe(format!(
            "CREATE SCHEMA IF NOT EXISTS {}",
            quote_ident(schema)
        )))
        .execute(&mut *tx)
        .await
        .map_err(|error| fail(first, connection_failure(&error, 0)))?;
        set_local_search_path(&mut tx, Some(schema))
            .await
            .map_err(|failure| fail(first, failure))?;
    }
    for (id, text) in texts {
        if !text.no_transaction {
            run_statements(&mut tx, &text.statements, 0)
                .await
                .map_err(|failure| fail(id, failure))?;
        }
        done.push((*id).to_string());
    }
    tx.rollback()
        .await
        .map_err(|error| fail(first, connection_failure(&error, 0)))
}

/// `bfm down` on one target: the chosen applied migrations, newest first, each in its own
/// transaction and recorded `rolled_back`.
pub async fn down<S: StateStore>(
    store: &S,
    pool: &TargetPool,
    run: &TargetRun<'_>,
    selection: DownSelection,
    execution: &Execution,
) -> RunReport {
    if execution.dry_run {
        let mut done = Vec::new();
        let error = async {
            let records = store.records(&run.target).await?;
            let chosen = decide_down(run.migrations, &records, selection)?;
            let texts = chosen
                .iter()
                .map(|step| Ok((step.migration.id(), step.migration.file.read_down()?)))
                .collect::<Result<Vec<_>, MigrationError>>()?;
            rehearse(pool, run, &texts, &mut done).await
        }
        .await
        .err();
        return RunReport {
            target: run.target.clone(),
            done,
            error,
        };
    }
    under_lock(store, &run.target, execution.lock_timeout, || async {
        let mut done = Vec::new();
        let error = down_locked(store, pool, run, selection, &mut done)
            .await
            .err();
        (done, error)
    })
    .await
}

async fn down_locked<S: StateStore>(
    store: &S,
    pool: &TargetPool,
    run: &TargetRun<'_>,
    selection: DownSelection,
    done: &mut Vec<String>,
) -> Result<(), ApplyError> {
    let records = store.records(&run.target).await?;
    let chosen = decide_down(run.migrations, &records, selection)?;
    let schema = run.set_search_path.then_some(run.target.schema.as_str());
    let mut session = Session::default();
    for step in chosen {
        roll_back_one(store, pool, &mut session, &run.target, schema, step).await?;
        done.push(step.migration.id().to_string());
    }
    Ok(())
}

/// Rolls back one migration. A failure leaves it recorded `applied` (its down transaction was
/// rolled back; a no-transaction down file says in the error how far it got).
async fn roll_back_one<S: StateStore>(
    store: &S,
    pool: &TargetPool,
    session: &mut Session,
    target: &Target,
    schema: Option<&str>,
    step: Applied<'_>,
) -> Result<(), ApplyError> {
    let migration = step.migration;
    let text = migration.file.read_down()?;
    let no_transaction = text.no_transaction || !pool.transactional();
    let started = Instant::now();
    let outcome = run_migration(pool, session, schema, &text.statements, no_transaction, 0).await;
    let statements_done =
        outcome.map_err(|failure| failed_error(migration.id(), failure, no_transaction))?;
    let mut record = attempt(
        migration,
        target,
        pool.backend().as_str(),
        MigrationStatus::RolledBack,
        step.record.batch,
    );
    record.checksum = step.record.checksum.clone();
    record.execution_ms = millis(started);
    record.statements_done = i64::try_from(statements_done).unwrap_or(i64::MAX);
    store
        .record(&record)
        .await
        .map_err(|source| ApplyError::NotRecorded {
            id: migration.id().to_string(),
            outcome: "was rolled back",
            source,
        })
}

/// `bfm baseline` on one target: marks the migrations up to `to` applied without running them.
pub async fn baseline<S: StateStore>(
    store: &S,
    backend: crate::backend::BackendKind,
    run: &TargetRun<'_>,
    to: Option<crate::migrations::Version>,
    execution: &Execution,
) -> RunReport {
    under_lock(store, &run.target, execution.lock_timeout, || async {
        let mut done = Vec::new();
        let error = async {
            let records = store.records(&run.target).await?;
            let marked = decide_baseline(run.migrations, &records, to);
            if marked.is_empty() {
                return Ok(());
            }
            let batch = store.next_batch(&run.target).await?;
            for migration in marked {
                store
                    .record(&attempt(
                        migration,
                        &run.target,
                        backend.as_str(),
                        MigrationStatus::Applied,
                        batch,
                    ))
                    .await?;
                done.push(migration.id().to_string());
            }
            Ok::<(), ApplyError>(())
        }
        .await
        .err();
        (done, error)
    })
    .await
}
