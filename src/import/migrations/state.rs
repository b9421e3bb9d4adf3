//! The old tool's state table: which of the imported migrations already ran on a database, so
//! `bfm import migrations --baseline` records exactly those as applied. Reading the rows is I/O
//! ([`read`]); deciding what they mean is pure ([`ran`]).

use super::{ConvertedMigration, Format, ImportError, StateKey, Warning, flyway::version_parts};
use sqlx::postgres::PgConnection;
use std::collections::BTreeSet;

/// The table each tool keeps its state in, by default.
pub fn default_table(format: Format) -> &'static str {
    match format {
        Format::Goose => "goose_db_version",
        Format::GolangMigrate | Format::Dbmate => "schema_migrations",
        Format::SqlMigrate => "gorp_migrations",
        Format::Flyway => "flyway_schema_history",
    }
}

/// One row of goose's `goose_db_version`: every up adds `(version, true)`; older goose added
/// `(version, false)` for a down where newer goose deletes the row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GooseRow {
    pub id: i64,
    pub version_id: i64,
    pub is_applied: bool,
}

/// One row of `flyway_schema_history`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FlywayRow {
    pub installed_rank: i64,
    /// `None` for repeatable migrations.
    pub version: Option<String>,
    /// `SQL`, `UNDO_SQL`, `BASELINE`, `SCHEMA`, `DELETE`, `JDBC` …
    pub kind: String,
    pub success: bool,
}

/// The rows of an old tool's state table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OldState {
    Goose(Vec<GooseRow>),
    /// golang-migrate keeps one row: the current version and whether it is dirty.
    GolangMigrate(Option<(i64, bool)>),
    /// sql-migrate's `gorp_migrations.id`: the file names that ran.
    SqlMigrate(Vec<String>),
    Flyway(Vec<FlywayRow>),
    /// dbmate's `schema_migrations.version`.
    Dbmate(Vec<String>),
}

/// The imported migrations that already ran, by bfm id in version order, and what the state
/// table holds that matches no imported file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ran {
    pub ids: Vec<String>,
    pub warnings: Vec<Warning>,
}

/// Which of `migrations` the state `table` says ran. Refuses a state the old tool itself would
/// refuse to go on from (a dirty golang-migrate version, a failed Flyway migration).
pub fn ran(
    migrations: &[ConvertedMigration],
    state: &OldState,
    table: &str,
) -> Result<Ran, ImportError> {
    let keys: BTreeSet<StateKey> = match state {
        OldState::Goose(rows) => {
            let mut sorted = rows.clone();
            sorted.sort_by_key(|row| row.id);
            let mut latest = std::collections::BTreeMap::new();
            for row in sorted {
                latest.insert(row.version_id, row.is_applied);
            }
            latest
                .into_iter()
                .filter(|(version, applied)| *applied && *version > 0)
                .filter_map(|(version, _)| u64::try_from(version).ok())
                .map(StateKey::Number)
                .collect()
        }
        OldState::GolangMigrate(None) => BTreeSet::new(),
        OldState::GolangMigrate(Some((version, true))) => {
            return Err(ImportError::Dirty {
                table: table.to_string(),
                version: *version,
            });
        }
        OldState::GolangMigrate(Some((version, false))) => {
            let current = u64::try_from(*version).unwrap_or(0);
            let mut keys: BTreeSet<StateKey> = migrations
                .iter()
                .filter(|m| matches!(m.key, StateKey::Number(n) if n <= current))
                .map(|m| m.key.clone())
                .collect();
            if current > 0 {
                keys.insert(StateKey::Number(current));
            }
            keys
        }
        OldState::SqlMigrate(ids) | OldState::Dbmate(ids) => {
            ids.iter().cloned().map(StateKey::Text).collect()
        }
        OldState::Flyway(rows) => flyway_applied(migrations, rows, table)?,
    };
    let mut warnings = Vec::new();
    let known: BTreeSet<&StateKey> = migrations.iter().map(|m| &m.key).collect();
    for key in &keys {
        if !known.contains(key) {
            warnings.push(Warning {
                file: table.to_string(),
                line: None,
                message: format!(
                    "version {} ran, but no imported migration has it (a Go or Java migration, \
                     or a file that was not imported): nothing recorded for it",
                    show_key(key)
                ),
            });
        }
    }
    Ok(Ran {
        ids: migrations
            .iter()
            .filter(|m| keys.contains(&m.key))
            .map(|m| m.id.clone())
            .collect(),
        warnings,
    })
}

fn show_key(key: &StateKey) -> String {
    match key {
        StateKey::Number(n) => n.to_string(),
        StateKey::Text(text) => text.clone(),
        StateKey::Parts(parts) => parts
            .iter()
            .map(u64::to_string)
            .collect::<Vec<_>>()
            .join("."),
    }
}

/// Flyway's history in rank order: a successful versioned row applies, an undo or a `DELETE`
/// (from `flyway repair`) takes it back, and a `BASELINE` row stands for every version up to it.
fn flyway_applied(
    migrations: &[ConvertedMigration],
    rows: &[FlywayRow],
    table: &str,
) -> Result<BTreeSet<StateKey>, ImportError> {
    let mut sorted = rows.to_vec();
    sorted.sort_by_key(|row| row.installed_rank);
    let mut applied = BTreeSet::new();
    for row in sorted {
        let Some(parts) = row.version.as_deref().and_then(version_parts) else {
            continue;
        };
        let key = StateKey::Parts(parts.clone());
        match row.kind.as_str() {
            "SCHEMA" => {}
            "DELETE" | "UNDO_SQL" | "UNDO_JDBC" if row.success => {
                applied.remove(&key);
            }
            "BASELINE" => {
                applied.extend(
                    migrations
                        .iter()
                        .filter(|m| matches!(&m.key, StateKey::Parts(p) if *p <= parts))
                        .map(|m| m.key.clone()),
                );
            }
            _ if !row.success => {
                return Err(ImportError::FailedMigration {
                    table: table.to_string(),
                    version: row.version.unwrap_or_default(),
                });
            }
            _ => {
                applied.insert(key);
            }
        }
    }
    Ok(applied)
}

/// Reads the state table `table` of `format` (an unqualified name is looked for in `schema`,
/// then on the search path).
pub async fn read(
    connection: &mut PgConnection,
    format: Format,
    table: &str,
    schema: &str,
) -> Result<OldState, ImportError> {
    let qualified = locate(connection, table, schema).await?;
    let database = |error: sqlx::Error| ImportError::Database {
        table: table.to_string(),
        message: error.to_string(),
    };
    let query = |sql: &str| sqlx::AssertSqlSafe(sql.replace("{table}", &qualified));
    Ok(match format {
        Format::Goose => {
            let rows: Vec<(i64, i64, bool)> = sqlx::query_as(query(
                "SELECT id::bigint, version_id::bigint, is_applied FROM {table} ORDER BY id",
            ))
            .fetch_all(&mut *connection)
            .await
            .map_err(database)?;
            OldState::Goose(
                rows.into_iter()
                    .map(|(id, version_id, is_applied)| GooseRow {
                        id,
                        version_id,
                        is_applied,
                    })
                    .collect(),
            )
        }
        Format::GolangMigrate => {
            let row: Option<(i64, bool)> =
                sqlx::query_as(query("SELECT version::bigint, dirty FROM {table} LIMIT 1"))
                    .fetch_optional(&mut *connection)
                    .await
                    .map_err(database)?;
            OldState::GolangMigrate(row)
        }
        Format::SqlMigrate => OldState::SqlMigrate(
            sqlx::query_scalar(query("SELECT id::text FROM {table} ORDER BY id"))
                .fetch_all(&mut *connection)
                .await
                .map_err(database)?,
        ),
        Format::Dbmate => OldState::Dbmate(
            sqlx::query_scalar(query("SELECT version::text FROM {table} ORDER BY version"))
                .fetch_all(&mut *connection)
                .await
                .map_err(database)?,
        ),
        Format::Flyway => {
            let rows: Vec<(i64, Option<String>, String, bool)> = sqlx::query_as(query(
                "SELECT installed_rank::bigint, version::text, type::text, success \
                 FROM {table} ORDER BY installed_rank",
            ))
            .fetch_all(&mut *connection)
            .await
            .map_err(database)?;
            OldState::Flyway(
                rows.into_iter()
                    .map(|(installed_rank, version, kind, success)| FlywayRow {
                        installed_rank,
                        version,
                        kind,
                        success,
                    })
                    .collect(),
            )
        }
    })
}

/// The table's name as SQL, quoted: `table` in `schema` when it is there, otherwise where the
/// search path finds it; a table given as `schema.table` is taken as it is.
async fn locate(
    connection: &mut PgConnection,
    table: &str,
    schema: &str,
) -> Result<String, ImportError> {
    let candidates: Vec<(Option<&str>, &str)> = match table.split_once('.') {
        Some((given_schema, name)) => vec![(Some(given_schema), name)],
        None => vec![(Some(schema), table), (None, table)],
    };
    for (schema, name) in &candidates {
        let sql = match schema {
            Some(schema) => format!("{}.{}", quote(schema), quote(name)),
            None => quote(name),
        };
        let found: Option<String> = sqlx::query_scalar("SELECT to_regclass($1)::text")
            .bind(&sql)
            .fetch_one(&mut *connection)
            .await
            .map_err(|error| ImportError::Database {
                table: table.to_string(),
                message: error.to_string(),
            })?;
        if found.is_some() {
            return Ok(sql);
        }
    }
    Err(ImportError::NoStateTable {
        table: table.to_string(),
        searched: candidates
            .iter()
            .map(|(schema, _)| {
                schema.map_or("the search path".to_string(), |s| format!("schema {s}"))
            })
            .collect::<Vec<_>>()
            .join(", "),
    })
}

fn quote(identifier: &str) -> String {
    format!("\"{}\"", identifier.replace('"', "\"\""))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::import::migrations::{convert, source};

    fn goose() -> Vec<ConvertedMigration> {
        let text = "-- +goose Up\nSELECT 1;\n-- +goose Down\n";
        convert(
            Format::Goose,
            &[
                source("1_a.sql", text),
                source("2_b.sql", text),
                source("3_c.sql", text),
            ],
        )
        .unwrap()
        .migrations
    }

    fn goose_row(id: i64, version_id: i64, is_applied: bool) -> GooseRow {
        GooseRow {
            id,
            version_id,
            is_applied,
        }
    }

    #[test]
    fn goose_latest_row_per_version_decides_and_version_zero_is_ignored() {
        let state = OldState::Goose(vec![
            goose_row(1, 0, true),
            goose_row(2, 1, true),
            goose_row(3, 2, true),
            goose_row(4, 2, false),
            goose_row(5, 3, true),
            goose_row(6, 9, true),
        ]);
        let ran = ran(&goose(), &state, "goose_db_version").unwrap();
        assert_eq!(ran.ids, ["19700101000001_v1_a", "19700101000003_v3_c"]);
        assert_eq!(ran.warnings.len(), 1);
        assert!(ran.warnings[0].message.starts_with("version 9 ran"));
    }

    #[test]
    fn golang_migrate_current_version_covers_every_earlier_one_and_dirty_is_refused() {
        let migrations = convert(
            Format::GolangMigrate,
            &[
                source("1_a.up.sql", ""),
                source("2_b.up.sql", ""),
                source("3_c.up.sql", ""),
            ],
        )
        .unwrap()
        .migrations;
        let clean = OldState::GolangMigrate(Some((2, false)));
        assert_eq!(
            ran(&migrations, &clean, "schema_migrations").unwrap().ids,
            ["19700101000001_v1_a", "19700101000002_v2_b"]
        );
        let dirty = OldState::GolangMigrate(Some((2, true)));
        let error = ran(&migrations, &dirty, "schema_migrations").unwrap_err();
        assert!(
            matches!(error, ImportError::Dirty { version: 2, .. }),
            "{error}"
        );
        assert!(
            ran(&migrations, &OldState::GolangMigrate(None), "t")
                .unwrap()
                .ids
                .is_empty()
        );
    }

    #[test]
    fn flyway_history_applies_undoes_baselines_and_refuses_failures() {
        let migrations = convert(
            Format::Flyway,
            &[
                source("V1__a.sql", ""),
                source("V1.1__b.sql", ""),
                source("V2__c.sql", ""),
                source("V3__d.sql", ""),
            ],
        )
        .unwrap()
        .migrations;
        let row = |rank, version: &str, kind: &str, success| FlywayRow {
            installed_rank: rank,
            version: Some(version.to_string()),
            kind: kind.to_string(),
            success,
        };
        let state = OldState::Flyway(vec![
            row(1, "1.1", "BASELINE", true),
            row(2, "2", "SQL", true),
            row(3, "3", "SQL", true),
            row(4, "3", "UNDO_SQL", true),
            FlywayRow {
                installed_rank: 5,
                version: None,
                kind: "SQL".into(),
                success: true,
            },
        ]);
        let ran = ran(&migrations, &state, "flyway_schema_history").unwrap();
        assert_eq!(ran.ids.len(), 3);
        assert!(ran.ids[2].ends_with("_v2_c"), "{:?}", ran.ids);
        let failed = OldState::Flyway(vec![row(1, "1", "SQL", false)]);
        assert!(matches!(
            super::ran(&migrations, &failed, "flyway_schema_history"),
            Err(ImportError::FailedMigration { .. })
        ));
    }

    #[test]
    fn sql_migrate_and_dbmate_match_ids_and_versions() {
        let text = "-- +migrate Up\n";
        let migrations = convert(
            Format::SqlMigrate,
            &[source("1_a.sql", text), source("2_b.sql", text)],
        )
        .unwrap()
        .migrations;
        let state = OldState::SqlMigrate(vec!["2_b.sql".into()]);
        assert_eq!(
            ran(&migrations, &state, "gorp_migrations").unwrap().ids,
            ["19700101000002_v2_b"]
        );
        let migrations = convert(
            Format::Dbmate,
            &[source("20240101000000_a.sql", "-- migrate:up\n")],
        )
        .unwrap()
        .migrations;
        let state = OldState::Dbmate(vec!["20240101000000".into()]);
        assert_eq!(
            ran(&migrations, &state, "schema_migrations").unwrap().ids,
            ["20240101000000_a"]
        );
    }
}
