//! etcd as a [`Dialect`], so that plans of etcd connections go through the same reports as SQL
//! ones: it reads no SQL, and "renders" a key change as its JSON operation with the key relative
//! to the connection's prefix (the migration files themselves are written by [`super::write_plan`]).

use crate::backend::{
    BackendKind, ConstraintKind, Dialect, RenderContext, SchemaContext, StatementError,
    StatementText,
};
use crate::model::{Change, Model};

pub struct Etcd;

const NO_SQL: &str = "etcd has no SQL: its desired state is YAML key files";

impl Dialect for Etcd {
    fn kind(&self) -> BackendKind {
        BackendKind::Etcd
    }

    fn normalize_type(&self, _raw: &str) -> Result<String, StatementError> {
        Err(StatementError::new(NO_SQL))
    }

    fn normalize_expression(&self, _raw: &str) -> Result<String, StatementError> {
        Err(StatementError::new(NO_SQL))
    }

    fn normalize_query(&self, _raw: &str) -> Result<String, StatementError> {
        Err(StatementError::new(NO_SQL))
    }

    fn default_name(&self, table: &str, _columns: &[String], _kind: ConstraintKind) -> String {
        table.to_string()
    }

    fn statement_changes(
        &self,
        _statement: StatementText<'_>,
        _model: &Model,
        _context: &SchemaContext,
    ) -> Result<Vec<Change>, StatementError> {
        Err(StatementError::new(NO_SQL))
    }

    fn render(&self, change: &Change, _context: &RenderContext) -> Vec<String> {
        let relative = super::Prefix::new("");
        super::operations(std::slice::from_ref(change), &relative, &Default::default())
            .iter()
            .filter_map(|operation| serde_json::to_string(operation).ok())
            .collect()
    }
}
