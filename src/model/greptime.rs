//! What a GreptimeDB table has beyond the common model: its time index, engine, options and
//! partition rules, and per column the FULLTEXT / SKIPPING / INVERTED / VECTOR index clauses.
//!
//! Tags are the table's primary key (`Table.primary_key`, in key order); every other column but
//! the time index is a field. Option values are stored in the server's canonical spelling (see
//! the GreptimeDB dialect's normalizer), so equal settings compare equal as data.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The GreptimeDB part of a table.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct GreptimeTable {
    /// The TIME INDEX column (always NOT NULL, a timestamp).
    pub time_index: String,
    /// `mito` (the default) or `metric`.
    #[serde(default = "default_engine")]
    pub engine: String,
    /// `WITH (…)` options by lower-case key, values canonical (`ttl` as the server prints it).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub options: BTreeMap<String, String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub partition: Option<Partition>,
}

fn default_engine() -> String {
    "mito".to_string()
}

impl GreptimeTable {
    pub fn new(time_index: impl Into<String>) -> Self {
        GreptimeTable {
            time_index: time_index.into(),
            engine: default_engine(),
            options: BTreeMap::new(),
            partition: None,
        }
    }
}

/// `PARTITION ON COLUMNS (a, b) (rule, …)`: one region per rule, rules in declaration order as
/// canonical expressions.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Partition {
    pub columns: Vec<String>,
    #[serde(default)]
    pub rules: Vec<String>,
}

/// The index clauses of one column. Each present index holds its options expanded to the
/// server's defaults (keys lower-case, values as the server prints them).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ColumnIndexes {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fulltext: Option<BTreeMap<String, String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub skipping: Option<BTreeMap<String, String>>,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub inverted: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vector: Option<BTreeMap<String, String>>,
}

impl ColumnIndexes {
    pub fn is_empty(&self) -> bool {
        self == &ColumnIndexes::default()
    }
}

/// Database (schema) options: `CREATE DATABASE d WITH (…)`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct GreptimeDatabase {
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub options: BTreeMap<String, String>,
}

/// Where `ALTER TABLE … ADD COLUMN` puts a column.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ColumnPosition {
    First,
    After(String),
    Last,
}

/// How the GreptimeDB changes apply to a model (called from [`super::Change::apply_to`]).
pub(super) mod apply {
    use super::super::{ApplyError, Column, Model, PrimaryKey, QualifiedName, Table};
    use super::{ColumnIndexes, ColumnPosition, GreptimeDatabase};
    use std::collections::BTreeMap;

    /// The name bfm gives GreptimeDB's primary key (the server's constraint name).
    pub const PRIMARY_KEY_NAME: &str = "PRIMARY";

    fn table_mut<'m>(
        model: &'m mut Model,
        name: &QualifiedName,
    ) -> Result<&'m mut Table, ApplyError> {
        model.table_mut(name).ok_or_else(|| ApplyError {
            message: format!("table {name} does not exist"),
        })
    }

    pub fn add_column(
        model: &mut Model,
        table: &QualifiedName,
        column: &Column,
        position: &ColumnPosition,
        tag: bool,
    ) -> Result<(), ApplyError> {
        let target = table_mut(model, table)?;
        if target.column(&column.name).is_some() {
            return Err(ApplyError {
                message: format!("column {table}.{} already exists", column.name),
            });
        }
        let at = match position {
            ColumnPosition::First => 0,
            ColumnPosition::Last => target.columns.len(),
            ColumnPosition::After(anchor) => {
                target
                    .columns
                    .iter()
                    .position(|c| &c.name == anchor)
                    .ok_or_else(|| ApplyError {
                        message: format!("column {table}.{anchor} does not exist"),
                    })?
                    + 1
            }
        };
        target.columns.insert(at, column.clone());
        if tag {
            target
                .primary_key
                .get_or_insert_with(|| PrimaryKey {
                    name: PRIMARY_KEY_NAME.to_string(),
                    columns: Vec::new(),
                })
                .columns
                .push(column.name.clone());
        }
        Ok(())
    }

    pub fn drop_column(
        model: &mut Model,
        table: &QualifiedName,
        column: &str,
    ) -> Result<(), ApplyError> {
        let target = table_mut(model, table)?;
        let at = target
            .columns
            .iter()
            .position(|c| c.name == column)
            .ok_or_else(|| ApplyError {
                message: format!("column {table}.{column} does not exist"),
            })?;
        target.columns.remove(at);
        if let Some(key) = &mut target.primary_key {
            key.columns.retain(|c| c != column);
            if key.columns.is_empty() {
                target.primary_key = None;
            }
        }
        Ok(())
    }

    pub fn set_table_options(
        model: &mut Model,
        table: &QualifiedName,
        to: &BTreeMap<String, String>,
    ) -> Result<(), ApplyError> {
        let target = table_mut(model, table)?;
        if let Some(mysql) = target.mysql.as_mut() {
            mysql.options = to.clone();
            return Ok(());
        }
        let greptime = target.greptime.as_mut().ok_or_else(|| ApplyError {
            message: format!("table {table} is not a GreptimeDB table"),
        })?;
        greptime.options = to.clone();
        Ok(())
    }

    pub fn set_column_indexes(
        model: &mut Model,
        table: &QualifiedName,
        column: &str,
        to: &ColumnIndexes,
    ) -> Result<(), ApplyError> {
        let target = table_mut(model, table)?;
        let found = target.column_mut(column).ok_or_else(|| ApplyError {
            message: format!("column {table}.{column} does not exist"),
        })?;
        found.greptime = (!to.is_empty()).then(|| to.clone());
        Ok(())
    }

    pub fn set_database_options(
        model: &mut Model,
        schema: &str,
        to: &BTreeMap<String, String>,
    ) -> Result<(), ApplyError> {
        let target = model.schemas.get_mut(schema).ok_or_else(|| ApplyError {
            message: format!("database {schema} does not exist"),
        })?;
        target.greptime = (!to.is_empty()).then(|| GreptimeDatabase {
            options: to.clone(),
        });
        Ok(())
    }

    pub fn recreate_table(
        model: &mut Model,
        schema: &str,
        from: &Table,
        to: &Table,
    ) -> Result<(), ApplyError> {
        let tables = &mut model.schema_mut(schema).tables;
        if tables.remove(&from.name).is_none() {
            return Err(ApplyError {
                message: format!(
                    "table {} does not exist",
                    QualifiedName::new(schema, from.name.clone())
                ),
            });
        }
        tables.insert(to.name.clone(), to.clone());
        Ok(())
    }
}
