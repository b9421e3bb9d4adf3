//! Reading a live MySQL/MariaDB database into the model from `information_schema`: seven queries
//! per database whatever its number of tables, normalized the way the DDL loader normalizes, so
//! that a database created from SQL inspects equal to that SQL loaded.

use super::ddl::{PRIMARY, canonical_engine};
use super::events::canonical_interval;
use super::partitions::{CatalogPartition, from_catalog};
use super::types::{canonical_default, canonical_expression, normalize_type};
use crate::backend::StatementError;
use crate::model::{
    Check, Column, Event, EventStatus, ForeignKey, ForeignKeyAction, Identity, IdentityKind, Index,
    IndexKey, Model, MysqlColumn, MysqlTable, PrimaryKey, Schedule, Table,
};
use sqlx::mysql::{MySqlPool, MySqlRow};
use sqlx::{AssertSqlSafe, Row};
use std::collections::BTreeMap;

/// Why a database could not be read into a model.
#[derive(Debug, thiserror::Error)]
pub enum InspectError {
    #[error("cannot read {what} from the database: {source}")]
    Query {
        what: String,
        #[source]
        source: sqlx::Error,
    },
    #[error("cannot read {object} ({text}): {source}")]
    Normalize {
        object: String,
        text: String,
        #[source]
        source: StatementError,
    },
}

/// The number of catalog queries one database costs (the views' included).
pub const CATALOG_QUERIES: usize = 10;

pub(super) async fn fetch(
    pool: &MySqlPool,
    what: &str,
    sql: &str,
    database: &str,
) -> Result<Vec<MySqlRow>, InspectError> {
    sqlx::query(AssertSqlSafe(sql.to_string()))
        .bind(database.to_string())
        .fetch_all(pool)
        .await
        .map_err(|source| InspectError::Query {
            what: what.to_string(),
            source,
        })
}

pub(super) fn text(row: &MySqlRow, column: &str) -> Result<Option<String>, InspectError> {
    row.try_get::<Option<String>, _>(column)
        .map_err(|source| InspectError::Query {
            what: format!("column {column}"),
            source,
        })
}

fn number(row: &MySqlRow, column: &str) -> Result<Option<i64>, InspectError> {
    row.try_get::<Option<i64>, _>(column)
        .map_err(|source| InspectError::Query {
            what: format!("column {column}"),
            source,
        })
}

pub(super) fn normalize<T>(
    object: &str,
    raw: &str,
    result: Result<T, StatementError>,
) -> Result<T, InspectError> {
    result.map_err(|source| InspectError::Normalize {
        object: object.to_string(),
        text: raw.to_string(),
        source,
    })
}

const SCHEMATA: &str = "SELECT CONVERT(default_collation_name USING utf8mb4) AS collation \
     FROM information_schema.schemata WHERE schema_name = ?";
const TABLES: &str = "SELECT CONVERT(table_name USING utf8mb4) AS name, \
     CONVERT(engine USING utf8mb4) AS engine, CONVERT(table_collation USING utf8mb4) AS collation, \
     CONVERT(create_options USING utf8mb4) AS options, CONVERT(table_comment USING utf8mb4) AS comment \
     FROM information_schema.tables WHERE table_schema = ? AND table_type = 'BASE TABLE'";
const COLUMNS: &str = "SELECT CONVERT(table_name USING utf8mb4) AS tbl, \
     CONVERT(column_name USING utf8mb4) AS name, CONVERT(column_type USING utf8mb4) AS type, \
     CONVERT(column_default USING utf8mb4) AS dflt, CONVERT(is_nullable USING utf8mb4) AS nullable, \
     CONVERT(extra USING utf8mb4) AS extra, CONVERT(collation_name USING utf8mb4) AS collation, \
     CONVERT(generation_expression USING utf8mb4) AS generated, \
     CONVERT(column_comment USING utf8mb4) AS comment \
     FROM information_schema.columns WHERE table_schema = ? ORDER BY table_name, ordinal_position";
const STATISTICS: &str = "SELECT CONVERT(table_name USING utf8mb4) AS tbl, \
     CONVERT(index_name USING utf8mb4) AS name, CONVERT(column_name USING utf8mb4) AS col, \
     CAST(sub_part AS SIGNED) AS sub_part, CAST(non_unique AS SIGNED) AS non_unique, \
     CONVERT(index_type USING utf8mb4) AS method, CONVERT(collation USING utf8mb4) AS ord \
     FROM information_schema.statistics WHERE table_schema = ? \
     ORDER BY table_name, index_name, seq_in_index";
const FOREIGN_KEYS: &str = "SELECT CONVERT(k.table_name USING utf8mb4) AS tbl, \
     CONVERT(k.constraint_name USING utf8mb4) AS name, CONVERT(k.column_name USING utf8mb4) AS col, \
     CONVERT(k.referenced_table_schema USING utf8mb4) AS ref_schema, \
     CONVERT(k.referenced_table_name USING utf8mb4) AS ref_table, \
     CONVERT(k.referenced_column_name USING utf8mb4) AS ref_col, \
     CONVERT(r.update_rule USING utf8mb4) AS on_update, CONVERT(r.delete_rule USING utf8mb4) AS on_delete \
     FROM information_schema.key_column_usage k \
     JOIN information_schema.referential_constraints r \
       ON r.constraint_schema = k.constraint_schema AND r.constraint_name = k.constraint_name \
      AND r.table_name = k.table_name \
     WHERE k.table_schema = ? AND k.referenced_table_name IS NOT NULL \
     ORDER BY k.table_name, k.constraint_name, k.ordinal_position";
const CHECKS: &str = "SELECT CONVERT(table_name USING utf8mb4) AS tbl, \
     CONVERT(constraint_name USING utf8mb4) AS name, CONVERT(check_clause USING utf8mb4) AS clause \
     FROM information_schema.check_constraints WHERE constraint_schema = ?";

/// Events with their schedule as the server resolved it. A `STARTS` within a second of the
/// event's creation or last change is the implicit "now" (the server fills it in when the
/// clause is left out, and again on every `ALTER EVENT … ON SCHEDULE`): it reads as absent.
const EVENTS: &str = "SELECT CONVERT(event_name USING utf8mb4) AS name, \
     CONVERT(event_definition USING utf8mb4) AS body, CONVERT(event_type USING utf8mb4) AS kind, \
     CONVERT(DATE_FORMAT(execute_at, '%Y-%m-%d %H:%i:%s') USING utf8mb4) AS execute_at, \
     CONVERT(interval_value USING utf8mb4) AS interval_value, \
     CONVERT(interval_field USING utf8mb4) AS interval_field, \
     CONVERT(CASE WHEN ABS(TIMESTAMPDIFF(SECOND, CONVERT_TZ(starts, time_zone, @@session.time_zone), created)) <= 1 \
       OR ABS(TIMESTAMPDIFF(SECOND, CONVERT_TZ(starts, time_zone, @@session.time_zone), last_altered)) <= 1 \
       THEN NULL ELSE DATE_FORMAT(starts, '%Y-%m-%d %H:%i:%s') END USING utf8mb4) AS starts, \
     CONVERT(DATE_FORMAT(ends, '%Y-%m-%d %H:%i:%s') USING utf8mb4) AS ends, \
     CONVERT(status USING utf8mb4) AS status, CONVERT(on_completion USING utf8mb4) AS on_completion, \
     CONVERT(event_comment USING utf8mb4) AS comment \
     FROM information_schema.events WHERE event_schema = ? ORDER BY event_name";
const PARTITIONS: &str = "SELECT CONVERT(table_name USING utf8mb4) AS tbl, \
     CONVERT(partition_name USING utf8mb4) AS name, \
     CONVERT(partition_method USING utf8mb4) AS method, \
     CONVERT(partition_expression USING utf8mb4) AS expression, \
     CONVERT(partition_description USING utf8mb4) AS description \
     FROM information_schema.partitions WHERE table_schema = ? AND partition_name IS NOT NULL \
     ORDER BY table_name, partition_ordinal_position, subpartition_ordinal_position";

/// Reads `database` into the schema `schema` of a new model (the schema exists even when the
/// database holds no table).
pub async fn inspect(
    pool: &MySqlPool,
    database: &str,
    schema: &str,
) -> Result<Model, InspectError> {
    let mut model = Model::default();
    model.schema_mut(schema);
    let database_collation = fetch(pool, "schemata", SCHEMATA, database)
        .await?
        .first()
        .map(|row| text(row, "collation"))
        .transpose()?
        .flatten();
    let mut tables: BTreeMap<String, Table> = BTreeMap::new();
    for row in fetch(pool, "tables", TABLES, database).await? {
        let name = text(&row, "name")?.unwrap_or_default();
        let mut options = BTreeMap::new();
        if let Some(engine) = text(&row, "engine")?.map(|e| canonical_engine(&e))
            && engine != "InnoDB"
        {
            options.insert("engine".to_string(), engine);
        }
        if let Some(collation) = text(&row, "collation")?
            && Some(&collation) != database_collation.as_ref()
        {
            options.insert("collate".to_string(), collation);
        }
        if let Some(comment) = text(&row, "comment")?.filter(|c| !c.is_empty()) {
            options.insert("comment".to_string(), comment);
        }
        for option in text(&row, "options")?
            .unwrap_or_default()
            .split_whitespace()
        {
            if let Some((key, value)) = option.split_once('=') {
                let key = key.to_ascii_lowercase();
                let value = if key == "row_format" {
                    value.to_ascii_uppercase()
                } else {
                    value.to_string()
                };
                if key != "partitioned" {
                    options.insert(key, value);
                }
            }
        }
        tables.insert(
            name.clone(),
            Table {
                name,
                mysql: Some(MysqlTable {
                    options,
                    partitioning: None,
                }),
                ..Table::default()
            },
        );
    }
    for row in fetch(pool, "columns", COLUMNS, database).await? {
        let table_name = text(&row, "tbl")?.unwrap_or_default();
        let Some(table) = tables.get_mut(&table_name) else {
            continue;
        };
        let name = text(&row, "name")?.unwrap_or_default();
        let object = format!("column {table_name}.{name}");
        let raw_type = text(&row, "type")?.unwrap_or_default();
        let data_type = normalize(&object, &raw_type, normalize_type(&raw_type))?;
        let extra = text(&row, "extra")?
            .unwrap_or_default()
            .to_ascii_lowercase();
        let generated = match text(&row, "generated")?.filter(|g| !g.is_empty()) {
            Some(raw) => Some(normalize(&object, &raw, canonical_expression(&raw))?),
            None => None,
        };
        let default = match text(&row, "dflt")? {
            Some(raw) if generated.is_none() => {
                normalize(&object, &raw, canonical_default(&raw, &data_type))?
            }
            _ => None,
        };
        let on_update = extra.find("on update ").map(|at| {
            extra[at + "on update ".len()..]
                .split_whitespace()
                .next()
                .unwrap_or("")
                .to_string()
        });
        let table_collation = table
            .mysql
            .as_ref()
            .and_then(|m| m.options.get("collate").cloned());
        let collation = text(&row, "collation")?
            .filter(|c| Some(c) != table_collation.as_ref().or(database_collation.as_ref()));
        let mysql = MysqlColumn {
            on_update,
            comment: text(&row, "comment")?.filter(|c| !c.is_empty()),
            stored: extra.contains("stored generated"),
            invisible: extra.contains("invisible"),
        };
        table.columns.push(Column {
            name,
            data_type,
            nullable: text(&row, "nullable")?.as_deref() == Some("YES"),
            default,
            identity: extra.contains("auto_increment").then_some(Identity {
                kind: IdentityKind::ByDefault,
                start: None,
                increment: None,
            }),
            generated,
            collation,
            mysql: (!mysql.is_empty()).then_some(mysql),
            ..Column::default()
        });
    }
    let mut indexes: BTreeMap<(String, String), Index> = BTreeMap::new();
    for row in fetch(pool, "statistics", STATISTICS, database).await? {
        let table_name = text(&row, "tbl")?.unwrap_or_default();
        let name = text(&row, "name")?.unwrap_or_default();
        let column = text(&row, "col")?.unwrap_or_default();
        // A spatial key reports the internal length of its geometry (32): no prefix was asked.
        let spatial = text(&row, "method")?.is_some_and(|m| m.eq_ignore_ascii_case("spatial"));
        let sub_part = number(&row, "sub_part")?.filter(|_| !spatial);
        let mut key = match sub_part {
            Some(length) => IndexKey {
                target: format!("{column}({length})"),
                expression: true,
                ..IndexKey::column(String::new())
            },
            None => IndexKey::column(column),
        };
        key.descending = text(&row, "ord")?.as_deref() == Some("D");
        let method = match text(&row, "method")?
            .unwrap_or_default()
            .to_ascii_lowercase()
            .as_str()
        {
            "fulltext" => "fulltext",
            "spatial" => "spatial",
            _ => "btree",
        }
        .to_string();
        let unique = number(&row, "non_unique")? == Some(0);
        indexes
            .entry((table_name, name.clone()))
            .or_insert_with(|| Index {
                name,
                keys: Vec::new(),
                unique,
                method,
                predicate: None,
                include: Vec::new(),
                nulls_not_distinct: false,
            })
            .keys
            .push(key);
    }
    for ((table_name, name), index) in indexes {
        let Some(table) = tables.get_mut(&table_name) else {
            continue;
        };
        if name == PRIMARY {
            table.primary_key = Some(PrimaryKey {
                name,
                columns: index.keys.into_iter().map(|k| k.target).collect(),
            });
        } else {
            table.indexes.push(index);
        }
    }
    let mut foreign_keys: BTreeMap<(String, String), ForeignKey> = BTreeMap::new();
    for row in fetch(pool, "foreign keys", FOREIGN_KEYS, database).await? {
        let table_name = text(&row, "tbl")?.unwrap_or_default();
        let name = text(&row, "name")?.unwrap_or_default();
        let ref_schema = text(&row, "ref_schema")?.unwrap_or_default();
        let fk = foreign_keys
            .entry((table_name, name.clone()))
            .or_insert_with(|| ForeignKey {
                name,
                columns: Vec::new(),
                ref_schema: if ref_schema == database {
                    schema.to_string()
                } else {
                    ref_schema
                },
                ref_table: String::new(),
                ref_columns: Vec::new(),
                on_delete: ForeignKeyAction::Restrict,
                on_update: ForeignKeyAction::Restrict,
                deferrable: false,
                initially_deferred: false,
            });
        fk.ref_table = text(&row, "ref_table")?.unwrap_or_default();
        fk.columns.push(text(&row, "col")?.unwrap_or_default());
        fk.ref_columns
            .push(text(&row, "ref_col")?.unwrap_or_default());
        fk.on_update = rule(text(&row, "on_update")?.as_deref());
        fk.on_delete = rule(text(&row, "on_delete")?.as_deref());
    }
    for ((table_name, _), fk) in foreign_keys {
        if let Some(table) = tables.get_mut(&table_name) {
            table.foreign_keys.push(fk);
        }
    }
    for row in fetch(pool, "checks", CHECKS, database).await? {
        let table_name = text(&row, "tbl")?.unwrap_or_default();
        let name = text(&row, "name")?.unwrap_or_default();
        let raw = text(&row, "clause")?.unwrap_or_default();
        let object = format!("check {name} on {table_name}");
        let expression = normalize(&object, &raw, canonical_expression(&raw))?;
        if let Some(table) = tables.get_mut(&table_name) {
            table.checks.push(Check {
                name,
                expression,
                no_inherit: false,
            });
        }
    }
    let mut events = BTreeMap::new();
    for row in fetch(pool, "events", EVENTS, database).await? {
        let event = event_from_row(&row)?;
        events.insert(event.name.clone(), event);
    }
    read_partitions(pool, database, &mut tables).await?;
    let triggers = super::triggers::inspect(pool, database).await?;
    let target = model.schema_mut(schema);
    target.events = events;
    for (name, mut table) in tables {
        table.sort_constraints();
        target.tables.insert(name, table);
    }
    target.triggers = triggers;
    super::views::inspect_views(pool, database, schema, &mut model).await?;
    Ok(model)
}

fn event_from_row(row: &MySqlRow) -> Result<Event, InspectError> {
    let name = text(row, "name")?.unwrap_or_default();
    let schedule = if text(row, "kind")?.as_deref() == Some("ONE TIME") {
        Schedule::At {
            at: text(row, "execute_at")?.unwrap_or_default(),
        }
    } else {
        let raw = text(row, "interval_value")?.unwrap_or_default();
        let unit = text(row, "interval_field")?.unwrap_or_default();
        let value = canonical_interval(raw.trim_matches('\''), &unit).map_err(|message| {
            InspectError::Normalize {
                object: format!("event {name}"),
                text: format!("{raw} {unit}"),
                source: StatementError::new(message),
            }
        })?;
        Schedule::Every {
            value,
            unit,
            starts: text(row, "starts")?,
            ends: text(row, "ends")?,
        }
    };
    let status = match text(row, "status")?.as_deref() {
        Some("DISABLED") => EventStatus::Disabled,
        Some("SLAVESIDE_DISABLED") => EventStatus::DisabledOnSlave,
        _ => EventStatus::Enabled,
    };
    Ok(Event {
        schedule,
        preserve: text(row, "on_completion")?.as_deref() == Some("PRESERVE"),
        status,
        comment: text(row, "comment")?.filter(|c| !c.is_empty()),
        body: text(row, "body")?.unwrap_or_default().trim().to_string(),
        name,
    })
}

fn rule(text: Option<&str>) -> ForeignKeyAction {
    match text.unwrap_or("").to_ascii_uppercase().as_str() {
        "CASCADE" => ForeignKeyAction::Cascade,
        "SET NULL" => ForeignKeyAction::SetNull,
        "SET DEFAULT" => ForeignKeyAction::SetDefault,
        _ => ForeignKeyAction::Restrict,
    }
}

/// Every partitioned table's `PARTITION BY`, from one query over the database.
async fn read_partitions(
    pool: &MySqlPool,
    database: &str,
    tables: &mut BTreeMap<String, Table>,
) -> Result<(), InspectError> {
    let mut rows: BTreeMap<String, Vec<CatalogPartition>> = BTreeMap::new();
    for row in fetch(pool, "partitions", PARTITIONS, database).await? {
        let table_name = text(&row, "tbl")?.unwrap_or_default();
        let partition = CatalogPartition {
            method: text(&row, "method")?.unwrap_or_default(),
            expression: text(&row, "expression")?.unwrap_or_default(),
            name: text(&row, "name")?.unwrap_or_default(),
            description: text(&row, "description")?,
        };
        let list = rows.entry(table_name).or_default();
        // A subpartitioned table lists each partition once per subpartition.
        if list.last().is_none_or(|last| last.name != partition.name) {
            list.push(partition);
        }
    }
    for (table_name, list) in rows {
        let Some(table) = tables.get_mut(&table_name) else {
            continue;
        };
        let object = format!("partitioning of {table_name}");
        let partitioning = normalize(&object, &list[0].expression, from_catalog(&list))?;
        table
            .mysql
            .get_or_insert_with(MysqlTable::default)
            .partitioning = partitioning;
    }
    Ok(())
}
