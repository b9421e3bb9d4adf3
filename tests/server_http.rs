//! `bfm serve`'s HTTP API with a real HTTP client, against a server process on free loopback
//! ports backed by a throwaway PostgreSQL database (state in SQLite unless a test says).

#[path = "support/project.rs"]
mod project;
#[path = "support/serve.rs"]
mod serve;
mod support;

use bfm::state::{StateStore as _, Target};
use project::{Project, status_of, tables};
use reqwest::StatusCode;
use serde_json::{Value, json};
use serve::{Server, TOKEN, client, get, post, strings};
use sqlx::postgres::PgPool;
use support::postgres::fresh_database;

const CORE_YAML: &str = "\
state:
  backend: sqlite
  path: .bfm/state.db
connections:
  core:
    backend: postgresql
    schema: core
";

const ORGANIZATION_YAML: &str = "\
state:
  backend: sqlite
  path: .bfm/state.db
connections:
  organization:
    backend: postgresql
    schema: cli_{environment}
    environments: [dev, staging]
";

const V1: &str = "20250101000001";
const V2: &str = "20250101000002";

fn id(table: &str, version: &str) -> String {
    format!("core_{table}_{version}_init")
}

/// Schema core: users (v1), then orders referencing users (v2).
fn core_project(database_url: &str) -> Project {
    let project = Project::new(CORE_YAML, "core", database_url);
    project.write_pair(
        "core",
        "users",
        V1,
        "CREATE SCHEMA IF NOT EXISTS core;\nCREATE TABLE core.users (id bigint PRIMARY KEY);\n",
        "DROP TABLE core.users;\n",
    );
    project.write_pair(
        "core",
        "orders",
        V2,
        "CREATE TABLE core.orders (id bigint PRIMARY KEY, user_id bigint REFERENCES core.users (id));\n",
        "DROP TABLE core.orders;\n",
    );
    project
}

async fn migrate(server: &Server, body: Value) -> Value {
    let (status, answer) = post(server, "/api/v1/migrate", body).await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    answer
}

#[test]
fn refuses_to_start_without_a_token_and_names_the_variable() {
    let project = Project::new(CORE_YAML, "core", "postgres://u@127.0.0.1:1/db");
    let output = project
        .command(&["serve"])
        .env_remove("BFM_API_TOKEN")
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("BFM_API_TOKEN"), "{stderr}");
}

#[tokio::test]
async fn protected_endpoints_answer_401_with_a_challenge_and_no_detail() {
    let database = fresh_database().await;
    let project = core_project(&database.url);
    let server = Server::start(&project, &[]);
    let routes = [
        ("POST", "/api/v1/migrate"),
        ("POST", "/api/v1/plan"),
        ("GET", "/api/v1/status"),
        ("POST", "/api/v1/rollback"),
        ("GET", "/api/v1/migrations"),
        ("GET", "/metrics"),
    ];
    for (method, path) in routes {
        for token in [None, Some("wrong-token"), Some("Bearer")] {
            let mut request = client().request(method.parse().unwrap(), server.url(path));
            if let Some(token) = token {
                request = request.bearer_auth(token);
            }
            let response = request.body("{}").send().await.unwrap();
            assert_eq!(
                response.status(),
                StatusCode::UNAUTHORIZED,
                "{method} {path}"
            );
            let challenge = response.headers()["www-authenticate"].to_str().unwrap();
            assert!(challenge.starts_with("Bearer"), "{challenge}");
            assert_eq!(response.text().await.unwrap(), "", "{method} {path}");
        }
        let response = client()
            .request(method.parse().unwrap(), server.url(path))
            .bearer_auth(TOKEN)
            .send()
            .await
            .unwrap();
        assert_ne!(
            response.status(),
            StatusCode::UNAUTHORIZED,
            "{method} {path}"
        );
    }
    let (status, logs) = server.terminate();
    assert!(status.success());
    assert!(!logs.contains(TOKEN), "the token was logged:\n{logs}");
    assert!(
        logs.contains("request_id"),
        "no request ids in the logs:\n{logs}"
    );
}

#[tokio::test]
async fn health_needs_no_token_and_reports_the_state_store_and_connections() {
    let database = fresh_database().await;
    let project = core_project(&database.url);
    let server = Server::start(&project, &[]);
    let response = client().get(server.url("/health")).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let health: Value = response.json().await.unwrap();
    assert_eq!(health["healthy"], true, "{health}");
    assert_eq!(health["state_store"]["reachable"], true);
    assert_eq!(health["connections"][0]["name"], "core");
    assert_eq!(health["connections"][0]["reachable"], true);
}

#[tokio::test]
async fn health_reports_an_unreachable_database_as_503() {
    let port = support::free_port().unwrap();
    let project = core_project(&format!("postgres://postgres@127.0.0.1:{port}/none"));
    let server = Server::start(&project, &[]);
    let response = client().get(server.url("/health")).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
    let health: Value = response.json().await.unwrap();
    assert_eq!(health["healthy"], false);
    assert_eq!(health["connections"][0]["reachable"], false, "{health}");
}

#[tokio::test]
async fn migrate_applies_pending_migrations_then_skips_them() {
    let database = fresh_database().await;
    let project = core_project(&database.url);
    let server = Server::start(&project, &[]);
    let request = json!({
        "target": {"backend": "postgresql", "schema": "core", "tables": [], "version": "", "connection": "core"},
        "connection": "core", "schema": "core", "environment": "", "dry_run": false
    });
    let answer = migrate(&server, request.clone()).await;
    assert_eq!(answer["success"], true, "{answer}");
    assert_eq!(
        strings(&answer["applied"]),
        [id("users", V1), id("orders", V2)]
    );
    assert_eq!(strings(&answer["skipped"]), Vec::<String>::new());
    assert_eq!(strings(&answer["errors"]), Vec::<String>::new());
    let pool = PgPool::connect(&database.url).await.unwrap();
    assert_eq!(tables(&pool, "core").await, ["orders", "users"]);
    let records = project.records("core", "core").await;
    assert_eq!(status_of(&records, &id("orders", V2)), Some("applied"));

    let again = migrate(&server, request).await;
    assert_eq!(again["success"], true);
    assert_eq!(strings(&again["applied"]), Vec::<String>::new());
    assert_eq!(
        strings(&again["skipped"]),
        [id("users", V1), id("orders", V2)]
    );
}

#[tokio::test]
async fn migrate_honours_tables_and_version() {
    let database = fresh_database().await;
    let project = core_project(&database.url);
    let server = Server::start(&project, &[]);
    let answer = migrate(
        &server,
        json!({"connection": "core", "target": {"version": V1}}),
    )
    .await;
    assert_eq!(strings(&answer["applied"]), [id("users", V1)]);
    let answer = migrate(
        &server,
        json!({"target": {"connection": "core", "tables": ["orders"]}}),
    )
    .await;
    assert_eq!(strings(&answer["applied"]), [id("orders", V2)]);
}

#[tokio::test]
async fn dry_run_reports_what_would_run_and_changes_nothing() {
    let database = fresh_database().await;
    let project = core_project(&database.url);
    let server = Server::start(&project, &[]);
    let answer = migrate(&server, json!({"connection": "core", "dry_run": true})).await;
    assert_eq!(answer["success"], true, "{answer}");
    assert_eq!(
        strings(&answer["applied"]),
        [id("users", V1), id("orders", V2)]
    );
    let pool = PgPool::connect(&database.url).await.unwrap();
    assert_eq!(tables(&pool, "core").await, Vec::<String>::new());
    assert!(project.records("core", "core").await.is_empty());
}

#[tokio::test]
async fn per_environment_connections_migrate_one_environment_schema_at_a_time() {
    let database = fresh_database().await;
    let project = Project::new(ORGANIZATION_YAML, "organization", &database.url);
    project.write_pair(
        "organization",
        "members",
        V1,
        "CREATE TABLE members (id bigint PRIMARY KEY);\n",
        "DROP TABLE members;\n",
    );
    let server = Server::start(&project, &[]);
    let (status, answer) = post(
        &server,
        "/api/v1/migrate",
        json!({"connection": "organization"}),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{answer}");
    assert_eq!(answer["field"], "environment");

    let answer = migrate(
        &server,
        json!({"connection": "organization", "environment": "dev"}),
    )
    .await;
    assert_eq!(answer["success"], true, "{answer}");
    let pool = PgPool::connect(&database.url).await.unwrap();
    assert_eq!(tables(&pool, "cli_dev").await, ["members"]);
    assert_eq!(tables(&pool, "cli_staging").await, Vec::<String>::new());

    let answer = migrate(
        &server,
        json!({"connection": "organization", "schema": "cli_staging"}),
    )
    .await;
    assert_eq!(answer["success"], true, "{answer}");
    assert_eq!(tables(&pool, "cli_staging").await, ["members"]);

    let (_, status) = get(&server, "/api/v1/status?connection=organization").await;
    let schemas: Vec<&str> = status["targets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["schema"].as_str().unwrap())
        .collect();
    assert_eq!(schemas, ["cli_dev", "cli_staging"]);
}

#[tokio::test]
async fn concurrent_migrate_requests_never_double_apply() {
    let database = fresh_database().await;
    let project = core_project(&database.url);
    let server = Server::start(&project, &[]);
    let request = json!({"connection": "core"});
    let answers = futures_join(&server, request, 4).await;
    let mut applied: Vec<String> = answers
        .iter()
        .flat_map(|a| strings(&a["applied"]))
        .collect();
    applied.sort();
    assert_eq!(applied, [id("orders", V2), id("users", V1)]);
    for answer in &answers {
        assert_eq!(answer["success"], true, "{answer}");
    }
    let store = project.store().await;
    let history = store
        .history(&Target {
            connection: "core".into(),
            schema: "core".into(),
        })
        .await
        .unwrap();
    let started = history
        .iter()
        .filter(|r| r.status == bfm::state::MigrationStatus::Running)
        .count();
    assert_eq!(started, 2, "each migration started exactly once");
}

/// `n` identical migrate requests at once.
async fn futures_join(server: &Server, request: Value, n: usize) -> Vec<Value> {
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..n {
        let (url, request) = (server.url("/api/v1/migrate"), request.clone());
        tasks.spawn(async move {
            client()
                .post(url)
                .bearer_auth(TOKEN)
                .json(&request)
                .send()
                .await
                .unwrap()
                .json::<Value>()
                .await
                .unwrap()
        });
    }
    tasks.join_all().await
}

#[tokio::test]
async fn a_failing_migration_answers_success_false_and_is_recorded() {
    let database = fresh_database().await;
    let project = core_project(&database.url);
    project.write_pair(
        "core",
        "broken",
        "20250101000003",
        "CREATE TABLE core.broken (id bigint REFERENCES core.missing (id));\n",
        "DROP TABLE core.broken;\n",
    );
    let server = Server::start(&project, &[]);
    let answer = migrate(&server, json!({"connection": "core"})).await;
    assert_eq!(answer["success"], false);
    assert_eq!(
        strings(&answer["applied"]),
        [id("users", V1), id("orders", V2)]
    );
    let errors = strings(&answer["errors"]);
    assert_eq!(errors.len(), 1);
    assert!(
        errors[0].contains("core_broken_20250101000003_init"),
        "{errors:?}"
    );
    let records = project.records("core", "core").await;
    assert_eq!(
        status_of(&records, "core_broken_20250101000003_init"),
        Some("failed")
    );
    let (_, metrics) = text(&server, "/metrics").await;
    assert!(
        metrics.contains("bfm_migrations_applied_total 2\n"),
        "{metrics}"
    );
    assert!(
        metrics.contains("bfm_migrations_failed_total 1\n"),
        "{metrics}"
    );
    assert!(
        metrics.contains("bfm_apply_duration_seconds_count 1\n"),
        "{metrics}"
    );
    assert!(
        metrics.contains("route=\"/api/v1/migrate\",status=\"200\"} 1"),
        "{metrics}"
    );
}

async fn text(server: &Server, path: &str) -> (StatusCode, String) {
    let response = client()
        .get(server.url(path))
        .bearer_auth(TOKEN)
        .send()
        .await
        .unwrap();
    (response.status(), response.text().await.unwrap())
}

#[tokio::test]
async fn bad_input_answers_400_naming_the_field_and_an_unknown_connection_404() {
    let database = fresh_database().await;
    let project = core_project(&database.url);
    let server = Server::start(&project, &[("BFM_BODY_LIMIT", "4096")]);
    let cases = [
        (json!({"connection": "core", "dryrun": true}), "dryrun"),
        (
            json!({"connection": "core", "target": {"tabels": []}}),
            "target.tabels",
        ),
        (json!({"connection": "core", "dry_run": "yes"}), "dry_run"),
        (
            json!({"connection": "core", "target": {"version": "2025"}}),
            "target.version",
        ),
        (
            json!({"connection": "core", "target": {"backend": "mysql"}}),
            "target.backend",
        ),
        (
            json!({"connection": "core", "target": {"connection": "other"}}),
            "target.connection",
        ),
        (
            json!({"connection": "core", "schema": "elsewhere"}),
            "schema",
        ),
        (
            json!({"connection": "core", "environment": "dev"}),
            "environment",
        ),
        (json!({}), "connection"),
    ];
    for (body, field) in cases {
        let (status, answer) = post(&server, "/api/v1/migrate", body.clone()).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body} → {answer}");
        assert_eq!(answer["field"], field, "{body} → {answer}");
        assert_eq!(answer["success"], false);
    }
    let response = client()
        .post(server.url("/api/v1/migrate"))
        .bearer_auth(TOKEN)
        .body("{\"connection\": ")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    let answer: Value = response.json().await.unwrap();
    assert_eq!(answer["field"], "body");

    let (status, answer) = post(&server, "/api/v1/migrate", json!({"connection": "nope"})).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{answer}");
    let (status, _) = get(&server, "/api/v1/status?connection=nope").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, answer) = get(&server, "/api/v1/migrations?conection=core").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(answer["field"], "conection", "{answer}");

    let big = json!({"connection": "core", "schema": "x".repeat(10_000)});
    let response = client()
        .post(server.url("/api/v1/migrate"))
        .bearer_auth(TOKEN)
        .json(&big)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::PAYLOAD_TOO_LARGE);
    assert!(project.records("core", "core").await.is_empty());
}

#[tokio::test]
async fn an_unreachable_state_store_answers_503() {
    let database = fresh_database().await;
    let mut project = core_project(&database.url);
    let port = support::free_port().unwrap();
    project.use_state_store(
        "postgresql",
        &format!("postgres://postgres@127.0.0.1:{port}/state"),
    );
    let server = Server::start(&project, &[]);
    let (status, answer) = post(&server, "/api/v1/migrate", json!({"connection": "core"})).await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{answer}");
    assert!(
        strings(&answer["errors"])[0].contains("state store"),
        "{answer}"
    );
    let pool = PgPool::connect(&database.url).await.unwrap();
    assert_eq!(tables(&pool, "core").await, Vec::<String>::new());
}

#[tokio::test]
async fn status_rollback_migrations_and_plan_endpoints() {
    let database = fresh_database().await;
    let project = core_project(&database.url);
    write_desired_core(&project);
    let server = Server::start(&project, &[]);

    let (status, files) = get(&server, "/api/v1/migrations?connection=core").await;
    assert_eq!(status, StatusCode::OK);
    let ids: Vec<&str> = files["connections"][0]["migrations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, [id("users", V1), id("orders", V2)]);
    assert_eq!(files["connections"][0]["migrations"][0]["table"], "users");

    migrate(
        &server,
        json!({"connection": "core", "target": {"version": V1}}),
    )
    .await;
    let (status, report) = get(&server, "/api/v1/status?connection=core").await;
    assert_eq!(status, StatusCode::OK);
    let rows = &report["targets"][0]["migrations"];
    assert_eq!(report["targets"][0]["schema"], "core");
    assert_eq!(rows[0]["status"], "applied", "{report}");
    assert_eq!(rows[1]["status"], "pending");

    let (status, plan) = post(&server, "/api/v1/plan", json!({"connection": "core"})).await;
    assert_eq!(status, StatusCode::OK, "{plan}");
    assert_eq!(plan["pending"], true);
    // Only v1 is applied: the live database lacks orders (the replay of every migration
    // would not), and users lacks email.
    assert_eq!(plan["connections"][0]["compared_against"], "live_database");
    let sql: Vec<String> = plan["connections"][0]["files"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|f| f["changes"].as_array().unwrap().clone())
        .flat_map(|c| strings(&c["sql"]))
        .collect();
    assert!(sql.iter().any(|s| s.contains("ADD COLUMN email")), "{plan}");
    assert!(
        sql.iter().any(|s| s.contains("CREATE TABLE core.orders")),
        "{plan}"
    );

    let (status, answer) = post(
        &server,
        "/api/v1/rollback",
        json!({"connection": "core", "dry_run": true}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    assert_eq!(strings(&answer["rolled_back"]), [id("users", V1)]);
    let pool = PgPool::connect(&database.url).await.unwrap();
    assert_eq!(tables(&pool, "core").await, ["users"]);

    let (_, answer) = post(
        &server,
        "/api/v1/rollback",
        json!({"connection": "core", "steps": 1}),
    )
    .await;
    assert_eq!(answer["success"], true, "{answer}");
    assert_eq!(strings(&answer["rolled_back"]), [id("users", V1)]);
    assert_eq!(tables(&pool, "core").await, Vec::<String>::new());
    let records = project.records("core", "core").await;
    assert_eq!(status_of(&records, &id("users", V1)), Some("rolled_back"));
}

#[tokio::test]
async fn the_openapi_document_is_served_as_kept_in_docs() {
    let database = fresh_database().await;
    let project = core_project(&database.url);
    let server = Server::start(&project, &[]);
    let response = client()
        .get(server.url("/api/v1/openapi.json"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let served: Value = response.json().await.unwrap();
    let kept: Value = serde_json::from_str(
        &std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/openapi.json"))
            .unwrap(),
    )
    .unwrap();
    assert_eq!(served, kept);
    assert!(served["paths"]["/api/v1/migrate"]["post"].is_object());
}

#[tokio::test]
async fn the_server_and_the_cli_share_the_target_lock() {
    let database = fresh_database().await;
    let project = core_project(&database.url);
    let server = Server::start(&project, &[("BFM_LOCK_TIMEOUT", "1")]);
    let store = project.store().await;
    let target = Target {
        connection: "core".into(),
        schema: "core".into(),
    };
    let lock = store
        .lock(&target, std::time::Duration::from_secs(5))
        .await
        .unwrap();
    let answer = migrate(&server, json!({"connection": "core"})).await;
    assert_eq!(answer["success"], false, "{answer}");
    assert!(
        strings(&answer["errors"])[0].contains("holds the lock on core/core"),
        "{answer}"
    );
    store.unlock(lock).await.unwrap();
    let answer = migrate(&server, json!({"connection": "core"})).await;
    assert_eq!(answer["success"], true, "{answer}");
    let output = project.bfm(&["apply"]);
    assert!(output.status.success());
    assert!(
        String::from_utf8_lossy(&output.stdout).contains("nothing to do"),
        "{output:?}"
    );
}

#[tokio::test]
async fn sigterm_lets_the_running_migration_finish_and_stops_before_the_next() {
    let database = fresh_database().await;
    let project = core_project(&database.url);
    project.write_pair(
        "core",
        "slow",
        "20250101000003",
        "SELECT pg_sleep(2);\nCREATE TABLE core.slow (id bigint);\n",
        "DROP TABLE core.slow;\n",
    );
    project.write_pair(
        "core",
        "after",
        "20250101000004",
        "CREATE TABLE core.after (id bigint);\n",
        "DROP TABLE core.after;\n",
    );
    let server = Server::start(&project, &[]);
    let url = server.url("/api/v1/migrate");
    let request = tokio::spawn(async move {
        client()
            .post(url)
            .bearer_auth(TOKEN)
            .json(&json!({"connection": "core"}))
            .send()
            .await
            .unwrap()
            .json::<Value>()
            .await
            .unwrap()
    });
    loop {
        let records = project.records("core", "core").await;
        if status_of(&records, "core_slow_20250101000003_init") == Some("running") {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    let (status, _) = server.terminate();
    assert!(status.success());
    let answer = request.await.unwrap();
    assert_eq!(answer["success"], false, "{answer}");
    assert!(
        strings(&answer["errors"])[0].contains("stopped before core_after_20250101000004_init"),
        "{answer}"
    );
    let records = project.records("core", "core").await;
    assert_eq!(
        status_of(&records, "core_slow_20250101000003_init"),
        Some("applied")
    );
    assert_eq!(status_of(&records, "core_after_20250101000004_init"), None);
}

#[tokio::test]
async fn health_checks_an_etcd_connection() {
    let database = fresh_database().await;
    let yaml = format!(
        "{CORE_YAML}  metadata:\n    backend: etcd\n    prefix: {}\n",
        support::etcd::fresh_prefix()
    );
    let project = Project::new(&yaml, "core", &database.url);
    let endpoint = support::etcd::server().endpoint.clone();
    let server = Server::start(&project, &[("METADATA_ENDPOINTS", &endpoint)]);
    let response = client().get(server.url("/health")).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let health: Value = response.json().await.unwrap();
    let metadata = health["connections"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == "metadata")
        .cloned()
        .unwrap_or_else(|| panic!("no metadata connection: {health}"));
    assert_eq!(metadata["backend"], "etcd");
    assert_eq!(metadata["reachable"], true, "{health}");
}

/// Schema core as the migrations leave it after v1 and v2, plus `email` on users.
fn write_desired_core(project: &Project) {
    std::fs::create_dir_all(project.path("schema/core")).unwrap();
    std::fs::write(
        project.path("schema/core/users.sql"),
        "CREATE TABLE core.users (id bigint PRIMARY KEY, email text);\n",
    )
    .unwrap();
    std::fs::write(
        project.path("schema/core/orders.sql"),
        "CREATE TABLE core.orders (id bigint PRIMARY KEY, user_id bigint REFERENCES core.users (id));\n",
    )
    .unwrap();
}

/// Every change description of a plan connection.
fn described(connection: &Value) -> Vec<String> {
    connection["files"]
        .as_array()
        .unwrap_or_else(|| panic!("no files: {connection}"))
        .iter()
        .flat_map(|f| f["changes"].as_array().unwrap().clone())
        .map(|c| c["description"].as_str().unwrap().to_string())
        .collect()
}

#[tokio::test]
async fn plan_compares_with_the_live_database_when_it_answers() {
    let database = fresh_database().await;
    let project = core_project(&database.url);
    write_desired_core(&project);
    let server = Server::start(&project, &[]);
    migrate(&server, json!({"connection": "core"})).await;
    // Drift the replay cannot know: a table made by hand.
    let pool = PgPool::connect(&database.url).await.unwrap();
    sqlx::raw_sql("CREATE TABLE core.manual (id bigint)")
        .execute(&pool)
        .await
        .unwrap();
    let (status, plan) = post(&server, "/api/v1/plan", json!({"connection": "core"})).await;
    assert_eq!(status, StatusCode::OK, "{plan}");
    let core = &plan["connections"][0];
    assert_eq!(core["compared_against"], "live_database", "{plan}");
    assert!(core.get("live_error").is_none(), "{plan}");
    assert!(
        core["compared_with"]
            .as_str()
            .unwrap()
            .contains("with the live database postgres://"),
        "{plan}"
    );
    assert!(
        !core["compared_with"].as_str().unwrap().contains('@'),
        "{plan}"
    );
    let changes = described(core);
    assert!(changes.iter().any(|c| c.contains("manual")), "{changes:?}");
    assert!(changes.iter().any(|c| c.contains("email")), "{changes:?}");
    pool.close().await;
}

#[tokio::test]
async fn plan_falls_back_to_the_replay_when_the_database_does_not_answer() {
    let port = support::free_port().unwrap();
    let project = core_project(&format!("postgres://postgres@127.0.0.1:{port}/gone"));
    write_desired_core(&project);
    let server = Server::start(&project, &[]);
    let (status, plan) = post(&server, "/api/v1/plan", json!({})).await;
    assert_eq!(status, StatusCode::OK, "{plan}");
    let core = &plan["connections"][0];
    assert_eq!(core["compared_against"], "replay", "{plan}");
    assert!(core["live_error"].as_str().is_some(), "{plan}");
    assert!(
        core["compared_with"]
            .as_str()
            .unwrap()
            .contains("replay of"),
        "{plan}"
    );
    assert_eq!(described(core).len(), 1, "{plan}");
    let (status, answer) = post(
        &server,
        "/api/v1/plan",
        json!({"connection": "core", "environment": "dev"}),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{answer}");
    assert_eq!(answer["field"], "environment");
    let (status, _) = post(&server, "/api/v1/plan", json!({"connection": "nope"})).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}
