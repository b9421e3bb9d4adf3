//! Schema-level objects other than tables.

use serde::{Deserialize, Serialize};

/// `CREATE TYPE … AS ENUM`: the labels in their sort order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Enum {
    pub name: String,
    pub values: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
}

/// A view (or materialized view). The definition is canonical SQL of its query.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct View {
    pub name: String,
    pub definition: String,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub materialized: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
    /// MySQL/MariaDB options (`SQL SECURITY`, `ALGORITHM`, check option).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mysql: Option<super::MysqlView>,
}

/// A standalone sequence. Unset options are the server's defaults, which loaders normalize to
/// `None` so that an explicit default and an omitted one compare equal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Sequence {
    pub name: String,
    /// `bigint` unless stated.
    pub data_type: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub increment: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_value: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_value: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cache: Option<i64>,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub cycle: bool,
    /// `OWNED BY table.column`, as `table.column` in the same schema.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owned_by: Option<String>,
}

/// `CREATE EXTENSION`, database-wide.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Extension {
    pub name: String,
    /// The schema the extension's objects live in, when stated.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub schema: Option<String>,
}

/// `CREATE DOMAIN`: a base type with a default, NOT NULL and named checks that every column of
/// the domain's type inherits. Unnamed checks get the names the server gives them
/// (`<domain>_check`, `<domain>_check1`, …), as unnamed table constraints do.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Domain {
    pub name: String,
    /// The base type, canonical as a column's: a user type of the domain's own schema is
    /// unqualified, one of another schema qualified.
    pub data_type: String,
    /// The default as canonical SQL.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default: Option<String>,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub not_null: bool,
    /// A collation other than the base type's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub collation: Option<String>,
    /// Sorted by name; expressions use `VALUE` for the checked value.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub checks: Vec<super::Check>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
}

impl Domain {
    /// Restores the canonical order of the checks.
    pub fn sort_checks(&mut self) {
        self.checks.sort_by(|a, b| a.name.cmp(&b.name));
    }
}
