//! MySQL/MariaDB triggers: reading `CREATE TRIGGER` and `DROP TRIGGER`, the body as the server
//! stores it, and rendering. sqlparser cannot parse every compound body (handlers, `IF`, labels),
//! so the header is read by a small tokenizer and the body is kept as text: the statement after
//! `FOR EACH ROW [{FOLLOWS | PRECEDES} other]`, tidied by [`stored_body`] as the inspected
//! `information_schema.TRIGGERS.ACTION_STATEMENT` is.
//!
//! Not compared: `DEFINER` (the account that applies the migration becomes the definer) and the
//! order among triggers of the same table, timing and event (`FOLLOWS`/`PRECEDES` are read and
//! left out: triggers are created in plan order).

use super::inspect::{InspectError, fetch, text};
use super::render::quote;
use crate::backend::{SchemaContext, StatementError};
use crate::model::{Change, Model, QualifiedName, Trigger};
use sqlx::mysql::MySqlPool;
use std::collections::BTreeMap;

/// Every trigger of the database in one query.
const TRIGGERS: &str = "SELECT CONVERT(event_object_table USING utf8mb4) AS tbl, \
     CONVERT(trigger_name USING utf8mb4) AS name, CONVERT(action_timing USING utf8mb4) AS timing, \
     CONVERT(event_manipulation USING utf8mb4) AS event, \
     CONVERT(action_statement USING utf8mb4) AS body \
     FROM information_schema.triggers WHERE trigger_schema = ? \
     ORDER BY event_object_table, trigger_name";

/// The triggers of `database` by table, then name.
pub(super) async fn inspect(
    pool: &MySqlPool,
    database: &str,
) -> Result<BTreeMap<String, BTreeMap<String, Trigger>>, InspectError> {
    let mut triggers: BTreeMap<String, BTreeMap<String, Trigger>> = BTreeMap::new();
    for row in fetch(pool, "triggers", TRIGGERS, database).await? {
        let table = text(&row, "tbl")?.unwrap_or_default();
        let name = text(&row, "name")?.unwrap_or_default();
        let trigger = Trigger {
            name: name.clone(),
            timing: text(&row, "timing")?
                .unwrap_or_default()
                .to_ascii_uppercase(),
            events: vec![
                text(&row, "event")?
                    .unwrap_or_default()
                    .to_ascii_uppercase(),
            ],
            body: Some(stored_body(&text(&row, "body")?.unwrap_or_default())),
            ..mysql_trigger()
        };
        triggers.entry(table).or_default().insert(name, trigger);
    }
    Ok(triggers)
}

/// A row trigger with nothing but MySQL's parts to fill in.
fn mysql_trigger() -> Trigger {
    Trigger {
        for_each_row: true,
        ..Trigger::default()
    }
}

/// The changes a trigger statement makes, or `None` when `sql` is no trigger statement.
pub(super) fn statement_changes(
    sql: &str,
    model: &Model,
    context: &SchemaContext,
) -> Option<Result<Vec<Change>, StatementError>> {
    let mut cursor = Cursor::new(sql);
    match cursor.word()?.as_str() {
        "CREATE" => {
            let or_replace = cursor.eat_words(&["OR", "REPLACE"]);
            if cursor.eat_words(&["DEFINER"])
                && let Err(error) = cursor.skip_definer()
            {
                return Some(Err(error));
            }
            if !cursor.eat_words(&["TRIGGER"]) {
                return None;
            }
            Some(create(cursor, or_replace, model, context))
        }
        "DROP" if cursor.eat_words(&["TRIGGER"]) => Some(drop(cursor, model, context)),
        _ => None,
    }
}

/// `CREATE … TRIGGER`, read after the `TRIGGER` keyword.
fn create(
    mut cursor: Cursor<'_>,
    or_replace: bool,
    model: &Model,
    context: &SchemaContext,
) -> Result<Vec<Change>, StatementError> {
    let if_not_exists = cursor.eat_words(&["IF", "NOT", "EXISTS"]);
    let (_, name) = cursor.name(context)?;
    let timing = cursor.expect_one_of(&["BEFORE", "AFTER"])?;
    let event = cursor.expect_one_of(&["INSERT", "UPDATE", "DELETE"])?;
    cursor.expect_one_of(&["ON"])?;
    let (schema, table_name) = cursor.name(context)?;
    let table = QualifiedName::new(schema, table_name);
    for keyword in ["FOR", "EACH", "ROW"] {
        cursor.expect_one_of(&[keyword])?;
    }
    if cursor.eat_words(&["FOLLOWS"]) || cursor.eat_words(&["PRECEDES"]) {
        cursor.name(context)?;
    }
    let body = stored_body(cursor.rest());
    if body.is_empty() {
        return Err(cursor.error("expected the trigger body"));
    }
    if model.table(&table).is_none() {
        return Err(StatementError::new(format!("table {table} does not exist")));
    }
    let trigger = Trigger {
        name,
        timing,
        events: vec![event],
        body: Some(body),
        ..mysql_trigger()
    };
    let mut changes = Vec::new();
    if let Some((old_table, old)) = find(model, &table.schema, &trigger.name) {
        if if_not_exists {
            return Ok(changes);
        }
        if !or_replace {
            return Err(StatementError::new(format!(
                "trigger {} already exists on {old_table}",
                trigger.name
            )));
        }
        changes.push(Change::DropTrigger {
            table: old_table,
            trigger: old.clone(),
        });
    }
    changes.push(Change::CreateTrigger { table, trigger });
    Ok(changes)
}

/// `DROP TRIGGER [IF EXISTS] [schema.]name`, read after the `TRIGGER` keyword.
fn drop(
    mut cursor: Cursor<'_>,
    model: &Model,
    context: &SchemaContext,
) -> Result<Vec<Change>, StatementError> {
    let if_exists = cursor.eat_words(&["IF", "EXISTS"]);
    let (schema, name) = cursor.name(context)?;
    if !cursor.rest().trim().is_empty() {
        return Err(cursor.error("expected the end of DROP TRIGGER"));
    }
    match find(model, &schema, &name) {
        Some((table, trigger)) => Ok(vec![Change::DropTrigger {
            table,
            trigger: trigger.clone(),
        }]),
        None if if_exists => Ok(Vec::new()),
        None => Err(StatementError::new(format!(
            "trigger {schema}.{name} does not exist"
        ))),
    }
}

/// A trigger by name: MySQL names triggers per database, not per table.
fn find<'m>(model: &'m Model, schema: &str, name: &str) -> Option<(QualifiedName, &'m Trigger)> {
    model
        .schemas
        .get(schema)?
        .triggers
        .iter()
        .find_map(|(table, triggers)| {
            triggers
                .get(name)
                .map(|t| (QualifiedName::new(schema, table), t))
        })
}

/// The body as compared and rendered: comments outside quotes removed (a `--` or `#` comment up
/// to its line end, `/* … */` but not the executable `/*! … */`, as the server removes them),
/// then, outside quotes, trailing whitespace of each line and blank lines dropped, and the whole
/// trimmed. Applied to written and inspected bodies alike, so that a comment or an editor's
/// trailing spaces are no change; literals are kept byte for byte.
pub(super) fn stored_body(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    // `out` up to here is a literal, which trimming must not touch.
    let mut protected = 0;
    let mut pos = 0;
    while pos < bytes.len() {
        match bytes[pos] {
            quote @ (b'\'' | b'"' | b'`') => {
                let end = quoted_end(bytes, pos, quote);
                out.push_str(&text[pos..end]);
                protected = out.len();
                pos = end;
            }
            b'#' => pos = line_end(bytes, pos),
            b'-' if bytes.get(pos + 1) == Some(&b'-')
                && bytes.get(pos + 2).is_none_or(|b| b.is_ascii_whitespace()) =>
            {
                pos = line_end(bytes, pos)
            }
            b'/' if bytes.get(pos + 1) == Some(&b'*') && bytes.get(pos + 2) != Some(&b'!') => {
                pos = text[pos + 2..]
                    .find("*/")
                    .map_or(bytes.len(), |i| pos + 2 + i + 2)
            }
            b'\n' => {
                let kept = out[protected..].trim_end().len();
                out.truncate(protected + kept);
                if !out.is_empty() && !out.ends_with('\n') {
                    out.push('\n');
                }
                pos += 1;
            }
            _ => {
                let width = text[pos..].chars().next().map_or(1, char::len_utf8);
                out.push_str(&text[pos..pos + width]);
                pos += width;
            }
        }
    }
    out.trim().to_string()
}

fn line_end(bytes: &[u8], from: usize) -> usize {
    bytes[from..]
        .iter()
        .position(|b| *b == b'\n')
        .map_or(bytes.len(), |i| from + i)
}

/// The position after the quote opened at `start`; a doubled quote or (in strings) a
/// backslash escapes the next byte.
fn quoted_end(bytes: &[u8], start: usize, quote: u8) -> usize {
    let mut pos = start + 1;
    while pos < bytes.len() {
        match bytes[pos] {
            b'\\' if quote != b'`' => pos += 2,
            b if b == quote && bytes.get(pos + 1) == Some(&quote) => pos += 2,
            b if b == quote => return pos + 1,
            _ => pos += 1,
        }
    }
    bytes.len()
}

/// `CREATE TRIGGER name timing event ON table FOR EACH ROW body`. The definer is left out:
/// the applying account becomes it, as for the other objects bfm creates.
pub(super) fn create_sql(table: &str, trigger: &Trigger) -> String {
    format!(
        "CREATE TRIGGER {} {} {} ON {table} FOR EACH ROW {}",
        quote(&trigger.name),
        trigger.timing,
        trigger.events.join(" OR "),
        trigger.body.as_deref().unwrap_or_default()
    )
}

/// `DROP TRIGGER`, qualified like the table it belongs to.
pub(super) fn drop_sql(schema: Option<&str>, trigger: &Trigger) -> String {
    match schema {
        Some(schema) => format!("DROP TRIGGER {}.{}", quote(schema), quote(&trigger.name)),
        None => format!("DROP TRIGGER {}", quote(&trigger.name)),
    }
}

/// Reads the header of a trigger statement: words (upper-cased), names (backquoted or bare),
/// strings, single symbols; whitespace and comments skipped.
struct Cursor<'a> {
    sql: &'a str,
    pos: usize,
}

#[derive(Debug, PartialEq, Eq)]
enum Token {
    /// A bare word as written.
    Word(String),
    /// A backquoted or double-quoted name, unquoted.
    Quoted(String),
    /// A single-quoted string (a definer's user or host).
    Text,
    Symbol(u8),
}

impl<'a> Cursor<'a> {
    fn new(sql: &'a str) -> Self {
        Cursor { sql, pos: 0 }
    }

    fn error(&self, message: &str) -> StatementError {
        StatementError::at(message, self.pos.min(self.sql.len()))
    }

    /// The text after the last token read.
    fn rest(&self) -> &'a str {
        &self.sql[self.pos.min(self.sql.len())..]
    }

    fn skip_space(&mut self) {
        let bytes = self.sql.as_bytes();
        loop {
            while bytes.get(self.pos).is_some_and(u8::is_ascii_whitespace) {
                self.pos += 1;
            }
            let rest = &self.sql[self.pos..];
            if rest.starts_with('#') || rest.starts_with("-- ") || rest == "--" {
                self.pos = line_end(bytes, self.pos);
            } else if rest.starts_with("/*") && !rest.starts_with("/*!") {
                self.pos = rest[2..]
                    .find("*/")
                    .map_or(bytes.len(), |i| self.pos + i + 4);
            } else {
                return;
            }
        }
    }

    fn peek(&mut self) -> (Option<Token>, usize) {
        self.skip_space();
        let bytes = self.sql.as_bytes();
        let start = self.pos;
        let Some(&first) = bytes.get(start) else {
            return (None, start);
        };
        match first {
            b'`' | b'"' => {
                let end = quoted_end(bytes, start, first);
                let inner = &self.sql[start + 1..end.saturating_sub(1).max(start + 1)];
                let quote = char::from(first);
                let unquoted = inner.replace(&format!("{quote}{quote}"), &quote.to_string());
                (Some(Token::Quoted(unquoted)), end)
            }
            b'\'' => (Some(Token::Text), quoted_end(bytes, start, first)),
            b if b.is_ascii_alphanumeric() || b == b'_' || b >= 0x80 => {
                let end = bytes[start..]
                    .iter()
                    .position(|b| {
                        !(b.is_ascii_alphanumeric() || *b == b'_' || *b == b'$' || *b >= 0x80)
                    })
                    .map_or(bytes.len(), |i| start + i);
                (Some(Token::Word(self.sql[start..end].to_string())), end)
            }
            other => (Some(Token::Symbol(other)), start + 1),
        }
    }

    fn next(&mut self) -> Option<Token> {
        let (token, end) = self.peek();
        self.pos = end;
        token
    }

    /// The next word, upper-cased, or `None` when the next token is no word.
    fn word(&mut self) -> Option<String> {
        match self.peek() {
            (Some(Token::Word(word)), end) => {
                self.pos = end;
                Some(word.to_ascii_uppercase())
            }
            _ => None,
        }
    }

    /// Consumes `words` when they come next, in order; consumes nothing otherwise.
    fn eat_words(&mut self, words: &[&str]) -> bool {
        let start = self.pos;
        for expected in words {
            if self.word().as_deref() != Some(*expected) {
                self.pos = start;
                return false;
            }
        }
        true
    }

    fn expect_one_of(&mut self, words: &[&str]) -> Result<String, StatementError> {
        let start = self.pos;
        match self.word() {
            Some(word) if words.contains(&word.as_str()) => Ok(word),
            _ => {
                self.pos = start;
                self.skip_space();
                Err(self.error(&format!("expected {}", words.join(" or "))))
            }
        }
    }

    /// `DEFINER = user`: `'user'@'host'`, a bare or quoted name, `CURRENT_USER[()]`.
    fn skip_definer(&mut self) -> Result<(), StatementError> {
        if self.next() != Some(Token::Symbol(b'=')) {
            return Err(self.error("expected = after DEFINER"));
        }
        self.next();
        // `@host` after the user, or the `()` of `CURRENT_USER()`: two more tokens.
        if matches!(
            self.peek().0,
            Some(Token::Symbol(b'@')) | Some(Token::Symbol(b'('))
        ) {
            self.next();
            self.next();
        }
        Ok(())
    }

    /// `[schema.]name`, the schema defaulting to the connection's.
    fn name(&mut self, context: &SchemaContext) -> Result<(String, String), StatementError> {
        let first = self.identifier()?;
        if self.peek().0 == Some(Token::Symbol(b'.')) {
            self.next();
            let second = self.identifier()?;
            return Ok((first, second));
        }
        Ok((context.default_schema.clone(), first))
    }

    fn identifier(&mut self) -> Result<String, StatementError> {
        match self.peek() {
            (Some(Token::Word(name) | Token::Quoted(name)), end) => {
                self.pos = end;
                Ok(name)
            }
            _ => Err(self.error("expected a name")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Column, Table};

    fn context() -> SchemaContext {
        SchemaContext {
            default_schema: "app".into(),
        }
    }

    fn model_with_table() -> Model {
        let mut model = Model::default();
        model.schema_mut("app").tables.insert(
            "users".into(),
            Table {
                name: "users".into(),
                columns: vec![Column {
                    name: "id".into(),
                    data_type: "int".into(),
                    ..Column::default()
                }],
                ..Table::default()
            },
        );
        model
    }

    /// The model of [`model_with_table`] holding the trigger `sql` creates, and that trigger.
    fn model_with_trigger(sql: &str) -> (Model, Trigger) {
        let mut model = model_with_table();
        let trigger = created(sql, &model);
        model
            .schema_mut("app")
            .triggers
            .entry("users".into())
            .or_default()
            .insert(trigger.name.clone(), trigger.clone());
        (model, trigger)
    }

    fn created(sql: &str, model: &Model) -> Trigger {
        let changes = statement_changes(sql, model, &context()).unwrap().unwrap();
        match changes.as_slice() {
            [Change::CreateTrigger { table, trigger }] => {
                assert_eq!(table, &QualifiedName::new("app", "users"));
                trigger.clone()
            }
            other => panic!("unexpected changes {other:?}"),
        }
    }

    #[test]
    fn reads_a_compound_body_as_the_server_stores_it() {
        let sql = "CREATE DEFINER=`root`@`localhost` TRIGGER IF NOT EXISTS `app`.`audit`\n  before update ON `users` FOR EACH ROW FOLLOWS other begin\n  -- note; here\n  declare continue handler for 1146 begin end;\n  set NEW.id = '--# /* not a comment */'; /* gone */\nend";
        let trigger = created(sql, &model_with_table());
        assert_eq!(trigger.name, "audit");
        assert_eq!(trigger.timing, "BEFORE");
        assert_eq!(trigger.events, ["UPDATE"]);
        assert_eq!(
            trigger.body.as_deref(),
            Some(
                "begin\n  declare continue handler for 1146 begin end;\n  set NEW.id = '--# /* not a comment */';\nend"
            )
        );
    }

    #[test]
    fn every_definer_spelling_is_read_and_left_out() {
        let model = model_with_table();
        for definer in [
            "DEFINER = 'root'@'%'",
            "DEFINER=root@localhost",
            "DEFINER = CURRENT_USER()",
            "DEFINER=CURRENT_USER",
        ] {
            let sql =
                format!("CREATE {definer} TRIGGER t AFTER DELETE ON users FOR EACH ROW SET @x = 1");
            assert_eq!(
                created(&sql, &model).body.as_deref(),
                Some("SET @x = 1"),
                "{sql}"
            );
        }
    }

    #[test]
    fn or_replace_drops_the_old_trigger_first() {
        let (model, old) =
            model_with_trigger("CREATE TRIGGER t AFTER DELETE ON users FOR EACH ROW SET @x = 1");
        let changes = statement_changes(
            "CREATE OR REPLACE TRIGGER t AFTER DELETE ON users FOR EACH ROW SET @x = 2",
            &model,
            &context(),
        )
        .unwrap()
        .unwrap();
        let table = QualifiedName::new("app", "users");
        assert_eq!(changes.len(), 2);
        assert_eq!(
            changes[0],
            Change::DropTrigger {
                table: table.clone(),
                trigger: old
            }
        );
        assert!(
            matches!(&changes[1], Change::CreateTrigger { trigger, .. } if trigger.body.as_deref() == Some("SET @x = 2"))
        );
        let kept = statement_changes(
            "CREATE TRIGGER IF NOT EXISTS t AFTER DELETE ON users FOR EACH ROW SET @x = 3",
            &model,
            &context(),
        );
        assert_eq!(kept.unwrap().unwrap(), []);
    }

    #[test]
    fn stored_body_leaves_an_inspected_body_unchanged() {
        let inspected = "begin\n  set NEW.x = 1-1; set @a = 'it''s -- \\' x';\nend";
        assert_eq!(stored_body(inspected), inspected);
    }

    #[test]
    fn stored_body_drops_trailing_spaces_and_blank_lines_outside_literals_only() {
        let written =
            "begin  \r\n\n  set @a = 'two  \n\n  lines';   \n  set @b = `c  \n`; # note\nend\n";
        assert_eq!(
            stored_body(written),
            "begin\n  set @a = 'two  \n\n  lines';\n  set @b = `c  \n`;\nend"
        );
    }

    #[test]
    fn a_single_statement_body_and_its_rendering() {
        let trigger = created(
            "CREATE TRIGGER t after insert ON users FOR EACH ROW insert into log(log) values ('x')",
            &model_with_table(),
        );
        assert_eq!(
            create_sql("`users`", &trigger),
            "CREATE TRIGGER `t` AFTER INSERT ON `users` FOR EACH ROW insert into log(log) values ('x')"
        );
        assert_eq!(drop_sql(None, &trigger), "DROP TRIGGER `t`");
    }

    #[test]
    fn drops_a_trigger_by_name_whatever_its_table() {
        let (model, trigger) =
            model_with_trigger("CREATE TRIGGER t BEFORE DELETE ON users FOR EACH ROW SET @x = 1");
        let changes = statement_changes("DROP TRIGGER IF EXISTS app.t", &model, &context())
            .unwrap()
            .unwrap();
        assert_eq!(
            changes,
            [Change::DropTrigger {
                table: QualifiedName::new("app", "users"),
                trigger
            }]
        );
        let missing = statement_changes("DROP TRIGGER IF EXISTS nope", &model, &context());
        assert_eq!(missing.unwrap().unwrap(), []);
        let twice = statement_changes(
            "CREATE TRIGGER t BEFORE DELETE ON users FOR EACH ROW SET @x = 2",
            &model,
            &context(),
        );
        assert!(
            twice
                .unwrap()
                .unwrap_err()
                .message
                .contains("already exists")
        );
    }

    #[test]
    fn refuses_a_trigger_on_a_missing_table_and_points_at_bad_syntax() {
        let model = model_with_table();
        let missing = statement_changes(
            "CREATE TRIGGER t BEFORE INSERT ON nope FOR EACH ROW SET @x = 1",
            &model,
            &context(),
        );
        assert!(
            missing
                .unwrap()
                .unwrap_err()
                .message
                .contains("does not exist")
        );
        let bad = statement_changes(
            "CREATE TRIGGER t DURING INSERT ON users FOR EACH ROW SET @x = 1",
            &model,
            &context(),
        )
        .unwrap()
        .unwrap_err();
        assert_eq!(bad.message, "expected BEFORE or AFTER");
        assert_eq!(bad.offset, Some(17));
    }

    #[test]
    fn other_statements_are_not_trigger_statements() {
        let model = model_with_table();
        for sql in [
            "CREATE TABLE trigger_log (id int)",
            "DROP TABLE users",
            "CREATE VIEW v AS SELECT 1",
        ] {
            assert!(
                statement_changes(sql, &model, &context()).is_none(),
                "{sql}"
            );
        }
    }
}
