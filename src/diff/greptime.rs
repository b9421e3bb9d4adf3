//! The diff of GreptimeDB tables: only what the server can ALTER (for the configured server
//! version) becomes in-place changes; anything else recreates the table, with the reasons.

use crate::backend::greptime::{index_column_reason, is_settable, is_unsettable};
use crate::model::{Change, Column, ColumnPosition, Model, QualifiedName, Table};
use std::collections::BTreeMap;
use std::fmt;

/// A GreptimeDB server version (`1.2`, `v0.15.0`): decides which ALTERs exist.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct GreptimeVersion {
    pub major: u32,
    pub minor: u32,
}

impl GreptimeVersion {
    /// The current 1.x release line.
    pub const DEFAULT: GreptimeVersion = GreptimeVersion { major: 1, minor: 2 };

    pub fn parse(text: &str) -> Option<GreptimeVersion> {
        let mut parts = text.trim().trim_start_matches('v').split(['.', '-']);
        let major = parts.next()?.parse().ok()?;
        let minor = parts.next().map_or(Some(0), |m| m.parse().ok())?;
        Some(GreptimeVersion { major, minor })
    }

    const fn at_least(self, major: u32, minor: u32) -> bool {
        self.major > major || (self.major == major && self.minor >= minor)
    }
}

impl Default for GreptimeVersion {
    fn default() -> Self {
        GreptimeVersion::DEFAULT
    }
}

impl fmt::Display for GreptimeVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}", self.major, self.minor)
    }
}

/// Options that the server derives by itself and that say nothing the desired state must
/// repeat: `compaction.type` (only `twcs` exists, and SET of a twcs key adds it) and
/// `compaction.override`.
fn comparable_options(table: &Table) -> BTreeMap<String, String> {
    let mut options = table
        .greptime
        .as_ref()
        .map(|g| g.options.clone())
        .unwrap_or_default();
    options.remove("compaction.type");
    options.remove("compaction.override");
    options
}

/// The first version whose `ALTER TABLE … SET` knows `key`.
fn set_since(key: &str) -> (u32, u32) {
    match key {
        "sst_format" | "append_mode" => (1, 0),
        "write_buffer_size" | "auto_flush_interval" | "max_row_group_row_count" => (1, 2),
        "skip_wal" => (1, 3),
        _ if key.starts_with("greptime.semantic.") || key == "repartition.column.hint" => (1, 2),
        _ => (0, 10),
    }
}

/// The changes from `from` to `to` (both GreptimeDB tables of `name`).
pub(super) fn table(
    name: &QualifiedName,
    from: &Table,
    to: &Table,
    version: GreptimeVersion,
    out: &mut Vec<Change>,
) {
    let mut changes = Vec::new();
    let mut reasons = Vec::new();
    structure(from, to, &mut reasons);
    options(name, from, to, version, &mut changes, &mut reasons);
    columns(name, from, to, version, &mut changes, &mut reasons);
    if reasons.is_empty() {
        out.extend(changes);
    } else {
        out.push(Change::RecreateTable {
            schema: name.schema.clone(),
            from: from.clone(),
            to: to.clone(),
            reasons,
        });
    }
}

/// Time index, engine, tags and partition rules: none can change in place (but new tags may
/// be appended to the key).
fn structure(from: &Table, to: &Table, reasons: &mut Vec<String>) {
    let (Some(old), Some(new)) = (&from.greptime, &to.greptime) else {
        reasons.push("the table is not a GreptimeDB table on both sides".to_string());
        return;
    };
    if old.time_index != new.time_index {
        reasons.push(format!(
            "the time index moves from {} to {}",
            old.time_index, new.time_index
        ));
    }
    if old.engine != new.engine {
        reasons.push(format!(
            "the engine changes from {} to {}",
            old.engine, new.engine
        ));
    }
    if old.partition != new.partition {
        reasons.push("the partition rules change".to_string());
    }
    let old_tags = tags(from);
    let new_tags = tags(to);
    let appended_only = new_tags.starts_with(&old_tags)
        && new_tags[old_tags.len()..]
            .iter()
            .all(|tag| from.column(tag).is_none());
    if !appended_only {
        reasons.push(format!(
            "the tags change from ({}) to ({}): only new columns can be appended as tags",
            old_tags.join(", "),
            new_tags.join(", ")
        ));
    }
}

fn tags(table: &Table) -> Vec<String> {
    table
        .primary_key
        .as_ref()
        .map(|k| k.columns.clone())
        .unwrap_or_default()
}

fn options(
    name: &QualifiedName,
    from: &Table,
    to: &Table,
    version: GreptimeVersion,
    changes: &mut Vec<Change>,
    reasons: &mut Vec<String>,
) {
    let old = comparable_options(from);
    let new = comparable_options(to);
    if old == new {
        return;
    }
    for (key, value) in &new {
        if old.get(key) == Some(value) || key == "comment" {
            continue;
        }
        let (major, minor) = set_since(key);
        let one_way_back = match key.as_str() {
            "append_mode" => value != "true",
            "skip_wal" => value != "true",
            _ => false,
        };
        if !is_settable(key) || one_way_back {
            reasons.push(format!("option {key} cannot be altered to '{value}'"));
        } else if !version.at_least(major, minor) {
            reasons.push(format!(
                "SET {key} needs GreptimeDB {major}.{minor} (server version {version})"
            ));
        }
    }
    for key in old
        .keys()
        .filter(|k| !new.contains_key(*k) && *k != "comment")
    {
        if !is_unsettable(key) || !version.at_least(0, 10) {
            reasons.push(format!("option {key} cannot be unset"));
        }
    }
    let full = |table: &Table| {
        table
            .greptime
            .as_ref()
            .map(|g| g.options.clone())
            .unwrap_or_default()
    };
    let mut target = full(to);
    for derived in ["compaction.type", "compaction.override"] {
        match full(from).get(derived) {
            Some(value) => target.insert(derived.to_string(), value.clone()),
            None => target.remove(derived),
        };
    }
    changes.push(Change::SetTableOptions {
        table: name.clone(),
        from: full(from),
        to: target,
    });
}

fn columns(
    name: &QualifiedName,
    from: &Table,
    to: &Table,
    version: GreptimeVersion,
    changes: &mut Vec<Change>,
    reasons: &mut Vec<String>,
) {
    for column in to.columns.iter().filter(|c| c.renamed_from.is_some()) {
        reasons.push(format!(
            "column {} is renamed (GreptimeDB cannot rename columns)",
            column.name
        ));
    }
    let kept_old: Vec<&String> = from
        .columns
        .iter()
        .map(|c| &c.name)
        .filter(|n| to.column(n).is_some())
        .collect();
    let kept_new: Vec<&String> = to
        .columns
        .iter()
        .map(|c| &c.name)
        .filter(|n| from.column(n).is_some())
        .collect();
    if kept_old != kept_new {
        reasons.push("columns are reordered (GreptimeDB cannot move a column)".to_string());
    }
    for (at, column) in from.columns.iter().enumerate() {
        if to.column(&column.name).is_some() {
            continue;
        }
        match index_column_reason(from, &column.name) {
            Some(why) => reasons.push(format!("column {} is dropped but {why}", column.name)),
            None => changes.push(Change::DropColumnAt {
                table: name.clone(),
                column: column.clone(),
                position: position_of(&from.columns, at),
                tag: false,
            }),
        }
    }
    let new_tags = tags(to);
    for (at, column) in to.columns.iter().enumerate() {
        match from.column(&column.name) {
            None => add_column(name, to, at, column, &new_tags, version, changes, reasons),
            Some(old) => alter_column(name, from, old, column, version, changes, reasons),
        }
    }
}

#[allow(clippy::too_many_arguments)]
fn add_column(
    name: &QualifiedName,
    to: &Table,
    at: usize,
    column: &Column,
    new_tags: &[String],
    version: GreptimeVersion,
    changes: &mut Vec<Change>,
    reasons: &mut Vec<String>,
) {
    if !column.nullable && column.default.is_none() {
        reasons.push(format!(
            "new column {} is NOT NULL without a DEFAULT (the server refuses to add it)",
            column.name
        ));
        return;
    }
    let tag = new_tags.contains(&column.name);
    if tag && !version.at_least(0, 4) {
        reasons.push(format!("adding tag {} needs GreptimeDB 0.4", column.name));
    }
    if column.greptime.as_ref().is_some_and(|i| i.vector.is_some()) {
        reasons.push(format!(
            "VECTOR INDEX on new column {} cannot be added by ALTER",
            column.name
        ));
    }
    let position = position_of(&to.columns, at);
    if position != ColumnPosition::Last && !version.at_least(0, 3) {
        reasons.push(format!(
            "placing column {} needs GreptimeDB 0.3",
            column.name
        ));
    }
    let position = if at + 1 == to.columns.len() {
        ColumnPosition::Last
    } else {
        position
    };
    changes.push(Change::AddColumnAt {
        table: name.clone(),
        column: column.clone(),
        position,
        tag,
    });
}

fn alter_column(
    name: &QualifiedName,
    from: &Table,
    old: &Column,
    new: &Column,
    version: GreptimeVersion,
    changes: &mut Vec<Change>,
    reasons: &mut Vec<String>,
) {
    let column = &new.name;
    if old.nullable != new.nullable {
        reasons.push(format!("column {column} changes NULL / NOT NULL"));
    }
    if old.data_type != new.data_type {
        if let Some(why) = index_column_reason(from, column).filter(|w| !w.contains("partition")) {
            reasons.push(format!("column {column} changes type but {why}"));
        } else if !old.nullable {
            reasons.push(format!("column {column} changes type but is NOT NULL"));
        } else if !version.at_least(0, 8) {
            reasons.push(format!("MODIFY COLUMN {column} type needs GreptimeDB 0.8"));
        }
    }
    if old.default != new.default {
        let (major, minor) = if new.default.is_some() {
            (0, 16)
        } else {
            (0, 15)
        };
        if new.default.is_none() && !old.nullable {
            reasons.push(format!(
                "the default of NOT NULL column {column} cannot be dropped"
            ));
        } else if !version.at_least(major, minor) {
            reasons.push(format!(
                "changing the default of {column} needs GreptimeDB {major}.{minor}"
            ));
        }
    }
    if old.data_type != new.data_type || old.default != new.default {
        let mut to = old.clone();
        to.data_type = new.data_type.clone();
        to.default = new.default.clone();
        changes.push(Change::AlterColumn {
            table: name.clone(),
            from: old.clone(),
            to,
        });
    }
    if old.comment != new.comment {
        changes.push(Change::SetColumnComment {
            table: name.clone(),
            column: column.clone(),
            from: old.comment.clone(),
            to: new.comment.clone(),
        });
    }
    let old_indexes = old.greptime.clone().unwrap_or_default();
    let new_indexes = new.greptime.clone().unwrap_or_default();
    if old_indexes != new_indexes {
        if old_indexes.vector != new_indexes.vector {
            reasons.push(format!("the VECTOR INDEX of {column} cannot be altered"));
        } else if !version.at_least(0, 12) {
            reasons.push(format!(
                "altering the indexes of {column} needs GreptimeDB 0.12"
            ));
        }
        changes.push(Change::SetColumnIndexes {
            table: name.clone(),
            column: column.clone(),
            from: old_indexes,
            to: new_indexes,
        });
    }
}

fn position_of(columns: &[Column], at: usize) -> ColumnPosition {
    match at {
        0 => ColumnPosition::First,
        n => ColumnPosition::After(columns[n - 1].name.clone()),
    }
}

/// Database options that differ between schemas on both sides (or a new schema's options).
pub(super) fn databases(current: &Model, desired: &Model, out: &mut Vec<Change>) {
    for (name, schema) in &desired.schemas {
        let options = |s: Option<&crate::model::Schema>| {
            s.and_then(|s| s.greptime.as_ref())
                .map(|g| g.options.clone())
                .unwrap_or_default()
        };
        let from = options(current.schemas.get(name));
        let to = options(Some(schema));
        if from != to {
            out.push(Change::SetDatabaseOptions {
                schema: name.clone(),
                from,
                to,
            });
        }
    }
}
