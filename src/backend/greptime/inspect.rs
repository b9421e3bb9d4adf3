//! Reads a live GreptimeDB over its MySQL protocol into a [`Model`].
//!
//! The catalog is read in [`CATALOG_QUERIES`] batched statements whatever the number of tables —
//! `information_schema.schemata` (database options), `tables` (which tables, and their own
//! `create_options`), `columns` (greptime_data_type, semantic_type, column_default,
//! is_nullable, column_comment) and `key_column_usage` (the tags in key order) — plus one
//! `SHOW CREATE TABLE` per table: options, partition rules and the index clauses exist nowhere
//! else in the catalog (information_schema has no per-column index options and no table
//! options besides the unordered `create_options`), so that statement per table is
//! unavoidable.
//!
//! The pure part ([`table_from_catalog`], [`database_options_from_schemata`]) turns those rows
//! and texts into model objects and checks that they agree; the I/O part ([`inspect`]) only
//! runs the statements.

use super::options;
use super::table_from_create;
use super::types::normalize_type;
use crate::model::{GreptimeDatabase, Model, QualifiedName, Table};
use sqlx::mysql::{MySqlPool, MySqlRow};
use sqlx::{AssertSqlSafe, Row};
use std::collections::{BTreeMap, BTreeSet};

/// How many batched catalog statements one inspection issues (besides one SHOW CREATE TABLE per
/// table).
pub const CATALOG_QUERIES: usize = 4;

/// Why a GreptimeDB database could not be read into a model.
#[derive(Debug, thiserror::Error)]
pub enum InspectError {
    #[error("cannot read {what} from the database: {source}")]
    Query {
        what: String,
        #[source]
        source: sqlx::Error,
    },
    /// The server's answers disagree with each other or with what bfm reads.
    #[error("table {table}: {message}")]
    Table {
        table: QualifiedName,
        message: String,
    },
    #[error("database {database}: {message}")]
    Database { database: String, message: String },
}

/// One row of `information_schema.columns`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ColumnRow {
    pub column_name: String,
    pub ordinal_position: i64,
    /// The native type (`String`, `TimestampMillisecond`, `UInt32`).
    pub greptime_data_type: String,
    /// `TAG`, `FIELD` or `TIMESTAMP`.
    pub semantic_type: String,
    pub column_default: Option<String>,
    /// `YES` or `NO`.
    pub is_nullable: String,
    /// `Some("")` for none; `None` when not read (DESC TABLE does not show comments).
    pub column_comment: Option<String>,
}

/// One row of `information_schema.key_column_usage`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyColumnRow {
    pub column_name: String,
    /// `PRIMARY` or `TIME INDEX`.
    pub constraint_name: String,
    /// The position in the key (1-based).
    pub ordinal_position: i64,
}

/// What the catalog says about one table.
#[derive(Debug, Clone)]
pub struct TableCatalog {
    pub table: QualifiedName,
    pub columns: Vec<ColumnRow>,
    pub key_columns: Vec<KeyColumnRow>,
    /// `information_schema.tables.create_options` (`ttl=7days write_buffer_size=…`): the
    /// table's own options, without the database ttl. `None` when not read.
    pub create_options: Option<String>,
    /// The text of `SHOW CREATE TABLE`.
    pub show_create: String,
}

/// The table of `catalog`: read from its SHOW CREATE TABLE, checked against the column and key
/// rows, the tags put in `key_column_usage` order, and the database ttl the server shows on a
/// table without its own taken out again (`database_ttl`: the database's canonical ttl).
pub fn table_from_catalog(
    catalog: &TableCatalog,
    database_ttl: Option<&str>,
) -> Result<Table, InspectError> {
    let fail = |message: String| InspectError::Table {
        table: catalog.table.clone(),
        message,
    };
    let mut table = table_from_create(&catalog.show_create, &catalog.table.schema)
        .map_err(|e| fail(format!("cannot read its SHOW CREATE TABLE: {}", e.message)))?;
    table.name = catalog.table.name.clone();
    check_column_rows(&table, &catalog.columns)?;
    if let Some(tags) = key_order(&catalog.key_columns) {
        let shown: BTreeSet<&String> = table.primary_key.iter().flat_map(|k| &k.columns).collect();
        if shown != tags.iter().collect() {
            return Err(fail(format!(
                "key_column_usage lists the tags ({}) but SHOW CREATE TABLE does not",
                tags.join(", ")
            )));
        }
        if let Some(key) = &mut table.primary_key {
            key.columns = tags;
        }
    }
    strip_database_ttl(&mut table, catalog.create_options.as_deref(), database_ttl);
    Ok(table)
}

/// The tags in key order from `key_column_usage`, or `None` when no row was given.
fn key_order(rows: &[KeyColumnRow]) -> Option<Vec<String>> {
    if rows.is_empty() {
        return None;
    }
    let mut tags: Vec<&KeyColumnRow> = rows
        .iter()
        .filter(|r| r.constraint_name == "PRIMARY")
        .collect();
    tags.sort_by_key(|r| r.ordinal_position);
    Some(tags.into_iter().map(|r| r.column_name.clone()).collect())
}

/// Checks that `information_schema.columns` rows agree with `table` (read from SHOW CREATE
/// TABLE): the same columns in order, types, nullability, semantic types, presence of a
/// default and comments.
pub fn check_column_rows(table: &Table, rows: &[ColumnRow]) -> Result<(), InspectError> {
    check_columns(table, rows).map_err(|message| InspectError::Table {
        table: QualifiedName::new("", table.name.clone()),
        message,
    })
}

fn check_columns(table: &Table, rows: &[ColumnRow]) -> Result<(), String> {
    if rows.is_empty() {
        return Ok(());
    }
    let mut rows: Vec<&ColumnRow> = rows.iter().collect();
    rows.sort_by_key(|r| r.ordinal_position);
    let listed: Vec<&str> = rows.iter().map(|r| r.column_name.as_str()).collect();
    let shown: Vec<&str> = table.columns.iter().map(|c| c.name.as_str()).collect();
    if listed != shown {
        return Err(format!(
            "information_schema.columns lists ({}) but SHOW CREATE TABLE shows ({})",
            listed.join(", "),
            shown.join(", ")
        ));
    }
    let time_index = table.greptime.as_ref().map(|g| g.time_index.as_str());
    let tags: Vec<&String> = table.primary_key.iter().flat_map(|k| &k.columns).collect();
    for (row, column) in rows.iter().zip(&table.columns) {
        let name = &column.name;
        let data_type = normalize_type(&row.greptime_data_type).map_err(|e| {
            format!(
                "column {name}: unknown type {}: {}",
                row.greptime_data_type, e.message
            )
        })?;
        if data_type != column.data_type {
            return Err(format!(
                "column {name} is {} in information_schema but {} in SHOW CREATE TABLE",
                row.greptime_data_type, column.data_type
            ));
        }
        let semantic = if time_index == Some(name.as_str()) {
            "TIMESTAMP"
        } else if tags.contains(&name) {
            "TAG"
        } else {
            "FIELD"
        };
        if !row.semantic_type.eq_ignore_ascii_case(semantic) {
            return Err(format!(
                "column {name} is a {} in information_schema but a {semantic} in SHOW CREATE TABLE",
                row.semantic_type
            ));
        }
        if row.is_nullable.eq_ignore_ascii_case("YES") != column.nullable {
            return Err(format!(
                "column {name}: is_nullable {} disagrees with SHOW CREATE TABLE",
                row.is_nullable
            ));
        }
        let has_default = row.column_default.as_deref().is_some_and(|d| !d.is_empty());
        if has_default != column.default.is_some() {
            return Err(format!(
                "column {name}: the default {:?} disagrees with SHOW CREATE TABLE",
                row.column_default
            ));
        }
        let Some(comment) = row.column_comment.as_deref() else {
            continue;
        };
        let comment = Some(comment).filter(|c| !c.is_empty());
        if comment != column.comment.as_deref() {
            return Err(format!(
                "column {name}: the comment {comment:?} disagrees with SHOW CREATE TABLE"
            ));
        }
    }
    Ok(())
}

/// SHOW CREATE TABLE shows the database ttl on a table that has none of its own; the desired
/// state does not repeat it, so it is taken out. A table's own options are in `create_options`
/// (which never holds the inherited ttl); without them, a ttl equal to the database's counts as
/// inherited.
fn strip_database_ttl(table: &mut Table, create_options: Option<&str>, database_ttl: Option<&str>) {
    let Some(greptime) = table.greptime.as_mut() else {
        return;
    };
    let own_ttl = match create_options {
        Some(text) => text
            .split_whitespace()
            .any(|pair| pair.split('=').next() == Some("ttl")),
        None => false,
    };
    if own_ttl {
        return;
    }
    let inherited = match (create_options, database_ttl) {
        (Some(_), _) => true,
        (None, Some(db)) => greptime.options.get("ttl").map(String::as_str) == Some(db),
        (None, None) => false,
    };
    if inherited {
        greptime.options.remove("ttl");
    }
}

/// The options of `information_schema.schemata.options`: one `'k'='v'` per line.
pub fn database_options_from_schemata(
    database: &str,
    text: &str,
) -> Result<BTreeMap<String, String>, InspectError> {
    let fail = |message: String| InspectError::Database {
        database: database.to_string(),
        message,
    };
    let mut pairs = Vec::new();
    for line in text.lines().map(str::trim).filter(|l| !l.is_empty()) {
        let (key, value) = line
            .split_once('=')
            .ok_or_else(|| fail(format!("cannot read the option {line:?}")))?;
        let unquote = |s: &str| s.trim().trim_matches('\'').to_string();
        pairs.push((unquote(key), unquote(value)));
    }
    options::database_options(pairs).map_err(|e| fail(e.message))
}

fn in_list(count: usize) -> String {
    vec!["?"; count].join(", ")
}

async fn fetch(
    pool: &MySqlPool,
    what: &str,
    sql: String,
    binds: &[String],
) -> Result<Vec<MySqlRow>, InspectError> {
    let mut query = sqlx::query(AssertSqlSafe(sql));
    for bind in binds {
        query = query.bind(bind.clone());
    }
    query
        .fetch_all(pool)
        .await
        .map_err(|source| InspectError::Query {
            what: what.to_string(),
            source,
        })
}

fn text(row: &MySqlRow, what: &str, column: &str) -> Result<String, InspectError> {
    row.try_get::<String, _>(column)
        .map_err(|source| InspectError::Query {
            what: format!("{what} ({column})"),
            source,
        })
}

fn optional_text(row: &MySqlRow, what: &str, column: &str) -> Result<Option<String>, InspectError> {
    row.try_get::<Option<String>, _>(column)
        .map_err(|source| InspectError::Query {
            what: format!("{what} ({column})"),
            source,
        })
}

fn number(row: &MySqlRow, what: &str, column: &str) -> Result<i64, InspectError> {
    row.try_get::<i64, _>(column)
        .map_err(|source| InspectError::Query {
            what: format!("{what} ({column})"),
            source,
        })
}

/// Reads `databases` of a live GreptimeDB: [`CATALOG_QUERIES`] batched catalog statements and
/// one SHOW CREATE TABLE per base table.
pub async fn inspect(pool: &MySqlPool, databases: &[String]) -> Result<Model, InspectError> {
    let mut model = Model::default();
    if databases.is_empty() {
        return Ok(model);
    }
    let list = in_list(databases.len());
    let schemata = fetch(
        pool,
        "information_schema.schemata",
        format!(
            "SELECT schema_name, options FROM information_schema.schemata WHERE schema_name IN ({list})"
        ),
        databases,
    )
    .await?;
    for row in &schemata {
        let name = text(row, "schemata", "schema_name")?;
        let options_text = optional_text(row, "schemata", "options")?.unwrap_or_default();
        let db_options = database_options_from_schemata(&name, &options_text)?;
        model.schema_mut(&name).greptime = (!db_options.is_empty()).then_some(GreptimeDatabase {
            options: db_options,
        });
    }
    let mut catalogs = table_rows(pool, databases, &list).await?;
    column_rows(pool, databases, &list, &mut catalogs).await?;
    key_rows(pool, databases, &list, &mut catalogs).await?;
    for (name, catalog) in &mut catalogs {
        let sql = format!(
            "SHOW CREATE TABLE {}.{}",
            super::names::quote_ident(&name.schema, '`'),
            super::names::quote_ident(&name.name, '`')
        );
        let rows = fetch(pool, &format!("SHOW CREATE TABLE {name}"), sql, &[]).await?;
        catalog.show_create = match rows.first() {
            Some(row) => text(row, "SHOW CREATE TABLE", "Create Table")?,
            None => String::new(),
        };
        let database_ttl = model
            .schemas
            .get(&name.schema)
            .and_then(|s| s.greptime.as_ref())
            .and_then(|g| g.options.get("ttl"))
            .cloned();
        let table = table_from_catalog(catalog, database_ttl.as_deref())?;
        model
            .schema_mut(&name.schema)
            .tables
            .insert(table.name.clone(), table);
    }
    Ok(model)
}

async fn table_rows(
    pool: &MySqlPool,
    databases: &[String],
    list: &str,
) -> Result<BTreeMap<QualifiedName, TableCatalog>, InspectError> {
    let rows = fetch(
        pool,
        "information_schema.tables",
        format!(
            "SELECT table_schema, table_name, create_options FROM information_schema.tables \
             WHERE table_schema IN ({list}) AND table_type = 'BASE TABLE'"
        ),
        databases,
    )
    .await?;
    let mut catalogs = BTreeMap::new();
    for row in &rows {
        let table = QualifiedName::new(
            text(row, "tables", "table_schema")?,
            text(row, "tables", "table_name")?,
        );
        let create_options = optional_text(row, "tables", "create_options")?;
        catalogs.insert(
            table.clone(),
            TableCatalog {
                table,
                columns: Vec::new(),
                key_columns: Vec::new(),
                create_options: Some(create_options.unwrap_or_default()),
                show_create: String::new(),
            },
        );
    }
    Ok(catalogs)
}

async fn column_rows(
    pool: &MySqlPool,
    databases: &[String],
    list: &str,
    catalogs: &mut BTreeMap<QualifiedName, TableCatalog>,
) -> Result<(), InspectError> {
    let what = "information_schema.columns";
    let rows = fetch(
        pool,
        what,
        format!(
            "SELECT table_schema, table_name, column_name, ordinal_position, greptime_data_type, \
             semantic_type, column_default, is_nullable, column_comment \
             FROM information_schema.columns WHERE table_schema IN ({list})"
        ),
        databases,
    )
    .await?;
    for row in &rows {
        let table = QualifiedName::new(
            text(row, what, "table_schema")?,
            text(row, what, "table_name")?,
        );
        let Some(catalog) = catalogs.get_mut(&table) else {
            continue;
        };
        catalog.columns.push(ColumnRow {
            column_name: text(row, what, "column_name")?,
            ordinal_position: number(row, what, "ordinal_position")?,
            greptime_data_type: text(row, what, "greptime_data_type")?,
            semantic_type: text(row, what, "semantic_type")?,
            column_default: optional_text(row, what, "column_default")?,
            is_nullable: text(row, what, "is_nullable")?,
            column_comment: Some(optional_text(row, what, "column_comment")?.unwrap_or_default()),
        });
    }
    Ok(())
}

async fn key_rows(
    pool: &MySqlPool,
    databases: &[String],
    list: &str,
    catalogs: &mut BTreeMap<QualifiedName, TableCatalog>,
) -> Result<(), InspectError> {
    let what = "information_schema.key_column_usage";
    let rows = fetch(
        pool,
        what,
        format!(
            "SELECT table_schema, table_name, column_name, constraint_name, ordinal_position \
             FROM information_schema.key_column_usage WHERE table_schema IN ({list})"
        ),
        databases,
    )
    .await?;
    for row in &rows {
        let table = QualifiedName::new(
            text(row, what, "table_schema")?,
            text(row, what, "table_name")?,
        );
        let Some(catalog) = catalogs.get_mut(&table) else {
            continue;
        };
        catalog.key_columns.push(KeyColumnRow {
            column_name: text(row, what, "column_name")?,
            constraint_name: text(row, what, "constraint_name")?,
            ordinal_position: number(row, what, "ordinal_position")?,
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn column(name: &str, native: &str, semantic: &str, nullable: &str) -> ColumnRow {
        ColumnRow {
            column_name: name.to_string(),
            ordinal_position: 0,
            greptime_data_type: native.to_string(),
            semantic_type: semantic.to_string(),
            column_default: None,
            is_nullable: nullable.to_string(),
            column_comment: None,
        }
    }

    const SHOW: &str = "CREATE TABLE IF NOT EXISTS `m` (\n  `host` STRING NULL,\n  `dc` STRING NULL,\n  `ts` TIMESTAMP(3) NOT NULL,\n  TIME INDEX (`ts`),\n  PRIMARY KEY (`host`, `dc`)\n)\n\nENGINE=mito\nWITH(\n  ttl = '7days'\n)";

    fn catalog() -> TableCatalog {
        let mut columns = vec![
            column("host", "String", "TAG", "YES"),
            column("dc", "String", "TAG", "YES"),
            column("ts", "TimestampMillisecond", "TIMESTAMP", "NO"),
        ];
        for (at, row) in columns.iter_mut().enumerate() {
            row.ordinal_position = at as i64 + 1;
        }
        TableCatalog {
            table: QualifiedName::new("db", "m"),
            columns,
            key_columns: Vec::new(),
            create_options: None,
            show_create: SHOW.to_string(),
        }
    }

    #[test]
    fn a_table_reads_from_show_create_checked_against_its_column_rows() {
        let table = table_from_catalog(&catalog(), None).unwrap();
        assert_eq!(table.primary_key.unwrap().columns, ["host", "dc"]);
        assert_eq!(table.greptime.unwrap().options["ttl"], "7days");
    }

    #[test]
    fn column_rows_that_disagree_are_an_error_naming_the_column() {
        let mut wrong = catalog();
        wrong.columns[1].greptime_data_type = "Int64".to_string();
        let error = table_from_catalog(&wrong, None).unwrap_err().to_string();
        assert!(error.contains("column dc is Int64"), "{error}");
        let mut wrong = catalog();
        wrong.columns[0].semantic_type = "FIELD".to_string();
        assert!(table_from_catalog(&wrong, None).is_err());
    }

    #[test]
    fn the_database_ttl_is_taken_out_unless_create_options_say_the_table_has_its_own() {
        let table = table_from_catalog(&catalog(), Some("7days")).unwrap();
        assert!(!table.greptime.unwrap().options.contains_key("ttl"));
        let mut own = catalog();
        own.create_options = Some("ttl=7days".to_string());
        let table = table_from_catalog(&own, Some("7days")).unwrap();
        assert_eq!(table.greptime.unwrap().options["ttl"], "7days");
        let mut inherited = catalog();
        inherited.create_options = Some(String::new());
        let table = table_from_catalog(&inherited, Some("30days")).unwrap();
        assert!(!table.greptime.unwrap().options.contains_key("ttl"));
    }

    #[test]
    fn key_column_usage_orders_the_tags() {
        let mut ordered = catalog();
        ordered.key_columns = vec![
            KeyColumnRow {
                column_name: "host".into(),
                constraint_name: "PRIMARY".into(),
                ordinal_position: 2,
            },
            KeyColumnRow {
                column_name: "dc".into(),
                constraint_name: "PRIMARY".into(),
                ordinal_position: 1,
            },
            KeyColumnRow {
                column_name: "ts".into(),
                constraint_name: "TIME INDEX".into(),
                ordinal_position: 1,
            },
        ];
        let table = table_from_catalog(&ordered, None).unwrap();
        assert_eq!(table.primary_key.unwrap().columns, ["dc", "host"]);
    }

    #[test]
    fn schemata_options_are_read_one_per_line() {
        let options =
            database_options_from_schemata("db", "'ttl'='7d'\n'append_mode'='true'\n").unwrap();
        assert_eq!(options["ttl"], "7days");
        assert_eq!(options["append_mode"], "true");
        assert!(database_options_from_schemata("db", "'nope'='1'").is_err());
    }
}
