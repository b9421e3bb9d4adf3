//! The HTTP API: JSON over axum. `/health` and the OpenAPI document need no token; everything
//! else needs `Authorization: Bearer <token>`. Every request gets an id (`x-request-id`, kept
//! when the client sends one) that its log lines and its response carry.

use super::Service;
use super::ops::{MigrateRequest, OpError, RollbackRequest, Selection};
use axum::Router;
use axum::body::Bytes;
use axum::extract::{MatchedPath, Query, Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{MethodRouter, get, post};
use serde::Serialize;
use serde::de::DeserializeOwned;
use std::future::Future;
use std::sync::Arc;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::sensitive_headers::SetSensitiveRequestHeadersLayer;
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::{DefaultOnResponse, TraceLayer};

/// The OpenAPI 3 document of this API, also at `/api/v1/openapi.json`.
pub const OPENAPI: &str = include_str!("../../docs/openapi.json");

/// Every route: method, path, handler, and whether it needs the token. The router is built from
/// this list and the OpenAPI test compares the document with it, so the two cannot drift apart.
fn route_table() -> Vec<(&'static str, &'static str, MethodRouter<Arc<Service>>, bool)> {
    vec![
        ("get", "/health", get(health), false),
        ("get", "/api/v1/openapi.json", get(openapi), false),
        ("get", "/metrics", get(metrics), true),
        ("post", "/api/v1/migrate", post(migrate), true),
        ("post", "/api/v1/plan", post(plan), true),
        ("get", "/api/v1/status", get(status), true),
        ("post", "/api/v1/rollback", post(rollback), true),
        ("get", "/api/v1/migrations", get(migrations), true),
    ]
}

/// The routes the router serves (method, path), as the OpenAPI document must list them.
pub fn routes() -> Vec<(&'static str, &'static str)> {
    route_table()
        .into_iter()
        .map(|(method, path, _, _)| (method, path))
        .collect()
}

/// Serves the API on `listener` until `shutdown` completes; requests in flight are answered.
pub async fn serve(
    service: Arc<Service>,
    listener: tokio::net::TcpListener,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<(), super::ServeError> {
    axum::serve(listener, router(service))
        .with_graceful_shutdown(shutdown)
        .await
        .map_err(|error| super::ServeError::Server {
            api: "HTTP",
            message: error.to_string(),
        })
}

/// The whole API with its layers.
pub fn router(service: Arc<Service>) -> Router {
    let (mut open, mut protected) = (Router::new(), Router::new());
    for (_, path, handler, needs_token) in route_table() {
        if needs_token {
            protected = protected.route(path, handler);
        } else {
            open = open.route(path, handler);
        }
    }
    let protected =
        protected.route_layer(middleware::from_fn_with_state(service.clone(), authorize));
    let timeout = service.settings.request_timeout;
    let body_limit = service.settings.body_limit;
    open.merge(protected)
        .layer(middleware::from_fn_with_state(service.clone(), count))
        .layer(axum::extract::DefaultBodyLimit::max(body_limit))
        .layer(TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            timeout,
        ))
        .layer(PropagateRequestIdLayer::x_request_id())
        .layer(
            TraceLayer::new_for_http()
                .make_span_with(request_span)
                .on_response(DefaultOnResponse::new().level(tracing::Level::INFO)),
        )
        .layer(SetRequestIdLayer::x_request_id(MakeRequestUuid))
        .layer(SetSensitiveRequestHeadersLayer::new([
            header::AUTHORIZATION,
        ]))
        .with_state(service)
}

/// The span of one request: its id, method and path (never its headers).
fn request_span(request: &Request) -> tracing::Span {
    let id = request
        .headers()
        .get("x-request-id")
        .and_then(|value| value.to_str().ok())
        .unwrap_or("-");
    tracing::info_span!(
        "request",
        request_id = %id,
        method = %request.method(),
        path = %request.uri().path(),
    )
}

/// 401 with a `WWW-Authenticate` challenge and nothing else, unless the token is right.
async fn authorize(State(service): State<Arc<Service>>, request: Request, next: Next) -> Response {
    if service
        .settings
        .token
        .accepts(request.headers().get(header::AUTHORIZATION))
    {
        return next.run(request).await;
    }
    (
        StatusCode::UNAUTHORIZED,
        [(
            header::WWW_AUTHENTICATE,
            HeaderValue::from_static("Bearer realm=\"bfm\""),
        )],
    )
        .into_response()
}

/// Counts every answered request by route pattern and status.
async fn count(State(service): State<Arc<Service>>, request: Request, next: Next) -> Response {
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "unmatched".to_string(), |path| path.as_str().to_string());
    let method = request.method().to_string();
    let response = next.run(request).await;
    service
        .metrics
        .request("http", &method, &route, response.status().as_str());
    response
}

/// The error body: `{"success": false, "errors": [message], "field": …}`.
#[derive(Debug, Serialize)]
struct ErrorBody {
    success: bool,
    errors: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    field: Option<String>,
}

impl IntoResponse for OpError {
    fn into_response(self) -> Response {
        let status = match &self {
            OpError::BadRequest { .. } => StatusCode::BAD_REQUEST,
            OpError::NotFound(_) => StatusCode::NOT_FOUND,
            OpError::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            OpError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        };
        if status.is_server_error() {
            tracing::warn!(status = status.as_u16(), error = %self.message(), "request failed");
        }
        let field = match &self {
            OpError::BadRequest { field, .. } => Some(field.clone()),
            _ => None,
        };
        let body = ErrorBody {
            success: false,
            errors: vec![self.message()],
            field,
        };
        (status, axum::Json(body)).into_response()
    }
}

/// A JSON body as `T`; a malformed body or an unknown or mistyped field is a 400 naming the
/// field. An empty body is `{}`.
fn parse<T: DeserializeOwned>(body: &[u8]) -> Result<T, OpError> {
    let body = if body.iter().all(u8::is_ascii_whitespace) {
        b"{}".as_slice()
    } else {
        body
    };
    let mut deserializer = serde_json::Deserializer::from_slice(body);
    serde_path_to_error::deserialize(&mut deserializer).map_err(|error| {
        let path = error.path().to_string();
        let inner = error.inner();
        let message = inner.to_string();
        let field = if inner.is_syntax() || inner.is_eof() {
            "body".to_string()
        } else if path != "." {
            path
        } else {
            unknown_field(&message).unwrap_or("body").to_string()
        };
        let message = if inner.is_syntax() || inner.is_eof() {
            format!("malformed JSON: {message}")
        } else {
            message
        };
        OpError::BadRequest { field, message }
    })
}

/// The name in serde's "unknown field `name`, expected …".
fn unknown_field(message: &str) -> Option<&str> {
    let rest = message.strip_prefix("unknown field `")?;
    rest.split('`').next()
}

async fn health(State(service): State<Arc<Service>>) -> Response {
    let report = service.health().await;
    let status = if report.healthy {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    (status, axum::Json(report)).into_response()
}

async fn openapi() -> Response {
    (
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        )],
        OPENAPI,
    )
        .into_response()
}

async fn metrics(State(service): State<Arc<Service>>) -> Response {
    (
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("text/plain; version=0.0.4"),
        )],
        service.metrics.render(),
    )
        .into_response()
}

async fn migrate(State(service): State<Arc<Service>>, body: Bytes) -> Response {
    let request: MigrateRequest = match parse(&body) {
        Ok(request) => request,
        Err(error) => return error.into_response(),
    };
    respond(service.migrate(request).await)
}

async fn rollback(State(service): State<Arc<Service>>, body: Bytes) -> Response {
    let request: RollbackRequest = match parse(&body) {
        Ok(request) => request,
        Err(error) => return error.into_response(),
    };
    respond(service.rollback(request).await)
}

async fn plan(State(service): State<Arc<Service>>, body: Bytes) -> Response {
    let selection: Selection = match parse(&body) {
        Ok(selection) => selection,
        Err(error) => return error.into_response(),
    };
    respond(service.plan(selection).await)
}

async fn status(
    State(service): State<Arc<Service>>,
    selection: Result<Query<Selection>, axum::extract::rejection::QueryRejection>,
) -> Response {
    match selection {
        Ok(Query(selection)) => respond(service.status(selection).await),
        Err(rejection) => query_error(&rejection),
    }
}

async fn migrations(
    State(service): State<Arc<Service>>,
    selection: Result<Query<Selection>, axum::extract::rejection::QueryRejection>,
) -> Response {
    match selection {
        Ok(Query(selection)) => respond(service.migrations(&selection)),
        Err(rejection) => query_error(&rejection),
    }
}

/// A query string with an unknown parameter: 400 naming it.
fn query_error(rejection: &axum::extract::rejection::QueryRejection) -> Response {
    let message = rejection.body_text();
    let field = message
        .split("unknown field `")
        .nth(1)
        .and_then(|rest| rest.split('`').next())
        .unwrap_or("query")
        .to_string();
    OpError::BadRequest { field, message }.into_response()
}

fn respond<T: Serialize>(result: Result<T, OpError>) -> Response {
    match result {
        Ok(body) => axum::Json(body).into_response(),
        Err(error) => error.into_response(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_unknown_field_is_named_with_its_path() {
        let error = parse::<MigrateRequest>(br#"{"target": {"tabels": []}}"#).unwrap_err();
        assert!(
            matches!(&error, OpError::BadRequest { field, .. } if field == "target.tabels"),
            "{error:?}"
        );
        let error = parse::<MigrateRequest>(br#"{"dryrun": true}"#).unwrap_err();
        assert!(matches!(&error, OpError::BadRequest { field, .. } if field == "dryrun"));
    }

    #[test]
    fn a_mistyped_field_and_malformed_json_are_bad_requests() {
        let error = parse::<MigrateRequest>(br#"{"dry_run": "yes"}"#).unwrap_err();
        assert!(matches!(&error, OpError::BadRequest { field, .. } if field == "dry_run"));
        let error = parse::<MigrateRequest>(br#"{"connection": "core""#).unwrap_err();
        assert!(
            matches!(&error, OpError::BadRequest { field, message } if field == "body" && message.starts_with("malformed JSON")),
            "{error:?}"
        );
    }

    #[test]
    fn an_empty_body_is_an_empty_request() {
        assert_eq!(parse::<Selection>(b"").unwrap(), Selection::default());
    }

    #[test]
    fn the_openapi_document_lists_exactly_the_routes_served() {
        let document: serde_json::Value = serde_json::from_str(OPENAPI).unwrap();
        assert_eq!(document["openapi"].as_str().map(|v| &v[..2]), Some("3."));
        let mut documented: Vec<(String, String)> = document["paths"]
            .as_object()
            .unwrap()
            .iter()
            .flat_map(|(path, operations)| {
                operations
                    .as_object()
                    .unwrap()
                    .keys()
                    .map(|method| (method.clone(), path.clone()))
                    .collect::<Vec<_>>()
            })
            .collect();
        documented.sort();
        let mut served: Vec<(String, String)> = routes()
            .into_iter()
            .map(|(method, path)| (method.to_string(), path.to_string()))
            .collect();
        served.sort();
        assert_eq!(
            documented, served,
            "docs/openapi.json and the router differ"
        );
    }

    /// The documented properties of a request schema are exactly the fields the server reads.
    #[test]
    fn the_openapi_request_schemas_list_every_request_field() {
        let document: serde_json::Value = serde_json::from_str(OPENAPI).unwrap();
        let schemas = &document["components"]["schemas"];
        let requests = [
            (
                "MigrateRequest",
                serde_json::to_value(MigrateRequest::default()),
            ),
            (
                "MigrateTarget",
                serde_json::to_value(super::super::ops::MigrateTarget::default()),
            ),
            (
                "RollbackRequest",
                serde_json::to_value(RollbackRequest::default()),
            ),
            ("PlanRequest", serde_json::to_value(Selection::default())),
        ];
        for (name, fields) in requests {
            let fields = fields.unwrap();
            let mut fields: Vec<&String> = fields.as_object().unwrap().keys().collect();
            fields.sort();
            let properties = schemas[name]["properties"].as_object().unwrap();
            let mut documented: Vec<&String> = properties.keys().collect();
            documented.sort();
            assert_eq!(documented, fields, "{name} in docs/openapi.json");
            assert_eq!(schemas[name]["additionalProperties"], false, "{name}");
        }
        let query: Vec<&str> = document["paths"]["/api/v1/status"]["get"]["parameters"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["name"].as_str().unwrap())
            .collect();
        assert_eq!(query, ["connection", "schema", "environment"]);
    }
}
