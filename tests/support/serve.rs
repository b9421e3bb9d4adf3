//! `bfm serve` started for a test project on free loopback ports (port 0, read back from the
//! line it prints), stopped when dropped. Included by the server tests with `#[path]`.
#![allow(dead_code)]

use super::project::Project;
use reqwest::StatusCode;
use serde_json::Value;
use std::io::{BufRead, BufReader};
use std::process::{Child, Stdio};

pub const TOKEN: &str = "test-token-0123456789";

pub struct Server {
    pub child: Child,
    pub http: String,
    pub grpc: String,
}

impl Server {
    /// Starts the server with `extra` environment variables on top of the project's.
    pub fn start(project: &Project, extra: &[(&str, &str)]) -> Server {
        let mut command = project.command(&["serve"]);
        command
            .env("BFM_API_TOKEN", TOKEN)
            .env("BFM_HTTP_PORT", "0")
            .env("BFM_GRPC_PORT", "0")
            .env("BFM_BIND_ADDRESS", "127.0.0.1")
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        for (name, value) in extra {
            command.env(name, value);
        }
        let mut child = command.spawn().unwrap();
        let stdout = child.stdout.take().unwrap();
        let mut line = String::new();
        BufReader::new(stdout).read_line(&mut line).unwrap();
        let addresses = line
            .trim()
            .strip_prefix("bfm serve: HTTP on ")
            .unwrap_or_else(|| panic!("unexpected first line {line:?}"));
        let (http, grpc) = addresses.split_once(", gRPC on ").unwrap();
        Server {
            http: format!("http://{http}"),
            grpc: format!("http://{grpc}"),
            child,
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.http)
    }

    /// Sends SIGTERM and waits for the process: its exit status and everything it logged.
    pub fn terminate(mut self) -> (std::process::ExitStatus, String) {
        let pid = self.child.id().to_string();
        std::process::Command::new("kill")
            .args(["-TERM", &pid])
            .status()
            .unwrap();
        let status = self.child.wait().unwrap();
        let mut logs = String::new();
        if let Some(stderr) = self.child.stderr.take() {
            std::io::Read::read_to_string(&mut BufReader::new(stderr), &mut logs).unwrap();
        }
        (status, logs)
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub fn client() -> reqwest::Client {
    reqwest::Client::new()
}

/// POSTs `body` as JSON with the token: the status and the JSON answer (`null` when none).
pub async fn post(server: &Server, path: &str, body: Value) -> (StatusCode, Value) {
    let response = client()
        .post(server.url(path))
        .bearer_auth(TOKEN)
        .json(&body)
        .send()
        .await
        .unwrap();
    let status = response.status();
    (status, response.json().await.unwrap_or(Value::Null))
}

/// GETs `path` with the token: the status and the JSON answer (`null` when none).
pub async fn get(server: &Server, path: &str) -> (StatusCode, Value) {
    let response = client()
        .get(server.url(path))
        .bearer_auth(TOKEN)
        .send()
        .await
        .unwrap();
    let status = response.status();
    (status, response.json().await.unwrap_or(Value::Null))
}

/// A JSON array of strings.
pub fn strings(value: &Value) -> Vec<String> {
    value
        .as_array()
        .unwrap_or_else(|| panic!("not an array: {value}"))
        .iter()
        .map(|v| v.as_str().unwrap().to_string())
        .collect()
}

/// A gRPC request carrying the token.
pub fn authorized<T>(message: T) -> tonic::Request<T> {
    let mut request = tonic::Request::new(message);
    request
        .metadata_mut()
        .insert("authorization", format!("Bearer {TOKEN}").parse().unwrap());
    request
}
