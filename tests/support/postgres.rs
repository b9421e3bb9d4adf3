//! One throwaway PostgreSQL server per test process, started from Debian's binaries.
//!
//! The server lives in a temporary directory on a free loopback port, so tests never touch a
//! PostgreSQL the machine may already run. A static's `Drop` never runs at process exit, so a
//! watchdog shell (in its own process group, so a Ctrl-C of the tests does not kill it first)
//! polls the test process and stops the server and removes its directory once the process is
//! gone — whether the tests passed, failed or panicked. Each test gets its own database through
//! [`fresh_database`]; the returned guard drops it when the test ends.

use super::{database_name, free_port, run, running_as_root};
use sqlx::Connection;
use sqlx::postgres::PgConnection;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicUsize, Ordering};

/// Where Debian installs the server binaries, one folder per major version.
const DEBIAN_POSTGRES_ROOT: &str = "/usr/lib/postgresql";

/// How often a port picked as free turns out to be taken by the time the server binds it.
const START_ATTEMPTS: usize = 3;

/// A running server: its binaries, the directory holding its data and socket, and its port.
pub struct PostgresServer {
    bin: PathBuf,
    dir: PathBuf,
    port: u16,
}

impl PostgresServer {
    /// A URL for `database` on this server (trust authentication, user `postgres`).
    pub fn url(&self, database: &str) -> String {
        format!("postgres://postgres@127.0.0.1:{}/{database}", self.port)
    }

    /// Runs one of the server's client binaries against this server, e.g. `dropdb`.
    fn client(&self, program: &str) -> Command {
        let mut command = Command::new(self.bin.join(program));
        command
            .arg("-h")
            .arg(&self.dir)
            .arg("-p")
            .arg(self.port.to_string())
            .arg("-U")
            .arg("postgres");
        command
    }
}

/// A database made for one test, dropped when the guard goes out of scope (also on panic).
pub struct TestDatabase {
    pub url: String,
    name: String,
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        // Best effort: the whole server is discarded at process exit anyway.
        let _ = server()
            .client("dropdb")
            .arg("--force")
            .arg("--if-exists")
            .arg(&self.name)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
    }
}

/// The process's server, started on first use. Panics with the reason when it cannot start,
/// so a machine without PostgreSQL fails the tests instead of skipping them.
pub fn server() -> &'static PostgresServer {
    static SERVER: OnceLock<Result<PostgresServer, String>> = OnceLock::new();
    match SERVER.get_or_init(start_server) {
        Ok(server) => server,
        Err(reason) => panic!("cannot start the test PostgreSQL server: {reason}"),
    }
}

/// Creates an empty database named after the running test and returns its guard.
pub async fn fresh_database() -> TestDatabase {
    static COUNTER: AtomicUsize = AtomicUsize::new(0);
    let server = server();
    let name = database_name(
        std::thread::current().name().unwrap_or("test"),
        COUNTER.fetch_add(1, Ordering::Relaxed),
    );
    let mut admin = PgConnection::connect(&server.url("postgres"))
        .await
        .unwrap_or_else(|e| panic!("cannot connect to the test server: {e}"));
    sqlx::raw_sql(sqlx::AssertSqlSafe(format!("CREATE DATABASE \"{name}\"")))
        .execute(&mut admin)
        .await
        .unwrap_or_else(|e| panic!("cannot create database {name}: {e}"));
    let _ = admin.close().await;
    TestDatabase {
        url: server.url(&name),
        name,
    }
}

fn start_server() -> Result<PostgresServer, String> {
    let bin = find_binaries()?;
    let as_postgres_user = running_as_root()?;
    let dir = std::env::temp_dir().join(format!("bfm-pg-{}", std::process::id()));
    let data = dir.join("data");
    std::fs::create_dir_all(&data).map_err(|e| format!("cannot create {}: {e}", data.display()))?;
    spawn_watchdog(&bin, &dir, as_postgres_user)?;
    if as_postgres_user {
        // initdb refuses to run as root; the server runs as `postgres` and must reach the directory.
        run(Command::new("chmod").arg("755").arg(&dir))?;
        run(Command::new("chown").arg("-R").arg("postgres:").arg(&dir))?;
    }
    run(postgres_command(&bin, "initdb", as_postgres_user)
        .arg("-D")
        .arg(&data)
        .args(["-U", "postgres", "--auth=trust", "--no-sync", "-E", "UTF8"])
        .arg("--locale=C.UTF-8"))?;
    let mut last_error = String::new();
    for _ in 0..START_ATTEMPTS {
        let port = free_port()?;
        let options = format!(
            "-c listen_addresses=127.0.0.1 -p {port} -k {} -c fsync=off",
            dir.display()
        );
        let started = run(postgres_command(&bin, "pg_ctl", as_postgres_user)
            .arg("-D")
            .arg(&data)
            .arg("-l")
            .arg(dir.join("server.log"))
            .arg("-o")
            .arg(options)
            .args(["-w", "start"]));
        match started {
            Ok(()) => {
                return Ok(PostgresServer { bin, dir, port });
            }
            Err(e) => last_error = e,
        }
    }
    Err(last_error)
}

/// The newest `/usr/lib/postgresql/<major>/bin` that has both `initdb` and `pg_ctl`.
fn find_binaries() -> Result<PathBuf, String> {
    let missing = || {
        format!(
            "initdb and pg_ctl not found under {DEBIAN_POSTGRES_ROOT}/*/bin: install the Debian \
             package `postgresql` (apt-get install -y postgresql; scripts/test does this when run \
             as root)"
        )
    };
    let versions = std::fs::read_dir(DEBIAN_POSTGRES_ROOT).map_err(|_| missing())?;
    versions
        .filter_map(|entry| {
            let entry = entry.ok()?;
            let major: u32 = entry.file_name().to_str()?.parse().ok()?;
            let bin = entry.path().join("bin");
            (bin.join("initdb").is_file() && bin.join("pg_ctl").is_file()).then_some((major, bin))
        })
        .max()
        .map(|(_, bin)| bin)
        .ok_or_else(missing)
}

/// A server binary, run as `postgres` through `runuser` when the tests run as root.
fn postgres_command(bin: &Path, program: &str, as_postgres_user: bool) -> Command {
    if as_postgres_user {
        let mut command = Command::new("runuser");
        command
            .args(["-u", "postgres", "--"])
            .arg(bin.join(program));
        command
    } else {
        Command::new(bin.join(program))
    }
}

/// Stops the server and removes its directory once this process has exited.
fn spawn_watchdog(bin: &Path, dir: &Path, as_postgres_user: bool) -> Result<(), String> {
    let stop = if as_postgres_user {
        "runuser -u postgres -- \"$2/pg_ctl\""
    } else {
        "\"$2/pg_ctl\""
    };
    super::spawn_watchdog(
        "bfm-pg-watchdog",
        &format!("{stop} -D \"$3/data\" -m immediate stop; rm -rf \"$3\""),
        &[bin.as_os_str(), dir.as_os_str()],
    )
}
