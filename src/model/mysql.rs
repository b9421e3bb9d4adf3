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
