//! The round-trip conformance runner shared by the per-server suites (`tests/conformance_*.rs`):
//! reads a corpus of `../shared/corpus/` (see its README), runs each case through a
//! server-specific check on a bounded pool, counts the outcomes, writes the suite's section of
//! `docs/conformance.md` and enforces the ratchet file of passing ids.

use serde::Deserialize;
use std::collections::{BTreeMap, BTreeSet};
use std::future::Future;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

/// One case of a sqldef corpus file (fields the runner uses; the others are ignored).
#[derive(Debug, Clone, Deserialize)]
pub struct CorpusCase {
    pub id: String,
    pub current: String,
    pub desired: String,
    #[serde(default)]
    pub options: serde_json::Value,
    pub valid_on_local: ValidOnLocal,
}

#[derive(Debug, Clone, Copy, Deserialize)]
pub struct ValidOnLocal {
    pub current: bool,
    pub desired: bool,
}

impl CorpusCase {
    /// The upstream test file the case comes from: the id up to its last `:`.
    pub fn upstream_file(&self) -> &str {
        self.id
            .rsplit_once(':')
            .map_or(self.id.as_str(), |(file, _)| file)
    }

    /// The role names the case's options mention (`user`, `managed_roles`).
    pub fn option_roles(&self) -> Vec<String> {
        let mut roles: Vec<String> = self
            .options
            .get("managed_roles")
            .and_then(|v| v.as_array())
            .into_iter()
            .flatten()
            .filter_map(|v| v.as_str().map(str::to_string))
            .collect();
        roles.extend(
            self.options
                .get("user")
                .and_then(|v| v.as_str())
                .map(str::to_string),
        );
        roles
    }
}

/// How one case ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    Passed,
    /// bfm declines the case on purpose (a refused change, a feature unsupported by design).
    Refused(String),
    Failed(String),
}

impl Outcome {
    /// The first line of the reason, for reports.
    pub fn summary(&self) -> &str {
        match self {
            Outcome::Passed => "passed",
            Outcome::Refused(reason) | Outcome::Failed(reason) => {
                reason.lines().next().unwrap_or("")
            }
        }
    }
}

/// The path of a corpus file, relative to the project root; a missing corpus fails clearly.
pub fn corpus_path(relative: &str) -> PathBuf {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(relative);
    assert!(
        path.is_file(),
        "the conformance corpus {} is missing: the suite reads it from the shared corpus folder \
         beside the project ({relative} from the project root)",
        path.display()
    );
    path
}

/// The cases of a corpus file that ran as written on the local server on both sides.
pub fn valid_cases(path: &Path) -> Vec<CorpusCase> {
    let text = std::fs::read_to_string(path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    text.lines()
        .filter(|line| !line.trim().is_empty())
        .enumerate()
        .map(|(number, line)| {
            serde_json::from_str::<CorpusCase>(line).unwrap_or_else(|e| {
                panic!("{}:{}: not a corpus case: {e}", path.display(), number + 1)
            })
        })
        .filter(|case| case.valid_on_local.current && case.valid_on_local.desired)
        .collect()
}

/// How long one case may take before it counts as failed (a hung statement must not hang CI).
const CASE_TIME_LIMIT: Duration = Duration::from_secs(120);

/// Runs `check` on every case, at most `concurrency` at a time, and returns the outcomes in
/// the cases' order. A case that panics or exceeds the time limit fails with that reason.
pub async fn run_all<F, Fut>(
    cases: Vec<CorpusCase>,
    concurrency: usize,
    check: F,
) -> Vec<(CorpusCase, Outcome)>
where
    F: Fn(CorpusCase) -> Fut,
    Fut: Future<Output = Outcome> + Send + 'static,
{
    let permits = Arc::new(tokio::sync::Semaphore::new(concurrency));
    let handles: Vec<_> = cases
        .iter()
        .map(|case| {
            let permits = Arc::clone(&permits);
            let work = check(case.clone());
            tokio::spawn(async move {
                let _permit = permits.acquire_owned().await;
                match tokio::time::timeout(CASE_TIME_LIMIT, work).await {
                    Ok(outcome) => outcome,
                    Err(_) => {
                        Outcome::Failed(format!("timed out after {}s", CASE_TIME_LIMIT.as_secs()))
                    }
                }
            })
        })
        .collect();
    let mut outcomes = Vec::with_capacity(cases.len());
    for (case, handle) in cases.into_iter().zip(handles) {
        let outcome = handle
            .await
            .unwrap_or_else(|e| Outcome::Failed(format!("panicked: {}", panic_message(e))));
        outcomes.push((case, outcome));
    }
    outcomes
}

fn panic_message(error: tokio::task::JoinError) -> String {
    match error.try_into_panic() {
        Ok(payload) => payload
            .downcast_ref::<String>()
            .cloned()
            .or_else(|| payload.downcast_ref::<&str>().map(|s| s.to_string()))
            .unwrap_or_else(|| "a non-text panic".to_string()),
        Err(e) => e.to_string(),
    }
}

/// Writes a line straight to the terminal's stderr: the test harness captures `println!` of a
/// passing test, and the suite's score and newly passing ids must show in every run.
pub fn announce(line: &str) {
    use std::io::Write;
    let _ = writeln!(std::io::stderr(), "{line}");
}

/// Counts per outcome.
#[derive(Debug, Default, Clone, Copy)]
pub struct Tally {
    pub passed: usize,
    pub refused: usize,
    pub failed: usize,
}

impl Tally {
    fn add(&mut self, outcome: &Outcome) {
        match outcome {
            Outcome::Passed => self.passed += 1,
            Outcome::Refused(_) => self.refused += 1,
            Outcome::Failed(_) => self.failed += 1,
        }
    }

    pub fn total(&self) -> usize {
        self.passed + self.refused + self.failed
    }
}

pub fn tally(outcomes: &[(CorpusCase, Outcome)]) -> Tally {
    let mut tally = Tally::default();
    for (_, outcome) in outcomes {
        tally.add(outcome);
    }
    tally
}

/// The suite's section of `docs/conformance.md`: totals, a table per upstream file, then each
/// refusal and failure with the first line of its reason.
pub fn report_section(suite: &str, outcomes: &[(CorpusCase, Outcome)]) -> String {
    let total = tally(outcomes);
    let mut by_file: BTreeMap<&str, Tally> = BTreeMap::new();
    for (case, outcome) in outcomes {
        by_file
            .entry(case.upstream_file())
            .or_default()
            .add(outcome);
    }
    let mut text = format!(
        "## {suite}\n\n{} of {} valid cases pass ({:.1}%), {} refused on purpose, {} failed.\n\n",
        total.passed,
        total.total(),
        percent(total.passed, total.total()),
        total.refused,
        total.failed
    );
    text.push_str("| upstream file | passed | refused | failed |\n|---|---:|---:|---:|\n");
    for (file, counts) in &by_file {
        text.push_str(&format!(
            "| `{file}` | {} | {} | {} |\n",
            counts.passed, counts.refused, counts.failed
        ));
    }
    for (heading, refused) in [("Refused on purpose", true), ("Failures", false)] {
        let lines: Vec<String> = outcomes
            .iter()
            .filter(|(_, outcome)| match outcome {
                Outcome::Refused(_) => refused,
                Outcome::Failed(_) => !refused,
                Outcome::Passed => false,
            })
            .map(|(case, outcome)| {
                format!(
                    "- `{}`: {}\n",
                    case.id,
                    outcome.summary().replace('|', "\\|")
                )
            })
            .collect();
        if !lines.is_empty() {
            text.push_str(&format!("\n### {suite}: {heading}\n\n"));
            text.extend(lines);
        }
    }
    text
}

fn percent(part: usize, whole: usize) -> f64 {
    if whole == 0 {
        0.0
    } else {
        part as f64 * 100.0 / whole as f64
    }
}

const REPORT_HEADER: &str = "# Conformance\n\n\
Measured by `tests/conformance_*.rs` (part of `scripts/test`) on the sqldef test suites in \
`../shared/corpus/sqldef/`: for every case whose `current` and `desired` scripts run as written \
on the local server, database A is built from `current` and B from `desired`; bfm loads \
`desired`, plans from A's inspected schema, applies the rendered up migration to A (drops \
allowed), and then A must inspect equal to B (columns compared by name: PostgreSQL appends \
added columns), a second plan must be empty, and — when the up migration was not destructive — \
the rendered down migration must bring A back to its starting schema. A case bfm declines on \
purpose (a refused change, a statement unsupported by design) is counted apart, with its \
reason. The files `tests/conformance/passing_<suite>.txt` list the ids that pass: a listed id \
that fails breaks the test. This file is rewritten by the runner.\n";

/// Writes the suite's section into `docs/conformance.md`, keeping the other suites' sections.
pub fn write_report(suite: &str, section: &str) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/conformance.md");
    let existing = std::fs::read_to_string(&path).unwrap_or_default();
    let mut sections = sections_of(&existing);
    sections.insert(suite.to_string(), section.trim_end().to_string());
    let mut text = REPORT_HEADER.to_string();
    for (name, body) in &sections {
        text.push_str(&format!(
            "\n<!-- begin {name} -->\n{body}\n<!-- end {name} -->\n"
        ));
    }
    std::fs::write(&path, text).unwrap_or_else(|e| panic!("cannot write {}: {e}", path.display()));
}

/// The suites' sections of an existing report, by suite name.
fn sections_of(text: &str) -> BTreeMap<String, String> {
    let mut sections = BTreeMap::new();
    let mut rest = text;
    while let Some(start) = rest.find("<!-- begin ") {
        let after = &rest[start + "<!-- begin ".len()..];
        let Some(name_end) = after.find(" -->") else {
            break;
        };
        let name = &after[..name_end];
        let body_start = name_end + " -->\n".len();
        let end_marker = format!("<!-- end {name} -->");
        let Some(body_end) = after.find(&end_marker) else {
            break;
        };
        if body_start <= body_end {
            sections.insert(
                name.to_string(),
                after[body_start..body_end].trim_end().to_string(),
            );
        }
        rest = &after[body_end + end_marker.len()..];
    }
    sections
}

/// The ratchet: every id listed in `tests/conformance/passing_<suite>.txt` must still pass.
/// Newly passing ids are printed (`BFM_UPDATE_PASSING=1` rewrites the file with them). Returns
/// the listed ids that no longer pass, with their reasons.
pub fn check_ratchet(suite: &str, outcomes: &[(CorpusCase, Outcome)]) -> Vec<String> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/conformance")
        .join(format!("passing_{suite}.txt"));
    let listed: BTreeSet<String> = std::fs::read_to_string(&path)
        .unwrap_or_default()
        .lines()
        .map(str::trim)
        .filter(|line| !line.is_empty() && !line.starts_with('#'))
        .map(str::to_string)
        .collect();
    let passing: BTreeSet<String> = outcomes
        .iter()
        .filter(|(_, outcome)| *outcome == Outcome::Passed)
        .map(|(case, _)| case.id.clone())
        .collect();
    let reasons: BTreeMap<&str, &str> = outcomes
        .iter()
        .map(|(case, outcome)| (case.id.as_str(), outcome.summary()))
        .collect();
    if std::env::var_os("BFM_UPDATE_PASSING").is_some_and(|v| v == "1") {
        let text: String = passing.iter().map(|id| format!("{id}\n")).collect();
        std::fs::write(&path, text)
            .unwrap_or_else(|e| panic!("cannot write {}: {e}", path.display()));
        return Vec::new();
    }
    let new: Vec<&String> = passing.difference(&listed).collect();
    if !new.is_empty() {
        announce(&format!(
            "{} newly passing {suite} case(s): add them to {} (or run with BFM_UPDATE_PASSING=1):",
            new.len(),
            path.display()
        ));
        for id in new {
            announce(id);
        }
    }
    listed
        .difference(&passing)
        .map(|id| {
            let reason = reasons
                .get(id.as_str())
                .copied()
                .unwrap_or("no longer a valid case of the corpus");
            format!("{id}: {reason}")
        })
        .collect()
}

/// Writes `passed/total` of a suite to `conformance_<suite>.counts` in the target directory's
/// `tmp/`, where `scripts/test` reads every suite's counts to print one combined line.
pub fn write_counts(suite: &str, counts: &Tally) {
    let path = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("conformance_{suite}.counts"));
    let _ = std::fs::write(&path, format!("{}/{}\n", counts.passed, counts.total()));
}

/// Every failure and refusal in full, for whoever fixes them (in the test's target directory).
pub fn write_details(suite: &str, outcomes: &[(CorpusCase, Outcome)]) -> PathBuf {
    let path = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("conformance_{suite}.txt"));
    let text: String = outcomes
        .iter()
        .filter(|(_, outcome)| *outcome != Outcome::Passed)
        .map(|(case, outcome)| {
            let (kind, reason) = match outcome {
                Outcome::Refused(reason) => ("REFUSED", reason),
                Outcome::Failed(reason) => ("FAILED", reason),
                Outcome::Passed => ("PASSED", &String::new()),
            };
            format!(
                "=== {kind} {}\n--- current\n{}\n--- desired\n{}\n--- reason\n{reason}\n\n",
                case.id, case.current, case.desired
            )
        })
        .collect();
    let _ = std::fs::write(&path, text);
    path
}

/// The valid cases of the corpus file at `relative` (from the project root) to run: all of them,
/// or those whose id contains `BFM_CONFORMANCE_ONLY` (the second value says whether it is set).
pub fn selected_cases(relative: &str) -> (Vec<CorpusCase>, bool) {
    let mut cases = valid_cases(&corpus_path(relative));
    assert!(!cases.is_empty(), "no valid case in {relative}");
    let only = std::env::var("BFM_CONFORMANCE_ONLY").ok();
    if let Some(only) = &only {
        cases.retain(|case| case.id.contains(only.as_str()));
    }
    (cases, only.is_some())
}

/// Reports a suite's run: the counts line and the failures in full; for a full run also the
/// counts file, the suite's section of docs/conformance.md and the ratchet, which fails the test
/// when a listed id no longer passes.
pub fn conclude(suite: &str, outcomes: &[(CorpusCase, Outcome)], only: bool) {
    let counts = tally(outcomes);
    announce(&format!(
        "conformance: {suite} {}/{} passed ({} refused, {} failed)",
        counts.passed,
        counts.total(),
        counts.refused,
        counts.failed
    ));
    let details = write_details(suite, outcomes);
    println!("every failure in full: {}", details.display());
    if only {
        println!("BFM_CONFORMANCE_ONLY is set: docs/conformance.md and the ratchet are left alone");
        return;
    }
    write_counts(suite, &counts);
    write_report(suite, &report_section(suite, outcomes));
    let regressions = check_ratchet(suite, outcomes);
    assert!(
        regressions.is_empty(),
        "{} case(s) listed in tests/conformance/passing_{suite}.txt no longer pass:\n{}",
        regressions.len(),
        regressions.join("\n")
    );
}

/// The checks both runners make after running a migration, as [`Outcome::Failed`] on failure.
pub mod checks {
    use super::Outcome;
    use crate::support::cases::{columns_by_name, model_difference};
    use crate::support::pglive::expect_same;
    use bfm::diff::diff;
    use bfm::model::Model;

    /// `got` equals `want`, columns compared by name (a server may append added columns);
    /// a failure quotes the SQL that ran (`sql_label`, `sql`).
    pub fn same_schema(
        label: &str,
        got: &Model,
        want: &Model,
        sql_label: &str,
        sql: &str,
    ) -> Result<(), Outcome> {
        expect_same(label, &columns_by_name(got), &columns_by_name(want))
            .map_err(|e| Outcome::Failed(format!("{e}\n{sql_label}:\n{sql}")))
    }

    /// A second plan from the database after the up migration (`live`) to `desired` is empty.
    pub fn second_plan_empty(live: &Model, desired: &Model, up_sql: &str) -> Result<(), Outcome> {
        let again: Vec<String> = diff(live, desired).iter().map(|c| c.describe()).collect();
        if again.is_empty() {
            return Ok(());
        }
        Err(Outcome::Failed(format!(
            "second plan not empty: {}\nup SQL:\n{up_sql}\n{}",
            again.join(", "),
            model_difference("inspected A != desired", live, desired).unwrap_or_default()
        )))
    }
}
