//! etcd: keys and values under a prefix, grouped as `{prefix}{schema}/{table}/{key}`.
//!
//! No SQL here: changes become JSON key operations ([`crate::migrations::operations`]), the live
//! keys are read with paged range reads ([`inspect`]), and migrations run as one compare-and-swap
//! transaction each (`crate::apply::etcd`).

mod client;
mod dialect;
mod inspect;
mod write;

pub use client::{EtcdError, connect, endpoints};
pub use dialect::Etcd;
pub use inspect::{LiveKeys, PAGE_SIZE, inspect};
pub use write::{MAX_OPERATIONS, write_plan};

use crate::migrations::operations::KeyOperation;
use crate::model::{Change, Model};
use std::collections::BTreeMap;

/// A connection's key prefix, always starting and ending with `/`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Prefix(String);

impl Prefix {
    /// `opsview/metadata` and `/opsview/metadata/` both give `/opsview/metadata/`.
    pub fn new(raw: &str) -> Prefix {
        let trimmed = raw.trim_matches('/');
        if trimmed.is_empty() {
            Prefix("/".to_string())
        } else {
            Prefix(format!("/{trimmed}/"))
        }
    }

    /// The connection's configured prefix, or `/{connection}/`.
    pub fn of(connection: &crate::config::Connection) -> Prefix {
        Prefix::new(
            connection
                .etcd
                .prefix
                .as_deref()
                .unwrap_or(&connection.name),
        )
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The full key of `key` in group `schema/table`.
    pub fn key(&self, schema: &str, table: &str, key: &str) -> String {
        format!("{}{schema}/{table}/{key}", self.0)
    }

    /// `(schema, table, key)` of a full key under this prefix; `None` for a key outside it or
    /// with fewer than three parts.
    pub fn split<'k>(&self, full: &'k str) -> Option<(&'k str, &'k str, &'k str)> {
        let rest = full.strip_prefix(&self.0)?;
        let (schema, rest) = rest.split_once('/')?;
        let (table, key) = rest.split_once('/')?;
        (!schema.is_empty() && !table.is_empty() && !key.is_empty()).then_some((schema, table, key))
    }

    /// The first key after every key of this prefix: the end of its range.
    pub fn range_end(&self) -> Vec<u8> {
        let mut end = self.0.as_bytes().to_vec();
        if let Some(last) = end.last_mut() {
            *last += 1;
        }
        end
    }
}

/// The operations that make `changes` happen under `prefix`; `revisions` holds the live
/// mod_revision of keys as the plan saw them (empty for a plan made from a replay).
pub fn operations(
    changes: &[Change],
    prefix: &Prefix,
    revisions: &BTreeMap<String, i64>,
) -> Vec<KeyOperation> {
    changes
        .iter()
        .filter_map(|change| match change {
            Change::PutKey {
                schema,
                table,
                key,
                value,
                previous,
            } => {
                let key = prefix.key(schema, table, key);
                Some(KeyOperation::Put {
                    mod_revision: revisions.get(&key).copied(),
                    key,
                    value: value.clone(),
                    previous: previous.clone(),
                })
            }
            Change::DeleteKey {
                schema,
                table,
                key,
                previous,
            } => {
                let key = prefix.key(schema, table, key);
                Some(KeyOperation::Delete {
                    mod_revision: revisions.get(&key).copied(),
                    key,
                    previous: Some(previous.clone()),
                })
            }
            _ => None,
        })
        .collect()
}

/// The changes `operations` make to `model` (a replay step), each applied before the next is
/// read: a delete that does not say its previous value takes it from the model.
pub fn apply_operations(
    model: &mut Model,
    operations: &[KeyOperation],
    prefix: &Prefix,
) -> Result<(), String> {
    for operation in operations {
        let (schema, table, key) = prefix.split(operation.key()).ok_or_else(|| {
            format!(
                "key {} is not of the form {}{{schema}}/{{table}}/{{key}}",
                operation.key(),
                prefix.as_str()
            )
        })?;
        let change = match operation {
            KeyOperation::Put {
                value, previous, ..
            } => Change::PutKey {
                schema: schema.to_string(),
                table: table.to_string(),
                key: key.to_string(),
                value: value.clone(),
                previous: previous.clone(),
            },
            KeyOperation::Delete { previous, .. } => {
                let previous = match previous {
                    Some(previous) => previous.clone(),
                    None => model
                        .schemas
                        .get(schema)
                        .and_then(|s| s.key_groups.get(table))
                        .and_then(|g| g.keys.get(key))
                        .cloned()
                        .ok_or_else(|| format!("key {} does not exist", operation.key()))?,
                };
                Change::DeleteKey {
                    schema: schema.to_string(),
                    table: table.to_string(),
                    key: key.to_string(),
                    previous,
                }
            }
        };
        change.apply_to(model).map_err(|e| e.message)?;
    }
    Ok(())
}

/// Replays an etcd migrations directory (after checking its `bfm.sum`): every up file's
/// operations folded onto an empty model in version order.
pub fn replay(
    dir: &std::path::Path,
    prefix: &Prefix,
) -> Result<crate::migrations::Replay, crate::migrations::MigrationError> {
    use crate::migrations::MigrationError;
    crate::migrations::sum::verify(dir)?;
    let migrations = crate::migrations::list(dir)?;
    let mut model = Model::default();
    for migration in &migrations {
        let path = migration.up_path();
        let operations = crate::migrations::operations::read(path)?;
        apply_operations(&mut model, &operations, prefix).map_err(|message| {
            MigrationError::Split {
                path: path.to_path_buf(),
                line: 1,
                column: 1,
                message: format!("does not replay: {message}"),
            }
        })?;
    }
    Ok(crate::migrations::Replay { model, migrations })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefix_is_normalized_and_splits_keys_into_schema_table_and_key() {
        let prefix = Prefix::new("opsview/metadata");
        assert_eq!(prefix.as_str(), "/opsview/metadata/");
        assert_eq!(
            prefix.split("/opsview/metadata/global/settings/smtp/host"),
            Some(("global", "settings", "smtp/host"))
        );
        assert_eq!(prefix.split("/opsview/metadata/global/settings"), None);
        assert_eq!(prefix.split("/other/global/settings/a"), None);
        assert_eq!(prefix.range_end(), b"/opsview/metadata0".to_vec());
    }

    #[test]
    fn operations_replay_into_the_changes_they_came_from() {
        let prefix = Prefix::new("/p/");
        let changes = vec![
            Change::PutKey {
                schema: "s".into(),
                table: "t".into(),
                key: "a".into(),
                value: "1".into(),
                previous: None,
            },
            Change::PutKey {
                schema: "s".into(),
                table: "t".into(),
                key: "b".into(),
                value: "2".into(),
                previous: None,
            },
        ];
        let mut model = Model::default();
        apply_operations(
            &mut model,
            &operations(&changes, &prefix, &BTreeMap::new()),
            &prefix,
        )
        .unwrap();
        let down: Vec<Change> = changes.iter().rev().filter_map(Change::inverse).collect();
        assert_eq!(model.schemas["s"].key_groups["t"].keys.len(), 2);
        apply_operations(
            &mut model,
            &operations(&down, &prefix, &BTreeMap::new()),
            &prefix,
        )
        .unwrap();
        assert_eq!(model, Model::default());
    }
}
