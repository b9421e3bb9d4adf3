//! GreptimeDB diff rules, rendering and replay, end to end through the public API.

use bfm::backend::greptime::Greptime;
use bfm::backend::{Dialect, RenderContext, SchemaContext};
use bfm::diff::{DiffOptions, GreptimeVersion, Severity, assess, diff, diff_with};
use bfm::model::{Change, Model};
use bfm::source::{LoadOptions, apply_sql_text, load_sql_text};
use std::path::Path;

fn context() -> SchemaContext {
    SchemaContext {
        default_schema: "public".to_string(),
    }
}

fn load(sql: &str) -> Model {
    let context = context();
    load_sql_text(
        sql,
        Path::new("schema.sql"),
        LoadOptions {
            dialect: &Greptime,
            context: &context,
        },
    )
    .unwrap_or_else(|e| panic!("{e}"))
}

/// Renders `changes`, replays the SQL on `current` and returns the result.
fn replay(current: &Model, changes: &[Change]) -> Model {
    let render = RenderContext::default();
    let sql: String = changes
        .iter()
        .flat_map(|c| Greptime.render(c, &render))
        .map(|s| format!("{s};\n"))
        .collect();
    let context = context();
    let mut model = current.clone();
    apply_sql_text(
        &mut model,
        &sql,
        Path::new("up.sql"),
        LoadOptions {
            dialect: &Greptime,
            context: &context,
        },
        |_| true,
    )
    .unwrap_or_else(|e| panic!("{e}\n{sql}"));
    model
}

const BASE: &str = "CREATE TABLE m (host STRING, cpu DOUBLE, ts TIMESTAMP TIME INDEX, PRIMARY KEY (host)) WITH (ttl = '7d');";

#[test]
fn equal_durations_and_default_index_options_show_no_difference() {
    let current = load(
        "CREATE TABLE m (host STRING SKIPPING INDEX WITH (granularity = '10240'), ts TIMESTAMP(3) NOT NULL, TIME INDEX (ts), PRIMARY KEY (host)) ENGINE=mito WITH (ttl = '7days');",
    );
    let desired = load(
        "create table m (host string skipping index, ts timestamp time index, primary key (host)) with (TTL = '7d')",
    );
    assert_eq!(diff(&current, &desired), Vec::new());
}

#[test]
fn new_fields_and_tags_are_added_in_place_and_replay_to_the_desired_model() {
    let current = load(BASE);
    let desired = load(
        "CREATE TABLE m (host STRING, region STRING NULL, cpu DOUBLE, mem DOUBLE DEFAULT 0 COMMENT 'bytes', ts TIMESTAMP TIME INDEX, zone STRING INVERTED INDEX, PRIMARY KEY (host, zone)) WITH (ttl = '30d');",
    );
    let changes = diff(&current, &desired);
    assert!(
        changes
            .iter()
            .all(|c| !matches!(c, Change::RecreateTable { .. })),
        "{changes:#?}"
    );
    assert_eq!(replay(&current, &changes), desired);
    let down = Change::inverse_all(&changes, &current).unwrap();
    let sql = Greptime.render(&down[down.len() - 1], &RenderContext::default());
    assert!(
        sql.iter().any(|s| s.contains("SET 'ttl' = '7days'")),
        "{sql:?}"
    );
}

#[test]
fn moving_the_time_index_recreates_the_table_as_data_loss() {
    let current = load(BASE);
    let desired = load(
        "CREATE TABLE m (host STRING, cpu DOUBLE, ts TIMESTAMP, ts2 TIMESTAMP TIME INDEX, PRIMARY KEY (host)) WITH (ttl = '7d');",
    );
    let changes = diff(&current, &desired);
    let [Change::RecreateTable { reasons, .. }] = changes.as_slice() else {
        panic!("expected one recreate: {changes:#?}");
    };
    assert!(
        reasons.iter().any(|r| r.contains("time index")),
        "{reasons:?}"
    );
    let assessed = assess(changes.clone(), &current, &desired);
    assert_eq!(assessed[0].severity(), Some(Severity::DataLoss));
    assert_eq!(replay(&current, &changes), desired);
}

#[test]
fn nullability_and_tag_changes_cannot_be_altered() {
    let current = load(BASE);
    let not_null = load(
        "CREATE TABLE m (host STRING, cpu DOUBLE NOT NULL DEFAULT 0, ts TIMESTAMP TIME INDEX, PRIMARY KEY (host)) WITH (ttl = '7d');",
    );
    assert!(matches!(
        diff(&current, &not_null).as_slice(),
        [Change::RecreateTable { .. }]
    ));
    let other_tag = load(
        "CREATE TABLE m (host STRING, cpu DOUBLE, ts TIMESTAMP TIME INDEX, PRIMARY KEY (cpu)) WITH (ttl = '7d');",
    );
    assert!(matches!(
        diff(&current, &other_tag).as_slice(),
        [Change::RecreateTable { .. }]
    ));
}

#[test]
fn options_follow_the_server_version() {
    let current = load(BASE);
    let desired = load(
        "CREATE TABLE m (host STRING, cpu DOUBLE, ts TIMESTAMP TIME INDEX, PRIMARY KEY (host)) WITH (ttl = '7d', append_mode = 'true');",
    );
    let recent = diff_with(&current, &desired, &DiffOptions::default());
    assert!(matches!(
        recent.as_slice(),
        [Change::SetTableOptions { .. }]
    ));
    let old = DiffOptions {
        greptime_version: GreptimeVersion::parse("v0.15.0").unwrap(),
    };
    let Change::RecreateTable { reasons, .. } = &diff_with(&current, &desired, &old)[0] else {
        panic!("0.15 cannot SET append_mode");
    };
    assert!(reasons[0].contains("append_mode"), "{reasons:?}");
    let merge = load(
        "CREATE TABLE m (host STRING, cpu DOUBLE, ts TIMESTAMP TIME INDEX, PRIMARY KEY (host)) WITH (ttl = '7d', merge_mode = 'last_non_null');",
    );
    assert!(matches!(
        diff(&current, &merge).as_slice(),
        [Change::RecreateTable { .. }]
    ));
}

#[test]
fn refuses_what_the_server_refuses() {
    let context = context();
    let options = LoadOptions {
        dialect: &Greptime,
        context: &context,
    };
    for sql in [
        "CREATE TABLE t (ts TIMESTAMP)",
        "CREATE TABLE t (ts TIMESTAMP NULL TIME INDEX)",
        "CREATE TABLE t (a INT PRIMARY KEY, b INT PRIMARY KEY, ts TIMESTAMP TIME INDEX)",
        "CREATE TABLE t (ts TIMESTAMP TIME INDEX) WITH (nope = '1')",
        "CREATE TABLE t (i INTERVAL, ts TIMESTAMP TIME INDEX)",
        "CREATE TABLE t (n INT FULLTEXT INDEX, ts TIMESTAMP TIME INDEX)",
    ] {
        assert!(
            load_sql_text(sql, Path::new("t.sql"), options).is_err(),
            "{sql}"
        );
    }
    let mut model = load(BASE);
    for sql in [
        "ALTER TABLE m DROP COLUMN host",
        "ALTER TABLE m SET merge_mode = 'last_row'",
        "ALTER TABLE m ADD COLUMN x INT NOT NULL",
        "ALTER TABLE m MODIFY COLUMN ts TIMESTAMP(6)",
    ] {
        assert!(
            apply_sql_text(&mut model, sql, Path::new("m.sql"), options, |_| true).is_err(),
            "{sql}"
        );
    }
}

#[test]
fn the_down_of_a_new_tag_recreates_the_table_because_tags_cannot_be_dropped() {
    let current = load(BASE);
    let desired = load(
        "CREATE TABLE m (host STRING, cpu DOUBLE, ts TIMESTAMP TIME INDEX, zone STRING, PRIMARY KEY (host, zone)) WITH (ttl = '7d');",
    );
    let changes = diff(&current, &desired);
    assert!(
        matches!(changes.as_slice(), [Change::AddColumnAt { tag: true, .. }]),
        "{changes:#?}"
    );
    assert!(changes[0].inverse().is_none());
    let down = Change::inverse_all(&changes, &current).unwrap();
    let [Change::RecreateTable { reasons, .. }] = down.as_slice() else {
        panic!("expected the down to recreate the table: {down:#?}");
    };
    assert!(
        reasons[0].contains("tag zone cannot be dropped"),
        "{reasons:?}"
    );
    let sql = Greptime.render(&down[0], &RenderContext::default());
    assert!(sql[0].starts_with("DROP TABLE"), "{sql:?}");
    assert_eq!(replay(&desired, &down), current);
}
