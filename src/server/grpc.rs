//! The gRPC API (`proto/bfm/v1/bfm.proto`): the operations of the HTTP API on the same
//! [`Service`], the token in the `authorization` metadata (`Bearer <token>`), and server
//! reflection so tools such as grpcurl can list and call it.

use super::Service;
use super::ops::{self, OpError};
use std::future::Future;
use std::sync::Arc;
use tonic::{Request, Response, Status};

/// The code generated from `proto/bfm/v1/bfm.proto`.
pub mod pb {
    tonic::include_proto!("bfm.v1");

    /// The encoded descriptor set, for server reflection.
    pub const FILE_DESCRIPTOR_SET: &[u8] =
        include_bytes!(concat!(env!("OUT_DIR"), "/bfm_descriptor.bin"));
}

use pb::bfm_server::{Bfm, BfmServer};

/// Serves the gRPC API on `listener` until `shutdown` completes.
pub async fn serve(
    service: Arc<Service>,
    listener: tokio::net::TcpListener,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<(), super::ServeError> {
    let failed = |message: String| super::ServeError::Server {
        api: "gRPC",
        message,
    };
    let reflection = tonic_reflection::server::Builder::configure()
        .register_encoded_file_descriptor_set(pb::FILE_DESCRIPTOR_SET)
        .build_v1()
        .map_err(|error| failed(error.to_string()))?;
    let incoming = tonic::transport::server::TcpIncoming::from(listener);
    tonic::transport::Server::builder()
        .add_service(BfmServer::new(Api { service }))
        .add_service(reflection)
        .serve_with_incoming_shutdown(incoming, shutdown)
        .await
        .map_err(|error| failed(error.to_string()))
}

struct Api {
    service: Arc<Service>,
}

impl Api {
    /// Refuses a call without the right token, telling nothing more.
    fn authorize<T>(&self, request: &Request<T>) -> Result<(), Status> {
        let presented = request
            .metadata()
            .get("authorization")
            .and_then(|value| value.to_str().ok())
            .unwrap_or_default();
        if self.service.settings.token.accepts_str(presented) {
            Ok(())
        } else {
            Err(Status::unauthenticated(""))
        }
    }

    fn count<T>(&self, method: &str, result: &Result<T, Status>) {
        let code = match result {
            Ok(_) => tonic::Code::Ok,
            Err(status) => status.code(),
        };
        self.service
            .metrics
            .request("grpc", "POST", method, &format!("{code:?}"));
    }
}

fn status(error: OpError) -> Status {
    let message = error.message();
    match error {
        OpError::BadRequest { .. } => Status::invalid_argument(message),
        OpError::NotFound(_) => Status::not_found(message),
        OpError::Unavailable(_) => Status::unavailable(message),
        OpError::Internal(_) => Status::internal(message),
    }
}

#[tonic::async_trait]
impl Bfm for Api {
    async fn migrate(
        &self,
        request: Request<pb::MigrateRequest>,
    ) -> Result<Response<pb::MigrateResponse>, Status> {
        let result = async {
            self.authorize(&request)?;
            let request = request.into_inner();
            let target = request.target.unwrap_or_default();
            let answer = self
                .service
                .migrate(ops::MigrateRequest {
                    target: ops::MigrateTarget {
                        backend: target.backend,
                        schema: target.schema,
                        tables: target.tables,
                        version: target.version,
                        connection: target.connection,
                    },
                    connection: request.connection,
                    schema: request.schema,
                    environment: request.environment,
                    dry_run: request.dry_run,
                })
                .await
                .map_err(status)?;
            Ok(Response::new(pb::MigrateResponse {
                success: answer.success,
                applied: answer.applied,
                skipped: answer.skipped,
                errors: answer.errors,
            }))
        }
        .await;
        self.count("/bfm.v1.Bfm/Migrate", &result);
        result
    }

    async fn plan(
        &self,
        request: Request<pb::PlanRequest>,
    ) -> Result<Response<pb::PlanResponse>, Status> {
        let result = async {
            self.authorize(&request)?;
            let request = request.into_inner();
            let report = self
                .service
                .plan(ops::Selection {
                    connection: request.connection,
                    schema: request.schema,
                    environment: request.environment,
                })
                .await
                .map_err(status)?;
            Ok(Response::new(plan_response(&report)))
        }
        .await;
        self.count("/bfm.v1.Bfm/Plan", &result);
        result
    }

    async fn status(
        &self,
        request: Request<pb::StatusRequest>,
    ) -> Result<Response<pb::StatusResponse>, Status> {
        let result = async {
            self.authorize(&request)?;
            let request = request.into_inner();
            let answer = self
                .service
                .status(ops::Selection {
                    connection: request.connection,
                    schema: request.schema,
                    environment: request.environment,
                })
                .await
                .map_err(status)?;
            Ok(Response::new(pb::StatusResponse {
                targets: answer.targets.into_iter().map(target_status).collect(),
            }))
        }
        .await;
        self.count("/bfm.v1.Bfm/Status", &result);
        result
    }

    async fn rollback(
        &self,
        request: Request<pb::RollbackRequest>,
    ) -> Result<Response<pb::RollbackResponse>, Status> {
        let result = async {
            self.authorize(&request)?;
            let request = request.into_inner();
            let answer = self
                .service
                .rollback(ops::RollbackRequest {
                    connection: request.connection,
                    schema: request.schema,
                    environment: request.environment,
                    steps: (request.steps > 0).then_some(request.steps as usize),
                    to: (!request.to_version.is_empty()).then_some(request.to_version),
                    dry_run: request.dry_run,
                })
                .await
                .map_err(status)?;
            Ok(Response::new(pb::RollbackResponse {
                success: answer.success,
                rolled_back: answer.rolled_back,
                errors: answer.errors,
            }))
        }
        .await;
        self.count("/bfm.v1.Bfm/Rollback", &result);
        result
    }

    async fn health(
        &self,
        _request: Request<pb::HealthRequest>,
    ) -> Result<Response<pb::HealthResponse>, Status> {
        let report = self.service.health().await;
        let result = Ok(Response::new(pb::HealthResponse {
            healthy: report.healthy,
            state_store: report.state_store.reachable,
            state_store_error: report.state_store.error.unwrap_or_default(),
            connections: report
                .connections
                .into_iter()
                .map(|c| pb::ConnectionHealth {
                    name: c.name,
                    backend: c.backend,
                    reachable: c.reachability.reachable,
                    error: c.reachability.error.unwrap_or_default(),
                })
                .collect(),
        }));
        self.count("/bfm.v1.Bfm/Health", &result);
        result
    }
}

fn target_status(target: ops::TargetStatus) -> pb::TargetStatus {
    pb::TargetStatus {
        connection: target.connection,
        schema: target.schema,
        migrations: target
            .migrations
            .into_iter()
            .map(|m| pb::MigrationState {
                id: m.id,
                version: m.version,
                status: m.status,
                applied_at: m.applied_at.unwrap_or_default(),
                execution_ms: m.execution_ms.unwrap_or_default(),
                checksum_changed: m.checksum_changed,
                file_missing: m.file_missing,
                error: m.error.unwrap_or_default(),
            })
            .collect(),
    }
}

/// The plan report as messages; enum values as their JSON names.
fn plan_response(report: &super::plan::PlanResponse) -> pb::PlanResponse {
    pb::PlanResponse {
        pending: report.pending,
        connections: report
            .connections
            .iter()
            .map(|planned| (planned, &planned.report))
            .map(|(planned, connection)| pb::ConnectionPlan {
                connection: connection.connection.clone(),
                compared_with: connection.compared_with.clone(),
                compared_against: planned.compared_against.as_str().to_string(),
                live_error: planned.live_error.clone().unwrap_or_default(),
                files: connection
                    .files
                    .iter()
                    .map(|file| pb::PlannedFile {
                        object: file.object.clone(),
                        changes: file
                            .changes
                            .iter()
                            .map(|change| pb::PlannedChange {
                                action: json_name(&change.action),
                                description: change.description.clone(),
                                gate: json_name(&change.gate),
                                hazards: change.hazards.iter().map(|h| h.message.clone()).collect(),
                                sql: change.sql.clone(),
                            })
                            .collect(),
                    })
                    .collect(),
            })
            .collect(),
    }
}

/// An enum value by the name JSON gives it (`create`, `needs_permission`).
fn json_name<T: serde::Serialize>(value: &T) -> String {
    match serde_json::to_value(value) {
        Ok(serde_json::Value::String(name)) => name,
        Ok(other) => other.to_string(),
        Err(_) => String::new(),
    }
}
