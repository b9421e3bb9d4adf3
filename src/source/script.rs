//! Splitting SQL files into statements, keeping where each starts and the `bfm:` and
//! `+migrate` directives written in comments. Our own small lexer: sqlparser drops comments and
//! cannot parse every statement a hand-written migration may hold.

use super::compound::CompoundTracker;
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
///
/// Understands single-quoted strings (with `''` and, after `E`, backslash escapes), quoted
/// identifiers (double quotes and MySQL's backquotes), dollar quotes, line and nested block
/// comments, `BEGIN … END` bodies of `CREATE TRIGGER`/`PROCEDURE`/`FUNCTION`/`EVENT` (see
/// [`CompoundTracker`]), and sql-migrate's `-- +migrate StatementBegin` / `StatementEnd` around
/// statements that hold semicolons.
pub fn split(text: &str) -> Result<Script, SplitError> {
    Splitter::new(text).run()
}

struct Splitter<'a> {
    text: &'a str,
    bytes: &'a [u8],
    pos: usize,
    script: Script,
    section: Section,
    /// Start of the statement being read, once a non-comment token has been seen.
    statement_start: Option<usize>,
    /// Directives seen since the last statement ended.
    pending_directives: Vec<String>,
    /// Inside `StatementBegin` … `StatementEnd`: semicolons do not end the statement.
    in_block: bool,
    /// `BEGIN … END` blocks of the statement being read.
    compound: CompoundTracker,
}

impl<'a> Splitter<'a> {
    fn new(text: &'a str) -> Self {
        Splitter {
            text,
            bytes: text.as_bytes(),
            pos: 0,
            script: Script::default(),
            section: Section::Whole,
            statement_start: None,
            pending_directives: Vec::new(),
            in_block: false,
            compound: CompoundTracker::default(),
        }
    }

    fn run(mut self) -> Result<Script, SplitError> {
        while self.pos < self.bytes.len() {
            let byte = self.bytes[self.pos];
            match byte {
                b'-' if self.peek(1) == Some(b'-') => self.line_comment(),
                b'/' if self.peek(1) == Some(b'*') => self.block_comment()?,
                b'\'' => {
                    let escapes = self.pos > 0
                        && matches!(self.bytes[self.pos - 1], b'e' | b'E')
                        && !self.is_identifier_byte_at(self.pos.wrapping_sub(2));
                    self.mark_start();
                    self.compound.symbol(byte);
                    self.quoted(b'\'', escapes, "string")?;
                }
                b'"' | b'`' => {
                    self.mark_start();
                    self.compound.symbol(byte);
                    self.quoted(byte, false, "quoted identifier")?;
                }
                b'$' => {
                    self.mark_start();
                    self.compound.symbol(byte);
                    self.dollar()?;
                }
                b';' if !self.in_block && !self.compound.inside_block() => {
                    self.finish_statement(self.pos);
                    self.pos += 1;
                }
                _ if (byte.is_ascii_alphabetic() || byte == b'_')
                    && !self.is_identifier_byte_at(self.pos.wrapping_sub(1)) =>
                {
                    self.mark_start();
                    self.word();
                }
                _ => {
                    if !byte.is_ascii_whitespace() {
                        self.mark_start();
                        self.compound.symbol(byte);
                    }
                    self.pos += 1;
                }
            }
        }
        self.finish_statement(self.bytes.len());
        Ok(self.script)
    }

    /// A keyword or unquoted identifier, read whole for [`CompoundTracker`].
    /// After `.` or `@` a word is a column or variable name (`NEW.begin`, `@end`), no keyword.
    fn word(&mut self) {
        let start = self.pos;
        while self.is_identifier_byte_at(self.pos) {
            self.pos += 1;
        }
        if matches!(self.bytes.get(start.wrapping_sub(1)), Some(b'.' | b'@')) {
            self.compound.symbol(b'.');
        } else {
            self.compound.word(&self.text[start..self.pos]);
        }
    }

    fn peek(&self, ahead: usize) -> Option<u8> {
        self.bytes.get(self.pos + ahead).copied()
    }

    fn is_identifier_byte_at(&self, index: usize) -> bool {
        self.bytes
            .get(index)
            .is_some_and(|b| b.is_ascii_alphanumeric() || *b == b'_' || *b >= 0x80)
    }

    fn mark_start(&mut self) {
        if self.statement_start.is_none() {
            self.statement_start = Some(self.pos);
        }
    }

    fn error(&self, message: String, at: usize) -> SplitError {
        let (line, column) = line_column(self.text, at);
        SplitError {
            message,
            line,
            column,
        }
    }

    /// A `--` comment: may carry a `bfm:` directive or a `+migrate` marker.
    fn line_comment(&mut self) {
        let start = self.pos;
        let end = self.text[start..]
            .find('\n')
            .map_or(self.text.len(), |i| start + i);
        let body = self.text[start + 2..end].trim();
        self.pos = end;
        if let Some(directive) = body.strip_prefix("bfm:") {
            let directive = directive.trim().to_string();
            let (line, _) = line_column(self.text, start);
            self.script.directives.push((line, directive.clone()));
            if self.statement_start.is_none() {
                self.pending_directives.push(directive);
            }
        } else if let Some(marker) = body.strip_prefix("+migrate") {
            let words: Vec<&str> = marker.split_whitespace().collect();
            match words.first().map(|w| w.to_ascii_lowercase()).as_deref() {
                Some("up") => self.switch_section(start, Section::Up),
                Some("down") => self.switch_section(start, Section::Down),
                Some("statementbegin") => self.in_block = true,
                Some("statementend") => {
                    self.in_block = false;
                    self.finish_statement(start);
                }
                _ => {}
            }
        }
    }

    fn switch_section(&mut self, at: usize, section: Section) {
        self.finish_statement(at);
        self.section = section;
    }

    fn block_comment(&mut self) -> Result<(), SplitError> {
        let start = self.pos;
        let mut depth = 0usize;
        while self.pos < self.bytes.len() {
            if self.bytes[self.pos] == b'/' && self.peek(1) == Some(b'*') {
                depth += 1;
                self.pos += 2;
            } else if self.bytes[self.pos] == b'*' && self.peek(1) == Some(b'/') {
                depth -= 1;
                self.pos += 2;
                if depth == 0 {
                    return Ok(());
                }
            } else {
                self.pos += 1;
            }
        }
        Err(self.error("unterminated block comment".into(), start))
    }

    /// A string or quoted identifier; a doubled quote stands for itself.
    fn quoted(&mut self, quote: u8, backslash_escapes: bool, what: &str) -> Result<(), SplitError> {
        let start = self.pos;
        self.pos += 1;
        while self.pos < self.bytes.len() {
            let byte = self.bytes[self.pos];
            if backslash_escapes && byte == b'\\' {
                self.pos += 2;
            } else if byte == quote {
                if self.peek(1) == Some(quote) {
                    self.pos += 2;
                } else {
                    self.pos += 1;
                    return Ok(());
                }
            } else {
                self.pos += 1;
            }
        }
        Err(self.error(format!("unterminated {what}"), start))
    }

    /// `$tag$ … $tag$`; a `$` that does not open a dollar quote (`$1`, `a$b`) is plain text.
    fn dollar(&mut self) -> Result<(), SplitError> {
        let start = self.pos;
        if self.is_identifier_byte_at(start.wrapping_sub(1)) {
            self.pos += 1;
            return Ok(());
        }
        let rest = &self.text[start + 1..];
        let tag_len = rest
            .bytes()
            .take_while(|b| b.is_ascii_alphanumeric() || *b == b'_')
            .count();
        if rest.as_bytes().get(tag_len) != Some(&b'$')
            || rest.as_bytes().first().is_some_and(u8::is_ascii_digit)
        {
            self.pos += 1;
            return Ok(());
        }
        let delimiter = &self.text[start..start + tag_len + 2];
        let body_start = start + delimiter.len();
        match self.text[body_start..].find(delimiter) {
            Some(i) => {
                self.pos = body_start + i + delimiter.len();
                Ok(())
            }
            None => Err(self.error(format!("unterminated dollar quote {delimiter}"), start)),
        }
    }

    fn finish_statement(&mut self, end: usize) {
        self.compound.reset();
        let directives = std::mem::take(&mut self.pending_directives);
        let Some(start) = self.statement_start.take() else {
            return;
        };
        let sql = self.text[start..end].trim_end();
        let (line, column) = line_column(self.text, start);
        self.script.statements.push(ScriptStatement {
            sql: sql.to_string(),
            span: start..start + sql.len(),
            line,
            column,
            directives,
            section: self.section,
        });
    }
}

/// 1-based line and column of byte `offset` in `text`.
pub fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, column)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sqls(text: &str) -> Vec<String> {
        split(text)
            .unwrap()
            .statements
            .into_iter()
            .map(|s| s.sql)
            .collect()
    }

    #[test]
    fn splits_at_top_level_semicolons_only() {
        let text =
            "CREATE TABLE a (x text DEFAULT ';');\nINSERT INTO \"we;ird\" VALUES ('it''s;');\n";
        assert_eq!(
            sqls(text),
            [
                "CREATE TABLE a (x text DEFAULT ';')",
                "INSERT INTO \"we;ird\" VALUES ('it''s;')"
            ]
        );
    }

    #[test]
    fn dollar_quoted_bodies_keep_their_semicolons() {
        let text = "CREATE FUNCTION f() RETURNS int AS $body$ SELECT 1; $body$ LANGUAGE sql;\nDO $$ BEGIN PERFORM 1; END $$;";
        let statements = sqls(text);
        assert_eq!(statements.len(), 2);
        assert!(statements[0].ends_with("LANGUAGE sql"));
        assert_eq!(statements[1], "DO $$ BEGIN PERFORM 1; END $$");
    }

    #[test]
    fn positional_parameters_and_dollar_in_names_are_not_quotes() {
        assert_eq!(
            sqls("SELECT $1, a$b; SELECT 2"),
            ["SELECT $1, a$b", "SELECT 2"]
        );
    }

    #[test]
    fn escape_strings_honour_backslashes() {
        assert_eq!(
            sqls("SELECT E'a\\';b'; SELECT 2"),
            ["SELECT E'a\\';b'", "SELECT 2"]
        );
    }

    #[test]
    fn comments_are_skipped_but_kept_inside_statements() {
        let text = "-- leading ; comment\n/* block /* nested ; */ */\nCREATE TABLE t (\n  -- inner; comment\n  id int\n);";
        let script = split(text).unwrap();
        assert_eq!(script.statements.len(), 1);
        assert!(script.statements[0].sql.starts_with("CREATE TABLE t"));
        assert!(script.statements[0].sql.contains("-- inner; comment"));
        assert_eq!(
            (script.statements[0].line, script.statements[0].column),
            (3, 1)
        );
    }

    #[test]
    fn directives_attach_to_the_next_statement() {
        let text = "CREATE TABLE a (id int);\n-- bfm:renamed_from people\n-- bfm:allow_destructive\nCREATE TABLE users (id int);\n-- bfm:no-transaction\n";
        let script = split(text).unwrap();
        assert!(script.statements[0].directives.is_empty());
        assert_eq!(
            script.statements[1].directives,
            ["renamed_from people", "allow_destructive"]
        );
        assert_eq!(
            script.directives,
            [
                (2, "renamed_from people".to_string()),
                (3, "allow_destructive".to_string()),
                (5, "no-transaction".to_string())
            ]
        );
    }

    #[test]
    fn migrate_markers_set_sections() {
        let text = "-- +migrate Up\nCREATE TABLE a (id int);\nINSERT INTO a VALUES (1);\n-- +migrate Down\nDROP TABLE a;\n";
        let sections: Vec<Section> = split(text)
            .unwrap()
            .statements
            .iter()
            .map(|s| s.section)
            .collect();
        assert_eq!(sections, [Section::Up, Section::Up, Section::Down]);
    }

    #[test]
    fn statement_begin_end_keeps_inner_semicolons() {
        let text = "-- +migrate Up\n-- +migrate StatementBegin\nCREATE FUNCTION f() RETURNS trigger AS '\nBEGIN RETURN NEW; END' LANGUAGE plpgsql;\nSELECT 1;\n-- +migrate StatementEnd\nSELECT 2;";
        let statements = sqls(text);
        assert_eq!(statements.len(), 2);
        assert!(statements[0].contains("SELECT 1;"));
        assert_eq!(statements[1], "SELECT 2");
    }

    #[test]
    fn begin_end_bodies_keep_their_semicolons() {
        let text = "CREATE EVENT e ON SCHEDULE EVERY 1 DAY DO BEGIN\n  DELETE FROM t;\n  IF 1 THEN SELECT CASE WHEN 1 THEN 2 END; END IF;\n  BEGIN SELECT 3; END;\nEND;\n\
                    CREATE DEFINER=`root`@`%` TRIGGER `begin` BEFORE INSERT ON t FOR EACH ROW BEGIN SET NEW.a = 1; END;\n\
                    SELECT 4;";
        let statements = sqls(text);
        assert_eq!(statements.len(), 3, "{statements:#?}");
        assert!(statements[0].ends_with("BEGIN SELECT 3; END;\nEND"));
        assert!(statements[1].ends_with("SET NEW.a = 1; END"));
        assert_eq!(statements[2], "SELECT 4");
    }

    #[test]
    fn mysql_compound_bodies_keep_their_semicolons() {
        let text = "CREATE TRIGGER t BEFORE INSERT ON a FOR EACH ROW BEGIN\n  DECLARE CONTINUE HANDLER FOR 1146 BEGIN END;\n  IF NEW.x IS NULL THEN SET NEW.x = CASE WHEN 1 THEN 2 END; END IF;\n  lbl: LOOP LEAVE lbl; END LOOP lbl;\n  CASE NEW.y WHEN 1 THEN SET NEW.y = 2; ELSE BEGIN END; END CASE;\nEND;\nCREATE TABLE `we;ird` (id int);";
        let statements = sqls(text);
        assert_eq!(statements.len(), 2, "{statements:#?}");
        assert!(statements[0].ends_with("END CASE;\nEND"));
        assert_eq!(statements[1], "CREATE TABLE `we;ird` (id int)");
    }

    #[test]
    fn qualified_begin_and_end_are_names() {
        assert_eq!(
            sqls(
                "CREATE TRIGGER t BEFORE INSERT ON a FOR EACH ROW SET NEW.begin = @end; CREATE TRIGGER u BEFORE INSERT ON a FOR EACH ROW BEGIN SET NEW.end = 1; END; SELECT 1"
            ),
            [
                "CREATE TRIGGER t BEFORE INSERT ON a FOR EACH ROW SET NEW.begin = @end",
                "CREATE TRIGGER u BEFORE INSERT ON a FOR EACH ROW BEGIN SET NEW.end = 1; END",
                "SELECT 1"
            ]
        );
    }

    #[test]
    fn begin_outside_routine_bodies_still_splits() {
        assert_eq!(
            sqls(
                "BEGIN; CREATE TABLE t (begin int, \"end\" int); CREATE FUNCTION f(begin int) RETURNS int AS 'x' LANGUAGE sql; COMMIT;"
            ),
            [
                "BEGIN",
                "CREATE TABLE t (begin int, \"end\" int)",
                "CREATE FUNCTION f(begin int) RETURNS int AS 'x' LANGUAGE sql",
                "COMMIT"
            ]
        );
    }

    #[test]
    fn postgres_begin_atomic_bodies_stay_whole() {
        assert_eq!(
            sqls(
                "CREATE FUNCTION f() RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT 1; SELECT 2; END; SELECT 3"
            ),
            [
                "CREATE FUNCTION f() RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT 1; SELECT 2; END",
                "SELECT 3"
            ]
        );
    }

    #[test]
    fn unterminated_string_names_its_start() {
        let error = split("SELECT 1;\nSELECT 'oops").unwrap_err();
        assert_eq!((error.line, error.column), (2, 8));
        assert_eq!(error.message, "unterminated string");
    }

    #[test]
    fn spans_point_into_the_text() {
        let text = "  SELECT 1 ;\n\nSELECT 2";
        let script = split(text).unwrap();
        for statement in &script.statements {
            assert_eq!(&text[statement.span.clone()], statement.sql);
        }
        assert_eq!(
            (script.statements[1].line, script.statements[1].column),
            (3, 1)
        );
    }
}
