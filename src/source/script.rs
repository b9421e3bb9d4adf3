//! Splitting SQL files into statements, keeping where each starts and the `bfm:` and
//! `+migrate` directives written in comments. Our own small lexer: sqlparser drops comments and
//! cannot parse every statement a hand-written migration may hold.

use std::ops::Range;

/// The part of a hand-written migration a statement belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Section {
    /// A file with no `-- +migrate` markers.
    Whole,
    /// After `-- +migrate Up`.
    Up,
    /// After `-- +migrate Down`.
    Down,
}

/// One statement of a SQL file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScriptStatement {
    /// The statement text without the terminating `;`, trimmed, comments inside it kept.
    pub sql: String,
    /// Byte range of `sql` in the file.
    pub span: Range<usize>,
    /// 1-based line and column where the statement starts.
    pub line: usize,
    pub column: usize,
    /// `bfm:` directives of the comment lines directly above the statement, without the prefix
    /// (`-- bfm:renamed_from users` gives `renamed_from users`).
    pub directives: Vec<String>,
    pub section: Section,
}

/// A whole SQL file.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Script {
    pub statements: Vec<ScriptStatement>,
    /// Every `bfm:` directive in the file with its 1-based line, including file-level ones such
    /// as `bfm:no-transaction`.
    pub directives: Vec<(usize, String)>,
}

/// An unterminated string, quoted identifier, dollar quote or block comment.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct SplitError {
    pub message: String,
    pub line: usize,
    pub column: usize,
}

/// Splits `text` into statements at top-level semicolons.
pub fn split(text: &str) -> Result<Script, SplitError> {
    let _ = text;
    Ok(Script::default())
}

/// 1-based line and column of byte `offset` in `text`.
pub fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, column)
}
