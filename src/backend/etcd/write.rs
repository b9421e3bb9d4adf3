//! Writing an etcd plan as `.json` / `_down.json` migration files.
//!
//! etcd refuses a transaction with more than 128 operations (`--max-txn-ops`) or a request over
//! 1.5 MiB (`--max-request-bytes`), and each migration runs as one transaction. So a group's
//! changes are split into several files of at most [`MAX_OPERATIONS`] operations and about
//! [`MAX_FILE_BYTES`] of values each: every file is atomic, the set of files is not (see
//! docs/etcd.md).

use super::{Prefix, operations};
use crate::migrations::naming::{VersionClock, generated_id};
use crate::migrations::operations::render;
use crate::migrations::{MigrationError, sum};
use crate::model::Change;
use crate::plan::Plan;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// etcd's default `--max-txn-ops`: the most operations one file (one transaction) holds.
pub const MAX_OPERATIONS: usize = 128;

/// The most value bytes (new and previous values together) one file holds, below etcd's default
/// 1.5 MiB request limit.
pub const MAX_FILE_BYTES: usize = 1024 * 1024;

fn weight(change: &Change) -> usize {
    match change {
        Change::PutKey {
            key,
            value,
            previous,
            ..
        } => key.len() + value.len() + previous.as_ref().map_or(0, String::len),
        Change::DeleteKey { key, previous, .. } => key.len() + previous.len(),
        _ => 0,
    }
}

/// `changes` in runs that each fit one transaction; a single change is never split.
pub fn chunks(changes: &[Change]) -> Vec<&[Change]> {
    let mut chunks = Vec::new();
    let mut start = 0;
    let mut bytes = 0;
    for (index, change) in changes.iter().enumerate() {
        let full = index - start == MAX_OPERATIONS || bytes + weight(change) > MAX_FILE_BYTES;
        if full && index > start {
            chunks.push(&changes[start..index]);
            start = index;
            bytes = 0;
        }
        bytes += weight(change);
    }
    if start < changes.len() {
        chunks.push(&changes[start..]);
    }
    chunks
}

/// Writes one up/down pair per planned file (more when a file must be split), versions from
/// `clock` in plan order, then rewrites `bfm.sum`. `revisions` are the live mod_revisions the
/// plan saw (empty for a plan made from a replay). Returns the paths written.
pub fn write_plan(
    dir: &Path,
    plan: &Plan,
    prefix: &Prefix,
    revisions: &BTreeMap<String, i64>,
    clock: &mut VersionClock,
    name: &str,
) -> Result<Vec<PathBuf>, MigrationError> {
    std::fs::create_dir_all(dir).map_err(|source| MigrationError::Io {
        path: dir.to_path_buf(),
        source,
    })?;
    let mut written = Vec::new();
    for file in &plan.files {
        let changes: Vec<Change> = file.changes.iter().map(|c| c.change.clone()).collect();
        for chunk in chunks(&changes) {
            let down: Vec<Change> = chunk.iter().rev().filter_map(Change::inverse).collect();
            let id = generated_id(&file.object.schema, &file.object.name, clock.take(), name);
            let up_path = dir.join(format!("{id}.json"));
            let down_path = dir.join(format!("{id}_down.json"));
            write_new(&up_path, &render(&operations(chunk, prefix, revisions)))?;
            write_new(
                &down_path,
                &render(&operations(&down, prefix, &BTreeMap::new())),
            )?;
            written.push(up_path);
            written.push(down_path);
        }
    }
    sum::write(dir)?;
    Ok(written)
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

    fn put(key: usize, bytes: usize) -> Change {
        Change::PutKey {
            schema: "s".into(),
            table: "t".into(),
            key: format!("k{key:04}"),
            value: "x".repeat(bytes),
            previous: None,
        }
    }

    #[test]
    fn more_than_128_operations_are_split_into_files_of_at_most_128() {
        let changes: Vec<Change> = (0..300).map(|i| put(i, 1)).collect();
        let sizes: Vec<usize> = chunks(&changes).iter().map(|c| c.len()).collect();
        assert_eq!(sizes, [128, 128, 44]);
    }

    #[test]
    fn large_values_split_files_by_size_and_a_single_large_change_stays_whole() {
        let changes = vec![put(0, 600_000), put(1, 600_000), put(2, 2_000_000)];
        let sizes: Vec<usize> = chunks(&changes).iter().map(|c| c.len()).collect();
        assert_eq!(sizes, [1, 1, 1]);
    }
}
