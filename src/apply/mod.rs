//! Running migrations against a live database: deciding what is pending (pure), then executing
//! files under the state store's lock, each in a transaction where the backend allows it
//! (PostgreSQL), statement by statement with the progress recorded where it does not (the
//! MySQL protocol: GreptimeDB, and MySQL).

pub mod decide;
pub mod deployment;
pub mod etcd;
pub mod execute;
pub mod fanout;
pub mod target;

pub use decide::{
    Applied, ApplyOptions, ChecksumMismatch, DecideError, DownSelection, Migration, Pending,
    StatusRow, checksum_mismatches, decide_apply, decide_baseline, decide_down, status_rows,
};
pub use execute::{ApplyError, Execution, RunReport, StopFlag, TargetRun};
pub use target::TargetPool;

use crate::migrations::files::read_to_string;
use crate::migrations::sum::checksum;
use crate::migrations::{MigrationError, MigrationForm, list};
use std::path::Path;

/// Every migration of `dir` with the checksum of its up file and the table it is about.
/// `file_schema` is the schema part of generated file names (the connection's schema, or its
/// name for a per-environment connection).
pub fn load_migrations(dir: &Path, file_schema: &str) -> Result<Vec<Migration>, MigrationError> {
    list(dir)?
        .into_iter()
        .map(|file| {
            let text = read_to_string(file.up_path())?;
            let table = match file.form {
                MigrationForm::Generated { .. } | MigrationForm::Operations { .. } => {
                    table_of(&file.id, &file.version.to_string(), file_schema)
                }
                MigrationForm::HandWritten { .. } => String::new(),
            };
            Ok(Migration {
                checksum: checksum(text.as_bytes()),
                table,
                file,
            })
        })
        .collect()
}

/// The table of a generated migration id `{schema}_{table}_{version}_{name}`: the subject before
/// the version, without the schema prefix.
fn table_of(id: &str, version: &str, file_schema: &str) -> String {
    let subject = id
        .find(&format!("_{version}_"))
        .map_or(id, |end| &id[..end]);
    subject
        .strip_prefix(file_schema)
        .and_then(|rest| rest.strip_prefix('_'))
        .unwrap_or(subject)
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_is_the_subject_without_the_schema() {
        assert_eq!(
            table_of(
                "core_plan_features_20250101120004_init",
                "20250101120004",
                "core"
            ),
            "plan_features"
        );
        assert_eq!(
            table_of(
                "organization_members_20250101120004_add_role",
                "20250101120004",
                "organization"
            ),
            "members"
        );
        assert_eq!(
            table_of("core_20250101120000_init", "20250101120000", "core"),
            "core"
        );
    }

    #[test]
    fn loaded_migrations_carry_the_checksum_of_their_up_file() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("core_t_20250101000000_init.sql"),
            "CREATE TABLE t ();\n",
        )
        .unwrap();
        std::fs::write(
            dir.path().join("core_t_20250101000000_init_down.sql"),
            "DROP TABLE t;\n",
        )
        .unwrap();
        std::fs::write(
            dir.path().join("20250102000000_fill.sql"),
            "-- +migrate Up\n",
        )
        .unwrap();
        let migrations = load_migrations(dir.path(), "core").unwrap();
        assert_eq!(migrations.len(), 2);
        assert_eq!(migrations[0].table, "t");
        assert_eq!(migrations[0].checksum, checksum(b"CREATE TABLE t ();\n"));
        assert_eq!(migrations[1].table, "");
    }
}
