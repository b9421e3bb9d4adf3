//! Replay: the model a migrations directory builds, found without a database by folding every
//! up file (generated ones whole, hand-written ones' Up section) onto an empty model in version
//! order.

use super::MigrationError;
use super::files::{MigrationFile, list, read_to_string};
use crate::model::Model;
use crate::source::LoadError;
use crate::source::script::Section;
use std::path::Path;

/// Applies the statements of `text` (read from `file`) that belong to `section` to the model:
/// the SQL loader's job, passed in so replay stays independent of how SQL is read.
pub type SqlApplier<'a> = dyn FnMut(&mut Model, &str, &Path, Section) -> Result<(), LoadError> + 'a;

/// The model a directory builds, and the migrations it was built from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Replay {
    pub model: Model,
    pub migrations: Vec<MigrationFile>,
}

/// Replays every migration of `dir` (none when it does not exist) onto an empty model.
pub fn replay(dir: &Path, apply: &mut SqlApplier<'_>) -> Result<Replay, MigrationError> {
    let migrations = list(dir)?;
    let mut model = Model::default();
    for migration in &migrations {
        let path = migration.up_path();
        let text = read_to_string(path)?;
        apply(&mut model, &text, path, migration.up_section()).map_err(MigrationError::Load)?;
    }
    Ok(Replay { model, migrations })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replays_up_files_in_version_order_with_their_sections() {
        let dir = tempfile::tempdir().unwrap();
        let write = |name: &str| std::fs::write(dir.path().join(name), name).unwrap();
        write("core_t_20250102000000_b.sql");
        write("core_t_20250102000000_b_down.sql");
        write("20250101000000_a.sql");
        let mut seen = Vec::new();
        let mut apply = |model: &mut Model, text: &str, _: &Path, section: Section| {
            model.schema_mut(text);
            seen.push((text.to_string(), section));
            Ok(())
        };
        let replay = replay(dir.path(), &mut apply).unwrap();
        assert_eq!(
            seen,
            [
                ("20250101000000_a.sql".to_string(), Section::Up),
                ("core_t_20250102000000_b.sql".to_string(), Section::Whole)
            ]
        );
        assert_eq!(replay.migrations.len(), 2);
        assert_eq!(replay.model.schemas.len(), 2);
    }

    #[test]
    fn load_errors_stop_the_replay() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("20250101000000_a.sql"), "").unwrap();
        let mut apply = |_: &mut Model, _: &str, file: &Path, _: Section| {
            Err(LoadError::Io {
                path: file.to_path_buf(),
                source: std::io::Error::other("bad"),
            })
        };
        assert!(matches!(
            replay(dir.path(), &mut apply),
            Err(MigrationError::Load(_))
        ));
    }
}
