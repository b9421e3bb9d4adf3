//! Reading DDL: each test checks the changes produced, not a model they were applied to.

use super::statement_changes;
use crate::backend::{SchemaContext, StatementError, StatementText};
use crate::model::{Change, Model};

fn read(sql: &str, model: &Model) -> Result<Vec<Change>, StatementError> {
    read_with(sql, &[], model)
}

fn read_with(sql: &str, directives: &[String], model: &Model) -> Result<Vec<Change>, StatementError> {
    let context = SchemaContext {
        default_schema: "core".to_string(),
    };
    statement_changes(StatementText { sql, directives }, model, &context)
}
