//! PostgreSQL: DDL reading, type and expression normalization, rendering.

mod ident;
mod render;

use super::{
    BackendKind, ConstraintKind, Dialect, RenderContext, SchemaContext, StatementError,
    StatementText,
};
use crate::model::{Change, Model};

mod ddl;
pub mod expr;
pub mod names;
pub mod types;

pub use expr::normalize_default;
pub use types::is_builtin_type;

/// The PostgreSQL dialect.
#[derive(Debug, Clone, Copy, Default)]
pub struct Postgres;

impl Dialect for Postgres {
    fn kind(&self) -> BackendKind {
        BackendKind::Postgresql
    }

    fn normalize_type(&self, raw: &str) -> Result<String, StatementError> {
        types::normalize_type(raw)
    }

    fn normalize_expression(&self, raw: &str) -> Result<String, StatementError> {
        expr::normalize_expression(raw)
    }

    fn normalize_query(&self, raw: &str) -> Result<String, StatementError> {
        inspect::canonical_query(raw)
    }

    fn default_name(&self, table: &str, columns: &[String], kind: ConstraintKind) -> String {
        names::default_name(table, columns, kind)
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
pub mod inspect;
