//! What a MySQL/MariaDB table and column have beyond the common model. A MySQL "schema" is a
//! database; everything here is stored in the server's canonical spelling (see the MySQL
//! dialect's normalizer) so that equal settings compare equal as data.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The MySQL part of a table: its options (`engine`, `collate`, `row_format`, `comment`, …) by
/// lower-case name. Options equal to the server's default (engine InnoDB) or to what the table
/// inherits (the database's collation) are left out, so both sides of a diff agree on them.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct MysqlTable {
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub options: BTreeMap<String, String>,
    /// `PARTITION BY …`: how rows are spread over partitions. `None` for a plain table.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub partitioning: Option<MysqlPartitioning>,
}

/// A table's `PARTITION BY` clause, in the spelling `information_schema.PARTITIONS` gives, so
/// that a clause read from DDL and one read from the server compare equal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MysqlPartitioning {
    /// `RANGE`, `RANGE COLUMNS`, `LIST`, `LIST COLUMNS`, `HASH`, `LINEAR HASH`, `KEY` or
    /// `LINEAR KEY`.
    pub method: String,
    /// The partitioning expression (`year(joined)`) for RANGE, LIST and HASH, canonical; the
    /// column names, comma-separated and unquoted, for the COLUMNS and KEY methods (empty for
    /// `KEY ()`, the primary key).
    pub expression: String,
    /// The partitions in order. HASH and KEY partitions have no values; `PARTITIONS n` names
    /// them `p0` … `p<n-1>` as the server does.
    pub partitions: Vec<MysqlPartition>,
}

impl MysqlPartitioning {
    /// Whether partitions are chosen by value bounds (RANGE, LIST), which can be added and
    /// dropped one by one, rather than by hash.
    pub fn by_values(&self) -> bool {
        self.method.starts_with("RANGE") || self.method.starts_with("LIST")
    }
}

/// One partition: its name and its bound, as `PARTITION_DESCRIPTION` prints it item by item —
/// `2022` or `MAXVALUE` for RANGE (one item per column for RANGE COLUMNS), the listed values
/// (`'US'`, or `(1,'x')` for several columns) for LIST.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MysqlPartition {
    pub name: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub values: Vec<String>,
}

/// The MySQL part of a column. Its comment lives here rather than in `Column.comment`, because
/// MySQL can only change a comment by restating the whole column (`MODIFY COLUMN`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct MysqlColumn {
    /// `ON UPDATE current_timestamp()` and the like, canonical.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub on_update: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
    /// A generated column stored on disk (`STORED`/`PERSISTENT`) rather than `VIRTUAL`.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub stored: bool,
    /// `INVISIBLE` (MariaDB 10.3+).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub invisible: bool,
}

impl MysqlColumn {
    pub fn is_empty(&self) -> bool {
        self == &MysqlColumn::default()
    }
}

/// How one partitioning turns into another, the way the server can do it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PartitionEdit<'a> {
    /// The same RANGE or LIST partitioning: these partitions are dropped (with their rows), then
    /// these are added after the last one.
    Partitions {
        dropped: Vec<&'a MysqlPartition>,
        added: Vec<&'a MysqlPartition>,
    },
    /// The table is partitioned anew (or for the first time): every row is moved.
    Repartition(&'a MysqlPartitioning),
    /// The table is no longer partitioned.
    Remove,
}

impl MysqlPartitioning {
    /// The edit from `from` to `to`; `None` when they are equal. Partitions can only be added
    /// after the last one, and a table keeps at least one, so any other difference partitions
    /// the table anew.
    pub fn edit<'a>(
        from: Option<&'a MysqlPartitioning>,
        to: Option<&'a MysqlPartitioning>,
    ) -> Option<PartitionEdit<'a>> {
        let (from, to) = match (from, to) {
            (_, None) => return from.map(|_| PartitionEdit::Remove),
            (None, Some(to)) => return Some(PartitionEdit::Repartition(to)),
            (Some(from), Some(to)) if from == to => return None,
            (Some(from), Some(to)) => (from, to),
        };
        let same_scheme = from.method == to.method && from.expression == to.expression;
        if !same_scheme || !to.by_values() {
            return Some(PartitionEdit::Repartition(to));
        }
        let kept: Vec<&MysqlPartition> = from
            .partitions
            .iter()
            .filter(|p| to.partitions.contains(p))
            .collect();
        // The server refuses to drop a table's last partition.
        let in_order = kept.iter().zip(&to.partitions).all(|(k, t)| *k == t);
        if kept.is_empty() || !in_order {
            return Some(PartitionEdit::Repartition(to));
        }
        Some(PartitionEdit::Partitions {
            dropped: from
                .partitions
                .iter()
                .filter(|p| !to.partitions.contains(p))
                .collect(),
            added: to.partitions[kept.len()..].iter().collect(),
        })
    }
}

/// The MySQL part of a view: the options `CREATE VIEW` states besides its query, in the
/// server's upper-case spelling. Each is `None` at the server's default (`SQL SECURITY
/// DEFINER`, `ALGORITHM=UNDEFINED`, no check option), so an explicit default and an omitted
/// one compare equal. The definer is left to the server: it names an account, not the schema.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct MysqlView {
    /// `INVOKER`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub security: Option<String>,
    /// `MERGE` or `TEMPTABLE`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub algorithm: Option<String>,
    /// `CASCADED` or `LOCAL` (`WITH CHECK OPTION` is `CASCADED`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub check_option: Option<String>,
}

impl MysqlView {
    /// The options as a view's slot holds them: `None` when all are the defaults.
    pub fn into_slot(self) -> Option<MysqlView> {
        (self != MysqlView::default()).then_some(self)
    }
}
