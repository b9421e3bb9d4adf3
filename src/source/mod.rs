//! Loading the desired state: YAML and SQL files of one connection become one [`Model`].
//!
//! YAML files are read first, then SQL files, each group in file-name order, so SQL may alter
//! tables declared in YAML. Every object remembers the file and line that defined it: one defined
//! twice is an error naming both places.

mod compound;
mod keys;
pub mod script;
mod sql;
pub mod write;
mod yaml;

pub use keys::{MAX_VALUE_BYTES, load_key_files, stored_value};
pub use sql::apply_sql_text;
pub use yaml::json_schema;

use crate::backend::{Dialect, SchemaContext};
use crate::model::Model;
use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};
use thiserror::Error;

/// A place in a source file (1-based line and column).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Location {
    pub file: PathBuf,
    pub line: usize,
    pub column: usize,
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}:{}", self.file.display(), self.line, self.column)
    }
}

#[derive(Debug, Error)]
pub enum LoadError {
    /// The text is not valid YAML or SQL, or says something bfm does not accept. `line_text` is
    /// the offending source line, shown under the message.
    #[error("{location}: {message}")]
    Invalid {
        location: Location,
        message: String,
        line_text: String,
    },
    #[error("{object} is defined twice: at {first} and at {second}")]
    Duplicate {
        object: String,
        first: Location,
        second: Location,
    },
    #[error("cannot read {}: {source}", path.display())]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
}

/// What a load needs to know besides the files.
#[derive(Clone, Copy)]
pub struct LoadOptions<'a> {
    pub dialect: &'a dyn Dialect,
    pub context: &'a SchemaContext,
}

/// Loads a directory (its `*.yaml`, `*.yml` and `*.sql` files, not recursing) or a single file.
pub fn load_path(path: &Path, options: LoadOptions<'_>) -> Result<Model, LoadError> {
    let mut load = Load::new(options);
    let files = if path.is_dir() {
        source_files(path)?
    } else {
        vec![(kind_of_file(path)?, path.to_path_buf())]
    };
    for (kind, file) in files {
        let text = std::fs::read_to_string(&file).map_err(|source| LoadError::Io {
            path: file.clone(),
            source,
        })?;
        match kind {
            FileKind::Yaml => load.yaml(&text, &file)?,
            FileKind::Sql => load.sql(&text, &file)?,
        }
    }
    Ok(load.finish())
}

/// Loads the text of one YAML file (`file` only names it in errors).
pub fn load_yaml_text(
    text: &str,
    file: &Path,
    options: LoadOptions<'_>,
) -> Result<Model, LoadError> {
    let mut load = Load::new(options);
    load.yaml(text, file)?;
    Ok(load.finish())
}

/// Loads the text of one SQL file of desired state (`file` only names it in errors).
pub fn load_sql_text(
    text: &str,
    file: &Path,
    options: LoadOptions<'_>,
) -> Result<Model, LoadError> {
    let mut load = Load::new(options);
    load.sql(text, file)?;
    Ok(load.finish())
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum FileKind {
    Yaml,
    Sql,
}

fn kind_of_file(path: &Path) -> Result<FileKind, LoadError> {
    match path.extension().and_then(|e| e.to_str()) {
        Some("yaml" | "yml") => Ok(FileKind::Yaml),
        Some("sql") => Ok(FileKind::Sql),
        _ => Err(LoadError::Io {
            path: path.to_path_buf(),
            source: std::io::Error::new(
                std::io::ErrorKind::InvalidInput,
                "not a schema file: expected a .yaml, .yml or .sql file, or a directory",
            ),
        }),
    }
}

/// The schema files of a directory: YAML before SQL, each group by file name.
fn source_files(dir: &Path) -> Result<Vec<(FileKind, PathBuf)>, LoadError> {
    let io_error = |source| LoadError::Io {
        path: dir.to_path_buf(),
        source,
    };
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).map_err(io_error)? {
        let path = entry.map_err(io_error)?.path();
        if path.is_file()
            && let Ok(kind) = kind_of_file(&path)
        {
            files.push((kind, path));
        }
    }
    files.sort();
    Ok(files)
}

/// A load in progress: the model built so far and where each of its objects came from.
struct Load<'a> {
    options: LoadOptions<'a>,
    model: Model,
    origins: Origins,
}

impl<'a> Load<'a> {
    fn new(options: LoadOptions<'a>) -> Self {
        Load {
            options,
            model: Model::default(),
            origins: Origins::default(),
        }
    }

    fn yaml(&mut self, text: &str, file: &Path) -> Result<(), LoadError> {
        yaml::load(text, file, self.options, &mut self.model, &mut self.origins)
    }

    /// Desired-state SQL runs in the connection's schema, which therefore exists; `+migrate Down`
    /// sections (of a hand-written migration used as a source) are skipped.
    fn sql(&mut self, text: &str, file: &Path) -> Result<(), LoadError> {
        self.model.schema_mut(&self.options.context.default_schema);
        sql::apply(
            &mut self.model,
            text,
            file,
            self.options,
            Some(&mut self.origins),
            &|section| section != script::Section::Down,
        )
    }

    fn finish(mut self) -> Model {
        normalize(&mut self.model);
        self.model
    }
}

/// The canonical form every loaded model ends in, whatever order its files said things in.
fn normalize(model: &mut Model) {
    for schema in model.schemas.values_mut() {
        let prefix = format!("{}.", schema.name);
        let enums: Vec<String> = schema.enums.keys().cloned().collect();
        for table in schema.tables.values_mut() {
            for column in &mut table.columns {
                if let Some(local) = same_schema_enum(&column.data_type, &prefix, &enums) {
                    column.data_type = local;
                }
            }
            table.sort_constraints();
        }
    }
}

/// `core.role` (or `core.role[]`) written in schema `core`, where `role` is an enum of `core`,
/// is stored as `role` (`role[]`).
fn same_schema_enum(data_type: &str, prefix: &str, enums: &[String]) -> Option<String> {
    let local = data_type.strip_prefix(prefix)?;
    let base = local.trim_end_matches("[]");
    enums.iter().any(|e| e == base).then(|| local.to_string())
}

/// Where each object of a load was first defined, keyed by a description such as
/// `table core.users`, so that a second definition names both places.
#[derive(Default)]
struct Origins(BTreeMap<String, Location>);

impl Origins {
    fn record(&mut self, object: String, location: Location) -> Result<(), LoadError> {
        if let Some(first) = self.0.get(&object) {
            return Err(LoadError::Duplicate {
                object,
                first: first.clone(),
                second: location,
            });
        }
        self.0.insert(object, location);
        Ok(())
    }

    /// A dropped object may be defined again.
    fn forget(&mut self, object: &str) {
        self.0.remove(object);
    }
}

/// An [`LoadError::Invalid`] at a 1-based line and column of `text`.
fn invalid_at(
    text: &str,
    file: &Path,
    line: usize,
    column: usize,
    message: impl Into<String>,
) -> LoadError {
    let line_text = text
        .lines()
        .nth(line.saturating_sub(1))
        .unwrap_or_default()
        .to_string();
    LoadError::Invalid {
        location: Location {
            file: file.to_path_buf(),
            line,
            column,
        },
        message: message.into(),
        line_text,
    }
}

/// A dialect for loader tests that do not depend on the PostgreSQL dialect's reading of types
/// and expressions: a few aliases, expressions parsed and printed by sqlparser, and PostgreSQL's
/// naming of unnamed constraints.
#[cfg(test)]
pub(crate) mod testing {
    use crate::backend::postgres::Postgres;
    use crate::backend::{
        BackendKind, ConstraintKind, Dialect, RenderContext, SchemaContext, StatementError,
        StatementText,
    };
    use crate::model::{Change, Model};
    use sqlparser::dialect::PostgreSqlDialect;
    use sqlparser::parser::Parser;

    pub struct TestDialect;

    impl Dialect for TestDialect {
        fn kind(&self) -> BackendKind {
            BackendKind::Postgresql
        }

        fn normalize_type(&self, raw: &str) -> Result<String, StatementError> {
            let lower = raw.trim().to_lowercase();
            if lower.is_empty() || lower.contains(|c: char| "!;'\"".contains(c)) {
                return Err(StatementError::new(format!("not a type: {raw}")));
            }
            Ok(match lower.as_str() {
                "int4" | "int" => "integer".to_string(),
                "int8" => "bigint".to_string(),
                "timestamptz" => "timestamp with time zone".to_string(),
                "varchar" => "character varying".to_string(),
                _ => match lower.strip_prefix("varchar(") {
                    Some(rest) => format!("character varying({rest}"),
                    None => lower,
                },
            })
        }

        fn normalize_expression(&self, raw: &str) -> Result<String, StatementError> {
            Parser::new(&PostgreSqlDialect {})
                .try_with_sql(raw)
                .and_then(|mut p| p.parse_expr())
                .map(|e| e.to_string())
                .map_err(|e| StatementError::new(e.to_string()))
        }

        fn normalize_query(&self, raw: &str) -> Result<String, StatementError> {
            Parser::new(&PostgreSqlDialect {})
                .try_with_sql(raw)
                .and_then(|mut p| p.parse_query())
                .map(|q| q.to_string())
                .map_err(|e| StatementError::new(e.to_string()))
        }

        fn default_name(&self, table: &str, columns: &[String], kind: ConstraintKind) -> String {
            Postgres.default_name(table, columns, kind)
        }

        fn statement_changes(
            &self,
            statement: StatementText<'_>,
            model: &Model,
            context: &SchemaContext,
        ) -> Result<Vec<Change>, StatementError> {
            Postgres.statement_changes(statement, model, context)
        }

        fn render(&self, change: &Change, context: &RenderContext) -> Vec<String> {
            Postgres.render(change, context)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::testing::TestDialect;
    use super::*;
    use crate::backend::postgres::Postgres;

    fn context() -> SchemaContext {
        SchemaContext {
            default_schema: "core".to_string(),
        }
    }

    fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
        let path = dir.join(name);
        std::fs::write(&path, text).unwrap();
        path
    }

    const USERS_YAML: &str = "tables:
  - name: users
    columns:
      - { name: id, type: bigint, primary_key: true }
      - { name: email, type: text }
";

    #[test]
    fn a_table_defined_in_two_yaml_files_names_both_files() {
        let dir = tempfile::tempdir().unwrap();
        let first = write(dir.path(), "a.yaml", USERS_YAML);
        let second = write(dir.path(), "b.yml", &format!("# again\n{USERS_YAML}"));
        let options = LoadOptions {
            dialect: &TestDialect,
            context: &context(),
        };
        match load_path(dir.path(), options) {
            Err(LoadError::Duplicate {
                object,
                first: at_first,
                second: at_second,
            }) => {
                assert_eq!(object, "table core.users");
                assert_eq!((at_first.file, at_first.line), (first, 2));
                assert_eq!((at_second.file, at_second.line), (second, 3));
            }
            other => panic!("expected a duplicate, got {other:?}"),
        }
    }

    #[test]
    fn a_directory_loads_yaml_files_and_ignores_other_files() {
        let dir = tempfile::tempdir().unwrap();
        write(dir.path(), "users.yaml", USERS_YAML);
        write(
            dir.path(),
            "billing.yml",
            "schema: billing\nenums: [{ name: tier, values: [free] }]\n",
        );
        write(dir.path(), "README.md", "not a schema");
        std::fs::create_dir(dir.path().join("nested")).unwrap();
        write(&dir.path().join("nested"), "x.yaml", "bogus: 1\n");
        let options = LoadOptions {
            dialect: &TestDialect,
            context: &context(),
        };
        let model = load_path(dir.path(), options).unwrap();
        assert_eq!(
            model.schemas.keys().collect::<Vec<_>>(),
            vec!["billing", "core"]
        );
        assert!(model.schemas["core"].tables.contains_key("users"));
        assert!(model.schemas["billing"].enums.contains_key("tier"));
    }

    #[test]
    fn a_single_file_loads_by_extension_and_other_extensions_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let yaml = write(dir.path(), "users.yaml", USERS_YAML);
        let text = write(dir.path(), "users.txt", USERS_YAML);
        let options = LoadOptions {
            dialect: &TestDialect,
            context: &context(),
        };
        assert!(
            load_path(&yaml, options).unwrap().schemas["core"]
                .tables
                .contains_key("users")
        );
        let error = load_path(&text, options).unwrap_err();
        assert!(
            error
                .to_string()
                .contains("expected a .yaml, .yml or .sql file"),
            "{error}"
        );
    }

    #[test]
    fn sql_files_load_after_yaml_and_may_alter_its_tables() {
        let dir = tempfile::tempdir().unwrap();
        write(
            dir.path(),
            "0_accounts.sql",
            "CREATE TABLE accounts (id bigint PRIMARY KEY);\n\
             ALTER TABLE users ADD COLUMN nickname text;\n\
             CREATE INDEX ON users (email);\n",
        );
        write(dir.path(), "9_users.yaml", USERS_YAML);
        let options = LoadOptions {
            dialect: &Postgres,
            context: &context(),
        };
        let model = load_path(dir.path(), options).unwrap();
        let core = &model.schemas["core"];
        let users = &core.tables["users"];
        let columns: Vec<&str> = users.columns.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(columns, vec!["id", "email", "nickname"]);
        let indexes: Vec<&str> = users.indexes.iter().map(|i| i.name.as_str()).collect();
        assert_eq!(indexes, vec!["users_email_idx"]);
        assert!(core.tables.contains_key("accounts"));
    }

    #[test]
    fn a_table_in_yaml_and_sql_names_both_files() {
        let dir = tempfile::tempdir().unwrap();
        let yaml = write(dir.path(), "users.yaml", USERS_YAML);
        let sql = write(
            dir.path(),
            "users.sql",
            "-- the same again\nCREATE TABLE users (id bigint);\n",
        );
        let options = LoadOptions {
            dialect: &Postgres,
            context: &context(),
        };
        match load_path(dir.path(), options) {
            Err(LoadError::Duplicate {
                object,
                first,
                second,
            }) => {
                assert_eq!(object, "table core.users");
                assert_eq!((first.file, first.line), (yaml, 2));
                assert_eq!((second.file, second.line), (sql, 2));
            }
            other => panic!("expected a duplicate, got {other:?}"),
        }
    }
}
