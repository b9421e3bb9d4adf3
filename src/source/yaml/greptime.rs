//! The GreptimeDB keys of the YAML format (`time_index`, `engine`, `options`, `partition`,
//! column index clauses, `database_options`), checked by the GreptimeDB reader's own functions
//! so that a YAML table and the same CREATE TABLE give the same model. The connection's dialect
//! decides which keys a file may use: a key of the other backend is an error at its line.

use super::{ColumnDoc, IndexClauseDoc, PartitionDoc, PrimaryKeyDoc, Reader, SchemaFile, TableDoc};
use crate::backend::BackendKind;
use crate::backend::greptime::options::{self, IndexKind};
use crate::backend::greptime::{
    PRIMARY_KEY, TableParts, column_default, database_defaults, index_clause_options,
    partition_rule, table_from_parts,
};
use crate::model::{Column, ColumnIndexes, GreptimeDatabase, Model, Partition, Table};
use crate::source::sql::object_key;
use crate::source::{LoadError, invalid_at};
use serde_saphyr::Spanned;
use std::collections::BTreeMap;

/// Where a key of an object starts, or the object itself when the key cannot be found.
type Place = (usize, usize);

impl Reader<'_> {
    pub(super) fn is_greptime(&self) -> bool {
        self.options.dialect.kind() == BackendKind::Greptimedb
    }

    /// A GreptimeDB file: database options, then tables (which inherit some of them).
    pub(super) fn read_greptime(
        &mut self,
        doc: SchemaFile,
        model: &mut Model,
    ) -> Result<(), LoadError> {
        let file_start = (1, 1);
        for (key, used) in [
            ("comment", doc.comment.is_some()),
            ("extensions", !doc.extensions.is_empty()),
            ("enums", !doc.enums.is_empty()),
            ("domains", !doc.domains.is_empty()),
            ("sequences", !doc.sequences.is_empty()),
            ("views", !doc.views.is_empty()),
        ] {
            if used {
                return Err(self.not_greptime(file_start, key, "a GreptimeDB database"));
            }
        }
        let schema_name = self.schema.clone();
        if let Some(raw) = &doc.database_options {
            self.record(format!("options of database {schema_name}"), raw.referenced)?;
            let pairs = raw.value.clone().into_iter().collect();
            let db_options = options::database_options(pairs)
                .map_err(|e| self.invalid(raw.referenced, e.message))?;
            model.schema_mut(&schema_name).greptime =
                (!db_options.is_empty()).then_some(GreptimeDatabase {
                    options: db_options,
                });
        }
        model
            .schema_mut(&schema_name)
            .allow_drop
            .extend(doc.allow_drop);
        for table in doc.tables {
            self.record(
                object_key("table", &schema_name, &table.value.name),
                table.referenced,
            )?;
            let inherited = database_defaults(model, &schema_name);
            let table = self.greptime_table(table, &inherited)?;
            model
                .schema_mut(&schema_name)
                .tables
                .insert(table.name.clone(), table);
        }
        Ok(())
    }

    fn greptime_table(
        &mut self,
        doc: Spanned<TableDoc>,
        inherited: &BTreeMap<String, String>,
    ) -> Result<Table, LoadError> {
        let at = doc.referenced;
        let doc = doc.value;
        let start = place(at);
        for (key, used) in [
            ("unique", !doc.unique.is_empty()),
            ("checks", !doc.checks.is_empty()),
            ("foreign_keys", !doc.foreign_keys.is_empty()),
            ("indexes", !doc.indexes.is_empty()),
        ] {
            if used {
                return Err(self.not_greptime(start, key, "a GreptimeDB table"));
            }
        }
        let mut columns = Vec::with_capacity(doc.columns.len());
        let mut explicit_null = Vec::new();
        let mut marked = Vec::new();
        for column in &doc.columns {
            columns.push(self.greptime_column(column)?);
            if column.value.nullable == Some(true) {
                explicit_null.push(column.value.name.clone());
            }
            if column.value.primary_key {
                marked.push(column.value.name.clone());
            }
        }
        let shell = Table {
            name: doc.name.clone(),
            columns: columns.clone(),
            ..Table::default()
        };
        if let Some(PrimaryKeyDoc::Detailed(detail)) = &doc.primary_key
            && let Some(name) = detail.name.as_deref().filter(|n| *n != PRIMARY_KEY)
        {
            return Err(self.invalid_place(
                self.key_place(start, "primary_key"),
                format!(
                    "table {}: a GreptimeDB primary key (the tags) has no name of its own (got {name})",
                    doc.name
                ),
            ));
        }
        let tags = self
            .primary_key(&shell, doc.primary_key, marked, at)?
            .map(|key| key.columns)
            .unwrap_or_default();
        let Some(time_index) = &doc.time_index else {
            return Err(self.invalid(
                at,
                format!(
                    "table {}: a GreptimeDB table needs `time_index` (its timestamp column)",
                    doc.name
                ),
            ));
        };
        let engine = match &doc.engine {
            Some(raw) => Some(
                crate::backend::greptime::engine_name(&raw.value)
                    .map_err(|e| self.invalid(raw.referenced, e.message))?,
            ),
            None => None,
        };
        let mut table_options: Vec<(String, String)> = Vec::new();
        if let Some(raw) = &doc.options {
            table_options.extend(raw.value.clone());
            options::table_options(table_options.clone())
                .map_err(|e| self.invalid(raw.referenced, e.message))?;
        }
        if let Some(comment) = &doc.comment {
            if table_options
                .iter()
                .any(|(k, _)| k.eq_ignore_ascii_case("comment"))
            {
                return Err(self.invalid(
                    at,
                    format!(
                        "table {}: give the comment once (`comment` or the `comment` option)",
                        doc.name
                    ),
                ));
            }
            table_options.push(("comment".to_string(), comment.clone()));
        }
        let partition = match &doc.partition {
            Some(raw) => Some(self.partition(&raw.value)?),
            None => None,
        };
        let parts = TableParts {
            name: doc.name.clone(),
            columns,
            explicit_null,
            time_index: Some(time_index.value.clone()),
            tags,
            engine,
            options: table_options,
            partition,
        };
        let mut table = table_from_parts(parts, inherited)
            .map_err(|e| self.invalid(at, format!("table {}: {}", doc.name, e.message)))?;
        table.renamed_from = doc.renamed_from;
        table.allow_destructive = doc.allow_destructive;
        Ok(table)
    }

    fn partition(&self, doc: &PartitionDoc) -> Result<Partition, LoadError> {
        let rules = doc
            .rules
            .iter()
            .map(|rule| {
                partition_rule(&rule.value).map_err(|e| {
                    self.invalid(rule.referenced, format!("`{}`: {}", rule.value, e.message))
                })
            })
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Partition {
            columns: doc.columns.clone(),
            rules,
        })
    }

    fn greptime_column(&self, column: &Spanned<ColumnDoc>) -> Result<Column, LoadError> {
        let doc = &column.value;
        let start = place(column.referenced);
        for (key, used) in [
            ("identity", doc.identity.is_some()),
            ("generated", doc.generated.is_some()),
            ("collation", doc.collation.is_some()),
            ("unique", doc.unique),
            ("check", doc.check.is_some()),
            ("references", doc.references.is_some()),
        ] {
            if used {
                return Err(self.not_greptime(start, key, "a GreptimeDB column"));
            }
        }
        let data_type = self.data_type(&doc.data_type)?;
        let nullable = doc.nullable.unwrap_or(true);
        let default = match &doc.default {
            Some(raw) => Some(
                column_default(&raw.value, &doc.name, &data_type, nullable).map_err(|e| {
                    self.invalid(raw.referenced, format!("`{}`: {}", raw.value, e.message))
                })?,
            ),
            None => None,
        };
        let mut indexes = ColumnIndexes::default();
        let clauses = [
            (IndexKind::Fulltext, &doc.fulltext, &mut indexes.fulltext),
            (IndexKind::Skipping, &doc.skipping, &mut indexes.skipping),
            (IndexKind::Vector, &doc.vector, &mut indexes.vector),
        ];
        for (kind, clause, slot) in clauses {
            let Some(clause) = clause else { continue };
            let raw = match &clause.value {
                IndexClauseDoc::Enabled(false) => continue,
                IndexClauseDoc::Enabled(true) => Vec::new(),
                IndexClauseDoc::Options(map) => map
                    .iter()
                    .map(|(k, v)| (k.clone(), v.to_string()))
                    .collect(),
            };
            *slot = Some(
                index_clause_options(kind, raw, &data_type)
                    .map_err(|e| self.invalid(clause.referenced, e.message))?,
            );
        }
        indexes.inverted = doc.inverted.as_ref().is_some_and(|i| i.value);
        Ok(Column {
            name: doc.name.clone(),
            data_type,
            nullable,
            default,
            comment: doc.comment.clone(),
            renamed_from: doc.renamed_from.clone(),
            allow_destructive: doc.allow_destructive,
            greptime: (!indexes.is_empty()).then_some(indexes),
            ..Column::default()
        })
    }

    /// The GreptimeDB keys of a file are errors in a connection of another backend.
    pub(super) fn refuse_greptime_file_keys(&self, doc: &SchemaFile) -> Result<(), LoadError> {
        match &doc.database_options {
            Some(_) => Err(self.other_backend(
                self.key_place((1, 1), "database_options"),
                "database_options",
            )),
            None => Ok(()),
        }
    }

    /// The GreptimeDB keys of a table and its columns are errors in a connection of another
    /// backend.
    pub(super) fn refuse_greptime_table_keys(
        &self,
        doc: &TableDoc,
        at: serde_saphyr::Location,
    ) -> Result<(), LoadError> {
        let table_start = place(at);
        let table_keys = [
            ("time_index", doc.time_index.is_some()),
            ("engine", doc.engine.is_some()),
            ("options", doc.options.is_some()),
            ("partition", doc.partition.is_some()),
        ];
        if let Some((key, _)) = table_keys.iter().find(|(_, used)| *used) {
            return Err(self.other_backend(self.key_place(table_start, key), key));
        }
        for column in &doc.columns {
            let doc = &column.value;
            let column_keys = [
                ("fulltext", doc.fulltext.is_some()),
                ("skipping", doc.skipping.is_some()),
                ("inverted", doc.inverted.is_some()),
                ("vector", doc.vector.is_some()),
            ];
            if let Some((key, _)) = column_keys.iter().find(|(_, used)| *used) {
                let start = place(column.referenced);
                return Err(self.other_backend(self.key_place(start, key), key));
            }
        }
        Ok(())
    }

    fn other_backend(&self, at: Place, key: &str) -> LoadError {
        self.invalid_place(
            at,
            format!(
                "`{key}` is a GreptimeDB key, but this connection's backend is {}",
                self.options.dialect.kind()
            ),
        )
    }

    fn not_greptime(&self, object_start: Place, key: &str, what: &str) -> LoadError {
        self.invalid_place(
            self.key_place(object_start, key),
            format!("`{key}` is not a key of {what} (this connection's backend is greptimedb)"),
        )
    }

    /// Where `key:` is first written at or after `from` (the start of the object holding it);
    /// `from` when it cannot be found.
    fn key_place(&self, from: Place, key: &str) -> Place {
        let (from_line, from_column) = from;
        for (index, line) in self
            .text
            .lines()
            .enumerate()
            .skip(from_line.saturating_sub(1))
        {
            let start = if index + 1 == from_line {
                line.char_indices()
                    .nth(from_column.saturating_sub(1))
                    .map_or(line.len(), |(i, _)| i)
            } else {
                0
            };
            if let Some(found) = find_key(&line[start..], key) {
                return (index + 1, line[..start + found].chars().count() + 1);
            }
        }
        from
    }

    fn invalid_place(&self, (line, column): Place, message: impl Into<String>) -> LoadError {
        invalid_at(self.text, self.file, line, column, message)
    }
}

fn place(at: serde_saphyr::Location) -> Place {
    (at.line() as usize, at.column() as usize)
}

/// The byte offset of `key` written as a YAML key (`key:` not inside another word) in `text`.
fn find_key(text: &str, key: &str) -> Option<usize> {
    let mut offset = 0;
    while let Some(found) = text[offset..].find(key) {
        let at = offset + found;
        let before_ok = text[..at]
            .chars()
            .next_back()
            .is_none_or(|c| !(c.is_alphanumeric() || c == '_'));
        let after = text[at + key.len()..].trim_start();
        if before_ok && after.starts_with(':') {
            return Some(at);
        }
        offset = at + key.len();
    }
    None
}

#[cfg(test)]
mod tests {
    use crate::backend::SchemaContext;
    use crate::backend::greptime::Greptime;
    use crate::backend::postgres::Postgres;
    use crate::model::Model;
    use crate::source::{LoadError, LoadOptions, load_sql_text, load_yaml_text};
    use std::path::Path;

    fn context() -> SchemaContext {
        SchemaContext {
            default_schema: "traces".to_string(),
        }
    }

    fn yaml(text: &str) -> Result<Model, LoadError> {
        let context = context();
        let options = LoadOptions {
            dialect: &Greptime,
            context: &context,
        };
        load_yaml_text(text, Path::new("t.yaml"), options)
    }

    fn sql(text: &str) -> Model {
        let context = context();
        let options = LoadOptions {
            dialect: &Greptime,
            context: &context,
        };
        load_sql_text(text, Path::new("t.sql"), options).unwrap_or_else(|e| panic!("{e}"))
    }

    /// Line, column and message of an invalid load.
    fn invalid(result: Result<Model, LoadError>) -> (usize, usize, String) {
        match result {
            Err(LoadError::Invalid {
                location, message, ..
            }) => (location.line, location.column, message),
            other => panic!("expected an invalid file, got {other:?}"),
        }
    }

    const SPANS_YAML: &str = "\
database_options:
  ttl: 30d
  append_mode: true
tables:
  - name: spans
    comment: One row per span
    columns:
      - { name: service_name, type: string, comment: service.name }
      - { name: span_name, type: text }
      - { name: span_kind, type: string, skipping: { granularity: 8192 } }
      - { name: status_code, type: string, inverted: true }
      - name: status_message
        type: string
        fulltext: { analyzer: English, case_sensitive: false }
      - { name: trace_id, type: string, skipping: true, fulltext: false }
      - { name: duration_nano, type: bigint unsigned, default: 0 }
      - { name: ts, type: timestamp(9), default: current_timestamp() }
    time_index: ts
    primary_key: [span_name, service_name]
    partition:
      columns: [service_name]
      rules:
        - service_name < 'm'
        - service_name >= 'm'
    engine: mito
    options:
      ttl: 7d
      compaction.twcs.time_window: 1h
";

    const SPANS_SQL: &str = "\
ALTER DATABASE traces SET ttl = '30days', append_mode = 'true';
CREATE TABLE spans (
  service_name STRING COMMENT 'service.name',
  span_name STRING,
  span_kind STRING SKIPPING INDEX WITH (granularity = '8192'),
  status_code STRING INVERTED INDEX,
  status_message STRING FULLTEXT INDEX WITH (analyzer = 'English', case_sensitive = 'false'),
  trace_id STRING SKIPPING INDEX,
  duration_nano BIGINT UNSIGNED DEFAULT 0,
  ts TIMESTAMP(9) DEFAULT CURRENT_TIMESTAMP TIME INDEX,
  PRIMARY KEY (span_name, service_name)
)
PARTITION ON COLUMNS (service_name) (service_name < 'm', service_name >= 'm')
ENGINE = mito
WITH (ttl = '7 days', 'compaction.twcs.time_window' = '1h', comment = 'One row per span');
";

    #[test]
    fn a_yaml_table_gives_the_model_of_the_same_create_table() {
        let from_yaml = yaml(SPANS_YAML).unwrap_or_else(|e| panic!("{e}"));
        let from_sql = sql(SPANS_SQL);
        assert_eq!(from_yaml, from_sql);
        let spans = &from_yaml.schemas["traces"].tables["spans"];
        let key = spans.primary_key.as_ref().unwrap();
        assert_eq!(key.columns, ["span_name", "service_name"]);
        assert!(spans.column("service_name").unwrap().nullable);
        assert!(!spans.column("ts").unwrap().nullable);
        let options = &spans.greptime.as_ref().unwrap().options;
        assert_eq!(
            options["append_mode"], "true",
            "inherited from the database"
        );
        assert_eq!(options["ttl"], "7days");
    }

    /// The GreptimeDB example of `docs/yaml-format.md` is this test's table, so the doc, the
    /// loader and the SQL reader agree.
    #[test]
    fn the_documented_greptime_example_loads() {
        let doc = include_str!("../../../docs/yaml-format.md");
        let example = doc
            .split("## GreptimeDB tables")
            .nth(1)
            .and_then(|rest| rest.split("```yaml\n").nth(1))
            .and_then(|rest| rest.split("```").next())
            .expect("the doc has a GreptimeDB example");
        let from_doc = yaml(example).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(from_doc, sql(SPANS_SQL));
    }

    #[test]
    fn invalid_option_values_are_errors_at_their_map() {
        let (line, _, message) = invalid(yaml(
            "tables:\n  - name: t\n    columns: [{ name: ts, type: timestamp }]\n    time_index: ts\n    options:\n      ttl: soon\n",
        ));
        assert_eq!(line, 6);
        assert!(
            message.contains("invalid value \"soon\" for ttl"),
            "{message}"
        );
        let (line, _, message) = invalid(yaml("database_options: { ttl: instant }\n"));
        assert_eq!(line, 1);
        assert!(message.contains("instant"), "{message}");
    }

    #[test]
    fn the_reader_checks_apply_to_yaml_tables() {
        let (line, _, message) = invalid(yaml(
            "tables:\n  - name: t\n    columns: [{ name: ts, type: timestamp }]\n",
        ));
        assert_eq!(line, 2);
        assert!(message.contains("needs `time_index`"), "{message}");
        let (_, _, message) = invalid(yaml(
            "tables:\n  - name: t\n    columns: [{ name: ts, type: bigint }]\n    time_index: ts\n",
        ));
        assert!(message.contains("must be a TIMESTAMP"), "{message}");
        let (line, column, message) = invalid(yaml(
            "tables:\n  - name: t\n    columns:\n      - { name: n, type: int, fulltext: true }\n      - { name: ts, type: timestamp }\n    time_index: ts\n",
        ));
        assert_eq!((line, column), (4, 41));
        assert!(
            message.contains("FULLTEXT INDEX needs a string column"),
            "{message}"
        );
        let (line, _, message) = invalid(yaml(
            "tables:\n  - name: t\n    columns:\n      - { name: ts, type: timestamp, nullable: false, default: 'NULL' }\n    time_index: ts\n",
        ));
        assert_eq!(line, 4);
        assert!(message.contains("cannot default to NULL"), "{message}");
    }

    #[test]
    fn postgresql_keys_are_errors_at_their_line_in_a_greptime_connection() {
        let (line, column, message) = invalid(yaml(
            "tables:\n  - name: t\n    columns:\n      - name: ts\n        type: timestamp\n        unique: true\n    time_index: ts\n",
        ));
        assert_eq!((line, column), (6, 9));
        assert!(
            message.contains("`unique` is not a key of a GreptimeDB column"),
            "{message}"
        );
        let (line, _, message) = invalid(yaml("enums:\n  - { name: e, values: [a] }\n"));
        assert_eq!(line, 1);
        assert!(message.contains("`enums`"), "{message}");
    }

    #[test]
    fn greptime_keys_are_errors_at_their_line_in_a_postgresql_connection() {
        let context = context();
        let options = LoadOptions {
            dialect: &Postgres,
            context: &context,
        };
        let load = |text: &str| load_yaml_text(text, Path::new("t.yaml"), options);
        let (line, column, message) = invalid(load(
            "tables:\n  - name: t\n    columns:\n      - { name: ts, type: timestamptz }\n    time_index: ts\n",
        ));
        assert_eq!((line, column), (5, 5));
        assert!(
            message.contains(
                "`time_index` is a GreptimeDB key, but this connection's backend is postgresql"
            ),
            "{message}"
        );
        let (line, column, _) = invalid(load(
            "tables:\n  - name: t\n    columns:\n      - { name: a, type: text, inverted: true }\n",
        ));
        assert_eq!((line, column), (4, 32));
        let (line, _, _) = invalid(load("# db\ndatabase_options: { ttl: 7d }\n"));
        assert_eq!(line, 2);
    }
}
