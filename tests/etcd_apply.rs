//! The etcd backend against a throwaway etcd: plan → generate → apply → status → down, the
//! compare-and-swap guard, the lease lock, and files or values bfm must refuse.

mod support;

use bfm::apply::etcd::{commit, lock, prepare, unlock};
use bfm::backend::etcd::{Prefix, inspect};
use bfm::migrations::operations::KeyOperation;
use bfm::state::Target;
use etcd_client::Client;
use std::path::PathBuf;
use std::process::{Command, Output};
use std::time::Duration;
use support::etcd::{fresh_prefix, server};

struct Project {
    dir: tempfile::TempDir,
    prefix: String,
}

impl Project {
    fn new() -> Project {
        let prefix = fresh_prefix();
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("bfm.yaml"),
            format!(
                "state:\n  backend: sqlite\n  path: .bfm/state.db\nconnections:\n  metadata:\n    \
                 backend: etcd\n    prefix: {prefix}\n"
            ),
        )
        .unwrap();
        std::fs::create_dir_all(dir.path().join("schema/metadata")).unwrap();
        Project { dir, prefix }
    }

    fn path(&self, relative: &str) -> PathBuf {
        self.dir.path().join(relative)
    }

    fn migrations(&self) -> PathBuf {
        self.path("generated/etcd/metadata")
    }

    fn write_keys(&self, yaml: &str) {
        std::fs::write(self.path("schema/metadata/keys.yaml"), yaml).unwrap();
    }

    fn bfm(&self, args: &[&str]) -> Output {
        Command::new(env!("CARGO_BIN_EXE_bfm"))
            .args(args)
            .current_dir(self.dir.path())
            .env_remove("BFM_VERSION")
            .env_remove("BFM_STATE_BACKEND")
            .env("METADATA_ENDPOINTS", &server().endpoint)
            .output()
            .unwrap()
    }

    fn file_names(&self) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(self.migrations())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }

    fn key(&self, relative: &str) -> String {
        format!("{}{relative}", self.prefix)
    }
}

fn text(output: &Output) -> String {
    format!(
        "stdout:\n{}\nstderr:\n{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

fn assert_code(output: &Output, code: i32) {
    assert_eq!(output.status.code(), Some(code), "{}", text(output));
}

async fn client() -> Client {
    Client::connect([&server().endpoint], None).await.unwrap()
}

/// Every key under `prefix` with its value, sorted.
async fn live(prefix: &str) -> Vec<(String, String)> {
    let mut client = client().await;
    let response = client
        .get(prefix, Some(etcd_client::GetOptions::new().with_prefix()))
        .await
        .unwrap();
    let mut keys: Vec<(String, String)> = response
        .kvs()
        .iter()
        .map(|kv| {
            (
                String::from_utf8_lossy(kv.key()).into_owned(),
                String::from_utf8_lossy(kv.value()).into_owned(),
            )
        })
        .collect();
    keys.sort();
    keys
}

fn pairs(items: &[(&str, &str)]) -> Vec<(String, String)> {
    items
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

const FIRST: &str = "schema: global\ngroups:\n  - table: settings\n    prune: true\n    keys:\n      \
                     timezone: UTC\n      retention: {hourly: 7, days: 30}\n      legacy: on\n";
const SECOND: &str = "schema: global\ngroups:\n  - table: settings\n    prune: true\n    keys:\n      \
                      timezone: Europe/London\n      retention: {hourly: 7, days: 30}\n      \
                      sessions: 3600\n";

#[test]
fn plan_generate_apply_status_and_down_round_trip() {
    let project = Project::new();
    let runtime = tokio::runtime::Runtime::new().unwrap();
    project.write_keys(FIRST);
    assert_code(&project.bfm(&["plan", "--exit-code"]), 2);
    let generated = project.bfm(&["generate", "--name", "init", "--version", "20250101000000"]);
    assert_code(&generated, 0);
    assert_eq!(
        project.file_names(),
        [
            "bfm.sum",
            "global_settings_20250101000000_init.json",
            "global_settings_20250101000000_init_down.json"
        ]
    );
    assert_code(&project.bfm(&["plan", "--offline", "--exit-code"]), 0);
    let applied = project.bfm(&["apply"]);
    assert_code(&applied, 0);
    assert!(
        text(&applied).contains("applied global_settings_20250101000000_init"),
        "{}",
        text(&applied)
    );
    let first = pairs(&[
        (&project.key("global/settings/legacy"), "on"),
        (
            &project.key("global/settings/retention"),
            r#"{"days":30,"hourly":7}"#,
        ),
        (&project.key("global/settings/timezone"), "UTC"),
    ]);
    assert_eq!(runtime.block_on(live(&project.prefix)), first);
    let planned_live = project.bfm(&["plan", "--exit-code"]);
    assert_code(&planned_live, 0);
    assert!(
        text(&planned_live).contains("live keys"),
        "{}",
        text(&planned_live)
    );

    project.write_keys(SECOND);
    let planned = project.bfm(&["plan", "--offline"]);
    assert_code(&planned, 0);
    let planned = text(&planned);
    assert!(
        planned.contains("delete key global/settings/legacy"),
        "{planned}"
    );
    assert!(planned.to_lowercase().contains("destructive"), "{planned}");
    let generated = project.bfm(&[
        "generate",
        "--name",
        "second",
        "--version",
        "20250102000000",
    ]);
    assert_code(&generated, 0);
    let up = std::fs::read_to_string(
        project
            .migrations()
            .join("global_settings_20250102000000_second.json"),
    )
    .unwrap();
    assert!(up.contains(r#""previous":"UTC","mod_revision":"#), "{up}");
    assert_code(&project.bfm(&["apply"]), 0);
    assert_eq!(
        runtime.block_on(live(&project.prefix)),
        pairs(&[
            (
                &project.key("global/settings/retention"),
                r#"{"days":30,"hourly":7}"#
            ),
            (&project.key("global/settings/sessions"), "3600"),
            (&project.key("global/settings/timezone"), "Europe/London"),
        ])
    );
    let status = project.bfm(&["status"]);
    assert_code(&status, 0);
    let status_text = text(&status);
    assert_eq!(status_text.matches("applied").count(), 2, "{status_text}");

    assert_code(&project.bfm(&["down"]), 0);
    assert_eq!(runtime.block_on(live(&project.prefix)), first);
    assert_code(&project.bfm(&["down"]), 0);
    assert!(runtime.block_on(live(&project.prefix)).is_empty());
    let status = text(&project.bfm(&["status"]));
    assert_eq!(status.matches("rolled back").count(), 2, "{status}");
}

#[test]
fn a_key_changed_after_the_plan_fails_the_apply_with_nothing_written() {
    let project = Project::new();
    let runtime = tokio::runtime::Runtime::new().unwrap();
    project.write_keys(FIRST);
    assert_code(
        &project.bfm(&["generate", "--name", "init", "--version", "20250101000000"]),
        0,
    );
    runtime.block_on(async {
        client()
            .await
            .put(project.key("global/settings/timezone"), "Asia/Tokyo", None)
            .await
            .unwrap();
    });
    let failed = project.bfm(&["apply"]);
    assert_code(&failed, 1);
    assert!(
        text(&failed).contains("changed since the plan"),
        "{}",
        text(&failed)
    );
    assert!(
        text(&failed).contains("global/settings/timezone"),
        "{}",
        text(&failed)
    );
    assert_eq!(
        runtime.block_on(live(&project.prefix)),
        pairs(&[(&project.key("global/settings/timezone"), "Asia/Tokyo")])
    );
    assert!(text(&project.bfm(&["status"])).contains("failed"));
}

#[test]
fn an_edit_between_the_check_and_the_write_makes_etcd_refuse_the_whole_transaction() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let prefix = fresh_prefix();
    runtime.block_on(async {
        let mut client = client().await;
        client
            .put(format!("{prefix}s/t/a"), "1", None)
            .await
            .unwrap();
        let operations = vec![
            KeyOperation::Put {
                key: format!("{prefix}s/t/a"),
                value: "2".into(),
                previous: Some("1".into()),
                mod_revision: None,
            },
            KeyOperation::Put {
                key: format!("{prefix}s/t/b"),
                value: "new".into(),
                previous: None,
                mod_revision: None,
            },
        ];
        let txn = prepare(&mut client, &operations).await.unwrap();
        client
            .put(format!("{prefix}s/t/a"), "edited", None)
            .await
            .unwrap();
        let refusal = commit(&mut client, txn).await.unwrap_err();
        assert!(
            refusal.0.contains("none of its operations"),
            "{}",
            refusal.0
        );
        assert_eq!(
            live(&prefix).await,
            pairs(&[(&format!("{prefix}s/t/a"), "edited")])
        );
    });
}

#[test]
fn a_second_applier_waits_for_the_lease_lock_then_names_its_holder() {
    let project = Project::new();
    let runtime = tokio::runtime::Runtime::new().unwrap();
    project.write_keys(FIRST);
    assert_code(
        &project.bfm(&["generate", "--name", "init", "--version", "20250101000000"]),
        0,
    );
    let target = Target {
        connection: "metadata".into(),
        schema: project.prefix.clone(),
    };
    let prefix = Prefix::new(&project.prefix);
    let held = runtime.block_on(async {
        lock(&client().await, &target, &prefix, Duration::from_secs(5))
            .await
            .unwrap()
    });
    let blocked = project.bfm(&["apply", "--lock-timeout", "1"]);
    assert_code(&blocked, 1);
    let message = text(&blocked);
    assert!(
        message.contains("another apply holds the lock"),
        "{message}"
    );
    assert!(
        message.contains(&format!("pid {}", std::process::id())),
        "{message}"
    );
    assert!(runtime.block_on(live(&project.prefix)).is_empty());
    runtime.block_on(unlock(held, &target)).unwrap();
    assert_code(&project.bfm(&["apply", "--lock-timeout", "5"]), 0);
    assert_eq!(runtime.block_on(live(&project.prefix)).len(), 3);
}

#[test]
fn a_malformed_json_file_names_file_line_and_column_and_nothing_is_applied() {
    let project = Project::new();
    let runtime = tokio::runtime::Runtime::new().unwrap();
    project.write_keys(FIRST);
    assert_code(
        &project.bfm(&["generate", "--name", "init", "--version", "20250101000000"]),
        0,
    );
    let dir = project.migrations();
    let key = project.key("global/flags/x");
    std::fs::write(
        dir.join("global_flags_20250103000000_hand.json"),
        format!("[\n{{\"operation\": \"put\", \"key\": \"{key}\" \"value\": \"1\"}}\n]\n"),
    )
    .unwrap();
    std::fs::write(
        dir.join("global_flags_20250103000000_hand_down.json"),
        "[]\n",
    )
    .unwrap();
    assert_code(&project.bfm(&["hash"]), 0);
    let failed = project.bfm(&["apply"]);
    assert_code(&failed, 1);
    assert!(
        text(&failed).contains("global_flags_20250103000000_hand.json:2:"),
        "{}",
        text(&failed)
    );
    assert!(runtime.block_on(live(&project.prefix)).is_empty());
}

#[test]
fn dry_run_lists_the_operations_and_writes_nothing() {
    let project = Project::new();
    let runtime = tokio::runtime::Runtime::new().unwrap();
    project.write_keys(FIRST);
    assert_code(
        &project.bfm(&["generate", "--name", "init", "--version", "20250101000000"]),
        0,
    );
    let dry = project.bfm(&["apply", "--dry-run"]);
    assert_code(&dry, 0);
    let listed = text(&dry);
    assert!(
        listed.contains("would apply global_settings_20250101000000_init"),
        "{listed}"
    );
    assert!(
        listed.contains(&format!(
            "put {}global/settings/timezone = \"UTC\"",
            project.prefix
        )),
        "{listed}"
    );
    assert!(runtime.block_on(live(&project.prefix)).is_empty());
    assert!(text(&project.bfm(&["status"])).contains("pending"));
}

#[test]
fn more_than_128_keys_are_split_into_atomic_files_that_all_apply() {
    let project = Project::new();
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let keys: String = (0..300).map(|i| format!("      k{i:03}: v{i}\n")).collect();
    project.write_keys(&format!(
        "schema: bulk\ngroups:\n  - table: items\n    keys:\n{keys}"
    ));
    assert_code(
        &project.bfm(&["generate", "--name", "bulk", "--version", "20250101000000"]),
        0,
    );
    assert_eq!(project.file_names().len(), 7);
    assert_code(&project.bfm(&["apply"]), 0);
    assert_eq!(runtime.block_on(live(&project.prefix)).len(), 300);
    assert_code(&project.bfm(&["plan", "--exit-code"]), 0);
}

#[test]
fn a_value_that_is_not_utf8_is_refused_naming_its_key() {
    let project = Project::new();
    let runtime = tokio::runtime::Runtime::new().unwrap();
    project.write_keys(FIRST);
    runtime.block_on(async {
        client()
            .await
            .put(
                project.key("global/settings/blob"),
                vec![0xff, 0xfe, 0x00],
                None,
            )
            .await
            .unwrap();
    });
    let refused = project.bfm(&["plan"]);
    assert_code(&refused, 1);
    assert!(
        text(&refused).contains("global/settings/blob"),
        "{}",
        text(&refused)
    );
    assert!(text(&refused).contains("not UTF-8"), "{}", text(&refused));
}

#[test]
fn a_huge_value_is_refused_at_its_line_before_anything_is_written() {
    let project = Project::new();
    project.write_keys(&format!(
        "schema: global\ngroups:\n  - table: blobs\n    keys:\n      big: {}\n",
        "x".repeat(1024 * 1024 + 1)
    ));
    let refused = project.bfm(&["generate", "--name", "big"]);
    assert_code(&refused, 1);
    assert!(
        text(&refused).contains("keys.yaml:5:"),
        "{}",
        text(&refused)
    );
    assert!(!project.migrations().exists());
}

#[test]
fn inspect_reads_the_prefix_in_pages_and_keeps_foreign_keys_apart() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let prefix = fresh_prefix();
    runtime.block_on(async {
        let mut client = client().await;
        for key in ["s/t/a", "s/t/b", "s/u/c", "s/u/d/e", "loose"] {
            client
                .put(format!("{prefix}{key}"), key, None)
                .await
                .unwrap();
        }
        let live = inspect(&mut client, &Prefix::new(&prefix), 2)
            .await
            .unwrap();
        assert_eq!(live.pages, 3);
        assert_eq!(live.foreign, [format!("{prefix}loose")]);
        assert_eq!(live.revisions.len(), 4);
        let groups = &live.model.schemas["s"].key_groups;
        assert_eq!(groups["t"].keys.len(), 2);
        assert_eq!(groups["u"].keys["d/e"], "s/u/d/e");
    });
}
