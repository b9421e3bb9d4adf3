//! Functions, procedures and triggers. A routine is keyed by its signature, so a changed
//! argument type is a drop and a create; a changed body or attribute is replaced in place
//! (`CREATE OR REPLACE`) unless the server refuses that (a new result type, renamed arguments,
//! a removed default), where it is dropped and created again. A trigger whose definition changes
//! is dropped and created again, and so is one whose function is recreated.

use super::objects::{schema_pairs, union};
use crate::model::{Change, CommentTarget, Function, Model, QualifiedName, Trigger};
use std::collections::{BTreeMap, BTreeSet};

/// Functions and procedures by schema and signature. Returns the routines dropped or
/// recreated, whose triggers must be recreated around them.
pub(super) fn functions(
    current: &Model,
    desired: &Model,
    out: &mut Vec<Change>,
) -> BTreeSet<QualifiedName> {
    let empty = BTreeMap::new();
    let mut recreated = BTreeSet::new();
    for (schema, from_schema, to_schema) in schema_pairs(current, desired) {
        let from_functions = from_schema.map_or(&empty, |s| &s.functions);
        let to_functions = to_schema.map_or(&empty, |s| &s.functions);
        for signature in union(from_functions, to_functions) {
            let schema_name = || schema.to_string();
            match (from_functions.get(signature), to_functions.get(signature)) {
                (Some(from), Some(to)) if from == to => {}
                (Some(from), Some(to)) if bare(from) == bare(to) => out.push(Change::SetComment {
                    target: CommentTarget::Function {
                        name: QualifiedName::new(schema, signature.clone()),
                        procedure: to.procedure,
                    },
                    from: from.comment.clone(),
                    to: to.comment.clone(),
                }),
                (Some(from), Some(to)) if from.replaceable_by(to) => {
                    out.push(Change::ReplaceFunction {
                        schema: schema_name(),
                        from: from.clone(),
                        to: to.clone(),
                    })
                }
                (Some(from), to) => {
                    recreated.insert(QualifiedName::new(schema, from.name.clone()));
                    out.push(Change::DropFunction {
                        schema: schema_name(),
                        function: from.clone(),
                    });
                    if let Some(to) = to {
                        out.push(Change::CreateFunction {
                            schema: schema_name(),
                            function: to.clone(),
                        });
                    }
                }
                (None, Some(to)) => out.push(Change::CreateFunction {
                    schema: schema_name(),
                    function: to.clone(),
                }),
                (None, None) => {}
            }
        }
    }
    recreated
}

fn bare(function: &Function) -> Function {
    Function {
        comment: None,
        ..function.clone()
    }
}

/// Triggers by schema, table and name. `recreated` are the routines [`functions`] drops.
pub(super) fn triggers(
    current: &Model,
    desired: &Model,
    recreated: &BTreeSet<QualifiedName>,
    out: &mut Vec<Change>,
) {
    let empty = BTreeMap::new();
    let no_triggers = BTreeMap::new();
    for (schema, from_schema, to_schema) in schema_pairs(current, desired) {
        let from_tables = from_schema.map_or(&empty, |s| &s.triggers);
        let to_tables = to_schema.map_or(&empty, |s| &s.triggers);
        for table_name in union(from_tables, to_tables) {
            let table = QualifiedName::new(schema, table_name.clone());
            let from_triggers = from_tables.get(table_name).unwrap_or(&no_triggers);
            let to_triggers = to_tables.get(table_name).unwrap_or(&no_triggers);
            for name in union(from_triggers, to_triggers) {
                let from = from_triggers.get(name);
                let to = to_triggers.get(name);
                let function_recreated =
                    from.is_some_and(|f| recreated.contains(&function_name(&table, f)));
                match (from, to) {
                    (Some(f), Some(t)) if f == t && !function_recreated => {}
                    (Some(f), Some(t))
                        if f.without_comment() == t.without_comment() && !function_recreated =>
                    {
                        out.push(Change::SetComment {
                            target: CommentTarget::Trigger {
                                table: table.clone(),
                                name: name.clone(),
                            },
                            from: f.comment.clone(),
                            to: t.comment.clone(),
                        })
                    }
                    (Some(f), t) => {
                        out.push(Change::DropTrigger {
                            table: table.clone(),
                            trigger: f.clone(),
                        });
                        if let Some(t) = t {
                            out.push(Change::CreateTrigger {
                                table: table.clone(),
                                trigger: t.clone(),
                            });
                        }
                    }
                    (None, Some(t)) => out.push(Change::CreateTrigger {
                        table: table.clone(),
                        trigger: t.clone(),
                    }),
                    (None, None) => {}
                }
            }
        }
    }
}

/// The function a trigger calls, resolved against its table's schema.
fn function_name(table: &QualifiedName, trigger: &Trigger) -> QualifiedName {
    let unquote = |s: &str| {
        s.strip_prefix('"')
            .and_then(|s| s.strip_suffix('"'))
            .map_or_else(|| s.to_string(), |s| s.replace("\"\"", "\""))
    };
    match trigger.function.split_once('.') {
        Some((schema, name)) if !trigger.function.starts_with('"') => {
            QualifiedName::new(unquote(schema), unquote(name))
        }
        _ => QualifiedName::new(&table.schema, unquote(&trigger.function)),
    }
}
