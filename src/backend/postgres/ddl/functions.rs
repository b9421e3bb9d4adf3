//! Functions, procedures and triggers: `CREATE [OR REPLACE] FUNCTION | PROCEDURE`,
//! `CREATE [OR REPLACE] [CONSTRAINT] TRIGGER`, their `DROP` and `COMMENT ON`.
//!
//! Read by hand over sqlparser's tokens: sqlparser's own parser knows only part of the
//! attribute list (`COST`, `ROWS`, `LEAKPROOF` …). Inspection reads what the catalog prints
//! (`pg_get_function_arguments`, `pg_get_function_result`, `pg_get_triggerdef`) with the same
//! functions, so that both sides normalize alike.

use super::super::expr::{canonical_default, canonical_expression, parse_expression};
use super::super::ident::quote;
use super::super::types::{is_builtin_type, normalize_type};
use super::{Reader, split_type_schema, unsupported};
use crate::backend::StatementError;
use crate::model::{Change, CommentTarget, Function, FunctionArgument, QualifiedName, Trigger};
use sqlparser::dialect::PostgreSqlDialect;
use sqlparser::tokenizer::{Token, Tokenizer};

/// One token with the byte range of its text in the statement.
#[derive(Debug, Clone)]
struct Tok {
    token: Token,
    start: usize,
    end: usize,
}

impl Tok {
    /// The upper-cased word of an unquoted identifier or keyword.
    fn keyword(&self) -> Option<String> {
        match &self.token {
            Token::Word(w) if w.quote_style.is_none() => Some(w.value.to_ascii_uppercase()),
            _ => None,
        }
    }

    fn is(&self, keyword: &str) -> bool {
        self.keyword().as_deref() == Some(keyword)
    }
}

/// The statement's tokens without whitespace and comments, and a cursor over them.
struct Cursor<'s> {
    sql: &'s str,
    toks: Vec<Tok>,
    pos: usize,
}

impl<'s> Cursor<'s> {
    fn new(sql: &'s str) -> Result<Cursor<'s>, StatementError> {
        let dialect = PostgreSqlDialect {};
        let raw = Tokenizer::new(&dialect, sql)
            .tokenize_with_location()
            .map_err(|e| StatementError::new(e.to_string()))?;
        let line_starts: Vec<usize> = std::iter::once(0)
            .chain(sql.match_indices('\n').map(|(i, _)| i + 1))
            .collect();
        let offset = |line: u64, column: u64| -> usize {
            let Some(&start) = line_starts.get((line as usize).saturating_sub(1)) else {
                return sql.len();
            };
            sql[start..]
                .char_indices()
                .nth((column as usize).saturating_sub(1))
                .map_or(sql.len(), |(i, _)| start + i)
        };
        let starts: Vec<usize> = raw
            .iter()
            .map(|t| offset(t.span.start.line, t.span.start.column))
            .collect();
        let mut toks = Vec::new();
        for (i, t) in raw.iter().enumerate() {
            if matches!(t.token, Token::Whitespace(_) | Token::EOF) {
                continue;
            }
            let end = starts.get(i + 1).copied().unwrap_or(sql.len());
            toks.push(Tok {
                token: t.token.clone(),
                start: starts[i],
                end,
            });
        }
        // A trailing `;` ends the statement.
        while toks.last().is_some_and(|t| t.token == Token::SemiColon) {
            toks.pop();
        }
        Ok(Cursor { sql, toks, pos: 0 })
    }

    fn peek(&self) -> Option<&Tok> {
        self.toks.get(self.pos)
    }

    fn peek_is(&self, keyword: &str) -> bool {
        self.peek().is_some_and(|t| t.is(keyword))
    }

    fn next(&mut self) -> Option<Tok> {
        let tok = self.toks.get(self.pos).cloned();
        self.pos += 1;
        tok
    }

    fn done(&self) -> bool {
        self.pos >= self.toks.len()
    }

    /// Takes `keyword` when it comes next.
    fn eat(&mut self, keyword: &str) -> bool {
        if self.peek_is(keyword) {
            self.pos += 1;
            true
        } else {
            false
        }
    }

    fn eat_token(&mut self, token: &Token) -> bool {
        if self.peek().is_some_and(|t| t.token == *token) {
            self.pos += 1;
            true
        } else {
            false
        }
    }

    /// An error at the current token.
    fn error(&self, message: impl Into<String>) -> StatementError {
        let at = self.peek().map_or(self.sql.len(), |t| t.start);
        StatementError::at(message, at)
    }

    fn expect(&mut self, keyword: &str) -> Result<(), StatementError> {
        if self.eat(keyword) {
            Ok(())
        } else {
            Err(self.error(format!("expected {keyword}, found {}", self.found())))
        }
    }

    fn expect_token(&mut self, token: &Token) -> Result<(), StatementError> {
        if self.eat_token(token) {
            Ok(())
        } else {
            Err(self.error(format!("expected {token}, found {}", self.found())))
        }
    }

    fn found(&self) -> String {
        self.peek()
            .map_or("end of statement".to_string(), |t| t.token.to_string())
    }

    /// An identifier, folded unless quoted.
    fn identifier(&mut self) -> Result<String, StatementError> {
        match self.peek().map(|t| t.token.clone()) {
            Some(Token::Word(w)) => {
                self.pos += 1;
                Ok(match w.quote_style {
                    Some(_) => w.value,
                    None => w.value.to_lowercase(),
                })
            }
            _ => Err(self.error(format!("expected a name, found {}", self.found()))),
        }
    }

    /// A possibly schema-qualified name, as its folded parts.
    fn name(&mut self) -> Result<Vec<String>, StatementError> {
        let mut parts = vec![self.identifier()?];
        while self.eat_token(&Token::Period) {
            parts.push(self.identifier()?);
        }
        Ok(parts)
    }

    /// The tokens between the parentheses that come next, split at their top-level commas.
    fn parenthesized_list(&mut self) -> Result<Vec<Vec<Tok>>, StatementError> {
        self.expect_token(&Token::LParen)?;
        let mut items = vec![Vec::new()];
        let mut depth = 0usize;
        loop {
            let Some(tok) = self.next() else {
                return Err(self.error("expected )"));
            };
            match tok.token {
                Token::LParen | Token::LBracket => depth += 1,
                Token::RParen if depth == 0 => break,
                Token::RParen | Token::RBracket => depth -= 1,
                Token::Comma if depth == 0 => {
                    items.push(Vec::new());
                    continue;
                }
                _ => {}
            }
            if let Some(last) = items.last_mut() {
                last.push(tok);
            }
        }
        items.retain(|item| !item.is_empty());
        Ok(items)
    }

    /// The source text of `toks`.
    fn text(&self, toks: &[Tok]) -> String {
        match (toks.first(), toks.last()) {
            (Some(first), Some(last)) => self.sql[first.start..last.end].trim().to_string(),
            _ => String::new(),
        }
    }
}

/// Words that end a type in a `RETURNS` clause: the next routine attribute.
const ATTRIBUTES: &[&str] = &[
    "LANGUAGE",
    "AS",
    "IMMUTABLE",
    "STABLE",
    "VOLATILE",
    "STRICT",
    "CALLED",
    "RETURNS",
    "SECURITY",
    "EXTERNAL",
    "LEAKPROOF",
    "NOT",
    "PARALLEL",
    "COST",
    "ROWS",
    "SET",
    "WINDOW",
    "TRANSFORM",
    "SUPPORT",
    "BEGIN",
    "RETURN",
];

/// Types that are not types of values and live in no user schema.
const PSEUDO_TYPES: &[&str] = &[
    "trigger",
    "event_trigger",
    "void",
    "record",
    "internal",
    "cstring",
    "language_handler",
    "fdw_handler",
    "table_am_handler",
    "index_am_handler",
    "tsm_handler",
    "anyelement",
    "anyarray",
    "anynonarray",
    "anyenum",
    "anyrange",
    "anymultirange",
    "anycompatible",
    "anycompatiblearray",
    "anycompatiblenonarray",
    "anycompatiblerange",
    "anycompatiblemultirange",
];

/// Settings whose values the server stores as a list of quoted identifiers.
const LIST_SETTINGS: &[&str] = &[
    "search_path",
    "temp_tablespaces",
    "session_preload_libraries",
    "shared_preload_libraries",
    "local_preload_libraries",
];

/// Where the names of a routine resolve: its own schema, and the default schema of the SQL.
#[derive(Debug, Clone, Copy)]
pub(in crate::backend::postgres) struct Names<'a> {
    pub schema: &'a str,
    pub default_schema: &'a str,
}

/// A routine argument or result type as the catalog prints it: canonical, without modifiers,
/// a user type of the routine's own schema unqualified.
pub(in crate::backend::postgres) fn routine_type(
    text: &str,
    names: Names<'_>,
) -> Result<String, StatementError> {
    if text.to_ascii_uppercase().contains("%TYPE") {
        return Err(unsupported("%TYPE in a function signature"));
    }
    let canonical = without_modifiers(&normalize_type(text)?);
    let base = canonical.trim_end_matches("[]");
    if is_builtin_type(&canonical) || PSEUDO_TYPES.contains(&base) {
        return Ok(canonical);
    }
    let (schema, rest) = match split_type_schema(&canonical) {
        Some((schema, rest)) => (schema.to_string(), rest.to_string()),
        None => (names.default_schema.to_string(), canonical.clone()),
    };
    if schema == names.schema || schema == "pg_catalog" {
        Ok(rest)
    } else {
        Ok(format!("{schema}.{rest}"))
    }
}

/// `character varying(10)` → `character varying`, `timestamp(3) with time zone` →
/// `timestamp with time zone`.
fn without_modifiers(canonical: &str) -> String {
    let mut out = String::new();
    let mut depth = 0usize;
    let mut quoted = false;
    for c in canonical.chars() {
        match c {
            '"' => {
                quoted = !quoted;
                out.push(c);
            }
            '(' if !quoted => depth += 1,
            ')' if !quoted && depth > 0 => depth -= 1,
            _ if depth == 0 => out.push(c),
            _ => {}
        }
    }
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Words that begin a type of several words, so that `double precision` is not read as an
/// argument `double` of type `precision`.
const MULTIWORD_TYPE_STARTS: &[&str] = &[
    "DOUBLE",
    "CHARACTER",
    "CHAR",
    "BIT",
    "TIMESTAMP",
    "TIME",
    "INTERVAL",
    "NATIONAL",
    "NCHAR",
    "VARCHAR",
];

/// One argument of a routine's argument list.
fn argument(
    cursor: &Cursor<'_>,
    toks: &[Tok],
    names: Names<'_>,
) -> Result<FunctionArgument, StatementError> {
    let mut toks = toks;
    let mut mode = None;
    if let Some(word) = toks.first().and_then(Tok::keyword)
        && matches!(word.as_str(), "IN" | "OUT" | "INOUT" | "VARIADIC")
        && toks.len() > 1
    {
        mode = (word != "IN").then_some(word);
        toks = &toks[1..];
    }
    let split = toks
        .iter()
        .position(|t| t.is("DEFAULT") || t.token == Token::Eq);
    let (declaration, default) = match split {
        Some(at) => (&toks[..at], Some(&toks[at + 1..])),
        None => (toks, None),
    };
    let first_is_type_word = declaration
        .first()
        .and_then(Tok::keyword)
        .is_some_and(|w| MULTIWORD_TYPE_STARTS.contains(&w.as_str()));
    let whole_is_type = declaration.len() == 1
        || (first_is_type_word && normalize_type(&cursor.text(declaration)).is_ok());
    let (name, type_toks) = if whole_is_type {
        (None, declaration)
    } else {
        let name = match &declaration[0].token {
            Token::Word(w) if w.quote_style.is_some() => w.value.clone(),
            Token::Word(w) => w.value.to_lowercase(),
            other => {
                return Err(StatementError::at(
                    format!("expected an argument name, found {other}"),
                    declaration[0].start,
                ));
            }
        };
        (Some(name), &declaration[1..])
    };
    if type_toks.is_empty() {
        return Err(StatementError::new("an argument without a type"));
    }
    let data_type = routine_type(&cursor.text(type_toks), names)
        .map_err(|e| StatementError::at(e.message, type_toks[0].start))?;
    let default = match default {
        Some(toks) => {
            let text = cursor.text(toks);
            let parsed = parse_expression(&text)
                .map_err(|e| StatementError::at(e.message, toks.first().map_or(0, |t| t.start)))?;
            Some(canonical_default(parsed, &data_type))
        }
        None => None,
    };
    Ok(FunctionArgument {
        mode,
        name,
        data_type,
        default,
    })
}

/// The arguments of an argument list the catalog printed (`pg_get_function_arguments`).
pub(in crate::backend::postgres) fn catalog_arguments(
    text: &str,
    names: Names<'_>,
) -> Result<Vec<FunctionArgument>, StatementError> {
    let wrapped = format!("({text})");
    let mut cursor = Cursor::new(&wrapped)?;
    let items = cursor.parenthesized_list()?;
    items
        .iter()
        .map(|item| argument(&cursor, item, names))
        .collect()
}

/// A result the catalog printed (`pg_get_function_result`).
pub(in crate::backend::postgres) fn catalog_result(
    text: &str,
    names: Names<'_>,
) -> Result<String, StatementError> {
    let mut cursor = Cursor::new(text)?;
    let result = returns(&mut cursor, names)?;
    if !cursor.done() {
        return Err(cursor.error(format!("unexpected {}", cursor.found())));
    }
    Ok(result)
}

/// What follows `RETURNS`: `SETOF type`, `TABLE (name type, …)` or a type.
fn returns(cursor: &mut Cursor<'_>, names: Names<'_>) -> Result<String, StatementError> {
    if cursor.eat("TABLE") {
        let columns = cursor.parenthesized_list()?;
        let mut printed = Vec::new();
        for column in &columns {
            let argument = argument(cursor, column, names)?;
            let Some(name) = argument.name else {
                return Err(StatementError::new("a RETURNS TABLE column without a name"));
            };
            printed.push(format!("{} {}", quote(&name), argument.data_type));
        }
        return Ok(format!("TABLE({})", printed.join(", ")));
    }
    let setof = cursor.eat("SETOF");
    let start = cursor.pos;
    let mut depth = 0usize;
    while let Some(tok) = cursor.peek() {
        let at_attribute = depth == 0
            && tok
                .keyword()
                .is_some_and(|w| ATTRIBUTES.contains(&w.as_str()));
        if at_attribute {
            break;
        }
        match tok.token {
            Token::LParen | Token::LBracket => depth += 1,
            Token::RParen | Token::RBracket => depth = depth.saturating_sub(1),
            _ => {}
        }
        cursor.pos += 1;
    }
    let toks = cursor.toks[start..cursor.pos].to_vec();
    if toks.is_empty() {
        return Err(cursor.error("expected a result type"));
    }
    let data_type = routine_type(&cursor.text(&toks), names)
        .map_err(|e| StatementError::at(e.message, toks[0].start))?;
    Ok(if setof {
        format!("SETOF {data_type}")
    } else {
        data_type
    })
}

/// A number as the catalog prints a `float4` (`1000`, `0.5`).
pub(in crate::backend::postgres) fn catalog_number(value: f32) -> String {
    format!("{value}")
}

/// The `COST` a routine gets when none is written.
pub(in crate::backend::postgres) fn default_cost(language: &str) -> &'static str {
    if matches!(language, "c" | "internal") {
        "1"
    } else {
        "100"
    }
}

/// The `ROWS` a routine gets when none is written.
pub(in crate::backend::postgres) fn default_rows(returns: Option<&str>) -> &'static str {
    match returns {
        Some(r) if r.starts_with("SETOF ") || r.starts_with("TABLE(") => "1000",
        _ => "0",
    }
}

/// Sets `cost` and `rows` equal to their defaults to `None`.
pub(in crate::backend::postgres) fn drop_default_costs(function: &mut Function) {
    let cost_default = default_cost(&function.language);
    let rows_default = default_rows(function.returns.as_deref());
    function.cost = function.cost.take().filter(|c| c != cost_default);
    function.rows = function.rows.take().filter(|r| r != rows_default);
}

/// `CREATE [OR REPLACE] FUNCTION | PROCEDURE …`.
pub(super) fn create_function(reader: &Reader<'_>) -> Result<Vec<Change>, StatementError> {
    let mut cursor = Cursor::new(reader.statement.sql)?;
    cursor.expect("CREATE")?;
    let or_replace = cursor.eat("OR");
    if or_replace {
        cursor.expect("REPLACE")?;
    }
    let procedure = if cursor.eat("PROCEDURE") {
        true
    } else {
        cursor.expect("FUNCTION")?;
        false
    };
    let name = qualified(reader, &cursor.name()?)?;
    let names = Names {
        schema: &name.schema,
        default_schema: &reader.context.default_schema,
    };
    let list = cursor.parenthesized_list()?;
    let arguments = list
        .iter()
        .map(|item| argument(&cursor, item, names))
        .collect::<Result<Vec<_>, _>>()?;
    let mut function = Function {
        name: name.name.clone(),
        procedure,
        arguments,
        returns: None,
        language: String::new(),
        body: String::new(),
        volatility: None,
        strict: false,
        security_definer: false,
        leakproof: false,
        parallel: None,
        cost: None,
        rows: None,
        config: Default::default(),
        comment: None,
    };
    let mut body = None;
    while let Some(tok) = cursor.peek().cloned() {
        let Some(word) = tok.keyword() else {
            return Err(cursor.error(format!("unexpected {}", tok.token)));
        };
        cursor.pos += 1;
        match word.as_str() {
            "RETURNS" if cursor.peek_is("NULL") => {
                for word in ["NULL", "ON", "NULL", "INPUT"] {
                    cursor.expect(word)?;
                }
                function.strict = true;
            }
            "RETURNS" => function.returns = Some(returns(&mut cursor, names)?),
            "LANGUAGE" => {
                function.language = match cursor.next().map(|t| t.token) {
                    Some(Token::Word(w)) => w.value.to_lowercase(),
                    Some(Token::SingleQuotedString(s)) => s.to_lowercase(),
                    _ => return Err(cursor.error("expected a language name")),
                }
            }
            "AS" => {
                let text = match cursor.next().map(|t| t.token) {
                    Some(Token::DollarQuotedString(s)) => s.value,
                    Some(Token::SingleQuotedString(s)) | Some(Token::EscapedStringLiteral(s)) => s,
                    _ => return Err(cursor.error("expected the body as a string")),
                };
                if cursor.peek().is_some_and(|t| t.token == Token::Comma) {
                    return Err(unsupported("AS 'object file', 'link symbol'"));
                }
                body = Some(text);
            }
            "IMMUTABLE" | "STABLE" => function.volatility = Some(word.to_lowercase()),
            "VOLATILE" => function.volatility = None,
            "STRICT" => function.strict = true,
            "CALLED" => {
                for word in ["ON", "NULL", "INPUT"] {
                    cursor.expect(word)?;
                }
                function.strict = false;
            }
            "EXTERNAL" | "SECURITY" => {
                if word == "EXTERNAL" {
                    cursor.expect("SECURITY")?;
                }
                if cursor.eat("DEFINER") {
                    function.security_definer = true;
                } else {
                    cursor.expect("INVOKER")?;
                    function.security_definer = false;
                }
            }
            "LEAKPROOF" => function.leakproof = true,
            "NOT" => {
                cursor.expect("LEAKPROOF")?;
                function.leakproof = false;
            }
            "PARALLEL" => {
                let level = cursor.identifier()?;
                function.parallel = match level.as_str() {
                    "unsafe" => None,
                    "safe" | "restricted" => Some(level),
                    other => return Err(cursor.error(format!("unknown PARALLEL {other}"))),
                };
            }
            "COST" | "ROWS" => {
                let number = match cursor.next().map(|t| t.token) {
                    Some(Token::Number(n, _)) => n
                        .parse::<f32>()
                        .map_err(|_| cursor.error(format!("expected a number, found {n}")))?,
                    _ => return Err(cursor.error(format!("expected a number after {word}"))),
                };
                let printed = Some(catalog_number(number));
                if word == "COST" {
                    function.cost = printed;
                } else {
                    function.rows = printed;
                }
            }
            "SET" => {
                let (name, value) = setting(&mut cursor)?;
                function.config.insert(name, value);
            }
            "BEGIN" | "RETURN" => {
                return Err(unsupported(
                    "a SQL-standard function body (BEGIN ATOMIC / RETURN)",
                ));
            }
            other => return Err(unsupported(&format!("{other} in CREATE FUNCTION"))),
        }
    }
    let Some(body) = body else {
        return Err(unsupported("a routine without an AS body"));
    };
    function.body = body;
    if function.language.is_empty() {
        return Err(StatementError::new("no LANGUAGE given"));
    }
    if !procedure && function.returns.is_none() {
        let outputs: Vec<&FunctionArgument> = function
            .arguments
            .iter()
            .filter(|a| matches!(a.mode.as_deref(), Some("OUT" | "INOUT")))
            .collect();
        function.returns = match outputs.as_slice() {
            [] => {
                return Err(StatementError::new(
                    "function result type must be specified",
                ));
            }
            [one] => Some(one.data_type.clone()),
            _ => Some("record".to_string()),
        };
    }
    drop_default_costs(&mut function);
    let existing = reader
        .model
        .schemas
        .get(&name.schema)
        .and_then(|s| s.functions.get(&function.signature()));
    match existing {
        Some(from) if or_replace => Ok(vec![Change::ReplaceFunction {
            schema: name.schema,
            from: from.clone(),
            to: Function {
                comment: from.comment.clone(),
                ..function
            },
        }]),
        _ => Ok(vec![Change::CreateFunction {
            schema: name.schema,
            function,
        }]),
    }
}

/// `SET name { = | TO } value, …` as the server stores it: `(lower-case name, value)`.
fn setting(cursor: &mut Cursor<'_>) -> Result<(String, String), StatementError> {
    let name = cursor.name()?.join(".");
    if cursor.eat("FROM") {
        return Err(unsupported("SET … FROM CURRENT"));
    }
    if !cursor.eat("TO") {
        cursor.expect_token(&Token::Eq)?;
    }
    let list = LIST_SETTINGS.contains(&name.as_str());
    let mut values = Vec::new();
    loop {
        let negative = cursor.eat_token(&Token::Minus);
        let value = match cursor.next().map(|t| t.token) {
            Some(Token::SingleQuotedString(s)) => s,
            Some(Token::Word(w)) if w.quote_style.is_some() => w.value,
            Some(Token::Word(w)) => w.value.to_lowercase(),
            Some(Token::Number(n, _)) => n,
            _ => return Err(cursor.error("expected a setting value")),
        };
        let value = if negative { format!("-{value}") } else { value };
        values.push(if list { quote(&value) } else { value });
        if !cursor.eat_token(&Token::Comma) {
            break;
        }
    }
    Ok((name.to_lowercase(), values.join(", ")))
}

/// A routine or trigger name in the default schema unless qualified.
fn qualified(reader: &Reader<'_>, parts: &[String]) -> Result<QualifiedName, StatementError> {
    match parts {
        [name] => Ok(QualifiedName::new(&reader.context.default_schema, name)),
        [schema, name] => Ok(QualifiedName::new(schema, name)),
        _ => Err(StatementError::new(format!(
            "unexpected name {}",
            parts.join(".")
        ))),
    }
}

/// `CREATE [OR REPLACE] [CONSTRAINT] TRIGGER …`.
pub(super) fn create_trigger(reader: &Reader<'_>) -> Result<Vec<Change>, StatementError> {
    let (table, trigger, or_replace) =
        parse_trigger(reader.statement.sql, &reader.context.default_schema)?;
    let existing = reader
        .model
        .schemas
        .get(&table.schema)
        .and_then(|s| s.triggers.get(&table.name))
        .and_then(|t| t.get(&trigger.name));
    match existing {
        Some(old) if or_replace => Ok(vec![
            Change::DropTrigger {
                table: table.clone(),
                trigger: old.clone(),
            },
            Change::CreateTrigger {
                table,
                trigger: Trigger {
                    comment: old.comment.clone(),
                    ..trigger
                },
            },
        ]),
        _ => Ok(vec![Change::CreateTrigger { table, trigger }]),
    }
}

/// A `CREATE TRIGGER` statement (as written, or as `pg_get_triggerdef` prints it): the table,
/// the trigger, and whether it said `OR REPLACE`.
pub(in crate::backend::postgres) fn parse_trigger(
    sql: &str,
    default_schema: &str,
) -> Result<(QualifiedName, Trigger, bool), StatementError> {
    let mut cursor = Cursor::new(sql)?;
    cursor.expect("CREATE")?;
    let or_replace = cursor.eat("OR");
    if or_replace {
        cursor.expect("REPLACE")?;
    }
    let constraint = cursor.eat("CONSTRAINT");
    cursor.expect("TRIGGER")?;
    let name = cursor.identifier()?;
    let timing = if cursor.eat("BEFORE") {
        "BEFORE"
    } else if cursor.eat("AFTER") {
        "AFTER"
    } else {
        cursor.expect("INSTEAD")?;
        cursor.expect("OF")?;
        "INSTEAD OF"
    };
    let mut events = Vec::new();
    let mut update_columns = Vec::new();
    loop {
        let event = cursor.identifier()?.to_uppercase();
        if !matches!(event.as_str(), "INSERT" | "UPDATE" | "DELETE" | "TRUNCATE") {
            return Err(StatementError::new(format!(
                "unknown trigger event {event}"
            )));
        }
        if event == "UPDATE" && cursor.eat("OF") {
            loop {
                update_columns.push(cursor.identifier()?);
                if !cursor.eat_token(&Token::Comma) {
                    break;
                }
            }
        }
        events.push(event);
        if !cursor.eat("OR") {
            break;
        }
    }
    let order = |e: &String| {
        ["INSERT", "DELETE", "UPDATE", "TRUNCATE"]
            .iter()
            .position(|o| o == e)
    };
    events.sort_by_key(order);
    events.dedup();
    cursor.expect("ON")?;
    let table_parts = cursor.name()?;
    let table = match table_parts.as_slice() {
        [name] => QualifiedName::new(default_schema, name),
        [schema, name] => QualifiedName::new(schema, name),
        _ => return Err(StatementError::new("unexpected table name")),
    };
    let mut trigger = Trigger {
        name,
        constraint,
        timing: timing.to_string(),
        events,
        update_columns,
        referencing: Vec::new(),
        for_each_row: false,
        condition: None,
        function: String::new(),
        arguments: Vec::new(),
        deferrable: false,
        initially_deferred: false,
        comment: None,
        body: None,
    };
    loop {
        if cursor.eat("FROM") {
            return Err(unsupported("CREATE CONSTRAINT TRIGGER … FROM"));
        } else if cursor.eat("NOT") {
            cursor.expect("DEFERRABLE")?;
            trigger.deferrable = false;
        } else if cursor.eat("DEFERRABLE") {
            trigger.deferrable = true;
        } else if cursor.eat("INITIALLY") {
            trigger.initially_deferred = if cursor.eat("DEFERRED") {
                true
            } else {
                cursor.expect("IMMEDIATE")?;
                false
            };
        } else if cursor.eat("REFERENCING") {
            while cursor.peek_is("OLD") || cursor.peek_is("NEW") {
                let which = cursor.identifier()?.to_uppercase();
                if !cursor.eat("TABLE") {
                    cursor.expect("ROW")?;
                    return Err(unsupported("REFERENCING … ROW"));
                }
                cursor.eat("AS");
                let alias = cursor.identifier()?;
                trigger
                    .referencing
                    .push(format!("{which} TABLE AS {}", quote(&alias)));
            }
            trigger.referencing.sort_by_key(|r| !r.starts_with("OLD"));
        } else {
            break;
        }
    }
    if cursor.eat("FOR") {
        cursor.eat("EACH");
        trigger.for_each_row = if cursor.eat("ROW") {
            true
        } else {
            cursor.expect("STATEMENT")?;
            false
        };
    }
    if cursor.eat("WHEN") {
        let parts = cursor.parenthesized_list()?;
        let toks: Vec<Tok> = match (parts.first(), parts.last()) {
            (Some(first), Some(last)) => cursor
                .toks
                .iter()
                .filter(|t| t.start >= first[0].start && t.end <= last[last.len() - 1].end)
                .cloned()
                .collect(),
            _ => return Err(cursor.error("an empty WHEN condition")),
        };
        let text = cursor.text(&toks);
        let parsed =
            parse_expression(&text).map_err(|e| StatementError::at(e.message, toks[0].start))?;
        trigger.condition = Some(canonical_expression(parsed));
    }
    cursor.expect("EXECUTE")?;
    if !cursor.eat("FUNCTION") {
        cursor.expect("PROCEDURE")?;
    }
    let function = cursor.name()?;
    trigger.function = match function.as_slice() {
        [schema, name] if *schema != table.schema => format!("{}.{}", quote(schema), quote(name)),
        [.., name] => quote(name),
        [] => return Err(cursor.error("expected a function name")),
    };
    let arguments = cursor.parenthesized_list()?;
    for argument in &arguments {
        let value = match argument.as_slice() {
            [tok] => match &tok.token {
                Token::SingleQuotedString(s) | Token::EscapedStringLiteral(s) => s.clone(),
                Token::Number(n, _) => n.clone(),
                Token::Word(w) if w.quote_style.is_some() => w.value.clone(),
                Token::Word(w) => w.value.to_lowercase(),
                other => {
                    return Err(StatementError::at(
                        format!("unexpected trigger argument {other}"),
                        tok.start,
                    ));
                }
            },
            [sign, tok] if sign.token == Token::Minus => match &tok.token {
                Token::Number(n, _) => format!("-{n}"),
                _ => return Err(StatementError::at("unexpected trigger argument", tok.start)),
            },
            _ => {
                let at = argument.first().map_or(0, |t| t.start);
                return Err(StatementError::at("unexpected trigger argument", at));
            }
        };
        trigger.arguments.push(value);
    }
    if !cursor.done() {
        return Err(cursor.error(format!("unexpected {}", cursor.found())));
    }
    Ok((table, trigger, or_replace))
}

/// The routines a `DROP FUNCTION` / `COMMENT ON FUNCTION` names: by signature when the argument
/// list is given, else the only routine of that name.
fn find_routines<'m>(
    reader: &Reader<'m>,
    cursor: &mut Cursor<'_>,
) -> Result<(QualifiedName, Option<&'m Function>), StatementError> {
    let name = qualified(reader, &cursor.name()?)?;
    let names = Names {
        schema: &name.schema,
        default_schema: &reader.context.default_schema,
    };
    let functions = reader.model.schemas.get(&name.schema).map(|s| &s.functions);
    let candidates: Vec<&Function> = functions
        .into_iter()
        .flat_map(|f| f.values())
        .filter(|f| f.name == name.name)
        .collect();
    if cursor.peek().is_some_and(|t| t.token == Token::LParen) {
        let list = cursor.parenthesized_list()?;
        let arguments = list
            .iter()
            .map(|item| argument(cursor, item, names))
            .collect::<Result<Vec<_>, _>>()?;
        let wanted: Vec<String> = arguments
            .iter()
            .filter(|a| a.mode.as_deref() != Some("OUT"))
            .map(|a| match a.mode.as_deref() {
                Some("VARIADIC") => format!("VARIADIC {}", a.data_type),
                _ => a.data_type.clone(),
            })
            .collect();
        let found = candidates.into_iter().find(|f| {
            let inputs: Vec<String> = f
                .arguments
                .iter()
                .filter(|a| a.mode.as_deref() != Some("OUT"))
                .map(|a| match a.mode.as_deref() {
                    Some("VARIADIC") => format!("VARIADIC {}", a.data_type),
                    _ => a.data_type.clone(),
                })
                .collect();
            f.identity_types() == wanted || inputs == wanted
        });
        return Ok((name, found));
    }
    match candidates.as_slice() {
        [one] => Ok((name, Some(one))),
        [] => Ok((name, None)),
        _ => Err(StatementError::new(format!(
            "{name} is overloaded: name the argument types"
        ))),
    }
}

/// `DROP FUNCTION | PROCEDURE [IF EXISTS] name[(args)], … [CASCADE | RESTRICT]`.
pub(super) fn drop_function(reader: &Reader<'_>) -> Result<Vec<Change>, StatementError> {
    let mut cursor = Cursor::new(reader.statement.sql)?;
    cursor.expect("DROP")?;
    if !cursor.eat("FUNCTION") && !cursor.eat("ROUTINE") {
        cursor.expect("PROCEDURE")?;
    }
    let if_exists = cursor.eat("IF");
    if if_exists {
        cursor.expect("EXISTS")?;
    }
    let mut changes = Vec::new();
    loop {
        let (name, found) = find_routines(reader, &mut cursor)?;
        match found {
            Some(function) => changes.push(Change::DropFunction {
                schema: name.schema,
                function: function.clone(),
            }),
            None if if_exists => {}
            None => {
                return Err(StatementError::new(format!(
                    "function {name} does not exist"
                )));
            }
        }
        if !cursor.eat_token(&Token::Comma) {
            break;
        }
    }
    if cursor.eat("CASCADE") {
        return Err(unsupported("DROP FUNCTION … CASCADE"));
    }
    cursor.eat("RESTRICT");
    if !cursor.done() {
        return Err(cursor.error(format!("unexpected {}", cursor.found())));
    }
    Ok(changes)
}

/// `DROP TRIGGER [IF EXISTS] name ON table [CASCADE | RESTRICT]`.
pub(super) fn drop_trigger(reader: &Reader<'_>) -> Result<Vec<Change>, StatementError> {
    let mut cursor = Cursor::new(reader.statement.sql)?;
    cursor.expect("DROP")?;
    cursor.expect("TRIGGER")?;
    let if_exists = cursor.eat("IF");
    if if_exists {
        cursor.expect("EXISTS")?;
    }
    let name = cursor.identifier()?;
    cursor.expect("ON")?;
    let table = qualified(reader, &cursor.name()?)?;
    cursor.eat("CASCADE");
    cursor.eat("RESTRICT");
    if !cursor.done() {
        return Err(cursor.error(format!("unexpected {}", cursor.found())));
    }
    let found = find_trigger(reader, &table, &name);
    match found {
        Some(trigger) => Ok(vec![Change::DropTrigger {
            table,
            trigger: trigger.clone(),
        }]),
        None if if_exists => Ok(Vec::new()),
        None => Err(StatementError::new(format!(
            "trigger {name} on {table} does not exist"
        ))),
    }
}

fn find_trigger<'m>(reader: &Reader<'m>, table: &QualifiedName, name: &str) -> Option<&'m Trigger> {
    reader
        .model
        .schemas
        .get(&table.schema)
        .and_then(|s| s.triggers.get(&table.name))
        .and_then(|t| t.get(name))
}

/// `COMMENT ON FUNCTION | PROCEDURE name[(args)] IS …` and `COMMENT ON TRIGGER name ON table IS …`.
pub(super) fn comment(reader: &Reader<'_>) -> Result<Vec<Change>, StatementError> {
    let mut cursor = Cursor::new(reader.statement.sql)?;
    cursor.expect("COMMENT")?;
    cursor.expect("ON")?;
    let (target, from) = if cursor.eat("TRIGGER") {
        let name = cursor.identifier()?;
        cursor.expect("ON")?;
        let table = qualified(reader, &cursor.name()?)?;
        let Some(trigger) = find_trigger(reader, &table, &name) else {
            return Err(StatementError::new(format!(
                "trigger {name} on {table} does not exist"
            )));
        };
        (
            CommentTarget::Trigger { table, name },
            trigger.comment.clone(),
        )
    } else {
        if !cursor.eat("FUNCTION") && !cursor.eat("ROUTINE") {
            cursor.expect("PROCEDURE")?;
        }
        let (name, found) = find_routines(reader, &mut cursor)?;
        let Some(function) = found else {
            return Err(StatementError::new(format!(
                "function {name} does not exist"
            )));
        };
        (
            CommentTarget::Function {
                name: QualifiedName::new(name.schema, function.signature()),
                procedure: function.procedure,
            },
            function.comment.clone(),
        )
    };
    cursor.expect("IS")?;
    let to = match cursor.next().map(|t| t.token) {
        Some(Token::SingleQuotedString(s)) | Some(Token::EscapedStringLiteral(s)) => Some(s),
        Some(Token::Word(w)) if w.quote_style.is_none() && w.value.eq_ignore_ascii_case("NULL") => {
            None
        }
        _ => return Err(cursor.error("expected a string or NULL")),
    };
    if !cursor.done() {
        return Err(cursor.error(format!("unexpected {}", cursor.found())));
    }
    if from == to {
        return Ok(Vec::new());
    }
    Ok(vec![Change::SetComment { target, from, to }])
}

#[cfg(test)]
mod tests {
    use super::super::statement_changes;
    use super::*;
    use crate::backend::{SchemaContext, StatementText};
    use crate::model::{Model, Table};

    fn read(sql: &str, model: &Model) -> Result<Vec<Change>, StatementError> {
        let context = SchemaContext {
            default_schema: "public".to_string(),
        };
        statement_changes(
            StatementText {
                sql,
                directives: &[],
            },
            model,
            &context,
        )
    }

    fn created(sql: &str) -> Function {
        match read(sql, &Model::default()) {
            Ok(changes) => match changes.as_slice() {
                [Change::CreateFunction { function, .. }] => function.clone(),
                other => panic!("expected one CreateFunction, got {other:?}"),
            },
            Err(e) => panic!("{sql}: {e}"),
        }
    }

    fn applied(sqls: &[&str]) -> Model {
        let mut model = Model::default();
        model.schema_mut("public").tables.insert(
            "users".into(),
            Table {
                name: "users".into(),
                ..Table::default()
            },
        );
        for sql in sqls {
            let changes = read(sql, &model).unwrap_or_else(|e| panic!("{sql}: {e}"));
            for change in changes {
                change.apply_to(&mut model).unwrap();
            }
        }
        model
    }

    #[test]
    fn reads_a_function_with_its_attributes_in_catalog_form() {
        let function = created(
            "CREATE FUNCTION add(a int, b varchar(10) DEFAULT 'x', OUT total numeric(10,2))
             AS $$ BEGIN total := a; END; $$ LANGUAGE PLPGSQL IMMUTABLE STRICT PARALLEL SAFE
             COST 100 SECURITY DEFINER LEAKPROOF SET search_path = public, pg_temp
             SET statement_timeout TO '30s'",
        );
        assert_eq!(function.name, "add");
        assert_eq!(function.signature(), "add(integer, character varying)");
        let types: Vec<&str> = function
            .arguments
            .iter()
            .map(|a| a.data_type.as_str())
            .collect();
        assert_eq!(types, ["integer", "character varying", "numeric"]);
        assert_eq!(function.arguments[1].default.as_deref(), Some("'x'"));
        assert_eq!(function.arguments[2].mode.as_deref(), Some("OUT"));
        assert_eq!(function.returns.as_deref(), Some("numeric"));
        assert_eq!(function.language, "plpgsql");
        assert_eq!(function.body, " BEGIN total := a; END; ");
        assert_eq!(function.volatility.as_deref(), Some("immutable"));
        assert!(function.strict && function.security_definer && function.leakproof);
        assert_eq!(function.parallel.as_deref(), Some("safe"));
        // COST 100 is the default for PL/pgSQL, so it is left out.
        assert_eq!(function.cost, None);
        assert_eq!(function.config["search_path"], "public, pg_temp");
        assert_eq!(function.config["statement_timeout"], "30s");
    }

    #[test]
    fn reads_the_catalog_forms_of_arguments_and_results_alike() {
        let names = Names {
            schema: "public",
            default_schema: "public",
        };
        let function = created(
            "CREATE FUNCTION f(a character varying, double precision, VARIADIC xs int[])
             RETURNS TABLE(id int, \"Name\" text) AS 'SELECT 1' LANGUAGE sql ROWS 1000",
        );
        let catalog = catalog_arguments(
            "a character varying, double precision, VARIADIC xs integer[]",
            names,
        )
        .unwrap();
        assert_eq!(function.arguments, catalog);
        assert_eq!(catalog[1].name, None);
        let result = catalog_result("TABLE(id integer, \"Name\" text)", names).unwrap();
        assert_eq!(function.returns.as_deref(), Some(result.as_str()));
        // ROWS 1000 is the default of a set-returning function.
        assert_eq!(function.rows, None);
        assert_eq!(
            catalog_result("SETOF priority", names).unwrap(),
            "SETOF priority"
        );
    }

    #[test]
    fn refuses_a_sql_standard_body_as_unsupported() {
        let error = read(
            "CREATE FUNCTION f() RETURNS int LANGUAGE sql RETURN 1",
            &Model::default(),
        )
        .unwrap_err();
        assert!(
            error.message.contains("unsupported PostgreSQL DDL"),
            "{error}"
        );
    }

    #[test]
    fn replaces_drops_and_comments_a_function() {
        let model = applied(&[
            "CREATE FUNCTION f(x int) RETURNS int AS $$ SELECT x $$ LANGUAGE sql",
            "CREATE OR REPLACE FUNCTION f(x int) RETURNS int AS $$ SELECT x + 1 $$ LANGUAGE sql",
            "COMMENT ON FUNCTION f(integer) IS 'adds one'",
        ]);
        let function = &model.schemas["public"].functions["f(integer)"];
        assert_eq!(function.body, " SELECT x + 1 ");
        assert_eq!(function.comment.as_deref(), Some("adds one"));
        let dropped = applied(&[
            "CREATE FUNCTION f(x int) RETURNS int AS $$ SELECT x $$ LANGUAGE sql",
            "DROP FUNCTION IF EXISTS f(int), g()",
        ]);
        assert!(dropped.schemas["public"].functions.is_empty());
    }

    #[test]
    fn reads_a_trigger_as_written_and_as_the_catalog_prints_it() {
        let model = applied(&[
            "CREATE FUNCTION tf() RETURNS trigger AS $$ BEGIN RETURN NEW; END $$ LANGUAGE plpgsql",
            "CREATE TRIGGER audit BEFORE UPDATE OF name, id OR INSERT ON users FOR EACH ROW
             WHEN (OLD.name IS DISTINCT FROM NEW.name) EXECUTE PROCEDURE tf(arg1, 'x y', 10)",
            "COMMENT ON TRIGGER audit ON users IS 'audits'",
        ]);
        let trigger = &model.schemas["public"].triggers["users"]["audit"];
        assert_eq!(trigger.events, ["INSERT", "UPDATE"]);
        assert_eq!(trigger.update_columns, ["name", "id"]);
        assert_eq!(trigger.arguments, ["arg1", "x y", "10"]);
        assert_eq!(trigger.comment.as_deref(), Some("audits"));
        let (table, printed, _) = parse_trigger(
            "CREATE TRIGGER audit BEFORE INSERT OR UPDATE OF name, id ON public.users FOR EACH ROW \
             WHEN ((old.name IS DISTINCT FROM new.name)) EXECUTE FUNCTION tf('arg1', 'x y', '10')",
            "public",
        )
        .unwrap();
        assert_eq!(table, QualifiedName::new("public", "users"));
        assert_eq!(printed, trigger.without_comment());
    }

    #[test]
    fn drops_a_trigger_and_names_a_missing_one() {
        let model = applied(&[
            "CREATE FUNCTION tf() RETURNS trigger AS $$ BEGIN RETURN NEW; END $$ LANGUAGE plpgsql",
            "CREATE CONSTRAINT TRIGGER c AFTER INSERT ON users DEFERRABLE INITIALLY DEFERRED \
             FOR EACH ROW EXECUTE FUNCTION tf()",
        ]);
        let trigger = &model.schemas["public"].triggers["users"]["c"];
        assert!(trigger.constraint && trigger.deferrable && trigger.initially_deferred);
        let error = read("DROP TRIGGER nope ON users", &model).unwrap_err();
        assert!(
            error.message.contains("trigger nope on public.users"),
            "{error}"
        );
        let dropped = applied(&[
            "CREATE FUNCTION tf() RETURNS trigger AS $$ BEGIN RETURN NEW; END $$ LANGUAGE plpgsql",
            "CREATE TRIGGER t AFTER INSERT ON users EXECUTE FUNCTION tf()",
            "DROP TRIGGER t ON users",
        ]);
        assert!(dropped.schemas["public"].triggers.is_empty());
    }
}
