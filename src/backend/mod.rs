//! One folder per backend, each implementing the same small [`Dialect`] trait: how its SQL reads
//! into changes, how its types and expressions normalize, and how changes render back to SQL.

pub mod etcd;
pub mod greptime;
pub mod mysql;
pub mod postgres;

use crate::model::{Change, Model, QualifiedName};
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;
use std::fmt;

/// The kinds of database bfm manages.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum BackendKind {
    Postgresql,
    Greptimedb,
    Etcd,
    Mysql,
}

impl BackendKind {
    /// The name used in `bfm.yaml`, in `{CONN}_BACKEND` and as the folder under `generated/`.
    pub fn as_str(self) -> &'static str {
        match self {
            BackendKind::Postgresql => "postgresql",
            BackendKind::Greptimedb => "greptimedb",
            BackendKind::Etcd => "etcd",
            BackendKind::Mysql => "mysql",
        }
    }

    pub fn parse(name: &str) -> Option<BackendKind> {
        match name.to_ascii_lowercase().as_str() {
            "postgresql" | "postgres" | "pg" => Some(BackendKind::Postgresql),
            "greptimedb" | "greptime" => Some(BackendKind::Greptimedb),
            "etcd" => Some(BackendKind::Etcd),
            "mysql" | "mariadb" => Some(BackendKind::Mysql),
            _ => None,
        }
    }
}

impl fmt::Display for BackendKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Which schema unqualified names belong to, when reading SQL or YAML.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SchemaContext {
    /// Unqualified objects go here (`core`, or a per-environment connection's placeholder).
    pub default_schema: String,
}

/// How rendered SQL names objects.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RenderContext {
    /// Objects of this schema are printed unqualified: a per-environment connection's SQL picks
    /// its schema at apply time through `search_path`.
    pub unqualified_schema: Option<String>,
    /// The user-defined types (enums and domains) the rendered changes may use. A column type spelled
    /// unqualified is qualified with its table's schema only when it names one of these, so
    /// extension types such as `citext` stay as written.
    pub user_types: BTreeSet<QualifiedName>,
    /// The AUTO_INCREMENT (identity) columns of the models, by table: MySQL needs such a column
    /// to lead some key at every moment, so dropping the primary key over it must leave an index.
    pub auto_increment: BTreeSet<(QualifiedName, String)>,
}

impl RenderContext {
    /// The context for rendering changes between `models` (typically the current and desired
    /// state): every enum either side holds is a user type.
    pub fn for_models(models: &[&Model], unqualified_schema: Option<String>) -> Self {
        let user_types = models
            .iter()
            .flat_map(|model| model.schemas.iter())
            .flat_map(|(schema, s)| {
                s.enums
                    .keys()
                    .chain(s.domains.keys())
                    .map(move |name| QualifiedName::new(schema.clone(), name.clone()))
            })
            .collect();
        let auto_increment = models
            .iter()
            .flat_map(|model| model.schemas.iter())
            .flat_map(|(schema, s)| {
                s.tables.values().flat_map(move |table| {
                    table
                        .columns
                        .iter()
                        .filter(|c| c.identity.is_some())
                        .map(move |c| (QualifiedName::new(schema, &table.name), c.name.clone()))
                })
            })
            .collect();
        RenderContext {
            unqualified_schema,
            user_types,
            auto_increment,
        }
    }
}

/// The kinds of constraint or index a server names by itself when the DDL does not.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConstraintKind {
    PrimaryKey,
    Unique,
    ForeignKey,
    Check,
    Index,
}

/// A SQL statement bfm could not read: the message, and where in the statement text it went
/// wrong (a byte offset into the statement) when known.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct StatementError {
    pub message: String,
    pub offset: Option<usize>,
}

impl StatementError {
    pub fn new(message: impl Into<String>) -> Self {
        StatementError {
            message: message.into(),
            offset: None,
        }
    }

    pub fn at(message: impl Into<String>, offset: usize) -> Self {
        StatementError {
            message: message.into(),
            offset: Some(offset),
        }
    }
}

/// One statement of a SQL file, as the dialect sees it.
#[derive(Debug, Clone, Copy)]
pub struct StatementText<'a> {
    /// The statement without its terminating `;`, comments inside it kept.
    pub sql: &'a str,
    /// `bfm:` directives from the comment lines right before the statement, e.g.
    /// `renamed_from old_name` or `allow_destructive`, without the `bfm:` prefix.
    pub directives: &'a [String],
}

/// What a backend knows about its own SQL.
pub trait Dialect: Send + Sync {
    fn kind(&self) -> BackendKind;

    /// The canonical spelling of a type, e.g. `int4` → `integer`, `varchar(20)` →
    /// `character varying(20)`. Errors on text that is not a type.
    fn normalize_type(&self, raw: &str) -> Result<String, StatementError>;

    /// The canonical spelling of an expression (a default, check, predicate or index expression),
    /// so that equal expressions compare equal as strings. Errors on text that is not an expression.
    fn normalize_expression(&self, raw: &str) -> Result<String, StatementError>;

    /// The canonical spelling of a view's query.
    fn normalize_query(&self, raw: &str) -> Result<String, StatementError>;

    /// The name the server gives an unnamed constraint or index on `table` over `columns`
    /// (for a check, the table's columns its expression mentions, each once: PostgreSQL names it
    /// after the column only when there is exactly one; for an index, each key's name part and
    /// then the INCLUDE columns).
    fn default_name(&self, table: &str, columns: &[String], kind: ConstraintKind) -> String;

    /// Reads one DDL statement into the changes it makes to `model` (which is not modified;
    /// for a statement that makes several changes, each later one is computed as if the earlier
    /// ones were applied). Statements that change no schema (INSERT, UPDATE, SET, …) give no
    /// change; DDL the dialect does not understand is an error.
    fn statement_changes(
        &self,
        statement: StatementText<'_>,
        model: &Model,
        context: &SchemaContext,
    ) -> Result<Vec<Change>, StatementError>;

    /// The SQL statements (without trailing `;`) that make `change` happen.
    fn render(&self, change: &Change, context: &RenderContext) -> Vec<String>;

    /// Whether a rendered statement cannot run inside a transaction block
    /// (e.g. `ALTER TYPE … ADD VALUE` before PostgreSQL 12, `CREATE INDEX CONCURRENTLY`).
    fn requires_no_transaction(&self, change: &Change) -> bool {
        let _ = change;
        false
    }
}

/// The dialect of a backend that speaks SQL.
pub fn dialect(kind: BackendKind) -> Option<&'static dyn Dialect> {
    match kind {
        BackendKind::Postgresql => Some(&postgres::Postgres),
        BackendKind::Greptimedb => Some(&greptime::Greptime),
        BackendKind::Etcd => Some(&etcd::Etcd),
        BackendKind::Mysql => Some(&mysql::Mysql),
    }
}
