//! Tables and what hangs off them: columns, keys, checks, foreign keys and indexes.

use super::greptime::{ColumnIndexes, GreptimeTable};
use super::mysql::{MysqlColumn, MysqlTable};
use serde::{Deserialize, Serialize};

/// A table. Constraint and index names are always filled in: a loader that meets an unnamed
/// constraint gives it the name the server would (`users_pkey`, `users_email_key`, …) so that
/// the desired state and a live database agree.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Table {
    pub name: String,
    /// In declaration order: PostgreSQL cannot reorder columns, so the order is part of the model.
    pub columns: Vec<Column>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub primary_key: Option<PrimaryKey>,
    /// Sorted by name.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub uniques: Vec<Unique>,
    /// Sorted by name.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub checks: Vec<Check>,
    /// Sorted by name.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub foreign_keys: Vec<ForeignKey>,
    /// Sorted by name. Indexes that back a primary key or unique constraint are not listed here.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub indexes: Vec<Index>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
    /// Declared rename: the table's previous name. Intent, not state.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub renamed_from: Option<String>,
    /// Lets destructive changes inside this table (dropping columns or constraints, narrowing
    /// types) into generated files. Intent, not state.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub allow_destructive: bool,
    /// GreptimeDB only: time index, engine, options and partition rules. `None` for every
    /// other backend, which is how the diff knows to follow GreptimeDB's ALTER rules.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub greptime: Option<GreptimeTable>,
    /// MySQL/MariaDB only: table options. `None` for every other backend.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mysql: Option<MysqlTable>,
}

impl Table {
    pub fn column(&self, name: &str) -> Option<&Column> {
        self.columns.iter().find(|c| c.name == name)
    }

    pub fn column_mut(&mut self, name: &str) -> Option<&mut Column> {
        self.columns.iter_mut().find(|c| c.name == name)
    }

    /// Restores the canonical order of the named collections (columns keep theirs).
    pub fn sort_constraints(&mut self) {
        self.uniques.sort_by(|a, b| a.name.cmp(&b.name));
        self.checks.sort_by(|a, b| a.name.cmp(&b.name));
        self.foreign_keys.sort_by(|a, b| a.name.cmp(&b.name));
        self.indexes.sort_by(|a, b| a.name.cmp(&b.name));
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Column {
    pub name: String,
    /// The dialect's canonical spelling (`integer`, `character varying(255)`, `timestamp with
    /// time zone`, `text[]`, `core.user_role`), produced by the backend's type normalizer.
    pub data_type: String,
    pub nullable: bool,
    /// The default as canonical SQL (parsed and printed), without a cast the server would drop.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub identity: Option<Identity>,
    /// `GENERATED ALWAYS AS (expr) STORED`: the canonical expression.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub generated: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub collation: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
    /// Declared rename: the column's previous name. Intent, not state.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub renamed_from: Option<String>,
    /// Lets this column be dropped or narrowed. Intent, not state.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub allow_destructive: bool,
    /// GreptimeDB only: the column's FULLTEXT / SKIPPING / INVERTED / VECTOR index clauses.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub greptime: Option<ColumnIndexes>,
    /// MySQL/MariaDB only: ON UPDATE, comment, STORED, INVISIBLE.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mysql: Option<MysqlColumn>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum IdentityKind {
    Always,
    ByDefault,
}

/// `GENERATED { ALWAYS | BY DEFAULT } AS IDENTITY`. Sequence options other than these two are
/// left to the server's defaults.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Identity {
    pub kind: IdentityKind,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub increment: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PrimaryKey {
    pub name: String,
    pub columns: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Unique {
    pub name: String,
    pub columns: Vec<String>,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub nulls_not_distinct: bool,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub deferrable: bool,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub initially_deferred: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Check {
    pub name: String,
    /// Canonical SQL of the boolean expression, without the outer `CHECK (…)`.
    pub expression: String,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub no_inherit: bool,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ForeignKeyAction {
    #[default]
    NoAction,
    Restrict,
    Cascade,
    SetNull,
    SetDefault,
}

impl ForeignKeyAction {
    pub fn sql(self) -> &'static str {
        match self {
            ForeignKeyAction::NoAction => "NO ACTION",
            ForeignKeyAction::Restrict => "RESTRICT",
            ForeignKeyAction::Cascade => "CASCADE",
            ForeignKeyAction::SetNull => "SET NULL",
            ForeignKeyAction::SetDefault => "SET DEFAULT",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ForeignKey {
    pub name: String,
    pub columns: Vec<String>,
    /// The referenced table's schema (always filled in, even when the source left it implicit).
    pub ref_schema: String,
    pub ref_table: String,
    pub ref_columns: Vec<String>,
    #[serde(default)]
    pub on_delete: ForeignKeyAction,
    #[serde(default)]
    pub on_update: ForeignKeyAction,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub deferrable: bool,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub initially_deferred: bool,
}

/// A secondary index (not one that backs a primary key or unique constraint).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Index {
    pub name: String,
    pub keys: Vec<IndexKey>,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub unique: bool,
    /// Access method, lower case; `btree` is the canonical default.
    pub method: String,
    /// Partial index predicate as canonical SQL.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub predicate: Option<String>,
    /// `INCLUDE (…)` columns.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub include: Vec<String>,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub nulls_not_distinct: bool,
}

/// One key of an index: a column name or an expression, with its ordering options.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IndexKey {
    /// A column name, or canonical SQL of an expression when `expression` is set.
    pub target: String,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub expression: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub collation: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub opclass: Option<String>,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub descending: bool,
    /// `Some(true)` for NULLS FIRST, `Some(false)` for NULLS LAST; `None` is the default for the
    /// direction (last for ASC, first for DESC) and loaders normalize an explicit default to None.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nulls_first: Option<bool>,
}

impl IndexKey {
    pub fn column(name: impl Into<String>) -> Self {
        IndexKey {
            target: name.into(),
            expression: false,
            collation: None,
            opclass: None,
            descending: false,
            nulls_first: None,
        }
    }
}
