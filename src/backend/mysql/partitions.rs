//! MySQL/MariaDB `PARTITION BY` clauses. sqlparser's MySQL dialect does not read them, so the
//! clause is cut off the end of a `CREATE TABLE` (plain or inside a `/*!50100 … */` versioned
//! comment) and read here, with error offsets into the whole statement. The clause is stored in
//! the spelling `information_schema.PARTITIONS` gives (see [`MysqlPartitioning`]), which the
//! inspector reads with the same value reader.

use super::render::quote;
use super::types::{canonical_expression, parse_expression};
use crate::backend::StatementError;
use crate::model::{MysqlPartition, MysqlPartitioning, PartitionEdit, Table};
use sqlparser::ast::{Expr, UnaryOperator, Value};

/// Where a `PARTITION BY` clause sits in a `CREATE TABLE` statement.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClauseSpan {
    /// Where the statement without the clause ends (the clause, or its versioned comment, starts).
    pub cut: usize,
    /// The clause text itself, from `PARTITION` on.
    pub start: usize,
    pub end: usize,
}

/// Finds the table's `PARTITION BY` clause: `PARTITION BY` outside parentheses, strings and
/// comments, or a versioned comment (`/*!50100 PARTITION BY … */`) holding one.
pub fn find_clause(sql: &str) -> Option<ClauseSpan> {
    let bytes = sql.as_bytes();
    let mut depth = 0usize;
    let mut at = 0;
    while at < bytes.len() {
        match bytes[at] {
            b'\'' | b'"' | b'`' => at = skip_quoted(bytes, at),
            b'#' => at = skip_line(bytes, at),
            b'-' if bytes.get(at + 1) == Some(&b'-') => at = skip_line(bytes, at),
            b'/' if bytes.get(at + 1) == Some(&b'*') => {
                let close = sql[at + 2..].find("*/").map_or(sql.len(), |i| at + 2 + i);
                if depth == 0
                    && let Some(start) = versioned_clause(sql, at, close)
                {
                    return Some(ClauseSpan {
                        cut: at,
                        start,
                        end: close,
                    });
                }
                at = (close + 2).min(sql.len());
            }
            b'(' => {
                depth += 1;
                at += 1;
            }
            b')' => {
                depth = depth.saturating_sub(1);
                at += 1;
            }
            c if depth == 0 && c.is_ascii_alphabetic() => {
                let word_end = at
                    + sql[at..]
                        .find(|c: char| !is_word(c))
                        .unwrap_or(sql.len() - at);
                if sql[at..word_end].eq_ignore_ascii_case("PARTITION")
                    && sql[word_end..]
                        .trim_start()
                        .get(..2)
                        .is_some_and(|w| w.eq_ignore_ascii_case("BY"))
                {
                    return Some(ClauseSpan {
                        cut: at,
                        start: at,
                        end: sql.len(),
                    });
                }
                at = word_end;
            }
            _ => at += 1,
        }
    }
    None
}

fn is_word(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_' || c == '$'
}

fn skip_quoted(bytes: &[u8], open: usize) -> usize {
    let quote = bytes[open];
    let mut at = open + 1;
    while at < bytes.len() {
        if bytes[at] == b'\\' && quote != b'`' {
            at += 2;
        } else if bytes[at] == quote {
            return at + 1;
        } else {
            at += 1;
        }
    }
    bytes.len()
}

fn skip_line(bytes: &[u8], at: usize) -> usize {
    bytes[at..]
        .iter()
        .position(|b| *b == b'\n')
        .map_or(bytes.len(), |i| at + i + 1)
}

/// The start of the `PARTITION BY` a versioned comment `/*!NNNNN …*/` (or MariaDB's `/*M!`)
/// opening at `open` holds.
fn versioned_clause(sql: &str, open: usize, close: usize) -> Option<usize> {
    let inner = &sql[open + 2..close];
    let rest = inner
        .strip_prefix('!')
        .or_else(|| inner.strip_prefix("M!"))?;
    let rest = rest.trim_start_matches(|c: char| c.is_ascii_digit());
    let trimmed = rest.trim_start();
    let start = close - trimmed.len();
    let upper = trimmed.to_ascii_uppercase();
    let by = upper.strip_prefix("PARTITION")?.trim_start();
    by.starts_with("BY").then_some(start)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Word,
    Quoted,
    String,
    Number,
    Symbol(u8),
}

#[derive(Debug, Clone, Copy)]
struct Token {
    kind: Kind,
    start: usize,
    end: usize,
}

fn tokens(sql: &str, start: usize, end: usize) -> Result<Vec<Token>, StatementError> {
    let bytes = &sql.as_bytes()[..end];
    let mut out = Vec::new();
    let mut at = start;
    while at < end {
        let c = bytes[at];
        let from = at;
        let kind = match c {
            c if c.is_ascii_whitespace() => {
                at += 1;
                continue;
            }
            b'#' => {
                at = skip_line(bytes, at);
                continue;
            }
            b'-' if bytes.get(at + 1) == Some(&b'-') => {
                at = skip_line(bytes, at);
                continue;
            }
            b'/' if bytes.get(at + 1) == Some(&b'*') => {
                at = sql[at + 2..end].find("*/").map_or(end, |i| at + 4 + i);
                continue;
            }
            b'`' => {
                at = skip_quoted(bytes, at);
                Kind::Quoted
            }
            b'\'' | b'"' => {
                at = skip_quoted(bytes, at);
                Kind::String
            }
            c if c.is_ascii_digit() => {
                at += sql[at..end]
                    .find(|c: char| !(c.is_ascii_alphanumeric() || c == '.'))
                    .unwrap_or(end - at);
                Kind::Number
            }
            c if c.is_ascii_alphabetic() || c == b'_' || c == b'$' => {
                at += sql[at..end].find(|c: char| !is_word(c)).unwrap_or(end - at);
                Kind::Word
            }
            c if c.is_ascii() => {
                at += 1;
                Kind::Symbol(c)
            }
            _ => return Err(StatementError::at("unexpected character", at)),
        };
        if at > end || matches!(kind, Kind::Quoted | Kind::String) && bytes[at - 1] != c {
            return Err(StatementError::at("unterminated quote", from));
        }
        out.push(Token {
            kind,
            start: from,
            end: at,
        });
    }
    Ok(out)
}

/// Reads the `PARTITION BY` clause at `span` of `sql`.
pub fn parse_clause(sql: &str, span: ClauseSpan) -> Result<MysqlPartitioning, StatementError> {
    ClauseParser::new(sql, span.start, span.end)?.clause()
}

struct ClauseParser<'a> {
    sql: &'a str,
    tokens: Vec<Token>,
    next: usize,
    end: usize,
}

impl<'a> ClauseParser<'a> {
    fn new(sql: &'a str, start: usize, end: usize) -> Result<Self, StatementError> {
        Ok(ClauseParser {
            sql,
            tokens: tokens(sql, start, end)?,
            next: 0,
            end,
        })
    }

    fn expect_end(&self) -> Result<(), StatementError> {
        match self.peek() {
            Some(_) => Err(self.error("the end of the statement")),
            None => Ok(()),
        }
    }

    fn peek(&self) -> Option<Token> {
        self.tokens.get(self.next).copied()
    }

    fn text(&self, token: Token) -> &str {
        &self.sql[token.start..token.end]
    }

    fn here(&self) -> usize {
        self.peek().map_or(self.end, |t| t.start)
    }

    fn error(&self, expected: &str) -> StatementError {
        let found = match self.peek() {
            Some(token) => format!("`{}`", self.text(token)),
            None => "the end of the statement".to_string(),
        };
        StatementError::at(
            format!("PARTITION BY: expected {expected}, found {found}"),
            self.here(),
        )
    }

    fn unsupported(&self, what: &str) -> StatementError {
        StatementError::at(
            format!("unsupported MySQL DDL: bfm does not manage {what}"),
            self.here(),
        )
    }

    fn keyword(&mut self, word: &str) -> bool {
        let found = self
            .peek()
            .is_some_and(|t| t.kind == Kind::Word && self.text(t).eq_ignore_ascii_case(word));
        if found {
            self.next += 1;
        }
        found
    }

    fn expect_keyword(&mut self, word: &str) -> Result<(), StatementError> {
        if self.keyword(word) {
            Ok(())
        } else {
            Err(self.error(word))
        }
    }

    fn symbol(&mut self, symbol: u8) -> bool {
        let found = self.peek().is_some_and(|t| t.kind == Kind::Symbol(symbol));
        if found {
            self.next += 1;
        }
        found
    }

    fn expect_symbol(&mut self, symbol: u8) -> Result<(), StatementError> {
        if self.symbol(symbol) {
            Ok(())
        } else {
            Err(self.error(&format!("`{}`", symbol as char)))
        }
    }

    fn name(&mut self) -> Result<String, StatementError> {
        match self.peek() {
            Some(token) if token.kind == Kind::Word => {
                self.next += 1;
                Ok(self.text(token).to_string())
            }
            Some(token) if token.kind == Kind::Quoted => {
                self.next += 1;
                let inner = &self.sql[token.start + 1..token.end - 1];
                Ok(inner.replace("``", "`"))
            }
            _ => Err(self.error("a name")),
        }
    }

    /// `( … )`: the byte range inside the parentheses, nested ones included.
    fn group(&mut self) -> Result<(usize, usize), StatementError> {
        let open = self.peek().filter(|t| t.kind == Kind::Symbol(b'('));
        let Some(open) = open else {
            return Err(self.error("`(`"));
        };
        let mut depth = 0usize;
        for (index, token) in self.tokens.iter().enumerate().skip(self.next) {
            match token.kind {
                Kind::Symbol(b'(') => depth += 1,
                Kind::Symbol(b')') => {
                    depth -= 1;
                    if depth == 0 {
                        self.next = index + 1;
                        return Ok((open.end, token.start));
                    }
                }
                _ => {}
            }
        }
        Err(StatementError::at("unbalanced parentheses", open.start))
    }

    fn clause(&mut self) -> Result<MysqlPartitioning, StatementError> {
        self.expect_keyword("PARTITION")?;
        self.expect_keyword("BY")?;
        let linear = self.keyword("LINEAR");
        let (method, expression) = if self.keyword("HASH") {
            ("HASH", self.expression()?)
        } else if self.keyword("KEY") {
            if self
                .peek()
                .is_some_and(|t| self.text(t).eq_ignore_ascii_case("ALGORITHM"))
            {
                return Err(self.unsupported("KEY partitioning with an ALGORITHM"));
            }
            ("KEY", self.columns()?)
        } else if linear {
            return Err(self.error("HASH or KEY"));
        } else if self.keyword("RANGE") {
            self.by_values("RANGE")?
        } else if self.keyword("LIST") {
            self.by_values("LIST")?
        } else {
            return Err(self.error("RANGE, LIST, HASH or KEY"));
        };
        let method = if linear {
            format!("LINEAR {method}")
        } else {
            method.to_string()
        };
        let count = if self.keyword("PARTITIONS") {
            Some(self.count()?)
        } else {
            None
        };
        if self
            .peek()
            .is_some_and(|t| self.text(t).eq_ignore_ascii_case("SUBPARTITION"))
        {
            return Err(self.unsupported("subpartitions"));
        }
        let mut partitioning = MysqlPartitioning {
            method,
            expression,
            partitions: Vec::new(),
        };
        if self.peek().is_some() {
            self.definitions(&mut partitioning)?;
        }
        self.expect_end()?;
        if partitioning.partitions.is_empty() {
            if partitioning.by_values() {
                return Err(self.error("the partition definitions"));
            }
            partitioning.partitions = (0..count.unwrap_or(1))
                .map(|n| MysqlPartition {
                    name: format!("p{n}"),
                    values: Vec::new(),
                })
                .collect();
        }
        Ok(partitioning)
    }

    /// `RANGE (expr)`, `RANGE COLUMNS (a, b)` and the same for LIST.
    fn by_values(
        &mut self,
        method: &'static str,
    ) -> Result<(&'static str, String), StatementError> {
        if self.keyword("COLUMNS") {
            let method = if method == "RANGE" {
                "RANGE COLUMNS"
            } else {
                "LIST COLUMNS"
            };
            Ok((method, self.columns()?))
        } else {
            Ok((method, self.expression()?))
        }
    }

    fn expression(&mut self) -> Result<String, StatementError> {
        let (start, end) = self.group()?;
        canonical_expression(&self.sql[start..end]).map_err(|e| shifted(e, start))
    }

    /// A parenthesized column list, stored as `a,b`.
    fn columns(&mut self) -> Result<String, StatementError> {
        self.expect_symbol(b'(')?;
        let mut names = Vec::new();
        if !self.symbol(b')') {
            loop {
                names.push(self.name()?);
                if self.symbol(b')') {
                    break;
                }
                self.expect_symbol(b',')?;
            }
        }
        Ok(names.join(","))
    }

    fn count(&mut self) -> Result<usize, StatementError> {
        match self.peek() {
            Some(token) if token.kind == Kind::Number => {
                let count = self.text(token).parse().ok().filter(|n| *n > 0);
                let count = count.ok_or_else(|| self.error("a number of partitions"))?;
                self.next += 1;
                Ok(count)
            }
            _ => Err(self.error("a number of partitions")),
        }
    }

    /// `(PARTITION p VALUES …, …)`.
    fn definitions(&mut self, partitioning: &mut MysqlPartitioning) -> Result<(), StatementError> {
        self.expect_symbol(b'(')?;
        loop {
            self.expect_keyword("PARTITION")?;
            let name = self.name()?;
            let values = self.bound(partitioning)?;
            self.partition_options()?;
            partitioning
                .partitions
                .push(MysqlPartition { name, values });
            if self.symbol(b')') {
                return Ok(());
            }
            self.expect_symbol(b',')?;
        }
    }

    fn bound(&mut self, partitioning: &MysqlPartitioning) -> Result<Vec<String>, StatementError> {
        let range = partitioning.method.starts_with("RANGE");
        if !partitioning.by_values() {
            return Ok(Vec::new());
        }
        if self
            .peek()
            .is_some_and(|t| self.text(t).eq_ignore_ascii_case("DEFAULT"))
        {
            return Err(self.unsupported("DEFAULT partitions"));
        }
        self.expect_keyword("VALUES")?;
        if range {
            self.expect_keyword("LESS")?;
            self.expect_keyword("THAN")?;
            if self.keyword("MAXVALUE") {
                return Ok(vec![MAXVALUE.to_string()]);
            }
        } else {
            self.expect_keyword("IN")?;
        }
        let (start, end) = self.group()?;
        values(&self.sql[start..end]).map_err(|e| shifted(e, start))
    }

    /// `[STORAGE] ENGINE [=] InnoDB` after a partition's bound, as `SHOW CREATE TABLE` prints it;
    /// other partition options are refused.
    fn partition_options(&mut self) -> Result<(), StatementError> {
        loop {
            let storage = self.keyword("STORAGE");
            if !self.keyword("ENGINE") {
                if storage {
                    return Err(self.error("ENGINE"));
                }
                break;
            }
            self.symbol(b'=');
            let engine = self.name()?;
            if !engine.eq_ignore_ascii_case("InnoDB") {
                self.next -= 1;
                return Err(self.unsupported("partitions in another engine than their table's"));
            }
        }
        match self.peek() {
            Some(t) if !matches!(t.kind, Kind::Symbol(b',') | Kind::Symbol(b')')) => {
                Err(self.unsupported("partition options"))
            }
            _ => Ok(()),
        }
    }
}

/// `ALTER TABLE name …` read up to the name: the name's parts and where the rest starts.
pub fn alter_target(sql: &str) -> Result<(Vec<String>, usize), StatementError> {
    let mut parser = ClauseParser::new(sql, 0, sql.len())?;
    parser.expect_keyword("ALTER")?;
    parser.keyword("ONLINE");
    parser.keyword("IGNORE");
    parser.expect_keyword("TABLE")?;
    let mut parts = vec![parser.name()?];
    while parser.symbol(b'.') {
        parts.push(parser.name()?);
    }
    Ok((parts, parser.here()))
}

/// Whether the rest of an `ALTER TABLE`, from `at`, is a partition operation (`PARTITION BY`,
/// `REMOVE PARTITIONING`, `ADD|DROP|COALESCE|REORGANIZE|… PARTITION`) rather than one sqlparser
/// reads, such as a column whose comment says "partition".
pub fn is_partition_operation(sql: &str, at: usize) -> bool {
    let Ok(parser) = ClauseParser::new(sql, at, sql.len()) else {
        return false;
    };
    let word = |n: usize| {
        parser
            .tokens
            .get(n)
            .filter(|t| t.kind == Kind::Word)
            .map(|t| parser.text(*t).to_ascii_uppercase())
            .unwrap_or_default()
    };
    matches!(
        (word(0).as_str(), word(1).as_str()),
        ("PARTITION", "BY") | ("REMOVE", "PARTITIONING") | (_, "PARTITION")
    )
}

/// The partitioning after an `ALTER TABLE` whose rest, from `at`, is one partition operation:
/// `PARTITION BY …`, `REMOVE PARTITIONING`, `ADD PARTITION (…)` or `DROP PARTITION p, …`.
pub fn alter(
    sql: &str,
    at: usize,
    current: Option<&MysqlPartitioning>,
) -> Result<Option<MysqlPartitioning>, StatementError> {
    let mut parser = ClauseParser::new(sql, at, sql.len())?;
    let start = parser.here();
    if parser.keyword("PARTITION") {
        return parse_clause(
            sql,
            ClauseSpan {
                cut: start,
                start,
                end: sql.len(),
            },
        )
        .map(Some);
    }
    if parser.keyword("REMOVE") {
        parser.expect_keyword("PARTITIONING")?;
        parser.expect_end()?;
        return Ok(None);
    }
    let add = parser.keyword("ADD");
    if !add && !parser.keyword("DROP") {
        return Err(parser.unsupported("this partition operation"));
    }
    parser.expect_keyword("PARTITION")?;
    let mut partitioning = match current {
        Some(p) if p.by_values() => p.clone(),
        Some(_) => return Err(parser.unsupported("adding or dropping HASH or KEY partitions")),
        None => return Err(StatementError::at("the table is not partitioned", start)),
    };
    if add {
        let count = partitioning.partitions.len();
        parser.definitions(&mut partitioning)?;
        for added in &partitioning.partitions[count..] {
            if partitioning.partitions[..count]
                .iter()
                .any(|p| p.name.eq_ignore_ascii_case(&added.name))
            {
                return Err(StatementError::at(
                    format!("partition {} exists", added.name),
                    start,
                ));
            }
        }
    } else {
        loop {
            let here = parser.here();
            let name = parser.name()?;
            let before = partitioning.partitions.len();
            partitioning
                .partitions
                .retain(|p| !p.name.eq_ignore_ascii_case(&name));
            if partitioning.partitions.len() == before {
                return Err(StatementError::at(format!("no partition {name}"), here));
            }
            if !parser.symbol(b',') {
                break;
            }
        }
    }
    parser.expect_end()?;
    Ok(Some(partitioning))
}

const MAXVALUE: &str = "MAXVALUE";

fn shifted(error: StatementError, by: usize) -> StatementError {
    StatementError {
        offset: Some(error.offset.unwrap_or(0) + by),
        ..error
    }
}

/// The items of a bound (`2022`, `'US', 'CA'`, `(1,'x'),(2,'y')`, `MAXVALUE`) in the spelling of
/// `PARTITION_DESCRIPTION`: literals as MariaDB prints them, tuples without spaces.
pub fn values(text: &str) -> Result<Vec<String>, StatementError> {
    let mut out = Vec::new();
    for (start, item) in items(text) {
        let expr = parse_expression(item).map_err(|e| shifted(e, start))?;
        out.push(value(&expr).map_err(|e| shifted(e, start))?);
    }
    Ok(out)
}

/// The comma-separated items of `text` outside quotes and parentheses, with their offsets.
fn items(text: &str) -> Vec<(usize, &str)> {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let (mut depth, mut start, mut at) = (0usize, 0, 0);
    while at < bytes.len() {
        match bytes[at] {
            b'\'' | b'"' | b'`' => {
                at = skip_quoted(bytes, at);
                continue;
            }
            b'(' => depth += 1,
            b')' => depth = depth.saturating_sub(1),
            b',' if depth == 0 => {
                out.push((start, &text[start..at]));
                start = at + 1;
            }
            _ => {}
        }
        at += 1;
    }
    out.push((start, &text[start..]));
    out.into_iter()
        .map(|(start, item)| (start + item.len() - item.trim_start().len(), item.trim()))
        .collect()
}

fn value(expr: &Expr) -> Result<String, StatementError> {
    match expr {
        Expr::Value(v) => match &v.value {
            // The server evaluates integer bounds: `003` is 3.
            Value::Number(n, _) => Ok(n
                .parse::<u128>()
                .map_or_else(|_| n.clone(), |n| n.to_string())),
            Value::SingleQuotedString(s) | Value::DoubleQuotedString(s) => {
                Ok(format!("'{}'", s.replace('\\', "\\\\").replace('\'', "''")))
            }
            Value::Null => Ok("NULL".to_string()),
            _ => Err(not_literal()),
        },
        Expr::UnaryOp {
            op: UnaryOperator::Plus,
            expr,
        } if matches!(**expr, Expr::Value(_)) => value(expr),
        Expr::UnaryOp {
            op: UnaryOperator::Minus,
            expr,
        } => match value(expr)? {
            number if number.starts_with(|c: char| c.is_ascii_digit()) => Ok(format!("-{number}")),
            _ => Err(not_literal()),
        },
        Expr::Identifier(ident)
            if ident.quote_style.is_none() && ident.value.eq_ignore_ascii_case(MAXVALUE) =>
        {
            Ok(MAXVALUE.to_string())
        }
        Expr::Tuple(items) => {
            let items: Vec<String> = items.iter().map(value).collect::<Result<_, _>>()?;
            Ok(format!("({})", items.join(",")))
        }
        Expr::Nested(inner) => Ok(format!("({})", value(inner)?)),
        _ => Err(not_literal()),
    }
}

fn not_literal() -> StatementError {
    StatementError::new(
        "unsupported MySQL DDL: bfm does not manage partition bounds other than literals \
         (write the value the expression gives)",
    )
}

/// The `PARTITION BY …` clause of `partitioning`, as `CREATE TABLE` and `ALTER TABLE` take it.
pub fn clause(partitioning: &MysqlPartitioning) -> String {
    let target = if by_columns(&partitioning.method) {
        let names: Vec<String> = split_names(&partitioning.expression);
        names
            .iter()
            .map(|n| quote(n))
            .collect::<Vec<_>>()
            .join(", ")
    } else {
        partitioning.expression.clone()
    };
    let mut text = format!("PARTITION BY {} ({target})", partitioning.method);
    let numbered = partitioning
        .partitions
        .iter()
        .enumerate()
        .all(|(n, p)| p.name == format!("p{n}"));
    if !partitioning.by_values() && numbered {
        text.push_str(&format!(" PARTITIONS {}", partitioning.partitions.len()));
    } else {
        let definitions: Vec<String> = partitioning
            .partitions
            .iter()
            .map(|p| definition(partitioning, p))
            .collect();
        text.push_str(&format!(" ({})", definitions.join(", ")));
    }
    text
}

/// Fails when a COLUMNS or KEY partitioning names a column `table` does not have, which the
/// server would only say when the migration runs.
pub fn check_columns(
    partitioning: &MysqlPartitioning,
    table: &Table,
) -> Result<(), StatementError> {
    if !by_columns(&partitioning.method) {
        return Ok(());
    }
    match split_names(&partitioning.expression)
        .into_iter()
        .find(|name| {
            !table
                .columns
                .iter()
                .any(|c| c.name.eq_ignore_ascii_case(name))
        }) {
        Some(name) => Err(StatementError::new(format!(
            "PARTITION BY {}: table {} has no column {name}",
            partitioning.method, table.name
        ))),
        None => Ok(()),
    }
}

fn by_columns(method: &str) -> bool {
    method.ends_with("COLUMNS") || method.ends_with("KEY")
}

fn split_names(list: &str) -> Vec<String> {
    if list.is_empty() {
        return Vec::new();
    }
    list.split(',').map(str::to_string).collect()
}

fn definition(partitioning: &MysqlPartitioning, partition: &MysqlPartition) -> String {
    let name = quote(&partition.name);
    let values = partition.values.join(",");
    if partitioning.method == "RANGE" && values == MAXVALUE {
        format!("PARTITION {name} VALUES LESS THAN MAXVALUE")
    } else if partitioning.method.starts_with("RANGE") {
        format!("PARTITION {name} VALUES LESS THAN ({values})")
    } else if partitioning.by_values() {
        format!("PARTITION {name} VALUES IN ({values})")
    } else {
        format!("PARTITION {name}")
    }
}

/// The statements that turn the partitioning of `table` (rendered name) from `from` into `to`.
pub fn statements(
    table: &str,
    from: Option<&MysqlPartitioning>,
    to: Option<&MysqlPartitioning>,
) -> Vec<String> {
    match MysqlPartitioning::edit(from, to) {
        None => Vec::new(),
        Some(PartitionEdit::Remove) => vec![format!("ALTER TABLE {table} REMOVE PARTITIONING")],
        Some(PartitionEdit::Repartition(to)) => vec![format!("ALTER TABLE {table} {}", clause(to))],
        Some(PartitionEdit::Partitions { dropped, added }) => {
            let mut out = Vec::new();
            if !dropped.is_empty() {
                let names: Vec<String> = dropped.iter().map(|p| quote(&p.name)).collect();
                out.push(format!(
                    "ALTER TABLE {table} DROP PARTITION {}",
                    names.join(", ")
                ));
            }
            if let (false, Some(to)) = (added.is_empty(), to) {
                let definitions: Vec<String> = added.iter().map(|p| definition(to, p)).collect();
                out.push(format!(
                    "ALTER TABLE {table} ADD PARTITION ({})",
                    definitions.join(", ")
                ));
            }
            out
        }
    }
}

/// One row of `information_schema.PARTITIONS`, as the inspector reads it.
pub struct CatalogPartition {
    pub method: String,
    pub expression: String,
    pub name: String,
    pub description: Option<String>,
}

/// A table's partitioning from its `information_schema.PARTITIONS` rows (in ordinal order).
pub fn from_catalog(
    rows: &[CatalogPartition],
) -> Result<Option<MysqlPartitioning>, StatementError> {
    let Some(first) = rows.first() else {
        return Ok(None);
    };
    let method = first.method.to_ascii_uppercase();
    let expression = if by_columns(&method) {
        let list: Vec<String> = items(&first.expression)
            .into_iter()
            .filter(|(_, name)| !name.is_empty())
            .map(|(_, name)| name.trim_matches('`').replace("``", "`"))
            .collect();
        list.join(",")
    } else {
        canonical_expression(&first.expression)?
    };
    let mut partitioning = MysqlPartitioning {
        method,
        expression,
        partitions: Vec::new(),
    };
    let by_values = partitioning.by_values();
    for row in rows {
        let values = match &row.description {
            Some(text) if by_values => values(text)?,
            _ => Vec::new(),
        };
        partitioning.partitions.push(MysqlPartition {
            name: row.name.clone(),
            values,
        });
    }
    Ok(Some(partitioning))
}

#[cfg(test)]
mod tests;
