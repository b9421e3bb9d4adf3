//! One throwaway etcd per test process, started from Debian's `etcd-server` binary.
//!
//! Like the PostgreSQL and MariaDB harnesses: a temporary data directory, free loopback ports
//! for clients and peers, and a watchdog shell that kills the server and removes its directory
//! once the test process is gone. Tests share the server and keep apart by key prefix
//! ([`fresh_prefix`]).

use super::{free_port, spawn_watchdog};
use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

/// Where Debian installs the server.
const PROGRAM_FOLDERS: [&str; 4] = ["/usr/bin", "/usr/sbin", "/usr/local/bin", "/usr/local/sbin"];

/// How often a port picked as free turns out to be taken by the time the server binds it.
const START_ATTEMPTS: usize = 3;

/// How long a starting server may take to answer `/health`.
const START_DEADLINE: Duration = Duration::from_secs(60);

/// A running server: its client endpoint.
pub struct EtcdServer {
    pub endpoint: String,
    pub port: u16,
}

/// The process's server, started on first use. Panics with the reason when it cannot start,
/// so a machine without etcd fails the tests instead of skipping them.
pub fn server() -> &'static EtcdServer {
    static SERVER: OnceLock<Result<EtcdServer, String>> = OnceLock::new();
    match SERVER.get_or_init(start_server) {
        Ok(server) => server,
        Err(reason) => panic!("cannot start the test etcd server: {reason}"),
    }
}

/// A key prefix no other test uses: `/t3_test_name/`.
pub fn fresh_prefix() -> String {
    static COUNTER: AtomicUsize = AtomicUsize::new(0);
    let name = super::database_name(
        std::thread::current().name().unwrap_or("test"),
        COUNTER.fetch_add(1, Ordering::Relaxed),
    );
    format!("/{name}/")
}

fn start_server() -> Result<EtcdServer, String> {
    let etcd = find_program("etcd")?;
    let dir = std::env::temp_dir().join(format!("bfm-etcd-{}", std::process::id()));
    std::fs::create_dir_all(&dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    spawn_watchdog(
        "bfm-etcd-watchdog",
        "kill -9 \"$(cat \"$2/etcd.pid\" 2>/dev/null)\" 2>/dev/null; rm -rf \"$2\"",
        &[dir.as_os_str()],
    )?;
    let mut last_error = String::new();
    for attempt in 0..START_ATTEMPTS {
        let port = free_port()?;
        let peer_port = free_port()?;
        let data = dir.join(format!("data{attempt}"));
        match start_on(&etcd, &dir, &data, port, peer_port) {
            Ok(()) => {
                return Ok(EtcdServer {
                    endpoint: format!("http://127.0.0.1:{port}"),
                    port,
                });
            }
            Err(e) => last_error = e,
        }
    }
    Err(last_error)
}

/// Starts the server and waits until `/health` says it is healthy.
fn start_on(etcd: &Path, dir: &Path, data: &Path, port: u16, peer_port: u16) -> Result<(), String> {
    let log_path = dir.join("server.log");
    let log = std::fs::File::create(&log_path)
        .map_err(|e| format!("cannot create {}: {e}", log_path.display()))?;
    let stderr = log
        .try_clone()
        .map_err(|e| format!("cannot share {}: {e}", log_path.display()))?;
    let client_url = format!("http://127.0.0.1:{port}");
    let peer_url = format!("http://127.0.0.1:{peer_port}");
    let mut child = Command::new(etcd)
        .arg("--data-dir")
        .arg(data)
        .args(["--listen-client-urls", &client_url])
        .args(["--advertise-client-urls", &client_url])
        .args(["--listen-peer-urls", &peer_url])
        .args(["--initial-advertise-peer-urls", &peer_url])
        .args(["--initial-cluster", &format!("default={peer_url}")])
        .stdin(Stdio::null())
        .stdout(log)
        .stderr(stderr)
        .spawn()
        .map_err(|e| format!("cannot run {}: {e}", etcd.display()))?;
    std::fs::write(dir.join("etcd.pid"), child.id().to_string())
        .map_err(|e| format!("cannot write the pid file: {e}"))?;
    wait_until_healthy(&mut child, port).map_err(|reason| {
        let _ = child.kill();
        let _ = child.wait();
        let log = std::fs::read_to_string(&log_path).unwrap_or_default();
        format!("{reason}\n{log}")
    })
}

fn wait_until_healthy(child: &mut Child, port: u16) -> Result<(), String> {
    let started = Instant::now();
    while started.elapsed() < START_DEADLINE {
        if let Ok(Some(status)) = child.try_wait() {
            return Err(format!("etcd exited during start-up ({status})"));
        }
        if healthy(port) {
            return Ok(());
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    Err(format!("etcd was not healthy within {START_DEADLINE:?}"))
}

/// Whether `GET /health` on `port` answers `"health":"true"`.
fn healthy(port: u16) -> bool {
    let Ok(mut stream) = TcpStream::connect(("127.0.0.1", port)) else {
        return false;
    };
    let _ = stream.set_read_timeout(Some(Duration::from_secs(5)));
    if stream
        .write_all(b"GET /health HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n")
        .is_err()
    {
        return false;
    }
    let mut answer = String::new();
    let _ = stream.read_to_string(&mut answer);
    answer.contains("\"health\":\"true\"")
}

/// `program` from the folders Debian installs etcd into.
fn find_program(program: &str) -> Result<PathBuf, String> {
    PROGRAM_FOLDERS
        .iter()
        .map(|folder| Path::new(folder).join(program))
        .find(|path| path.is_file())
        .ok_or_else(|| {
            format!(
                "{program} not found in {}: install the Debian package `etcd-server` \
                 (apt-get install -y etcd-server, as root)",
                PROGRAM_FOLDERS.join(", ")
            )
        })
}
