//! Views: replaced in place when PostgreSQL allows it, otherwise dropped and created again —
//! including unchanged views over tables whose columns change under them.

use super::objects::{schema_pairs, union};
use crate::model::{Change, Model, QualifiedName, View};
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
                (Some(f), Some(t)) if replaceable(f, t) => Action::Replace,
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

/// Marks for recreation every kept view that mentions an affected table or a view that is itself
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
            if *action == Action::Keep
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

/// Whether `CREATE OR REPLACE VIEW` can turn `from` into `to`: the same kind of view, and either
/// the same query (only the comment differs) or a plain view whose new output columns start with
/// the old ones.
fn replaceable(from: &View, to: &View) -> bool {
    if from.materialized != to.materialized {
        return false;
    }
    if from.definition == to.definition {
        return true;
    }
    if from.materialized {
        return false;
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
