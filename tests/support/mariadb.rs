//! One throwaway MariaDB server per test process, started from Debian's binaries.
//!
//! Like the PostgreSQL harness: the server lives in a temporary directory on a free loopback
//! port, so tests never touch a MySQL or MariaDB the machine may already run; a watchdog shell
//! kills it and removes its directory once the test process is gone. Each test gets its own
//! database through [`fresh_database`]; the returned guard drops it when the test ends.

use super::{database_name, free_port, run, spawn_watchdog};
use sqlx::Connection;
use sqlx::mysql::MySqlConnection;
use std::io::Read;
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

/// Where Debian installs the server and its tools.
const PROGRAM_FOLDERS: [&str; 4] = ["/usr/sbin", "/usr/bin", "/usr/local/sbin", "/usr/local/bin"];

/// How often a port picked as free turns out to be taken by the time the server binds it.
const START_ATTEMPTS: usize = 3;

/// How long a starting server may take to accept connections before the start counts as
/// failed (InnoDB creates its files on first start).
const START_DEADLINE: Duration = Duration::from_secs(120);

/// A running server: the directory holding its data and socket, its port, and its client.
pub struct MariadbServer {
    dir: PathBuf,
    port: u16,
    client: PathBuf,
}

impl MariadbServer {
    /// A URL for `database` on this server (user `root` without a password).
    pub fn url(&self, database: &str) -> String {
        format!("mysql://root@127.0.0.1:{}/{database}", self.port)
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
        let server = server();
        let _ = Command::new(&server.client)
            .arg("--no-defaults")
            .arg("--user=root")
            .arg(format!("--socket={}", server.dir.join("s").display()))
            .arg("-e")
            .arg(format!("DROP DATABASE IF EXISTS `{}`", self.name))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
    }
}

/// The process's server, started on first use. Panics with the reason when it cannot start,
/// so a machine without MariaDB fails the tests instead of skipping them.
pub fn server() -> &'static MariadbServer {
    static SERVER: OnceLock<Result<MariadbServer, String>> = OnceLock::new();
    match SERVER.get_or_init(start_server) {
        Ok(server) => server,
        Err(reason) => panic!("cannot start the test MariaDB server: {reason}"),
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
    let mut admin = MySqlConnection::connect(&server.url(""))
        .await
        .unwrap_or_else(|e| panic!("cannot connect to the test server: {e}"));
    sqlx::raw_sql(sqlx::AssertSqlSafe(format!("CREATE DATABASE `{name}`")))
        .execute(&mut admin)
        .await
        .unwrap_or_else(|e| panic!("cannot create database {name}: {e}"));
    let _ = admin.close().await;
    TestDatabase {
        url: server.url(&name),
        name,
    }
}

fn start_server() -> Result<MariadbServer, String> {
    let install_db = find_program("mariadb-install-db")?;
    let mariadbd = find_program("mariadbd")?;
    let client = find_program("mariadb")?;
    let dir = std::env::temp_dir().join(format!("bfm-mariadb-{}", std::process::id()));
    let data = dir.join("data");
    std::fs::create_dir_all(&data).map_err(|e| format!("cannot create {}: {e}", data.display()))?;
    spawn_watchdog(
        "bfm-mariadb-watchdog",
        "kill -9 \"$(cat \"$2/mariadbd.pid\" 2>/dev/null)\" 2>/dev/null; rm -rf \"$2\"",
        &[dir.as_os_str()],
    )?;
    run(Command::new(install_db)
        .arg("--no-defaults")
        .arg(format!("--datadir={}", data.display()))
        .args([
            "--user=root",
            "--auth-root-authentication-method=normal",
            "--skip-test-db",
        ]))?;
    let mut last_error = String::new();
    for _ in 0..START_ATTEMPTS {
        let port = free_port()?;
        match start_on(&mariadbd, &dir, port) {
            Ok(()) => return Ok(MariadbServer { dir, port, client }),
            Err(e) => last_error = e,
        }
    }
    Err(last_error)
}

/// Starts the server on `port` and waits until it greets clients.
fn start_on(mariadbd: &Path, dir: &Path, port: u16) -> Result<(), String> {
    let log_path = dir.join("server.log");
    let log = std::fs::File::create(&log_path)
        .map_err(|e| format!("cannot create {}: {e}", log_path.display()))?;
    let stderr = log
        .try_clone()
        .map_err(|e| format!("cannot share {}: {e}", log_path.display()))?;
    let mut child = Command::new(mariadbd)
        .arg("--no-defaults")
        .arg("--user=root")
        .arg(format!("--port={port}"))
        .arg("--bind-address=127.0.0.1")
        .arg(format!("--socket={}", dir.join("s").display()))
        .arg(format!("--datadir={}", dir.join("data").display()))
        .arg(format!("--pid-file={}", dir.join("mariadbd.pid").display()))
        .arg(format!("--tmpdir={}", dir.display()))
        .args([
            "--skip-name-resolve",
            "--skip-log-bin",
            "--innodb-flush-log-at-trx-commit=0",
            "--innodb-buffer-pool-size=32M",
        ])
        .stdin(Stdio::null())
        .stdout(log)
        .stderr(stderr)
        .spawn()
        .map_err(|e| format!("cannot run {}: {e}", mariadbd.display()))?;
    wait_until_ready(&mut child, port).map_err(|reason| {
        let _ = child.kill();
        let _ = child.wait();
        let log = std::fs::read_to_string(&log_path).unwrap_or_default();
        format!("{reason}\n{log}")
    })
}

/// Waits until the server sends its greeting on `port`, failing when it exits first.
fn wait_until_ready(child: &mut Child, port: u16) -> Result<(), String> {
    let started = Instant::now();
    while started.elapsed() < START_DEADLINE {
        if let Ok(Some(status)) = child.try_wait() {
            return Err(format!("mariadbd exited during start-up ({status})"));
        }
        if greets(port) {
            return Ok(());
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    Err(format!(
        "mariadbd did not accept connections within {START_DEADLINE:?}"
    ))
}

/// Whether a server on `port` sends the first bytes of its handshake.
fn greets(port: u16) -> bool {
    let Ok(mut stream) = TcpStream::connect(("127.0.0.1", port)) else {
        return false;
    };
    let _ = stream.set_read_timeout(Some(Duration::from_secs(5)));
    let mut byte = [0];
    matches!(stream.read(&mut byte), Ok(1))
}

/// `program` from the folders Debian installs MariaDB into.
fn find_program(program: &str) -> Result<PathBuf, String> {
    PROGRAM_FOLDERS
        .iter()
        .map(|folder| Path::new(folder).join(program))
        .find(|path| path.is_file())
        .ok_or_else(|| {
            format!(
                "{program} not found in {}: install the Debian package `mariadb-server` \
                 (apt-get install -y mariadb-server; scripts/test does this when run as root)",
                PROGRAM_FOLDERS.join(", ")
            )
        })
}
