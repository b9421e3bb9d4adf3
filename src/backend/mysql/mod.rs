//! MySQL/MariaDB: DDL reading (sqlparser's MySQL dialect), type, default and expression
//! normalization as MariaDB prints them, rendering, and inspection from `information_schema`.
//! A MySQL "schema" in the model is a database.

mod auto_increment;
mod binary;
mod ddl;
mod events;
mod foreign_keys;
pub mod inspect;
mod partitions;
mod precedence;
pub mod query;
mod render;
mod triggers;
pub mod types;
mod versioned;
mod views;

use super::{
    BackendKind, ConstraintKind, Dialect, RenderContext, SchemaContext, StatementError,
    StatementText,
};
use crate::model::{Change, Model};

pub use ddl::PRIMARY;
pub use render::{column_definition, quote};

/// The MySQL/MariaDB dialect.
#[derive(Debug, Clone, Copy, Default)]
pub struct Mysql;

impl Dialect for Mysql {
    fn kind(&self) -> BackendKind {
        BackendKind::Mysql
    }

    fn normalize_type(&self, raw: &str) -> Result<String, StatementError> {
        types::normalize_type(raw)
    }

    fn normalize_expression(&self, raw: &str) -> Result<String, StatementError> {
        types::canonical_expression(raw)
    }

    /// The canonical view query (see [`query`]); without a database to drop from names.
    fn normalize_query(&self, raw: &str) -> Result<String, StatementError> {
        query::normalize_query(raw, None)
    }

    /// MySQL names a primary key `PRIMARY`, an unnamed index or unique key after its first
    /// column, a foreign key `<table>_ibfk_<n>` and a table check `CONSTRAINT_<n>`.
    fn default_name(&self, table: &str, columns: &[String], kind: ConstraintKind) -> String {
        match kind {
            ConstraintKind::PrimaryKey => PRIMARY.to_string(),
            ConstraintKind::ForeignKey => format!("{table}_ibfk_1"),
            ConstraintKind::Check => "CONSTRAINT_1".to_string(),
            ConstraintKind::Unique | ConstraintKind::Index => {
                columns.first().cloned().unwrap_or_default()
            }
        }
    }

    fn statement_changes(
        &self,
        statement: StatementText<'_>,
        model: &Model,
        context: &SchemaContext,
    ) -> Result<Vec<Change>, StatementError> {
        ddl::statement_changes(statement, model, context)
    }

    fn render(&self, change: &Change, context: &RenderContext) -> Vec<String> {
        render::render(change, context)
    }
}
