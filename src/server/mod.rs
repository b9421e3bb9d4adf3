//! `bfm serve`: the HTTP API ([`http`]) and the gRPC API ([`grpc`]) over one [`Service`], which
//! runs the same library calls as the command line. Both need the API token ([`auth`]) except
//! for health checks; runs take the state store's per-target lock, so the server and a CLI
//! never apply to one target at the same time.

pub mod auth;
pub mod grpc;
pub mod http;
mod keys;
pub mod metrics;
pub mod ops;
pub mod plan;

use crate::apply::deployment::{Deployment, DeploymentError, open_state_store};
use crate::apply::{StopFlag, TargetPool};
use crate::backend::BackendKind;
use crate::config::{Config, Connection};
use crate::state::AnyStateStore;
use auth::ApiToken;
use metrics::Metrics;
use ops::OpError;
use sqlx::postgres::PgPoolOptions;
use std::collections::BTreeMap;
use std::future::Future;
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;
use thiserror::Error;
use tokio::sync::{Mutex, RwLock};

#[derive(Debug, Error)]
pub enum ServeError {
    #[error("{variable} is not set: `bfm serve` needs an API token for its clients")]
    MissingToken { variable: &'static str },
    #[error("{variable}={value:?} is not valid: {reason}")]
    InvalidSetting {
        variable: &'static str,
        value: String,
        reason: String,
    },
    #[error("cannot listen on {address}: {source}")]
    Bind {
        address: SocketAddr,
        source: std::io::Error,
    },
    #[error("the {api} server stopped: {message}")]
    Server { api: &'static str, message: String },
}

/// How the server runs, from the environment.
#[derive(Debug, Clone)]
pub struct ServeSettings {
    pub http: SocketAddr,
    pub grpc: SocketAddr,
    pub token: ApiToken,
    /// Requests running longer are answered 408 (a run they started still finishes).
    pub request_timeout: Duration,
    /// The largest request body accepted.
    pub body_limit: usize,
    /// How long a run waits for another apply's lock on its target.
    pub lock_timeout: Duration,
}

impl ServeSettings {
    /// `BFM_API_TOKEN` (required), `BFM_HTTP_PORT` (7070), `BFM_GRPC_PORT` (9090),
    /// `BFM_BIND_ADDRESS` (0.0.0.0), `BFM_REQUEST_TIMEOUT` (seconds, 300),
    /// `BFM_BODY_LIMIT` (bytes, 1 MiB), `BFM_LOCK_TIMEOUT` (seconds, 60).
    pub fn from_env(env: &dyn Fn(&str) -> Option<String>) -> Result<ServeSettings, ServeError> {
        let token = env("BFM_API_TOKEN")
            .filter(|token| !token.trim().is_empty())
            .ok_or(ServeError::MissingToken {
                variable: "BFM_API_TOKEN",
            })?;
        let ip: IpAddr = setting(env, "BFM_BIND_ADDRESS", IpAddr::from([0, 0, 0, 0]))?;
        Ok(ServeSettings {
            http: SocketAddr::new(ip, setting(env, "BFM_HTTP_PORT", 7070)?),
            grpc: SocketAddr::new(ip, setting(env, "BFM_GRPC_PORT", 9090)?),
            token: ApiToken::new(token.trim()),
            request_timeout: Duration::from_secs(setting(env, "BFM_REQUEST_TIMEOUT", 300)?),
            body_limit: setting(env, "BFM_BODY_LIMIT", 1024 * 1024)?,
            lock_timeout: Duration::from_secs(setting(env, "BFM_LOCK_TIMEOUT", 60)?),
        })
    }
}

fn setting<T: std::str::FromStr>(
    env: &dyn Fn(&str) -> Option<String>,
    variable: &'static str,
    default: T,
) -> Result<T, ServeError>
where
    T::Err: std::fmt::Display,
{
    match env(variable) {
        None => Ok(default),
        Some(value) => value
            .trim()
            .parse()
            .map_err(|error: T::Err| ServeError::InvalidSetting {
                variable,
                value,
                reason: error.to_string(),
            }),
    }
}

/// What both APIs share: the project, the state store and connection pools (opened on first
/// use, so the server starts while a database is down and reports it), the metrics, and the
/// gate shutdown closes to wait for runs in progress.
pub struct Service {
    pub config: Config,
    pub settings: ServeSettings,
    pub metrics: Metrics,
    store: Mutex<Option<Arc<AnyStateStore>>>,
    pools: Mutex<BTreeMap<String, TargetPool>>,
    /// The etcd clients of etcd connections, by connection name, made on first success.
    etcd_clients: Mutex<BTreeMap<String, etcd_client::Client>>,
    /// Every run holds a read guard; shutdown takes the write guard.
    runs: Arc<RwLock<()>>,
    /// Raised at shutdown: runs stop at the next migration boundary.
    stop: StopFlag,
    stop_flag: &'static AtomicBool,
}

impl Service {
    /// One per server: its stop flag lives as long as the process.
    pub fn new(config: Config, settings: ServeSettings) -> Service {
        let stop_flag: &'static AtomicBool = Box::leak(Box::new(AtomicBool::new(false)));
        Service {
            config,
            settings,
            metrics: Metrics::default(),
            store: Mutex::new(None),
            pools: Mutex::new(BTreeMap::new()),
            etcd_clients: Mutex::new(BTreeMap::new()),
            runs: Arc::new(RwLock::new(())),
            stop: StopFlag::new(stop_flag),
            stop_flag,
        }
    }

    /// The state store, connected (and its tables created) on first success.
    async fn store(&self) -> Result<Arc<AnyStateStore>, OpError> {
        let mut store = self.store.lock().await;
        if let Some(store) = store.as_ref() {
            return Ok(store.clone());
        }
        let connected =
            tokio::time::timeout(Duration::from_secs(10), open_state_store(&self.config))
                .await
                .map_err(|_| {
                    OpError::Unavailable("the state store did not answer within 10s".into())
                })?
                .map_err(OpError::from)?;
        let connected = Arc::new(connected);
        *store = Some(connected.clone());
        Ok(connected)
    }

    /// The pool of a deployment's connection, opened on first success.
    async fn pool(&self, deployment: &Deployment) -> Result<TargetPool, OpError> {
        let mut pools = self.pools.lock().await;
        if let Some(pool) = pools.get(&deployment.connection.name) {
            return Ok(pool.clone());
        }
        let pool = deployment.pool(4).await?;
        pools.insert(deployment.connection.name.clone(), pool.clone());
        Ok(pool)
    }

    /// Whether the connection's database answers a query within a few seconds.
    async fn ping(&self, connection: &Connection) -> Result<(), String> {
        match connection.backend {
            BackendKind::Etcd => return ping_etcd(connection).await,
            BackendKind::Mysql | BackendKind::Greptimedb => return ping_tcp(connection).await,
            BackendKind::Postgresql => {}
        }
        let Some(url) = connection.database_url() else {
            return Err("no database host configured".into());
        };
        let pool = PgPoolOptions::new()
            .max_connections(1)
            .acquire_timeout(Duration::from_secs(5))
            .connect_lazy(url.expose())
            .map_err(|error| error.to_string())?;
        let answer = sqlx::query("SELECT 1").execute(&pool).await;
        pool.close().await;
        answer.map(|_| ()).map_err(|error| {
            DeploymentError::Connect {
                connection: connection.name.clone(),
                message: error.to_string(),
            }
            .to_string()
        })
    }

    /// Stops runs in progress at their next migration boundary, waits for them, and refuses
    /// new ones.
    pub async fn drain(&self) {
        self.stop_flag.store(true, Ordering::SeqCst);
        let _closed = self.runs.write().await;
    }
}

/// A MySQL or GreptimeDB connection is reachable when its port accepts a connection (their
/// SQL paths live in the CLI; the server does not run them).
async fn ping_tcp(connection: &Connection) -> Result<(), String> {
    let Some(host) = connection.host.as_deref() else {
        return Err("no database host configured".into());
    };
    let default_port = if connection.backend == BackendKind::Greptimedb {
        4002
    } else {
        3306
    };
    let port = connection.port.unwrap_or(default_port);
    let connect = tokio::net::TcpStream::connect((host, port));
    match tokio::time::timeout(Duration::from_secs(5), connect).await {
        Ok(Ok(_)) => Ok(()),
        Ok(Err(error)) => Err(format!("cannot connect to {host}:{port}: {error}")),
        Err(_) => Err(format!("no answer from {host}:{port} within 5s")),
    }
}

/// An etcd connection answers when its status call succeeds.
async fn ping_etcd(connection: &Connection) -> Result<(), String> {
    let status = async {
        let mut client = crate::backend::etcd::connect(connection)
            .await
            .map_err(|error| error.to_string())?;
        client
            .status()
            .await
            .map(|_| ())
            .map_err(|error| error.to_string())
    };
    tokio::time::timeout(Duration::from_secs(5), status)
        .await
        .unwrap_or_else(|_| Err("no answer within 5s".into()))
}

/// The addresses the servers listen on (a configured port 0 is resolved).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Listening {
    pub http: SocketAddr,
    pub grpc: SocketAddr,
}

/// Binds both servers, reports their addresses to `on_listening`, serves until `shutdown`
/// completes, then stops taking requests and waits for runs in progress to finish.
pub async fn serve(
    config: Config,
    settings: ServeSettings,
    shutdown: impl Future<Output = ()> + Send + 'static,
    on_listening: impl FnOnce(Listening),
) -> Result<(), ServeError> {
    let http_listener = bind(settings.http).await?;
    let grpc_listener = bind(settings.grpc).await?;
    let listening = Listening {
        http: local_address(&http_listener, settings.http),
        grpc: local_address(&grpc_listener, settings.grpc),
    };
    let service = Arc::new(Service::new(config, settings));
    let (stop_sender, stop) = tokio::sync::watch::channel(false);
    let stopping = service.clone();
    let signal = async move {
        shutdown.await;
        stopping.stop_flag.store(true, Ordering::SeqCst);
        let _ = stop_sender.send(true);
    };
    tokio::spawn(signal);
    on_listening(listening);
    let http = http::serve(service.clone(), http_listener, stopped(stop.clone()));
    let grpc = grpc::serve(service.clone(), grpc_listener, stopped(stop));
    let (http, grpc) = tokio::join!(http, grpc);
    service.drain().await;
    http?;
    grpc
}

async fn bind(address: SocketAddr) -> Result<tokio::net::TcpListener, ServeError> {
    tokio::net::TcpListener::bind(address)
        .await
        .map_err(|source| ServeError::Bind { address, source })
}

fn local_address(listener: &tokio::net::TcpListener, configured: SocketAddr) -> SocketAddr {
    listener.local_addr().unwrap_or(configured)
}

/// Completes when the shutdown flag is raised.
async fn stopped(mut stop: tokio::sync::watch::Receiver<bool>) {
    let _ = stop.wait_for(|stopped| *stopped).await;
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(pairs: &'static [(&'static str, &'static str)]) -> impl Fn(&str) -> Option<String> {
        move |name| {
            pairs
                .iter()
                .find(|(key, _)| *key == name)
                .map(|(_, value)| value.to_string())
        }
    }

    #[test]
    fn refuses_to_start_without_a_token_and_names_the_variable() {
        let error = ServeSettings::from_env(&env(&[])).unwrap_err();
        assert!(
            error.to_string().starts_with("BFM_API_TOKEN is not set"),
            "{error}"
        );
        let error = ServeSettings::from_env(&env(&[("BFM_API_TOKEN", " ")])).unwrap_err();
        assert!(matches!(error, ServeError::MissingToken { .. }));
    }

    #[test]
    fn ports_default_to_7070_and_9090_and_follow_the_environment() {
        let settings = ServeSettings::from_env(&env(&[("BFM_API_TOKEN", "t")])).unwrap();
        assert_eq!((settings.http.port(), settings.grpc.port()), (7070, 9090));
        let settings = ServeSettings::from_env(&env(&[
            ("BFM_API_TOKEN", "t"),
            ("BFM_HTTP_PORT", "8080"),
            ("BFM_GRPC_PORT", "9191"),
        ]))
        .unwrap();
        assert_eq!((settings.http.port(), settings.grpc.port()), (8080, 9191));
        let error =
            ServeSettings::from_env(&env(&[("BFM_API_TOKEN", "t"), ("BFM_HTTP_PORT", "x")]))
                .unwrap_err();
        assert!(
            error.to_string().starts_with("BFM_HTTP_PORT=\"x\""),
            "{error}"
        );
    }
}
