//! The canonical text of a MySQL/MariaDB view query. MariaDB stores a view rewritten
//! (`information_schema.VIEWS.VIEW_DEFINITION`): every name backquoted and qualified with its
//! database and table, every output column aliased, joins parenthesized, redundant parentheses
//! dropped, some functions respelled. Written text and stored text are both brought to one form
//! here, so that they compare equal: the own database's qualifier is dropped, a column is
//! qualified only when its `SELECT` reads more than one relation, every output column of the
//! view carries its alias, names are backquoted, parentheses follow operator precedence.

use crate::backend::StatementError;
use crate::backend::postgres::expr::{leaves, parse_error};
use sqlparser::ast::{
    BinaryOperator, Expr, FunctionArgumentList, FunctionArguments, Ident, JoinConstraint,
    JoinOperator, LimitClause, ObjectName, ObjectNamePart, OrderByExpr, OrderBySort, Query, Select,
    SelectItem, SetExpr, Spanned, TableFactor, TableWithJoins, UnaryOperator, Value, VisitMut,
    VisitorMut,
};
use sqlparser::dialect::MySqlDialect;
use sqlparser::parser::Parser;
use std::ops::ControlFlow;

/// Parses one query with the MySQL dialect, after [`server_spellings`].
pub fn parse_query(raw: &str) -> Result<Query, StatementError> {
    let dialect = MySqlDialect {};
    let respelled = server_spellings(raw);
    let raw = respelled.as_deref().unwrap_or(raw);
    Parser::new(&dialect)
        .try_with_sql(raw)
        .and_then(|mut p| {
            let query = p.parse_query()?;
            let _ = p.consume_token(&sqlparser::tokenizer::Token::SemiColon);
            p.expect_token(&sqlparser::tokenizer::Token::EOF)?;
            Ok(*query)
        })
        .map_err(|e| parse_error(raw, &e))
}

/// The text with what the server prints but the parser does not read respelled: `!` as `NOT`
/// (`!exists(…)`), and the character set the server adds to a cast without one
/// (`cast(x as char(10) charset utf8mb3)`) dropped. `None` when there is nothing to change, so
/// the text keeps the positions output columns are named from.
fn server_spellings(raw: &str) -> Option<String> {
    use sqlparser::keywords::Keyword;
    use sqlparser::tokenizer::{Token, Tokenizer};
    let tokens = Tokenizer::new(&MySqlDialect {}, raw)
        .tokenize_with_location()
        .ok()?;
    let offsets = line_offsets(raw);
    let at = |i: usize| {
        let start = tokens.get(i)?.span.start;
        byte_offset(raw, &offsets, start.line, start.column)
    };
    let is_charset =
        |t: &Token| matches!(t, Token::Word(w) if matches!(w.keyword, Keyword::CHARSET));
    let mut edits: Vec<(usize, usize, &str)> = Vec::new();
    for (i, token) in tokens.iter().enumerate() {
        let kind = |n: usize| tokens.get(i + n).map(|t| &t.token);
        if token.token == Token::ExclamationMark {
            let start = at(i)?;
            edits.push((start, start + 1, "NOT "));
        } else if is_charset(&token.token)
            && matches!(kind(1), Some(Token::Whitespace(_)))
            && matches!(kind(2), Some(Token::Word(_)))
            && kind(3) == Some(&Token::RParen)
        {
            edits.push((at(i)?, at(i + 3)?, ""));
        }
    }
    if edits.is_empty() {
        return None;
    }
    let mut out = String::with_capacity(raw.len());
    let mut done = 0;
    for (start, end, text) in edits {
        out.push_str(raw.get(done..start)?);
        out.push_str(text);
        done = end;
    }
    out.push_str(raw.get(done..)?);
    Some(out)
}

/// The canonical text of a view query written as `raw`, in `database` when known (its
/// qualifier is dropped).
pub fn normalize_query(raw: &str, database: Option<&str>) -> Result<String, StatementError> {
    Ok(canonical_query(parse_query(raw)?, raw, &[], database))
}

/// The canonical text of an already parsed view query. `raw` is the text it was parsed from:
/// an output column without alias is named after its text there, as the server names it.
/// `columns` is the view's column list (`CREATE VIEW v (a, b) AS …`), which the server turns
/// into the aliases of the first `SELECT`.
pub fn canonical_query(
    query: Query,
    raw: &str,
    columns: &[Ident],
    database: Option<&str>,
) -> String {
    canonical_query_in(query, raw, columns, database, &|_| None)
}

/// The columns of a relation of the own database by name, `None` when unknown.
pub type ColumnsOf<'a> = dyn Fn(&str) -> Option<Vec<String>> + 'a;

/// [`canonical_query`], with the columns of the relations a query reads: an unqualified
/// column of a `SELECT` over several relations gets the qualifier of the one relation that has
/// it, as the server writes it.
pub fn canonical_query_in(
    mut query: Query,
    raw: &str,
    columns: &[Ident],
    database: Option<&str>,
    columns_of: &ColumnsOf<'_>,
) -> String {
    name_outputs(&mut query.body, raw, columns);
    let _ = query.visit(&mut NameDerived { raw });
    let _ = query.visit(&mut Canonical { database });
    let _ = query.visit(&mut Qualify { columns_of });
    let _ = query.visit(&mut Unqualify { scopes: Vec::new() });
    query.to_string()
}

/// The output column names of a (canonical) view query, from its first `SELECT`.
pub fn output_names(definition: &str) -> Option<Vec<String>> {
    let mut query = parse_query(definition).ok()?;
    let first = leaves(&mut query.body).into_iter().next()?;
    first.projection.iter().map(item_name).collect()
}

fn item_name(item: &SelectItem) -> Option<String> {
    match item {
        SelectItem::ExprWithAlias { alias, .. } => Some(alias.value.clone()),
        SelectItem::UnnamedExpr(Expr::Identifier(ident)) => Some(ident.value.clone()),
        SelectItem::UnnamedExpr(Expr::CompoundIdentifier(parts)) => {
            parts.last().map(|p| p.value.clone())
        }
        _ => None,
    }
}

/// Aliases every output column of the view: from the column list, else a column's own name,
/// else the item's written text.
fn name_outputs(body: &mut SetExpr, raw: &str, columns: &[Ident]) {
    let offsets = line_offsets(raw);
    for (n, select) in leaves(body).into_iter().enumerate() {
        for (i, item) in select.projection.iter_mut().enumerate() {
            let listed = if n == 0 { columns.get(i) } else { None };
            let (expr, alias) = match item {
                SelectItem::UnnamedExpr(expr) => {
                    let name = listed
                        .cloned()
                        .or_else(|| implied_name(expr, raw, &offsets));
                    match name {
                        Some(name) => (expr.clone(), name),
                        None => continue,
                    }
                }
                SelectItem::ExprWithAlias { expr, alias } => (
                    expr.clone(),
                    listed.cloned().unwrap_or_else(|| alias.clone()),
                ),
                _ => continue,
            };
            *item = SelectItem::ExprWithAlias { expr, alias };
        }
    }
}

/// Names the output columns of derived tables (`FROM (SELECT …) x`), as the server does.
struct NameDerived<'a> {
    raw: &'a str,
}

impl VisitorMut for NameDerived<'_> {
    type Break = ();

    fn pre_visit_table_factor(&mut self, factor: &mut TableFactor) -> ControlFlow<()> {
        if let TableFactor::Derived { subquery, .. } = factor {
            name_outputs(&mut subquery.body, self.raw, &[]);
        }
        ControlFlow::Continue(())
    }
}

/// The name the server gives an unaliased output column: a column's name, or the expression
/// as written.
fn implied_name(expr: &Expr, raw: &str, offsets: &[usize]) -> Option<Ident> {
    match expr {
        Expr::Identifier(ident) => Some(ident.clone()),
        Expr::CompoundIdentifier(parts) => parts.last().cloned(),
        _ => {
            let span = expr.span();
            let start = byte_offset(raw, offsets, span.start.line, span.start.column)?;
            let end = byte_offset(raw, offsets, span.end.line, span.end.column)?;
            let text = close_parentheses(raw, start, end)?.trim();
            (!text.is_empty()).then(|| Ident::new(text))
        }
    }
}

/// `raw[start..end]`, extended past the closing parentheses it lacks (a function call's span
/// ends at its last argument).
fn close_parentheses(raw: &str, start: usize, end: usize) -> Option<&str> {
    let depth = |text: &str| {
        text.chars().fold(0i32, |d, c| match c {
            '(' => d + 1,
            ')' => d - 1,
            _ => d,
        })
    };
    let mut end = end;
    while depth(raw.get(start..end)?) > 0 {
        end += raw.get(end..)?.find(')')? + 1;
    }
    raw.get(start..end)
}

fn line_offsets(raw: &str) -> Vec<usize> {
    std::iter::once(0)
        .chain(raw.match_indices('\n').map(|(at, _)| at + 1))
        .collect()
}

/// The byte offset of a 1-based line and character column, `None` for an unknown span.
fn byte_offset(raw: &str, offsets: &[usize], line: u64, column: u64) -> Option<usize> {
    let line_start = *offsets.get(usize::try_from(line).ok()?.checked_sub(1)?)?;
    let column = usize::try_from(column).ok()?.checked_sub(1)?;
    let rest = raw.get(line_start..)?;
    match rest.char_indices().nth(column) {
        Some((at, _)) => Some(line_start + at),
        None => Some(raw.len()),
    }
}

/// Rewrites what the server respells: names backquoted and without the own database, function
/// names in lower case, `now()` as `current_timestamp()`, `count(*)` as `count(0)`, `ASC` dropped,
/// `NOT column` as `column = 0`, double-quoted strings single-quoted, parentheses by
/// precedence, joins flattened and `INNER`/`OUTER` dropped, `LIMIT 1` of an `EXISTS` dropped.
struct Canonical<'a> {
    database: Option<&'a str>,
}

impl VisitorMut for Canonical<'_> {
    type Break = ();

    fn pre_visit_select(&mut self, select: &mut Select) -> ControlFlow<()> {
        flatten_from(select);
        ControlFlow::Continue(())
    }

    fn pre_visit_relation(&mut self, name: &mut ObjectName) -> ControlFlow<()> {
        if name.0.len() == 2 && self.is_own(&name.0[0]) {
            name.0.remove(0);
        }
        for part in &mut name.0 {
            if let ObjectNamePart::Identifier(ident) = part {
                backquote(ident);
            }
        }
        ControlFlow::Continue(())
    }

    fn pre_visit_table_factor(&mut self, factor: &mut TableFactor) -> ControlFlow<()> {
        if let TableFactor::Table { alias, .. }
        | TableFactor::Derived { alias, .. }
        | TableFactor::NestedJoin { alias, .. } = factor
            && let Some(alias) = alias
        {
            alias.explicit = true;
            backquote(&mut alias.name);
        }
        ControlFlow::Continue(())
    }

    fn post_visit_query(&mut self, query: &mut Query) -> ControlFlow<()> {
        for select in leaves(&mut query.body) {
            for item in &mut select.projection {
                if let SelectItem::ExprWithAlias { alias, .. } = item {
                    backquote(alias);
                }
            }
        }
        ControlFlow::Continue(())
    }

    fn pre_visit_order_by_expr(&mut self, expr: &mut OrderByExpr) -> ControlFlow<()> {
        if expr.options.sort == Some(OrderBySort::Asc) {
            expr.options.sort = None;
        }
        ControlFlow::Continue(())
    }

    fn post_visit_expr(&mut self, expr: &mut Expr) -> ControlFlow<()> {
        if let Expr::UnaryOp {
            op: UnaryOperator::Not,
            expr: operand,
        } = expr
            && let Some(inverted) = negated_comparison(operand)
        {
            *expr = inverted;
        }
        match expr {
            Expr::Identifier(ident) => backquote(ident),
            Expr::CompoundIdentifier(parts) => {
                if parts.len() == 3 && self.database.is_some_and(|d| parts[0].value == d) {
                    parts.remove(0);
                }
                parts.iter_mut().for_each(backquote);
            }
            Expr::Nested(inner) => *expr = (**inner).clone(),
            Expr::Value(value) => {
                if let Value::DoubleQuotedString(text) = &value.value {
                    value.value = Value::SingleQuotedString(text.clone());
                } else if let Value::Boolean(b) = value.value {
                    value.value = Value::Number(u8::from(b).to_string(), false);
                }
            }
            Expr::Function(function) => canonical_function(function),
            Expr::Substring {
                special, shorthand, ..
            } => {
                *special = true;
                *shorthand = true;
            }
            Expr::Exists { subquery, .. } => {
                if matches!(
                    &subquery.limit_clause,
                    Some(LimitClause::LimitOffset { limit: Some(Expr::Value(v)), offset: None, limit_by })
                        if limit_by.is_empty() && v.value == Value::Number("1".into(), false)
                ) {
                    subquery.limit_clause = None;
                }
            }
            Expr::Collate { collation, .. } => {
                for part in &mut collation.0 {
                    if let ObjectNamePart::Identifier(ident) = part {
                        ident.quote_style = None;
                    }
                }
            }
            Expr::UnaryOp {
                op: UnaryOperator::Not,
                expr: operand,
            } if matches!(**operand, Expr::Identifier(_) | Expr::CompoundIdentifier(_)) => {
                *expr = Expr::BinaryOp {
                    left: operand.clone(),
                    op: BinaryOperator::Eq,
                    right: Box::new(Expr::value(Value::Number("0".into(), false))),
                };
            }
            _ => {}
        }
        parenthesize(expr);
        ControlFlow::Continue(())
    }
}

impl Canonical<'_> {
    fn is_own(&self, part: &ObjectNamePart) -> bool {
        matches!(part, ObjectNamePart::Identifier(ident) if self.database == Some(ident.value.as_str()))
    }
}

/// `NOT a = b` as `a <> b`, and so on for each comparison, as the server stores it.
fn negated_comparison(operand: &Expr) -> Option<Expr> {
    use BinaryOperator as B;
    let Expr::BinaryOp { left, op, right } = operand else {
        return None;
    };
    let op = match op {
        B::Eq => B::NotEq,
        B::NotEq => B::Eq,
        B::Lt => B::GtEq,
        B::GtEq => B::Lt,
        B::Gt => B::LtEq,
        B::LtEq => B::Gt,
        _ => return None,
    };
    Some(Expr::BinaryOp {
        left: left.clone(),
        op,
        right: right.clone(),
    })
}

fn backquote(ident: &mut Ident) {
    ident.quote_style = Some('`');
}

fn canonical_function(function: &mut sqlparser::ast::Function) {
    for part in &mut function.name.0 {
        if let ObjectNamePart::Identifier(ident) = part {
            ident.quote_style = None;
            ident.value = ident.value.to_ascii_lowercase();
        }
    }
    let name = function.name.to_string();
    if matches!(
        name.as_str(),
        "now" | "current_timestamp" | "localtime" | "localtimestamp"
    ) {
        function.name = ObjectName::from(vec![Ident::new("current_timestamp")]);
        if matches!(function.args, FunctionArguments::None) {
            function.args = FunctionArguments::List(FunctionArgumentList {
                duplicate_treatment: None,
                args: Vec::new(),
                clauses: Vec::new(),
            });
        }
    }
    // The server states the offset of `lead`/`lag` (`lead(x)` is `lead(x, 1)`).
    if matches!(name.as_str(), "lead" | "lag")
        && let FunctionArguments::List(list) = &mut function.args
        && list.args.len() == 1
    {
        list.args.push(sqlparser::ast::FunctionArg::Unnamed(
            sqlparser::ast::FunctionArgExpr::Expr(Expr::value(Value::Number("1".into(), false))),
        ));
    }
    if name == "count"
        && let FunctionArguments::List(list) = &mut function.args
        && let [sqlparser::ast::FunctionArg::Unnamed(arg)] = list.args.as_mut_slice()
        && matches!(arg, sqlparser::ast::FunctionArgExpr::Wildcard)
    {
        *arg = sqlparser::ast::FunctionArgExpr::Expr(Expr::value(Value::Number("0".into(), false)));
    }
}

/// `FROM (a JOIN b ON …) JOIN c` as `FROM a JOIN b ON … JOIN c`, `FROM a, b` as
/// `FROM a JOIN b`, `INNER JOIN`/`CROSS JOIN` as `JOIN`, `LEFT OUTER` as `LEFT`: the same
/// left-deep join spelled one way.
fn flatten_from(select: &mut Select) {
    let mut items = std::mem::take(&mut select.from)
        .into_iter()
        .map(flatten_item);
    let Some(mut first) = items.next() else {
        return;
    };
    for item in items {
        first.joins.push(sqlparser::ast::Join {
            relation: item.relation,
            global: false,
            join_operator: JoinOperator::Join(JoinConstraint::None),
        });
        first.joins.extend(item.joins);
    }
    for join in &mut first.joins {
        join.join_operator = match std::mem::replace(
            &mut join.join_operator,
            JoinOperator::Join(JoinConstraint::None),
        ) {
            JoinOperator::Inner(c) | JoinOperator::CrossJoin(c) => JoinOperator::Join(c),
            JoinOperator::LeftOuter(c) => JoinOperator::Left(c),
            JoinOperator::RightOuter(c) => JoinOperator::Right(c),
            other => other,
        };
    }
    select.from = vec![first];
}

/// An item whose relation is an unaliased parenthesized join, spliced into its joins.
fn flatten_item(item: TableWithJoins) -> TableWithJoins {
    match item.relation {
        TableFactor::NestedJoin {
            table_with_joins,
            alias: None,
        } => {
            let inner = flatten_item(*table_with_joins);
            TableWithJoins {
                relation: inner.relation,
                joins: inner.joins.into_iter().chain(item.joins).collect(),
            }
        }
        relation => TableWithJoins {
            relation,
            joins: item.joins,
        },
    }
}

/// MySQL's operator precedence, higher binding tighter; 0 for an operator not listed (its
/// operands and itself are always parenthesized).
fn precedence(expr: &Expr) -> u8 {
    match expr {
        Expr::BinaryOp { op, .. } => binary_precedence(op),
        Expr::UnaryOp {
            op: UnaryOperator::Not,
            ..
        } => 4,
        Expr::UnaryOp { .. } => 13,
        Expr::Between { .. } => 5,
        Expr::IsNull(_)
        | Expr::IsNotNull(_)
        | Expr::IsTrue(_)
        | Expr::IsNotTrue(_)
        | Expr::IsFalse(_)
        | Expr::IsNotFalse(_)
        | Expr::IsUnknown(_)
        | Expr::IsNotUnknown(_)
        | Expr::InList { .. }
        | Expr::InSubquery { .. }
        | Expr::Like { .. }
        | Expr::ILike { .. }
        | Expr::RLike { .. }
        | Expr::SimilarTo { .. }
        | Expr::IsDistinctFrom(..)
        | Expr::IsNotDistinctFrom(..) => 6,
        Expr::Collate { .. } => 14,
        _ => 20,
    }
}

fn binary_precedence(op: &BinaryOperator) -> u8 {
    use BinaryOperator as B;
    match op {
        B::Or => 1,
        B::Xor => 2,
        B::And => 3,
        B::Eq | B::NotEq | B::Lt | B::LtEq | B::Gt | B::GtEq | B::Spaceship => 6,
        B::BitwiseOr => 7,
        B::BitwiseAnd => 8,
        B::PGBitwiseShiftLeft | B::PGBitwiseShiftRight => 9,
        B::Plus | B::Minus => 10,
        B::Multiply | B::Divide | B::Modulo | B::MyIntegerDivide => 11,
        B::BitwiseXor => 12,
        _ => 0,
    }
}

fn wrap(expr: &mut Expr, below: u8) {
    if precedence(expr) < below || precedence(expr) == 0 {
        *expr = Expr::Nested(Box::new(expr.clone()));
    }
}

/// Puts back the parentheses the operands of `expr` need (all were dropped): an operand binding
/// less tightly than its operator, or as tightly on the right (operators group to the left).
fn parenthesize(expr: &mut Expr) {
    let own = precedence(expr);
    match expr {
        Expr::BinaryOp { left, right, .. } => {
            wrap(left, own);
            wrap(right, own.saturating_add(1).max(1));
        }
        Expr::UnaryOp { expr: operand, .. } => wrap(operand, own + 1),
        Expr::Between {
            expr: operand,
            low,
            high,
            ..
        } => {
            wrap(operand, 6);
            wrap(low, 6);
            wrap(high, 6);
        }
        Expr::IsNull(operand)
        | Expr::IsNotNull(operand)
        | Expr::IsTrue(operand)
        | Expr::IsNotTrue(operand)
        | Expr::IsFalse(operand)
        | Expr::IsNotFalse(operand)
        | Expr::IsUnknown(operand)
        | Expr::IsNotUnknown(operand)
        | Expr::InList { expr: operand, .. }
        | Expr::InSubquery { expr: operand, .. }
        | Expr::Like { expr: operand, .. }
        | Expr::RLike { expr: operand, .. } => wrap(operand, 7),
        Expr::Collate { expr: operand, .. } => wrap(operand, 15),
        _ => {}
    }
}

/// Qualifies the unqualified columns of each `SELECT` over several relations whose columns
/// are all known.
struct Qualify<'a, 'b> {
    columns_of: &'a ColumnsOf<'b>,
}

impl VisitorMut for Qualify<'_, '_> {
    type Break = ();

    fn pre_visit_select(&mut self, select: &mut Select) -> ControlFlow<()> {
        let Some(relations) = relations(select, self.columns_of) else {
            return ControlFlow::Continue(());
        };
        if relations.len() < 2 {
            return ControlFlow::Continue(());
        }
        let mut here = QualifyHere {
            relations: &relations,
            depth: 0,
        };
        for item in &mut select.projection {
            if let SelectItem::UnnamedExpr(expr) | SelectItem::ExprWithAlias { expr, .. } = item {
                let _ = expr.visit(&mut here);
            }
        }
        if let Some(selection) = &mut select.selection {
            let _ = selection.visit(&mut here);
        }
        for item in &mut select.from {
            for join in &mut item.joins {
                if let Some(JoinConstraint::On(on)) = constraint_mut(&mut join.join_operator) {
                    let _ = on.visit(&mut here);
                }
            }
        }
        ControlFlow::Continue(())
    }
}

fn constraint_mut(operator: &mut JoinOperator) -> Option<&mut JoinConstraint> {
    match operator {
        JoinOperator::Join(c)
        | JoinOperator::Inner(c)
        | JoinOperator::Left(c)
        | JoinOperator::LeftOuter(c)
        | JoinOperator::Right(c)
        | JoinOperator::RightOuter(c)
        | JoinOperator::FullOuter(c)
        | JoinOperator::CrossJoin(c) => Some(c),
        _ => None,
    }
}

/// The relations a `SELECT` reads, as (qualifier, columns); `None` when one's columns are
/// unknown (a column could then belong to it).
fn relations(select: &Select, columns_of: &ColumnsOf<'_>) -> Option<Vec<(String, Vec<String>)>> {
    let mut found = Vec::new();
    for item in &select.from {
        let factors = std::iter::once(&item.relation).chain(item.joins.iter().map(|j| &j.relation));
        for factor in factors {
            found.push(match factor {
                TableFactor::Table { name, alias, .. } if name.0.len() == 1 => {
                    let table = name.0[0].as_ident()?.value.clone();
                    let columns = columns_of(&table)?;
                    (
                        alias.as_ref().map_or(table, |a| a.name.value.clone()),
                        columns,
                    )
                }
                TableFactor::Derived {
                    subquery,
                    alias: Some(alias),
                    ..
                } => {
                    let SetExpr::Select(inner) = subquery.body.as_ref() else {
                        return None;
                    };
                    let columns = inner
                        .projection
                        .iter()
                        .map(item_name)
                        .collect::<Option<_>>()?;
                    (alias.name.value.clone(), columns)
                }
                _ => return None,
            });
        }
    }
    Some(found)
}

/// Qualifies the unqualified columns of one `SELECT`, not those of its subqueries.
struct QualifyHere<'a> {
    relations: &'a [(String, Vec<String>)],
    depth: usize,
}

impl VisitorMut for QualifyHere<'_> {
    type Break = ();

    fn pre_visit_query(&mut self, _query: &mut Query) -> ControlFlow<()> {
        self.depth += 1;
        ControlFlow::Continue(())
    }

    fn post_visit_query(&mut self, _query: &mut Query) -> ControlFlow<()> {
        self.depth -= 1;
        ControlFlow::Continue(())
    }

    fn post_visit_expr(&mut self, expr: &mut Expr) -> ControlFlow<()> {
        if self.depth > 0 {
            return ControlFlow::Continue(());
        }
        if let Expr::Identifier(column) = expr {
            let mut owners = self.relations.iter().filter(|(_, columns)| {
                columns
                    .iter()
                    .any(|c| c.eq_ignore_ascii_case(&column.value))
            });
            if let (Some((qualifier, _)), None) = (owners.next(), owners.next()) {
                let qualifier = Ident::with_quote('`', qualifier.clone());
                *expr = Expr::CompoundIdentifier(vec![qualifier, column.clone()]);
            }
        }
        ControlFlow::Continue(())
    }
}

/// Drops a column's qualifier when its `SELECT` reads a single relation (the server qualifies
/// every column; a writer seldom does). Each query and `SELECT` pushes its own scope, so a
/// subquery's reference to an outer relation keeps its qualifier.
struct Unqualify {
    scopes: Vec<Option<String>>,
}

impl VisitorMut for Unqualify {
    type Break = ();

    fn pre_visit_query(&mut self, query: &mut Query) -> ControlFlow<()> {
        let scope = match query.body.as_ref() {
            SetExpr::Select(select) => single_relation(select),
            _ => None,
        };
        self.scopes.push(scope);
        ControlFlow::Continue(())
    }

    fn post_visit_query(&mut self, _query: &mut Query) -> ControlFlow<()> {
        self.scopes.pop();
        ControlFlow::Continue(())
    }

    fn pre_visit_select(&mut self, select: &mut Select) -> ControlFlow<()> {
        self.scopes.push(single_relation(select));
        ControlFlow::Continue(())
    }

    fn post_visit_select(&mut self, _select: &mut Select) -> ControlFlow<()> {
        self.scopes.pop();
        ControlFlow::Continue(())
    }

    fn post_visit_expr(&mut self, expr: &mut Expr) -> ControlFlow<()> {
        if let Expr::CompoundIdentifier(parts) = expr
            && parts.len() == 2
            && let Some(Some(relation)) = self.scopes.last()
            && parts[0].value == *relation
        {
            *expr = Expr::Identifier(parts[1].clone());
        }
        ControlFlow::Continue(())
    }
}

/// The name columns of a `SELECT` over one relation are qualified with (its alias, else its
/// table name), `None` when it reads several or none.
fn single_relation(select: &Select) -> Option<String> {
    let [item] = select.from.as_slice() else {
        return None;
    };
    if !item.joins.is_empty() {
        return None;
    }
    match &item.relation {
        TableFactor::Table {
            alias: Some(alias), ..
        }
        | TableFactor::Derived {
            alias: Some(alias), ..
        } => Some(alias.name.value.clone()),
        TableFactor::Table { name, .. } if name.0.len() == 1 => name
            .0
            .last()
            .and_then(|p| p.as_ident())
            .map(|i| i.value.clone()),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn canonical(raw: &str, database: &str) -> String {
        normalize_query(raw, Some(database)).unwrap_or_else(|e| panic!("{raw}: {e}"))
    }

    /// Each pair: what MariaDB 10.11 stores in VIEW_DEFINITION for a view created in database
    /// `d1`, and the text it was created from.
    #[test]
    fn stored_and_written_queries_compare_equal() {
        let pairs = [
            (
                "select `d1`.`users`.`id` AS `id`,`d1`.`users`.`name` AS `name` from `d1`.`users` where `d1`.`users`.`active` = 1 or `d1`.`users`.`id` > 2 and `d1`.`users`.`name` like 'a%'",
                "SELECT id, name FROM users WHERE active = 1 or (id > 2 and name like 'a%')",
            ),
            (
                "select `u`.`id` AS `id`,`p`.`id` AS `post_id`,'xxx' AS `name` from (`d1`.`users` `u` join `d1`.`posts` `p` on(`u`.`id` = `p`.`user_id` and `p`.`is_deleted` = 0))",
                "select u.id as id, p.id as post_id, 'xxx' as name from (d1.users as u join d1.posts as p on (((u.id = p.user_id) and (p.is_deleted = 0))))",
            ),
            (
                "select `v2`.`id` AS `id` from `d1`.`v2`",
                "SELECT id FROM v2",
            ),
            (
                "select `u`.`id` AS `id`,(select max(`p`.`id`) from `d1`.`posts` `p` where `p`.`user_id` = `u`.`id`) AS `m`,`u`.`id` + 1 AS `id+1`,coalesce(`u`.`name`,'x') AS `coalesce(name,'x')` from `d1`.`users` `u` where `u`.`id` in (select `d1`.`posts`.`user_id` from `d1`.`posts`) and exists(select 1 from `d1`.`posts` where `d1`.`posts`.`user_id` = `u`.`id` limit 1)",
                "SELECT u.id, (SELECT MAX(p.id) FROM posts p WHERE p.user_id = u.id) m, id+1, coalesce(name,'x') FROM users u WHERE u.id IN (SELECT user_id FROM posts) AND EXISTS (select 1 from posts where posts.user_id = u.id)",
            ),
            (
                "select substr(min(202006),1,4) AS `c`,substr(min(202006),1,4) AS `d`,substr(`d1`.`users`.`name`,2) AS `e` from `d1`.`users`",
                "select substr(min(202006),1,4) AS `c`, substring(min(202006) from 1 for 4) as d, substring(name, 2) e from users",
            ),
            (
                "select `u`.`id` AS `id`,`p`.`id` AS `pid` from ((`d1`.`users` `u` left join `d1`.`posts` `p` on(`p`.`user_id` = `u`.`id`)) join `d1`.`posts` `q` on(`q`.`id` = `p`.`id`)) join `d1`.`users` `z` where (`z`.`id` = 1 or `z`.`id` = 2) and `z`.`id` between 1 and 3 and `z`.`active` = 0 group by `u`.`id`,`p`.`id` having count(0) > 1 order by `u`.`id` desc limit 5",
                "select u.id, p.id pid from users u left outer join posts p on p.user_id = u.id inner join posts q on q.id = p.id, users z where (z.id = 1 or z.id = 2) and z.id between 1 and 3 and not z.active group by u.id, p.id having count(*) > 1 order by u.id desc limit 5",
            ),
            (
                "select count(distinct `d1`.`users`.`id`) AS `c`,sum(`d1`.`users`.`id`) AS `s`,current_timestamp() AS `n`,current_timestamp() AS `t`,if(`d1`.`users`.`id` > 1,'a','b') AS `i`,case when `d1`.`users`.`id` = 1 then 'x' else 'y' end AS `c2`,-`d1`.`users`.`id` AS `neg`,`d1`.`users`.`id` DIV 2 AS `dv` from `d1`.`users`",
                "select count(distinct id) c, sum(id) s, now() n, current_timestamp t, if(id>1, 'a', \"b\") i, case when id = 1 then 'x' else 'y' end c2, -id neg, id div 2 dv from users",
            ),
            (
                "select lead(`p`.`start_at`,1) over ( order by `p`.`start_at`) AS `end_at`,row_number() over () AS `e2`,coalesce(lead(`p`.`start_at`,1) over ( partition by `p`.`start_at` order by `p`.`start_at`),'9999-12-31 00:00:00') AS `e3` from `d1`.`prices` `p`",
                "select lead(p.start_at) over( order by p.start_at asc) as end_at, row_number() over() as e2, coalesce(lead(p.start_at, 1) over(partition by p.start_at order by p.start_at asc), '9999-12-31 00:00:00') as e3 from d1.prices as p",
            ),
            (
                "select `x`.`name` AS `name` from (select `d1`.`users`.`name` AS `name`,`d1`.`users`.`id` + 1 AS `id+1` from `d1`.`users`) `x`",
                "select x.name from (select name, id+1 from users) x",
            ),
            (
                "select `d1`.`users`.`id` AS `id` from `d1`.`users` union select `d1`.`posts`.`id` AS `id` from `d1`.`posts` order by `id`",
                "select id from users union select id from posts order by id",
            ),
            (
                "select cast(`d1`.`users`.`name` as char(10) charset utf8mb3) AS `c`,`d1`.`users`.`id` <> 1 AS `n1`,!exists(select 1 from `d1`.`posts` limit 1) AS `n2`,`d1`.`users`.`name`  not like 'a%' AS `n4`,--`d1`.`users`.`id` AS `n7`,'it\\'s' AS `s`,1 AS `t`,group_concat(`d1`.`users`.`name` order by `d1`.`users`.`id` ASC separator ',') AS `g` from `d1`.`users` group by `d1`.`users`.`id`",
                "select cast(name as char(10)) c, not (id = 1) n1, not exists (select 1 from posts) n2, name not like 'a%' n4, -(-id) n7, 'it''s' s, true t, group_concat(name order by id separator ',') g from users group by id",
            ),
            (
                "select `d1`.`users`.`id` AS `a`,`d1`.`users`.`name` collate utf8mb4_unicode_ci AS `b` from `d1`.`users`",
                "select id, (name collate utf8mb4_unicode_ci) from users",
            ),
        ];
        for (stored, written) in pairs {
            let columns: &[Ident] = if stored.contains("AS `a`") {
                &[Ident::new("a"), Ident::new("b")]
            } else {
                &[]
            };
            let written =
                canonical_query(parse_query(written).unwrap(), written, columns, Some("d1"));
            assert_eq!(canonical(stored, "d1"), written, "{stored}");
        }
    }

    #[test]
    fn canonical_text_is_a_fixed_point() {
        let once = canonical(
            "select u.id, (select max(p.id) from posts p where p.user_id = u.id) m from users u",
            "d1",
        );
        assert_eq!(canonical(&once, "d1"), once);
    }

    #[test]
    fn keeps_parentheses_that_change_the_meaning() {
        assert_eq!(
            canonical("select (a or b) and c as x from t", "d1"),
            "SELECT (`a` OR `b`) AND `c` AS `x` FROM `t`"
        );
        assert_eq!(
            canonical("select a - (b - c) as x from t", "d1"),
            "SELECT `a` - (`b` - `c`) AS `x` FROM `t`"
        );
        assert_ne!(
            canonical("select (a or b) and c as x from t", "d1"),
            canonical("select a or b and c as x from t", "d1")
        );
    }

    #[test]
    fn qualifies_a_column_of_a_join_by_the_relation_that_has_it() {
        let columns_of = |table: &str| match table {
            "users" => Some(vec!["id".to_string(), "name".to_string()]),
            "posts" => Some(vec![
                "id".to_string(),
                "user_id".to_string(),
                "title".to_string(),
            ]),
            _ => None,
        };
        let written = "select name, title from users join posts on user_id = users.id";
        let query = parse_query(written).unwrap();
        let text = canonical_query_in(query, written, &[], Some("d1"), &columns_of);
        assert_eq!(
            text,
            canonical(
                "select `d1`.`users`.`name` AS `name`,`d1`.`posts`.`title` AS `title` from (`d1`.`users` join `d1`.`posts` on(`d1`.`posts`.`user_id` = `d1`.`users`.`id`))",
                "d1"
            )
        );
    }

    #[test]
    fn another_databases_qualifier_stays() {
        assert_eq!(
            canonical("select x.t.a from x.t", "d1"),
            "SELECT `x`.`t`.`a` AS `a` FROM `x`.`t`"
        );
    }

    #[test]
    fn correlated_reference_keeps_its_qualifier() {
        let text = canonical(
            "select a.id as id from t a where a.id = (select max(b.id) from t b where b.k = a.k)",
            "d1",
        );
        assert!(text.contains("`k` = `a`.`k`"), "{text}");
    }
}
