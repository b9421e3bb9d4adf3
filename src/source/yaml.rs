//! YAML files (the format of `docs/yaml-format.md`): serde structs that mirror the file, then a
//! conversion into model objects that expands shorthands and fills in what the server would.

mod domains;
mod greptime;

use super::sql::object_key;
use super::{LoadError, LoadOptions, Location, Origins, invalid_at};
use crate::backend::postgres::expr::{
    index_key_name_part, normalize_default, parse_expression, referenced_columns,
};
use crate::backend::{ConstraintKind, StatementError};
use crate::model::{
    Check, Column, Enum, Extension, ForeignKey, ForeignKeyAction, Identity, IdentityKind, Index,
    IndexKey, Model, PrimaryKey, Sequence, Table, Unique, View,
};
use schemars::JsonSchema;
use serde::Deserialize;
use serde_saphyr::Spanned;
use std::collections::BTreeMap;
use std::path::Path;

/// One YAML file: objects of one schema.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(title = "bfm schema file")]
struct SchemaFile {
    /// The schema these objects belong to. Defaults to the connection's schema; leave it out
    /// for a per-environment connection.
    #[schemars(with = "Option<String>")]
    schema: Option<Spanned<String>>,
    /// COMMENT ON SCHEMA.
    comment: Option<String>,
    /// CREATE EXTENSION: a name, or {name, schema}.
    #[serde(default)]
    #[schemars(with = "Vec<ExtensionDoc>")]
    extensions: Vec<Spanned<ExtensionDoc>>,
    /// Enum types (CREATE TYPE … AS ENUM).
    #[serde(default)]
    #[schemars(with = "Vec<EnumDoc>")]
    enums: Vec<Spanned<EnumDoc>>,
    /// PostgreSQL domains (CREATE DOMAIN).
    #[serde(default)]
    #[schemars(with = "Vec<domains::DomainDoc>")]
    domains: Vec<Spanned<domains::DomainDoc>>,
    /// Standalone sequences.
    #[serde(default)]
    #[schemars(with = "Vec<SequenceDoc>")]
    sequences: Vec<Spanned<SequenceDoc>>,
    /// Tables with their columns, keys, checks and indexes.
    #[serde(default)]
    #[schemars(with = "Vec<TableDoc>")]
    tables: Vec<Spanned<TableDoc>>,
    /// Views and materialized views.
    #[serde(default)]
    #[schemars(with = "Vec<ViewDoc>")]
    views: Vec<Spanned<ViewDoc>>,
    /// Tables, views, enums or sequences of this schema bfm may drop.
    #[serde(default)]
    allow_drop: Vec<String>,
    /// GreptimeDB: the database's options (`CREATE DATABASE … WITH (…)`): ttl, append_mode,
    /// merge_mode, memtable.type, skip_wal, sst_format, compaction.*, storage.
    #[serde(default)]
    #[schemars(schema_with = "option_map_schema")]
    database_options: Option<Spanned<BTreeMap<String, String>>>,
}

/// Options (database, table, index clause): keys to values written as strings, numbers or
/// booleans, compared as the server prints them.
fn option_map_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
    schemars::json_schema!({
        "type": "object",
        "additionalProperties": { "type": ["string", "number", "boolean"] }
    })
}

/// GreptimeDB: `PARTITION ON COLUMNS (columns) (rules)`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "Partition")]
struct PartitionDoc {
    /// The partition columns.
    columns: Vec<String>,
    /// One boolean rule per region (`service < 'm'`); together they cover every row once.
    #[serde(default)]
    #[schemars(with = "Vec<String>")]
    rules: Vec<Spanned<String>>,
}

/// GreptimeDB: a FULLTEXT, SKIPPING or VECTOR index clause: `true`, or its options.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(
    untagged,
    expecting = "an index clause is true, false, or a map of its options"
)]
#[schemars(rename = "IndexClause")]
enum IndexClauseDoc {
    Enabled(bool),
    Options(#[schemars(schema_with = "option_map_schema")] BTreeMap<String, ScalarDoc>),
}

/// A scalar written as a string, number or boolean (inside an untagged enum, where a number
/// does not become a string by itself).
#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum ScalarDoc {
    Bool(bool),
    Integer(i64),
    Float(f64),
    Text(String),
}

impl std::fmt::Display for ScalarDoc {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ScalarDoc::Bool(b) => write!(f, "{b}"),
            ScalarDoc::Integer(i) => write!(f, "{i}"),
            ScalarDoc::Float(x) => write!(f, "{x}"),
            ScalarDoc::Text(t) => f.write_str(t),
        }
    }
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(untagged, expecting = "an extension is a name, or {name, schema}")]
#[schemars(rename = "Extension")]
enum ExtensionDoc {
    Name(String),
    Detailed(ExtensionDetailDoc),
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "ExtensionDetail")]
struct ExtensionDetailDoc {
    name: String,
    /// The schema the extension's objects are created in.
    schema: Option<String>,
}

/// CREATE TYPE … AS ENUM.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "Enum")]
struct EnumDoc {
    name: String,
    /// The labels in their sort order.
    values: Vec<String>,
    comment: Option<String>,
}

/// CREATE SEQUENCE.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "Sequence")]
struct SequenceDoc {
    name: String,
    /// smallint, integer or bigint (the default).
    #[serde(rename = "type")]
    #[schemars(with = "Option<String>")]
    data_type: Option<Spanned<String>>,
    start: Option<i64>,
    increment: Option<i64>,
    min_value: Option<i64>,
    max_value: Option<i64>,
    cache: Option<i64>,
    #[serde(default)]
    cycle: bool,
    /// OWNED BY, as table.column of this schema.
    owned_by: Option<String>,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "Table")]
struct TableDoc {
    name: String,
    /// COMMENT ON TABLE.
    comment: Option<String>,
    /// The table's previous name: a declared rename.
    renamed_from: Option<String>,
    /// Lets drops and narrowing inside this table into generated files.
    #[serde(default)]
    allow_destructive: bool,
    /// The columns, in order.
    #[schemars(with = "Vec<ColumnDoc>")]
    columns: Vec<Spanned<ColumnDoc>>,
    /// The primary key: a column list, or {name, columns}.
    primary_key: Option<PrimaryKeyDoc>,
    /// Unique constraints.
    #[serde(default)]
    unique: Vec<UniqueDoc>,
    /// Check constraints.
    #[serde(default)]
    checks: Vec<CheckDoc>,
    #[serde(default)]
    foreign_keys: Vec<ForeignKeyDoc>,
    /// Secondary indexes.
    #[serde(default)]
    #[schemars(with = "Vec<IndexDoc>")]
    indexes: Vec<Spanned<IndexDoc>>,
    /// GreptimeDB: the TIME INDEX column (a timestamp, always NOT NULL).
    #[schemars(with = "Option<String>")]
    time_index: Option<Spanned<String>>,
    /// GreptimeDB: `mito` (the default) or `metric`.
    #[schemars(with = "Option<String>")]
    engine: Option<Spanned<String>>,
    /// GreptimeDB: the table options (`WITH (…)`): ttl, append_mode, merge_mode, compaction.*, …
    #[serde(default)]
    #[schemars(schema_with = "option_map_schema")]
    options: Option<Spanned<BTreeMap<String, String>>>,
    /// GreptimeDB: PARTITION ON COLUMNS.
    #[schemars(with = "Option<PartitionDoc>")]
    partition: Option<Spanned<PartitionDoc>>,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "Column")]
struct ColumnDoc {
    name: String,
    /// The SQL type (`int4`, `varchar(20)`, `timestamptz`, `text[]`, an enum's name).
    #[serde(rename = "type")]
    #[schemars(with = "String")]
    data_type: Spanned<String>,
    /// Columns are nullable unless stated; primary-key and identity columns never are.
    nullable: Option<bool>,
    /// The default, as SQL (quote string literals: `"'active'"`).
    #[serde(default)]
    #[schemars(schema_with = "sql_scalar_schema")]
    default: Option<Spanned<String>>,
    /// always, by_default, or {kind, start, increment}.
    identity: Option<IdentityDoc>,
    /// GENERATED ALWAYS AS (expression) STORED.
    #[schemars(with = "Option<String>")]
    generated: Option<Spanned<String>>,
    collation: Option<String>,
    /// COMMENT ON COLUMN.
    comment: Option<String>,
    /// The column's previous name: a declared rename.
    renamed_from: Option<String>,
    /// Lets this column be dropped or narrowed.
    #[serde(default)]
    allow_destructive: bool,
    /// Shorthand for a one-column primary key.
    #[serde(default)]
    primary_key: bool,
    /// Shorthand for a one-column unique constraint.
    #[serde(default)]
    unique: bool,
    /// Shorthand for a check constraint.
    #[schemars(with = "Option<String>")]
    check: Option<Spanned<String>>,
    /// Shorthand for a one-column foreign key: [schema.]table.column, or the long form.
    #[schemars(with = "Option<ReferencesDoc>")]
    references: Option<Spanned<ReferencesDoc>>,
    /// GreptimeDB: FULLTEXT INDEX (string columns): true, or {analyzer, case_sensitive,
    /// backend, granularity, false_positive_rate}.
    #[schemars(with = "Option<IndexClauseDoc>")]
    fulltext: Option<Spanned<IndexClauseDoc>>,
    /// GreptimeDB: SKIPPING INDEX: true, or {granularity, false_positive_rate, type}.
    #[schemars(with = "Option<IndexClauseDoc>")]
    skipping: Option<Spanned<IndexClauseDoc>>,
    /// GreptimeDB: INVERTED INDEX.
    #[schemars(with = "Option<bool>")]
    inverted: Option<Spanned<bool>>,
    /// GreptimeDB: VECTOR INDEX (VECTOR columns): true, or {engine, metric, connectivity,
    /// expansion_add, expansion_search}.
    #[schemars(with = "Option<IndexClauseDoc>")]
    vector: Option<Spanned<IndexClauseDoc>>,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(
    untagged,
    expecting = "identity is always, by_default, or {kind, start, increment}"
)]
#[schemars(rename = "Identity")]
enum IdentityDoc {
    Kind(IdentityKindDoc),
    Detailed(IdentityDetailDoc),
}

#[derive(Debug, Clone, Copy, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
#[schemars(rename = "IdentityKind")]
enum IdentityKindDoc {
    Always,
    ByDefault,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "IdentityDetail")]
struct IdentityDetailDoc {
    kind: IdentityKindDoc,
    start: Option<i64>,
    increment: Option<i64>,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(
    untagged,
    expecting = "references is table.column, schema.table.column, or {table, column, schema, on_delete, on_update, deferrable, initially_deferred}"
)]
#[schemars(rename = "References")]
enum ReferencesDoc {
    Target(String),
    Detailed(ColumnReferenceDoc),
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "ColumnReference")]
struct ColumnReferenceDoc {
    table: String,
    column: String,
    /// Defaults to this file's schema.
    schema: Option<String>,
    #[serde(default)]
    on_delete: ActionDoc,
    #[serde(default)]
    on_update: ActionDoc,
    #[serde(default)]
    deferrable: bool,
    #[serde(default)]
    initially_deferred: bool,
}

#[derive(Debug, Clone, Copy, Default, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
#[schemars(rename = "Action")]
enum ActionDoc {
    #[default]
    NoAction,
    Restrict,
    Cascade,
    SetNull,
    SetDefault,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(
    untagged,
    expecting = "primary_key is a list of columns, or {name, columns}"
)]
#[schemars(rename = "PrimaryKey")]
enum PrimaryKeyDoc {
    Columns(Vec<String>),
    Detailed(PrimaryKeyDetailDoc),
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "PrimaryKeyDetail")]
struct PrimaryKeyDetailDoc {
    name: Option<String>,
    columns: Vec<String>,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "Unique")]
struct UniqueDoc {
    columns: Vec<String>,
    name: Option<String>,
    #[serde(default)]
    nulls_not_distinct: bool,
    #[serde(default)]
    deferrable: bool,
    #[serde(default)]
    initially_deferred: bool,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "Check")]
struct CheckDoc {
    /// A boolean SQL expression.
    #[schemars(with = "String")]
    expression: Spanned<String>,
    name: Option<String>,
    #[serde(default)]
    no_inherit: bool,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "ForeignKey")]
struct ForeignKeyDoc {
    columns: Vec<String>,
    references: ForeignKeyTargetDoc,
    #[serde(default)]
    on_delete: ActionDoc,
    #[serde(default)]
    on_update: ActionDoc,
    #[serde(default)]
    deferrable: bool,
    #[serde(default)]
    initially_deferred: bool,
    name: Option<String>,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "ForeignKeyTarget")]
struct ForeignKeyTargetDoc {
    table: String,
    columns: Vec<String>,
    /// Defaults to this file's schema.
    schema: Option<String>,
}

/// A secondary index: `columns` (plain column list) or `keys` (detailed), not both.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "Index")]
struct IndexDoc {
    name: Option<String>,
    columns: Option<Vec<String>>,
    keys: Option<Vec<IndexKeyDoc>>,
    /// btree (default), hash, gin, gist, brin, spgist, …
    method: Option<String>,
    #[serde(default)]
    unique: bool,
    /// The predicate of a partial index.
    #[serde(rename = "where")]
    #[schemars(with = "Option<String>")]
    predicate: Option<Spanned<String>>,
    /// INCLUDE columns.
    #[serde(default)]
    include: Vec<String>,
    #[serde(default)]
    nulls_not_distinct: bool,
}

/// One index key: `column` or `expression`, not both.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "IndexKey")]
struct IndexKeyDoc {
    column: Option<String>,
    #[schemars(with = "Option<String>")]
    expression: Option<Spanned<String>>,
    opclass: Option<String>,
    collation: Option<String>,
    order: Option<OrderDoc>,
    /// Default: last for asc, first for desc.
    nulls: Option<NullsDoc>,
}

#[derive(Debug, Clone, Copy, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
#[schemars(rename = "Order")]
enum OrderDoc {
    Asc,
    Desc,
}

#[derive(Debug, Clone, Copy, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
#[schemars(rename = "Nulls")]
enum NullsDoc {
    First,
    Last,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "View")]
struct ViewDoc {
    name: String,
    /// The SELECT the view shows.
    #[schemars(with = "String")]
    query: Spanned<String>,
    #[serde(default)]
    materialized: bool,
    comment: Option<String>,
}

/// A default may be written as a YAML number or boolean as well as a string of SQL.
fn sql_scalar_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
    schemars::json_schema!({ "type": ["string", "number", "boolean", "null"] })
}

/// The JSON Schema of the YAML format, for editors (committed as `docs/bfm-schema.json`).
pub fn json_schema() -> String {
    let schema = schemars::schema_for!(SchemaFile);
    let mut text = serde_json::to_string_pretty(&schema).unwrap_or_default();
    text.push('\n');
    text
}

/// Reads one YAML file into `model`, recording where each object was defined.
pub(super) fn load(
    text: &str,
    file: &Path,
    options: LoadOptions<'_>,
    model: &mut Model,
    origins: &mut Origins,
) -> Result<(), LoadError> {
    let parse_options = serde_saphyr::options! { strict_booleans: true, with_snippet: false };
    let doc: SchemaFile = serde_saphyr::from_str_with_options(text, parse_options)
        .map_err(|e| yaml_error(text, file, &e))?;
    let mut reader = Reader {
        text,
        file,
        options,
        schema: doc.schema.as_ref().map_or_else(
            || options.context.default_schema.clone(),
            |s| s.value.clone(),
        ),
        origins,
    };
    reader.read(doc, model)
}

pub(super) fn yaml_error(text: &str, file: &Path, error: &serde_saphyr::Error) -> LoadError {
    let message = error.without_snippet().to_string();
    let (line, column) = error
        .location()
        .map_or((1, 1), |l| (l.line() as usize, l.column() as usize));
    // The message ends with " at line L, column C", which the location already says.
    let message = match message.rfind(" at line ") {
        Some(end) => message[..end].to_string(),
        None => message,
    };
    invalid_at(text, file, line, column, message)
}

/// The conversion of one file's documents into model objects.
struct Reader<'a> {
    text: &'a str,
    file: &'a Path,
    options: LoadOptions<'a>,
    /// The schema of every object in the file.
    schema: String,
    origins: &'a mut Origins,
}

impl Reader<'_> {
    fn read(&mut self, doc: SchemaFile, model: &mut Model) -> Result<(), LoadError> {
        if self.is_greptime() {
            return self.read_greptime(doc, model);
        }
        self.refuse_greptime_file_keys(&doc)?;
        let schema_name = self.schema.clone();
        if let Some(comment) = doc.comment {
            let at = self.location(doc.schema.as_ref().map(|s| s.referenced));
            self.origins
                .record(format!("comment on schema {schema_name}"), at)?;
            model.schema_mut(&schema_name).comment = Some(comment);
        }
        for extension in doc.extensions {
            let value = match extension.value {
                ExtensionDoc::Name(name) => Extension { name, schema: None },
                ExtensionDoc::Detailed(d) => Extension {
                    name: d.name,
                    schema: d.schema,
                },
            };
            self.record(format!("extension {}", value.name), extension.referenced)?;
            model.extensions.insert(value.name.clone(), value);
        }
        let schema = model.schema_mut(&schema_name);
        schema.allow_drop.extend(doc.allow_drop);
        for value in doc.enums {
            let at = value.referenced;
            let value = value.value;
            self.record(object_key("enum", &schema_name, &value.name), at)?;
            schema.enums.insert(
                value.name.clone(),
                Enum {
                    name: value.name,
                    values: value.values,
                    comment: value.comment,
                },
            );
        }
        for domain in doc.domains {
            self.record(
                object_key("domain", &schema_name, &domain.value.name),
                domain.referenced,
            )?;
            let domain = self.domain(domain.value)?;
            schema.domains.insert(domain.name.clone(), domain);
        }
        for sequence in doc.sequences {
            self.record(
                object_key("sequence", &schema_name, &sequence.value.name),
                sequence.referenced,
            )?;
            let sequence = self.sequence(sequence.value)?;
            schema.sequences.insert(sequence.name.clone(), sequence);
        }
        for table in doc.tables {
            self.record(
                object_key("table", &schema_name, &table.value.name),
                table.referenced,
            )?;
            let table = self.table(table)?;
            schema.tables.insert(table.name.clone(), table);
        }
        for view in doc.views {
            self.record(
                object_key("view", &schema_name, &view.value.name),
                view.referenced,
            )?;
            let definition = self.normalized(&view.value.query, |d, raw| d.normalize_query(raw))?;
            let view = view.value;
            schema.views.insert(
                view.name.clone(),
                View {
                    name: view.name,
                    definition,
                    materialized: view.materialized,
                    comment: view.comment,
                    mysql: None,
                },
            );
        }
        Ok(())
    }

    fn sequence(&self, doc: SequenceDoc) -> Result<Sequence, LoadError> {
        let data_type = match &doc.data_type {
            Some(raw) => self.data_type(raw)?,
            None => "bigint".to_string(),
        };
        let increment = doc.increment.unwrap_or(1);
        let (type_min, type_max) = match data_type.as_str() {
            "smallint" => (i16::MIN.into(), i16::MAX.into()),
            "integer" => (i32::MIN.into(), i32::MAX.into()),
            _ => (i64::MIN, i64::MAX),
        };
        let (default_min, default_max) = if increment > 0 {
            (1, type_max)
        } else {
            (type_min, -1)
        };
        let default_start = if increment > 0 {
            doc.min_value.unwrap_or(default_min)
        } else {
            doc.max_value.unwrap_or(default_max)
        };
        Ok(Sequence {
            name: doc.name,
            data_type,
            start: doc.start.filter(|v| *v != default_start),
            increment: doc.increment.filter(|v| *v != 1),
            min_value: doc.min_value.filter(|v| *v != default_min),
            max_value: doc.max_value.filter(|v| *v != default_max),
            cache: doc.cache.filter(|v| *v != 1),
            cycle: doc.cycle,
            owned_by: doc.owned_by,
        })
    }

    fn table(&mut self, doc: Spanned<TableDoc>) -> Result<Table, LoadError> {
        let at = doc.referenced;
        let doc = doc.value;
        self.refuse_greptime_table_keys(&doc, at)?;
        let mut table = Table {
            name: doc.name,
            comment: doc.comment,
            renamed_from: doc.renamed_from,
            allow_destructive: doc.allow_destructive,
            ..Table::default()
        };
        let mut column_keys = Vec::new();
        for column in &doc.columns {
            table.columns.push(self.column(&column.value)?);
        }
        for column in &doc.columns {
            column_keys.push(self.column_constraints(&mut table, column)?);
        }
        let column_primary_key: Vec<String> = column_keys.into_iter().flatten().collect();
        table.primary_key = self.primary_key(&table, doc.primary_key, column_primary_key, at)?;
        if let Some(key) = &table.primary_key {
            for column in &mut table.columns {
                if key.columns.contains(&column.name) {
                    column.nullable = false;
                }
            }
        }
        for unique in doc.unique {
            self.require_columns(&table, &unique.columns, at)?;
            let name = unique.name.unwrap_or_else(|| {
                self.default_name(&table.name, &unique.columns, ConstraintKind::Unique)
            });
            table.uniques.push(Unique {
                name,
                columns: unique.columns,
                nulls_not_distinct: unique.nulls_not_distinct,
                deferrable: unique.deferrable,
                initially_deferred: unique.initially_deferred,
            });
        }
        for check in doc.checks {
            let check = self.check(&table, &check.expression, check.name, check.no_inherit)?;
            table.checks.push(check);
        }
        for key in doc.foreign_keys {
            self.require_columns(&table, &key.columns, at)?;
            let name = key.name.unwrap_or_else(|| {
                self.default_name(&table.name, &key.columns, ConstraintKind::ForeignKey)
            });
            table.foreign_keys.push(ForeignKey {
                name,
                columns: key.columns,
                ref_schema: key.references.schema.unwrap_or_else(|| self.schema.clone()),
                ref_table: key.references.table,
                ref_columns: key.references.columns,
                on_delete: action(key.on_delete),
                on_update: action(key.on_update),
                deferrable: key.deferrable,
                initially_deferred: key.initially_deferred,
            });
        }
        for index in doc.indexes {
            let index_at = index.referenced;
            let index = self.index(&table, index)?;
            self.record(object_key("index", &self.schema, &index.name), index_at)?;
            table.indexes.push(index);
        }
        self.require_distinct_names(&table, at)?;
        Ok(table)
    }

    /// Constraint and index names of one table must differ, as the server requires (two
    /// shorthands can otherwise arrive at the same default name).
    fn require_distinct_names(
        &self,
        table: &Table,
        at: serde_saphyr::Location,
    ) -> Result<(), LoadError> {
        let names = table
            .primary_key
            .iter()
            .map(|k| &k.name)
            .chain(table.uniques.iter().map(|u| &u.name))
            .chain(table.checks.iter().map(|c| &c.name))
            .chain(table.foreign_keys.iter().map(|f| &f.name))
            .chain(table.indexes.iter().map(|i| &i.name));
        let mut seen = std::collections::BTreeSet::new();
        for name in names {
            if !seen.insert(name) {
                return Err(self.invalid(
                    at,
                    format!(
                        "table {}: two constraints or indexes are named {name}",
                        table.name
                    ),
                ));
            }
        }
        Ok(())
    }

    /// A column alone; the constraints its shorthands declare are added by
    /// [`Reader::column_constraints`] once every column is known.
    fn column(&self, doc: &ColumnDoc) -> Result<Column, LoadError> {
        let data_type = self.data_type(&doc.data_type)?;
        let identity = doc.identity.as_ref().map(identity);
        let default = match &doc.default {
            Some(raw) => {
                let expression = self.normalized(raw, |d, raw| d.normalize_expression(raw))?;
                Some(normalize_default(&expression, &data_type))
            }
            None => None,
        };
        let generated = match &doc.generated {
            Some(raw) => Some(self.normalized(raw, |d, raw| d.normalize_expression(raw))?),
            None => None,
        };
        let always_not_null = identity.is_some()
            || matches!(data_type.as_str(), "serial" | "bigserial" | "smallserial");
        Ok(Column {
            name: doc.name.clone(),
            data_type,
            nullable: !always_not_null && doc.nullable.unwrap_or(true),
            default,
            identity,
            generated,
            collation: doc.collation.clone(),
            comment: doc.comment.clone(),
            renamed_from: doc.renamed_from.clone(),
            allow_destructive: doc.allow_destructive,
            greptime: None,
            mysql: None,
        })
    }

    /// Adds the `unique`, `check` and `references` shorthands of a column to the table, and
    /// gives back the column's name when it says `primary_key: true`.
    fn column_constraints(
        &self,
        table: &mut Table,
        column: &Spanned<ColumnDoc>,
    ) -> Result<Option<String>, LoadError> {
        let doc = &column.value;
        let columns = vec![doc.name.clone()];
        if doc.unique {
            table.uniques.push(Unique {
                name: self.default_name(&table.name, &columns, ConstraintKind::Unique),
                columns: columns.clone(),
                nulls_not_distinct: false,
                deferrable: false,
                initially_deferred: false,
            });
        }
        if let Some(expression) = &doc.check {
            let check = self.check(table, expression, None, false)?;
            table.checks.push(check);
        }
        if let Some(references) = &doc.references {
            let key = self.column_reference(&table.name, &doc.name, references)?;
            table.foreign_keys.push(key);
        }
        Ok(doc.primary_key.then(|| doc.name.clone()))
    }

    fn column_reference(
        &self,
        table: &str,
        column: &str,
        references: &Spanned<ReferencesDoc>,
    ) -> Result<ForeignKey, LoadError> {
        let columns = vec![column.to_string()];
        let name = self.default_name(table, &columns, ConstraintKind::ForeignKey);
        let key = |ref_schema: String, ref_table: String, ref_column: String| ForeignKey {
            name,
            columns,
            ref_schema,
            ref_table,
            ref_columns: vec![ref_column],
            on_delete: ForeignKeyAction::NoAction,
            on_update: ForeignKeyAction::NoAction,
            deferrable: false,
            initially_deferred: false,
        };
        Ok(match &references.value {
            ReferencesDoc::Target(target) => {
                let parts: Vec<&str> = target.split('.').collect();
                match parts.as_slice() {
                    [t, c] => key(self.schema.clone(), t.to_string(), c.to_string()),
                    [s, t, c] => key(s.to_string(), t.to_string(), c.to_string()),
                    _ => {
                        return Err(self.invalid(
                            references.referenced,
                            format!("references `{target}`: expected table.column or schema.table.column"),
                        ));
                    }
                }
            }
            ReferencesDoc::Detailed(d) => ForeignKey {
                on_delete: action(d.on_delete),
                on_update: action(d.on_update),
                deferrable: d.deferrable,
                initially_deferred: d.initially_deferred,
                ..key(
                    d.schema.clone().unwrap_or_else(|| self.schema.clone()),
                    d.table.clone(),
                    d.column.clone(),
                )
            },
        })
    }

    /// The table's primary key, from `primary_key:` and/or the columns marked
    /// `primary_key: true`, which must agree when both are given.
    fn primary_key(
        &self,
        table: &Table,
        doc: Option<PrimaryKeyDoc>,
        marked: Vec<String>,
        at: serde_saphyr::Location,
    ) -> Result<Option<PrimaryKey>, LoadError> {
        let declared = doc.map(|doc| match doc {
            PrimaryKeyDoc::Columns(columns) => (None, columns),
            PrimaryKeyDoc::Detailed(d) => (d.name, d.columns),
        });
        let (name, columns) = match declared {
            Some(declared) if marked.is_empty() || marked == declared.1 => declared,
            Some((_, columns)) => {
                return Err(self.invalid(
                    at,
                    format!(
                        "table {}: `primary_key: [{}]` disagrees with the columns marked `primary_key: true` ({})",
                        table.name,
                        columns.join(", "),
                        marked.join(", ")
                    ),
                ));
            }
            None if marked.len() > 1 => {
                return Err(self.invalid(
                    at,
                    format!(
                        "table {}: `primary_key: true` on several columns ({}); list them in the table's `primary_key` instead",
                        table.name,
                        marked.join(", ")
                    ),
                ));
            }
            None if marked.is_empty() => return Ok(None),
            None => (None, marked),
        };
        self.require_columns(table, &columns, at)?;
        Ok(Some(PrimaryKey {
            name: name.unwrap_or_else(|| {
                self.default_name(&table.name, &columns, ConstraintKind::PrimaryKey)
            }),
            columns,
        }))
    }

    fn check(
        &self,
        table: &Table,
        raw: &Spanned<String>,
        name: Option<String>,
        no_inherit: bool,
    ) -> Result<Check, LoadError> {
        let expression = self.normalized(raw, |d, raw| d.normalize_expression(raw))?;
        let name = name.unwrap_or_else(|| {
            let columns = mentioned_columns(&expression, table);
            self.default_name(&table.name, &columns, ConstraintKind::Check)
        });
        Ok(Check {
            name,
            expression,
            no_inherit,
        })
    }

    fn index(&self, table: &Table, doc: Spanned<IndexDoc>) -> Result<Index, LoadError> {
        let at = doc.referenced;
        let doc = doc.value;
        let keys = match (doc.columns, doc.keys) {
            (Some(columns), None) => columns.into_iter().map(IndexKey::column).collect(),
            (None, Some(keys)) => keys
                .into_iter()
                .map(|key| self.index_key(key, at))
                .collect::<Result<Vec<_>, _>>()?,
            _ => {
                return Err(self.invalid(
                    at,
                    format!("index on {}: give either `columns` or `keys`", table.name),
                ));
            }
        };
        let columns: Vec<String> = keys
            .iter()
            .filter(|k| !k.expression)
            .map(|k| k.target.clone())
            .chain(doc.include.iter().cloned())
            .collect();
        self.require_columns(table, &columns, at)?;
        let predicate = match &doc.predicate {
            Some(raw) => Some(self.normalized(raw, |d, raw| d.normalize_expression(raw))?),
            None => None,
        };
        let name = doc.name.unwrap_or_else(|| {
            let columns = index_name_columns(&keys, &doc.include);
            self.default_name(&table.name, &columns, ConstraintKind::Index)
        });
        Ok(Index {
            name,
            keys,
            unique: doc.unique,
            method: doc
                .method
                .map_or_else(|| "btree".to_string(), |m| m.to_lowercase()),
            predicate,
            include: doc.include,
            nulls_not_distinct: doc.nulls_not_distinct,
        })
    }

    fn index_key(
        &self,
        doc: IndexKeyDoc,
        at: serde_saphyr::Location,
    ) -> Result<IndexKey, LoadError> {
        let (target, expression) = match (doc.column, &doc.expression) {
            (Some(column), None) => (column, false),
            (None, Some(raw)) => (
                self.normalized(raw, |d, raw| d.normalize_expression(raw))?,
                true,
            ),
            _ => {
                return Err(self.invalid(at, "an index key has either `column` or `expression`"));
            }
        };
        let descending = matches!(doc.order, Some(OrderDoc::Desc));
        let nulls_first = match doc.nulls {
            Some(NullsDoc::First) if !descending => Some(true),
            Some(NullsDoc::Last) if descending => Some(false),
            _ => None,
        };
        Ok(IndexKey {
            target,
            expression,
            collation: doc.collation,
            opclass: doc.opclass,
            descending,
            nulls_first,
        })
    }

    fn require_columns(
        &self,
        table: &Table,
        columns: &[String],
        at: serde_saphyr::Location,
    ) -> Result<(), LoadError> {
        match columns.iter().find(|c| table.column(c).is_none()) {
            Some(missing) => {
                Err(self.invalid(at, format!("table {} has no column {missing}", table.name)))
            }
            None => Ok(()),
        }
    }

    fn data_type(&self, raw: &Spanned<String>) -> Result<String, LoadError> {
        self.normalized(raw, |d, raw| d.normalize_type(raw))
    }

    /// Runs a dialect normalizer on a YAML value, reporting a failure at the value.
    fn normalized(
        &self,
        raw: &Spanned<String>,
        normalize: impl Fn(&dyn crate::backend::Dialect, &str) -> Result<String, StatementError>,
    ) -> Result<String, LoadError> {
        normalize(self.options.dialect, &raw.value)
            .map_err(|e| self.invalid(raw.referenced, format!("`{}`: {}", raw.value, e.message)))
    }

    fn default_name(&self, table: &str, columns: &[String], kind: ConstraintKind) -> String {
        self.options.dialect.default_name(table, columns, kind)
    }

    fn record(&mut self, object: String, at: serde_saphyr::Location) -> Result<(), LoadError> {
        let location = self.location(Some(at));
        self.origins.record(object, location)
    }

    fn location(&self, at: Option<serde_saphyr::Location>) -> Location {
        let (line, column) = at.map_or((1, 1), |l| (l.line() as usize, l.column() as usize));
        Location {
            file: self.file.to_path_buf(),
            line,
            column,
        }
    }

    fn invalid(&self, at: serde_saphyr::Location, message: impl Into<String>) -> LoadError {
        invalid_at(
            self.text,
            self.file,
            at.line() as usize,
            at.column() as usize,
            message,
        )
    }
}

fn identity(doc: &IdentityDoc) -> Identity {
    let (kind, start, increment) = match doc {
        IdentityDoc::Kind(kind) => (*kind, None, None),
        IdentityDoc::Detailed(d) => (d.kind, d.start, d.increment),
    };
    let default_start = if increment.unwrap_or(1) > 0 { 1 } else { -1 };
    Identity {
        kind: match kind {
            IdentityKindDoc::Always => IdentityKind::Always,
            IdentityKindDoc::ByDefault => IdentityKind::ByDefault,
        },
        start: start.filter(|v| *v != default_start),
        increment: increment.filter(|v| *v != 1),
    }
}

fn action(doc: ActionDoc) -> ForeignKeyAction {
    match doc {
        ActionDoc::NoAction => ForeignKeyAction::NoAction,
        ActionDoc::Restrict => ForeignKeyAction::Restrict,
        ActionDoc::Cascade => ForeignKeyAction::Cascade,
        ActionDoc::SetNull => ForeignKeyAction::SetNull,
        ActionDoc::SetDefault => ForeignKeyAction::SetDefault,
    }
}

/// The columns of `table` an expression mentions, each once, in order of first mention: what
/// PostgreSQL names an unnamed check after.
fn mentioned_columns(expression: &str, table: &Table) -> Vec<String> {
    let Ok(parsed) = parse_expression(expression) else {
        return Vec::new();
    };
    let mut columns = referenced_columns(&parsed);
    columns.retain(|column| table.column(column).is_some());
    columns
}

/// The names PostgreSQL builds an unnamed index's name from: each key's column or expression
/// name part (`lower` for `lower(email)`), then the INCLUDE columns.
fn index_name_columns(keys: &[IndexKey], include: &[String]) -> Vec<String> {
    keys.iter()
        .map(|k| {
            if k.expression {
                index_key_name_part(&k.target)
            } else {
                k.target.clone()
            }
        })
        .chain(include.iter().cloned())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::super::testing::TestDialect;
    use super::super::{LoadError, LoadOptions, load_yaml_text};
    use crate::backend::SchemaContext;
    use crate::model::{
        Check, Column, Enum, Extension, ForeignKey, ForeignKeyAction, Identity, IdentityKind,
        Index, IndexKey, Model, PrimaryKey, Sequence, Table, Unique, View,
    };
    use std::path::Path;

    fn load(text: &str) -> Result<Model, LoadError> {
        let context = SchemaContext {
            default_schema: "core".to_string(),
        };
        let options = LoadOptions {
            dialect: &TestDialect,
            context: &context,
        };
        load_yaml_text(text, Path::new("schema/core/tables.yaml"), options)
    }

    fn table(model: &Model, schema: &str, name: &str) -> Table {
        model.schemas[schema].tables[name].clone()
    }

    fn column(name: &str, data_type: &str, nullable: bool) -> Column {
        Column {
            name: name.to_string(),
            data_type: data_type.to_string(),
            nullable,
            ..Column::default()
        }
    }

    fn names(items: &[&str]) -> Vec<String> {
        items.iter().map(|s| s.to_string()).collect()
    }

    fn invalid(result: Result<Model, LoadError>) -> (usize, usize, String, String) {
        match result {
            Err(LoadError::Invalid {
                location,
                message,
                line_text,
            }) => (location.line, location.column, message, line_text),
            other => panic!("expected an invalid-input error, got {other:?}"),
        }
    }

    #[test]
    fn loads_a_table_with_table_level_constraints_to_the_exact_model() {
        let model = load(
            "schema: core
tables:
  - name: organizations
    comment: A tenant
    renamed_from: orgs
    allow_destructive: true
    columns:
      - name: id
        type: int8
      - name: region_id
        type: int4
        nullable: false
      - name: slug
        type: varchar(63)
        default: \"'x'::text\"
        comment: Short name
        collation: C
        renamed_from: handle
        allow_destructive: true
    primary_key: { name: organizations_pk, columns: [id] }
    unique:
      - columns: [region_id, slug]
        nulls_not_distinct: true
        deferrable: true
        initially_deferred: true
    checks:
      - expression: char_length(slug) >= 3
      - expression: region_id > 0
        name: positive_region
        no_inherit: true
    foreign_keys:
      - columns: [region_id]
        references: { table: regions, columns: [id], schema: geo }
        on_delete: cascade
        on_update: set_null
        deferrable: true
        initially_deferred: true
",
        )
        .unwrap();
        let expected = Table {
            name: "organizations".to_string(),
            columns: vec![
                column("id", "bigint", false),
                column("region_id", "integer", false),
                Column {
                    default: Some("'x'::text".to_string()),
                    comment: Some("Short name".to_string()),
                    collation: Some("C".to_string()),
                    renamed_from: Some("handle".to_string()),
                    allow_destructive: true,
                    ..column("slug", "character varying(63)", true)
                },
            ],
            primary_key: Some(PrimaryKey {
                name: "organizations_pk".to_string(),
                columns: names(&["id"]),
            }),
            uniques: vec![Unique {
                name: "organizations_region_id_slug_key".to_string(),
                columns: names(&["region_id", "slug"]),
                nulls_not_distinct: true,
                deferrable: true,
                initially_deferred: true,
            }],
            checks: vec![
                Check {
                    name: "organizations_slug_check".to_string(),
                    expression: "char_length(slug) >= 3".to_string(),
                    no_inherit: false,
                },
                Check {
                    name: "positive_region".to_string(),
                    expression: "region_id > 0".to_string(),
                    no_inherit: true,
                },
            ],
            foreign_keys: vec![ForeignKey {
                name: "organizations_region_id_fkey".to_string(),
                columns: names(&["region_id"]),
                ref_schema: "geo".to_string(),
                ref_table: "regions".to_string(),
                ref_columns: names(&["id"]),
                on_delete: ForeignKeyAction::Cascade,
                on_update: ForeignKeyAction::SetNull,
                deferrable: true,
                initially_deferred: true,
            }],
            indexes: vec![],
            comment: Some("A tenant".to_string()),
            renamed_from: Some("orgs".to_string()),
            allow_destructive: true,
            greptime: None,
            mysql: None,
        };
        assert_eq!(table(&model, "core", "organizations"), expected);
    }

    #[test]
    fn expands_column_shorthands_into_constraints() {
        let model = load(
            "tables:
  - name: users
    columns:
      - name: id
        type: uuid
        primary_key: true
        nullable: true
      - name: email
        type: text
        unique: true
        check: char_length(email) > 3
      - name: org_id
        type: bigint
        references: organizations.id
      - name: region_id
        type: bigint
        references: geo.regions.id
      - name: manager_id
        type: uuid
        references: { table: users, column: id, on_delete: set_null, deferrable: true }
",
        )
        .unwrap();
        let users = table(&model, "core", "users");
        assert_eq!(users.columns[0], column("id", "uuid", false));
        assert_eq!(
            users.primary_key,
            Some(PrimaryKey {
                name: "users_pkey".to_string(),
                columns: names(&["id"]),
            })
        );
        assert_eq!(
            users.uniques,
            vec![Unique {
                name: "users_email_key".to_string(),
                columns: names(&["email"]),
                nulls_not_distinct: false,
                deferrable: false,
                initially_deferred: false,
            }]
        );
        assert_eq!(
            users.checks,
            vec![Check {
                name: "users_email_check".to_string(),
                expression: "char_length(email) > 3".to_string(),
                no_inherit: false,
            }]
        );
        let reference = |column: &str, schema: &str, table: &str| ForeignKey {
            name: format!("users_{column}_fkey"),
            columns: names(&[column]),
            ref_schema: schema.to_string(),
            ref_table: table.to_string(),
            ref_columns: names(&["id"]),
            on_delete: ForeignKeyAction::NoAction,
            on_update: ForeignKeyAction::NoAction,
            deferrable: false,
            initially_deferred: false,
        };
        assert_eq!(
            users.foreign_keys,
            vec![
                ForeignKey {
                    on_delete: ForeignKeyAction::SetNull,
                    deferrable: true,
                    ..reference("manager_id", "core", "users")
                },
                reference("org_id", "core", "organizations"),
                reference("region_id", "geo", "regions"),
            ]
        );
    }

    #[test]
    fn identity_columns_are_not_null_and_default_options_are_dropped() {
        let model = load(
            "tables:
  - name: events
    columns:
      - { name: a, type: bigint, identity: always }
      - { name: b, type: bigint, identity: by_default, nullable: true }
      - { name: c, type: bigint, identity: { kind: always, start: 1, increment: 1 } }
      - { name: d, type: bigint, identity: { kind: by_default, start: 100, increment: 5 } }
",
        )
        .unwrap();
        let identity = |kind, start, increment| {
            Some(Identity {
                kind,
                start,
                increment,
            })
        };
        let columns = table(&model, "core", "events").columns;
        let found: Vec<_> = columns
            .iter()
            .map(|c| (c.nullable, c.identity.clone()))
            .collect();
        assert_eq!(
            found,
            vec![
                (false, identity(IdentityKind::Always, None, None)),
                (false, identity(IdentityKind::ByDefault, None, None)),
                (false, identity(IdentityKind::Always, None, None)),
                (false, identity(IdentityKind::ByDefault, Some(100), Some(5))),
            ]
        );
    }

    #[test]
    fn primary_key_list_makes_its_columns_not_null() {
        let model = load(
            "tables:
  - name: memberships
    columns:
      - { name: org_id, type: bigint }
      - { name: user_id, type: bigint }
      - { name: note, type: text }
    primary_key: [org_id, user_id]
",
        )
        .unwrap();
        let memberships = table(&model, "core", "memberships");
        assert_eq!(
            memberships.primary_key,
            Some(PrimaryKey {
                name: "memberships_pkey".to_string(),
                columns: names(&["org_id", "user_id"]),
            })
        );
        let nullable: Vec<bool> = memberships.columns.iter().map(|c| c.nullable).collect();
        assert_eq!(nullable, vec![false, false, true]);
    }

    #[test]
    fn a_primary_key_declared_twice_differently_is_an_error() {
        let (line, _, message, _) = invalid(load(
            "tables:
  - name: t
    columns:
      - { name: a, type: bigint, primary_key: true }
      - { name: b, type: bigint }
    primary_key: [a, b]
",
        ));
        assert_eq!(line, 2);
        assert!(message.contains("disagrees"), "{message}");
    }

    #[test]
    fn a_primary_key_declared_twice_alike_takes_the_table_level_name() {
        let model = load(
            "tables:
  - name: t
    columns:
      - { name: a, type: bigint, primary_key: true }
    primary_key: { name: t_pk, columns: [a] }
",
        )
        .unwrap();
        let key = table(&model, "core", "t").primary_key.unwrap();
        assert_eq!((key.name.as_str(), key.columns), ("t_pk", names(&["a"])));
    }

    #[test]
    fn indexes_get_default_names_and_canonical_key_options() {
        let model = load(
            "tables:
  - name: orgs
    columns:
      - { name: slug, type: text }
      - { name: name, type: text }
      - { name: created_at, type: timestamptz }
      - { name: settings, type: jsonb }
      - { name: id, type: bigint }
    indexes:
      - columns: [slug]
      - name: orgs_settings_gin
        method: GIN
        keys:
          - { column: settings, opclass: jsonb_path_ops }
      - keys:
          - expression: lower(name)
          - { column: created_at, order: desc, nulls: first, collation: C }
          - { column: slug, nulls: first }
        unique: true
        where: created_at IS NULL
        include: [id]
        nulls_not_distinct: true
",
        )
        .unwrap();
        let key = |target: &str| IndexKey::column(target);
        let expected = vec![
            Index {
                name: "orgs_lower_created_at_slug_id_idx".to_string(),
                keys: vec![
                    IndexKey {
                        expression: true,
                        ..key("lower(name)")
                    },
                    IndexKey {
                        descending: true,
                        collation: Some("C".to_string()),
                        ..key("created_at")
                    },
                    IndexKey {
                        nulls_first: Some(true),
                        ..key("slug")
                    },
                ],
                unique: true,
                method: "btree".to_string(),
                predicate: Some("created_at IS NULL".to_string()),
                include: names(&["id"]),
                nulls_not_distinct: true,
            },
            Index {
                name: "orgs_settings_gin".to_string(),
                keys: vec![IndexKey {
                    opclass: Some("jsonb_path_ops".to_string()),
                    ..key("settings")
                }],
                unique: false,
                method: "gin".to_string(),
                predicate: None,
                include: vec![],
                nulls_not_distinct: false,
            },
            Index {
                name: "orgs_slug_idx".to_string(),
                keys: vec![key("slug")],
                unique: false,
                method: "btree".to_string(),
                predicate: None,
                include: vec![],
                nulls_not_distinct: false,
            },
        ];
        assert_eq!(table(&model, "core", "orgs").indexes, expected);
    }

    #[test]
    fn an_index_with_both_columns_and_keys_is_an_error_at_the_index() {
        let (line, column, message, _) = invalid(load(
            "tables:
  - name: t
    columns:
      - { name: a, type: text }
    indexes:
      - columns: [a]
        keys: [{ column: a }]
",
        ));
        assert_eq!((line, column), (6, 9));
        assert!(message.contains("either `columns` or `keys`"), "{message}");
    }

    #[test]
    fn schema_level_objects_are_loaded() {
        let model = load(
            "schema: billing
comment: Money
extensions:
  - pgcrypto
  - { name: citext, schema: public }
enums:
  - name: plan_tier
    values: [free, team]
    comment: Tier
sequences:
  - name: invoice_seq
    start: 1
    increment: 1
    min_value: 1
    cache: 1
  - name: countdown
    type: int4
    increment: -1
    start: 10
    max_value: 10
    cycle: true
    owned_by: invoices.number
views:
  - name: free_plans
    query: select * from billing.plans where tier = 'free'
    materialized: true
    comment: Free ones
allow_drop: [legacy]
",
        )
        .unwrap();
        let billing = &model.schemas["billing"];
        assert_eq!(billing.comment.as_deref(), Some("Money"));
        assert_eq!(billing.allow_drop, names(&["legacy"]));
        assert_eq!(
            model.extensions.values().cloned().collect::<Vec<_>>(),
            vec![
                Extension {
                    name: "citext".to_string(),
                    schema: Some("public".to_string()),
                },
                Extension {
                    name: "pgcrypto".to_string(),
                    schema: None,
                },
            ]
        );
        assert_eq!(
            billing.enums["plan_tier"],
            Enum {
                name: "plan_tier".to_string(),
                values: names(&["free", "team"]),
                comment: Some("Tier".to_string()),
            }
        );
        assert_eq!(
            billing.sequences.values().cloned().collect::<Vec<_>>(),
            vec![
                Sequence {
                    name: "countdown".to_string(),
                    data_type: "integer".to_string(),
                    start: None,
                    increment: Some(-1),
                    min_value: None,
                    max_value: Some(10),
                    cache: None,
                    cycle: true,
                    owned_by: Some("invoices.number".to_string()),
                },
                Sequence {
                    name: "invoice_seq".to_string(),
                    data_type: "bigint".to_string(),
                    start: None,
                    increment: None,
                    min_value: None,
                    max_value: None,
                    cache: None,
                    cycle: false,
                    owned_by: None,
                },
            ]
        );
        assert_eq!(
            billing.views["free_plans"],
            View {
                name: "free_plans".to_string(),
                definition: "SELECT * FROM billing.plans WHERE tier = 'free'".to_string(),
                materialized: true,
                comment: Some("Free ones".to_string()),
                mysql: None,
            }
        );
    }

    #[test]
    fn an_enum_of_the_same_schema_is_stored_unqualified() {
        let model = load(
            "enums:
  - { name: role, values: [admin, member] }
tables:
  - name: users
    columns:
      - { name: role, type: core.role }
      - { name: roles, type: \"core.role[]\" }
      - { name: tier, type: billing.tier }
",
        )
        .unwrap();
        let types: Vec<String> = table(&model, "core", "users")
            .columns
            .into_iter()
            .map(|c| c.data_type)
            .collect();
        assert_eq!(types, names(&["role", "role[]", "billing.tier"]));
    }

    #[test]
    fn a_default_loses_a_cast_to_the_column_type_only() {
        let model = load(
            "tables:
  - name: t
    columns:
      - { name: a, type: text, default: \"'x'::text\" }
      - { name: b, type: varchar(20), default: \"'y'::varchar\" }
      - { name: c, type: text, default: \"'1'::int8\" }
      - { name: d, type: integer, default: 0 }
      - { name: e, type: boolean, default: true }
",
        )
        .unwrap();
        let defaults: Vec<Option<String>> = table(&model, "core", "t")
            .columns
            .into_iter()
            .map(|c| c.default)
            .collect();
        let expected = ["'x'", "'y'", "'1'::bigint", "0", "true"];
        assert_eq!(defaults, expected.map(|d| Some(d.to_string())).to_vec());
    }

    #[test]
    fn an_unknown_field_names_its_line_and_column() {
        let (line, column, message, line_text) = invalid(load(
            "tables:
  - name: users
    columns:
      - name: id
        type: uuid
        nulable: false
",
        ));
        assert_eq!((line, column), (6, 9));
        assert!(message.contains("unknown field `nulable`"), "{message}");
        assert_eq!(line_text, "        nulable: false");
    }

    #[test]
    fn an_invalid_expression_is_an_error_at_its_value() {
        let (line, column, message, _) = invalid(load(
            "tables:
  - name: users
    columns:
      - name: email
        type: text
        check: char_length(email >
",
        ));
        assert_eq!((line, column), (6, 16));
        assert!(message.contains("char_length(email >"), "{message}");
    }

    #[test]
    fn an_invalid_type_is_an_error_at_its_value() {
        let (line, column, _, line_text) = invalid(load(
            "tables:\n  - name: t\n    columns:\n      - { name: a, type: \"text;\" }\n",
        ));
        assert_eq!((line, column), (4, 26));
        assert_eq!(line_text, "      - { name: a, type: \"text;\" }");
    }

    #[test]
    fn a_shorthand_of_the_wrong_shape_says_what_is_expected() {
        let (line, column, message, _) = invalid(load(
            "tables:\n  - name: t\n    columns:\n      - { name: a, type: int, identity: sometimes }\n",
        ));
        assert_eq!((line, column), (4, 41));
        assert_eq!(
            message,
            "identity is always, by_default, or {kind, start, increment}"
        );
    }

    #[test]
    fn a_short_reference_needs_table_and_column() {
        let (line, _, message, _) = invalid(load(
            "tables:\n  - name: t\n    columns:\n      - { name: a, type: int, references: regions }\n",
        ));
        assert_eq!(line, 4);
        assert!(message.contains("expected table.column"), "{message}");
    }

    #[test]
    fn a_constraint_on_a_missing_column_is_an_error() {
        let (_, _, message, _) = invalid(load(
            "tables:\n  - name: t\n    columns:\n      - { name: a, type: int }\n    unique:\n      - columns: [b]\n",
        ));
        assert_eq!(message, "table t has no column b");
    }

    #[test]
    fn a_table_defined_twice_in_one_file_names_both_lines() {
        let result = load("tables:\n  - name: t\n    columns: []\n  - name: t\n    columns: []\n");
        match result {
            Err(LoadError::Duplicate {
                object,
                first,
                second,
            }) => {
                assert_eq!(object, "table core.t");
                assert_eq!((first.line, second.line), (2, 4));
            }
            other => panic!("expected a duplicate, got {other:?}"),
        }
    }

    #[test]
    fn yaml_one_one_forms_stay_strings() {
        let model = load("extensions: [y, no]\n").unwrap();
        let extensions: Vec<&String> = model.extensions.keys().collect();
        assert_eq!(extensions, vec!["no", "y"]);
    }

    #[test]
    fn an_empty_file_gives_its_schema_and_nothing_else() {
        let model = load("# nothing yet\n").unwrap();
        assert_eq!(model.schemas.keys().collect::<Vec<_>>(), vec!["core"]);
        assert!(model.schemas["core"].tables.is_empty());
    }

    #[test]
    fn two_constraints_with_one_name_are_an_error() {
        let (line, _, message, _) = invalid(load(
            "tables:
  - name: t
    columns:
      - { name: a, type: bigint, unique: true }
    unique:
      - columns: [a]
",
        ));
        assert_eq!(line, 2);
        assert_eq!(
            message,
            "table t: two constraints or indexes are named t_a_key"
        );
    }

    /// The whole-file example of `docs/yaml-format.md` is valid, so the doc and the loader agree.
    #[test]
    fn the_documented_example_loads() {
        let doc = include_str!("../../docs/yaml-format.md");
        let example = doc
            .split("```yaml\n")
            .nth(2)
            .and_then(|rest| rest.split("```").next())
            .expect("the doc has a whole-file example");
        let model = load(example).unwrap();
        let organizations = table(&model, "core", "organizations");
        let names: Vec<&str> = organizations
            .indexes
            .iter()
            .map(|i| i.name.as_str())
            .collect();
        assert_eq!(
            names,
            vec![
                "organizations_lower_created_at_id_idx",
                "organizations_settings_gin",
                "organizations_slug_idx",
            ]
        );
        assert_eq!(organizations.foreign_keys.len(), 2);
        assert!(
            model.schemas["core"]
                .views
                .contains_key("active_organizations")
        );
    }

    #[test]
    fn committed_json_schema_is_up_to_date() {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/bfm-schema.json");
        let committed = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(
            committed == super::json_schema(),
            "docs/bfm-schema.json is out of date; regenerate it with \
             `cargo run -- schema-json > docs/bfm-schema.json`"
        );
    }
}
