//! Writing new migration files into a directory and keeping its `bfm.sum` in step.

use super::MigrationError;
use super::naming::{VersionClock, generated_id, hand_written_id};
use super::render::render_file;
use super::sum;
use crate::backend::{Dialect, RenderContext};
use crate::model::Model;
use crate::plan::Plan;
use std::path::{Path, PathBuf};

/// The text of a new hand-written migration.
pub const HAND_WRITTEN_TEMPLATE: &str = "-- +migrate Up\n\n\n-- +migrate Down\n\n";

/// How the files of one generate run are named and rendered.
pub struct GenerateSettings<'a> {
    /// The sanitized migration name.
    pub name: &'a str,
    /// The `{schema}` of every file name when set (a per-environment connection's name);
    /// otherwise each file's object schema.
    pub file_schema: Option<&'a str>,
    pub dialect: &'a dyn Dialect,
    pub render: &'a RenderContext,
}

/// Writes one up/down pair per planned file of `plan` (which applies to `current`) into `dir`,
/// versions from `clock` in plan order, then rewrites `bfm.sum`. Returns the up and down paths written.
pub fn write_plan(
    dir: &Path,
    plan: &Plan,
    current: &Model,
    clock: &mut VersionClock,
    settings: &GenerateSettings<'_>,
) -> Result<Vec<PathBuf>, MigrationError> {
    let inverses = plan.inverses(current)?;
    create_dir(dir)?;
    let mut written = Vec::new();
    for (file, down) in plan.files.iter().zip(&inverses) {
        let schema = settings.file_schema.unwrap_or(&file.object.schema);
        let id = generated_id(schema, &file.object.name, clock.take(), settings.name);
        let texts = render_file(file, down, settings.dialect, settings.render);
        let up = dir.join(format!("{id}.sql"));
        let down = dir.join(format!("{id}_down.sql"));
        write_new(&up, &texts.up)?;
        write_new(&down, &texts.down)?;
        written.push(up);
        written.push(down);
    }
    sum::write(dir)?;
    Ok(written)
}

/// Writes an empty hand-written migration (both sections) into `dir` and updates `bfm.sum`.
pub fn create_hand_written(
    dir: &Path,
    name: &str,
    clock: &mut VersionClock,
) -> Result<PathBuf, MigrationError> {
    create_dir(dir)?;
    let path = dir.join(format!("{}.sql", hand_written_id(clock.take(), name)));
    write_new(&path, HAND_WRITTEN_TEMPLATE)?;
    sum::write(dir)?;
    Ok(path)
}

fn create_dir(dir: &Path) -> Result<(), MigrationError> {
    std::fs::create_dir_all(dir).map_err(|source| MigrationError::Io {
        path: dir.to_path_buf(),
        source,
    })
}

/// Writes a file that must not exist yet: a migration is never silently overwritten.
fn write_new(path: &Path, text: &str) -> Result<(), MigrationError> {
    use std::io::Write as _;
    let io = |source| MigrationError::Io {
        path: path.to_path_buf(),
        source,
    };
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)
        .map_err(io)?;
    file.write_all(text.as_bytes()).map_err(io)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::backend::postgres::Postgres;
    use crate::diff::AssessedChange;
    use crate::migrations::files::list;
    use crate::migrations::naming::Version;
    use crate::model::{Change, Enum, QualifiedName};
    use crate::plan::PlannedFile;

    #[test]
    fn hand_written_file_has_both_sections_and_is_summed() {
        let dir = tempfile::tempdir().unwrap();
        let mut clock = VersionClock::new(
            Some(Version::parse("20250101120000").unwrap()),
            Version::now(),
        );
        let path = create_hand_written(dir.path(), "backfill_x", &mut clock).unwrap();
        assert_eq!(path.file_name().unwrap(), "20250101120000_backfill_x.sql");
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(text.contains("-- +migrate Up\n") && text.contains("-- +migrate Down\n"));
        sum::verify(dir.path()).unwrap();
        assert_eq!(list(dir.path()).unwrap()[0].id, "20250101120000_backfill_x");
    }

    /// A file for `object` that creates the enum `made` (any change that applies will do).
    fn planned_file(schema: &str, object: &str, made: &str) -> PlannedFile {
        PlannedFile {
            object: QualifiedName::new(schema, object),
            changes: vec![AssessedChange {
                change: Change::CreateEnum {
                    schema: schema.to_string(),
                    value: Enum {
                        name: made.to_string(),
                        values: vec!["a".to_string()],
                        comment: None,
                    },
                },
                hazards: Vec::new(),
                permitted_by_schema: false,
            }],
        }
    }

    #[test]
    fn second_file_for_the_same_table_gets_a_later_version_and_the_same_name() {
        let dir = tempfile::tempdir().unwrap();
        let plan = Plan {
            files: vec![
                planned_file("core", "users", "first"),
                planned_file("core", "users", "second"),
            ],
        };
        let version = Version::parse("20250101120000").unwrap();
        let mut clock = VersionClock::new(Some(version), version);
        let settings = GenerateSettings {
            name: "init",
            file_schema: None,
            dialect: &Postgres,
            render: &RenderContext::default(),
        };
        write_plan(dir.path(), &plan, &Model::default(), &mut clock, &settings).unwrap();
        let ids: Vec<String> = list(dir.path())
            .unwrap()
            .into_iter()
            .map(|m| m.id)
            .collect();
        assert_eq!(
            ids,
            [
                "core_users_20250101120000_init",
                "core_users_20250101120001_init"
            ]
        );
        sum::verify(dir.path()).unwrap();
    }

    #[test]
    fn per_environment_files_are_named_after_the_connection() {
        let dir = tempfile::tempdir().unwrap();
        let plan = Plan {
            files: vec![planned_file("organization", "alerts", "state")],
        };
        let version = Version::parse("20250101120000").unwrap();
        let settings = GenerateSettings {
            name: "init",
            file_schema: Some("organization"),
            dialect: &Postgres,
            render: &RenderContext::default(),
        };
        let written = write_plan(
            dir.path(),
            &plan,
            &Model::default(),
            &mut VersionClock::new(Some(version), version),
            &settings,
        )
        .unwrap();
        let names: Vec<_> = written
            .iter()
            .map(|p| p.file_name().unwrap().to_owned())
            .collect();
        assert_eq!(
            names,
            [
                "organization_alerts_20250101120000_init.sql",
                "organization_alerts_20250101120000_init_down.sql"
            ]
        );
    }

    #[test]
    fn existing_file_is_never_overwritten() {
        let dir = tempfile::tempdir().unwrap();
        let version = Version::parse("20250101120000").unwrap();
        create_hand_written(
            dir.path(),
            "x",
            &mut VersionClock::new(Some(version), version),
        )
        .unwrap();
        let again = create_hand_written(
            dir.path(),
            "x",
            &mut VersionClock::new(Some(version), version),
        );
        assert!(matches!(again, Err(MigrationError::Io { .. })));
    }
}
