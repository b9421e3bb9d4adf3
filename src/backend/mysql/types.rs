//! MySQL/MariaDB type and expression normalization: the spelling MariaDB's
//! `information_schema.COLUMNS.COLUMN_TYPE` uses, without integer display widths, so that a
//! type read from DDL and one read from the server compare equal.

use crate::backend::StatementError;
use crate::backend::postgres::expr::parse_error;
use sqlparser::ast::{DataType, Expr, Ident, ObjectNamePart, Value, VisitMut, VisitorMut};
use sqlparser::dialect::MySqlDialect;
use sqlparser::parser::Parser;
use std::ops::ControlFlow;

const INTEGERS: [&str; 5] = ["tinyint", "smallint", "mediumint", "int", "bigint"];

/// The canonical spelling of a type: `INTEGER(11) UNSIGNED` → `int unsigned`,
/// `BOOL` → `tinyint(1)`, `DECIMAL` → `decimal(10,0)`, `enum( 'a' , 'b')` → `enum('a','b')`.
pub fn normalize_type(raw: &str) -> Result<String, StatementError> {
    let text = raw.trim();
    let (head, args, tail) = split_type(text)?;
    let head = head
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_ascii_lowercase();
    let mut unsigned = false;
    let mut zerofill = false;
    for word in tail.split_whitespace() {
        match word.to_ascii_lowercase().as_str() {
            "unsigned" => unsigned = true,
            "zerofill" => {
                zerofill = true;
                unsigned = true;
            }
            "signed" => {}
            other => {
                return Err(StatementError::new(format!(
                    "unknown type modifier {other}"
                )));
            }
        }
    }
    let mut words: Vec<&str> = head.split(' ').collect();
    // `int unsigned` can also come as part of the head when there are no arguments.
    while let Some(last) = words.last() {
        match *last {
            "unsigned" => unsigned = true,
            "zerofill" => {
                zerofill = true;
                unsigned = true;
            }
            "signed" => {}
            _ => break,
        }
        words.pop();
    }
    let head = words.join(" ");
    let args: Option<Vec<String>> = args.map(|a| split_args(&a));
    let name = match head.as_str() {
        "integer" | "int4" => "int",
        "int1" => "tinyint",
        "int2" => "smallint",
        "int3" | "middleint" => "mediumint",
        "int8" => "bigint",
        "bool" | "boolean" => return Ok("tinyint(1)".into()),
        "dec" | "numeric" | "fixed" => "decimal",
        "double precision" | "real" | "float8" => "double",
        "float4" => "float",
        "character varying"
        | "char varying"
        | "national varchar"
        | "nvarchar"
        | "national character varying"
        | "nchar varchar" => "varchar",
        "character" | "national char" | "nchar" | "national character" => "char",
        "long varchar" | "long" => "mediumtext",
        "long varbinary" => "mediumblob",
        "json" => "longtext",
        other => other,
    }
    .to_string();
    let suffix = match (unsigned, zerofill) {
        (_, true) => " unsigned zerofill",
        (true, false) => " unsigned",
        _ => "",
    };
    let body = match name.as_str() {
        n if INTEGERS.contains(&n) => match (n, args.as_deref()) {
            ("tinyint", Some([one])) if one == "1" => "tinyint(1)".to_string(),
            _ => n.to_string(),
        },
        "decimal" => match args.as_deref() {
            None | Some([]) => "decimal(10,0)".to_string(),
            Some([p]) => format!("decimal({p},0)"),
            Some(list) => format!("decimal({})", list.join(",")),
        },
        "float" => match args.as_deref() {
            Some([p]) => match p.parse::<u32>() {
                Ok(p) if p > 24 => "double".to_string(),
                _ => "float".to_string(),
            },
            Some(list) if !list.is_empty() => format!("float({})", list.join(",")),
            _ => "float".to_string(),
        },
        "char" | "binary" | "bit" => match args.as_deref() {
            None | Some([]) => format!("{name}(1)"),
            Some(list) => format!("{name}({})", list.join(",")),
        },
        "year" => "year".to_string(),
        "datetime" | "timestamp" | "time" => match args.as_deref() {
            None | Some([]) => name.clone(),
            Some([p]) if p == "0" => name.clone(),
            Some(list) => format!("{name}({})", list.join(",")),
        },
        "enum" | "set" => {
            let labels = args.unwrap_or_default();
            let labels: Vec<String> = labels
                .iter()
                .map(|l| format!("'{}'", unquote(l).replace('\'', "''")))
                .collect();
            format!("{name}({})", labels.join(","))
        }
        _ => match args {
            Some(list) if !list.is_empty() => format!("{name}({})", list.join(",")),
            _ => name.clone(),
        },
    };
    Ok(format!("{body}{suffix}"))
}

/// `head(args) tail`, args without their parentheses (quotes respected).
fn split_type(text: &str) -> Result<(String, Option<String>, String), StatementError> {
    let Some(open) = text.find('(') else {
        return Ok((text.to_string(), None, String::new()));
    };
    let bytes = text.as_bytes();
    let mut depth = 0usize;
    let mut quote: Option<u8> = None;
    for (i, &b) in bytes.iter().enumerate().skip(open) {
        match quote {
            Some(q) if b == q => quote = None,
            Some(_) => {}
            None => match b {
                b'\'' | b'"' => quote = Some(b),
                b'(' => depth += 1,
                b')' => {
                    depth -= 1;
                    if depth == 0 {
                        return Ok((
                            text[..open].to_string(),
                            Some(text[open + 1..i].to_string()),
                            text[i + 1..].to_string(),
                        ));
                    }
                }
                _ => {}
            },
        }
    }
    Err(StatementError::new(format!(
        "unbalanced parentheses in type {text}"
    )))
}

/// The comma-separated arguments of a type, trimmed (commas inside quotes kept).
fn split_args(args: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut current = String::new();
    let mut quote: Option<char> = None;
    let mut chars = args.chars().peekable();
    while let Some(c) = chars.next() {
        match quote {
            Some(q) if c == q => {
                current.push(c);
                if chars.peek() == Some(&q) {
                    current.push(chars.next().unwrap_or(q));
                } else {
                    quote = None;
                }
            }
            Some(_) => current.push(c),
            None if c == '\'' || c == '"' => {
                quote = Some(c);
                current.push(c);
            }
            None if c == ',' => out.push(std::mem::take(&mut current).trim().to_string()),
            None => current.push(c),
        }
    }
    if !current.trim().is_empty() {
        out.push(current.trim().to_string());
    }
    out
}

/// A quoted label without its quotes, doubled quotes undone.
fn unquote(label: &str) -> String {
    let q = label.chars().next().unwrap_or('\'');
    if (q == '\'' || q == '"') && label.len() >= 2 && label.ends_with(q) {
        let inner = &label[1..label.len() - 1];
        inner
            .replace(&format!("{q}{q}"), &q.to_string())
            .replace("\\'", "'")
    } else {
        label.to_string()
    }
}

/// Parses one expression with the MySQL dialect.
pub fn parse_expression(raw: &str) -> Result<Expr, StatementError> {
    let dialect = MySqlDialect {};
    Parser::new(&dialect)
        .try_with_sql(raw)
        .and_then(|mut p| {
            let expr = p.parse_expr()?;
            p.expect_token(&sqlparser::tokenizer::Token::EOF)?;
            Ok(expr)
        })
        .map_err(|e| parse_error(raw, &e))
}

/// Strips identifier quotes, lower-cases function names and drops parentheses around atoms:
/// the parts MariaDB's own printing changes.
struct Canonical;

impl VisitorMut for Canonical {
    type Break = ();

    fn post_visit_expr(&mut self, expr: &mut Expr) -> ControlFlow<()> {
        super::precedence::drop_redundant_parentheses(expr);
        match expr {
            Expr::Identifier(ident) => unquote_ident(ident),
            Expr::CompoundIdentifier(parts) => parts.iter_mut().for_each(unquote_ident),
            Expr::Function(function) => {
                for part in &mut function.name.0 {
                    if let ObjectNamePart::Identifier(ident) = part {
                        unquote_ident(ident);
                        ident.value = ident.value.to_ascii_lowercase();
                    }
                }
            }
            Expr::Nested(inner)
                if matches!(
                    **inner,
                    Expr::Identifier(_)
                        | Expr::CompoundIdentifier(_)
                        | Expr::Value(_)
                        | Expr::Function(_)
                        | Expr::Nested(_)
                ) =>
            {
                *expr = (**inner).clone();
            }
            _ => {}
        }
        ControlFlow::Continue(())
    }
}

fn unquote_ident(ident: &mut Ident) {
    ident.quote_style = None;
}

/// The canonical text of an expression (checks, generated columns, expression defaults).
pub fn canonical_expression(raw: &str) -> Result<String, StatementError> {
    let mut expr = parse_expression(raw)?;
    Ok(canonical_expr(&mut expr))
}

pub fn canonical_expr(expr: &mut Expr) -> String {
    let _ = expr.visit(&mut Canonical);
    let text = expr.to_string();
    let text = replace_current_timestamp(&text);
    strip_outer_parens(&text)
}

fn strip_outer_parens(text: &str) -> String {
    let mut t = text.trim();
    while t.starts_with('(') && t.ends_with(')') && balanced(&t[1..t.len() - 1]) {
        t = t[1..t.len() - 1].trim();
    }
    t.to_string()
}

fn balanced(text: &str) -> bool {
    let mut depth = 0i32;
    for c in text.chars() {
        match c {
            '(' => depth += 1,
            ')' => {
                depth -= 1;
                if depth < 0 {
                    return false;
                }
            }
            _ => {}
        }
    }
    depth == 0
}

/// `now()`, `CURRENT_TIMESTAMP`, `localtimestamp()` … → `current_timestamp()` (with precision
/// kept), as MariaDB prints them.
fn replace_current_timestamp(text: &str) -> String {
    let lower = text.to_ascii_lowercase();
    for name in ["current_timestamp", "now", "localtimestamp", "localtime"] {
        if let Some(rest) = lower.strip_prefix(name) {
            let rest = rest.trim();
            if rest.is_empty() || rest == "()" {
                return "current_timestamp()".into();
            }
            if rest.starts_with('(')
                && rest.ends_with(')')
                && rest[1..rest.len() - 1].chars().all(|c| c.is_ascii_digit())
            {
                return format!("current_timestamp{rest}");
            }
        }
    }
    text.to_string()
}

/// The kind of value a type holds, which decides how its defaults print.
fn type_family(data_type: &str) -> &'static str {
    let base = data_type.split(['(', ' ']).next().unwrap_or("");
    match base {
        b if INTEGERS.contains(&b) => "integer",
        "decimal" => "decimal",
        "float" | "double" => "float",
        "bit" => "bit",
        _ => "string",
    }
}

/// The canonical default of a column of (canonical) `data_type`, as MariaDB's
/// `COLUMN_DEFAULT` prints it: strings quoted, numbers bare (decimals to their scale),
/// `current_timestamp()`, other expressions canonical. `NULL` is no default.
pub fn canonical_default(raw: &str, data_type: &str) -> Result<Option<String>, StatementError> {
    let mut expr = parse_expression(raw)?;
    // Parentheses around an expression default are only syntax.
    while let Expr::Nested(inner) = expr {
        expr = *inner;
    }
    let family = type_family(data_type);
    let literal = match &expr {
        Expr::Value(v) => Some(v.value.clone()),
        // `DATE '2024-01-01'`, `TIMESTAMP '…'`: MariaDB keeps only the string.
        Expr::TypedString(typed) if temporal(&typed.data_type) => Some(typed.value.value.clone()),
        Expr::UnaryOp { op, expr: inner } if matches!(**inner, Expr::Value(_)) => {
            if let Expr::Value(v) = &**inner {
                if let Value::Number(n, _) = &v.value {
                    Some(Value::Number(format!("{op}{n}"), false))
                } else {
                    None
                }
            } else {
                None
            }
        }
        _ => None,
    };
    let Some(value) = literal else {
        let text = canonical_expr(&mut expr);
        if text.eq_ignore_ascii_case("null") {
            return Ok(None);
        }
        return Ok(Some(text));
    };
    let text = match value {
        Value::Null => return Ok(None),
        Value::Boolean(b) => (b as u8).to_string(),
        Value::Number(n, _) => n,
        Value::SingleQuotedString(s) | Value::DoubleQuotedString(s) => {
            if family == "string" || family == "bit" {
                return Ok(Some(format!("'{}'", s.replace('\'', "''"))));
            }
            s
        }
        other => return Ok(Some(other.to_string())),
    };
    Ok(Some(match family {
        "string" => format!("'{}'", text.replace('\'', "''")),
        "decimal" => decimal_text(&text, data_type),
        "integer" => text
            .parse::<f64>()
            .map(|v| format!("{}", v.round() as i128))
            .unwrap_or(text),
        "float" => text.parse::<f64>().map(|v| format!("{v}")).unwrap_or(text),
        _ => text,
    }))
}

/// Whether a typed literal's type is a date or time one, whose literal is its string.
fn temporal(data_type: &DataType) -> bool {
    matches!(
        data_type,
        DataType::Date | DataType::Time(..) | DataType::Timestamp(..) | DataType::Datetime(_)
    )
}

/// A number printed with the scale of `decimal(p,s)`.
fn decimal_text(text: &str, data_type: &str) -> String {
    let scale: usize = data_type
        .split_once(',')
        .and_then(|(_, s)| {
            s.trim_end_matches(|c: char| !c.is_ascii_digit())
                .parse()
                .ok()
        })
        .unwrap_or(0);
    match text.parse::<f64>() {
        Ok(v) => format!("{v:.scale$}"),
        Err(_) => text.to_string(),
    }
}

/// The default collation of a character set (MariaDB 10.11).
pub fn default_collation(charset: &str) -> String {
    match charset.to_ascii_lowercase().as_str() {
        "utf8" | "utf8mb3" => "utf8mb3_general_ci".into(),
        "latin1" => "latin1_swedish_ci".into(),
        "binary" => "binary".into(),
        other => format!("{other}_general_ci"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn types_lose_display_widths_and_aliases() {
        let n = |t: &str| normalize_type(t).unwrap();
        assert_eq!(n("INT(11)"), "int");
        assert_eq!(n("integer unsigned"), "int unsigned");
        assert_eq!(n("int(10) UNSIGNED"), "int unsigned");
        assert_eq!(n("BOOL"), "tinyint(1)");
        assert_eq!(n("tinyint(4)"), "tinyint");
        assert_eq!(n("DECIMAL"), "decimal(10,0)");
        assert_eq!(n("numeric(5, 2)"), "decimal(5,2)");
        assert_eq!(n("VARCHAR(20)"), "varchar(20)");
        assert_eq!(n("enum( 'a' , 'b''c')"), "enum('a','b''c')");
        assert_eq!(n("char"), "char(1)");
        assert_eq!(
            n("bigint(20) unsigned zerofill"),
            "bigint unsigned zerofill"
        );
    }

    #[test]
    fn defaults_print_as_the_server_does() {
        let d = |raw: &str, t: &str| canonical_default(raw, t).unwrap();
        assert_eq!(d("'5'", "int"), Some("5".into()));
        assert_eq!(d("5", "varchar(3)"), Some("'5'".into()));
        assert_eq!(d("1", "decimal(5,2)"), Some("1.00".into()));
        assert_eq!(d("NULL", "int"), None);
        assert_eq!(
            d("CURRENT_TIMESTAMP", "timestamp"),
            Some("current_timestamp()".into())
        );
        assert_eq!(d("now()", "datetime"), Some("current_timestamp()".into()));
        assert_eq!(d("TRUE", "tinyint(1)"), Some("1".into()));
        assert_eq!(d("DATE '2024-01-01'", "date"), Some("'2024-01-01'".into()));
        assert_eq!(d("TIME '12:00:00'", "time"), Some("'12:00:00'".into()));
        assert_eq!(
            d("TIMESTAMP '2024-01-01 12:00:00'", "timestamp"),
            Some("'2024-01-01 12:00:00'".into())
        );
    }

    #[test]
    fn expressions_lose_backquotes() {
        assert_eq!(
            canonical_expression("`c` > 1 and (`d` = 'a' or `d` = 'b')").unwrap(),
            canonical_expression("c > 1 AND (d = 'a' OR d = 'b')").unwrap()
        );
    }
}
