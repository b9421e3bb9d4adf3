//! The project configuration: `bfm.yaml` plus the environment variables users already deploy
//! with. The environment wins over the file, so one `bfm.yaml` serves every deployment.

use crate::backend::BackendKind;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};
use thiserror::Error;

/// The file bfm looks for in the current directory when `--config` is not given.
pub const CONFIG_FILE: &str = "bfm.yaml";

/// The placeholder that makes a connection's schema per-environment (`cli_{environment}`).
pub const ENVIRONMENT_PLACEHOLDER: &str = "{environment}";

#[derive(Debug, Error)]
pub enum ConfigError {
    #[error("no {CONFIG_FILE} in {}: run bfm from the project root or pass --config", dir.display())]
    NotFound { dir: PathBuf },
    #[error("cannot read {}: {source}", path.display())]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{}: {message}", path.display())]
    Invalid { path: PathBuf, message: String },
    /// A setting that must be given, named by the environment variable that gives it.
    #[error("{variable} is not set (and {setting} is not in {CONFIG_FILE})")]
    Missing { variable: String, setting: String },
    /// A setting whose value cannot be used, named by where it came from.
    #[error("{source_name} has an invalid value {value:?}: {reason}")]
    InvalidValue {
        source_name: String,
        value: String,
        reason: String,
    },
    #[error("unknown connection {name:?} (configured: {known})")]
    UnknownConnection { name: String, known: String },
}

/// A password or other secret: never shown by `Debug` or `Display`.
#[derive(Clone, PartialEq, Eq, Deserialize)]
#[serde(transparent)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Secret(value.into())
    }

    /// The secret itself, for the code that connects; never for output.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("\"<redacted>\"")
    }
}

/// Where the state store (which migration ran where) lives.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum StateBackend {
    Sqlite,
    Postgresql,
    Mysql,
}

impl StateBackend {
    fn parse(name: &str) -> Option<StateBackend> {
        match name.to_ascii_lowercase().as_str() {
            "sqlite" => Some(StateBackend::Sqlite),
            "postgresql" | "postgres" => Some(StateBackend::Postgresql),
            "mysql" | "mariadb" => Some(StateBackend::Mysql),
            _ => None,
        }
    }
}

/// The state store settings after the environment has been applied.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StateConfig {
    pub backend: StateBackend,
    /// The SQLite file, relative to the project root.
    pub path: PathBuf,
    pub host: Option<String>,
    pub port: Option<u16>,
    pub username: Option<String>,
    pub password: Option<Secret>,
    /// The database name (default `migration_state`).
    pub name: String,
    /// The schema of `bfm_migrations` (default `public`).
    pub schema: String,
}

/// One managed database connection after the environment has been applied.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Connection {
    pub name: String,
    pub backend: BackendKind,
    /// The schema, possibly holding `{environment}`.
    pub schema: String,
    pub host: Option<String>,
    pub port: Option<u16>,
    pub username: Option<String>,
    pub password: Option<Secret>,
    /// The database name.
    pub database: Option<String>,
    /// The environments a per-environment schema is instantiated for.
    pub environments: Vec<String>,
    /// etcd only: prefix, endpoints and TLS files.
    pub etcd: EtcdOptions,
    /// The server version the diff plans for (GreptimeDB: which ALTERs exist), e.g. `1.2`;
    /// `None` means the backend's current release line.
    pub server_version: Option<String>,
}

/// How bfm reaches an etcd connection and where its keys live.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EtcdOptions {
    /// The key prefix (`/opsview/metadata/`); keys live at `{prefix}{schema}/{table}/{key}`.
    /// `{CONN}_PREFIX`; default `/{connection}/`.
    pub prefix: Option<String>,
    /// `{CONN}_ENDPOINTS` (comma separated, e.g. `https://etcd-1:2379,https://etcd-2:2379`);
    /// when empty, `{CONN}_DB_HOST` and `{CONN}_DB_PORT` (default 2379) make the one endpoint.
    pub endpoints: Vec<String>,
    /// `{CONN}_TLS_CA`: the CA certificate file that signs the servers' certificates.
    pub tls_ca: Option<PathBuf>,
    /// `{CONN}_TLS_CERT` and `{CONN}_TLS_KEY`: a client certificate and its key.
    pub tls_cert: Option<PathBuf>,
    pub tls_key: Option<PathBuf>,
}

impl Connection {
    /// Whether the schema is chosen per environment at apply time (`cli_{environment}`).
    pub fn is_per_environment(&self) -> bool {
        self.schema.contains(ENVIRONMENT_PLACEHOLDER)
    }

    /// The schema unqualified names load into: the fixed schema, or for a per-environment
    /// connection the placeholder schema named after the connection.
    pub fn model_schema(&self) -> &str {
        if self.is_per_environment() {
            &self.name
        } else {
            &self.schema
        }
    }

    /// Whether a live database is configured for this connection (for etcd: a host or a list
    /// of endpoints).
    pub fn has_host(&self) -> bool {
        self.host.is_some() || !self.etcd.endpoints.is_empty()
    }

    /// The schema one environment's migrations run in (`cli_{environment}` → `cli_dev`); the
    /// fixed schema of a connection that is not per environment.
    pub fn schema_for(&self, environment: &str) -> String {
        self.schema.replace(ENVIRONMENT_PLACEHOLDER, environment)
    }

    /// The database URL built from host, port, user, password and database name, when a host is
    /// configured. A secret, as it holds the password.
    pub fn database_url(&self) -> Option<Secret> {
        let scheme = match self.backend {
            BackendKind::Postgresql => "postgres",
            BackendKind::Mysql | BackendKind::Greptimedb => "mysql",
            BackendKind::Etcd => "http",
        };
        let host = self.host.as_deref()?;
        Some(Secret::new(server_url(
            scheme,
            host,
            self.port,
            self.username.as_deref(),
            self.password.as_ref().map(Secret::expose),
            self.database.as_deref().unwrap_or(""),
        )))
    }
}

impl StateConfig {
    /// The state database's URL (SQLite: the file, created when missing). A secret, as it holds
    /// the password. Errors name the variable a server-backed store is missing.
    pub fn database_url(&self, root: &Path) -> Result<Secret, ConfigError> {
        let scheme = match self.backend {
            StateBackend::Sqlite => {
                let path = root.join(&self.path);
                return Ok(Secret::new(format!("sqlite://{}?mode=rwc", path.display())));
            }
            StateBackend::Postgresql => "postgres",
            StateBackend::Mysql => "mysql",
        };
        let host = self.host.as_deref().ok_or_else(|| ConfigError::Missing {
            variable: "BFM_STATE_DB_HOST".to_string(),
            setting: "state.host".to_string(),
        })?;
        Ok(Secret::new(server_url(
            scheme,
            host,
            self.port,
            self.username.as_deref(),
            self.password.as_ref().map(Secret::expose),
            &self.name,
        )))
    }
}

/// `scheme://user:password@host:port/database`, with user and password percent-encoded.
fn server_url(
    scheme: &str,
    host: &str,
    port: Option<u16>,
    username: Option<&str>,
    password: Option<&str>,
    database: &str,
) -> String {
    let mut url = format!("{scheme}://");
    if let Some(user) = username {
        url.push_str(&percent_encode(user));
        if let Some(password) = password {
            url.push(':');
            url.push_str(&percent_encode(password));
        }
        url.push('@');
    }
    url.push_str(host);
    if let Some(port) = port {
        url.push_str(&format!(":{port}"));
    }
    url.push('/');
    url.push_str(&percent_encode(database));
    url
}

/// Percent-encodes everything but RFC 3986's unreserved characters.
fn percent_encode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// The whole project configuration, paths resolved against the directory of `bfm.yaml`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Config {
    pub root: PathBuf,
    pub schema_dir: PathBuf,
    pub generated_dir: PathBuf,
    pub state: StateConfig,
    /// By name: iteration (and so every output) is in name order.
    pub connections: BTreeMap<String, Connection>,
}

impl Config {
    /// Reads `path`, or `bfm.yaml` in the current directory when no path is given, with `env`
    /// applied. Paths stay relative to the current directory when the file is found there, so
    /// messages name `schema/core/users.yaml`, not an absolute path.
    pub fn discover(
        path: Option<&Path>,
        env: &dyn Fn(&str) -> Option<String>,
    ) -> Result<Config, ConfigError> {
        let path = match path {
            Some(path) => path.to_path_buf(),
            None => {
                let candidate = PathBuf::from(CONFIG_FILE);
                if !candidate.is_file() {
                    return Err(ConfigError::NotFound {
                        dir: std::env::current_dir().unwrap_or_else(|_| PathBuf::from(".")),
                    });
                }
                candidate
            }
        };
        let text = std::fs::read_to_string(&path).map_err(|source| ConfigError::Io {
            path: path.clone(),
            source,
        })?;
        let root = path.parent().map(Path::to_path_buf).unwrap_or_default();
        Config::parse(&text, &path, &root, env)
    }

    /// Parses the text of a `bfm.yaml` read from `path`, with `env` applied.
    pub fn parse(
        text: &str,
        path: &Path,
        root: &Path,
        env: &dyn Fn(&str) -> Option<String>,
    ) -> Result<Config, ConfigError> {
        let file: ConfigFile = if text.trim().is_empty() {
            ConfigFile::default()
        } else {
            serde_saphyr::from_str(text).map_err(|error| ConfigError::Invalid {
                path: path.to_path_buf(),
                message: error.to_string(),
            })?
        };
        let state = resolve_state(file.state, env)?;
        let mut connections = BTreeMap::new();
        for (name, raw) in file.connections {
            let connection = resolve_connection(&name, raw, env)?;
            connections.insert(name, connection);
        }
        Ok(Config {
            root: root.to_path_buf(),
            schema_dir: root.join(file.schema_dir.unwrap_or_else(|| "schema".into())),
            generated_dir: root.join(file.generated_dir.unwrap_or_else(|| "generated".into())),
            state,
            connections,
        })
    }

    pub fn connection(&self, name: &str) -> Result<&Connection, ConfigError> {
        self.connections
            .get(name)
            .ok_or_else(|| ConfigError::UnknownConnection {
                name: name.to_string(),
                known: self.connection_names(),
            })
    }

    /// The configured connection names, comma separated, for messages.
    pub fn connection_names(&self) -> String {
        if self.connections.is_empty() {
            return "none".to_string();
        }
        self.connections
            .keys()
            .map(String::as_str)
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// Where a connection's desired state lives: `schema/<connection>/`.
    pub fn schema_path(&self, connection: &Connection) -> PathBuf {
        self.schema_dir.join(&connection.name)
    }

    /// Where a connection's migrations live: `generated/<backend>/<connection>/`.
    pub fn migrations_path(&self, connection: &Connection) -> PathBuf {
        self.generated_dir
            .join(connection.backend.as_str())
            .join(&connection.name)
    }
}

/// `bfm.yaml` as written.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct ConfigFile {
    #[serde(default)]
    schema_dir: Option<PathBuf>,
    #[serde(default)]
    generated_dir: Option<PathBuf>,
    #[serde(default)]
    state: StateFile,
    #[serde(default)]
    connections: BTreeMap<String, ConnectionFile>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct StateFile {
    backend: Option<StateBackend>,
    path: Option<PathBuf>,
    host: Option<String>,
    port: Option<u16>,
    username: Option<String>,
    password: Option<Secret>,
    name: Option<String>,
    schema: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct ConnectionFile {
    backend: Option<BackendKind>,
    schema: Option<String>,
    host: Option<String>,
    port: Option<u16>,
    username: Option<String>,
    password: Option<Secret>,
    name: Option<String>,
    #[serde(default)]
    environments: Vec<String>,
    prefix: Option<String>,
    #[serde(default)]
    endpoints: Vec<String>,
    tls_ca: Option<PathBuf>,
    tls_cert: Option<PathBuf>,
    tls_key: Option<PathBuf>,
    server_version: Option<String>,
}

/// The prefix of a connection's environment variables: its name upper-cased, with anything
/// that cannot be in a variable name replaced by `_` (`audit-log` → `AUDIT_LOG`).
pub fn env_prefix(connection: &str) -> String {
    connection
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_uppercase()
            } else {
                '_'
            }
        })
        .collect()
}

/// A non-empty environment variable.
fn var(env: &dyn Fn(&str) -> Option<String>, name: &str) -> Option<String> {
    env(name).filter(|value| !value.is_empty())
}

fn port_var(env: &dyn Fn(&str) -> Option<String>, name: &str) -> Result<Option<u16>, ConfigError> {
    var(env, name)
        .map(|value| {
            value
                .trim()
                .parse::<u16>()
                .map_err(|_| ConfigError::InvalidValue {
                    source_name: name.to_string(),
                    value,
                    reason: "not a port number".to_string(),
                })
        })
        .transpose()
}

fn resolve_state(
    file: StateFile,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<StateConfig, ConfigError> {
    let backend = match var(env, "BFM_STATE_BACKEND") {
        Some(value) => StateBackend::parse(&value).ok_or(ConfigError::InvalidValue {
            source_name: "BFM_STATE_BACKEND".to_string(),
            value,
            reason: "expected postgresql, mysql or sqlite".to_string(),
        })?,
        None => file.backend.unwrap_or(StateBackend::Sqlite),
    };
    Ok(StateConfig {
        backend,
        path: var(env, "BFM_STATE_PATH")
            .map(PathBuf::from)
            .or(file.path)
            .unwrap_or_else(|| PathBuf::from(".bfm/state.sqlite")),
        host: var(env, "BFM_STATE_DB_HOST").or(file.host),
        port: port_var(env, "BFM_STATE_DB_PORT")?.or(file.port),
        username: var(env, "BFM_STATE_DB_USERNAME").or(file.username),
        password: var(env, "BFM_STATE_DB_PASSWORD")
            .map(Secret)
            .or(file.password),
        name: var(env, "BFM_STATE_DB_NAME")
            .or(file.name)
            .unwrap_or_else(|| "migration_state".to_string()),
        schema: var(env, "BFM_STATE_SCHEMA")
            .or(file.schema)
            .unwrap_or_else(|| "public".to_string()),
    })
}

fn resolve_connection(
    name: &str,
    file: ConnectionFile,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<Connection, ConfigError> {
    let prefix = env_prefix(name);
    let backend_var = format!("{prefix}_BACKEND");
    let backend = match var(env, &backend_var) {
        Some(value) => BackendKind::parse(&value).ok_or(ConfigError::InvalidValue {
            source_name: backend_var.clone(),
            value,
            reason: "expected postgresql, greptimedb, etcd or mysql".to_string(),
        })?,
        None => file.backend.ok_or_else(|| ConfigError::Missing {
            variable: backend_var.clone(),
            setting: format!("connections.{name}.backend"),
        })?,
    };
    Ok(Connection {
        name: name.to_string(),
        backend,
        schema: var(env, &format!("{prefix}_SCHEMA"))
            .or(file.schema)
            .unwrap_or_else(|| name.to_string()),
        host: var(env, &format!("{prefix}_DB_HOST")).or(file.host),
        port: port_var(env, &format!("{prefix}_DB_PORT"))?.or(file.port),
        username: var(env, &format!("{prefix}_DB_USERNAME")).or(file.username),
        password: var(env, &format!("{prefix}_DB_PASSWORD"))
            .map(Secret)
            .or(file.password),
        database: var(env, &format!("{prefix}_DB_NAME")).or(file.name),
        environments: file.environments,
        etcd: EtcdOptions {
            prefix: var(env, &format!("{prefix}_PREFIX")).or(file.prefix),
            endpoints: var(env, &format!("{prefix}_ENDPOINTS")).map_or(file.endpoints, |list| {
                list.split(',')
                    .map(str::trim)
                    .filter(|e| !e.is_empty())
                    .map(str::to_string)
                    .collect()
            }),
            tls_ca: var(env, &format!("{prefix}_TLS_CA"))
                .map(PathBuf::from)
                .or(file.tls_ca),
            tls_cert: var(env, &format!("{prefix}_TLS_CERT"))
                .map(PathBuf::from)
                .or(file.tls_cert),
            tls_key: var(env, &format!("{prefix}_TLS_KEY"))
                .map(PathBuf::from)
                .or(file.tls_key),
        },
        server_version: server_version(name, &prefix, file.server_version, env)?,
    })
}

/// `{CONN}_SERVER_VERSION`, else the file's `server_version:`, checked to be a version
/// (`1.2`, `v0.15.0`) so that a typo is named by where it came from.
fn server_version(
    name: &str,
    prefix: &str,
    file: Option<String>,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<Option<String>, ConfigError> {
    let variable = format!("{prefix}_SERVER_VERSION");
    let (source_name, value) = match (var(env, &variable), file) {
        (Some(value), _) => (variable, value),
        (None, Some(value)) => (format!("connections.{name}.server_version"), value),
        (None, None) => return Ok(None),
    };
    if crate::diff::GreptimeVersion::parse(&value).is_none() {
        return Err(ConfigError::InvalidValue {
            source_name,
            value,
            reason: "expected a server version such as 1.2 or v0.15.0".to_string(),
        });
    }
    Ok(Some(value))
}

#[cfg(test)]
mod tests {
    use super::*;

    const EXAMPLE: &str = "\
schema_dir: schema
generated_dir: generated
state:
  backend: sqlite
  path: .bfm/state.sqlite
connections:
  core:
    backend: postgresql
    schema: core
    host: db.internal
    password: from-file
  organization:
    backend: postgresql
    schema: cli_{environment}
    environments: [dev, prod]
";

    fn parse_with(text: &str, vars: &[(&str, &str)]) -> Result<Config, ConfigError> {
        let vars: Vec<(String, String)> = vars
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        let env = move |name: &str| vars.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone());
        Config::parse(text, Path::new("bfm.yaml"), Path::new("/project"), &env)
    }

    #[test]
    fn reads_connections_and_resolves_directories_against_the_root() {
        let config = parse_with(EXAMPLE, &[]).unwrap();
        assert_eq!(config.schema_dir, PathBuf::from("/project/schema"));
        let core = config.connection("core").unwrap();
        assert_eq!(core.backend, BackendKind::Postgresql);
        assert_eq!(core.host.as_deref(), Some("db.internal"));
        assert!(!core.is_per_environment());
        assert_eq!(
            config.migrations_path(core),
            PathBuf::from("/project/generated/postgresql/core")
        );
        assert_eq!(config.state.backend, StateBackend::Sqlite);
        assert_eq!(config.state.name, "migration_state");
    }

    #[test]
    fn environment_schema_makes_a_connection_per_environment() {
        let config = parse_with(EXAMPLE, &[]).unwrap();
        let organization = config.connection("organization").unwrap();
        assert!(organization.is_per_environment());
        assert_eq!(organization.model_schema(), "organization");
        assert_eq!(organization.environments, vec!["dev", "prod"]);
    }

    #[test]
    fn environment_variables_win_over_the_file() {
        let config = parse_with(
            EXAMPLE,
            &[
                ("CORE_DB_HOST", "override.internal"),
                ("CORE_DB_PORT", "6543"),
                ("CORE_SCHEMA", "core_v2"),
                ("CORE_DB_PASSWORD", "from-env"),
                ("BFM_STATE_BACKEND", "postgresql"),
                ("BFM_STATE_SCHEMA", "bfm"),
            ],
        )
        .unwrap();
        let core = config.connection("core").unwrap();
        assert_eq!(core.host.as_deref(), Some("override.internal"));
        assert_eq!(core.port, Some(6543));
        assert_eq!(core.schema, "core_v2");
        assert_eq!(core.password.as_ref().map(Secret::expose), Some("from-env"));
        assert_eq!(config.state.backend, StateBackend::Postgresql);
        assert_eq!(config.state.schema, "bfm");
    }

    #[test]
    fn server_version_comes_from_the_file_and_the_variable_wins() {
        let text = "connections:\n  traces:\n    backend: greptimedb\n    server_version: '0.15'\n";
        let config = parse_with(text, &[]).unwrap();
        let traces = config.connection("traces").unwrap();
        assert_eq!(traces.server_version.as_deref(), Some("0.15"));
        let config = parse_with(text, &[("TRACES_SERVER_VERSION", "v1.1.0")]).unwrap();
        let traces = config.connection("traces").unwrap();
        assert_eq!(traces.server_version.as_deref(), Some("v1.1.0"));
        let error = parse_with(&text.replace("'0.15'", "latest"), &[]).unwrap_err();
        assert!(
            error
                .to_string()
                .contains("connections.traces.server_version"),
            "{error}"
        );
        assert!(
            parse_with(EXAMPLE, &[]).unwrap().connections["core"]
                .server_version
                .is_none()
        );
    }

    #[test]
    fn missing_backend_names_the_variable() {
        let error = parse_with("connections:\n  audit-log:\n    schema: audit\n", &[]).unwrap_err();
        assert!(matches!(error, ConfigError::Missing { .. }));
        assert!(error.to_string().contains("AUDIT_LOG_BACKEND"), "{error}");
    }

    #[test]
    fn invalid_port_names_the_variable() {
        let error = parse_with(EXAMPLE, &[("CORE_DB_PORT", "five")]).unwrap_err();
        assert!(error.to_string().contains("CORE_DB_PORT"), "{error}");
    }

    #[test]
    fn unknown_fields_are_errors() {
        let error = parse_with("schema_dirs: schema\n", &[]).unwrap_err();
        assert!(matches!(error, ConfigError::Invalid { .. }), "{error}");
    }

    #[test]
    fn passwords_never_appear_in_debug_output() {
        let config = parse_with(EXAMPLE, &[("BFM_STATE_DB_PASSWORD", "state-secret")]).unwrap();
        let debug = format!("{config:?}");
        assert!(!debug.contains("from-file"), "{debug}");
        assert!(!debug.contains("state-secret"), "{debug}");
        assert!(debug.contains("<redacted>"));
    }

    #[test]
    fn unknown_connection_lists_the_configured_ones() {
        let config = parse_with(EXAMPLE, &[]).unwrap();
        let error = config.connection("guard").unwrap_err();
        assert!(error.to_string().contains("core, organization"), "{error}");
    }
}

#[cfg(test)]
mod url_tests {
    use super::*;

    #[test]
    fn database_url_encodes_credentials_and_keeps_them_secret() {
        let connection = Connection {
            name: "core".into(),
            backend: BackendKind::Postgresql,
            schema: "core".into(),
            host: Some("db.internal".into()),
            port: Some(5433),
            username: Some("app".into()),
            password: Some(Secret::new("p@ss:w/rd")),
            database: Some("main".into()),
            environments: Vec::new(),
            etcd: EtcdOptions::default(),
            server_version: None,
        };
        let url = connection.database_url().unwrap();
        assert_eq!(
            url.expose(),
            "postgres://app:p%40ss%3Aw%2Frd@db.internal:5433/main"
        );
        assert!(!format!("{url:?}").contains("p%40ss"));
    }

    #[test]
    fn per_environment_schema_is_filled_in() {
        let connection = Connection {
            name: "organization".into(),
            backend: BackendKind::Postgresql,
            schema: "cli_{environment}".into(),
            host: None,
            port: None,
            username: None,
            password: None,
            database: None,
            environments: vec!["dev".into()],
            etcd: EtcdOptions::default(),
            server_version: None,
        };
        assert_eq!(connection.schema_for("dev"), "cli_dev");
        assert!(connection.database_url().is_none());
    }
}
