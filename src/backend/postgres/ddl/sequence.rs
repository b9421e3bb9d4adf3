//! `CREATE SEQUENCE` and `ALTER SEQUENCE`, read by hand: sqlparser accepts the options only in
//! one order and has no `ALTER SEQUENCE`, while PostgreSQL takes them in any order.

use super::super::expr::parse_error;
use super::super::types::normalize_type;
use super::{Reader, integer, name_parts, unsupported};
use crate::backend::StatementError;
use crate::model::{Change, Sequence};
use sqlparser::dialect::PostgreSqlDialect;
use sqlparser::keywords::Keyword;
use sqlparser::parser::{Parser, ParserError};
use sqlparser::tokenizer::Token;

pub(super) fn changes(reader: &Reader<'_>) -> Result<Vec<Change>, StatementError> {
    let sql = reader.statement.sql;
    let dialect = PostgreSqlDialect {};
    let mut parser = Parser::new(&dialect)
        .try_with_sql(sql)
        .map_err(|e| parse_error(sql, &e))?;
    let result = if parser.parse_keyword(Keyword::CREATE) {
        if parser
            .parse_one_of_keywords(&[Keyword::TEMP, Keyword::TEMPORARY])
            .is_some()
        {
            return Err(unsupported("CREATE TEMPORARY SEQUENCE"));
        }
        create(reader, &mut parser)
    } else {
        alter(reader, &mut parser)
    };
    result.map_err(|e| match e {
        Failure::Parse(e) => parse_error(sql, &e),
        Failure::Statement(e) => e,
    })
}

/// Either a syntax error (positioned by sqlparser) or a statement that does not fit the model.
enum Failure {
    Parse(ParserError),
    Statement(StatementError),
}

impl From<ParserError> for Failure {
    fn from(e: ParserError) -> Self {
        Failure::Parse(e)
    }
}

impl From<StatementError> for Failure {
    fn from(e: StatementError) -> Self {
        Failure::Statement(e)
    }
}

fn create(reader: &Reader<'_>, parser: &mut Parser<'_>) -> Result<Vec<Change>, Failure> {
    parser.expect_keyword(Keyword::SEQUENCE)?;
    let if_not_exists = parser.parse_keywords(&[Keyword::IF, Keyword::NOT, Keyword::EXISTS]);
    let name = reader.qualified(&parser.parse_object_name(false)?)?;
    let exists = reader
        .model
        .schemas
        .get(&name.schema)
        .is_some_and(|s| s.sequences.contains_key(&name.name));
    let mut options = Options::default();
    options.parse(parser)?;
    // An existing sequence is refused when the change is applied (see `table::create_table`).
    if exists && if_not_exists {
        return Ok(Vec::new());
    }
    let mut sequence = Sequence {
        name: name.name.clone(),
        data_type: "bigint".to_string(),
        start: None,
        increment: None,
        min_value: None,
        max_value: None,
        cache: None,
        cycle: false,
        owned_by: None,
    };
    options.apply(&mut sequence);
    Ok(vec![Change::CreateSequence {
        schema: name.schema,
        sequence: normalized(sequence),
    }])
}

fn alter(reader: &Reader<'_>, parser: &mut Parser<'_>) -> Result<Vec<Change>, Failure> {
    parser.expect_keyword(Keyword::ALTER)?;
    parser.expect_keyword(Keyword::SEQUENCE)?;
    let if_exists = parser.parse_keywords(&[Keyword::IF, Keyword::EXISTS]);
    let name = reader.qualified(&parser.parse_object_name(false)?)?;
    let mut options = Options::default();
    options.parse(parser)?;
    let current = reader
        .model
        .schemas
        .get(&name.schema)
        .and_then(|s| s.sequences.get(&name.name));
    let Some(from) = current else {
        return if if_exists {
            Ok(Vec::new())
        } else {
            Err(StatementError::new(format!("sequence {name} does not exist")).into())
        };
    };
    let mut to = from.clone();
    options.apply(&mut to);
    Ok(vec![Change::AlterSequence {
        schema: name.schema,
        from: from.clone(),
        to: normalized(to),
    }])
}

/// The options a statement states; `Some(None)` is an explicit `NO MINVALUE` and the like.
#[derive(Debug, Default)]
struct Options {
    data_type: Option<String>,
    start: Option<i64>,
    increment: Option<i64>,
    min_value: Option<Option<i64>>,
    max_value: Option<Option<i64>>,
    cache: Option<i64>,
    cycle: Option<bool>,
    owned_by: Option<Option<String>>,
}

impl Options {
    fn parse(&mut self, parser: &mut Parser<'_>) -> Result<(), Failure> {
        loop {
            if parser.peek_token().token == Token::EOF {
                return Ok(());
            }
            if parser.parse_keyword(Keyword::AS) {
                let data_type = parser.parse_data_type()?;
                self.data_type = Some(normalize_type(&data_type.to_string())?);
            } else if parser.parse_keyword(Keyword::INCREMENT) {
                let _ = parser.parse_keyword(Keyword::BY);
                self.increment = Some(integer(&parser.parse_number()?)?);
            } else if parser.parse_keyword(Keyword::MINVALUE) {
                self.min_value = Some(Some(integer(&parser.parse_number()?)?));
            } else if parser.parse_keyword(Keyword::MAXVALUE) {
                self.max_value = Some(Some(integer(&parser.parse_number()?)?));
            } else if parser.parse_keyword(Keyword::START) {
                let _ = parser.parse_keyword(Keyword::WITH);
                self.start = Some(integer(&parser.parse_number()?)?);
            } else if parser.parse_keyword(Keyword::RESTART) {
                // Restarting moves the current value only, which the model does not hold.
                if parser.parse_keyword(Keyword::WITH) || is_number_next(parser) {
                    parser.parse_number()?;
                }
            } else if parser.parse_keyword(Keyword::CACHE) {
                self.cache = Some(integer(&parser.parse_number()?)?);
            } else if parser.parse_keyword(Keyword::CYCLE) {
                self.cycle = Some(true);
            } else if parser.parse_keyword(Keyword::NO) {
                match parser.expect_one_of_keywords(&[
                    Keyword::MINVALUE,
                    Keyword::MAXVALUE,
                    Keyword::CYCLE,
                ])? {
                    Keyword::MINVALUE => self.min_value = Some(None),
                    Keyword::MAXVALUE => self.max_value = Some(None),
                    _ => self.cycle = Some(false),
                }
            } else if parser.parse_keywords(&[Keyword::OWNED, Keyword::BY]) {
                self.owned_by = Some(if parser.parse_keyword(Keyword::NONE) {
                    None
                } else {
                    Some(owner(&parser.parse_object_name(false)?)?)
                });
            } else {
                let token = parser.peek_token();
                return Err(StatementError::new(format!(
                    "unexpected {} in a sequence definition",
                    token.token
                ))
                .into());
            }
        }
    }

    fn apply(self, sequence: &mut Sequence) {
        if let Some(data_type) = self.data_type {
            sequence.data_type = data_type;
        }
        if let Some(start) = self.start {
            sequence.start = Some(start);
        }
        if let Some(increment) = self.increment {
            sequence.increment = Some(increment);
        }
        if let Some(min_value) = self.min_value {
            sequence.min_value = min_value;
        }
        if let Some(max_value) = self.max_value {
            sequence.max_value = max_value;
        }
        if let Some(cache) = self.cache {
            sequence.cache = Some(cache);
        }
        if let Some(cycle) = self.cycle {
            sequence.cycle = cycle;
        }
        if let Some(owned_by) = self.owned_by {
            sequence.owned_by = owned_by;
        }
    }
}

fn is_number_next(parser: &Parser<'_>) -> bool {
    matches!(
        parser.peek_token().token,
        Token::Number(..) | Token::Minus | Token::Plus
    )
}

/// `OWNED BY [schema.]table.column` as `table.column`.
fn owner(name: &sqlparser::ast::ObjectName) -> Result<String, StatementError> {
    let parts = name_parts(name)?;
    match parts.as_slice() {
        [table, column] | [_, table, column] => Ok(format!("{table}.{column}")),
        _ => Err(StatementError::new(format!(
            "OWNED BY needs table.column, found {name}"
        ))),
    }
}

/// Drops options equal to the server's defaults for the sequence's type and direction, so an
/// explicit default and an omitted one compare equal.
fn normalized(mut sequence: Sequence) -> Sequence {
    let (type_min, type_max) = match sequence.data_type.as_str() {
        "smallint" => (i64::from(i16::MIN), i64::from(i16::MAX)),
        "integer" => (i64::from(i32::MIN), i64::from(i32::MAX)),
        _ => (i64::MIN, i64::MAX),
    };
    let ascending = sequence.increment.is_none_or(|i| i > 0);
    let default_min = if ascending { 1 } else { type_min };
    let default_max = if ascending { type_max } else { -1 };
    let min = sequence.min_value.unwrap_or(default_min);
    let max = sequence.max_value.unwrap_or(default_max);
    let default_start = if ascending { min } else { max };
    sequence.increment = sequence.increment.filter(|&i| i != 1);
    sequence.min_value = sequence.min_value.filter(|&m| m != default_min);
    sequence.max_value = sequence.max_value.filter(|&m| m != default_max);
    sequence.start = sequence.start.filter(|&s| s != default_start);
    sequence.cache = sequence.cache.filter(|&c| c != 1);
    sequence
}

/// Rewrites every `IDENTITY ( options )` of a statement with its options in the one order
/// sqlparser accepts (PostgreSQL takes any), padded to the same length so that error offsets
/// still point into the original text. Options it cannot read are left as written.
pub(super) fn reorder_identity_options(sql: &str) -> String {
    let mut result = sql.to_string();
    let upper = sql.to_ascii_uppercase();
    let mut from = 0;
    while let Some(found) = upper[from..].find("IDENTITY") {
        let after = from + found + "IDENTITY".len();
        from = after;
        let rest = &sql[after..];
        let trimmed = rest.trim_start();
        if !trimmed.starts_with('(') {
            continue;
        }
        let open = after + (rest.len() - trimmed.len());
        let Some(close) = sql[open..].find(')').map(|i| open + i) else {
            break;
        };
        if let Some(ordered) = ordered_options(&sql[open + 1..close]) {
            let width = close - open - 1;
            if ordered.len() <= width {
                result.replace_range(open + 1..close, &format!("{ordered:width$}"));
            }
        }
        from = close;
    }
    result
}

/// The options in sqlparser's order, `None` when they do not read as sequence options.
fn ordered_options(text: &str) -> Option<String> {
    let dialect = PostgreSqlDialect {};
    let mut parser = Parser::new(&dialect).try_with_sql(text).ok()?;
    let mut options = Options::default();
    options.parse(&mut parser).ok()?;
    if options.data_type.is_some() || options.owned_by.is_some() {
        return None;
    }
    let bound = |name: &str, value: Option<Option<i64>>| match value {
        Some(Some(v)) => format!(" {name} {v}"),
        Some(None) => format!(" NO {name}"),
        None => String::new(),
    };
    let mut ordered = String::new();
    if let Some(increment) = options.increment {
        ordered.push_str(&format!(" INCREMENT {increment}"));
    }
    ordered.push_str(&bound("MINVALUE", options.min_value));
    ordered.push_str(&bound("MAXVALUE", options.max_value));
    if let Some(start) = options.start {
        ordered.push_str(&format!(" START {start}"));
    }
    if let Some(cache) = options.cache {
        ordered.push_str(&format!(" CACHE {cache}"));
    }
    match options.cycle {
        Some(true) => ordered.push_str(" CYCLE"),
        Some(false) => ordered.push_str(" NO CYCLE"),
        None => {}
    }
    Some(ordered.trim_start().to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identity_options_are_put_in_sqlparser_order() {
        let sql = "id int GENERATED ALWAYS AS IDENTITY (START WITH 10 INCREMENT BY 2), x int";
        let reordered = reorder_identity_options(sql);
        assert_eq!(reordered.len(), sql.len());
        assert!(
            reordered.contains("IDENTITY (INCREMENT 2 START 10"),
            "{reordered}"
        );
        assert!(reordered.ends_with("), x int"));
    }

    #[test]
    fn unreadable_identity_options_are_left_alone() {
        let sql = "IDENTITY (SEQUENCE NAME s START 1)";
        assert_eq!(reorder_identity_options(sql), sql);
    }
}
