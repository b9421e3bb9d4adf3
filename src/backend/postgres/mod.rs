//! PostgreSQL: DDL reading, type and expression normalization, rendering.

use super::{
    BackendKind, ConstraintKind, Dialect, RenderContext, SchemaContext, StatementError,
    StatementText,
};
use crate::model::{Change, Model};

/// The PostgreSQL dialect.
#[derive(Debug, Clone, Copy, Default)]
pub struct Postgres;

impl Dialect for Postgres {
    fn kind(&self) -> BackendKind {
        BackendKind::Postgresql
    }

    fn normalize_type(&self, raw: &str) -> Result<String, StatementError> {
        Ok(raw.trim().to_ascii_lowercase())
    }

    fn normalize_expression(&self, raw: &str) -> Result<String, StatementError> {
        Ok(raw.trim().to_string())
    }

    fn normalize_query(&self, raw: &str) -> Result<String, StatementError> {
        Ok(raw.trim().to_string())
    }

    fn default_name(&self, table: &str, columns: &[String], kind: ConstraintKind) -> String {
        let suffix = match kind {
            ConstraintKind::PrimaryKey => return format!("{table}_pkey"),
            ConstraintKind::Unique => "key",
            ConstraintKind::ForeignKey => "fkey",
            ConstraintKind::Check => "check",
            ConstraintKind::Index => "idx",
        };
        format!("{table}_{}_{suffix}", columns.join("_"))
    }

    fn statement_changes(
        &self,
        statement: StatementText<'_>,
        _model: &Model,
        _context: &SchemaContext,
    ) -> Result<Vec<Change>, StatementError> {
        Err(StatementError::new(format!(
            "not read yet: {}",
            statement.sql
        )))
    }

    fn render(&self, change: &Change, _context: &RenderContext) -> Vec<String> {
        vec![format!("-- not rendered yet: {change:?}")]
    }
}
pub mod inspect;
