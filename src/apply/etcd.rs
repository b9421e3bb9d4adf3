//! Executing etcd migrations: each file's operations in ONE transaction guarded by compares on
//! every touched key's mod_revision (or its absence) as the plan saw it, appliers serialized by
//! an etcd lock whose lease is kept alive while applying, every attempt recorded in the same
//! state store as the SQL backends.
//!
//! How a file's guard is built: an operation that records `mod_revision` (a plan made against
//! the live cluster) is compared on it as it is. For the others bfm reads the touched keys in
//! one request, checks each holds the `previous` value the plan saw (absent for a new key), and
//! pins the mod_revision it read; the write transaction then compares on those revisions, so a
//! concurrent edit at any moment after the plan makes the apply fail with nothing written.

use super::decide::{
    Applied, ApplyOptions, DecideError, DownSelection, Migration, Pending, decide_apply,
    decide_down,
};
use super::execute::{ApplyError, Execution, RunReport};
use crate::backend::etcd::{MAX_OPERATIONS, Prefix};
use crate::config::{Config, Connection};
use crate::migrations::operations::{self, KeyOperation};
use crate::migrations::{MigrationError, sum};
use crate::state::{
    LockHolder, MigrationRecord, MigrationStatus, StateError, StateStore, Target, host_name,
    now_rfc3339,
};
use etcd_client::{Client, Compare, CompareOp, LockOptions, Txn, TxnOp, TxnOpResponse};
use std::time::{Duration, Instant};

/// The state store's `backend` column for migrations run here.
const BACKEND: &str = "etcd";

/// How long the lock's lease lives without a keep-alive: a crashed applier's lock goes after this.
const LEASE_TTL_SECONDS: i64 = 10;

/// One etcd target: the connection's state-store target, its key prefix and its migrations.
#[derive(Debug, Clone)]
pub struct KeyTarget<'a> {
    pub target: Target,
    pub prefix: Prefix,
    pub migrations: &'a [Migration],
}

/// The state-store target of an etcd connection: its name and its key prefix. The CLI and the
/// server both record under it, and both lock its prefix ([`lock`]), so they exclude each other.
pub fn target_of(connection: &Connection) -> Target {
    Target {
        connection: connection.name.clone(),
        schema: Prefix::of(connection).as_str().to_string(),
    }
}

/// An etcd connection with the migrations of its directory, as a deploy loads it.
#[derive(Debug, Clone)]
pub struct KeySpace {
    pub connection: Connection,
    pub migrations: Vec<Migration>,
}

impl KeySpace {
    /// Loads the connection's migrations; with `verify_sum`, checks them against `bfm.sum`
    /// first (as apply and down do; status only warns).
    pub fn load(
        config: &Config,
        connection: Connection,
        verify_sum: bool,
    ) -> Result<KeySpace, MigrationError> {
        let dir = config.migrations_path(&connection);
        if verify_sum {
            sum::verify(&dir)?;
        }
        let migrations = super::load_migrations(&dir, connection.model_schema())?;
        Ok(KeySpace {
            connection,
            migrations,
        })
    }

    pub fn target(&self) -> Target {
        target_of(&self.connection)
    }

    pub fn key_target(&self) -> KeyTarget<'_> {
        KeyTarget {
            target: self.target(),
            prefix: Prefix::of(&self.connection),
            migrations: &self.migrations,
        }
    }
}

/// The lock name of a prefix: outside the prefix, so inspecting never sees it.
fn lock_name(prefix: &Prefix) -> String {
    format!("/bfm/locks{}", prefix.as_str())
}

/// Where the lock holder describes itself (a key on the lock's lease, gone with it).
fn holder_prefix(prefix: &Prefix) -> String {
    format!("/bfm/holders{}", prefix.as_str())
}

/// A held etcd lock: the lock key, its lease, and the task keeping the lease alive.
pub struct EtcdLock {
    client: Client,
    key: Vec<u8>,
    lease: i64,
    keep_alive: tokio::task::JoinHandle<()>,
}

fn request_error(target: &Target, error: etcd_client::Error) -> StateError {
    StateError::Unreachable {
        store: format!("etcd lock for {target}"),
        message: error.to_string(),
    }
}

/// Takes the prefix's lock, waiting up to `timeout`; on timeout the error names the holder.
pub async fn lock(
    client: &Client,
    target: &Target,
    prefix: &Prefix,
    timeout: Duration,
) -> Result<EtcdLock, StateError> {
    let mut client = client.clone();
    let lease = client
        .lease_grant(LEASE_TTL_SECONDS, None)
        .await
        .map_err(|e| request_error(target, e))?
        .id();
    let (mut keeper, mut responses) = client
        .lease_keep_alive(lease)
        .await
        .map_err(|e| request_error(target, e))?;
    let keep_alive = tokio::spawn(async move {
        loop {
            if keeper.keep_alive().await.is_err() {
                return;
            }
            if !matches!(responses.message().await, Ok(Some(_))) {
                return;
            }
            tokio::time::sleep(Duration::from_secs((LEASE_TTL_SECONDS / 3) as u64)).await;
        }
    });
    let options = LockOptions::new().with_lease(lease);
    let attempt = tokio::time::timeout(timeout, client.lock(lock_name(prefix), Some(options)));
    let key = match attempt.await {
        Ok(Ok(response)) => response.key().to_vec(),
        failed => {
            keep_alive.abort();
            let _ = client.lease_revoke(lease).await;
            return Err(match failed {
                Ok(Err(error)) => request_error(target, error),
                _ => StateError::LockTimeout {
                    target: target.clone(),
                    holder: lock_holder(&mut client, prefix).await,
                    waited: timeout,
                },
            });
        }
    };
    let holder = LockHolder {
        host: host_name(),
        pid: std::process::id(),
        since: now_rfc3339(),
    };
    let text = serde_json::to_string(&holder).unwrap_or_default();
    let put = etcd_client::PutOptions::new().with_lease(lease);
    let holder_key = format!("{}{lease:x}", holder_prefix(prefix));
    if let Err(error) = client.put(holder_key, text, Some(put)).await {
        keep_alive.abort();
        let _ = client.lease_revoke(lease).await;
        return Err(request_error(target, error));
    }
    Ok(EtcdLock {
        client,
        key,
        lease,
        keep_alive,
    })
}

/// The oldest holder description under the prefix's holder keys, if any.
async fn lock_holder(client: &mut Client, prefix: &Prefix) -> Option<LockHolder> {
    let options = etcd_client::GetOptions::new()
        .with_prefix()
        .with_sort(
            etcd_client::SortTarget::Create,
            etcd_client::SortOrder::Ascend,
        )
        .with_limit(1);
    let response = client
        .get(holder_prefix(prefix), Some(options))
        .await
        .ok()?;
    let kv = response.kvs().first()?;
    serde_json::from_slice(kv.value()).ok()
}

/// Releases the lock and revokes its lease (which would expire by itself after a crash).
pub async fn unlock(lock: EtcdLock, target: &Target) -> Result<(), StateError> {
    let EtcdLock {
        mut client,
        key,
        lease,
        keep_alive,
    } = lock;
    keep_alive.abort();
    let unlocked = client.unlock(key).await;
    let revoked = client.lease_revoke(lease).await;
    unlocked.map_err(|e| request_error(target, e))?;
    revoked.map(drop).map_err(|e| request_error(target, e))
}

/// Why a file's transaction did not commit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal(pub String);

fn describe_value(value: Option<&str>) -> String {
    const SHOWN: usize = 60;
    match value {
        None => "no value (absent)".to_string(),
        Some(value) if value.chars().count() > SHOWN => {
            let start: String = value.chars().take(SHOWN).collect();
            format!("{start:?}… ({} bytes)", value.len())
        }
        Some(value) => format!("{value:?}"),
    }
}

/// The compares and writes of one file, checked against the live keys: `Err` when a key no
/// longer holds what the plan saw. Reads only.
pub async fn prepare(client: &mut Client, operations: &[KeyOperation]) -> Result<Txn, Refusal> {
    if operations.len() > MAX_OPERATIONS {
        return Err(Refusal(format!(
            "{} operations: etcd runs at most {MAX_OPERATIONS} in one transaction, and bfm never \
             splits a migration at apply time (it would not be atomic); generate splits large \
             changes into several files",
            operations.len()
        )));
    }
    let unpinned: Vec<&KeyOperation> = operations
        .iter()
        .filter(|o| o.mod_revision().is_none())
        .collect();
    let reads: Vec<TxnOp> = unpinned.iter().map(|o| TxnOp::get(o.key(), None)).collect();
    let seen = client
        .txn(Txn::new().and_then(reads))
        .await
        .map_err(|e| Refusal(format!("cannot read the keys it touches: {e}")))?;
    let mut compares = Vec::with_capacity(operations.len());
    for (operation, response) in unpinned.iter().zip(seen.op_responses()) {
        let TxnOpResponse::Get(response) = response else {
            return Err(Refusal("etcd answered a read with something else".into()));
        };
        let live = response.kvs().first();
        let live_value = live.map(|kv| String::from_utf8_lossy(kv.value()).into_owned());
        let expected = match operation {
            KeyOperation::Put { previous, .. } => Some(previous.as_deref()),
            KeyOperation::Delete {
                previous: Some(p), ..
            } => Some(Some(p.as_str())),
            KeyOperation::Delete { previous: None, .. } => None,
        };
        let matches = match expected {
            Some(expected) => live_value.as_deref() == expected,
            None => live.is_some(),
        };
        if !matches {
            return Err(Refusal(format!(
                "key {} changed since the plan: the migration expects {}, etcd holds {}; \
                 nothing was applied (plan again to see the difference)",
                operation.key(),
                expected.map_or_else(|| "a value".to_string(), describe_value),
                describe_value(live_value.as_deref())
            )));
        }
        compares.push(match live {
            Some(kv) => Compare::mod_revision(operation.key(), CompareOp::Equal, kv.mod_revision()),
            None => Compare::version(operation.key(), CompareOp::Equal, 0),
        });
    }
    for operation in operations {
        if let Some(revision) = operation.mod_revision() {
            compares.push(Compare::mod_revision(
                operation.key(),
                CompareOp::Equal,
                revision,
            ));
        }
    }
    let writes: Vec<TxnOp> = operations
        .iter()
        .map(|operation| match operation {
            KeyOperation::Put { key, value, .. } => TxnOp::put(key.as_str(), value.as_str(), None),
            KeyOperation::Delete { key, .. } => TxnOp::delete(key.as_str(), None),
        })
        .collect();
    Ok(Txn::new().when(compares).and_then(writes))
}

/// Runs a prepared transaction: every write, or (when a compared key changed meanwhile) none.
pub async fn commit(client: &mut Client, txn: Txn) -> Result<(), Refusal> {
    let response = client
        .txn(txn)
        .await
        .map_err(|e| Refusal(format!("etcd refused the transaction: {e}")))?;
    if response.succeeded() {
        Ok(())
    } else {
        Err(Refusal(
            "a key it touches was changed by someone else while applying (its mod_revision \
             moved): etcd ran none of its operations"
                .to_string(),
        ))
    }
}

/// `prepare` then `commit`.
pub async fn run_operations(
    client: &mut Client,
    operations: &[KeyOperation],
) -> Result<(), Refusal> {
    let txn = prepare(client, operations).await?;
    commit(client, txn).await
}

fn failed(id: &str, message: String) -> ApplyError {
    ApplyError::Failed {
        id: id.to_string(),
        statement_index: None,
        statement: None,
        message,
        statements_done: 0,
        no_transaction: false,
    }
}

fn record(
    migration: &Migration,
    target: &Target,
    status: MigrationStatus,
    batch: i64,
) -> MigrationRecord {
    MigrationRecord {
        migration_id: migration.id().to_string(),
        target: target.clone(),
        backend: BACKEND.to_string(),
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

fn millis(since: Instant) -> i64 {
    i64::try_from(since.elapsed().as_millis()).unwrap_or(i64::MAX)
}

/// Reads every file a run needs before anything runs, so a malformed file stops the run with
/// nothing applied.
fn read_all<'m>(
    files: impl Iterator<Item = (&'m Migration, &'m std::path::Path)>,
) -> Result<Vec<(&'m Migration, Vec<KeyOperation>)>, crate::migrations::MigrationError> {
    files
        .map(|(migration, path)| Ok((migration, operations::read(path)?)))
        .collect()
}

/// A dry run: the migrations `choose` picks from the target's records (id and the file that
/// would run), each file read so a malformed one is reported; nothing is locked or touched.
async fn listed<S, F>(store: &S, run: &KeyTarget<'_>, choose: F) -> RunReport
where
    S: StateStore,
    F: FnOnce(&[MigrationRecord]) -> Result<Vec<(String, std::path::PathBuf)>, DecideError>,
{
    let mut done = Vec::new();
    let error = async {
        let records = store.records(&run.target).await?;
        let chosen = choose(&records)?;
        for (_, path) in &chosen {
            operations::read(path)?;
        }
        done.extend(chosen.into_iter().map(|(id, _)| id));
        Ok::<(), ApplyError>(())
    }
    .await
    .err();
    RunReport {
        target: run.target.clone(),
        done,
        error,
    }
}

/// Takes the lock, runs `body`, releases the lock whatever happened.
async fn under_lock<F, Fut>(
    client: &Client,
    run: &KeyTarget<'_>,
    timeout: Duration,
    body: F,
) -> RunReport
where
    F: FnOnce() -> Fut,
    Fut: std::future::Future<Output = (Vec<String>, Option<ApplyError>)>,
{
    let held = match lock(client, &run.target, &run.prefix, timeout).await {
        Ok(held) => held,
        Err(error) => {
            return RunReport {
                target: run.target.clone(),
                done: Vec::new(),
                error: Some(error.into()),
            };
        }
    };
    let (done, mut error) = body().await;
    if let Err(unlock_error) = unlock(held, &run.target).await
        && error.is_none()
    {
        error = Some(unlock_error.into());
    }
    RunReport {
        target: run.target.clone(),
        done,
        error,
    }
}

/// `bfm apply` on an etcd target: pending migrations in version order, each one transaction.
/// A dry run lists them (their operations are printed by the caller) and touches nothing.
pub async fn apply<S: StateStore>(
    store: &S,
    client: &Client,
    run: &KeyTarget<'_>,
    options: &ApplyOptions,
    execution: &Execution,
) -> RunReport {
    if execution.dry_run {
        return listed(store, run, |records| {
            let pending = decide_apply(run.migrations, records, options)?;
            Ok(pending
                .iter()
                .map(|p| (p.migration.id().to_string(), p.migration.file.up_path()))
                .map(|(id, path)| (id, path.to_path_buf()))
                .collect())
        })
        .await;
    }
    under_lock(client, run, execution.lock_timeout, || async {
        let mut done = Vec::new();
        let error = apply_locked(store, client, run, options, execution, &mut done)
            .await
            .err();
        (done, error)
    })
    .await
}

async fn apply_locked<S: StateStore>(
    store: &S,
    client: &Client,
    run: &KeyTarget<'_>,
    options: &ApplyOptions,
    execution: &Execution,
    done: &mut Vec<String>,
) -> Result<(), ApplyError> {
    let records = store.records(&run.target).await?;
    let pending: Vec<Pending<'_>> = decide_apply(run.migrations, &records, options)?;
    if pending.is_empty() {
        return Ok(());
    }
    let files = read_all(
        pending
            .iter()
            .map(|p| (p.migration, p.migration.file.up_path())),
    )?;
    let batch = store.next_batch(&run.target).await?;
    let mut client = client.clone();
    let total = files.len();
    for (index, (migration, operations)) in files.into_iter().enumerate() {
        if execution.stop.raised() {
            return Err(ApplyError::Stopped {
                next: migration.id().to_string(),
                remaining: total - index,
            });
        }
        let mut attempt = record(migration, &run.target, MigrationStatus::Running, batch);
        store.record(&attempt).await?;
        let started = Instant::now();
        let outcome = run_operations(&mut client, &operations).await;
        attempt.execution_ms = millis(started);
        match outcome {
            Ok(()) => {
                attempt.status = MigrationStatus::Applied;
                attempt.statements_done = i64::try_from(operations.len()).unwrap_or(i64::MAX);
                store
                    .record(&attempt)
                    .await
                    .map_err(|source| ApplyError::NotRecorded {
                        id: migration.id().to_string(),
                        outcome: "was applied",
                        source,
                    })?;
                done.push(migration.id().to_string());
            }
            Err(Refusal(message)) => {
                attempt.status = MigrationStatus::Failed;
                attempt.error = Some(message.clone());
                store
                    .record(&attempt)
                    .await
                    .map_err(|source| ApplyError::NotRecorded {
                        id: migration.id().to_string(),
                        outcome: "failed (nothing was written)",
                        source,
                    })?;
                return Err(failed(migration.id(), message));
            }
        }
    }
    Ok(())
}

/// `bfm down` on an etcd target: the chosen applied migrations newest first, each down file one
/// transaction, recorded `rolled_back`.
pub async fn down<S: StateStore>(
    store: &S,
    client: &Client,
    run: &KeyTarget<'_>,
    selection: DownSelection,
    execution: &Execution,
) -> RunReport {
    if execution.dry_run {
        return listed(store, run, |records| {
            let chosen = decide_down(run.migrations, records, selection)?;
            Ok(chosen
                .iter()
                .map(|a| (a.migration.id().to_string(), a.migration.file.down_path()))
                .map(|(id, path)| (id, path.to_path_buf()))
                .collect())
        })
        .await;
    }
    under_lock(client, run, execution.lock_timeout, || async {
        let mut done = Vec::new();
        let error = down_locked(store, client, run, selection, execution, &mut done)
            .await
            .err();
        (done, error)
    })
    .await
}

async fn down_locked<S: StateStore>(
    store: &S,
    client: &Client,
    run: &KeyTarget<'_>,
    selection: DownSelection,
    execution: &Execution,
    done: &mut Vec<String>,
) -> Result<(), ApplyError> {
    let records = store.records(&run.target).await?;
    let chosen: Vec<Applied<'_>> = decide_down(run.migrations, &records, selection)?;
    let files = read_all(
        chosen
            .iter()
            .map(|a| (a.migration, a.migration.file.down_path())),
    )?;
    let mut client = client.clone();
    let total = files.len();
    for (index, (step, (migration, operations))) in chosen.iter().zip(files).enumerate() {
        if execution.stop.raised() {
            return Err(ApplyError::Stopped {
                next: migration.id().to_string(),
                remaining: total - index,
            });
        }
        let started = Instant::now();
        run_operations(&mut client, &operations)
            .await
            .map_err(|Refusal(message)| failed(migration.id(), message))?;
        let mut rolled_back = record(
            migration,
            &run.target,
            MigrationStatus::RolledBack,
            step.record.batch,
        );
        rolled_back.checksum = step.record.checksum.clone();
        rolled_back.execution_ms = millis(started);
        rolled_back.statements_done = i64::try_from(operations.len()).unwrap_or(i64::MAX);
        store
            .record(&rolled_back)
            .await
            .map_err(|source| ApplyError::NotRecorded {
                id: migration.id().to_string(),
                outcome: "was rolled back",
                source,
            })?;
        done.push(migration.id().to_string());
    }
    Ok(())
}

/// `bfm baseline` on an etcd target: marks the migrations up to `to` applied without running
/// them, under the etcd lock.
pub async fn baseline<S: StateStore>(
    store: &S,
    client: &Client,
    run: &KeyTarget<'_>,
    to: Option<crate::migrations::Version>,
    lock_timeout: Duration,
) -> RunReport {
    under_lock(client, run, lock_timeout, || async {
        let mut done = Vec::new();
        let error = async {
            let records = store.records(&run.target).await?;
            let marked = super::decide::decide_baseline(run.migrations, &records, to);
            if marked.is_empty() {
                return Ok(());
            }
            let batch = store.next_batch(&run.target).await?;
            for migration in marked {
                store
                    .record(&record(
                        migration,
                        &run.target,
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
