//! Canonical expressions and queries: parsed with sqlparser and printed back, with unquoted
//! identifiers folded and cast types spelled canonically, so equal expressions compare equal as
//! strings whatever their original case, spacing or type aliases.

use super::types::normalize_type;
use crate::backend::StatementError;
use sqlparser::ast::{
    BinaryOperator, DataType, Expr, FunctionArg, FunctionArgExpr, FunctionArguments, Ident,
    ObjectName, ObjectNamePart, Query, Select, SelectItem, SetExpr, TableFactor, TrimWhereField,
    Value, VisitMut as _, visit_expressions, visit_expressions_mut, visit_relations_mut,
};
use sqlparser::dialect::PostgreSqlDialect;
use sqlparser::parser::{Parser, ParserError};
use std::ops::ControlFlow;

/// `f(a, VARIADIC ARRAY[b, c])` → `f(a, b, c)`: the server prints a call of a variadic function
/// with its trailing arguments gathered so, and sqlparser does not read `VARIADIC`. Text outside
/// string literals and quoted names only; anything else is returned as it is.
fn spread_variadic_arrays(raw: &str) -> std::borrow::Cow<'_, str> {
    const MARK: &str = "VARIADIC ARRAY[";
    if !raw.contains(MARK) {
        return std::borrow::Cow::Borrowed(raw);
    }
    let mut out = String::with_capacity(raw.len());
    let mut closing: Vec<bool> = Vec::new();
    let mut quote: Option<char> = None;
    let mut index = 0;
    while index < raw.len() {
        let rest = &raw[index..];
        let c = rest.chars().next().unwrap_or_default();
        match (quote, c) {
            (Some(open), c) if c == open => quote = None,
            (Some(_), _) => {}
            (None, '\'' | '"') => quote = Some(c),
            (None, '[') => closing.push(false),
            (None, ']') if closing.last() == Some(&true) => {
                closing.pop();
                index += 1;
                continue;
            }
            (None, ']') => {
                closing.pop();
            }
            (None, 'V') if rest.starts_with(MARK) => {
                closing.push(true);
                index += MARK.len();
                continue;
            }
            _ => {}
        }
        out.push(c);
        index += c.len_utf8();
    }
    std::borrow::Cow::Owned(out)
}

/// Parses one expression.
pub fn parse_expression(raw: &str) -> Result<Expr, StatementError> {
    let spread = spread_variadic_arrays(raw);
    let raw = spread.as_ref();
    let dialect = PostgreSqlDialect {};
    let mut parser = Parser::new(&dialect)
        .try_with_sql(raw)
        .map_err(|e| parse_error(raw, &e))?;
    let expr = parser.parse_expr().map_err(|e| parse_error(raw, &e))?;
    if parser.peek_token().token != sqlparser::tokenizer::Token::EOF {
        return Err(StatementError::new(format!(
            "unexpected text after the expression: {}",
            raw.trim()
        )));
    }
    Ok(expr)
}

/// The canonical text of an expression.
pub fn normalize_expression(raw: &str) -> Result<String, StatementError> {
    Ok(canonical_expression(parse_expression(raw)?))
}

/// The canonical text of a view's query.
pub fn normalize_query(raw: &str) -> Result<String, StatementError> {
    Ok(canonical_query(parse_query(raw)?))
}

/// Parses one query.
pub fn parse_query(raw: &str) -> Result<Query, StatementError> {
    let spread = spread_variadic_arrays(raw);
    let raw = spread.as_ref();
    let dialect = PostgreSqlDialect {};
    let mut parser = Parser::new(&dialect)
        .try_with_sql(raw)
        .map_err(|e| parse_error(raw, &e))?;
    let query = parser.parse_query().map_err(|e| parse_error(raw, &e))?;
    Ok(*query)
}

/// Prints an already parsed expression canonically.
pub fn canonical_expression(mut expr: Expr) -> String {
    canonicalize(&mut expr);
    strip_outer_parentheses(expr).to_string()
}

/// Prints an already parsed query canonically.
pub fn canonical_query(mut query: Query) -> String {
    canonicalize(&mut query);
    let _ = visit_relations_mut(&mut query, |name| {
        fold_object_name(name);
        ControlFlow::<()>::Continue(())
    });
    let _ = query.visit(&mut AliasesWithAs);
    simplify_query(&mut query);
    query.to_string()
}

/// Writes each `SELECT` of a query — the main one, those of its `WITH` clauses, set operations
/// and subqueries — the way the server prints a stored view: without parentheses around a whole
/// `WHERE`/`HAVING` condition or select item, around a plain operand of a set operation or
/// around the joins of a `FROM` item, and without qualifying columns when the `SELECT` reads a
/// single table and no subquery (the server qualifies a column only when its query has more
/// than one relation).
fn simplify_query(query: &mut Query) {
    let _ = query.visit(&mut SimplifyQueries);
    name_leaves(&mut query.body, true);
}

struct SimplifyQueries;

impl sqlparser::ast::VisitorMut for SimplifyQueries {
    type Break = ();

    fn post_visit_query(&mut self, query: &mut Query) -> ControlFlow<Self::Break> {
        unwrap_plain_operands(&mut query.body);
        simplify_set_expr(&mut query.body);
        name_leaves(&mut query.body, false);
        unqualify_order_by(query);
        ControlFlow::Continue(())
    }
}

/// The `ORDER BY` of a query over a single relation without its qualifiers, as its select list.
fn unqualify_order_by(query: &mut Query) {
    let SetExpr::Select(select) = query.body.as_ref() else {
        return;
    };
    let Some(qualifiers) = single_relation_qualifiers(select) else {
        return;
    };
    let Some(order_by) = &mut query.order_by else {
        return;
    };
    let sqlparser::ast::OrderByKind::Expressions(items) = &mut order_by.kind else {
        return;
    };
    for item in items {
        if let Expr::CompoundIdentifier(parts) = &item.expr
            && let Some((column, qualifier)) = parts.split_last()
            && qualifiers
                .iter()
                .any(|q| q.iter().cloned().eq(qualifier.iter().map(folded)))
        {
            item.expr = Expr::Identifier(column.clone());
        }
    }
}

/// `(SELECT 1) UNION ALL (SELECT 2)` → `SELECT 1 UNION ALL SELECT 2`: an operand without its
/// own `ORDER BY`, `LIMIT` or `WITH` needs no parentheses, and the server prints none.
fn unwrap_plain_operands(body: &mut SetExpr) {
    let SetExpr::SetOperation { left, right, .. } = body else {
        return;
    };
    for operand in [left, right] {
        unwrap_plain_operands(operand);
        if let SetExpr::Query(inner) = operand.as_mut()
            && is_plain_query(inner)
        {
            let body = std::mem::replace(
                inner.body.as_mut(),
                SetExpr::Values(sqlparser::ast::Values {
                    explicit_row: false,
                    value_keyword: false,
                    rows: vec![],
                }),
            );
            // A nested set operation on the right keeps its grouping.
            if !matches!(body, SetExpr::SetOperation { .. }) {
                **operand = body;
            } else {
                *inner.body = body;
            }
        }
    }
}

/// A query that is only its body: no `WITH`, `ORDER BY`, `LIMIT`, `OFFSET`, `FETCH` or locks.
fn is_plain_query(query: &Query) -> bool {
    query.with.is_none()
        && query.order_by.is_none()
        && query.limit_clause.is_none()
        && query.fetch.is_none()
        && query.locks.is_empty()
        && query.for_clause.is_none()
        && query.settings.is_none()
        && query.format_clause.is_none()
        && query.pipe_operators.is_empty()
}

fn simplify_set_expr(body: &mut SetExpr) {
    match body {
        SetExpr::Select(select) => simplify_select(select),
        SetExpr::SetOperation { left, right, .. } => {
            simplify_set_expr(left);
            simplify_set_expr(right);
        }
        _ => {}
    }
}

/// `FROM (a JOIN b ON …)` → `FROM a JOIN b ON …`, and `(a JOIN b) JOIN c` → `a JOIN b JOIN c`:
/// the server parenthesizes every join of a `FROM` item, and joins group from the left anyway.
fn flatten_joins(select: &mut Select) {
    // `ON ((a = b))` → `ON a = b`, as for a `WHERE` condition.
    let _ = visit_relations_mut_joins(select);
    for from in &mut select.from {
        while let TableFactor::NestedJoin {
            table_with_joins,
            alias: None,
        } = &mut from.relation
        {
            let inner = std::mem::replace(
                table_with_joins.as_mut(),
                sqlparser::ast::TableWithJoins {
                    relation: TableFactor::Table {
                        name: ObjectName::from(vec![]),
                        alias: None,
                        args: None,
                        with_hints: vec![],
                        version: None,
                        with_ordinality: false,
                        partitions: vec![],
                        json_path: None,
                        sample: None,
                        index_hints: vec![],
                    },
                    joins: vec![],
                },
            );
            from.relation = inner.relation;
            let outer = std::mem::take(&mut from.joins);
            from.joins = inner.joins;
            from.joins.extend(outer);
        }
    }
}

/// Replaces `*` (and `t.*`) in the `SELECT`s of a query that read a single table or subquery
/// by that relation's columns, qualified as the server prints them (`SELECT users.id,
/// users.name`): the server stores a view's query with its select list expanded.
/// `columns_of` gives a table's columns, `None` when unknown, which leaves the `*` alone.
pub fn expand_wildcards(
    query: &mut Query,
    columns_of: &dyn Fn(&ObjectName) -> Option<Vec<String>>,
) {
    struct Expand<'a>(&'a dyn Fn(&ObjectName) -> Option<Vec<String>>);
    impl sqlparser::ast::VisitorMut for Expand<'_> {
        type Break = ();
        fn post_visit_query(&mut self, query: &mut Query) -> ControlFlow<()> {
            // A `WITH` query's columns are those of its first `SELECT`, or its column list.
            let mut ctes: Vec<(String, Vec<String>)> = Vec::new();
            for cte in query.with.iter_mut().flat_map(|w| w.cte_tables.iter_mut()) {
                let columns: Option<Vec<String>> = if cte.alias.columns.is_empty() {
                    leaves(&mut cte.query.body)
                        .first()
                        .and_then(|first| first.projection.iter().map(output_name).collect())
                } else {
                    Some(cte.alias.columns.iter().map(|c| folded(&c.name)).collect())
                };
                if let Some(columns) = columns {
                    ctes.push((folded(&cte.alias.name), columns));
                }
            }
            let columns_of = |name: &ObjectName| match name.0.as_slice() {
                [ObjectNamePart::Identifier(ident)] => ctes
                    .iter()
                    .find(|(cte, _)| *cte == folded(ident))
                    .map(|(_, columns)| columns.clone())
                    .or_else(|| (self.0)(name)),
                _ => (self.0)(name),
            };
            for select in leaves(&mut query.body) {
                expand_select_wildcards(select, &columns_of);
            }
            ControlFlow::Continue(())
        }
    }
    let _ = query.visit(&mut Expand(columns_of));
}

fn expand_select_wildcards(
    select: &mut Select,
    columns_of: &dyn Fn(&ObjectName) -> Option<Vec<String>>,
) {
    use sqlparser::ast::SelectItemQualifiedWildcardKind;
    let has_wildcard = select.projection.iter().any(|item| {
        matches!(
            item,
            SelectItem::Wildcard(_) | SelectItem::QualifiedWildcard(..)
        )
    });
    if !has_wildcard {
        return;
    }
    let [from] = select.from.as_slice() else {
        return;
    };
    if !from.joins.is_empty() {
        return;
    }
    let (qualifier, columns) = match &from.relation {
        TableFactor::Table { name, alias, .. } => {
            let Some(columns) = columns_of(name) else {
                return;
            };
            let qualifier = match alias {
                Some(alias) => alias.name.clone(),
                None => match name.0.last().and_then(ObjectNamePart::as_ident) {
                    Some(ident) => ident.clone(),
                    None => return,
                },
            };
            (qualifier, columns)
        }
        TableFactor::Derived {
            subquery,
            alias: Some(alias),
            ..
        } => {
            let columns: Vec<String> = if alias.columns.is_empty() {
                let mut subquery = subquery.clone();
                let Some(first) = leaves(&mut subquery.body)
                    .into_iter()
                    .next()
                    .map(|s| s.projection.clone())
                else {
                    return;
                };
                let names: Option<Vec<String>> = first.iter().map(output_name).collect();
                match names {
                    Some(names) => names,
                    None => return,
                }
            } else {
                alias.columns.iter().map(|c| folded(&c.name)).collect()
            };
            (alias.name.clone(), columns)
        }
        _ => return,
    };
    let qualifier_name = folded(&qualifier);
    let mut projection = Vec::new();
    for item in std::mem::take(&mut select.projection) {
        let expands = match &item {
            SelectItem::Wildcard(_) => true,
            SelectItem::QualifiedWildcard(SelectItemQualifiedWildcardKind::ObjectName(name), _) => {
                name.0
                    .last()
                    .and_then(ObjectNamePart::as_ident)
                    .is_some_and(|ident| folded(ident) == qualifier_name)
            }
            _ => false,
        };
        if expands {
            projection.extend(columns.iter().map(|column| {
                SelectItem::UnnamedExpr(Expr::CompoundIdentifier(vec![
                    qualifier.clone(),
                    printed_ident(column.clone()),
                ]))
            }));
        } else {
            projection.push(item);
        }
    }
    select.projection = projection;
}

/// The name a column of a query's output gets when its select item has no alias (the server's
/// `FigureColname`).
const UNNAMED_COLUMN: &str = "?column?";

/// The `SELECT`s whose items make a query's rows, left to right through set operations (the
/// MySQL backend reads its queries with this too).
pub(crate) fn leaves(body: &mut SetExpr) -> Vec<&mut Select> {
    match body {
        SetExpr::Select(select) => vec![select.as_mut()],
        SetExpr::SetOperation { left, right, .. } => {
            let mut found = leaves(left);
            found.extend(leaves(right));
            found
        }
        SetExpr::Query(query) => leaves(&mut query.body),
        _ => Vec::new(),
    }
}

/// The output name of a select item: its alias, a column's own name, or what the server
/// figures for an expression.
fn output_name(item: &SelectItem) -> Option<String> {
    match item {
        SelectItem::ExprWithAlias { alias, .. } => Some(folded(alias)),
        SelectItem::UnnamedExpr(expr) => {
            Some(figured_name(expr).map_or_else(|| UNNAMED_COLUMN.to_string(), |(name, _)| name))
        }
        _ => None,
    }
}

/// A column's own name, `None` for any other expression.
fn column_name(expr: &Expr) -> Option<String> {
    match expr {
        Expr::Identifier(ident) => Some(folded(ident)),
        Expr::CompoundIdentifier(parts) => parts.last().map(folded),
        _ => None,
    }
}

/// Names the select items of a query's `SELECT`s as the server prints them. The first one
/// (or the only one) names every item that is not a plain column of the same name
/// (`count(*) AS count`, `1 AS "?column?"`); a later operand of a set operation names its items
/// after the first one's columns at the top of a view (`SELECT 2 AS id`) and after themselves
/// elsewhere, leaving out the fallback name `?column?`. A string literal item loses the `::text`
/// the server gives it, and an alias is quoted only where it must be.
fn name_leaves(body: &mut SetExpr, top: bool) {
    let mut selects = leaves(body);
    let first_names: Vec<Option<String>> = selects
        .first()
        .map(|first| first.projection.iter().map(output_name).collect())
        .unwrap_or_default();
    for (index, select) in selects.iter_mut().enumerate() {
        for (position, item) in select.projection.iter_mut().enumerate() {
            let (expr, own) = match item {
                SelectItem::UnnamedExpr(expr) => (expr, None),
                SelectItem::ExprWithAlias { expr, alias } => (expr, Some(folded(alias))),
                _ => continue,
            };
            if let Expr::Cast {
                expr: inner,
                data_type,
                format: None,
                ..
            } = expr
                && data_type.to_string() == "text"
                && let Expr::Value(literal) = strip_nested(inner)
                && matches!(literal.value, Value::SingleQuotedString(_))
            {
                *expr = Expr::Value(literal.clone());
            }
            let expr = std::mem::replace(expr, Expr::value(Value::Null));
            let figured =
                || figured_name(&expr).map_or_else(|| UNNAMED_COLUMN.to_string(), |(name, _)| name);
            let name = match (index, top) {
                (0, _) => own.unwrap_or_else(figured),
                (_, true) => first_names
                    .get(position)
                    .cloned()
                    .flatten()
                    .unwrap_or_else(|| own.unwrap_or_else(figured)),
                (_, false) => own.unwrap_or_else(figured),
            };
            let shown = match column_name(&expr) {
                Some(column) => column != name,
                None => index == 0 || name != UNNAMED_COLUMN,
            };
            *item = if shown {
                SelectItem::ExprWithAlias {
                    expr,
                    alias: printed_ident(name),
                }
            } else {
                SelectItem::UnnamedExpr(expr)
            };
        }
    }
}

/// An identifier quoted as the server quotes it.
fn printed_ident(name: String) -> Ident {
    if super::ident::is_plain(&name) {
        Ident::new(name)
    } else {
        Ident::with_quote('"', name)
    }
}

/// `GROUP BY year` where `year` is the alias of a select item that is an expression →
/// `GROUP BY <that expression>`: the server stores the grouping by the expression itself.
fn group_by_aliases_as_expressions(select: &mut Select) {
    let sqlparser::ast::GroupByExpr::Expressions(items, _) = &mut select.group_by else {
        return;
    };
    for item in items.iter_mut() {
        let Expr::Identifier(ident) = strip_nested(item) else {
            continue;
        };
        let wanted = folded(ident);
        let aliased = select.projection.iter().find_map(|p| match p {
            SelectItem::ExprWithAlias { expr, alias } if folded(alias) == wanted => Some(expr),
            _ => None,
        });
        if let Some(expr) = aliased.filter(|e| !is_column(e)) {
            *item = expr.clone();
        }
    }
}

/// Strips the parentheses around every `JOIN … ON` condition of a `SELECT`'s `FROM` items,
/// nested joins included.
fn visit_relations_mut_joins(select: &mut Select) -> ControlFlow<()> {
    use sqlparser::ast::{JoinConstraint, JoinOperator, TableWithJoins};
    fn strip(table: &mut TableWithJoins) {
        if let TableFactor::NestedJoin {
            table_with_joins, ..
        } = &mut table.relation
        {
            strip(table_with_joins);
        }
        for join in &mut table.joins {
            if let TableFactor::NestedJoin {
                table_with_joins, ..
            } = &mut join.relation
            {
                strip(table_with_joins);
            }
            // `INNER JOIN` is `JOIN`, `LEFT OUTER JOIN` `LEFT JOIN`, as the server prints them.
            let operator = std::mem::replace(
                &mut join.join_operator,
                JoinOperator::CrossJoin(JoinConstraint::None),
            );
            join.join_operator = match operator {
                JoinOperator::Inner(c) => JoinOperator::Join(c),
                JoinOperator::LeftOuter(c) => JoinOperator::Left(c),
                JoinOperator::RightOuter(c) => JoinOperator::Right(c),
                other => other,
            };
            let constraint = match &mut join.join_operator {
                JoinOperator::Join(c)
                | JoinOperator::Inner(c)
                | JoinOperator::Left(c)
                | JoinOperator::LeftOuter(c)
                | JoinOperator::Right(c)
                | JoinOperator::RightOuter(c)
                | JoinOperator::FullOuter(c) => c,
                _ => continue,
            };
            if let JoinConstraint::On(condition) = constraint {
                let taken = std::mem::replace(condition, Expr::value(Value::Null));
                *condition = strip_outer_parentheses(taken);
            }
        }
    }
    select.from.iter_mut().for_each(strip);
    ControlFlow::Continue(())
}

fn simplify_select(select: &mut Select) {
    flatten_joins(select);
    group_by_aliases_as_expressions(select);
    for condition in [&mut select.selection, &mut select.having] {
        if let Some(expr) = condition.take() {
            *condition = Some(strip_outer_parentheses(expr));
        }
    }
    for item in &mut select.projection {
        if let SelectItem::UnnamedExpr(expr) | SelectItem::ExprWithAlias { expr, .. } = item {
            let taken = std::mem::replace(expr, Expr::value(Value::Null));
            *expr = strip_outer_parentheses(taken);
        }
    }
    if let Some(qualifiers) = single_relation_qualifiers(select) {
        let _ = visit_expressions_mut(select, |expr| {
            if let Expr::CompoundIdentifier(parts) = expr
                && let Some((column, qualifier)) = parts.split_last()
                && qualifiers
                    .iter()
                    .any(|q| q.iter().cloned().eq(qualifier.iter().map(folded)))
            {
                *expr = Expr::Identifier(column.clone());
            }
            ControlFlow::<()>::Continue(())
        });
    }
}

/// The qualifiers that may name the only table a `SELECT` reads (its alias, or its name with
/// and without schema), each as folded name parts; `None` when it reads more than one relation
/// or has a subquery.
fn single_relation_qualifiers(select: &Select) -> Option<Vec<Vec<String>>> {
    let [from] = select.from.as_slice() else {
        return None;
    };
    if !from.joins.is_empty() {
        return None;
    }
    let (name, alias) = match &from.relation {
        TableFactor::Table { name, alias, .. } => (Some(name), alias.as_ref()),
        TableFactor::Derived {
            alias: Some(alias), ..
        } => (None, Some(alias)),
        _ => return None,
    };
    let has_subquery = visit_expressions(select, |expr| match expr {
        Expr::Subquery(_) | Expr::Exists { .. } | Expr::InSubquery { .. } => ControlFlow::Break(()),
        _ => ControlFlow::Continue(()),
    })
    .is_break();
    if has_subquery {
        return None;
    }
    if let Some(alias) = alias {
        return Some(vec![vec![folded(&alias.name)]]);
    }
    let parts: Vec<String> = name?
        .0
        .iter()
        .filter_map(|part| part.as_ident().map(folded))
        .collect();
    let table = parts.last()?.clone();
    Some(vec![parts, vec![table]])
}

/// Spells every table alias with `AS` (`FROM users u` → `FROM users AS u`): the server prints
/// aliases without it, SQL is written either way.
struct AliasesWithAs;

impl sqlparser::ast::VisitorMut for AliasesWithAs {
    type Break = ();

    fn pre_visit_table_factor(
        &mut self,
        table_factor: &mut sqlparser::ast::TableFactor,
    ) -> ControlFlow<Self::Break> {
        use sqlparser::ast::TableFactor;
        let alias = match table_factor {
            TableFactor::Table { alias, .. }
            | TableFactor::Derived { alias, .. }
            | TableFactor::TableFunction { alias, .. }
            | TableFactor::Function { alias, .. }
            | TableFactor::UNNEST { alias, .. }
            | TableFactor::NestedJoin { alias, .. } => alias,
            _ => return ControlFlow::Continue(()),
        };
        if let Some(alias) = alias {
            alias.explicit = true;
        }
        ControlFlow::Continue(())
    }
}

/// A default as canonical text, without a cast to the column's own type that PostgreSQL would
/// add or drop by itself (`'x'::text` on a text column, `0::integer` on an integer one). Text
/// that does not parse is returned trimmed, for the caller's own error reporting to catch.
pub fn normalize_default(expr: &str, column_type: &str) -> String {
    match parse_expression(expr) {
        Ok(parsed) => canonical_default(parsed, column_type),
        Err(_) => expr.trim().to_string(),
    }
}

/// [`normalize_default`] for an already parsed expression.
pub fn canonical_default(mut expr: Expr, column_type: &str) -> String {
    canonicalize(&mut expr);
    let expr = strip_outer_parentheses(expr);
    match expr {
        Expr::Cast {
            expr: inner,
            data_type,
            format: None,
            ..
        } if casts_to_column_type(&data_type.to_string(), column_type)
            && !is_empty_array(&inner) =>
        {
            let inner = strip_outer_parentheses(*inner);
            match &inner {
                Expr::Value(literal) => literal_default(&literal.value, column_type)
                    .unwrap_or_else(|| inner.to_string()),
                _ => inner.to_string(),
            }
        }
        Expr::Value(literal) if column_type.starts_with("interval") => match &literal.value {
            Value::SingleQuotedString(text) => canonical_interval(text).map_or_else(
                || literal.to_string(),
                |t| Value::SingleQuotedString(t).to_string(),
            ),
            _ => literal.to_string(),
        },
        Expr::Value(literal) => {
            literal_default(&literal.value, column_type).unwrap_or_else(|| literal.to_string())
        }
        other => other.to_string(),
    }
}

/// A literal default as the server prints it for a column of `column_type`, where that differs
/// from the literal as written: `'42'` on a number is `42`, `'t'` on a boolean `true`,
/// `x'1F'` on a bit string `'00011111'`, `'1.5'` on money `'$1.50'`.
fn literal_default(value: &Value, column_type: &str) -> Option<String> {
    let base = column_type.split('(').next().unwrap_or(column_type).trim();
    let quoted = |text: String| Value::SingleQuotedString(text).to_string();
    match value {
        Value::SingleQuotedString(text) if is_numeric_type(base) && is_plain_number(text) => {
            Some(text.trim().to_string())
        }
        Value::SingleQuotedString(text) if base == "boolean" => {
            match text.trim().to_lowercase().as_str() {
                "t" | "true" | "y" | "yes" | "on" | "1" => Some("true".to_string()),
                "f" | "false" | "n" | "no" | "off" | "0" => Some("false".to_string()),
                _ => None,
            }
        }
        Value::SingleQuotedString(text) if base == "money" => money_text(text).map(quoted),
        Value::Number(text, _) if base == "money" => money_text(text).map(quoted),
        Value::HexStringLiteral(hex) if matches!(base, "bit" | "bit varying") => {
            let bits: Option<String> = hex
                .chars()
                .map(|c| c.to_digit(16).map(|d| format!("{d:04b}")))
                .collect();
            bits.map(quoted)
        }
        Value::SingleQuotedByteStringLiteral(bits) if matches!(base, "bit" | "bit varying") => {
            Some(quoted(bits.clone()))
        }
        _ => None,
    }
}

/// A plain amount as `money` prints it in the C locale: `1.999` → `$2.00`, `1000` →
/// `$1,000.00`. `None` for text that is not a plain number (already formatted, say).
fn money_text(text: &str) -> Option<String> {
    let text = text.trim();
    if !is_plain_number(text) {
        return None;
    }
    let (negative, digits) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text.strip_prefix('+').unwrap_or(text)),
    };
    let (whole, fraction) = digits.split_once('.').unwrap_or((digits, ""));
    let mut cents: u128 = format!("{whole:0>1}{:0<2}", &fraction.get(..2).unwrap_or(fraction))
        .parse()
        .ok()?;
    // Rounds half up on the third decimal, as the input function does.
    if fraction.as_bytes().get(2).is_some_and(|d| *d >= b'5') {
        cents += 1;
    }
    let units = (cents / 100).to_string();
    let mut grouped = String::new();
    for (i, c) in units.chars().enumerate() {
        if i > 0 && (units.len() - i).is_multiple_of(3) {
            grouped.push(',');
        }
        grouped.push(c);
    }
    let sign = if negative { "-" } else { "" };
    Some(format!("{sign}${grouped}.{:02}", cents % 100))
}

/// A default as a column definition writes it: `DEFAULT` there takes only PostgreSQL's
/// restricted expression (no `AND`, `IS NULL`, `LIKE`, `IN`, …), so such a default is put in
/// parentheses; anything else is left as it is.
pub fn column_default_clause(default: &str) -> String {
    let restricted = match parse_expression(default) {
        Ok(expr) => !matches!(
            expr,
            Expr::BinaryOp {
                op: BinaryOperator::And | BinaryOperator::Or,
                ..
            } | Expr::UnaryOp {
                op: sqlparser::ast::UnaryOperator::Not,
                ..
            } | Expr::IsNull(_)
                | Expr::IsNotNull(_)
                | Expr::IsTrue(_)
                | Expr::IsNotTrue(_)
                | Expr::IsFalse(_)
                | Expr::IsNotFalse(_)
                | Expr::IsUnknown(_)
                | Expr::IsNotUnknown(_)
                | Expr::Like { .. }
                | Expr::ILike { .. }
                | Expr::SimilarTo { .. }
                | Expr::InList { .. }
                | Expr::InSubquery { .. }
                | Expr::Between { .. }
                | Expr::AtTimeZone { .. }
                | Expr::Collate { .. }
                | Expr::AnyOp { .. }
                | Expr::AllOp { .. }
        ),
        Err(_) => true,
    };
    if restricted {
        default.to_string()
    } else {
        format!("({default})")
    }
}

/// `ARRAY[]`, which has no type without its cast.
fn is_empty_array(expr: &Expr) -> bool {
    matches!(strip_nested(expr), Expr::Array(array) if array.elem.is_empty())
}

fn strip_nested(mut expr: &Expr) -> &Expr {
    while let Expr::Nested(inner) = expr {
        expr = inner.as_ref();
    }
    expr
}

/// The columns an expression mentions, each once, in the order they first appear.
pub fn referenced_columns(expr: &Expr) -> Vec<String> {
    let mut columns: Vec<String> = Vec::new();
    let _ = visit_expressions(expr, |e| {
        let name = match e {
            Expr::Identifier(ident) => Some(folded(ident)),
            Expr::CompoundIdentifier(parts) => parts.last().map(folded),
            _ => None,
        };
        if let Some(name) = name.filter(|n| !columns.contains(n)) {
            columns.push(name);
        }
        ControlFlow::<()>::Continue(())
    });
    columns
}

/// An identifier as PostgreSQL stores it: unquoted ones fold to lower case.
pub fn folded(ident: &Ident) -> String {
    match ident.quote_style {
        None => ident.value.to_lowercase(),
        Some(_) => ident.value.clone(),
    }
}

/// Converts a sqlparser error into a statement error, with the byte offset in `sql` when the
/// message carries a `Line: L, Column: C` position.
pub fn parse_error(sql: &str, error: &ParserError) -> StatementError {
    let message = error.to_string();
    let message = message
        .strip_prefix("sql parser error: ")
        .unwrap_or(&message)
        .to_string();
    match position(&message).and_then(|(line, column)| byte_offset(sql, line, column)) {
        // The caller reports the place as file:line:column, so sqlparser's own is dropped.
        Some(offset) => {
            let message =
                message[..message.rfind(" at Line: ").unwrap_or(message.len())].to_string();
            StatementError::at(message, offset)
        }
        None => StatementError::new(message),
    }
}

/// The `Line: L, Column: C` sqlparser appends to its messages.
fn position(message: &str) -> Option<(usize, usize)> {
    let rest = &message[message.rfind("Line: ")? + "Line: ".len()..];
    let (line, rest) = rest.split_once(", Column: ")?;
    let column: String = rest.chars().take_while(char::is_ascii_digit).collect();
    Some((line.trim().parse().ok()?, column.parse().ok()?))
}

/// The byte offset of a 1-based line and character column.
fn byte_offset(sql: &str, line: usize, column: usize) -> Option<usize> {
    let line_start = if line <= 1 {
        0
    } else {
        sql.match_indices('\n').nth(line - 2)?.0 + 1
    };
    let line_text = &sql[line_start..];
    let within = line_text
        .char_indices()
        .nth(column.saturating_sub(1))
        .map_or(line_text.len(), |(i, _)| i);
    Some(line_start + within)
}

/// Folds identifiers, drops quotes PostgreSQL would not need, spells cast types canonically,
/// removes parentheses around single terms and drops the casts the server adds to literals.
///
/// This is the one normalization both sides go through: the SQL or YAML of the desired state and
/// the text a live server prints (see `inspect`), so that both give equal strings.
fn canonicalize<T: sqlparser::ast::VisitMut>(node: &mut T) {
    let _ = visit_expressions_mut(node, |expr| {
        at_time_zone_as_function(expr);
        match expr {
            Expr::Identifier(ident) => fold_ident(ident),
            Expr::CompoundIdentifier(parts) => parts.iter_mut().for_each(fold_ident),
            Expr::Function(function) => {
                fold_object_name(&mut function.name);
                if let FunctionArguments::List(list) = &mut function.args {
                    list.args.iter_mut().for_each(unnest_argument);
                    list.args.iter_mut().for_each(uncast_argument);
                }
                row_as_tuple(expr);
            }
            Expr::TypedString(_) => {
                typed_string_as_cast(expr);
                if let Expr::Cast { data_type, .. } = expr {
                    canonical_cast_type(data_type);
                }
                unquote_cast_number(expr);
                canonical_interval_cast(expr);
            }
            Expr::Array(array) => array.elem.iter_mut().for_each(uncast_text_literal),
            Expr::Cast { data_type, .. } => {
                canonical_cast_type(data_type);
                unquote_cast_number(expr);
                canonical_interval_cast(expr);
            }
            Expr::Interval(_) => interval_as_cast(expr),
            Expr::Case {
                operand,
                conditions,
                else_result,
                ..
            } => {
                // The server puts every operand and branch of a CASE in parentheses.
                let unwrap = |e: &mut Expr| {
                    let taken = std::mem::replace(e, Expr::value(Value::Null));
                    *e = strip_outer_parentheses(taken);
                };
                operand.iter_mut().for_each(|e| unwrap(e));
                let compares_a_column = operand.as_deref().is_some_and(is_column);
                for when in conditions.iter_mut() {
                    unwrap(&mut when.condition);
                    unwrap(&mut when.result);
                    // `CASE c WHEN 'a'` compares like `c = 'a'`, where the server types the literal.
                    if compares_a_column {
                        uncast_literal(&mut when.condition);
                    }
                }
                else_result.iter_mut().for_each(|e| unwrap(e));
                // The server spells out the `ELSE NULL` a CASE without ELSE means.
                let null =
                    |e: &Expr| matches!(strip_nested(e), Expr::Value(v) if v.value == Value::Null);
                let is_null_else = else_result
                    .as_deref()
                    .is_some_and(|e| match strip_nested(e) {
                        Expr::Cast { expr: inner, .. } => null(inner),
                        other => null(other),
                    });
                if is_null_else {
                    *else_result = None;
                }
            }
            Expr::Between { .. } => between_as_comparisons(expr),
            Expr::Nested(inner) if is_single_term(inner) => {
                let term = std::mem::replace(inner.as_mut(), Expr::value(Value::Null));
                *expr = term;
            }
            Expr::BinaryOp { left, op, right } => {
                unnest_operands(op, left, right);
                if is_comparison(op) && is_column(left) {
                    uncast_literal(right);
                } else if is_comparison(op) && is_column(right) {
                    uncast_literal(left);
                }
                uncast_text_literal(left);
                uncast_text_literal(right);
                like_operator_as_like(expr);
            }
            Expr::AnyOp { .. } | Expr::AllOp { .. } => {
                array_comparison_as_in_list(expr);
                single_in_as_comparison(expr);
            }
            Expr::InList {
                expr: column, list, ..
            } => {
                if is_column(column) {
                    list.iter_mut().for_each(uncast_literal);
                }
                single_in_as_comparison(expr);
            }
            _ => {}
        }
        ControlFlow::<()>::Continue(())
    });
}

/// `ts AT TIME ZONE zone` → `timezone(zone, ts)`: the server stores the operator as the call
/// (before version 17 it prints it so too), and the call needs no parentheses where a `DEFAULT`
/// takes a restricted expression.
fn at_time_zone_as_function(expr: &mut Expr) {
    let Expr::AtTimeZone {
        timestamp,
        time_zone,
    } = expr
    else {
        return;
    };
    let argument = |e: &mut Box<Expr>| {
        let taken = std::mem::replace(e.as_mut(), Expr::value(Value::Null));
        FunctionArg::Unnamed(FunctionArgExpr::Expr(strip_outer_parentheses(taken)))
    };
    let args = vec![argument(time_zone), argument(timestamp)];
    *expr = Expr::Function(sqlparser::ast::Function {
        name: ObjectName::from(vec![Ident::new("timezone")]),
        uses_odbc_syntax: false,
        parameters: FunctionArguments::None,
        args: FunctionArguments::List(sqlparser::ast::FunctionArgumentList {
            duplicate_treatment: None,
            args,
            clauses: vec![],
        }),
        filter: None,
        null_treatment: None,
        over: None,
        within_group: vec![],
    });
}

/// `DATE '2024-01-01'` → `'2024-01-01'::date`: the server stores a typed literal as a cast.
fn typed_string_as_cast(expr: &mut Expr) {
    let Expr::TypedString(typed) = expr else {
        return;
    };
    let literal = Expr::Value(typed.value.clone());
    *expr = Expr::Cast {
        kind: sqlparser::ast::CastKind::DoubleColon,
        expr: Box::new(literal),
        data_type: typed.data_type.clone(),
        format: None,
    };
}

/// `row(a, b)` → `(a, b)`: the server prints a row constructor without the keyword.
fn row_as_tuple(expr: &mut Expr) {
    let Expr::Function(function) = expr else {
        return;
    };
    let FunctionArguments::List(list) = &function.args else {
        return;
    };
    if function.name.to_string() != "row" || list.args.len() < 2 {
        return;
    }
    let fields: Option<Vec<Expr>> = list
        .args
        .iter()
        .map(|arg| match arg {
            FunctionArg::Unnamed(FunctionArgExpr::Expr(field)) => Some(field.clone()),
            _ => None,
        })
        .collect();
    if let Some(fields) = fields {
        *expr = Expr::Tuple(fields);
    }
}

/// `x IN (a)` → `x = a` (`NOT IN` → `<>`): the server stores a one-element list as a comparison.
fn single_in_as_comparison(expr: &mut Expr) {
    let Expr::InList {
        expr: operand,
        list,
        negated,
    } = expr
    else {
        return;
    };
    let [element] = list.as_slice() else {
        return;
    };
    let op = if *negated {
        BinaryOperator::NotEq
    } else {
        BinaryOperator::Eq
    };
    *expr = Expr::BinaryOp {
        left: operand.clone(),
        op,
        right: Box::new(element.clone()),
    };
}

/// A function argument without parentheses around it, which the server prints around an
/// operator expression (`lower((a || b))`).
fn unnest_argument(argument: &mut FunctionArg) {
    if let FunctionArg::Unnamed(FunctionArgExpr::Expr(expr))
    | FunctionArg::Named {
        arg: FunctionArgExpr::Expr(expr),
        ..
    } = argument
    {
        let taken = std::mem::replace(expr, Expr::value(Value::Null));
        *expr = strip_outer_parentheses(taken);
    }
}

/// PostgreSQL's binding strength of a binary operator (higher binds tighter); every operator
/// without its own level is one of the "other" operators (`||`, `~`, `->`, …).
fn precedence(op: &BinaryOperator) -> u8 {
    match op {
        BinaryOperator::Or => 1,
        BinaryOperator::And => 2,
        op if is_comparison(op) => 4,
        BinaryOperator::Plus | BinaryOperator::Minus => 7,
        BinaryOperator::Multiply | BinaryOperator::Divide | BinaryOperator::Modulo => 8,
        BinaryOperator::PGExp => 9,
        _ => 6,
    }
}

/// Drops the parentheses the server prints around every nested operator expression where
/// precedence and left-to-right grouping make them redundant: `(a || b) || c` → `a || b || c`,
/// `a + (b * c)` → `a + b * c`; `a - (b - c)` and `(a = b) = c` keep theirs.
fn unnest_operands(op: &BinaryOperator, left: &mut Box<Expr>, right: &mut Box<Expr>) {
    let outer = precedence(op);
    let redundant = |operand: &Expr, is_left: bool| match operand {
        Expr::Nested(inner) => match inner.as_ref() {
            Expr::BinaryOp { op: inner_op, .. } => {
                let inner = precedence(inner_op);
                inner > outer || (is_left && inner == outer && !is_comparison(op))
            }
            _ => false,
        },
        _ => false,
    };
    for (operand, is_left) in [(left, true), (right, false)] {
        if redundant(operand, is_left) {
            let taken = std::mem::replace(operand.as_mut(), Expr::value(Value::Null));
            **operand = strip_outer_parentheses(taken);
        }
    }
}

/// `x = ANY (ARRAY[a, b])` → `x IN (a, b)` and `x <> ALL (ARRAY[a, b])` → `x NOT IN (a, b)`:
/// the server stores an `IN` list as the array comparison and prints it so, with the array's
/// elements (and the array) cast to the compared type.
fn array_comparison_as_in_list(expr: &mut Expr) {
    let (left, right, negated) = match expr {
        Expr::AnyOp {
            left,
            compare_op: BinaryOperator::Eq,
            right,
            ..
        } => (left, right, false),
        Expr::AllOp {
            left,
            compare_op: BinaryOperator::NotEq,
            right,
        } => (left, right, true),
        _ => return,
    };
    let right = strip_nested_mut(right);
    let array = match right {
        Expr::Cast { expr: inner, .. } => strip_nested_mut(inner),
        other => other,
    };
    let Expr::Array(array) = array else {
        return;
    };
    let mut list = std::mem::take(&mut array.elem);
    list.iter_mut().for_each(uncast_literal);
    let operand = std::mem::replace(left.as_mut(), Expr::value(Value::Null));
    *expr = Expr::InList {
        expr: Box::new(operand),
        list,
        negated,
    };
}

/// `x BETWEEN a AND b` → `x >= a AND x <= b` (`NOT BETWEEN` → `x < a OR x > b`), as the server
/// stores it.
fn between_as_comparisons(expr: &mut Expr) {
    let Expr::Between {
        expr: operand,
        negated,
        low,
        high,
    } = expr
    else {
        return;
    };
    let (low_op, join, high_op) = if *negated {
        (BinaryOperator::Lt, BinaryOperator::Or, BinaryOperator::Gt)
    } else {
        (
            BinaryOperator::GtEq,
            BinaryOperator::And,
            BinaryOperator::LtEq,
        )
    };
    let compare = |op, bound: &Expr| Expr::BinaryOp {
        left: operand.clone(),
        op,
        right: Box::new(bound.clone()),
    };
    let both = Expr::BinaryOp {
        left: Box::new(compare(low_op, low)),
        op: join,
        right: Box::new(compare(high_op, high)),
    };
    *expr = if *negated {
        Expr::Nested(Box::new(both))
    } else {
        both
    };
}

/// `a ~~ b` → `a LIKE b` (and `~~*`, `!~~`, `!~~*`): the server prints the operators.
fn like_operator_as_like(expr: &mut Expr) {
    let Expr::BinaryOp { left, op, right } = expr else {
        return;
    };
    let (case_insensitive, negated) = match op {
        BinaryOperator::PGLikeMatch => (false, false),
        BinaryOperator::PGNotLikeMatch => (false, true),
        BinaryOperator::PGILikeMatch => (true, false),
        BinaryOperator::PGNotILikeMatch => (true, true),
        _ => return,
    };
    let operand = Box::new(std::mem::replace(left.as_mut(), Expr::value(Value::Null)));
    let pattern = Box::new(std::mem::replace(right.as_mut(), Expr::value(Value::Null)));
    *expr = if case_insensitive {
        Expr::ILike {
            negated,
            any: false,
            expr: operand,
            pattern,
            escape_char: None,
        }
    } else {
        Expr::Like {
            negated,
            any: false,
            expr: operand,
            pattern,
            escape_char: None,
        }
    };
}

/// `INTERVAL '10 seconds'` → `'00:00:10'::interval`, the form the server prints.
fn interval_as_cast(expr: &mut Expr) {
    let Expr::Interval(interval) = expr else {
        return;
    };
    if interval.last_field.is_some() {
        return;
    }
    let Expr::Value(literal) = interval.value.as_ref() else {
        return;
    };
    let Value::SingleQuotedString(text) = &literal.value else {
        return;
    };
    let text = match &interval.leading_field {
        None => canonical_interval(text).unwrap_or_else(|| text.clone()),
        Some(field) => match qualified_interval(text, field) {
            Some(text) => text,
            None => return,
        },
    };
    *expr = Expr::Cast {
        kind: sqlparser::ast::CastKind::DoubleColon,
        expr: Box::new(Expr::value(Value::SingleQuotedString(text))),
        data_type: DataType::Custom(ObjectName::from(vec![Ident::new("interval")]), vec![]),
        format: None,
    };
}

/// `INTERVAL '1.5' HOUR` as the server prints it (`01:00:00`): a plain number counts units of
/// the field, and a field above seconds drops the fraction, as the qualifier truncates the
/// value to its precision.
fn qualified_interval(text: &str, field: &sqlparser::ast::DateTimeField) -> Option<String> {
    use sqlparser::ast::DateTimeField as Field;
    let amount: f64 = text.trim().parse().ok()?;
    let unit = match field {
        Field::Year | Field::Years => "year",
        Field::Month | Field::Months => "month",
        Field::Day | Field::Days => "day",
        Field::Hour | Field::Hours => "hour",
        Field::Minute | Field::Minutes => "minute",
        Field::Second | Field::Seconds => "second",
        _ => return None,
    };
    let amount = if unit == "second" {
        amount
    } else {
        amount.trunc()
    };
    canonical_interval(&format!("{amount} {unit}"))
}

/// `'1 minute'::interval` → `'00:01:00'::interval`.
fn canonical_interval_cast(expr: &mut Expr) {
    let Expr::Cast {
        expr: operand,
        data_type,
        ..
    } = expr
    else {
        return;
    };
    if data_type.to_string() != "interval" {
        return;
    }
    if let Expr::Value(literal) = strip_nested_mut(operand)
        && let Value::SingleQuotedString(text) = &mut literal.value
        && let Some(canonical) = canonical_interval(text)
    {
        *text = canonical;
    }
}

/// An interval literal as the server prints it (`IntervalStyle` `postgres`): `1 year 2 mons
/// 3 days 04:05:06`. `None` for text this reading does not understand, which stays as written.
pub fn canonical_interval(text: &str) -> Option<String> {
    const MICROS_PER_SECOND: f64 = 1_000_000.0;
    let mut months: i64 = 0;
    let mut days: i64 = 0;
    let mut micros: f64 = 0.0;
    let lowered = text.trim().to_lowercase();
    let mut words = lowered.split_whitespace().peekable();
    while let Some(word) = words.next() {
        if word.contains(':') {
            micros += clock_micros(word)?;
            continue;
        }
        let amount: f64 = word.parse().ok()?;
        let unit = match words.next()? {
            "ms" => "msec",
            other => other.trim_end_matches('s'),
        };
        match unit {
            "microsecond" | "usec" | "u" => micros += amount,
            "millisecond" | "msec" => micros += amount * 1_000.0,
            "second" | "sec" => micros += amount * MICROS_PER_SECOND,
            "minute" | "min" => micros += amount * 60.0 * MICROS_PER_SECOND,
            "hour" | "hr" | "h" => micros += amount * 3_600.0 * MICROS_PER_SECOND,
            "day" | "d" => days += whole(amount)?,
            "week" | "w" => days += whole(amount * 7.0)?,
            "month" | "mon" => months += whole(amount)?,
            "year" | "yr" | "y" => months += whole(amount * 12.0)?,
            _ => return None,
        }
    }
    let mut parts = Vec::new();
    let (years, months) = (months / 12, months % 12);
    for (amount, singular, plural) in [
        (years, "year", "years"),
        (months, "mon", "mons"),
        (days, "day", "days"),
    ] {
        if amount != 0 {
            let unit = if amount == 1 { singular } else { plural };
            parts.push(format!("{amount} {unit}"));
        }
    }
    let micros = micros.round() as i64;
    if micros != 0 || parts.is_empty() {
        parts.push(clock_text(micros));
    }
    Some(parts.join(" "))
}

fn whole(amount: f64) -> Option<i64> {
    (amount.fract() == 0.0).then_some(amount as i64)
}

/// `hh:mm[:ss[.fff]]` in microseconds.
fn clock_micros(word: &str) -> Option<f64> {
    let (negative, word) = match word.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, word),
    };
    let mut fields = word.split(':');
    let hours: f64 = fields.next()?.parse().ok()?;
    let minutes: f64 = fields.next()?.parse().ok()?;
    let seconds: f64 = match fields.next() {
        Some(text) => text.parse().ok()?,
        None => 0.0,
    };
    if fields.next().is_some() {
        return None;
    }
    let micros = ((hours * 60.0 + minutes) * 60.0 + seconds) * 1_000_000.0;
    Some(if negative { -micros } else { micros })
}

/// `04:05:06`, `-00:00:01.5`.
fn clock_text(micros: i64) -> String {
    let sign = if micros < 0 { "-" } else { "" };
    let micros = micros.unsigned_abs();
    let seconds = micros / 1_000_000;
    let fraction = micros % 1_000_000;
    let mut text = format!(
        "{sign}{:02}:{:02}:{:02}",
        seconds / 3_600,
        seconds / 60 % 60,
        seconds % 60
    );
    if fraction != 0 {
        let digits = format!("{fraction:06}");
        text.push('.');
        text.push_str(digits.trim_end_matches('0'));
    }
    text
}

fn is_comparison(op: &BinaryOperator) -> bool {
    matches!(
        op,
        BinaryOperator::Eq
            | BinaryOperator::NotEq
            | BinaryOperator::Lt
            | BinaryOperator::LtEq
            | BinaryOperator::Gt
            | BinaryOperator::GtEq
    )
}

fn is_column(expr: &Expr) -> bool {
    matches!(expr, Expr::Identifier(_) | Expr::CompoundIdentifier(_))
}

fn strip_nested_mut(mut expr: &mut Expr) -> &mut Expr {
    while let Expr::Nested(inner) = expr {
        expr = inner.as_mut();
    }
    expr
}

/// A literal argument of a function loses a cast to text, `regclass` or a numeric type
/// (`nextval('s'::regclass)`, `date_trunc('day'::text, at)`, `coalesce(price, (0)::numeric)`):
/// the server prints the parameter's type, which the literal takes anyway. Other casts (to a
/// timestamp, say) may pick the function and stay.
fn uncast_argument(argument: &mut FunctionArg) {
    let (FunctionArg::Unnamed(FunctionArgExpr::Expr(expr))
    | FunctionArg::Named {
        arg: FunctionArgExpr::Expr(expr),
        ..
    }) = argument
    else {
        return;
    };
    uncast_text_literal(expr);
    if let Expr::Cast { data_type, .. } = expr {
        let spelled = data_type.to_string();
        if spelled == "regclass" || is_numeric_type(&spelled) {
            uncast_literal(expr);
        }
    }
}

/// `'a'::text` → `'a'` and `0::numeric` → `0` where the literal is compared with a column or
/// passed to a function: the server types such a literal after its context and prints the type
/// (`status = 'a'::text`, `price > (0)::numeric`, `kind = ANY (ARRAY['a'::text])`), where the
/// SQL left it to the context. Casts elsewhere (`now() - '1 day'::interval`) carry meaning and
/// stay.
fn uncast_literal(expr: &mut Expr) {
    let Expr::Cast {
        expr: operand,
        data_type,
        format: None,
        ..
    } = expr
    else {
        return;
    };
    let numeric_target = is_numeric_type(&data_type.to_string());
    let value = match strip_nested_mut(operand) {
        Expr::Value(literal) => match &literal.value {
            Value::SingleQuotedString(text) if numeric_target && is_plain_number(text) => {
                Value::Number(text.trim().to_string(), false)
            }
            Value::SingleQuotedString(_) => literal.value.clone(),
            Value::Number(..) if numeric_target => literal.value.clone(),
            _ => return,
        },
        _ => return,
    };
    *expr = Expr::value(value);
}

/// `'x'::text` → `'x'` as the operand of any operator (`c || 'x'::text`, `d ->> 'x'::text`,
/// `d #>> '{a}'::text[]`): an untyped string literal is read as text where the operator allows,
/// and the server prints the type it chose.
fn uncast_text_literal(expr: &mut Expr) {
    let Expr::Cast {
        expr: operand,
        data_type,
        format: None,
        ..
    } = expr
    else {
        return;
    };
    let spelled = data_type.to_string();
    let text_type = matches!(
        spelled
            .trim_end_matches("[]")
            .split('(')
            .next()
            .unwrap_or_default(),
        "text" | "character varying" | "character"
    );
    if let Expr::Value(literal) = strip_nested_mut(operand)
        && matches!(literal.value, Value::SingleQuotedString(_))
        && text_type
    {
        *expr = Expr::value(literal.value.clone());
    }
}

/// `'-1'::integer` → `-1` and `'-1.5'::numeric` → `-1.5`: the server prints a negative constant
/// quoted and cast, and the bare number has the same type, so the cast says nothing.
fn unquote_cast_number(expr: &mut Expr) {
    let Expr::Cast {
        expr: operand,
        data_type,
        format: None,
        ..
    } = expr
    else {
        return;
    };
    let Expr::Value(literal) = strip_nested_mut(operand) else {
        return;
    };
    let Value::SingleQuotedString(text) = &literal.value else {
        return;
    };
    let text = text.trim();
    let same_type = match data_type.to_string().as_str() {
        "integer" => is_plain_number(text) && !text.contains('.') && text.parse::<i32>().is_ok(),
        "numeric" => is_plain_number(text) && text.contains('.'),
        _ => false,
    };
    if same_type {
        *expr = Expr::value(Value::Number(text.to_string(), false));
    }
}

/// Digits with an optional sign and decimal point, nothing PostgreSQL would read otherwise.
fn is_plain_number(text: &str) -> bool {
    let text = text.trim();
    let digits = text.strip_prefix(['-', '+']).unwrap_or(text);
    !digits.is_empty()
        && digits.chars().any(|c| c.is_ascii_digit())
        && digits.chars().all(|c| c.is_ascii_digit() || c == '.')
        && digits.matches('.').count() <= 1
}

fn is_numeric_type(canonical: &str) -> bool {
    matches!(
        canonical.split('(').next().unwrap_or(canonical).trim(),
        "smallint" | "integer" | "bigint" | "numeric" | "real" | "double precision"
    )
}

fn fold_object_name(name: &mut ObjectName) {
    for part in &mut name.0 {
        if let ObjectNamePart::Identifier(ident) = part {
            fold_ident(ident);
        }
    }
}

/// Folds an unquoted identifier and unquotes a quoted one that needs no quotes.
fn fold_ident(ident: &mut Ident) {
    match ident.quote_style {
        None => ident.value = ident.value.to_lowercase(),
        Some('"') if super::ident::is_plain(&ident.value) => ident.quote_style = None,
        Some(_) => {}
    }
}

/// Replaces a cast's type by its canonical spelling, kept as one opaque name so it prints as is.
fn canonical_cast_type(data_type: &mut DataType) {
    if let Ok(canonical) = normalize_type(&data_type.to_string()) {
        *data_type = DataType::Custom(ObjectName::from(vec![Ident::new(canonical)]), vec![]);
    }
}

fn is_single_term(expr: &Expr) -> bool {
    matches!(
        expr,
        Expr::Identifier(_)
            | Expr::CompoundIdentifier(_)
            | Expr::Value(_)
            | Expr::Function(_)
            | Expr::Cast { .. }
            | Expr::Nested(_)
            | Expr::Extract { .. }
            | Expr::Case { .. }
            | Expr::Substring { .. }
            | Expr::Trim { .. }
            | Expr::Position { .. }
            | Expr::Array(_)
    )
}

fn strip_outer_parentheses(expr: Expr) -> Expr {
    match expr {
        Expr::Nested(inner) => strip_outer_parentheses(*inner),
        other => other,
    }
}

/// Whether a cast's (canonical) type is the column's type, its unmodified base
/// (`character varying` for `character varying(20)`) or the same user type named without its schema.
fn casts_to_column_type(cast_type: &str, column_type: &str) -> bool {
    // The server quotes a type name that would otherwise read differently: a cast to `bit`
    // without its length prints as `::"bit"` (a bare `bit` is `bit(1)`).
    let cast_type = cast_type.replace('"', "");
    let column_type = column_type.replace('"', "");
    let base = |t: &str| match t.find('(') {
        Some(open) => {
            let close = t.rfind(')').unwrap_or(t.len() - 1);
            format!("{}{}", &t[..open], &t[close + 1..])
        }
        None => t.to_string(),
    };
    let unqualified = |t: &str| match t.rsplit_once('.') {
        Some((_, name)) => name.to_string(),
        None => t.to_string(),
    };
    // `bpchar` is the server's name for `character` without its length.
    let blank_padded = cast_type == "bpchar" && base(&column_type) == "character";
    blank_padded
        || cast_type == column_type
        || cast_type == base(&column_type)
        || unqualified(&cast_type) == unqualified(&column_type)
}

/// The part an index expression key adds to the name PostgreSQL gives an unnamed index, as its
/// `FigureColname` does: a function call gives the function's name (`lower(email)` → `lower`), a
/// column its name, a cast its operand's name or else the type's internal name (`int8`), `CASE`
/// `case`, and anything else `expr`.
pub fn index_key_name_part(expr_sql: &str) -> String {
    parse_expression(expr_sql)
        .ok()
        .and_then(|expr| figured_name(&expr))
        .map_or_else(|| "expr".to_string(), |(name, _)| name)
}

/// How surely a name was figured: a type or `case` gives way to a better name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum NameStrength {
    Weak,
    Strong,
}

fn figured_name(expr: &Expr) -> Option<(String, NameStrength)> {
    let strong = |name: &str| Some((name.to_string(), NameStrength::Strong));
    match expr {
        Expr::Identifier(ident) => Some((folded(ident), NameStrength::Strong)),
        Expr::CompoundIdentifier(parts) => parts.last().map(|p| (folded(p), NameStrength::Strong)),
        Expr::Function(function) => match function.name.0.last()? {
            ObjectNamePart::Identifier(ident) => Some((folded(ident), NameStrength::Strong)),
            ObjectNamePart::Function(_) => None,
        },
        Expr::Nested(inner) | Expr::Collate { expr: inner, .. } => figured_name(inner),
        Expr::CompoundFieldAccess { root, .. } => figured_name(root),
        Expr::Cast {
            expr: inner,
            data_type,
            ..
        } => match figured_name(inner) {
            Some(named) if named.1 == NameStrength::Strong => Some(named),
            _ => Some((
                internal_type_name(&data_type.to_string()),
                NameStrength::Weak,
            )),
        },
        Expr::Case { .. } => Some(("case".to_string(), NameStrength::Weak)),
        Expr::Array(_) => strong("array"),
        Expr::Tuple(_) => strong("row"),
        Expr::Exists { .. } => strong("exists"),
        Expr::Extract { .. } => strong("extract"),
        Expr::Substring { .. } => strong("substring"),
        Expr::Position { .. } => strong("position"),
        Expr::Overlay { .. } => strong("overlay"),
        Expr::Trim { trim_where, .. } => match trim_where {
            Some(TrimWhereField::Leading) => strong("ltrim"),
            Some(TrimWhereField::Trailing) => strong("rtrim"),
            Some(TrimWhereField::Both) | None => strong("btrim"),
        },
        _ => None,
    }
}

/// The name PostgreSQL's catalog gives a type, which is what an unnamed index is named after:
/// `bigint` → `int8`, `character varying(20)` → `varchar`, `core.status[]` → `status`.
fn internal_type_name(spelled: &str) -> String {
    let normalized = normalize_type(spelled).unwrap_or_else(|_| spelled.to_string());
    let without_array = normalized.trim_end_matches("[]");
    let base = match without_array.find('(') {
        Some(open) => {
            let close = without_array.rfind(')').unwrap_or(open);
            format!("{}{}", &without_array[..open], &without_array[close + 1..])
        }
        None => without_array.to_string(),
    };
    let base = base.split_whitespace().collect::<Vec<_>>().join(" ");
    let name = match base.rsplit_once('.') {
        Some((_, name)) => name,
        None => base.as_str(),
    };
    let internal = match name {
        "integer" => "int4",
        "bigint" => "int8",
        "smallint" => "int2",
        "boolean" => "bool",
        "character varying" => "varchar",
        "character" => "bpchar",
        "double precision" => "float8",
        "real" => "float4",
        "timestamp with time zone" => "timestamptz",
        "timestamp without time zone" => "timestamp",
        "time with time zone" => "timetz",
        "time without time zone" => "time",
        "bit varying" => "varbit",
        other => other,
    };
    internal.trim_matches('"').to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn norm(raw: &str) -> String {
        match normalize_expression(raw) {
            Ok(e) => e,
            Err(e) => panic!("{raw}: {e}"),
        }
    }

    #[test]
    fn nested_operators_lose_the_parentheses_the_server_prints() {
        assert_eq!(norm("lower(((a || '@') || b))"), "lower(a || '@' || b)");
        assert_eq!(norm("(a + (b * c))"), "a + b * c");
        assert_eq!(norm("a - (b - c)"), "a - (b - c)");
    }

    #[test]
    fn typed_literals_row_constructors_and_single_in_lists_match_the_server() {
        assert_eq!(
            norm("d >= DATE '2022-01-01'"),
            norm("d >= '2022-01-01'::date")
        );
        assert_eq!(norm("row(a, b) > row(0, 0)"), norm("(a, b) > (0, 0)"));
        assert_eq!(norm("status IN ('pending')"), norm("status = 'pending'"));
    }

    #[test]
    fn single_table_views_lose_their_column_qualifiers() {
        let query = |sql: &str| normalize_query(sql).unwrap_or_else(|e| panic!("{sql}: {e}"));
        assert_eq!(
            query("SELECT t.item FROM test_table t WHERE (t.item = 0)"),
            query("SELECT item FROM test_table AS t WHERE item = 0")
        );
        assert_eq!(
            query("SELECT a.x, b.y FROM a JOIN b ON a.id = b.id"),
            "SELECT a.x, b.y FROM a JOIN b ON a.id = b.id"
        );
    }

    #[test]
    fn in_lists_match_the_array_comparison_the_server_prints() {
        assert_eq!(
            norm("kind = ANY (ARRAY['a'::character varying, 'b'::character varying]::text[])"),
            norm("kind IN ('a', 'b')")
        );
        assert_eq!(
            norm("kind <> ALL (ARRAY['a'::text])"),
            norm("kind NOT IN ('a')")
        );
    }

    #[test]
    fn between_and_like_match_what_the_server_prints() {
        assert_eq!(
            norm("rate >= 0::numeric AND rate <= 1::numeric"),
            norm("rate BETWEEN 0 AND 1")
        );
        assert_eq!(norm("email ~~ '%@%'::text"), norm("email LIKE '%@%'"));
        assert_eq!(norm("email !~~* 'x'"), norm("email NOT ILIKE 'x'"));
    }

    #[test]
    fn interval_literals_take_the_servers_spelling() {
        assert_eq!(
            canonical_interval("10 seconds").as_deref(),
            Some("00:00:10")
        );
        assert_eq!(canonical_interval("1 minute").as_deref(), Some("00:01:00"));
        assert_eq!(
            canonical_interval("1 year 14 months 2 days 1.5 hours").as_deref(),
            Some("2 years 2 mons 2 days 01:30:00")
        );
        assert_eq!(canonical_interval("1 fortnight"), None);
        assert_eq!(
            norm("d >= '00:00:10'::interval"),
            norm("d >= INTERVAL '10 seconds'")
        );
        assert_eq!(
            normalize_default("'00:04:00'::interval", "interval"),
            "'00:04:00'"
        );
        assert_eq!(normalize_default("'4 minutes'", "interval"), "'00:04:00'");
    }

    #[test]
    fn case_and_spacing_do_not_matter() {
        assert_eq!(norm("NOW()"), norm("now( )"));
        assert_eq!(norm("Price   >  0"), "price > 0");
        assert_eq!(norm("(price > 0)"), "price > 0");
        assert_eq!(norm("lower(Email)"), "lower(email)");
        assert_eq!(norm("\"Email\" IS NOT NULL"), "\"Email\" IS NOT NULL");
        assert_eq!(norm("\"email\" = 'A'"), "email = 'A'");
        assert_eq!(norm("\"name\" = 'A'"), "name = 'A'");
        assert_eq!(norm("\"user\" = 'A'"), "\"user\" = 'A'");
    }

    #[test]
    fn parentheses_around_single_terms_vanish() {
        assert_eq!(norm("((price) > (0))"), "price > 0");
        assert_eq!(norm("(a + b) * c"), "(a + b) * c");
    }

    #[test]
    fn cast_types_are_spelled_canonically() {
        assert_eq!(norm("'x'::VARCHAR(3)"), "'x'::character varying(3)");
        assert_eq!(norm("CAST(a AS int4)"), norm("CAST(a AS integer)"));
        assert_eq!(norm("0::INT"), "0::integer");
    }

    #[test]
    fn non_expressions_are_errors() {
        assert!(normalize_expression("a >").is_err());
        assert!(normalize_expression("a b c").is_err());
    }

    #[test]
    fn queries_normalize_case_and_spacing() {
        let a = normalize_query("SELECT Id, Name FROM Core.Users WHERE Active").unwrap_or_default();
        let b = normalize_query("select id,name from core.users where active").unwrap_or_default();
        assert_eq!(a, b);
        assert_eq!(a, "SELECT id, name FROM core.users WHERE active");
    }

    #[test]
    fn redundant_default_casts_are_dropped() {
        assert_eq!(normalize_default("'x'::text", "text"), "'x'");
        assert_eq!(normalize_default("'{}'::jsonb", "jsonb"), "'{}'");
        assert_eq!(normalize_default("0::integer", "integer"), "0");
        assert_eq!(normalize_default("'-1'::integer", "integer"), "-1");
        assert_eq!(
            normalize_default("'a'::character varying", "character varying(20)"),
            "'a'"
        );
        assert_eq!(
            normalize_default("'admin'::core.user_role", "user_role"),
            "'admin'"
        );
    }

    #[test]
    fn meaningful_default_casts_are_kept() {
        assert_eq!(normalize_default("'x'::text", "jsonb"), "'x'::text");
        assert_eq!(
            normalize_default("now()", "timestamp with time zone"),
            "now()"
        );
        assert_eq!(normalize_default("'7'::text", "integer"), "'7'::text");
    }

    #[test]
    fn casts_the_server_adds_to_literals_are_dropped() {
        assert_eq!(norm("price > (0)::numeric"), "price > 0");
        assert_eq!(norm("b > '2020-01-01'::date"), "b > '2020-01-01'");
        assert_eq!(norm("'a'::text = status"), "'a' = status");
        assert_eq!(
            norm("status = ANY (ARRAY['a'::text, 'b'::text])"),
            norm("status = ANY(ARRAY['a', 'b'])")
        );
        assert_eq!(norm("kind IN ('a'::text, 'b')"), "kind IN ('a', 'b')");
        assert_eq!(norm("a > '-1'::integer"), "a > -1");
        assert_eq!(norm("nextval('s'::regclass)"), "nextval('s')");
        assert_eq!(norm("(d ->> 'x'::text)"), "d ->> 'x'");
        assert_eq!(norm("d #>> '{x}'::text[]"), "d #>> '{x}'");
        assert_eq!(norm("(c || 'x'::text)"), "c || 'x'");
        assert_eq!(
            norm("date_trunc('day'::text, created_at)"),
            "date_trunc('day', created_at)"
        );
    }

    #[test]
    fn casts_that_carry_meaning_are_kept() {
        assert_eq!(
            norm("now() - '1 day'::interval"),
            "now() - '1 day'::interval"
        );
        assert_eq!(norm("a / 2::numeric"), "a / 2::numeric");
        assert_eq!(norm("x::text"), "x::text");
        assert_eq!(norm("'5'::bigint"), "'5'::bigint");
    }

    #[test]
    fn defaults_normalize_as_the_server_prints_them() {
        assert_eq!(normalize_default("'-1'::integer", "integer"), "-1");
        assert_eq!(normalize_default("'-1.5'::numeric", "numeric(4,1)"), "-1.5");
        assert_eq!(normalize_default("'{}'::text[]", "text[]"), "'{}'");
        assert_eq!(
            normalize_default("nextval('s'::regclass)", "bigint"),
            "nextval('s')"
        );
    }

    #[test]
    fn index_key_name_parts_follow_postgres() {
        assert_eq!(index_key_name_part("lower(email)"), "lower");
        assert_eq!(index_key_name_part("public.lower(email)"), "lower");
        assert_eq!(index_key_name_part("a::text"), "a");
        assert_eq!(index_key_name_part("(a + 1)::bigint"), "int8");
        assert_eq!(index_key_name_part("(c || 'x')::varchar(5)"), "varchar");
        assert_eq!(index_key_name_part("(c || 'x')::core.status[]"), "status");
        assert_eq!(index_key_name_part("e[1]"), "e");
        assert_eq!(index_key_name_part("CASE WHEN a > 0 THEN 1 END"), "case");
        assert_eq!(index_key_name_part("COALESCE(a, 0)"), "coalesce");
        assert_eq!(index_key_name_part("TRIM(c)"), "btrim");
        assert_eq!(index_key_name_part("EXTRACT(YEAR FROM d)"), "extract");
        assert_eq!(index_key_name_part("a + b"), "expr");
        assert_eq!(index_key_name_part("d ->> 'x'"), "expr");
    }

    #[test]
    fn at_time_zone_reads_as_the_timezone_call_the_server_stores() {
        assert_eq!(
            norm("(created_at AT TIME ZONE 'utc') < now()"),
            norm("timezone('utc'::text, created_at) < now()")
        );
        assert_eq!(
            normalize_default("(now() AT TIME ZONE 'utc')", "timestamp without time zone"),
            "timezone('utc', now())"
        );
    }

    #[test]
    fn defaults_a_column_definition_cannot_take_bare_get_parentheses() {
        assert_eq!(column_default_clause("a IS NULL"), "(a IS NULL)");
        assert_eq!(column_default_clause("now()"), "now()");
        assert_eq!(column_default_clause("-1"), "-1");
        assert_eq!(column_default_clause("1 + 2"), "1 + 2");
    }

    #[test]
    fn literal_defaults_take_the_servers_spelling() {
        assert_eq!(
            normalize_default("ARRAY[]::int[]", "integer[]"),
            "ARRAY[]::integer[]"
        );
        assert_eq!(normalize_default("'0.5'", "numeric(30,20)"), "0.5");
        assert_eq!(normalize_default("boolean 'f'", "boolean"), "false");
        assert_eq!(normalize_default("'yes'::boolean", "boolean"), "true");
        assert_eq!(normalize_default("x'1F'", "bit(8)"), "'00011111'");
        assert_eq!(normalize_default("b'0101'", "bit(4)"), "'0101'");
        // As the catalog prints a bit-string default: cast to the quoted, length-less type.
        assert_eq!(
            normalize_default("'00011111'::\"bit\"", "bit(8)"),
            "'00011111'"
        );
        assert_eq!(normalize_default("'1.999'::money", "money"), "'$2.00'");
        assert_eq!(normalize_default("'1234.5'", "money"), "'$1,234.50'");
        assert_eq!(normalize_default("'$1.00'::money", "money"), "'$1.00'");
        assert_eq!(
            normalize_default("interval '1.5' hour", "interval"),
            "'01:00:00'"
        );
        assert_eq!(
            normalize_default("interval '90' minute", "interval"),
            "'01:30:00'"
        );
        assert_eq!(
            normalize_default("interval '1' year", "interval"),
            "'1 year'"
        );
    }

    #[test]
    fn variadic_arrays_and_else_null_read_as_written() {
        assert_eq!(
            norm("jsonb_extract_path_text(col, VARIADIC ARRAY['foo'::text, 'bar'::text])"),
            norm("jsonb_extract_path_text(col, 'foo', 'bar')")
        );
        assert_eq!(
            norm("CASE (a + 1) WHEN 1 THEN (b) ELSE NULL::integer END"),
            norm("CASE a + 1 WHEN 1 THEN b END")
        );
    }

    #[test]
    fn views_read_as_the_server_prints_them() {
        let query = |sql: &str| normalize_query(sql).unwrap_or_else(|e| panic!("{sql}: {e}"));
        // Joins in parentheses, CTE bodies with qualified columns.
        assert_eq!(
            query("SELECT p.id FROM (posts p JOIN users u ON ((p.user_id = u.id)))"),
            query("SELECT p.id FROM posts AS p JOIN users AS u ON p.user_id = u.id")
        );
        assert_eq!(
            query(
                "WITH r AS (SELECT users.id FROM users WHERE (users.active = true)) \
                 SELECT r.id FROM r"
            ),
            query("WITH r AS (SELECT id FROM users WHERE active = true) SELECT id FROM r")
        );
        // Parenthesized plain operands, output names and string literals.
        assert_eq!(
            query("SELECT 1 AS id UNION ALL SELECT 2 AS id"),
            query("(SELECT 1 AS id) UNION ALL (SELECT 2)")
        );
        assert_eq!(
            query("SELECT 1 AS \"?column?\" UNION SELECT 2"),
            query("SELECT 1 UNION SELECT 2")
        );
        assert_eq!(
            query("SELECT count(*) AS count, 'x'::text AS added, 4 AS \"time\" FROM t"),
            query("SELECT count(*), 'x' AS added, 4 AS time FROM t")
        );
        // A later operand of a nested set operation leaves out the fallback name.
        assert_eq!(
            query("SELECT s.a FROM (SELECT 1 AS \"?column?\" UNION SELECT 2) s"),
            query("SELECT s.a FROM (SELECT 1 UNION SELECT 2) AS s")
        );
        // GROUP BY an output alias is GROUP BY its expression.
        assert_eq!(
            query("SELECT EXTRACT(year FROM d) AS y FROM t GROUP BY (EXTRACT(year FROM t.d))"),
            query("SELECT EXTRACT(year FROM d) AS y FROM t GROUP BY y")
        );
    }

    #[test]
    fn wildcards_expand_to_the_columns_of_the_single_relation() {
        let columns = |name: &ObjectName| {
            (name.to_string() == "users").then(|| vec!["id".to_string(), "name".to_string()])
        };
        let expanded = |sql: &str| {
            let mut query = parse_query(sql).unwrap_or_else(|e| panic!("{sql}: {e}"));
            expand_wildcards(&mut query, &columns);
            canonical_query(query)
        };
        assert_eq!(
            expanded("SELECT * FROM users"),
            "SELECT id, name FROM users"
        );
        assert_eq!(
            expanded("SELECT * FROM (SELECT a, b AS c FROM x) AS t"),
            "SELECT a, c FROM (SELECT a, b AS c FROM x) AS t"
        );
        assert_eq!(expanded("SELECT * FROM other"), "SELECT * FROM other");
    }

    #[test]
    fn referenced_columns_come_in_order_of_appearance() {
        let expr = parse_expression("b > a AND lower(b) <> c").unwrap_or(Expr::value(Value::Null));
        assert_eq!(referenced_columns(&expr), vec!["b", "a", "c"]);
    }

    #[test]
    fn parse_errors_point_at_their_offset() {
        let sql = "a +\n  ) b";
        let err = normalize_expression(sql).err();
        let offset = err.and_then(|e| e.offset);
        assert_eq!(offset, Some(6));
    }
}
