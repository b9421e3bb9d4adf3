//! `bfm serve`'s gRPC API with a real tonic client, against a server process on free loopback
//! ports backed by a throwaway PostgreSQL database (state in SQLite).

#[path = "support/project.rs"]
mod project;
#[path = "support/serve.rs"]
mod serve;
mod support;

use bfm::server::grpc::pb;
use pb::bfm_client::BfmClient;
use project::{Project, status_of, tables};
use serve::{Server, TOKEN};
use sqlx::postgres::PgPool;
use support::postgres::fresh_database;
use tonic::transport::Channel;

const CORE_YAML: &str = "\
state:
  backend: sqlite
  path: .bfm/state.db
connections:
  core:
    backend: postgresql
    schema: core
";

const USERS: &str = "core_users_20250101000001_init";

fn core_project(database_url: &str) -> Project {
    let project = Project::new(CORE_YAML, "core", database_url);
    project.write_pair(
        "core",
        "users",
        "20250101000001",
        "CREATE SCHEMA IF NOT EXISTS core;\nCREATE TABLE core.users (id bigint PRIMARY KEY);\n",
        "DROP TABLE core.users;\n",
    );
    project
}

async fn client(server: &Server) -> BfmClient<Channel> {
    BfmClient::connect(server.grpc.clone()).await.unwrap()
}

/// `message` with the `authorization` metadata `value`, when given.
fn with_token<T>(message: T, value: Option<&str>) -> tonic::Request<T> {
    let mut request = tonic::Request::new(message);
    if let Some(value) = value {
        request
            .metadata_mut()
            .insert("authorization", value.parse().unwrap());
    }
    request
}

fn authorized<T>(message: T) -> tonic::Request<T> {
    with_token(message, Some(&format!("Bearer {TOKEN}")))
}

fn migrate_request(dry_run: bool) -> pb::MigrateRequest {
    pb::MigrateRequest {
        target: Some(pb::MigrateTarget {
            backend: "postgresql".into(),
            schema: "core".into(),
            connection: "core".into(),
            ..Default::default()
        }),
        connection: "core".into(),
        dry_run,
        ..Default::default()
    }
}

#[tokio::test]
async fn calls_without_the_right_token_are_unauthenticated_without_detail() {
    let database = fresh_database().await;
    let project = core_project(&database.url);
    let server = Server::start(&project, &[]);
    let mut client = client(&server).await;
    for token in [None, Some("Bearer wrong"), Some(TOKEN)] {
        let status = client
            .migrate(with_token(migrate_request(false), token))
            .await
            .unwrap_err();
        assert_eq!(status.code(), tonic::Code::Unauthenticated);
        assert_eq!(status.message(), "");
        let status = client
            .status(with_token(pb::StatusRequest::default(), token))
            .await
            .unwrap_err();
        assert_eq!(status.code(), tonic::Code::Unauthenticated);
    }
    assert!(project.records("core", "core").await.is_empty());
    let health = client
        .health(pb::HealthRequest::default())
        .await
        .unwrap()
        .into_inner();
    assert!(health.healthy && health.state_store, "{health:?}");
    assert_eq!(health.connections[0].name, "core");
}

#[tokio::test]
async fn migrate_status_plan_and_rollback_over_grpc() {
    let database = fresh_database().await;
    let project = core_project(&database.url);
    std::fs::create_dir_all(project.path("schema/core")).unwrap();
    std::fs::write(
        project.path("schema/core/users.sql"),
        "CREATE TABLE core.users (id bigint PRIMARY KEY, email text);\n",
    )
    .unwrap();
    let server = Server::start(&project, &[]);
    let mut client = client(&server).await;
    let pool = PgPool::connect(&database.url).await.unwrap();

    let dry = client
        .migrate(authorized(migrate_request(true)))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(dry.applied, [USERS]);
    assert_eq!(tables(&pool, "core").await, Vec::<String>::new());

    let answer = client
        .migrate(authorized(migrate_request(false)))
        .await
        .unwrap()
        .into_inner();
    assert!(answer.success, "{answer:?}");
    assert_eq!(answer.applied, [USERS]);
    assert_eq!(tables(&pool, "core").await, ["users"]);

    let status = client
        .status(authorized(pb::StatusRequest {
            connection: "core".into(),
            ..Default::default()
        }))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(status.targets[0].migrations[0].status, "applied");

    let plan = client
        .plan(authorized(pb::PlanRequest {
            connection: "core".into(),
            ..Default::default()
        }))
        .await
        .unwrap()
        .into_inner();
    assert!(plan.pending);
    assert_eq!(plan.connections[0].compared_against, "live_database");
    assert!(plan.connections[0].live_error.is_empty(), "{plan:?}");
    let change = &plan.connections[0].files[0].changes[0];
    assert_eq!(change.action, "create");
    assert!(change.sql[0].contains("ADD COLUMN email"), "{change:?}");

    let rolled = client
        .rollback(authorized(pb::RollbackRequest {
            connection: "core".into(),
            steps: 1,
            ..Default::default()
        }))
        .await
        .unwrap()
        .into_inner();
    assert!(rolled.success, "{rolled:?}");
    assert_eq!(rolled.rolled_back, [USERS]);
    let records = project.records("core", "core").await;
    assert_eq!(status_of(&records, USERS), Some("rolled_back"));
}

#[tokio::test]
async fn errors_map_to_grpc_codes() {
    let database = fresh_database().await;
    let project = core_project(&database.url);
    let server = Server::start(&project, &[]);
    let mut client = client(&server).await;
    let mut unknown = migrate_request(false);
    unknown.connection = "nope".into();
    unknown.target = None;
    let status = client.migrate(authorized(unknown)).await.unwrap_err();
    assert_eq!(status.code(), tonic::Code::NotFound);
    let mut bad = migrate_request(false);
    bad.target = Some(pb::MigrateTarget {
        version: "2025".into(),
        ..Default::default()
    });
    let status = client.migrate(authorized(bad)).await.unwrap_err();
    assert_eq!(status.code(), tonic::Code::InvalidArgument);
    assert!(status.message().starts_with("target.version"), "{status:?}");
}

#[tokio::test]
async fn reflection_lists_the_service() {
    use tonic_reflection::pb::v1::ServerReflectionRequest;
    use tonic_reflection::pb::v1::server_reflection_client::ServerReflectionClient;
    use tonic_reflection::pb::v1::server_reflection_request::MessageRequest;
    use tonic_reflection::pb::v1::server_reflection_response::MessageResponse;

    let database = fresh_database().await;
    let project = core_project(&database.url);
    let server = Server::start(&project, &[]);
    let channel = Channel::from_shared(server.grpc.clone())
        .unwrap()
        .connect()
        .await
        .unwrap();
    let mut client = ServerReflectionClient::new(channel);
    let request = ServerReflectionRequest {
        host: String::new(),
        message_request: Some(MessageRequest::ListServices(String::new())),
    };
    let mut responses = client
        .server_reflection_info(tokio_stream_once(request))
        .await
        .unwrap()
        .into_inner();
    let response = responses.message().await.unwrap().unwrap();
    let Some(MessageResponse::ListServicesResponse(list)) = response.message_response else {
        panic!("not a service list: {response:?}");
    };
    let names: Vec<String> = list.service.into_iter().map(|s| s.name).collect();
    assert!(names.contains(&"bfm.v1.Bfm".to_string()), "{names:?}");
}

/// A stream of one message.
fn tokio_stream_once<T: Send + 'static>(
    message: T,
) -> impl tonic::codegen::tokio_stream::Stream<Item = T> + Send + 'static {
    tonic::codegen::tokio_stream::iter([message])
}
