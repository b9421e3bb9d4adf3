//! Connecting to etcd from a connection's settings: endpoints (or host and port), user and
//! password, TLS files.

use crate::config::{Connection, env_prefix};
use etcd_client::{Certificate, Client, ConnectOptions, Identity, TlsOptions};
use std::path::Path;
use std::time::Duration;
use thiserror::Error;

/// etcd's client port.
pub const DEFAULT_PORT: u16 = 2379;

#[derive(Debug, Error)]
pub enum EtcdError {
    #[error(
        "connection {connection} has no etcd endpoint: set {prefix}_ENDPOINTS or {prefix}_DB_HOST (and {prefix}_DB_PORT, default 2379)"
    )]
    NoEndpoint { connection: String, prefix: String },
    #[error("cannot read the TLS file {}: {source}", path.display())]
    TlsFile {
        path: std::path::PathBuf,
        source: std::io::Error,
    },
    #[error("{variable} needs {other} too: a client certificate comes with its key")]
    HalfIdentity { variable: String, other: String },
    #[error("cannot reach etcd at {endpoints}: {message}")]
    Connect { endpoints: String, message: String },
    #[error("etcd request failed: {0}")]
    Request(String),
    #[error(
        "key {key} holds {bytes} bytes that are not UTF-8 text: bfm manages text and JSON values only; rewrite or remove the key by hand"
    )]
    NotText { key: String, bytes: usize },
}

impl From<etcd_client::Error> for EtcdError {
    fn from(error: etcd_client::Error) -> Self {
        EtcdError::Request(error.to_string())
    }
}

/// The endpoints of `connection`: its list, or `host:port` (https when a CA file is set).
pub fn endpoints(connection: &Connection) -> Result<Vec<String>, EtcdError> {
    if !connection.etcd.endpoints.is_empty() {
        return Ok(connection.etcd.endpoints.clone());
    }
    let host = connection
        .host
        .as_deref()
        .ok_or_else(|| EtcdError::NoEndpoint {
            connection: connection.name.clone(),
            prefix: env_prefix(&connection.name),
        })?;
    let scheme = if connection.etcd.tls_ca.is_some() {
        "https"
    } else {
        "http"
    };
    let port = connection.port.unwrap_or(DEFAULT_PORT);
    Ok(vec![format!("{scheme}://{host}:{port}")])
}

fn read(path: &Path) -> Result<Vec<u8>, EtcdError> {
    std::fs::read(path).map_err(|source| EtcdError::TlsFile {
        path: path.to_path_buf(),
        source,
    })
}

/// The client options: credentials, TLS, and timeouts so a dead cluster fails instead of hanging.
fn options(connection: &Connection) -> Result<ConnectOptions, EtcdError> {
    let mut options = ConnectOptions::new()
        .with_connect_timeout(Duration::from_secs(10))
        .with_timeout(Duration::from_secs(30));
    if let Some(user) = &connection.username {
        let password = connection
            .password
            .as_ref()
            .map(|p| p.expose().to_string())
            .unwrap_or_default();
        options = options.with_user(user.clone(), password);
    }
    let etcd = &connection.etcd;
    let prefix = env_prefix(&connection.name);
    let identity = match (&etcd.tls_cert, &etcd.tls_key) {
        (Some(cert), Some(key)) => Some(Identity::from_pem(read(cert)?, read(key)?)),
        (None, None) => None,
        (Some(_), None) => {
            return Err(EtcdError::HalfIdentity {
                variable: format!("{prefix}_TLS_CERT"),
                other: format!("{prefix}_TLS_KEY"),
            });
        }
        (None, Some(_)) => {
            return Err(EtcdError::HalfIdentity {
                variable: format!("{prefix}_TLS_KEY"),
                other: format!("{prefix}_TLS_CERT"),
            });
        }
    };
    if etcd.tls_ca.is_some() || identity.is_some() {
        let mut tls = TlsOptions::new();
        if let Some(ca) = &etcd.tls_ca {
            tls = tls.ca_certificate(Certificate::from_pem(read(ca)?));
        }
        if let Some(identity) = identity {
            tls = tls.identity(identity);
        }
        options = options.with_tls(tls);
    }
    Ok(options)
}

/// A client for `connection`'s cluster.
pub async fn connect(connection: &Connection) -> Result<Client, EtcdError> {
    let endpoints = endpoints(connection)?;
    let options = options(connection)?;
    Client::connect(&endpoints, Some(options))
        .await
        .map_err(|error| EtcdError::Connect {
            endpoints: endpoints.join(","),
            message: error.to_string(),
        })
}
