//! What `apply`, `down`, `baseline` and `status` do, decided from the directory's migrations and
//! the target's records alone: no I/O, so every rule is tested without a database.
//!
//! The rules, in the order they are checked: an interrupted (`running`) record stops everything
//! until someone decides what happened; a record whose file is gone stops an apply (the database
//! holds effects nobody can roll back); an applied file whose checksum changed refuses (a failed
//! one may change: that is how a fix is resumed); a pending file older than the newest applied one
//! refuses unless out-of-order runs are allowed.

use crate::migrations::{MigrationFile, Version};
use crate::state::{MigrationRecord, MigrationStatus};
use std::collections::BTreeMap;
use thiserror::Error;

/// A migration as apply sees it: the file, the table it is about, and the checksum of its up file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Migration {
    pub file: MigrationFile,
    /// The table a generated migration is about; empty for a hand-written one.
    pub table: String,
    /// SHA-256 (hex) of the up file.
    pub checksum: String,
}

impl Migration {
    pub fn id(&self) -> &str {
        &self.file.id
    }

    /// `YYYYMMDDHHMMSS`, as the state store records it.
    pub fn version(&self) -> String {
        self.file.version.to_string()
    }
}

/// What `bfm apply` was asked to run.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ApplyOptions {
    /// Only migrations up to and including this version.
    pub to: Option<Version>,
    /// Only the generated migrations of these tables (hand-written ones belong to no table).
    pub tables: Option<Vec<String>>,
    /// Run pending files older than the newest applied one.
    pub allow_out_of_order: bool,
    /// Run an interrupted (`running`) migration again.
    pub retry_interrupted: bool,
}

/// One migration an apply runs, with its record when it ran before (failed, rolled back or
/// interrupted).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Pending<'a> {
    pub migration: &'a Migration,
    pub previous: Option<&'a MigrationRecord>,
}

impl Pending<'_> {
    /// Statements to skip: those a failed run outside a transaction already completed. A file
    /// that runs in a transaction starts over, as its failure rolled everything back.
    pub fn resume_at(&self, no_transaction: bool) -> usize {
        match self.previous {
            Some(record) if no_transaction && record.status == MigrationStatus::Failed => {
                usize::try_from(record.statements_done).unwrap_or(0)
            }
            _ => 0,
        }
    }
}

/// Which applied migrations `bfm down` rolls back.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DownSelection {
    /// Every migration of the newest batch.
    LastBatch,
    /// The newest N applied migrations.
    Steps(usize),
    /// Every applied migration newer than this version.
    To(Version),
}

/// One migration `down` rolls back, with the record that says it is applied.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Applied<'a> {
    pub migration: &'a Migration,
    pub record: &'a MigrationRecord,
}

/// Why an apply (or down) must not run.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum DecideError {
    #[error(
        "{id} was interrupted: an apply started it and died before recording how it ended. \
         Look at the database: if its changes are there, `bfm baseline --to {version}` marks it \
         applied; otherwise `bfm apply --retry-interrupted` runs it again"
    )]
    Interrupted { id: String, version: String },
    #[error(
        "{id} is recorded {} but its file is gone: restore the file (or roll it back with the \
         file in place) before applying", status.as_str()
    )]
    FileMissing { id: String, status: MigrationStatus },
    #[error(
        "{id} was applied with checksum {recorded} but its file now has {actual}: an applied \
         migration must not change; restore it and write a new migration instead"
    )]
    ChecksumChanged {
        id: String,
        recorded: String,
        actual: String,
    },
    #[error(
        "{id} is pending but older than {newest_applied}, which is already applied; pass \
         --allow-out-of-order to run it anyway"
    )]
    OutOfOrder { id: String, newest_applied: String },
}

/// An applied migration whose up file no longer has the checksum recorded when it ran.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChecksumMismatch {
    pub id: String,
    pub recorded: String,
    pub actual: String,
}

/// One line of `bfm status`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusRow {
    pub version: String,
    pub id: String,
    pub name: String,
    /// `None`: pending (no record).
    pub status: Option<MigrationStatus>,
    /// Recorded, but the file is no longer in the directory.
    pub file_missing: bool,
    pub applied_at: Option<String>,
    pub execution_ms: Option<i64>,
    pub checksum_changed: bool,
    pub error: Option<String>,
}

impl StatusRow {
    /// The status as `bfm status` prints it.
    pub fn label(&self) -> &'static str {
        match self.status {
            None => "pending",
            Some(MigrationStatus::Applied) => "applied",
            Some(MigrationStatus::Failed) => "failed",
            Some(MigrationStatus::RolledBack) => "rolled back",
            Some(MigrationStatus::Running) => "interrupted",
        }
    }
}

fn records_by_id(records: &[MigrationRecord]) -> BTreeMap<&str, &MigrationRecord> {
    records
        .iter()
        .map(|record| (record.migration_id.as_str(), record))
        .collect()
}

fn migrations_by_id(migrations: &[Migration]) -> BTreeMap<&str, &Migration> {
    migrations
        .iter()
        .map(|migration| (migration.id(), migration))
        .collect()
}

/// Records in version order (ties by id), so the first problem reported is the oldest.
fn sorted_records(records: &[MigrationRecord]) -> Vec<&MigrationRecord> {
    let mut sorted: Vec<&MigrationRecord> = records.iter().collect();
    sorted.sort_by(|a, b| (&a.version, &a.migration_id).cmp(&(&b.version, &b.migration_id)));
    sorted
}

/// The refusals that hold whatever is selected: an interrupted migration, an applied or
/// interrupted record without its file, an applied file that changed.
fn check_records(
    migrations: &[Migration],
    records: &[MigrationRecord],
    retry_interrupted: bool,
) -> Result<(), DecideError> {
    let files = migrations_by_id(migrations);
    for record in sorted_records(records) {
        let file = files.get(record.migration_id.as_str());
        match record.status {
            MigrationStatus::Running if !retry_interrupted || file.is_none() => {
                return Err(DecideError::Interrupted {
                    id: record.migration_id.clone(),
                    version: record.version.clone(),
                });
            }
            MigrationStatus::Applied => match file {
                None => {
                    return Err(DecideError::FileMissing {
                        id: record.migration_id.clone(),
                        status: record.status,
                    });
                }
                Some(file) if file.checksum != record.checksum => {
                    return Err(DecideError::ChecksumChanged {
                        id: record.migration_id.clone(),
                        recorded: record.checksum.clone(),
                        actual: file.checksum.clone(),
                    });
                }
                Some(_) => {}
            },
            _ => {}
        }
    }
    Ok(())
}

/// The newest applied record, by version.
fn newest_applied(records: &[MigrationRecord]) -> Option<&MigrationRecord> {
    sorted_records(records)
        .into_iter()
        .rfind(|record| record.status == MigrationStatus::Applied)
}

fn selected_for_apply(migration: &Migration, options: &ApplyOptions) -> bool {
    let within_version = options.to.is_none_or(|to| migration.file.version <= to);
    let within_tables = options
        .tables
        .as_ref()
        .is_none_or(|tables| tables.contains(&migration.table));
    within_version && within_tables
}

/// The migrations `bfm apply` runs, in version order, or why it must not run.
pub fn decide_apply<'a>(
    migrations: &'a [Migration],
    records: &'a [MigrationRecord],
    options: &ApplyOptions,
) -> Result<Vec<Pending<'a>>, DecideError> {
    check_records(migrations, records, options.retry_interrupted)?;
    let recorded = records_by_id(records);
    let newest = newest_applied(records);
    let mut pending = Vec::new();
    for migration in migrations {
        let previous = recorded.get(migration.id()).copied();
        if previous.is_some_and(|record| record.status == MigrationStatus::Applied)
            || !selected_for_apply(migration, options)
        {
            continue;
        }
        if let Some(newest) = newest
            && migration.version() < newest.version
            && !options.allow_out_of_order
        {
            return Err(DecideError::OutOfOrder {
                id: migration.id().to_string(),
                newest_applied: newest.migration_id.clone(),
            });
        }
        pending.push(Pending {
            migration,
            previous,
        });
    }
    pending.sort_by(|a, b| {
        (a.migration.file.version, a.migration.id())
            .cmp(&(b.migration.file.version, b.migration.id()))
    });
    Ok(pending)
}

/// The applied migrations `bfm down` rolls back, newest first, or why it must not run.
pub fn decide_down<'a>(
    migrations: &'a [Migration],
    records: &'a [MigrationRecord],
    selection: DownSelection,
) -> Result<Vec<Applied<'a>>, DecideError> {
    if let Some(record) = records
        .iter()
        .find(|record| record.status == MigrationStatus::Running)
    {
        return Err(DecideError::Interrupted {
            id: record.migration_id.clone(),
            version: record.version.clone(),
        });
    }
    let mut applied: Vec<&MigrationRecord> = sorted_records(records)
        .into_iter()
        .filter(|record| record.status == MigrationStatus::Applied)
        .collect();
    applied.reverse();
    let chosen: Vec<&MigrationRecord> = match selection {
        DownSelection::LastBatch => {
            let last = applied.iter().map(|record| record.batch).max();
            applied
                .into_iter()
                .filter(|record| Some(record.batch) == last)
                .collect()
        }
        DownSelection::Steps(steps) => applied.into_iter().take(steps).collect(),
        DownSelection::To(version) => {
            let version = version.to_string();
            applied
                .into_iter()
                .filter(|record| record.version > version)
                .collect()
        }
    };
    let files = migrations_by_id(migrations);
    chosen
        .into_iter()
        .map(|record| match files.get(record.migration_id.as_str()) {
            Some(migration) => Ok(Applied { migration, record }),
            None => Err(DecideError::FileMissing {
                id: record.migration_id.clone(),
                status: record.status,
            }),
        })
        .collect()
}

/// The migrations `bfm baseline` marks applied without running: every one up to `to` (all when
/// `None`) that is not applied yet, in version order.
pub fn decide_baseline<'a>(
    migrations: &'a [Migration],
    records: &[MigrationRecord],
    to: Option<Version>,
) -> Vec<&'a Migration> {
    let recorded = records_by_id(records);
    migrations
        .iter()
        .filter(|migration| to.is_none_or(|to| migration.file.version <= to))
        .filter(|migration| {
            recorded
                .get(migration.id())
                .is_none_or(|record| record.status != MigrationStatus::Applied)
        })
        .collect()
}

/// Applied migrations whose files changed since they ran, in version order.
pub fn checksum_mismatches(
    migrations: &[Migration],
    records: &[MigrationRecord],
) -> Vec<ChecksumMismatch> {
    let files = migrations_by_id(migrations);
    sorted_records(records)
        .into_iter()
        .filter(|record| record.status == MigrationStatus::Applied)
        .filter_map(|record| {
            let file = files.get(record.migration_id.as_str())?;
            (file.checksum != record.checksum).then(|| ChecksumMismatch {
                id: record.migration_id.clone(),
                recorded: record.checksum.clone(),
                actual: file.checksum.clone(),
            })
        })
        .collect()
}

/// One row per migration file and per record whose file is gone, in version order (ties by id).
pub fn status_rows(migrations: &[Migration], records: &[MigrationRecord]) -> Vec<StatusRow> {
    let recorded = records_by_id(records);
    let files = migrations_by_id(migrations);
    let mut rows: Vec<StatusRow> = migrations
        .iter()
        .map(|migration| {
            let record = recorded.get(migration.id()).copied();
            StatusRow {
                version: migration.version(),
                id: migration.id().to_string(),
                name: migration.file.name.clone(),
                status: record.map(|record| record.status),
                file_missing: false,
                applied_at: record.map(|record| record.applied_at.clone()),
                execution_ms: record.map(|record| record.execution_ms),
                checksum_changed: record.is_some_and(|record| {
                    record.status == MigrationStatus::Applied
                        && record.checksum != migration.checksum
                }),
                error: record.and_then(|record| record.error.clone()),
            }
        })
        .collect();
    rows.extend(
        records
            .iter()
            .filter(|record| !files.contains_key(record.migration_id.as_str()))
            .map(|record| StatusRow {
                version: record.version.clone(),
                id: record.migration_id.clone(),
                name: record.name.clone(),
                status: Some(record.status),
                file_missing: true,
                applied_at: Some(record.applied_at.clone()),
                execution_ms: Some(record.execution_ms),
                checksum_changed: false,
                error: record.error.clone(),
            }),
    );
    rows.sort_by(|a, b| (&a.version, &a.id).cmp(&(&b.version, &b.id)));
    rows
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::migrations::MigrationForm;
    use crate::state::Target;
    use std::path::PathBuf;

    fn migration(version: &str, table: &str) -> Migration {
        let id = format!("core_{table}_{version}_init");
        Migration {
            file: MigrationFile {
                id: id.clone(),
                version: Version::parse(version).unwrap(),
                name: "init".into(),
                form: MigrationForm::Generated {
                    up: PathBuf::from(format!("{id}.sql")),
                    down: PathBuf::from(format!("{id}_down.sql")),
                },
            },
            table: table.into(),
            checksum: format!("sum-{version}"),
        }
    }

    fn record(migration: &Migration, status: MigrationStatus, batch: i64) -> MigrationRecord {
        MigrationRecord {
            migration_id: migration.id().to_string(),
            target: Target {
                connection: "core".into(),
                schema: "core".into(),
            },
            backend: "postgresql".into(),
            table: migration.table.clone(),
            version: migration.version(),
            name: migration.file.name.clone(),
            checksum: migration.checksum.clone(),
            status,
            batch,
            applied_at: "2025-01-01T00:00:00Z".into(),
            execution_ms: 7,
            statements_done: 0,
            error: None,
        }
    }

    fn three() -> Vec<Migration> {
        vec![
            migration("20250101000001", "users"),
            migration("20250101000002", "orders"),
            migration("20250101000003", "users"),
        ]
    }

    fn ids(pending: &[Pending<'_>]) -> Vec<String> {
        pending.iter().map(|p| p.migration.version()).collect()
    }

    fn down_ids(applied: &[Applied<'_>]) -> Vec<String> {
        applied.iter().map(|a| a.migration.version()).collect()
    }

    #[test]
    fn runs_every_file_in_version_order_on_a_new_target() {
        let migrations = three();
        let pending = decide_apply(&migrations, &[], &ApplyOptions::default()).unwrap();
        assert_eq!(
            ids(&pending),
            ["20250101000001", "20250101000002", "20250101000003"]
        );
        assert!(pending.iter().all(|p| p.previous.is_none()));
    }

    #[test]
    fn applied_migrations_are_not_run_again() {
        let migrations = three();
        let records = vec![
            record(&migrations[0], MigrationStatus::Applied, 1),
            record(&migrations[1], MigrationStatus::Applied, 1),
        ];
        let pending = decide_apply(&migrations, &records, &ApplyOptions::default()).unwrap();
        assert_eq!(ids(&pending), ["20250101000003"]);
    }

    #[test]
    fn everything_applied_leaves_nothing_to_run() {
        let migrations = three();
        let records: Vec<_> = migrations
            .iter()
            .map(|m| record(m, MigrationStatus::Applied, 1))
            .collect();
        assert!(
            decide_apply(&migrations, &records, &ApplyOptions::default())
                .unwrap()
                .is_empty()
        );
    }

    #[test]
    fn to_stops_at_the_given_version() {
        let migrations = three();
        let options = ApplyOptions {
            to: Some(Version::parse("20250101000002").unwrap()),
            ..ApplyOptions::default()
        };
        let pending = decide_apply(&migrations, &[], &options).unwrap();
        assert_eq!(ids(&pending), ["20250101000001", "20250101000002"]);
    }

    #[test]
    fn tables_limit_the_run_to_those_tables() {
        let migrations = three();
        let options = ApplyOptions {
            tables: Some(vec!["users".into()]),
            ..ApplyOptions::default()
        };
        let pending = decide_apply(&migrations, &[], &options).unwrap();
        assert_eq!(ids(&pending), ["20250101000001", "20250101000003"]);
    }

    #[test]
    fn changed_checksum_of_an_applied_file_refuses() {
        let mut migrations = three();
        let records = vec![record(&migrations[0], MigrationStatus::Applied, 1)];
        migrations[0].checksum = "edited".into();
        let error = decide_apply(&migrations, &records, &ApplyOptions::default()).unwrap_err();
        assert_eq!(
            error,
            DecideError::ChecksumChanged {
                id: migrations[0].id().to_string(),
                recorded: "sum-20250101000001".into(),
                actual: "edited".into(),
            }
        );
    }

    #[test]
    fn failed_file_may_change_and_is_run_again() {
        let mut migrations = three();
        let records = vec![
            record(&migrations[0], MigrationStatus::Applied, 1),
            record(&migrations[1], MigrationStatus::Failed, 1),
        ];
        migrations[1].checksum = "fixed".into();
        let pending = decide_apply(&migrations, &records, &ApplyOptions::default()).unwrap();
        assert_eq!(ids(&pending), ["20250101000002", "20250101000003"]);
        assert_eq!(
            pending[0].previous.map(|r| r.status),
            Some(MigrationStatus::Failed)
        );
    }

    #[test]
    fn failed_file_outside_a_transaction_resumes_after_its_completed_statements() {
        let migrations = three();
        let mut failed = record(&migrations[0], MigrationStatus::Failed, 1);
        failed.statements_done = 2;
        let records = vec![failed];
        let pending = decide_apply(&migrations, &records, &ApplyOptions::default()).unwrap();
        assert_eq!(pending[0].resume_at(true), 2);
        assert_eq!(pending[0].resume_at(false), 0);
        assert_eq!(pending[1].resume_at(true), 0);
    }

    #[test]
    fn pending_file_older_than_the_newest_applied_refuses() {
        let migrations = three();
        let records = vec![
            record(&migrations[0], MigrationStatus::Applied, 1),
            record(&migrations[2], MigrationStatus::Applied, 1),
        ];
        let error = decide_apply(&migrations, &records, &ApplyOptions::default()).unwrap_err();
        assert_eq!(
            error,
            DecideError::OutOfOrder {
                id: migrations[1].id().to_string(),
                newest_applied: migrations[2].id().to_string(),
            }
        );
        assert!(error.to_string().contains("--allow-out-of-order"));
    }

    #[test]
    fn out_of_order_runs_when_allowed() {
        let migrations = three();
        let records = vec![
            record(&migrations[0], MigrationStatus::Applied, 1),
            record(&migrations[2], MigrationStatus::Applied, 1),
        ];
        let options = ApplyOptions {
            allow_out_of_order: true,
            ..ApplyOptions::default()
        };
        let pending = decide_apply(&migrations, &records, &options).unwrap();
        assert_eq!(ids(&pending), ["20250101000002"]);
    }

    #[test]
    fn an_out_of_order_file_outside_the_selection_does_not_refuse() {
        let migrations = three();
        let records = vec![
            record(&migrations[0], MigrationStatus::Applied, 1),
            record(&migrations[2], MigrationStatus::Applied, 1),
        ];
        let options = ApplyOptions {
            tables: Some(vec!["users".into()]),
            ..ApplyOptions::default()
        };
        assert!(
            decide_apply(&migrations, &records, &options)
                .unwrap()
                .is_empty()
        );
    }

    #[test]
    fn interrupted_migration_refuses_and_names_both_ways_out() {
        let migrations = three();
        let records = vec![record(&migrations[0], MigrationStatus::Running, 1)];
        let error = decide_apply(&migrations, &records, &ApplyOptions::default()).unwrap_err();
        assert!(matches!(error, DecideError::Interrupted { .. }), "{error}");
        let message = error.to_string();
        assert!(
            message.contains("bfm baseline --to 20250101000001"),
            "{message}"
        );
        assert!(message.contains("--retry-interrupted"), "{message}");
    }

    #[test]
    fn retry_interrupted_runs_the_interrupted_migration_again() {
        let migrations = three();
        let records = vec![record(&migrations[0], MigrationStatus::Running, 1)];
        let options = ApplyOptions {
            retry_interrupted: true,
            ..ApplyOptions::default()
        };
        let pending = decide_apply(&migrations, &records, &options).unwrap();
        assert_eq!(pending.len(), 3);
        assert_eq!(
            pending[0].previous.map(|r| r.status),
            Some(MigrationStatus::Running)
        );
    }

    #[test]
    fn applied_record_without_its_file_refuses() {
        let migrations = three();
        let records = vec![record(&migrations[0], MigrationStatus::Applied, 1)];
        let error = decide_apply(&migrations[1..], &records, &ApplyOptions::default()).unwrap_err();
        assert_eq!(
            error,
            DecideError::FileMissing {
                id: migrations[0].id().to_string(),
                status: MigrationStatus::Applied,
            }
        );
    }

    #[test]
    fn rolled_back_record_without_its_file_is_no_obstacle() {
        let migrations = three();
        let records = vec![record(&migrations[2], MigrationStatus::RolledBack, 1)];
        let pending = decide_apply(&migrations[..2], &records, &ApplyOptions::default()).unwrap();
        assert_eq!(pending.len(), 2);
    }

    #[test]
    fn rolled_back_migration_is_pending_again() {
        let migrations = three();
        let records = vec![
            record(&migrations[0], MigrationStatus::Applied, 1),
            record(&migrations[1], MigrationStatus::RolledBack, 2),
        ];
        let pending = decide_apply(&migrations, &records, &ApplyOptions::default()).unwrap();
        assert_eq!(ids(&pending), ["20250101000002", "20250101000003"]);
    }

    #[test]
    fn down_rolls_back_the_last_batch_newest_first() {
        let migrations = three();
        let records = vec![
            record(&migrations[0], MigrationStatus::Applied, 1),
            record(&migrations[1], MigrationStatus::Applied, 2),
            record(&migrations[2], MigrationStatus::Applied, 2),
        ];
        let chosen = decide_down(&migrations, &records, DownSelection::LastBatch).unwrap();
        assert_eq!(down_ids(&chosen), ["20250101000003", "20250101000002"]);
    }

    #[test]
    fn down_steps_counts_applied_migrations_across_batches() {
        let migrations = three();
        let records = vec![
            record(&migrations[0], MigrationStatus::Applied, 1),
            record(&migrations[1], MigrationStatus::Applied, 1),
            record(&migrations[2], MigrationStatus::Applied, 2),
        ];
        let chosen = decide_down(&migrations, &records, DownSelection::Steps(2)).unwrap();
        assert_eq!(down_ids(&chosen), ["20250101000003", "20250101000002"]);
    }

    #[test]
    fn down_to_keeps_the_given_version_applied() {
        let migrations = three();
        let records: Vec<_> = migrations
            .iter()
            .map(|m| record(m, MigrationStatus::Applied, 1))
            .collect();
        let to = Version::parse("20250101000001").unwrap();
        let chosen = decide_down(&migrations, &records, DownSelection::To(to)).unwrap();
        assert_eq!(down_ids(&chosen), ["20250101000003", "20250101000002"]);
    }

    #[test]
    fn down_skips_migrations_that_are_not_applied() {
        let migrations = three();
        let records = vec![
            record(&migrations[0], MigrationStatus::Applied, 1),
            record(&migrations[1], MigrationStatus::RolledBack, 2),
            record(&migrations[2], MigrationStatus::Failed, 3),
        ];
        let chosen = decide_down(&migrations, &records, DownSelection::LastBatch).unwrap();
        assert_eq!(down_ids(&chosen), ["20250101000001"]);
    }

    #[test]
    fn down_of_a_migration_whose_file_is_gone_refuses() {
        let migrations = three();
        let records = vec![record(&migrations[2], MigrationStatus::Applied, 1)];
        let error = decide_down(&migrations[..2], &records, DownSelection::LastBatch).unwrap_err();
        assert!(matches!(error, DecideError::FileMissing { .. }), "{error}");
    }

    #[test]
    fn down_refuses_while_a_migration_is_interrupted() {
        let migrations = three();
        let records = vec![
            record(&migrations[0], MigrationStatus::Applied, 1),
            record(&migrations[1], MigrationStatus::Running, 2),
        ];
        assert!(matches!(
            decide_down(&migrations, &records, DownSelection::LastBatch),
            Err(DecideError::Interrupted { .. })
        ));
    }

    #[test]
    fn down_with_nothing_applied_rolls_back_nothing() {
        let migrations = three();
        assert!(
            decide_down(&migrations, &[], DownSelection::LastBatch)
                .unwrap()
                .is_empty()
        );
    }

    #[test]
    fn baseline_marks_unapplied_files_up_to_the_version() {
        let migrations = three();
        let records = vec![
            record(&migrations[0], MigrationStatus::Applied, 1),
            record(&migrations[1], MigrationStatus::Running, 2),
        ];
        let to = Version::parse("20250101000002").unwrap();
        let marked: Vec<String> = decide_baseline(&migrations, &records, Some(to))
            .iter()
            .map(|m| m.version())
            .collect();
        assert_eq!(marked, ["20250101000002"]);
        assert_eq!(decide_baseline(&migrations, &records, None).len(), 2);
    }

    #[test]
    fn status_lists_files_and_records_without_files_in_version_order() {
        let mut migrations = three();
        let gone = migration("20250101000000", "legacy");
        let mut failed = record(&migrations[1], MigrationStatus::Failed, 2);
        failed.error = Some("syntax error".into());
        let records = vec![
            record(&gone, MigrationStatus::Applied, 1),
            record(&migrations[0], MigrationStatus::Applied, 1),
            failed,
        ];
        migrations[0].checksum = "edited".into();
        let rows = status_rows(&migrations, &records);
        let labels: Vec<(&str, &str, bool, bool)> = rows
            .iter()
            .map(|r| {
                (
                    r.version.as_str(),
                    r.label(),
                    r.file_missing,
                    r.checksum_changed,
                )
            })
            .collect();
        assert_eq!(
            labels,
            [
                ("20250101000000", "applied", true, false),
                ("20250101000001", "applied", false, true),
                ("20250101000002", "failed", false, false),
                ("20250101000003", "pending", false, false),
            ]
        );
        assert_eq!(rows[2].error.as_deref(), Some("syntax error"));
        assert_eq!(rows[1].execution_ms, Some(7));
        assert_eq!(rows[3].applied_at, None);
    }

    #[test]
    fn checksum_mismatches_name_applied_files_only() {
        let mut migrations = three();
        let records = vec![
            record(&migrations[0], MigrationStatus::Applied, 1),
            record(&migrations[1], MigrationStatus::Failed, 1),
        ];
        migrations[0].checksum = "a".into();
        migrations[1].checksum = "b".into();
        let mismatches = checksum_mismatches(&migrations, &records);
        assert_eq!(
            mismatches,
            [ChecksumMismatch {
                id: migrations[0].id().to_string(),
                recorded: "sum-20250101000001".into(),
                actual: "a".into(),
            }]
        );
    }
}
