//! Shared set-up for integration tests: throwaway servers started from the machine's binaries.
//!
//! Each integration test crate compiles this module on its own and uses only part of it.
#![allow(dead_code)]

pub mod cases;
pub mod conformance;
pub mod etcd;
pub mod mariadb;
pub mod pglive;
pub mod postgres;

use std::ffi::OsStr;
use std::process::{Command, Stdio};

/// A loopback port nothing listens on right now (another process may take it before the
/// server binds it, so starts are retried).
pub fn free_port() -> Result<u16, String> {
    let listener = std::net::TcpListener::bind("127.0.0.1:0")
        .map_err(|e| format!("cannot find a free port: {e}"))?;
    listener
        .local_addr()
        .map(|address| address.port())
        .map_err(|e| format!("cannot find a free port: {e}"))
}

/// Runs a command to completion; a failure carries its output.
pub fn run(command: &mut Command) -> Result<(), String> {
    let output = command
        .stdin(Stdio::null())
        .output()
        .map_err(|e| format!("cannot run {command:?}: {e}"))?;
    if output.status.success() {
        Ok(())
    } else {
        Err(format!(
            "{command:?} failed ({}):\n{}{}",
            output.status,
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        ))
    }
}

pub fn running_as_root() -> Result<bool, String> {
    let output = Command::new("id")
        .arg("-u")
        .output()
        .map_err(|e| format!("cannot run `id -u`: {e}"))?;
    Ok(String::from_utf8_lossy(&output.stdout).trim() == "0")
}

/// Runs the shell script `stop` once this process has exited, whether the tests passed,
/// failed or panicked (a static's `Drop` never runs at exit). The script sees `args` as `$2`,
/// `$3`, …; the watchdog runs in its own process group so a Ctrl-C of the tests does not kill
/// it first.
pub fn spawn_watchdog(name: &str, stop: &str, args: &[&OsStr]) -> Result<(), String> {
    use std::os::unix::process::CommandExt;
    let script = format!("while kill -0 \"$1\" 2>/dev/null; do sleep 1; done; {stop}");
    Command::new("sh")
        .arg("-c")
        .arg(script)
        .arg(name)
        .arg(std::process::id().to_string())
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .process_group(0)
        .spawn()
        .map(drop)
        .map_err(|e| format!("cannot start the watchdog shell: {e}"))
}

/// A unique, valid database name that says which test made it: `t7_module_test_name`.
pub fn database_name(test_name: &str, counter: usize) -> String {
    let readable: String = test_name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '_'
            }
        })
        .collect();
    let mut name = format!("t{counter}_{readable}");
    name.truncate(63);
    name
}
