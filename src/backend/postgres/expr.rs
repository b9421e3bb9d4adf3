//! Canonical expressions and queries: parsed with sqlparser and printed back, with unquoted
//! identifiers folded and cast types spelled canonically, so equal expressions compare equal as
//! strings whatever their original case, spacing or type aliases.

use super::types::normalize_type;
use crate::backend::StatementError;
use sqlparser::ast::{
    DataType, Expr, Ident, ObjectName, ObjectNamePart, Query, UnaryOperator, Value,
    visit_expressions, visit_expressions_mut, visit_relations_mut,
};
use sqlparser::dialect::PostgreSqlDialect;
use sqlparser::parser::{Parser, ParserError};
use std::ops::ControlFlow;

/// Parses one expression.
pub fn parse_expression(raw: &str) -> Result<Expr, StatementError> {
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
    let dialect = PostgreSqlDialect {};
    let mut parser = Parser::new(&dialect)
        .try_with_sql(raw)
        .map_err(|e| parse_error(raw, &e))?;
    let query = parser.parse_query().map_err(|e| parse_error(raw, &e))?;
    Ok(canonical_query(*query))
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
    query.to_string()
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
        } if casts_to_column_type(&data_type.to_string(), column_type) => {
            let inner = strip_outer_parentheses(*inner);
            match numeric_literal(&inner, column_type) {
                Some(number) => number,
                None => inner.to_string(),
            }
        }
        other => other.to_string(),
    }
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
        Some(offset) => StatementError::at(message, offset),
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

/// Folds identifiers, drops quotes PostgreSQL would not need, spells cast types canonically
/// and removes parentheses around single terms.
fn canonicalize<T: sqlparser::ast::VisitMut>(node: &mut T) {
    let _ = visit_expressions_mut(node, |expr| {
        match expr {
            Expr::Identifier(ident) => fold_ident(ident),
            Expr::CompoundIdentifier(parts) => parts.iter_mut().for_each(fold_ident),
            Expr::Function(function) => fold_object_name(&mut function.name),
            Expr::Cast { data_type, .. } => canonical_cast_type(data_type),
            Expr::Nested(inner) if is_single_term(inner) => {
                let term = std::mem::replace(inner.as_mut(), Expr::value(Value::Null));
                *expr = term;
            }
            _ => {}
        }
        ControlFlow::<()>::Continue(())
    });
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
        Some('"') if is_plain_identifier(&ident.value) => ident.quote_style = None,
        Some(_) => {}
    }
}

/// A lower-case name that is no keyword, so printing it bare reads back the same.
fn is_plain_identifier(name: &str) -> bool {
    let mut chars = name.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_lowercase() || c == '_')
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
        && !QUOTED_KEYWORDS.contains(&name)
}

/// Keywords PostgreSQL quotes when it prints an identifier (reserved, type/function-name and
/// column-name keywords); unreserved keywords such as `name` or `value` print bare.
const QUOTED_KEYWORDS: &[&str] = &[
    "all",
    "analyse",
    "analyze",
    "and",
    "any",
    "array",
    "as",
    "asc",
    "asymmetric",
    "authorization",
    "between",
    "bigint",
    "binary",
    "bit",
    "boolean",
    "both",
    "case",
    "cast",
    "char",
    "character",
    "check",
    "coalesce",
    "collate",
    "collation",
    "column",
    "concurrently",
    "constraint",
    "create",
    "cross",
    "current_catalog",
    "current_date",
    "current_role",
    "current_schema",
    "current_time",
    "current_timestamp",
    "current_user",
    "dec",
    "decimal",
    "default",
    "deferrable",
    "desc",
    "distinct",
    "do",
    "else",
    "end",
    "except",
    "exists",
    "extract",
    "false",
    "fetch",
    "float",
    "for",
    "foreign",
    "freeze",
    "from",
    "full",
    "grant",
    "greatest",
    "group",
    "grouping",
    "having",
    "ilike",
    "in",
    "initially",
    "inner",
    "inout",
    "int",
    "integer",
    "intersect",
    "interval",
    "into",
    "is",
    "isnull",
    "join",
    "lateral",
    "leading",
    "least",
    "left",
    "like",
    "limit",
    "localtime",
    "localtimestamp",
    "national",
    "natural",
    "nchar",
    "none",
    "normalize",
    "not",
    "notnull",
    "null",
    "nullif",
    "numeric",
    "offset",
    "on",
    "only",
    "or",
    "order",
    "out",
    "outer",
    "overlaps",
    "overlay",
    "placing",
    "position",
    "precision",
    "primary",
    "real",
    "references",
    "returning",
    "right",
    "row",
    "select",
    "session_user",
    "setof",
    "similar",
    "smallint",
    "some",
    "substring",
    "symmetric",
    "system_user",
    "table",
    "tablesample",
    "then",
    "time",
    "timestamp",
    "to",
    "trailing",
    "treat",
    "trim",
    "true",
    "union",
    "unique",
    "user",
    "using",
    "values",
    "varchar",
    "variadic",
    "verbose",
    "when",
    "where",
    "window",
    "with",
];

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
    cast_type == column_type
        || cast_type == base(column_type)
        || unqualified(cast_type) == unqualified(column_type)
}

/// `'42'` on a numeric column prints as `42`, as the same default written without quotes does.
fn numeric_literal(expr: &Expr, column_type: &str) -> Option<String> {
    let numeric = matches!(
        column_type.split('(').next()?,
        "smallint" | "integer" | "bigint" | "numeric" | "real" | "double precision"
    );
    let text = match expr {
        Expr::Value(v) => match &v.value {
            Value::SingleQuotedString(s) => s.trim().to_string(),
            _ => return None,
        },
        _ => return None,
    };
    if !numeric || text.parse::<f64>().is_err() || text.contains(['e', 'E', 'i', 'n', 'N']) {
        return None;
    }
    let number = parse_expression(&text).ok()?;
    matches!(
        number,
        Expr::Value(_)
            | Expr::UnaryOp {
                op: UnaryOperator::Minus,
                ..
            }
    )
    .then(|| number.to_string())
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
