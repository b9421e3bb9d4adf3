//! Reading a migrations directory: generated up/down pairs and hand-written files with
//! `-- +migrate Up` / `-- +migrate Down` sections, in version order.

use super::MigrationError;
use super::naming::{FileName, Version, parse_stem};
use crate::source::script::{self, Section};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The directive that keeps a file out of a transaction (`-- bfm:no-transaction`).
pub const NO_TRANSACTION: &str = "no-transaction";

/// The two forms a migration takes on disk.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MigrationForm {
    /// `{subject}_{version}_{name}.sql` with `_down.sql` beside it.
    Generated { up: PathBuf, down: PathBuf },
    /// `{version}_{name}.sql` holding both sections.
    HandWritten { path: PathBuf },
    /// etcd: `{subject}_{version}_{name}.json` with `_down.json` beside it, each a JSON array
    /// of key operations (see [`super::operations`]).
    Operations { up: PathBuf, down: PathBuf },
}

/// One migration of a directory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MigrationFile {
    /// The file stem without `_down`: `core_users_20250101120000_init`.
    pub id: String,
    pub version: Version,
    pub name: String,
    pub form: MigrationForm,
}

impl MigrationFile {
    /// The file that holds the up statements.
    pub fn up_path(&self) -> &Path {
        match &self.form {
            MigrationForm::Generated { up, .. } | MigrationForm::Operations { up, .. } => up,
            MigrationForm::HandWritten { path } => path,
        }
    }

    /// The file that holds the down statements or operations (a hand-written file holds both).
    pub fn down_path(&self) -> &Path {
        match &self.form {
            MigrationForm::Generated { down, .. } | MigrationForm::Operations { down, .. } => down,
            MigrationForm::HandWritten { path } => path,
        }
    }

    /// The part of the up file's statements that run on the way up.
    pub fn up_section(&self) -> Section {
        match self.form {
            MigrationForm::Generated { .. } | MigrationForm::Operations { .. } => Section::Whole,
            MigrationForm::HandWritten { .. } => Section::Up,
        }
    }

    /// The up statements' text and whether it must run outside a transaction. An operations
    /// file is one statement: its whole JSON text, which etcd runs as one transaction.
    pub fn read_up(&self) -> Result<MigrationText, MigrationError> {
        match &self.form {
            MigrationForm::Operations { up, .. } => read_whole(up),
            _ => read_sections(self.up_path(), self.up_section()),
        }
    }

    /// The down statements: the `_down.sql` file, or the Down section of a hand-written one.
    pub fn read_down(&self) -> Result<MigrationText, MigrationError> {
        match &self.form {
            MigrationForm::Generated { down, .. } => read_sections(down, Section::Whole),
            MigrationForm::HandWritten { path } => read_sections(path, Section::Down),
            MigrationForm::Operations { down, .. } => read_whole(down),
        }
    }
}

fn read_whole(path: &Path) -> Result<MigrationText, MigrationError> {
    Ok(MigrationText {
        statements: vec![read_to_string(path)?],
        no_transaction: false,
    })
}

/// The statements of one direction of a migration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MigrationText {
    /// Each statement without its `;`.
    pub statements: Vec<String>,
    /// The file says `-- bfm:no-transaction`.
    pub no_transaction: bool,
}

fn read_sections(path: &Path, section: Section) -> Result<MigrationText, MigrationError> {
    let text = read_to_string(path)?;
    let script = script::split(&text).map_err(|error| MigrationError::Split {
        path: path.to_path_buf(),
        line: error.line,
        column: error.column,
        message: error.message,
    })?;
    Ok(MigrationText {
        statements: script
            .statements
            .into_iter()
            .filter(|statement| statement.section == section)
            .map(|statement| statement.sql)
            .collect(),
        no_transaction: script
            .directives
            .iter()
            .any(|(_, directive)| directive.trim() == NO_TRANSACTION),
    })
}

pub(crate) fn read_to_string(path: &Path) -> Result<String, MigrationError> {
    std::fs::read_to_string(path).map_err(|source| MigrationError::Io {
        path: path.to_path_buf(),
        source,
    })
}

/// The migration file names of `dir` (`.sql`, and `.json` for etcd), sorted. A missing
/// directory has none.
pub(crate) fn sql_file_names(dir: &Path) -> Result<Vec<String>, MigrationError> {
    Ok(file_names(dir)?
        .into_iter()
        .filter(|name| name.ends_with(".sql") || name.ends_with(".json"))
        .collect())
}

/// The names of the regular, non-hidden files of `dir`, sorted. A missing directory has none.
pub(crate) fn file_names(dir: &Path) -> Result<Vec<String>, MigrationError> {
    let io = |source| MigrationError::Io {
        path: dir.to_path_buf(),
        source,
    };
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(error) => return Err(io(error)),
    };
    let mut names = Vec::new();
    for entry in entries {
        let entry = entry.map_err(io)?;
        if !entry.file_type().map_err(io)?.is_file() {
            continue;
        }
        if let Some(name) = entry.file_name().to_str()
            && !name.starts_with('.')
        {
            names.push(name.to_string());
        }
    }
    names.sort();
    Ok(names)
}

/// Every migration of `dir` in version order (ties by id). A missing directory has none.
pub fn list(dir: &Path) -> Result<Vec<MigrationFile>, MigrationError> {
    let mut ups = BTreeMap::new();
    let mut downs = BTreeMap::new();
    let mut migrations = Vec::new();
    let mut json_ids = std::collections::BTreeSet::new();
    for file_name in sql_file_names(dir)? {
        let path = dir.join(&file_name);
        let json = file_name.ends_with(".json");
        let stem = file_name
            .strip_suffix(".sql")
            .or_else(|| file_name.strip_suffix(".json"))
            .unwrap_or(&file_name);
        match parse_stem(stem) {
            Some(FileName::HandWritten { .. }) if json => {
                return Err(MigrationError::UnrecognizedFile { path });
            }
            Some(FileName::GeneratedUp { id, .. } | FileName::GeneratedDown { id }) if json => {
                json_ids.insert(id);
            }
            _ => {}
        }
        match parse_stem(stem) {
            Some(FileName::HandWritten { id, version, name }) => migrations.push(MigrationFile {
                id,
                version,
                name,
                form: MigrationForm::HandWritten { path },
            }),
            Some(FileName::GeneratedUp {
                id, version, name, ..
            }) => {
                ups.insert(id, (version, name, path));
            }
            Some(FileName::GeneratedDown { id }) => {
                downs.insert(id, path);
            }
            None => return Err(MigrationError::UnrecognizedFile { path }),
        }
    }
    for (id, (version, name, up)) in ups {
        let down = downs
            .remove(&id)
            .ok_or_else(|| MigrationError::MissingDown { up: up.clone() })?;
        let form = if json_ids.contains(&id) {
            MigrationForm::Operations { up, down }
        } else {
            MigrationForm::Generated { up, down }
        };
        migrations.push(MigrationFile {
            id,
            version,
            name,
            form,
        });
    }
    if let Some((_, down)) = downs.into_iter().next() {
        return Err(MigrationError::MissingUp { down });
    }
    migrations.sort_by(|a, b| (a.version, &a.id).cmp(&(b.version, &b.id)));
    Ok(migrations)
}

/// The newest version in `dir`, if it holds any migration.
pub fn newest_version(dir: &Path) -> Result<Option<Version>, MigrationError> {
    Ok(list(dir)?.iter().map(|m| m.version).max())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(dir: &Path, name: &str, text: &str) {
        std::fs::write(dir.join(name), text).unwrap();
    }

    #[test]
    fn lists_both_forms_in_version_order() {
        let dir = tempfile::tempdir().unwrap();
        write(dir.path(), "core_users_20250102000000_add_email.sql", "");
        write(
            dir.path(),
            "core_users_20250102000000_add_email_down.sql",
            "",
        );
        write(dir.path(), "20250103000000_backfill.sql", "");
        write(dir.path(), "core_users_20250101000000_init.sql", "");
        write(dir.path(), "core_users_20250101000000_init_down.sql", "");
        write(dir.path(), "bfm.sum", "");
        let ids: Vec<String> = list(dir.path())
            .unwrap()
            .into_iter()
            .map(|m| m.id)
            .collect();
        assert_eq!(
            ids,
            [
                "core_users_20250101000000_init",
                "core_users_20250102000000_add_email",
                "20250103000000_backfill"
            ]
        );
    }

    #[test]
    fn a_generated_file_without_its_down_file_is_an_error() {
        let dir = tempfile::tempdir().unwrap();
        write(dir.path(), "core_users_20250101000000_init.sql", "");
        let error = list(dir.path()).unwrap_err();
        assert!(
            matches!(error, MigrationError::MissingDown { .. }),
            "{error}"
        );
        assert!(
            error
                .to_string()
                .contains("core_users_20250101000000_init.sql")
        );
    }

    #[test]
    fn a_sql_file_without_a_version_is_an_error() {
        let dir = tempfile::tempdir().unwrap();
        write(dir.path(), "notes.sql", "");
        assert!(matches!(
            list(dir.path()).unwrap_err(),
            MigrationError::UnrecognizedFile { .. }
        ));
    }

    #[test]
    fn missing_directory_has_no_migrations() {
        let dir = tempfile::tempdir().unwrap();
        assert!(list(&dir.path().join("absent")).unwrap().is_empty());
    }

    #[test]
    fn hand_written_file_splits_into_up_and_down_sections() {
        let dir = tempfile::tempdir().unwrap();
        write(
            dir.path(),
            "20250101000000_backfill.sql",
            "-- bfm:no-transaction\n-- +migrate Up\nUPDATE t SET a = 1;\nUPDATE t SET b = 2;\n\
             -- +migrate Down\nUPDATE t SET a = NULL;\n",
        );
        let migration = list(dir.path()).unwrap().remove(0);
        let up = migration.read_up().unwrap();
        assert_eq!(up.statements, ["UPDATE t SET a = 1", "UPDATE t SET b = 2"]);
        assert!(up.no_transaction);
        let down = migration.read_down().unwrap();
        assert_eq!(down.statements, ["UPDATE t SET a = NULL"]);
    }

    #[test]
    fn generated_pair_reads_the_down_file_for_down() {
        let dir = tempfile::tempdir().unwrap();
        write(
            dir.path(),
            "core_t_20250101000000_init.sql",
            "-- change: create table core.t\nCREATE TABLE core.t (a integer);\n",
        );
        write(
            dir.path(),
            "core_t_20250101000000_init_down.sql",
            "DROP TABLE core.t;\n",
        );
        let migration = list(dir.path()).unwrap().remove(0);
        assert_eq!(
            migration.read_up().unwrap().statements,
            ["CREATE TABLE core.t (a integer)"]
        );
        assert!(!migration.read_up().unwrap().no_transaction);
        assert_eq!(
            migration.read_down().unwrap().statements,
            ["DROP TABLE core.t"]
        );
    }
}
