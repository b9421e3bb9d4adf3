//! The token reader the GreptimeDB grammar is written on (a thin layer over sqlparser's public
//! `Parser` API), identifier folding, quoting, and canonical partition rules.

use crate::backend::StatementError;
use crate::model::QualifiedName;
use sqlparser::ast::{BinaryOperator, Expr, Ident, VisitMut, VisitorMut};
use sqlparser::dialect::GenericDialect;
use sqlparser::parser::Parser;
use sqlparser::tokenizer::{Location, Token};
use std::ops::ControlFlow;

/// The name bfm gives GreptimeDB's primary key (the tags).
pub const PRIMARY_KEY: &str = "PRIMARY";

static DIALECT: GenericDialect = GenericDialect {};

/// Reads one statement token by token.
pub struct Reader<'a> {
    parser: Parser<'static>,
    sql: &'a str,
}

impl<'a> Reader<'a> {
    pub fn new(sql: &'a str) -> Result<Self, StatementError> {
        let parser = Parser::new(&DIALECT)
            .try_with_sql(sql)
            .map_err(|e| StatementError::new(e.to_string()))?;
        Ok(Reader { parser, sql })
    }

    /// An error at the next token.
    pub fn error(&self, message: impl Into<String>) -> StatementError {
        let location = self.parser.peek_token_ref().span.start;
        StatementError::at(message, offset_of(self.sql, location))
    }

    pub fn at_end(&self) -> bool {
        matches!(self.parser.peek_token_ref().token, Token::EOF)
            || (matches!(self.parser.peek_token_ref().token, Token::SemiColon)
                && matches!(self.parser.peek_nth_token(1).token, Token::EOF))
    }

    pub fn expect_end(&mut self) -> Result<(), StatementError> {
        self.consume(&Token::SemiColon);
        if self.at_end() {
            Ok(())
        } else {
            Err(self.error(format!(
                "unexpected {} at the end of the statement",
                self.parser.peek_token_ref().token
            )))
        }
    }

    /// The next token's unquoted word, if it is one.
    pub fn peek_word(&self) -> Option<String> {
        match &self.parser.peek_token_ref().token {
            Token::Word(w) if w.quote_style.is_none() => Some(w.value.clone()),
            _ => None,
        }
    }

    pub fn peek_is(&self, word: &str) -> bool {
        self.peek_nth_is(0, word)
    }

    pub fn peek_nth_is(&self, n: usize, word: &str) -> bool {
        matches!(&self.parser.peek_nth_token(n).token,
            Token::Word(w) if w.quote_style.is_none() && w.value.eq_ignore_ascii_case(word))
    }

    pub fn peek_token_is(&self, token: &Token) -> bool {
        &self.parser.peek_token_ref().token == token
    }

    /// Consumes `word` (unquoted, any case) when it comes next.
    pub fn word(&mut self, word: &str) -> bool {
        if self.peek_is(word) {
            self.parser.next_token();
            true
        } else {
            false
        }
    }

    /// Consumes the words when they all come next, in order; otherwise consumes nothing.
    pub fn words(&mut self, words: &[&str]) -> bool {
        let all = words
            .iter()
            .enumerate()
            .all(|(i, w)| self.peek_nth_is(i, w));
        if all {
            for _ in words {
                self.parser.next_token();
            }
        }
        all
    }

    pub fn consume(&mut self, token: &Token) -> bool {
        self.parser.consume_token(token)
    }

    pub fn expect(&mut self, token: &Token) -> Result<(), StatementError> {
        if self.consume(token) {
            Ok(())
        } else {
            Err(self.error(format!(
                "expected {token}, found {}",
                self.parser.peek_token_ref().token
            )))
        }
    }

    /// An identifier as the server stores it: unquoted folds to lower case, quoted is verbatim.
    pub fn ident(&mut self) -> Result<String, StatementError> {
        let ident = self
            .parser
            .parse_identifier()
            .map_err(|e| self.error(e.to_string()))?;
        Ok(fold(&ident))
    }

    /// `[db.]name`, the database defaulting to `schema`.
    pub fn object_name(&mut self, schema: &str) -> Result<QualifiedName, StatementError> {
        let first = self.ident()?;
        if self.consume(&Token::Period) {
            let second = self.ident()?;
            return Ok(QualifiedName::new(first, second));
        }
        Ok(QualifiedName::new(schema, first))
    }

    /// `(a, b, …)`.
    pub fn ident_list(&mut self) -> Result<Vec<String>, StatementError> {
        self.expect(&Token::LParen)?;
        let mut idents = Vec::new();
        while !self.peek_token_is(&Token::RParen) {
            idents.push(self.ident()?);
            if !self.consume(&Token::Comma) {
                break;
            }
        }
        self.expect(&Token::RParen)?;
        Ok(idents)
    }

    pub fn expr(&mut self) -> Result<Expr, StatementError> {
        self.parser
            .parse_expr()
            .map_err(|e| self.error(e.to_string()))
    }

    pub fn string(&mut self) -> Result<String, StatementError> {
        self.parser
            .parse_literal_string()
            .map_err(|e| self.error(e.to_string()))
    }

    /// The text of the tokens up to (not including) one of `stop` words, a `,` or a `)` outside
    /// parentheses: a column's type.
    pub fn text_until(&mut self, stop: &[&str]) -> String {
        let mut depth = 0usize;
        let mut text = String::new();
        loop {
            let token = self.parser.peek_token_ref().token.clone();
            match &token {
                Token::EOF | Token::SemiColon => break,
                Token::Comma | Token::RParen if depth == 0 => break,
                Token::Word(w)
                    if depth == 0
                        && w.quote_style.is_none()
                        && stop.iter().any(|s| w.value.eq_ignore_ascii_case(s))
                        && (!w.value.eq_ignore_ascii_case("VECTOR")
                            || self.peek_nth_is(1, "INDEX")) =>
                {
                    break;
                }
                Token::LParen => depth += 1,
                Token::RParen => depth -= 1,
                _ => {}
            }
            self.parser.next_token();
            if !text.is_empty() && !matches!(token, Token::LParen | Token::RParen | Token::Comma) {
                text.push(' ');
            }
            text.push_str(&token.to_string());
        }
        text
    }

    /// Whether an index clause (`FULLTEXT|SKIPPING|INVERTED|VECTOR INDEX`) comes next.
    pub fn peek_index_clause(&self) -> bool {
        ["FULLTEXT", "SKIPPING", "INVERTED", "VECTOR"]
            .iter()
            .any(|k| self.peek_is(k))
    }

    /// `( key = value, … )` with keys bare (`compaction.twcs.time_window`) or quoted and values
    /// strings, numbers, words or NULL (`None`).
    pub fn options(&mut self) -> Result<Vec<(String, Option<String>)>, StatementError> {
        self.expect(&Token::LParen)?;
        let mut options = Vec::new();
        while !self.peek_token_is(&Token::RParen) {
            let key = self.option_key()?;
            self.expect(&Token::Eq)?;
            let value = self.option_value()?;
            options.push((key, value));
            if !self.consume(&Token::Comma) {
                break;
            }
        }
        self.expect(&Token::RParen)?;
        Ok(options)
    }

    /// An option key: a quoted string or dotted words.
    pub fn option_key(&mut self) -> Result<String, StatementError> {
        let token = self.parser.next_token();
        let mut key = match token.token {
            Token::SingleQuotedString(s) | Token::DoubleQuotedString(s) => return Ok(s),
            Token::Word(w) => w.value,
            other => {
                self.parser.prev_token();
                return Err(self.error(format!("expected an option name, found {other}")));
            }
        };
        while self.consume(&Token::Period) {
            match self.parser.next_token().token {
                Token::Word(w) => {
                    key.push('.');
                    key.push_str(&w.value);
                }
                other => return Err(self.error(format!("expected an option name, found {other}"))),
            }
        }
        Ok(key)
    }

    /// An option value: `'text'`, a number, a word, or NULL (`None`).
    pub fn option_value(&mut self) -> Result<Option<String>, StatementError> {
        let token = self.parser.next_token();
        match token.token {
            Token::SingleQuotedString(s) | Token::DoubleQuotedString(s) => Ok(Some(s)),
            Token::Number(n, _) => Ok(Some(n)),
            Token::Word(w) if w.value.eq_ignore_ascii_case("null") => Ok(None),
            Token::Word(w) => Ok(Some(w.value)),
            other => {
                self.parser.prev_token();
                Err(self.error(format!("expected an option value, found {other}")))
            }
        }
    }
}

/// The byte offset of a 1-based line and column in `sql`.
fn offset_of(sql: &str, location: Location) -> usize {
    if location.line == 0 {
        return sql.len();
    }
    let mut offset = 0;
    for (index, line) in sql.split_inclusive('\n').enumerate() {
        if index + 1 == location.line as usize {
            let column = (location.column as usize).saturating_sub(1);
            return offset
                + line
                    .char_indices()
                    .nth(column)
                    .map_or(line.len(), |(i, _)| i);
        }
        offset += line.len();
    }
    sql.len()
}

pub fn fold(ident: &Ident) -> String {
    match ident.quote_style {
        Some(_) => ident.value.clone(),
        None => ident.value.to_lowercase(),
    }
}

/// `"name"` with embedded quotes doubled.
pub fn quote_ident(name: &str, quote: char) -> String {
    let doubled = format!("{quote}{quote}");
    format!("{quote}{}{quote}", name.replace(quote, &doubled))
}

/// `'text'` with embedded quotes doubled.
pub fn quote_string(text: &str) -> String {
    format!("'{}'", text.replace('\'', "''"))
}

/// A partition rule as the server prints it: identifiers unquoted, keywords upper case, no
/// parentheses around single comparisons.
pub fn canonical_rule(expr: &Expr) -> String {
    let mut expr = expr.clone();
    let _ = expr.visit(&mut RuleCanonicalizer);
    expr.to_string()
}

struct RuleCanonicalizer;

impl VisitorMut for RuleCanonicalizer {
    type Break = ();

    fn post_visit_expr(&mut self, expr: &mut Expr) -> ControlFlow<()> {
        match expr {
            Expr::Identifier(ident) => {
                ident.value = fold(ident);
                ident.quote_style = None;
            }
            Expr::Nested(inner) => {
                if let Expr::BinaryOp { op, .. } = inner.as_ref()
                    && !matches!(op, BinaryOperator::And | BinaryOperator::Or)
                {
                    *expr = (**inner).clone();
                }
            }
            _ => {}
        }
        ControlFlow::Continue(())
    }
}
