//! `bfm import migrations`: goose, golang-migrate, sql-migrate, Flyway and dbmate directories
//! converted into bfm's hand-written migrations, and (in [`state`]) the old tool's state table
//! read into the set of migrations that already ran.
//!
//! Conversion is pure: a directory's files in, bfm files and warnings out. Each format's parser
//! (one submodule each) finds the migrations in the tool's own order and rewrites every
//! annotation line into bfm's, line for line, so an error in the SQL names the original file's
//! line. [`convert`] then maps the versions onto bfm's timestamps and writes each migration as
//! one `{version}_{name}.sql` file with `-- +migrate Up` / `-- +migrate Down` sections.

mod dbmate;
mod flyway;
mod golang_migrate;
mod goose;
mod sql_migrate;
pub mod state;

use crate::migrations::{Version, sanitize_name};
use crate::source::script::{self, Section};
use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

/// The migration tools whose directories bfm imports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Format {
    Goose,
    GolangMigrate,
    SqlMigrate,
    Flyway,
    Dbmate,
}

impl Format {
    pub const ALL: [Format; 5] = [
        Format::Goose,
        Format::GolangMigrate,
        Format::SqlMigrate,
        Format::Flyway,
        Format::Dbmate,
    ];

    /// The name on the command line (`--format golang-migrate`).
    pub fn as_str(self) -> &'static str {
        match self {
            Format::Goose => "goose",
            Format::GolangMigrate => "golang-migrate",
            Format::SqlMigrate => "sql-migrate",
            Format::Flyway => "flyway",
            Format::Dbmate => "dbmate",
        }
    }

    pub fn parse(text: &str) -> Option<Format> {
        Format::ALL.into_iter().find(|f| f.as_str() == text)
    }

    /// Flyway finds migrations in subdirectories too; the others read one flat directory.
    pub fn reads_subdirectories(self) -> bool {
        self == Format::Flyway
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One file of the directory being imported.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceFile {
    /// The path relative to the directory, `/`-separated: what the file names are parsed from.
    pub name: String,
    /// The path as messages show it (the directory as given, joined with `name`).
    pub shown: String,
    pub text: String,
}

/// Something the import could not carry over, or changed in meaning; never dropped silently.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Warning {
    pub file: String,
    pub line: Option<usize>,
    pub message: String,
}

impl Warning {
    fn file(file: &SourceFile, message: impl Into<String>) -> Warning {
        Warning {
            file: file.shown.clone(),
            line: None,
            message: message.into(),
        }
    }

    fn line(file: &SourceFile, line: usize, message: impl Into<String>) -> Warning {
        Warning {
            file: file.shown.clone(),
            line: Some(line),
            message: message.into(),
        }
    }
}

impl fmt::Display for Warning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(line) => write!(f, "{}:{line}: {}", self.file, self.message),
            None => write!(f, "{}: {}", self.file, self.message),
        }
    }
}

/// How the old tool's state table names a migration, to match its rows with the files.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum StateKey {
    /// goose's `version_id`, golang-migrate's `version`.
    Number(u64),
    /// sql-migrate's `id` (the file name), dbmate's `version` (the digits of the file name).
    Text(String),
    /// Flyway's dotted version, trailing zero parts removed (`1.0` is `1`).
    Parts(Vec<u64>),
}

/// One migration converted into a bfm file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConvertedMigration {
    /// `{version}_{name}.sql`.
    pub file_name: String,
    /// The file name without `.sql`: the id bfm's state store records.
    pub id: String,
    pub text: String,
    pub version: Version,
    /// The version as the old tool wrote it (`00001`, `1.2.3`); empty when it has none.
    pub original_version: String,
    /// The files it was made from, relative to the imported directory.
    pub sources: Vec<String>,
    pub key: StateKey,
}

/// The result of converting a directory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Imported {
    pub format: Format,
    /// In the old tool's order, which is also the order of their bfm versions.
    pub migrations: Vec<ConvertedMigration>,
    pub warnings: Vec<Warning>,
}

#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error("{file}:{line}:{column}: {message}")]
    Parse {
        file: String,
        line: usize,
        column: usize,
        message: String,
    },
    #[error("{file}: {message}")]
    Name { file: String, message: String },
    #[error("{first} and {second} have the same version {version}")]
    DuplicateVersion {
        version: String,
        first: String,
        second: String,
    },
    #[error("cannot read or write {}: {source}", path.display())]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{} holds no {format} migration", dir.display())]
    NoMigrations { dir: PathBuf, format: Format },
    #[error("nothing was written: {} already exist(s) (pass --force to overwrite)", files.join(", "))]
    WouldOverwrite { files: Vec<String> },
    #[error(
        "{table} says version {version} is dirty: its last migration failed halfway. Fix the \
         database and the row (golang-migrate's `force`) first; nothing was written"
    )]
    Dirty { table: String, version: i64 },
    #[error(
        "{table} records version {version} as failed: repair it (`flyway repair`) first; \
         nothing was written"
    )]
    FailedMigration { table: String, version: String },
    #[error("no state table {table} in the database (looked in {searched})")]
    NoStateTable { table: String, searched: String },
    #[error("cannot read {table}: {message}")]
    Database { table: String, message: String },
}

/// What a format's parser finds: one migration of the old tool.
#[derive(Debug, Clone)]
struct Found {
    /// The version as written in the file name; empty for a sql-migrate file without one.
    version_text: String,
    /// The version's value when it is a plain integer.
    number: Option<u64>,
    name: String,
    key: StateKey,
    body: Body,
    no_transaction: bool,
}

/// The SQL of a migration, annotation lines already rewritten line for line.
#[derive(Debug, Clone)]
enum Body {
    /// One file with up and down sections (goose, sql-migrate, dbmate).
    Sections(Part),
    /// An up file and perhaps a down file (golang-migrate, Flyway's `V` and `U`).
    Pair { up: Part, down: Option<Part> },
}

#[derive(Debug, Clone)]
struct Part {
    file: SourceFile,
    /// The file's text with its annotation lines rewritten; same lines as the original.
    text: String,
}

impl Body {
    fn parts(&self) -> Vec<&Part> {
        match self {
            Body::Sections(part) => vec![part],
            Body::Pair { up, down } => std::iter::once(up).chain(down).collect(),
        }
    }

    fn sources(&self) -> Vec<String> {
        self.parts().iter().map(|p| p.file.name.clone()).collect()
    }
}

/// Converts the files of a `format` directory. `files` in any order; the result follows the
/// tool's own order.
pub fn convert(format: Format, files: &[SourceFile]) -> Result<Imported, ImportError> {
    let mut warnings = Vec::new();
    let found = match format {
        Format::Goose => goose::parse(files, &mut warnings)?,
        Format::GolangMigrate => golang_migrate::parse(files, &mut warnings)?,
        Format::SqlMigrate => sql_migrate::parse(files, &mut warnings)?,
        Format::Flyway => flyway::parse(files, &mut warnings)?,
        Format::Dbmate => dbmate::parse(files, &mut warnings)?,
    };
    let mut seen: BTreeMap<&StateKey, &Found> = BTreeMap::new();
    for migration in &found {
        if let Some(first) = seen.insert(&migration.key, migration) {
            return Err(ImportError::DuplicateVersion {
                version: migration.version_text.clone(),
                first: first.body.parts()[0].file.shown.clone(),
                second: migration.body.parts()[0].file.shown.clone(),
            });
        }
    }
    let versions = bfm_versions(&found, &mut warnings);
    let mut migrations = Vec::with_capacity(found.len());
    for (migration, version) in found.iter().zip(versions) {
        check_sql(migration, &mut warnings)?;
        migrations.push(write_file(format, migration, version));
    }
    Ok(Imported {
        format,
        migrations,
        warnings,
    })
}

/// The largest Unix time bfm's versions can write (9999-12-31 23:59:59 UTC).
const MAX_UNIX_SECONDS: u64 = 253_402_300_799;

/// bfm versions for `found`, in order. A version that already is `YYYYMMDDHHMMSS` stays; any
/// other integer `N` becomes the UTC second `N` seconds after the Unix epoch (so a Unix-time
/// version is its own time and goose's `00001` is `19700101000001`). When that does not keep the
/// tool's order, or a version is not an integer (Flyway's `1.2.3`), every migration is numbered
/// by its position instead: the k-th is `k` seconds after the epoch.
fn bfm_versions(found: &[Found], warnings: &mut Vec<Warning>) -> Vec<Version> {
    if found.iter().all(|m| m.number.is_some()) {
        let by_value: Vec<Option<Version>> = found.iter().map(value_version).collect();
        let breaks = (0..found.len()).find(|&index| match by_value[index] {
            None => true,
            Some(version) => index > 0 && by_value[index - 1].is_some_and(|prev| prev >= version),
        });
        match breaks {
            None => return by_value.into_iter().flatten().collect(),
            Some(index) => warnings.push(Warning::file(
                &found[index].body.parts()[0].file,
                format!(
                    "version {} cannot keep its value as a bfm version (out of range, or out of \
                     the directory's order): every migration is numbered by its position \
                     instead; the original versions stay in the names",
                    found[index].version_text
                ),
            )),
        }
    }
    (1..=found.len() as u64)
        .map(|position| unix_version(position).unwrap_or_else(Version::now))
        .collect()
}

/// An integer version as a bfm version: itself when it is `YYYYMMDDHHMMSS`, else that many
/// seconds after the epoch.
fn value_version(migration: &Found) -> Option<Version> {
    if migration.version_text.len() == 14
        && let Ok(version) = Version::parse(&migration.version_text)
    {
        return Some(version);
    }
    unix_version(migration.number?)
}

/// The UTC second `seconds` after the Unix epoch as a version.
fn unix_version(seconds: u64) -> Option<Version> {
    if seconds > MAX_UNIX_SECONDS {
        return None;
    }
    let time = time::OffsetDateTime::from_unix_timestamp(i64::try_from(seconds).ok()?).ok()?;
    let text = format!(
        "{:04}{:02}{:02}{:02}{:02}{:02}",
        time.year(),
        u8::from(time.month()),
        time.day(),
        time.hour(),
        time.minute(),
        time.second()
    );
    Version::parse(&text).ok()
}

/// Splits every part as bfm will, so a lexical error names the original file and line, and
/// warns about what bfm would run differently.
fn check_sql(migration: &Found, warnings: &mut Vec<Warning>) -> Result<(), ImportError> {
    for part in migration.body.parts() {
        let split = script::split(&part.text).map_err(|error| ImportError::Parse {
            file: part.file.shown.clone(),
            line: error.line,
            column: error.column,
            message: error.message,
        })?;
        for statement in &split.statements {
            if matches!(migration.body, Body::Sections(_)) && statement.section == Section::Whole {
                warnings.push(Warning::line(
                    &part.file,
                    statement.line,
                    "SQL before the up section belongs to neither direction: it is kept in the \
                     file but never runs",
                ));
            }
            if !migration.no_transaction && is_transaction_control(&statement.sql) {
                warnings.push(Warning::line(
                    &part.file,
                    statement.line,
                    format!(
                        "`{}` manages a transaction inside the file, but bfm already runs the \
                         migration in one: remove it, or mark the file -- bfm:no-transaction",
                        first_words(&statement.sql)
                    ),
                ));
            }
        }
    }
    Ok(())
}

fn first_words(sql: &str) -> String {
    sql.split_whitespace().take(2).collect::<Vec<_>>().join(" ")
}

/// `BEGIN`, `COMMIT`, `ROLLBACK`, `END`, `START TRANSACTION` as whole statements.
fn is_transaction_control(sql: &str) -> bool {
    let words: Vec<String> = sql
        .split_whitespace()
        .take(2)
        .map(str::to_ascii_uppercase)
        .collect();
    match words.first().map(String::as_str) {
        Some("COMMIT" | "ROLLBACK" | "END" | "ABORT") => words.len() == 1 || words[1] != "PREPARED",
        Some("BEGIN") => {
            words.len() == 1 || matches!(words[1].as_str(), "TRANSACTION" | "WORK" | "ISOLATION")
        }
        Some("START") => words.get(1).is_some_and(|w| w == "TRANSACTION"),
        _ => false,
    }
}

/// The bfm file of one migration: a header naming where it came from, then its sections.
fn write_file(format: Format, migration: &Found, version: Version) -> ConvertedMigration {
    let mut name = sanitize_name(&migration.name).unwrap_or_else(|_| "migration".to_string());
    if !migration.version_text.is_empty() && version.to_string() != migration.version_text {
        let original = sanitize_name(&migration.version_text).unwrap_or_default();
        name = format!("v{original}_{name}");
    }
    let sources = migration.body.sources();
    let shown_version = if migration.version_text.is_empty() {
        "no version: ordered by name".to_string()
    } else {
        format!("version {}", migration.version_text)
    };
    let mut text = format!(
        "-- Imported by `bfm import migrations` from {format}: {} ({shown_version}).\n",
        sources.join(", "),
    );
    let marked_inside = migration.body.parts().iter().any(|part| {
        part.text
            .lines()
            .any(|line| comment_body(line) == Some("bfm:no-transaction"))
    });
    if migration.no_transaction && !marked_inside {
        text.push_str("-- bfm:no-transaction\n");
    }
    match &migration.body {
        Body::Sections(part) => push_text(&mut text, &part.text),
        Body::Pair { up, down } => {
            text.push_str("-- +migrate Up\n");
            push_text(&mut text, &up.text);
            text.push_str("-- +migrate Down\n");
            if let Some(down) = down {
                push_text(&mut text, &down.text);
            }
        }
    }
    let id = format!("{version}_{name}");
    ConvertedMigration {
        file_name: format!("{id}.sql"),
        id,
        text,
        version,
        original_version: migration.version_text.clone(),
        sources,
        key: migration.key.clone(),
    }
}

fn push_text(out: &mut String, text: &str) {
    out.push_str(text);
    if !text.is_empty() && !text.ends_with('\n') {
        out.push('\n');
    }
}

/// Replaces the content of one line, keeping its line ending, so line numbers stay the same.
fn replace_line(line: &str, with: &str) -> String {
    let ending = if line.ends_with("\r\n") {
        "\r\n"
    } else if line.ends_with('\n') {
        "\n"
    } else {
        ""
    };
    format!("{with}{ending}")
}

/// What an annotation comment of a sectioned file means.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Annotation {
    Up {
        no_transaction: bool,
    },
    Down {
        no_transaction: bool,
    },
    BlockBegin,
    BlockEnd,
    /// A whole-file no-transaction marker (goose's `NO TRANSACTION`).
    NoTransaction,
    /// An annotation bfm has no equivalent for: kept as a comment, with this warning.
    Unknown(String),
}

/// A sectioned file with its annotations rewritten into bfm's.
#[derive(Debug, Clone, Default)]
struct Translated {
    text: String,
    saw_up: bool,
    saw_down: bool,
    no_transaction_up: bool,
    no_transaction_down: bool,
    no_transaction_file: bool,
}

/// Rewrites the annotation lines `recognize` finds into bfm's, each in place, so every other
/// line keeps its number; options bfm cannot carry become warnings.
fn translate(
    file: &SourceFile,
    recognize: impl Fn(&str) -> Option<Annotation>,
    warnings: &mut Vec<Warning>,
) -> Translated {
    let mut out = Translated::default();
    for (index, line) in file.text.split_inclusive('\n').enumerate() {
        let Some(annotation) = recognize(line) else {
            out.text.push_str(line);
            continue;
        };
        let replacement = match annotation {
            Annotation::Up { no_transaction } => {
                out.saw_up = true;
                out.no_transaction_up |= no_transaction;
                "-- +migrate Up"
            }
            Annotation::Down { no_transaction } => {
                out.saw_down = true;
                out.no_transaction_down |= no_transaction;
                "-- +migrate Down"
            }
            Annotation::BlockBegin => "-- +migrate StatementBegin",
            Annotation::BlockEnd => "-- +migrate StatementEnd",
            Annotation::NoTransaction => {
                out.no_transaction_file = true;
                "-- bfm:no-transaction"
            }
            Annotation::Unknown(message) => {
                warnings.push(Warning::line(file, index + 1, message));
                out.text.push_str(line);
                continue;
            }
        };
        out.text.push_str(&replace_line(line, replacement));
    }
    out
}

impl Translated {
    /// Whether the file runs outside a transaction, warning when only the down direction asked.
    fn no_transaction(&self, file: &SourceFile, warnings: &mut Vec<Warning>) -> bool {
        if self.no_transaction_up != self.no_transaction_down && !self.no_transaction_file {
            let direction = if self.no_transaction_up { "up" } else { "down" };
            warnings.push(one_direction_only(file, direction));
        }
        self.no_transaction_file || self.no_transaction_up || self.no_transaction_down
    }

    /// Errors when the up marker is missing (each tool refuses such a file too); warns when
    /// the down one is.
    fn require_up(
        &self,
        file: &SourceFile,
        marker: &str,
        warnings: &mut Vec<Warning>,
    ) -> Result<(), ImportError> {
        if !self.saw_up {
            return Err(ImportError::Parse {
                file: file.shown.clone(),
                line: 1,
                column: 1,
                message: format!("no `{marker}` line: the file has no up section"),
            });
        }
        if !self.saw_down {
            warnings.push(no_down(file));
        }
        Ok(())
    }
}

/// The text after `--` of a comment line, trimmed; `None` for any other line.
fn comment_body(line: &str) -> Option<&str> {
    line.trim().strip_prefix("--").map(str::trim)
}

/// The file name after the last `/`.
fn base_name(name: &str) -> &str {
    name.rsplit('/').next().unwrap_or(name)
}

/// The leading ASCII digits of `text`.
fn leading_digits(text: &str) -> &str {
    let end = text
        .bytes()
        .position(|b| !b.is_ascii_digit())
        .unwrap_or(text.len());
    &text[..end]
}

/// A warning for a file that is not a migration of `format` and was not imported.
fn not_imported(file: &SourceFile, format: Format, expected: &str) -> Warning {
    Warning::file(
        file,
        format!("not a {format} migration ({expected}): not imported"),
    )
}

/// A file with one direction marked to run outside a transaction: bfm's marker covers the whole
/// file, so the other direction loses its transaction too.
fn one_direction_only(file: &SourceFile, direction: &str) -> Warning {
    Warning::file(
        file,
        format!(
            "only the {direction} section was marked to run outside a transaction; bfm's \
             -- bfm:no-transaction covers the whole file, so both directions run without one"
        ),
    )
}

/// A migration without a down section.
fn no_down(file: &SourceFile) -> Warning {
    Warning::file(
        file,
        "no down migration: `bfm down` over this one runs nothing",
    )
}

/// Reads the files of `dir` (and, for Flyway, of its subdirectories) for [`convert`]. Files
/// that are not UTF-8 and skipped subdirectories come back as warnings.
pub fn read_directory(
    dir: &Path,
    format: Format,
) -> Result<(Vec<SourceFile>, Vec<Warning>), ImportError> {
    let mut files = Vec::new();
    let mut warnings = Vec::new();
    read_into(dir, "", format, &mut files, &mut warnings)?;
    files.sort_by(|a, b| a.name.cmp(&b.name));
    Ok((files, warnings))
}

fn read_into(
    dir: &Path,
    prefix: &str,
    format: Format,
    files: &mut Vec<SourceFile>,
    warnings: &mut Vec<Warning>,
) -> Result<(), ImportError> {
    let io = |path: &Path| {
        let path = path.to_path_buf();
        move |source| ImportError::Io { path, source }
    };
    let mut entries = Vec::new();
    for entry in std::fs::read_dir(dir).map_err(io(dir))? {
        let entry = entry.map_err(io(dir))?;
        entries.push(entry);
    }
    entries.sort_by_key(|entry| entry.file_name());
    for entry in entries {
        let path = entry.path();
        let Some(file_name) = entry.file_name().to_str().map(str::to_string) else {
            warnings.push(Warning {
                file: path.display().to_string(),
                line: None,
                message: "the file name is not UTF-8: not imported".into(),
            });
            continue;
        };
        if file_name.starts_with('.') {
            continue;
        }
        let name = format!("{prefix}{file_name}");
        let shown = path.display().to_string();
        let kind = entry.file_type().map_err(io(&path))?;
        if kind.is_dir() {
            if format.reads_subdirectories() {
                read_into(&path, &format!("{name}/"), format, files, warnings)?;
            } else {
                warnings.push(Warning {
                    file: shown,
                    line: None,
                    message: format!("{format} reads no subdirectory: not imported"),
                });
            }
            continue;
        }
        let bytes = std::fs::read(&path).map_err(io(&path))?;
        match String::from_utf8(bytes) {
            Ok(text) => files.push(SourceFile { name, shown, text }),
            Err(_) => warnings.push(Warning {
                file: shown,
                line: None,
                message: "not UTF-8 text: not imported".into(),
            }),
        }
    }
    Ok(())
}

#[cfg(test)]
pub(crate) fn source(name: &str, text: &str) -> SourceFile {
    SourceFile {
        name: name.to_string(),
        shown: format!("dir/{name}"),
        text: text.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn found(version: &str) -> Found {
        Found {
            version_text: version.to_string(),
            number: version.parse().ok(),
            name: "x".into(),
            key: StateKey::Text(version.into()),
            body: Body::Sections(Part {
                file: source(&format!("{version}_x.sql"), ""),
                text: String::new(),
            }),
            no_transaction: false,
        }
    }

    fn versions(list: &[&str]) -> (Vec<String>, Vec<Warning>) {
        let found: Vec<Found> = list.iter().map(|v| found(v)).collect();
        let mut warnings = Vec::new();
        let versions = bfm_versions(&found, &mut warnings);
        (versions.iter().map(ToString::to_string).collect(), warnings)
    }

    #[test]
    fn timestamps_stay_and_small_integers_count_seconds_from_the_epoch() {
        let (got, warnings) = versions(&["00001", "00002", "20240101120000"]);
        assert_eq!(got, ["19700101000001", "19700101000002", "20240101120000"]);
        assert!(warnings.is_empty());
    }

    #[test]
    fn unix_time_versions_become_their_own_utc_time() {
        let (got, _) = versions(&["1500360784", "1500360800"]);
        assert_eq!(got, ["20170718065304", "20170718065320"]);
    }

    #[test]
    fn versions_that_would_break_the_order_are_numbered_by_position_with_a_warning() {
        let (got, warnings) = versions(&["20240101120000", "99999999999999"]);
        assert_eq!(got, ["19700101000001", "19700101000002"]);
        assert_eq!(warnings.len(), 1);
        assert!(warnings[0].message.contains("99999999999999"));
    }

    #[test]
    fn dotted_versions_are_numbered_by_position() {
        let (got, warnings) = versions(&["1", "1.1", "2"]);
        assert_eq!(got, ["19700101000001", "19700101000002", "19700101000003"]);
        assert!(warnings.is_empty());
    }

    #[test]
    fn transaction_control_statements_are_recognised() {
        for sql in [
            "BEGIN",
            "begin transaction",
            "COMMIT",
            "START TRANSACTION",
            "END",
        ] {
            assert!(is_transaction_control(sql), "{sql}");
        }
        for sql in [
            "BEGIN ATOMIC",
            "COMMIT PREPARED 'x'",
            "CREATE TABLE begin (a int)",
        ] {
            assert!(!is_transaction_control(sql), "{sql}");
        }
    }

    #[test]
    fn a_converted_file_is_read_by_bfm_as_up_and_down_sections() {
        let migration = Found {
            body: Body::Pair {
                up: Part {
                    file: source("1_a.up.sql", ""),
                    text: "CREATE TABLE a (id int);".into(),
                },
                down: Some(Part {
                    file: source("1_a.down.sql", ""),
                    text: "DROP TABLE a;\n".into(),
                }),
            },
            no_transaction: true,
            ..found("1")
        };
        let converted = write_file(Format::GolangMigrate, &migration, unix_version(1).unwrap());
        assert_eq!(converted.file_name, "19700101000001_v1_x.sql");
        let split = script::split(&converted.text).unwrap();
        let sections: Vec<(Section, &str)> = split
            .statements
            .iter()
            .map(|s| (s.section, s.sql.as_str()))
            .collect();
        assert_eq!(
            sections,
            [
                (Section::Up, "CREATE TABLE a (id int)"),
                (Section::Down, "DROP TABLE a")
            ]
        );
        assert_eq!(split.directives[0].1, "no-transaction");
        assert!(converted.text.starts_with(
            "-- Imported by `bfm import migrations` from golang-migrate: 1_a.up.sql, \
             1_a.down.sql (version 1).\n"
        ));
    }
}
