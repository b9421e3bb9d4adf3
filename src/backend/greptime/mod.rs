//! GreptimeDB: DDL reading (our own grammar on sqlparser's public Parser API), type, option
//! and index normalization as the server does it, and rendering in GreptimeDB syntax.

mod alter;
mod ddl;
pub mod inspect;
mod names;
pub mod options;
mod render;
pub mod types;

use super::{
    BackendKind, ConstraintKind, Dialect, RenderContext, SchemaContext, StatementError,
    StatementText,
};
use crate::model::{Change, Model, Table};

pub use alter::{index_column_reason, is_settable, is_unsettable};
pub use ddl::{
    TableParts, column_default, database_defaults, engine_name, index_clause_options,
    partition_rule, table_from_parts,
};
pub use names::PRIMARY_KEY;
pub use render::show_create_table;

/// The GreptimeDB dialect.
#[derive(Debug, Clone, Copy, Default)]
pub struct Greptime;

impl Dialect for Greptime {
    fn kind(&self) -> BackendKind {
        BackendKind::Greptimedb
    }

    fn normalize_type(&self, raw: &str) -> Result<String, StatementError> {
        types::normalize_type(raw)
    }

    /// A column DEFAULT with no column at hand: literals and `current_timestamp()` / `now()`.
    fn normalize_expression(&self, raw: &str) -> Result<String, StatementError> {
        let mut reader = names::Reader::new(raw)?;
        let expr = reader.expr()?;
        reader.expect_end()?;
        ddl::canonical_default(&expr, "TIMESTAMP(3)")
    }

    fn normalize_query(&self, _raw: &str) -> Result<String, StatementError> {
        Err(StatementError::new(
            "bfm does not manage GreptimeDB views or flows",
        ))
    }

    fn default_name(&self, _table: &str, _columns: &[String], kind: ConstraintKind) -> String {
        match kind {
            ConstraintKind::PrimaryKey => PRIMARY_KEY.to_string(),
            _ => String::new(),
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

/// Reads the text of one CREATE TABLE statement (for instance SHOW CREATE TABLE's output) into
/// a table of `schema`.
pub fn table_from_create(sql: &str, schema: &str) -> Result<Table, StatementError> {
    let context = SchemaContext {
        default_schema: schema.to_string(),
    };
    let changes = ddl::statement_changes(
        StatementText {
            sql,
            directives: &[],
        },
        &Model::default(),
        &context,
    )?;
    changes
        .into_iter()
        .find_map(|change| match change {
            Change::CreateTable { table, .. } => Some(table),
            _ => None,
        })
        .ok_or_else(|| StatementError::new("expected a CREATE TABLE statement"))
}
