//! `bfm.sum`: the checksums of every file of a migrations directory, so a migration edited after
//! it was generated (or applied) is noticed instead of silently differing.
//!
//! The format is deterministic text: a first line `h1:<sha256 of the rest>`, then one line
//! `<sha256>  <file name>` per file, sorted by name.

use super::MigrationError;
use super::files::file_names;
use sha2::{Digest, Sha256};
use std::fmt::Write as _;
use std::path::Path;

/// The checksum file's name inside a migrations directory.
pub const SUM_FILE: &str = "bfm.sum";

/// What differs between a directory and its `bfm.sum`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SumError {
    #[error("{file} was changed after bfm.sum was written")]
    Changed { file: String },
    #[error("{file} is listed in bfm.sum but missing")]
    Missing { file: String },
    #[error("{file} is not listed in bfm.sum")]
    Unlisted { file: String },
    #[error("bfm.sum was edited by hand: its h1 line does not match its contents")]
    Tampered,
    #[error("bfm.sum is malformed at line {line}")]
    Malformed { line: usize },
    #[error("bfm.sum is missing")]
    NoSumFile,
}

fn sha256_hex(bytes: &[u8]) -> String {
    let digest = Sha256::digest(bytes);
    let mut hex = String::with_capacity(64);
    for byte in digest {
        let _ = write!(hex, "{byte:02x}");
    }
    hex
}

/// The checksum of one file's contents, as `bfm.sum` and the state store record it.
pub fn checksum(bytes: &[u8]) -> String {
    sha256_hex(bytes)
}

/// The text `bfm.sum` should hold for `dir` now.
pub fn compute(dir: &Path) -> Result<String, MigrationError> {
    let mut body = String::new();
    for name in file_names(dir)? {
        if name == SUM_FILE {
            continue;
        }
        let path = dir.join(&name);
        let bytes = std::fs::read(&path).map_err(|source| MigrationError::Io { path, source })?;
        let _ = writeln!(body, "{}  {name}", checksum(&bytes));
    }
    Ok(format!("h1:{}\n{body}", sha256_hex(body.as_bytes())))
}

/// Rewrites `dir/bfm.sum` to match the directory.
pub fn write(dir: &Path) -> Result<(), MigrationError> {
    let text = compute(dir)?;
    let path = dir.join(SUM_FILE);
    std::fs::write(&path, text).map_err(|source| MigrationError::Io { path, source })
}

/// Checks `dir` against its `bfm.sum`; the first difference (in file-name order) is the error.
/// A directory with no files at all needs no `bfm.sum`.
pub fn verify(dir: &Path) -> Result<(), MigrationError> {
    let path = dir.join(SUM_FILE);
    let recorded = match std::fs::read_to_string(&path) {
        Ok(text) => text,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => {
            return if file_names(dir)?.is_empty() {
                Ok(())
            } else {
                Err(sum_error(dir, SumError::NoSumFile))
            };
        }
        Err(source) => return Err(MigrationError::Io { path, source }),
    };
    let recorded = parse(&recorded).map_err(|error| sum_error(dir, error))?;
    let actual = parse(&compute(dir)?).map_err(|error| sum_error(dir, error))?;
    compare(&recorded, &actual).map_err(|error| sum_error(dir, error))
}

fn sum_error(dir: &Path, error: SumError) -> MigrationError {
    MigrationError::Sum {
        dir: dir.to_path_buf(),
        error,
    }
}

/// `(file name, checksum)` lines of a `bfm.sum`, after checking its `h1:` line.
fn parse(text: &str) -> Result<Vec<(String, String)>, SumError> {
    let (first, body) = text.split_once('\n').unwrap_or((text, ""));
    let h1 = first
        .strip_prefix("h1:")
        .ok_or(SumError::Malformed { line: 1 })?;
    if h1 != sha256_hex(body.as_bytes()) {
        return Err(SumError::Tampered);
    }
    body.lines()
        .enumerate()
        .map(|(index, line)| {
            let (sum, name) = line
                .split_once("  ")
                .ok_or(SumError::Malformed { line: index + 2 })?;
            Ok((name.to_string(), sum.to_string()))
        })
        .collect()
}

fn compare(recorded: &[(String, String)], actual: &[(String, String)]) -> Result<(), SumError> {
    let mut recorded = recorded.iter().peekable();
    let mut actual = actual.iter().peekable();
    loop {
        match (recorded.peek(), actual.peek()) {
            (None, None) => return Ok(()),
            (Some((file, _)), None) => return Err(SumError::Missing { file: file.clone() }),
            (None, Some((file, _))) => return Err(SumError::Unlisted { file: file.clone() }),
            (Some((want, want_sum)), Some((have, have_sum))) => {
                if want < have {
                    return Err(SumError::Missing { file: want.clone() });
                }
                if have < want {
                    return Err(SumError::Unlisted { file: have.clone() });
                }
                if want_sum != have_sum {
                    return Err(SumError::Changed { file: want.clone() });
                }
                recorded.next();
                actual.next();
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn project() -> tempfile::TempDir {
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
        write(dir.path()).unwrap();
        dir
    }

    fn sum_error_of(dir: &Path) -> SumError {
        match verify(dir).unwrap_err() {
            MigrationError::Sum { error, .. } => error,
            other => panic!("not a sum error: {other}"),
        }
    }

    #[test]
    fn written_sum_verifies_and_is_deterministic() {
        let dir = project();
        verify(dir.path()).unwrap();
        let text = std::fs::read_to_string(dir.path().join(SUM_FILE)).unwrap();
        assert_eq!(text, compute(dir.path()).unwrap());
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 3);
        assert!(lines[0].starts_with("h1:"));
        assert!(lines[1].ends_with("  core_t_20250101000000_init.sql"));
        assert!(lines[2].ends_with("  core_t_20250101000000_init_down.sql"));
    }

    #[test]
    fn edited_file_is_named() {
        let dir = project();
        std::fs::write(
            dir.path().join("core_t_20250101000000_init_down.sql"),
            "DROP TABLE t CASCADE;\n",
        )
        .unwrap();
        let error = verify(dir.path()).unwrap_err();
        assert!(
            error
                .to_string()
                .contains("core_t_20250101000000_init_down.sql"),
            "{error}"
        );
        assert_eq!(
            sum_error_of(dir.path()),
            SumError::Changed {
                file: "core_t_20250101000000_init_down.sql".into()
            }
        );
    }

    #[test]
    fn deleted_file_is_named() {
        let dir = project();
        std::fs::remove_file(dir.path().join("core_t_20250101000000_init.sql")).unwrap();
        assert_eq!(
            sum_error_of(dir.path()),
            SumError::Missing {
                file: "core_t_20250101000000_init.sql".into()
            }
        );
    }

    #[test]
    fn added_file_is_named() {
        let dir = project();
        std::fs::write(dir.path().join("20250102000000_backfill.sql"), "").unwrap();
        assert_eq!(
            sum_error_of(dir.path()),
            SumError::Unlisted {
                file: "20250102000000_backfill.sql".into()
            }
        );
    }

    #[test]
    fn hand_edited_sum_is_tampered() {
        let dir = project();
        let path = dir.path().join(SUM_FILE);
        let text = std::fs::read_to_string(&path)
            .unwrap()
            .replace("init_down", "init_gone");
        std::fs::write(&path, text).unwrap();
        assert_eq!(sum_error_of(dir.path()), SumError::Tampered);
    }

    #[test]
    fn files_without_a_sum_are_an_error_but_an_empty_directory_is_not() {
        let dir = tempfile::tempdir().unwrap();
        verify(dir.path()).unwrap();
        verify(&dir.path().join("absent")).unwrap();
        std::fs::write(dir.path().join("20250102000000_backfill.sql"), "").unwrap();
        assert_eq!(sum_error_of(dir.path()), SumError::NoSumFile);
    }
}
