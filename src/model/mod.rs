//! The backend-neutral description of a schema: plain data, no I/O.
//!
//! Every source (YAML, SQL, a live database, a replay of migration files) produces a [`Model`];
//! the diff compares two of them. Names are kept exactly as the database stores them (PostgreSQL
//! folds unquoted identifiers to lower case at load time), and collections are ordered maps so that
//! iteration — and therefore every output — is deterministic.

mod apply;
mod change;
mod events;
mod greptime;
mod keys;
mod mysql;
mod objects;
mod routines;
mod table;

pub use apply::ApplyError;
pub use change::{Change, ColumnRef, CommentTarget, EnumPosition};

pub use events::{Event, EventStatus, Schedule};
pub use greptime::{ColumnIndexes, ColumnPosition, GreptimeDatabase, GreptimeTable, Partition};
pub use keys::KeyGroup;
pub use mysql::{
    MysqlColumn, MysqlPartition, MysqlPartitioning, MysqlTable, MysqlView, PartitionEdit,
};
pub use objects::{Domain, Enum, Extension, Sequence, View};
pub use routines::{Function, FunctionArgument, Trigger};
pub use table::{
    Check, Column, ForeignKey, ForeignKeyAction, Identity, IdentityKind, Index, IndexKey,
    PrimaryKey, Table, Unique,
};

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// A whole database as one connection sees it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Model {
    /// Schemas by name. A per-environment connection keeps its objects under one placeholder
    /// schema (the connection's name) whose SQL is rendered unqualified.
    pub schemas: BTreeMap<String, Schema>,
    /// Extensions by name (database-wide in PostgreSQL).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub extensions: BTreeMap<String, Extension>,
}

/// One namespace of tables, types, views and sequences.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Schema {
    pub name: String,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub tables: BTreeMap<String, Table>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub enums: BTreeMap<String, Enum>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub views: BTreeMap<String, View>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub sequences: BTreeMap<String, Sequence>,
    /// PostgreSQL domains (`CREATE DOMAIN`), types that share a namespace with enums.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub domains: BTreeMap<String, Domain>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
    /// PostgreSQL functions and procedures by [`Function::signature`] (`name(type, …)`).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub functions: BTreeMap<String, Function>,
    /// Triggers (PostgreSQL, MySQL/MariaDB) by table name, then trigger name.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub triggers: BTreeMap<String, BTreeMap<String, Trigger>>,
    /// MySQL/MariaDB scheduled events by name.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub events: BTreeMap<String, Event>,
    /// Objects the desired state explicitly allows bfm to drop from this schema (tables, views,
    /// enums, sequences by name). Not compared: it only grants permission.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub allow_drop: Vec<String>,
    /// GreptimeDB only: the database's options (`CREATE DATABASE … WITH (…)`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub greptime: Option<GreptimeDatabase>,
    /// etcd only: key groups by table name (keys at `/{prefix}/{schema}/{table}/{key}`).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub key_groups: BTreeMap<String, KeyGroup>,
}

/// A schema-qualified object name. `schema` is empty only where a dialect has no schemas.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct QualifiedName {
    pub schema: String,
    pub name: String,
}

impl QualifiedName {
    pub fn new(schema: impl Into<String>, name: impl Into<String>) -> Self {
        QualifiedName {
            schema: schema.into(),
            name: name.into(),
        }
    }
}

impl std::fmt::Display for QualifiedName {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.schema.is_empty() {
            f.write_str(&self.name)
        } else {
            write!(f, "{}.{}", self.schema, self.name)
        }
    }
}

impl Model {
    /// The schema of that name, created empty when missing.
    pub fn schema_mut(&mut self, name: &str) -> &mut Schema {
        self.schemas
            .entry(name.to_string())
            .or_insert_with(|| Schema {
                name: name.to_string(),
                ..Schema::default()
            })
    }

    pub fn table(&self, name: &QualifiedName) -> Option<&Table> {
        self.schemas.get(&name.schema)?.tables.get(&name.name)
    }

    pub fn table_mut(&mut self, name: &QualifiedName) -> Option<&mut Table> {
        self.schemas
            .get_mut(&name.schema)?
            .tables
            .get_mut(&name.name)
    }

    /// Removes the fields that grant permissions or record renames, which describe an intent
    /// rather than the database, so that two models of the same database compare equal.
    pub fn without_intent(&self) -> Model {
        let mut model = self.clone();
        for schema in model.schemas.values_mut() {
            schema.allow_drop.clear();
            for group in schema.key_groups.values_mut() {
                group.prune = false;
            }
            for table in schema.tables.values_mut() {
                table.renamed_from = None;
                table.allow_destructive = false;
                for column in &mut table.columns {
                    column.renamed_from = None;
                    column.allow_destructive = false;
                }
            }
        }
        model
    }
}
