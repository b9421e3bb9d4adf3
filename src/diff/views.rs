//! Views: replaced in place when PostgreSQL allows it, otherwise dropped and created again —
//! including unchanged views over tables whose columns change under them. A view whose query is
//! unchanged but whose comment is only gets its comment set.

use super::objects::{schema_pairs, union};
use crate::model::{Change, CommentTarget, Model, QualifiedName, View};
use sqlparser::ast::{SetExpr, Statement};
use sqlparser::dialect::PostgreSqlDialect;
use sqlparser::parser::Parser;
use sqlparser::tokenizer::{Token, Tokenizer};
use std::collections::{BTreeMap, BTreeSet};

/// The tables whose changes break the views over them: PostgreSQL refuses to drop, retype or
/// rename a column (or drop a table) a view uses, so such views must go first and come back after.
pub(super) fn tables_views_depend_on(changes: &[Change]) -> BTreeSet<QualifiedName> {
    changes
        .iter()
        .filter_map(|change| match change {
            Change::DropColumn { table, .. } | Change::RenameColumn { table, .. } => {
                Some(table.clone())
            }
            Change::AlterColumn { table, from, to } if from.data_type != to.data_type => {
                Some(table.clone())
            }
            Change::DropTable { schema, table } => {
                Some(QualifiedName::new(schema.clone(), table.name.clone()))
            }
            _ => None,
        })
        .collect()
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Action {
    Keep,
    /// Kept, with a new comment.
    Comment,
    Create,
    Drop,
    Replace,
    Recreate,
}

/// Views by schema and name. `affected` are the tables from [`tables_views_depend_on`].
pub(super) fn views(
    current: &Model,
    desired: &Model,
    affected: &BTreeSet<QualifiedName>,
    out: &mut Vec<Change>,
) {
    let empty = BTreeMap::new();
    let mut plan: BTreeMap<QualifiedName, (Option<&View>, Option<&View>, Action)> = BTreeMap::new();
    for (schema, from_schema, to_schema) in schema_pairs(current, desired) {
        let from_views = from_schema.map_or(&empty, |s| &s.views);
        let to_views = to_schema.map_or(&empty, |s| &s.views);
        for name in union(from_views, to_views) {
            let (from, to) = (from_views.get(name), to_views.get(name));
            let action = match (from, to) {
                (Some(f), Some(t)) if f == t => Action::Keep,
                (Some(f), Some(t)) if same_query(f, t) => Action::Comment,
                (Some(f), Some(t)) if replaceable_in_place(f, t) => Action::Replace,
                (Some(_), Some(_)) => Action::Recreate,
                (Some(_), None) => Action::Drop,
                (None, _) => Action::Create,
            };
            plan.insert(QualifiedName::new(schema, name.clone()), (from, to, action));
        }
    }
    recreate_dependents(&mut plan, affected);
    for (name, (from, to, action)) in plan {
        let schema = || name.schema.clone();
        match (action, from, to) {
            (Action::Comment, Some(from), Some(to)) => out.push(Change::SetComment {
                target: CommentTarget::View {
                    name: name.clone(),
                    materialized: to.materialized,
                },
                from: from.comment.clone(),
                to: to.comment.clone(),
            }),
            (Action::Replace, Some(from), Some(to)) => out.push(Change::ReplaceView {
                schema: schema(),
                from: from.clone(),
                to: to.clone(),
            }),
            (Action::Recreate | Action::Drop, Some(from), _) => {
                out.push(Change::DropView {
                    schema: schema(),
                    view: from.clone(),
                });
                if let Some(to) = to {
                    out.push(Change::CreateView {
                        schema: schema(),
                        view: to.clone(),
                    });
                }
            }
            (Action::Create, _, Some(to)) => out.push(Change::CreateView {
                schema: schema(),
                view: to.clone(),
            }),
            _ => {}
        }
    }
}

/// Marks for recreation every kept (or only re-commented) view that mentions an affected table or a view that is itself
/// dropped or recreated, until nothing more changes.
fn recreate_dependents(
    plan: &mut BTreeMap<QualifiedName, (Option<&View>, Option<&View>, Action)>,
    affected: &BTreeSet<QualifiedName>,
) {
    loop {
        let moved: BTreeSet<String> = affected
            .iter()
            .map(|t| t.name.clone())
            .chain(
                plan.iter()
                    .filter(|(_, (_, _, a))| matches!(a, Action::Drop | Action::Recreate))
                    .map(|(name, _)| name.name.clone()),
            )
            .collect();
        let mut changed = false;
        for (_, (from, _, action)) in plan.iter_mut() {
            if matches!(action, Action::Keep | Action::Comment)
                && let Some(view) = from
                && mentioned_names(&view.definition)
                    .iter()
                    .any(|name| moved.contains(name))
            {
                *action = Action::Recreate;
                changed = true;
            }
        }
        if !changed {
            return;
        }
    }
}

/// Every identifier in a query, as stored (unquoted ones folded to lower case).
fn mentioned_names(sql: &str) -> BTreeSet<String> {
    let Ok(tokens) = Tokenizer::new(&PostgreSqlDialect {}, sql).tokenize() else {
        return BTreeSet::new();
    };
    tokens
        .into_iter()
        .filter_map(|token| match token {
            Token::Word(word) if word.quote_style.is_some() => Some(word.value),
            Token::Word(word) => Some(word.value.to_lowercase()),
            _ => None,
        })
        .collect()
}

/// Whether two views differ at most by their comment.
fn same_query(from: &View, to: &View) -> bool {
    from.materialized == to.materialized
        && from.definition == to.definition
        && from.mysql == to.mysql
}

/// Whether `CREATE OR REPLACE VIEW` can turn `from` into `to`: two plain views, the new select
/// list starting with the old one (PostgreSQL only lets a replaced view append output columns).
/// The renderer asks too, since the inverse of an appended column is a removed one.
pub fn replaceable_in_place(from: &View, to: &View) -> bool {
    if from.materialized || to.materialized {
        return false;
    }
    if from.definition == to.definition {
        return true;
    }
    match (projection(&from.definition), projection(&to.definition)) {
        (Some(old), Some(new)) => new.starts_with(&old),
        _ => false,
    }
}

/// The select list of a plain `SELECT` query, each item as canonical SQL.
fn projection(sql: &str) -> Option<Vec<String>> {
    let statements = Parser::parse_sql(&PostgreSqlDialect {}, sql).ok()?;
    let [Statement::Query(query)] = statements.as_slice() else {
        return None;
    };
    match query.body.as_ref() {
        SetExpr::Select(select) => Some(select.projection.iter().map(|i| i.to_string()).collect()),
        _ => None,
    }
}
