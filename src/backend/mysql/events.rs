//! MySQL/MariaDB scheduled events: reading `CREATE | ALTER | DROP EVENT` into changes, and
//! rendering those changes back. sqlparser does not parse events, so a small reader walks the
//! clauses and keeps the body after `DO` as written, which is what the server stores.
//!
//! Everything is brought to the form `information_schema.EVENTS` prints (see
//! [`crate::model::Event`]): timestamps as `YYYY-MM-DD HH:MM:SS` with any `+ INTERVAL` worked
//! out, intervals carried over (`'0 36' DAY_HOUR` is `1 12`), `STARTS` at the current time as
//! absent. The definer is read and ignored.

use super::ddl::unsupported;
use super::render::quote;
use crate::backend::{RenderContext, SchemaContext, StatementError};
use crate::model::{Change, Event, EventStatus, Model, QualifiedName, Schedule};
use time::{Date, Duration, Month, PrimitiveDateTime, Time};

/// The changes of an event statement, or `None` when `sql` is not one (it is then some other
/// statement, read by the table reader).
pub fn statement_changes(
    sql: &str,
    model: &Model,
    context: &SchemaContext,
) -> Option<Result<Vec<Change>, StatementError>> {
    let mut cursor = Cursor::new(sql);
    let verb = event_verb(&mut cursor)?;
    let reader = Reader {
        model,
        context,
        cursor,
    };
    Some(reader.read(verb))
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Verb {
    Create { or_replace: bool },
    Alter,
    Drop,
}

/// Reads `CREATE [OR REPLACE] [DEFINER = user] EVENT`, `ALTER [DEFINER = user] EVENT` or
/// `DROP EVENT`, leaving the cursor after `EVENT`.
fn event_verb(cursor: &mut Cursor<'_>) -> Option<Verb> {
    let verb = match cursor.word()?.to_ascii_uppercase().as_str() {
        "CREATE" => Verb::Create {
            or_replace: cursor.eat("OR") && cursor.eat("REPLACE"),
        },
        "ALTER" => Verb::Alter,
        "DROP" => Verb::Drop,
        _ => return None,
    };
    if verb != Verb::Drop && cursor.eat("DEFINER") {
        skip_user(cursor)?;
    }
    cursor.eat("EVENT").then_some(verb)
}

/// `= 'user'@'host'`, `= user@host` or `= CURRENT_USER[()]`.
fn skip_user(cursor: &mut Cursor<'_>) -> Option<()> {
    if !cursor.eat_symbol('=') {
        return None;
    }
    match cursor.next()? {
        Token::Word(w) if w.eq_ignore_ascii_case("CURRENT_USER") => {
            if cursor.eat_symbol('(') && !cursor.eat_symbol(')') {
                return None;
            }
        }
        Token::Word(_) | Token::Quoted(_) | Token::Str(_) => {
            if cursor.eat_symbol('@') {
                match cursor.next()? {
                    Token::Word(_) | Token::Quoted(_) | Token::Str(_) | Token::Number(_) => {}
                    Token::Symbol(_) => return None,
                }
            }
        }
        _ => return None,
    }
    Some(())
}

struct Reader<'a> {
    model: &'a Model,
    context: &'a SchemaContext,
    cursor: Cursor<'a>,
}

/// The clauses an event statement states; `None` where it leaves one out.
#[derive(Default)]
struct Clauses {
    schedule: Option<Schedule>,
    preserve: Option<bool>,
    status: Option<EventStatus>,
    comment: Option<String>,
    rename: Option<QualifiedName>,
    body: Option<String>,
}

impl Reader<'_> {
    fn read(mut self, verb: Verb) -> Result<Vec<Change>, StatementError> {
        let if_exists = verb == Verb::Drop && self.if_words(&["IF", "EXISTS"])?;
        let if_not_exists =
            matches!(verb, Verb::Create { .. }) && self.if_words(&["IF", "NOT", "EXISTS"])?;
        let name = self.name()?;
        let existing = self
            .model
            .schemas
            .get(&name.schema)
            .and_then(|s| s.events.get(&name.name))
            .cloned();
        let schema = name.schema.clone();
        match verb {
            Verb::Drop => {
                self.end()?;
                match existing {
                    Some(event) => Ok(vec![Change::DropEvent { schema, event }]),
                    None if if_exists => Ok(Vec::new()),
                    None => Err(StatementError::new(format!("event {name} does not exist"))),
                }
            }
            Verb::Create { or_replace } => {
                let clauses = self.clauses(false)?;
                if existing.is_some() && if_not_exists {
                    return Ok(Vec::new());
                }
                let (Some(schedule), Some(body)) = (clauses.schedule, clauses.body) else {
                    return Err(self.error("CREATE EVENT needs ON SCHEDULE and DO"));
                };
                let event = Event {
                    name: name.name.clone(),
                    schedule,
                    preserve: clauses.preserve.unwrap_or(false),
                    status: clauses.status.unwrap_or_default(),
                    comment: clauses.comment.filter(|c| !c.is_empty()),
                    body,
                };
                match existing {
                    Some(old) if or_replace => Ok(vec![
                        Change::DropEvent {
                            schema: schema.clone(),
                            event: old,
                        },
                        Change::CreateEvent { schema, event },
                    ]),
                    Some(_) => Err(StatementError::new(format!("event {name} already exists"))),
                    None => Ok(vec![Change::CreateEvent { schema, event }]),
                }
            }
            Verb::Alter => {
                let clauses = self.clauses(true)?;
                let from = existing
                    .ok_or_else(|| StatementError::new(format!("event {name} does not exist")))?;
                Ok(altered(&schema, from, clauses))
            }
        }
    }

    /// `IF [NOT] EXISTS`, all or nothing.
    fn if_words(&mut self, words: &[&str]) -> Result<bool, StatementError> {
        if !self.cursor.eat(words[0]) {
            return Ok(false);
        }
        for word in &words[1..] {
            self.expect(word)?;
        }
        Ok(true)
    }

    fn name(&mut self) -> Result<QualifiedName, StatementError> {
        let first = self.identifier()?;
        if self.cursor.eat_symbol('.') {
            let second = self.identifier()?;
            return Ok(QualifiedName::new(first, second));
        }
        Ok(QualifiedName::new(
            self.context.default_schema.clone(),
            first,
        ))
    }

    fn identifier(&mut self) -> Result<String, StatementError> {
        match self.cursor.next() {
            Some(Token::Word(w)) => Ok(w.to_string()),
            Some(Token::Quoted(q)) => Ok(q),
            _ => Err(self.error("expected an event name")),
        }
    }

    /// The clauses up to and including `DO`; `alter` allows `RENAME TO`.
    fn clauses(&mut self, alter: bool) -> Result<Clauses, StatementError> {
        let mut clauses = Clauses::default();
        while let Some(word) = self.cursor.word() {
            match word.to_ascii_uppercase().as_str() {
                "ON" if self.cursor.eat("SCHEDULE") => {
                    clauses.schedule = Some(self.schedule()?);
                }
                "ON" => {
                    self.expect("COMPLETION")?;
                    let not = self.cursor.eat("NOT");
                    self.expect("PRESERVE")?;
                    clauses.preserve = Some(!not);
                }
                "ENABLE" => clauses.status = Some(EventStatus::Enabled),
                "DISABLE" if self.cursor.eat("ON") => {
                    self.expect("SLAVE")?;
                    clauses.status = Some(EventStatus::DisabledOnSlave);
                }
                "DISABLE" => clauses.status = Some(EventStatus::Disabled),
                "COMMENT" => match self.cursor.next() {
                    Some(Token::Str(text)) => clauses.comment = Some(text),
                    _ => return Err(self.error("expected a string after COMMENT")),
                },
                "RENAME" if alter => {
                    self.expect("TO")?;
                    clauses.rename = Some(self.name()?);
                }
                "DO" => {
                    let body = self.cursor.rest().trim();
                    if body.is_empty() {
                        return Err(self.error("expected a statement after DO"));
                    }
                    clauses.body = Some(body.to_string());
                    return Ok(clauses);
                }
                other => return Err(self.error(&format!("unexpected {other} in an event"))),
            }
        }
        self.end()?;
        Ok(clauses)
    }

    fn schedule(&mut self) -> Result<Schedule, StatementError> {
        if self.cursor.eat("AT") {
            let at = self
                .timestamp()?
                .ok_or_else(|| unsupported("events scheduled AT the current time"))?;
            return Ok(Schedule::At { at });
        }
        self.expect("EVERY")?;
        let (value, unit) = self.quantity()?;
        let starts = if self.cursor.eat("STARTS") {
            self.timestamp()?
        } else {
            None
        };
        let ends = if self.cursor.eat("ENDS") {
            Some(
                self.timestamp()?
                    .ok_or_else(|| unsupported("events that END at the current time"))?,
            )
        } else {
            None
        };
        let value = canonical_interval(&value, &unit).map_err(|m| self.error(&m))?;
        Ok(Schedule::Every {
            value,
            unit,
            starts,
            ends,
        })
    }

    /// A literal timestamp with any `± INTERVAL n unit` worked out; `None` for the current time
    /// alone (`CURRENT_TIMESTAMP`, `NOW()`), which is what an omitted `STARTS` means.
    fn timestamp(&mut self) -> Result<Option<String>, StatementError> {
        self.cursor.eat("TIMESTAMP");
        let mut moment =
            match self.cursor.next() {
                Some(Token::Str(text)) => Some(parse_timestamp(&text).ok_or_else(|| {
                    self.error(&format!("invalid timestamp '{text}' in an event"))
                })?),
                Some(Token::Word(w))
                    if matches!(
                        w.to_ascii_uppercase().as_str(),
                        "CURRENT_TIMESTAMP" | "NOW" | "LOCALTIME" | "LOCALTIMESTAMP"
                    ) =>
                {
                    if self.cursor.eat_symbol('(') && !self.cursor.eat_symbol(')') {
                        return Err(self.error("expected ) after the current time"));
                    }
                    None
                }
                _ => return Err(self.error("expected a timestamp literal in an event schedule")),
            };
        loop {
            let sign = if self.cursor.eat_symbol('+') {
                1
            } else if self.cursor.eat_symbol('-') {
                -1
            } else {
                break;
            };
            self.expect("INTERVAL")?;
            let (value, unit) = self.quantity()?;
            let Some(at) = moment else {
                return Err(unsupported("events scheduled relative to the current time"));
            };
            moment = Some(
                add_interval(at, &value, &unit, sign)
                    .ok_or_else(|| self.error(&format!("invalid interval {value} {unit}")))?,
            );
        }
        Ok(moment.map(|m| format_timestamp(&m)))
    }

    /// `n unit`, as written (`'1 4'` without its quotes) with the unit upper case.
    fn quantity(&mut self) -> Result<(String, String), StatementError> {
        let value = match self.cursor.next() {
            Some(Token::Number(n)) => n.to_string(),
            Some(Token::Str(s)) => s,
            _ => return Err(self.error("expected an interval value")),
        };
        let unit = self
            .cursor
            .word()
            .map(|w| w.to_ascii_uppercase())
            .filter(|u| unit_parts(u).is_some())
            .ok_or_else(|| self.error("expected an interval unit"))?;
        Ok((value, unit))
    }

    fn expect(&mut self, word: &str) -> Result<(), StatementError> {
        if self.cursor.eat(word) {
            Ok(())
        } else {
            Err(self.error(&format!("expected {word}")))
        }
    }

    fn end(&mut self) -> Result<(), StatementError> {
        match self.cursor.next() {
            None => Ok(()),
            Some(_) => Err(self.error("unexpected text after the event statement")),
        }
    }

    fn error(&self, message: &str) -> StatementError {
        StatementError::at(message, self.cursor.last)
    }
}

/// The event `from` after an `ALTER EVENT` stating `clauses`: changed in place, or dropped and
/// created again under its new name.
fn altered(schema: &str, from: Event, clauses: Clauses) -> Vec<Change> {
    let mut to = from.clone();
    if let Some(schedule) = clauses.schedule {
        to.schedule = schedule;
    }
    if let Some(preserve) = clauses.preserve {
        to.preserve = preserve;
    }
    if let Some(status) = clauses.status {
        to.status = status;
    }
    if let Some(comment) = clauses.comment {
        to.comment = Some(comment).filter(|c| !c.is_empty());
    }
    if let Some(body) = clauses.body {
        to.body = body;
    }
    match clauses.rename {
        Some(new) if new.name != from.name || new.schema != schema => {
            to.name = new.name;
            vec![
                Change::DropEvent {
                    schema: schema.to_string(),
                    event: from,
                },
                Change::CreateEvent {
                    schema: new.schema,
                    event: to,
                },
            ]
        }
        _ if to == from => Vec::new(),
        _ => vec![Change::AlterEvent {
            schema: schema.to_string(),
            from,
            to,
        }],
    }
}

/// The parts of an interval unit, largest first, with how many of each part make one of the
/// next: `DAY_MINUTE` is days, hours (24 a day), minutes (60 an hour). `None` for a unit events
/// do not take.
fn unit_parts(unit: &str) -> Option<&'static [(&'static str, u64)]> {
    const DAY_SECOND: [(&str, u64); 4] = [("DAY", 1), ("HOUR", 24), ("MINUTE", 60), ("SECOND", 60)];
    const YEAR_MONTH: [(&str, u64); 2] = [("YEAR", 1), ("MONTH", 12)];
    Some(match unit {
        "YEAR" | "QUARTER" | "MONTH" | "WEEK" | "DAY" | "HOUR" | "MINUTE" | "SECOND" => &[],
        "YEAR_MONTH" => &YEAR_MONTH,
        "DAY_HOUR" => &DAY_SECOND[..2],
        "DAY_MINUTE" => &DAY_SECOND[..3],
        "DAY_SECOND" => &DAY_SECOND,
        "HOUR_MINUTE" => &DAY_SECOND[1..3],
        "HOUR_SECOND" => &DAY_SECOND[1..],
        "MINUTE_SECOND" => &DAY_SECOND[2..],
        _ => return None,
    })
}

/// The amount of `unit` as the server prints it: a plain number without leading zeros, or the
/// parts of a compound unit carried over (`'0 36' DAY_HOUR` is `1 12`, `'0:90' HOUR_MINUTE`
/// is `1:30`).
pub fn canonical_interval(value: &str, unit: &str) -> Result<String, String> {
    let invalid = || format!("invalid interval '{value}' {unit}");
    let parts = unit_parts(unit).ok_or_else(invalid)?;
    let numbers: Vec<u64> = value
        .split(|c: char| !c.is_ascii_digit())
        .filter(|n| !n.is_empty())
        .map(|n| n.parse::<u64>().map_err(|_| invalid()))
        .collect::<Result<_, _>>()?;
    if parts.is_empty() {
        return match numbers.as_slice() {
            [n] if value.trim().chars().all(|c| c.is_ascii_digit()) => Ok(n.to_string()),
            _ => Err(invalid()),
        };
    }
    if numbers.is_empty() || numbers.len() > parts.len() {
        return Err(invalid());
    }
    // Fewer numbers than parts fill the smallest parts, as the server reads them.
    let skipped = parts.len() - numbers.len();
    let mut total: u64 = 0;
    for (i, (_, per)) in parts.iter().enumerate() {
        let n = if i < skipped { 0 } else { numbers[i - skipped] };
        total = total
            .checked_mul(*per)
            .and_then(|t| t.checked_add(n))
            .ok_or_else(invalid)?;
    }
    let mut carried = vec![0; parts.len()];
    for i in (1..parts.len()).rev() {
        carried[i] = total % parts[i].1;
        total /= parts[i].1;
    }
    carried[0] = total;
    let mut text = String::new();
    for (i, n) in carried.iter().enumerate() {
        if i > 0 {
            text.push(match (parts[i - 1].0, parts[i].0) {
                ("DAY", _) => ' ',
                ("YEAR", _) => '-',
                _ => ':',
            });
        }
        text.push_str(&n.to_string());
    }
    Ok(text)
}

/// `YYYY-MM-DD[ HH:MM[:SS]]` (or with `T`).
fn parse_timestamp(text: &str) -> Option<PrimitiveDateTime> {
    let text = text.trim();
    let (date, clock) = match text.split_once([' ', 'T']) {
        Some((d, c)) => (d, c.trim()),
        None => (text, ""),
    };
    let numbers = |s: &str, sep: char| -> Option<Vec<u32>> {
        s.split(sep).map(|n| n.parse::<u32>().ok()).collect()
    };
    let [year, month, day] = numbers(date, '-')?[..] else {
        return None;
    };
    let (hour, minute, second) = match numbers(clock, ':').as_deref() {
        _ if clock.is_empty() => (0, 0, 0),
        Some([h, m]) => (*h, *m, 0),
        Some([h, m, s]) => (*h, *m, *s),
        _ => return None,
    };
    let month = Month::try_from(u8::try_from(month).ok()?).ok()?;
    let date =
        Date::from_calendar_date(i32::try_from(year).ok()?, month, u8::try_from(day).ok()?).ok()?;
    let time = Time::from_hms(
        u8::try_from(hour).ok()?,
        u8::try_from(minute).ok()?,
        u8::try_from(second).ok()?,
    )
    .ok()?;
    Some(PrimitiveDateTime::new(date, time))
}

fn format_timestamp(at: &PrimitiveDateTime) -> String {
    format!(
        "{:04}-{:02}-{:02} {:02}:{:02}:{:02}",
        at.year(),
        u8::from(at.month()),
        at.day(),
        at.hour(),
        at.minute(),
        at.second()
    )
}

/// `at ± INTERVAL value unit`, months added the server's way (the day clamped to the month).
fn add_interval(
    at: PrimitiveDateTime,
    value: &str,
    unit: &str,
    sign: i64,
) -> Option<PrimitiveDateTime> {
    let canonical = canonical_interval(value, unit).ok()?;
    let numbers: Vec<i64> = canonical
        .split([' ', ':', '-'])
        .map(|n| n.parse().ok())
        .collect::<Option<_>>()?;
    let seconds_per = |part: &str| match part {
        "WEEK" => Some(604_800),
        "DAY" => Some(86_400),
        "HOUR" => Some(3_600),
        "MINUTE" => Some(60),
        "SECOND" => Some(1),
        _ => None,
    };
    let (months, seconds) = match (unit, unit_parts(unit)?) {
        ("YEAR", _) => (numbers[0] * 12, 0),
        ("QUARTER", _) => (numbers[0] * 3, 0),
        ("MONTH", _) => (numbers[0], 0),
        ("YEAR_MONTH", _) => (numbers[0] * 12 + numbers[1], 0),
        (simple, []) => (0, numbers[0] * seconds_per(simple)?),
        (_, parts) => {
            let mut seconds = 0;
            for ((part, _), n) in parts.iter().zip(&numbers) {
                seconds += n * seconds_per(part)?;
            }
            (0, seconds)
        }
    };
    let at = at.checked_add(Duration::seconds(sign * seconds))?;
    if months == 0 {
        return Some(at);
    }
    let index = i64::from(at.year()) * 12 + i64::from(u8::from(at.month())) - 1 + sign * months;
    let year = i32::try_from(index.div_euclid(12)).ok()?;
    let month = Month::try_from(u8::try_from(index.rem_euclid(12) + 1).ok()?).ok()?;
    let last_day = (28..=31)
        .rev()
        .find(|d| Date::from_calendar_date(year, month, *d).is_ok())?;
    let date = Date::from_calendar_date(year, month, at.day().min(last_day)).ok()?;
    Some(PrimitiveDateTime::new(date, at.time()))
}

// ---------------------------------------------------------------------------------------------
// Rendering

fn event_name(schema: &str, name: &str, context: &RenderContext) -> String {
    if schema.is_empty() || context.unqualified_schema.as_deref() == Some(schema) {
        quote(name)
    } else {
        format!("{}.{}", quote(schema), quote(name))
    }
}

fn string(text: &str) -> String {
    format!("'{}'", text.replace('\\', "\\\\").replace('\'', "''"))
}

fn schedule_sql(schedule: &Schedule) -> String {
    match schedule {
        Schedule::At { at } => format!("AT {}", string(at)),
        Schedule::Every {
            value,
            unit,
            starts,
            ends,
        } => {
            let amount = if value.chars().all(|c| c.is_ascii_digit()) {
                value.clone()
            } else {
                string(value)
            };
            let mut sql = format!("EVERY {amount} {unit}");
            if let Some(starts) = starts {
                sql.push_str(&format!(" STARTS {}", string(starts)));
            }
            if let Some(ends) = ends {
                sql.push_str(&format!(" ENDS {}", string(ends)));
            }
            sql
        }
    }
}

fn completion_sql(preserve: bool) -> &'static str {
    if preserve {
        "ON COMPLETION PRESERVE"
    } else {
        "ON COMPLETION NOT PRESERVE"
    }
}

fn status_sql(status: EventStatus) -> &'static str {
    match status {
        EventStatus::Enabled => "ENABLE",
        EventStatus::Disabled => "DISABLE",
        EventStatus::DisabledOnSlave => "DISABLE ON SLAVE",
    }
}

/// `CREATE EVENT`, `DROP EVENT` and `ALTER EVENT`; other changes are not events (`None`).
pub fn render(change: &Change, context: &RenderContext) -> Option<Vec<String>> {
    Some(match change {
        Change::CreateEvent { schema, event } => {
            let mut sql = format!(
                "CREATE EVENT {} ON SCHEDULE {} {} {}",
                event_name(schema, &event.name, context),
                schedule_sql(&event.schedule),
                completion_sql(event.preserve),
                status_sql(event.status)
            );
            if let Some(comment) = &event.comment {
                sql.push_str(&format!(" COMMENT {}", string(comment)));
            }
            sql.push_str(&format!(" DO {}", event.body));
            vec![sql]
        }
        Change::DropEvent { schema, event } => {
            vec![format!(
                "DROP EVENT {}",
                event_name(schema, &event.name, context)
            )]
        }
        Change::AlterEvent { schema, from, to } => vec![alter_sql(schema, from, to, context)],
        _ => return None,
    })
}

/// `ALTER EVENT` with the clauses that differ only: restating an unchanged schedule would move
/// an implicit `STARTS` to now.
fn alter_sql(schema: &str, from: &Event, to: &Event, context: &RenderContext) -> String {
    let mut sql = format!("ALTER EVENT {}", event_name(schema, &to.name, context));
    if from.schedule != to.schedule {
        sql.push_str(&format!(" ON SCHEDULE {}", schedule_sql(&to.schedule)));
    }
    if from.preserve != to.preserve {
        sql.push_str(&format!(" {}", completion_sql(to.preserve)));
    }
    if from.status != to.status {
        sql.push_str(&format!(" {}", status_sql(to.status)));
    }
    if from.comment != to.comment {
        sql.push_str(&format!(
            " COMMENT {}",
            string(to.comment.as_deref().unwrap_or(""))
        ));
    }
    if from.body != to.body {
        sql.push_str(&format!(" DO {}", to.body));
    }
    sql
}

// ---------------------------------------------------------------------------------------------
// A small lexer for the clauses before `DO`

#[derive(Debug, Clone, PartialEq, Eq)]
enum Token<'a> {
    Word(&'a str),
    /// A backquoted identifier, unquoted.
    Quoted(String),
    /// A string literal, unescaped.
    Str(String),
    Number(&'a str),
    Symbol(char),
}

struct Cursor<'a> {
    text: &'a str,
    pos: usize,
    /// Where the last token read starts, for error offsets.
    last: usize,
}

impl<'a> Cursor<'a> {
    fn new(text: &'a str) -> Self {
        Cursor {
            text,
            pos: 0,
            last: 0,
        }
    }

    /// The text after the last token read.
    fn rest(&self) -> &'a str {
        &self.text[self.pos..]
    }

    fn skip_space(&mut self) {
        loop {
            let rest = &self.text[self.pos..];
            let trimmed = rest.trim_start();
            self.pos += rest.len() - trimmed.len();
            if trimmed.starts_with("-- ") || trimmed.starts_with('#') {
                self.pos += trimmed.find('\n').unwrap_or(trimmed.len());
            } else if trimmed.starts_with("/*") {
                self.pos += trimmed.find("*/").map_or(trimmed.len(), |i| i + 2);
            } else {
                return;
            }
        }
    }

    fn next(&mut self) -> Option<Token<'a>> {
        self.skip_space();
        let start = self.pos;
        self.last = start;
        let rest = &self.text[start..];
        let first = rest.chars().next()?;
        let (token, len) = if first.is_ascii_alphabetic() || first == '_' || !first.is_ascii() {
            let len = rest
                .find(|c: char| !(c.is_alphanumeric() || c == '_' || c == '$'))
                .unwrap_or(rest.len());
            (Token::Word(&rest[..len]), len)
        } else if first.is_ascii_digit() {
            let len = rest
                .find(|c: char| !(c.is_ascii_digit() || c == '.'))
                .unwrap_or(rest.len());
            (Token::Number(&rest[..len]), len)
        } else if first == '`' {
            let (text, len) = quoted(rest, first)?;
            (Token::Quoted(text), len)
        } else if matches!(first, '\'' | '"') {
            let (text, len) = quoted(rest, first)?;
            (Token::Str(text), len)
        } else {
            (Token::Symbol(first), first.len_utf8())
        };
        self.pos = start + len;
        Some(token)
    }

    fn peek(&mut self) -> Option<Token<'a>> {
        let (pos, last) = (self.pos, self.last);
        let token = self.next();
        (self.pos, self.last) = (pos, last);
        token
    }

    fn word(&mut self) -> Option<&'a str> {
        match self.peek()? {
            Token::Word(w) => {
                self.next();
                Some(w)
            }
            _ => None,
        }
    }

    fn eat(&mut self, word: &str) -> bool {
        match self.peek() {
            Some(Token::Word(w)) if w.eq_ignore_ascii_case(word) => {
                self.next();
                true
            }
            _ => false,
        }
    }

    fn eat_symbol(&mut self, symbol: char) -> bool {
        if self.peek() == Some(Token::Symbol(symbol)) {
            self.next();
            true
        } else {
            false
        }
    }
}

/// A quoted string or identifier at the start of `text`: its unescaped content and its length.
/// A doubled quote stands for itself; in strings a backslash escapes the next character.
fn quoted(text: &str, quote: char) -> Option<(String, usize)> {
    let mut content = String::new();
    let mut chars = text.char_indices().skip(1).peekable();
    while let Some((i, c)) = chars.next() {
        if c == quote {
            if chars.peek().map(|(_, n)| *n) == Some(quote) {
                chars.next();
                content.push(quote);
                continue;
            }
            return Some((content, i + 1));
        }
        if c == '\\' && quote != '`' {
            let (_, escaped) = chars.next()?;
            content.push(match escaped {
                'n' => '\n',
                't' => '\t',
                'r' => '\r',
                '0' => '\0',
                'Z' => '\x1a',
                other => other,
            });
            continue;
        }
        content.push(c);
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn context() -> SchemaContext {
        SchemaContext {
            default_schema: "app".to_string(),
        }
    }

    fn read(sql: &str, model: &Model) -> Result<Vec<Change>, StatementError> {
        statement_changes(sql, model, &context()).expect("an event statement")
    }

    fn created(sql: &str) -> Event {
        match read(sql, &Model::default()).unwrap().as_slice() {
            [Change::CreateEvent { schema, event }] if schema == "app" => event.clone(),
            other => panic!("expected one CreateEvent, got {other:?}"),
        }
    }

    fn model_with(event: &Event) -> Model {
        let mut model = Model::default();
        model
            .schema_mut("app")
            .events
            .insert(event.name.clone(), event.clone());
        model
    }

    #[test]
    fn reads_every_clause_of_create_event_and_keeps_the_body_as_written() {
        let event = created(
            "CREATE DEFINER='root'@'%' EVENT IF NOT EXISTS `daily_cleanup`\nON SCHEDULE EVERY 1 DAY \
             STARTS '2030-01-01' ENDS '2031-01-01 10:00' ON COMPLETION PRESERVE DISABLE ON SLAVE \
             COMMENT 'it''s old' DO BEGIN\n  DELETE FROM t WHERE x = ';';\nEND",
        );
        assert_eq!(
            event,
            Event {
                name: "daily_cleanup".to_string(),
                schedule: Schedule::Every {
                    value: "1".to_string(),
                    unit: "DAY".to_string(),
                    starts: Some("2030-01-01 00:00:00".to_string()),
                    ends: Some("2031-01-01 10:00:00".to_string()),
                },
                preserve: true,
                status: EventStatus::DisabledOnSlave,
                comment: Some("it's old".to_string()),
                body: "BEGIN\n  DELETE FROM t WHERE x = ';';\nEND".to_string(),
            }
        );
    }

    #[test]
    fn defaults_are_absent_and_starting_now_is_no_start() {
        let event = created(
            "create event e on schedule every '0 36' day_hour starts current_timestamp \
             enable comment '' do select 1",
        );
        assert_eq!(
            event.schedule,
            Schedule::Every {
                value: "1 12".to_string(),
                unit: "DAY_HOUR".to_string(),
                starts: None,
                ends: None,
            }
        );
        assert!(!event.preserve);
        assert_eq!(event.status, EventStatus::Enabled);
        assert_eq!(event.comment, None);
    }

    #[test]
    fn at_timestamps_work_out_their_intervals() {
        let at = |sql: &str| match created(sql).schedule {
            Schedule::At { at } => at,
            other => panic!("expected AT, got {other:?}"),
        };
        assert_eq!(
            at("CREATE EVENT e ON SCHEDULE AT '2035-01-01 00:00:00' + INTERVAL 1 HOUR DO SELECT 1"),
            "2035-01-01 01:00:00"
        );
        assert_eq!(
            at(
                "CREATE EVENT e ON SCHEDULE AT '2030-01-31' + INTERVAL 1 MONTH - INTERVAL '1:30' HOUR_MINUTE DO SELECT 1"
            ),
            "2030-02-27 22:30:00"
        );
    }

    #[test]
    fn schedules_relative_to_now_are_refused_as_unsupported() {
        let error = read(
            "CREATE EVENT e ON SCHEDULE AT CURRENT_TIMESTAMP + INTERVAL 1 HOUR DO SELECT 1",
            &Model::default(),
        )
        .unwrap_err();
        assert!(
            error.message.starts_with("unsupported MySQL DDL"),
            "{}",
            error.message
        );
    }

    #[test]
    fn compound_intervals_are_carried_as_the_server_prints_them() {
        assert_eq!(canonical_interval("0:90", "HOUR_MINUTE").unwrap(), "1:30");
        assert_eq!(
            canonical_interval("1 2:3:4", "DAY_SECOND").unwrap(),
            "1 2:3:4"
        );
        assert_eq!(canonical_interval("1-14", "YEAR_MONTH").unwrap(), "2-2");
        assert_eq!(canonical_interval("007", "MINUTE").unwrap(), "7");
        assert!(canonical_interval("1 2 3", "DAY_HOUR").is_err());
        assert!(canonical_interval("1", "FORTNIGHT").is_err());
    }

    #[test]
    fn alter_event_changes_only_what_it_states_and_drop_removes() {
        let event = created("CREATE EVENT e ON SCHEDULE EVERY 1 DAY DO DELETE FROM t");
        let model = model_with(&event);
        let changes = read("ALTER EVENT e DISABLE COMMENT 'x'", &model).unwrap();
        let expected = Event {
            status: EventStatus::Disabled,
            comment: Some("x".to_string()),
            ..event.clone()
        };
        assert_eq!(
            changes,
            [Change::AlterEvent {
                schema: "app".to_string(),
                from: event.clone(),
                to: expected,
            }]
        );
        assert_eq!(
            read("DROP EVENT IF EXISTS app.e", &model).unwrap(),
            [Change::DropEvent {
                schema: "app".to_string(),
                event,
            }]
        );
        assert!(
            read("DROP EVENT IF EXISTS gone", &model)
                .unwrap()
                .is_empty()
        );
        assert!(read("DROP EVENT gone", &model).is_err());
    }

    #[test]
    fn a_schema_file_keeps_a_compound_body_whole_and_names_an_error_by_line() {
        use crate::backend::mysql::Mysql;
        use crate::source::{LoadError, LoadOptions, load_sql_text};
        use std::path::Path;
        let context = context();
        let options = LoadOptions {
            dialect: &Mysql,
            context: &context,
        };
        let text = "CREATE TABLE t (id int);\nCREATE EVENT e ON SCHEDULE EVERY 1 HOUR DO BEGIN\n  \
                    DELETE FROM t;\n  UPDATE t SET id = CASE WHEN id > 0 THEN 1 ELSE 0 END;\nEND;\n\
                    CREATE EVENT f ON SCHEDULE EVERY 1 DAY STARTS 'soon' DO SELECT 1;\n";
        match load_sql_text(text, Path::new("s.sql"), options) {
            Err(LoadError::Invalid {
                location, message, ..
            }) => {
                assert_eq!((location.line, location.column), (6, 47), "{message}");
                assert!(message.contains("invalid timestamp 'soon'"), "{message}");
            }
            other => panic!("expected an invalid-input error, got {other:?}"),
        }
        let valid = text.split("CREATE EVENT f").next().unwrap_or_default();
        let model = load_sql_text(valid, Path::new("s.sql"), options).unwrap();
        let event = &model.schemas["app"].events["e"];
        assert!(event.body.starts_with("BEGIN\n  DELETE FROM t;"));
        assert!(event.body.ends_with("ELSE 0 END;\nEND"), "{}", event.body);
    }

    #[test]
    fn other_statements_are_not_events() {
        for sql in [
            "CREATE TABLE event (id int)",
            "CREATE DEFINER = root@localhost TRIGGER t BEFORE INSERT ON x FOR EACH ROW SET @a = 1",
            "DROP TABLE events",
        ] {
            assert!(
                statement_changes(sql, &Model::default(), &context()).is_none(),
                "{sql}"
            );
        }
    }

    #[test]
    fn rendered_events_read_back_to_the_same_event() {
        let event = created(
            "CREATE EVENT e ON SCHEDULE EVERY '1 4' DAY_HOUR ENDS '2031-01-01' ON COMPLETION PRESERVE \
             DISABLE COMMENT 'a\\'b' DO BEGIN SELECT 1; END",
        );
        let render_context = RenderContext {
            unqualified_schema: Some("app".to_string()),
            ..RenderContext::default()
        };
        let sql = render(
            &Change::CreateEvent {
                schema: "app".to_string(),
                event: event.clone(),
            },
            &render_context,
        )
        .unwrap();
        assert_eq!(created(&sql[0]), event);
        let to = Event {
            body: "SELECT 2".to_string(),
            status: EventStatus::Enabled,
            ..event.clone()
        };
        let alter = render(
            &Change::AlterEvent {
                schema: "app".to_string(),
                from: event.clone(),
                to: to.clone(),
            },
            &render_context,
        )
        .unwrap();
        assert_eq!(alter, ["ALTER EVENT `e` ENABLE DO SELECT 2"]);
        match read(&alter[0], &model_with(&event)).unwrap().as_slice() {
            [Change::AlterEvent { to: read_to, .. }] => assert_eq!(*read_to, to),
            other => panic!("expected an AlterEvent, got {other:?}"),
        }
    }
}
