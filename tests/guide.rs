//! docs/guide-from-automigrate.md, run: its files are written into a temporary project, its
//! `sh` blocks run in order with `bfm` on PATH against a throwaway PostgreSQL, and each `text`
//! block's lines must appear in the output of the command block before it. The etcd steps run
//! against the test etcd; GreptimeDB's stay offline, as the guide says.

mod support;

use std::path::{Path, PathBuf};
use std::process::Command;
use support::postgres::fresh_database;

#[derive(Debug)]
enum Block {
    File {
        path: String,
        text: String,
    },
    Shell {
        script: String,
        exit: i32,
        line: usize,
    },
    Expected {
        lines: Vec<String>,
        line: usize,
    },
}

/// The fenced blocks of a markdown text that the test acts on.
fn blocks(markdown: &str) -> Vec<Block> {
    let mut found = Vec::new();
    let mut lines = markdown.lines().enumerate();
    while let Some((number, line)) = lines.next() {
        let Some(info) = line.strip_prefix("```") else {
            continue;
        };
        let mut body = String::new();
        for (_, inner) in lines.by_ref() {
            if inner.starts_with("```") {
                break;
            }
            body.push_str(inner);
            body.push('\n');
        }
        let mut words = info.split_whitespace();
        let language = words.next().unwrap_or("");
        let mut file = None;
        let mut exit = 0;
        for word in words {
            if let Some(path) = word.strip_prefix("file=") {
                file = Some(path.to_string());
            } else if let Some(code) = word.strip_prefix("exit=") {
                exit = code.parse().expect("exit=N");
            }
        }
        let line = number + 1;
        match (file, language) {
            (Some(path), _) => found.push(Block::File { path, text: body }),
            (None, "sh") => found.push(Block::Shell {
                script: body,
                exit,
                line,
            }),
            (None, "text") => found.push(Block::Expected {
                lines: body
                    .lines()
                    .map(str::trim)
                    .filter(|l| !l.is_empty())
                    .map(str::to_string)
                    .collect(),
                line,
            }),
            _ => {}
        }
    }
    found
}

fn guide_path() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/guide-from-automigrate.md")
}

#[test]
fn the_guide_has_commands_and_expectations() {
    let text = std::fs::read_to_string(guide_path()).expect("read the guide");
    let blocks = blocks(&text);
    let shells = blocks
        .iter()
        .filter(|b| matches!(b, Block::Shell { .. }))
        .count();
    let expected = blocks
        .iter()
        .filter(|b| matches!(b, Block::Expected { .. }))
        .count();
    assert!(shells >= 10 && expected >= 8, "{blocks:#?}");
}

#[tokio::test]
async fn every_command_of_the_guide_runs_as_shown() {
    let text = std::fs::read_to_string(guide_path()).expect("read the guide");
    let project = tempfile::tempdir().expect("temporary directory");
    let root = project.path();
    let database = fresh_database().await;
    let etcd = support::etcd::server();
    let rest = database.url.split_once('@').map(|(_, r)| r).expect("user");
    let (host_port, name) = rest.split_once('/').expect("database");
    let (host, port) = host_port.split_once(':').expect("port");
    let binary_dir = Path::new(env!("CARGO_BIN_EXE_bfm"))
        .parent()
        .expect("the binary's directory")
        .to_path_buf();
    let path = format!(
        "{}:{}",
        binary_dir.display(),
        std::env::var("PATH").unwrap_or_default()
    );

    let mut last_output: Option<(usize, String)> = None;
    for block in blocks(&text) {
        match block {
            Block::File { path, text } => {
                let target = root.join(&path);
                std::fs::create_dir_all(target.parent().expect("a parent")).expect("mkdir");
                std::fs::write(&target, text).expect("write a guide file");
            }
            Block::Shell { script, exit, line } => {
                let output = Command::new("bash")
                    .arg("-euo")
                    .arg("pipefail")
                    .arg("-c")
                    .arg(&script)
                    .current_dir(root)
                    .env("PATH", &path)
                    .env("NO_COLOR", "1")
                    .env("CORE_DB_HOST", host)
                    .env("CORE_DB_PORT", port)
                    .env("CORE_DB_USERNAME", "postgres")
                    .env("CORE_DB_NAME", name)
                    .env("PGHOST", host)
                    .env("PGPORT", port)
                    .env("PGUSER", "postgres")
                    .env("PGDATABASE", name)
                    .env("METADATA_ENDPOINTS", &etcd.endpoint)
                    .output()
                    .expect("run bash");
                let combined = format!(
                    "{}{}",
                    String::from_utf8_lossy(&output.stdout),
                    String::from_utf8_lossy(&output.stderr)
                );
                assert_eq!(
                    output.status.code(),
                    Some(exit),
                    "the block at line {line} exited otherwise:\n{script}\n--- output:\n{combined}"
                );
                last_output = Some((line, combined));
            }
            Block::Expected { lines, line } => {
                let (command_line, output) = last_output
                    .as_ref()
                    .expect("a text block follows a command");
                for expected in lines {
                    assert!(
                        output.contains(&expected),
                        "line {line}: the output of the block at line {command_line} lacks \
                         {expected:?}:\n{output}"
                    );
                }
            }
        }
    }
    assert!(
        root.join("generated/postgresql/core").is_dir(),
        "the guide generated no core migrations"
    );
}
