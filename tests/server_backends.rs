//! `bfm serve` on etcd and GreptimeDB connections, with real HTTP and gRPC clients against a
//! server process on free loopback ports: etcd through the throwaway etcd (the same apply, lock
//! and state-store target as `bfm apply`), GreptimeDB's MySQL-protocol path through the
//! throwaway MariaDB (GreptimeDB itself cannot run here: what is verified is the server's
//! MySQL-protocol apply path, not GreptimeDB's SQL).

#[path = "support/project.rs"]
mod project;
#[path = "support/serve.rs"]
mod serve;
mod support;

use bfm::backend::etcd::Prefix;
use bfm::server::grpc::pb;
use bfm::state::Target;
use pb::bfm_client::BfmClient;
use project::{Project, status_of};
use reqwest::StatusCode;
use serde_json::{Value, json};
use serve::{Server, TOKEN, authorized, client, get, post, strings};
use std::time::Duration;

const FIRST: &str = "schema: global\ngroups:\n  - table: settings\n    prune: true\n    keys:\n      \
                     timezone: UTC\n      sessions: 3600\n";
const SECOND: &str = "schema: global\ngroups:\n  - table: settings\n    prune: true\n    keys:\n      \
                      timezone: Europe/London\n";
const INIT: &str = "global_settings_20250101000000_init";
const LIMITS: &str = "global_limits_20250101000001_limits";

/// A project whose only deployed connection is the etcd connection `metadata` under a fresh
/// prefix, its keys written and its first migration generated (state in SQLite).
struct KeyProject {
    project: Project,
    prefix: String,
}

impl KeyProject {
    fn new() -> KeyProject {
        let prefix = support::etcd::fresh_prefix();
        let yaml = format!(
            "state:\n  backend: sqlite\n  path: .bfm/state.db\nconnections:\n  metadata:\n    \
             backend: etcd\n    prefix: {prefix}\n"
        );
        let mut project = Project::new(&yaml, "unused", "postgres://u@127.0.0.1:1/db");
        project.env.push((
            "METADATA_ENDPOINTS".into(),
            support::etcd::server().endpoint.clone(),
        ));
        let keys = KeyProject { project, prefix };
        keys.write_keys(FIRST);
        keys.generate("init", "20250101000000");
        keys
    }

    fn write_keys(&self, yaml: &str) {
        let dir = self.project.path("schema/metadata");
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("keys.yaml"), yaml).unwrap();
    }

    fn generate(&self, name: &str, version: &str) {
        let output = self
            .project
            .bfm(&["generate", "--name", name, "--version", version]);
        project::assert_success(&output);
    }

    /// A second key group, so a run has two migrations.
    fn add_limits(&self) {
        let dir = self.project.path("schema/metadata");
        std::fs::write(
            dir.join("limits.yaml"),
            "schema: global\ngroups:\n  - table: limits\n    keys:\n      rate: 10\n",
        )
        .unwrap();
        self.generate("limits", "20250101000001");
    }

    fn target(&self) -> Target {
        Target {
            connection: "metadata".into(),
            schema: self.prefix.clone(),
        }
    }

    async fn records(&self) -> Vec<bfm::state::MigrationRecord> {
        self.project.records("metadata", &self.prefix).await
    }

    /// Every key under the prefix with its value, sorted.
    async fn live(&self) -> Vec<(String, String)> {
        let mut client = etcd().await;
        let response = client
            .get(
                self.prefix.as_str(),
                Some(etcd_client::GetOptions::new().with_prefix()),
            )
            .await
            .unwrap();
        let mut keys: Vec<(String, String)> = response
            .kvs()
            .iter()
            .map(|kv| {
                (
                    String::from_utf8_lossy(kv.key()).into_owned(),
                    String::from_utf8_lossy(kv.value()).into_owned(),
                )
            })
            .collect();
        keys.sort();
        keys
    }

    fn key(&self, relative: &str) -> String {
        format!("{}{relative}", self.prefix)
    }
}

async fn etcd() -> etcd_client::Client {
    etcd_client::Client::connect([&support::etcd::server().endpoint], None)
        .await
        .unwrap()
}

async fn ok(server: &Server, path: &str, body: Value) -> Value {
    let (status, answer) = post(server, path, body).await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    answer
}

#[tokio::test]
async fn etcd_migrate_status_plan_and_rollback_over_http() {
    let keys = KeyProject::new();
    let server = Server::start(&keys.project, &[]);

    let (status, files) = get(&server, "/api/v1/migrations?connection=metadata").await;
    assert_eq!(status, StatusCode::OK, "{files}");
    assert_eq!(files["connections"][0]["backend"], "etcd");
    assert_eq!(files["connections"][0]["migrations"][0]["id"], INIT);

    let dry = ok(
        &server,
        "/api/v1/migrate",
        json!({"connection": "metadata", "dry_run": true}),
    )
    .await;
    assert_eq!(dry["success"], true, "{dry}");
    assert_eq!(strings(&dry["applied"]), [INIT]);
    assert!(keys.live().await.is_empty());
    assert!(keys.records().await.is_empty());

    let applied = ok(
        &server,
        "/api/v1/migrate",
        json!({"target": {"connection": "metadata", "backend": "etcd"}}),
    )
    .await;
    assert_eq!(applied["success"], true, "{applied}");
    assert_eq!(strings(&applied["applied"]), [INIT]);
    assert_eq!(
        keys.live().await,
        [
            (keys.key("global/settings/sessions"), "3600".to_string()),
            (keys.key("global/settings/timezone"), "UTC".to_string()),
        ]
    );
    let again = ok(
        &server,
        "/api/v1/migrate",
        json!({"connection": "metadata"}),
    )
    .await;
    assert_eq!(strings(&again["applied"]), Vec::<String>::new());
    assert_eq!(strings(&again["skipped"]), [INIT]);

    let (status, report) = get(&server, "/api/v1/status?connection=metadata").await;
    assert_eq!(status, StatusCode::OK, "{report}");
    assert_eq!(report["targets"][0]["schema"], keys.prefix.as_str());
    assert_eq!(report["targets"][0]["migrations"][0]["status"], "applied");
    let cli = keys.project.bfm(&["status"]);
    assert!(
        project::stdout(&cli).contains(INIT) && project::stdout(&cli).contains("applied"),
        "{}",
        project::stdout(&cli)
    );

    let plan = ok(&server, "/api/v1/plan", json!({"connection": "metadata"})).await;
    assert_eq!(plan["connections"][0]["compared_against"], "live_database");
    assert_eq!(plan["pending"], false, "{plan}");
    // Someone edits a key by hand: the live plan sees it, the replay cannot.
    etcd()
        .await
        .put(keys.key("global/settings/sessions"), "60", None)
        .await
        .unwrap();
    keys.write_keys(SECOND);
    let plan = ok(&server, "/api/v1/plan", json!({"connection": "metadata"})).await;
    let connection = &plan["connections"][0];
    assert_eq!(connection["compared_against"], "live_database", "{plan}");
    assert!(
        connection["compared_with"]
            .as_str()
            .unwrap()
            .contains("live keys under"),
        "{plan}"
    );
    let described: Vec<String> = connection["files"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|f| f["changes"].as_array().unwrap().clone())
        .map(|c| c["description"].as_str().unwrap().to_string())
        .collect();
    assert!(
        described.iter().any(|d| d.contains("sessions")),
        "{described:?}"
    );
    keys.write_keys(FIRST);
    etcd()
        .await
        .put(keys.key("global/settings/sessions"), "3600", None)
        .await
        .unwrap();

    let (status, answer) = post(
        &server,
        "/api/v1/rollback",
        json!({"connection": "metadata", "dry_run": true}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    assert_eq!(strings(&answer["rolled_back"]), [INIT]);
    assert_eq!(keys.live().await.len(), 2);
    let answer = ok(
        &server,
        "/api/v1/rollback",
        json!({"connection": "metadata"}),
    )
    .await;
    assert_eq!(answer["success"], true, "{answer}");
    assert_eq!(strings(&answer["rolled_back"]), [INIT]);
    assert!(keys.live().await.is_empty());
    assert_eq!(status_of(&keys.records().await, INIT), Some("rolled_back"));

    let (status, answer) = post(
        &server,
        "/api/v1/migrate",
        json!({"connection": "metadata", "environment": "dev"}),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{answer}");
    assert_eq!(answer["field"], "environment");
    let (status, answer) = post(
        &server,
        "/api/v1/rollback",
        json!({"connection": "metadata", "schema": "x"}),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{answer}");
    assert_eq!(answer["field"], "schema");
}

#[tokio::test]
async fn etcd_migrate_status_plan_and_rollback_over_grpc() {
    let keys = KeyProject::new();
    let server = Server::start(&keys.project, &[]);
    let mut client = BfmClient::connect(server.grpc.clone()).await.unwrap();
    let migrate = |dry_run: bool| {
        authorized(pb::MigrateRequest {
            connection: "metadata".into(),
            dry_run,
            ..Default::default()
        })
    };

    let dry = client.migrate(migrate(true)).await.unwrap().into_inner();
    assert!(dry.success, "{dry:?}");
    assert_eq!(dry.applied, [INIT]);
    assert!(keys.live().await.is_empty());

    let applied = client.migrate(migrate(false)).await.unwrap().into_inner();
    assert!(applied.success, "{applied:?}");
    assert_eq!(applied.applied, [INIT]);
    assert_eq!(keys.live().await.len(), 2);

    let status = client
        .status(authorized(pb::StatusRequest {
            connection: "metadata".into(),
            ..Default::default()
        }))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(status.targets[0].schema, keys.prefix);
    assert_eq!(status.targets[0].migrations[0].status, "applied");

    let plan = client
        .plan(authorized(pb::PlanRequest {
            connection: "metadata".into(),
            ..Default::default()
        }))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(plan.connections[0].compared_against, "live_database");
    assert!(!plan.pending, "{plan:?}");

    let bad = client
        .migrate(authorized(pb::MigrateRequest {
            connection: "metadata".into(),
            schema: "x".into(),
            ..Default::default()
        }))
        .await
        .unwrap_err();
    assert_eq!(bad.code(), tonic::Code::InvalidArgument);
    assert!(bad.message().starts_with("schema:"), "{bad:?}");

    let rolled = client
        .rollback(authorized(pb::RollbackRequest {
            connection: "metadata".into(),
            ..Default::default()
        }))
        .await
        .unwrap()
        .into_inner();
    assert!(rolled.success, "{rolled:?}");
    assert_eq!(rolled.rolled_back, [INIT]);
    assert!(keys.live().await.is_empty());

    let health = client
        .health(pb::HealthRequest {})
        .await
        .unwrap()
        .into_inner();
    let metadata = health
        .connections
        .iter()
        .find(|c| c.name == "metadata")
        .unwrap();
    assert!(metadata.reachable, "{health:?}");
    assert_eq!(metadata.backend, "etcd");
}

#[tokio::test]
async fn concurrent_etcd_migrate_requests_apply_each_migration_once() {
    let keys = KeyProject::new();
    keys.add_limits();
    let server = Server::start(&keys.project, &[]);
    let requests = (0..4).map(|_| {
        let url = server.url("/api/v1/migrate");
        tokio::spawn(async move {
            client()
                .post(url)
                .bearer_auth(TOKEN)
                .json(&json!({"connection": "metadata"}))
                .send()
                .await
                .unwrap()
                .json::<Value>()
                .await
                .unwrap()
        })
    });
    let mut applied = Vec::new();
    for request in requests.collect::<Vec<_>>() {
        let answer = request.await.unwrap();
        assert_eq!(answer["success"], true, "{answer}");
        applied.extend(strings(&answer["applied"]));
    }
    applied.sort();
    assert_eq!(applied, [LIMITS, INIT]);
    let records = keys.records().await;
    assert_eq!(status_of(&records, INIT), Some("applied"));
    assert_eq!(status_of(&records, LIMITS), Some("applied"));
    assert_eq!(keys.live().await.len(), 3);
}

#[tokio::test]
async fn the_server_and_the_cli_share_the_etcd_lock() {
    let keys = KeyProject::new();
    let server = Server::start(&keys.project, &[("BFM_LOCK_TIMEOUT", "1")]);
    let client = etcd().await;
    let prefix = Prefix::new(&keys.prefix);
    // The lock `bfm apply` takes for this connection, held as a CLI run would hold it.
    let held = bfm::apply::etcd::lock(&client, &keys.target(), &prefix, Duration::from_secs(5))
        .await
        .unwrap();
    let answer = ok(
        &server,
        "/api/v1/migrate",
        json!({"connection": "metadata"}),
    )
    .await;
    assert_eq!(answer["success"], false, "{answer}");
    assert!(
        strings(&answer["errors"])[0].contains("holds the lock on metadata/"),
        "{answer}"
    );
    assert!(keys.live().await.is_empty());
    assert!(keys.records().await.is_empty());
    bfm::apply::etcd::unlock(held, &keys.target())
        .await
        .unwrap();

    // A CLI apply waits for the server's lock: both see one history.
    let answer = ok(
        &server,
        "/api/v1/migrate",
        json!({"connection": "metadata"}),
    )
    .await;
    assert_eq!(strings(&answer["applied"]), [INIT], "{answer}");
    let output = keys.project.bfm(&["apply"]);
    project::assert_success(&output);
    assert!(
        project::stdout(&output).contains("nothing to do"),
        "{}",
        project::stdout(&output)
    );
    keys.add_limits();
    let output = keys.project.bfm(&["apply"]);
    project::assert_success(&output);
    let answer = ok(
        &server,
        "/api/v1/migrate",
        json!({"connection": "metadata"}),
    )
    .await;
    assert_eq!(strings(&answer["applied"]), Vec::<String>::new());
    assert_eq!(strings(&answer["skipped"]), [INIT, LIMITS]);
}

#[tokio::test]
async fn etcd_requests_answer_503_when_the_state_store_is_unreachable() {
    let mut keys = KeyProject::new();
    let port = support::free_port().unwrap();
    keys.project.use_state_store(
        "postgresql",
        &format!("postgres://postgres@127.0.0.1:{port}/state"),
    );
    let server = Server::start(&keys.project, &[]);
    for (path, body) in [
        ("/api/v1/migrate", json!({"connection": "metadata"})),
        ("/api/v1/rollback", json!({"connection": "metadata"})),
    ] {
        let (status, answer) = post(&server, path, body).await;
        assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{path}: {answer}");
        assert!(
            strings(&answer["errors"])[0].contains("state store"),
            "{answer}"
        );
    }
    let (status, answer) = get(&server, "/api/v1/status?connection=metadata").await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{answer}");
    assert!(keys.live().await.is_empty());
}

#[tokio::test]
async fn health_reports_an_unreachable_etcd_cluster() {
    let keys = KeyProject::new();
    let port = support::free_port().unwrap();
    let endpoint = format!("http://127.0.0.1:{port}");
    let server = Server::start(&keys.project, &[("METADATA_ENDPOINTS", &endpoint)]);
    let response = client().get(server.url("/health")).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
    let health: Value = response.json().await.unwrap();
    assert_eq!(health["healthy"], false, "{health}");
    assert_eq!(health["state_store"]["reachable"], true, "{health}");
    let metadata = &health["connections"][0];
    assert_eq!(metadata["name"], "metadata");
    assert_eq!(metadata["reachable"], false, "{health}");
    assert!(metadata["error"].as_str().is_some(), "{health}");
    // The plan falls back to the replay and says why.
    let plan = ok(&server, "/api/v1/plan", json!({"connection": "metadata"})).await;
    assert_eq!(
        plan["connections"][0]["compared_against"], "replay",
        "{plan}"
    );
    assert!(
        plan["connections"][0]["live_error"].as_str().is_some(),
        "{plan}"
    );
}

/// A GreptimeDB connection with one database per environment, served by the throwaway
/// MariaDB (the same MySQL protocol; MySQL-compatible statements only).
const METRICS_YAML: &str = "\
state:
  backend: sqlite
  path: .bfm/state.db
connections:
  metrics:
    backend: greptimedb
    schema: bfm_serve_{environment}
    environments: [dev]
";
const HOSTS: &str = "metrics_hosts_20260101000001_init";
const DISKS: &str = "metrics_disks_20260101000002_init";

fn write_greptime_pair(project: &Project, id: &str, up: &str, down: &str) {
    let dir = project.path("generated/greptimedb/metrics");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join(format!("{id}.sql")), up).unwrap();
    std::fs::write(dir.join(format!("{id}_down.sql")), down).unwrap();
    bfm::migrations::sum::write(&dir).unwrap();
}

async fn mysql_tables(pool: &sqlx::MySqlPool, database: &str) -> Vec<String> {
    sqlx::query_scalar(
        "SELECT CAST(table_name AS CHAR) FROM information_schema.tables \
         WHERE table_schema = ? ORDER BY table_name",
    )
    .bind(database)
    .fetch_all(pool)
    .await
    .unwrap()
}

#[tokio::test]
async fn greptimedb_connections_over_the_mysql_protocol() {
    let database = support::mariadb::fresh_database().await;
    let project = Project::new(METRICS_YAML, "metrics", &database.url);
    write_greptime_pair(
        &project,
        HOSTS,
        "CREATE TABLE hosts (id INT);\n",
        "DROP TABLE hosts;\n",
    );
    write_greptime_pair(
        &project,
        DISKS,
        "CREATE TABLE disks (id INT);\nINSERT INTO mounts VALUES (1);\n",
        "DROP TABLE disks;\n",
    );
    let admin = sqlx::MySqlPool::connect(&database.url).await.unwrap();
    sqlx::raw_sql("DROP DATABASE IF EXISTS bfm_serve_dev")
        .execute(&admin)
        .await
        .unwrap();
    let server = Server::start(&project, &[]);

    let response = client().get(server.url("/health")).send().await.unwrap();
    let health: Value = response.json().await.unwrap();
    assert_eq!(health["connections"][0]["backend"], "greptimedb");
    assert_eq!(health["connections"][0]["reachable"], true, "{health}");

    let (status, answer) = post(&server, "/api/v1/migrate", json!({"connection": "metrics"})).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{answer}");
    assert_eq!(answer["field"], "environment");

    let dry = ok(
        &server,
        "/api/v1/migrate",
        json!({"connection": "metrics", "environment": "dev", "dry_run": true}),
    )
    .await;
    assert_eq!(strings(&dry["applied"]), [HOSTS, DISKS], "{dry}");
    assert!(mysql_tables(&admin, "bfm_serve_dev").await.is_empty());

    // The second migration fails at its second statement: outside a transaction, the first
    // stays done and is recorded, as with `bfm apply`.
    let failed = ok(
        &server,
        "/api/v1/migrate",
        json!({"connection": "metrics", "environment": "dev"}),
    )
    .await;
    assert_eq!(failed["success"], false, "{failed}");
    assert_eq!(strings(&failed["applied"]), [HOSTS]);
    assert!(
        strings(&failed["errors"])[0].contains("INSERT INTO mounts"),
        "{failed}"
    );
    assert_eq!(
        mysql_tables(&admin, "bfm_serve_dev").await,
        ["disks", "hosts"]
    );
    let (_, report) = get(&server, "/api/v1/status?connection=metrics&environment=dev").await;
    let rows = &report["targets"][0]["migrations"];
    assert_eq!(report["targets"][0]["schema"], "bfm_serve_dev", "{report}");
    assert_eq!(rows[0]["status"], "applied", "{report}");
    assert_eq!(rows[1]["status"], "failed", "{report}");
    let records = project.records("metrics", "bfm_serve_dev").await;
    let disks = records.iter().find(|r| r.migration_id == DISKS).unwrap();
    assert_eq!(
        (disks.backend.as_str(), disks.statements_done),
        ("greptimedb", 1)
    );

    sqlx::raw_sql("CREATE TABLE bfm_serve_dev.mounts (id INT)")
        .execute(&admin)
        .await
        .unwrap();
    let resumed = ok(
        &server,
        "/api/v1/migrate",
        json!({"connection": "metrics", "environment": "dev"}),
    )
    .await;
    assert_eq!(strings(&resumed["applied"]), [DISKS], "{resumed}");
    assert_eq!(strings(&resumed["skipped"]), [HOSTS]);

    let rolled = ok(
        &server,
        "/api/v1/rollback",
        json!({"connection": "metrics", "environment": "dev", "steps": 2}),
    )
    .await;
    assert_eq!(strings(&rolled["rolled_back"]), [DISKS, HOSTS], "{rolled}");
    assert_eq!(mysql_tables(&admin, "bfm_serve_dev").await, ["mounts"]);
    admin.close().await;
}

/// The OpenAPI document as kept in docs/.
fn openapi() -> Value {
    let text =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/openapi.json")).unwrap();
    serde_json::from_str(&text).unwrap()
}

/// The schema a `$ref` points at, or the schema itself.
fn resolve<'a>(document: &'a Value, schema: &'a Value) -> &'a Value {
    match schema["$ref"].as_str() {
        Some(reference) => {
            let name = reference.trim_start_matches("#/components/schemas/");
            let target = &document["components"]["schemas"][name];
            assert!(target.is_object(), "{reference} is not in the document");
            target
        }
        None => schema,
    }
}

/// Checks `value` against `schema`: its type, every required property present, no property
/// the schema does not list (the documented objects are closed), enums, recursively. Returns
/// where it does not match.
fn mismatches(document: &Value, schema: &Value, value: &Value, at: &str) -> Vec<String> {
    let schema = resolve(document, schema);
    if value.is_null() {
        return if schema["nullable"] == true {
            Vec::new()
        } else {
            vec![format!("{at}: null, not documented as nullable")]
        };
    }
    let kind = schema["type"].as_str().unwrap_or("any");
    let fits = match kind {
        "object" => value.is_object(),
        "array" => value.is_array(),
        "string" => value.is_string(),
        "boolean" => value.is_boolean(),
        "integer" => value.is_i64() || value.is_u64(),
        _ => true,
    };
    if !fits {
        return vec![format!("{at}: {value} is not {kind}")];
    }
    let mut found = Vec::new();
    if let Some(allowed) = schema["enum"].as_array()
        && !allowed.contains(value)
    {
        found.push(format!("{at}: {value} is not one of {allowed:?}"));
    }
    if let Some(items) = value.as_array() {
        for (index, item) in items.iter().enumerate() {
            found.extend(mismatches(
                document,
                &schema["items"],
                item,
                &format!("{at}[{index}]"),
            ));
        }
    }
    if let Some(object) = value.as_object()
        && let Some(properties) = schema["properties"].as_object()
    {
        for required in schema["required"].as_array().into_iter().flatten() {
            let name = required.as_str().unwrap();
            if !object.contains_key(name) {
                found.push(format!(
                    "{at}.{name}: required but missing from the response"
                ));
            }
        }
        for (name, field) in object {
            match properties.get(name) {
                Some(property) => found.extend(mismatches(
                    document,
                    property,
                    field,
                    &format!("{at}.{name}"),
                )),
                None => found.push(format!("{at}.{name}: in the response, not in the document")),
            }
        }
    }
    found
}

/// Checks one real answer against the schema the document gives for its route and status.
fn assert_documented(document: &Value, method: &str, path: &str, status: StatusCode, body: &Value) {
    let operation = &document["paths"][path][method];
    assert!(operation.is_object(), "{method} {path} is not documented");
    let response = &operation["responses"][status.as_str()];
    assert!(
        response.is_object(),
        "{method} {path} answered {status}, which the document does not list"
    );
    let schema = &response["content"]["application/json"]["schema"];
    let found = mismatches(document, schema, body, "body");
    assert!(
        found.is_empty(),
        "{method} {path} ({status}):\n{}\n{body}",
        found.join("\n")
    );
}

#[tokio::test]
async fn every_answer_matches_the_documented_schema() {
    let database = support::postgres::fresh_database().await;
    let prefix = support::etcd::fresh_prefix();
    let yaml = format!(
        "state:\n  backend: sqlite\n  path: .bfm/state.db\nconnections:\n  core:\n    \
         backend: postgresql\n    schema: core\n  metadata:\n    backend: etcd\n    prefix: {prefix}\n"
    );
    let mut project = Project::new(&yaml, "core", &database.url);
    project.env.push((
        "METADATA_ENDPOINTS".into(),
        support::etcd::server().endpoint.clone(),
    ));
    project.write_pair(
        "core",
        "users",
        "20250101000001",
        "CREATE SCHEMA IF NOT EXISTS core;\nCREATE TABLE core.users (id bigint PRIMARY KEY);\n",
        "DROP TABLE core.users;\n",
    );
    std::fs::create_dir_all(project.path("schema/core")).unwrap();
    std::fs::write(
        project.path("schema/core/users.sql"),
        "CREATE TABLE core.users (id bigint PRIMARY KEY, email text);\n",
    )
    .unwrap();
    std::fs::create_dir_all(project.path("schema/metadata")).unwrap();
    std::fs::write(project.path("schema/metadata/keys.yaml"), FIRST).unwrap();
    project::assert_success(&project.bfm(&[
        "generate",
        "--connection",
        "metadata",
        "--name",
        "init",
        "--version",
        "20250101000000",
    ]));
    let server = Server::start(&project, &[]);
    let document = openapi();

    let posts = [
        (
            "/api/v1/migrate",
            json!({"connection": "core", "dry_run": true}),
        ),
        ("/api/v1/migrate", json!({"connection": "core"})),
        ("/api/v1/migrate", json!({"connection": "metadata"})),
        ("/api/v1/migrate", json!({"connection": "nope"})),
        (
            "/api/v1/migrate",
            json!({"connection": "core", "dryrun": true}),
        ),
        ("/api/v1/plan", json!({})),
        ("/api/v1/plan", json!({"connection": "metadata"})),
        (
            "/api/v1/rollback",
            json!({"connection": "metadata", "dry_run": true}),
        ),
        (
            "/api/v1/rollback",
            json!({"connection": "core", "steps": 1}),
        ),
    ];
    for (path, body) in posts {
        let (status, answer) = post(&server, path, body).await;
        assert_documented(&document, "post", path, status, &answer);
    }
    for path in [
        "/api/v1/status",
        "/api/v1/status?connection=metadata",
        "/api/v1/status?connection=core&colour=red",
        "/api/v1/migrations",
    ] {
        let (status, answer) = get(&server, path).await;
        let route = path.split('?').next().unwrap();
        assert_documented(&document, "get", route, status, &answer);
    }
    let response = client().get(server.url("/health")).send().await.unwrap();
    let status = response.status();
    let health: Value = response.json().await.unwrap();
    assert_documented(&document, "get", "/health", status, &health);
    drop(server);

    // The same project with its databases gone: the answers that carry errors.
    let gone = support::free_port().unwrap().to_string();
    let gone_etcd = format!("http://127.0.0.1:{gone}");
    let server = Server::start(
        &project,
        &[("CORE_DB_PORT", &gone), ("METADATA_ENDPOINTS", &gone_etcd)],
    );
    let (status, plan) = post(&server, "/api/v1/plan", json!({})).await;
    assert!(plan["connections"][0]["live_error"].is_string(), "{plan}");
    assert_documented(&document, "post", "/api/v1/plan", status, &plan);
    let response = client().get(server.url("/health")).send().await.unwrap();
    let status = response.status();
    let health: Value = response.json().await.unwrap();
    assert_eq!(health["connections"][0]["reachable"], false, "{health}");
    assert_documented(&document, "get", "/health", status, &health);
}
