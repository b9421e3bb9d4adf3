//! Running one operation on many targets: the schemas of a per-environment connection, with
//! bounded concurrency and a progress bar on a terminal.

use super::decide::{ApplyOptions, DownSelection, Migration};
use super::execute::{self, Execution, RunReport, TargetRun};
use super::target::TargetPool;
use crate::config::{Connection, ENVIRONMENT_PLACEHOLDER};
use crate::migrations::Version;
use crate::state::{StateStore, Target};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::collections::BTreeSet;
use std::io::IsTerminal as _;
use std::sync::Arc;
use tokio::sync::Semaphore;

/// What a run does on each target.
#[derive(Debug, Clone)]
pub enum Operation {
    Apply(ApplyOptions),
    Down(DownSelection),
    Baseline(Option<Version>),
}

impl Operation {
    /// The verb of the summary line (`applied 3`, `rolled back 1`).
    pub fn verb(&self, dry_run: bool) -> &'static str {
        match (self, dry_run) {
            (Operation::Apply(_), false) => "applied",
            (Operation::Apply(_), true) => "would apply",
            (Operation::Down(_), false) => "rolled back",
            (Operation::Down(_), true) => "would roll back",
            (Operation::Baseline(_), _) => "marked applied",
        }
    }

    async fn run<S: StateStore>(
        &self,
        store: &S,
        pool: &TargetPool,
        run: &TargetRun<'_>,
        execution: &Execution,
    ) -> RunReport {
        match self {
            Operation::Apply(options) => execute::apply(store, pool, run, options, execution).await,
            Operation::Down(selection) => {
                execute::down(store, pool, run, *selection, execution).await
            }
            Operation::Baseline(to) => {
                execute::baseline(store, pool.backend(), run, *to, execution).await
            }
        }
    }
}

/// The schemas of every environment of a per-environment connection: those listed in
/// `bfm.yaml` and those already in the database that match the connection's pattern
/// (`cli_{environment}` → `cli_%`), sorted. Over the MySQL protocol the schemas are databases.
pub async fn environment_schemas(
    pool: &TargetPool,
    connection: &Connection,
) -> Result<Vec<String>, sqlx::Error> {
    let mut schemas: BTreeSet<String> = connection
        .environments
        .iter()
        .map(|environment| connection.schema_for(environment))
        .collect();
    let pattern = like_pattern(&connection.schema);
    let existing: Vec<(String,)> = match pool {
        TargetPool::Postgres(pool) => {
            sqlx::query_as(
                "SELECT nspname::text FROM pg_namespace WHERE nspname LIKE $1 ESCAPE '\\'",
            )
            .bind(pattern)
            .fetch_all(pool)
            .await?
        }
        TargetPool::MySql { pool, .. } => {
            sqlx::query_as(
                "SELECT schema_name FROM information_schema.schemata WHERE schema_name LIKE ?",
            )
            .bind(pattern)
            .fetch_all(pool)
            .await?
        }
    };
    schemas.extend(existing.into_iter().map(|(schema,)| schema));
    Ok(schemas.into_iter().collect())
}

/// A schema pattern as SQL `LIKE`: the placeholder matches a non-empty name, the rest literally.
fn like_pattern(schema: &str) -> String {
    schema
        .split(ENVIRONMENT_PLACEHOLDER)
        .map(|part| {
            part.replace('\\', "\\\\")
                .replace('%', "\\%")
                .replace('_', "\\_")
        })
        .collect::<Vec<_>>()
        .join("_%")
}

/// What every target of a fan-out shares.
pub struct FanOut<S> {
    pub store: Arc<S>,
    pub pool: TargetPool,
    pub migrations: Arc<Vec<Migration>>,
    /// Per-environment connections run in each target's schema.
    pub set_search_path: bool,
    pub execution: Execution,
    /// At most this many targets at a time.
    pub jobs: usize,
}

impl<S: StateStore + 'static> FanOut<S> {
    /// Runs `operation` on every target and returns one report per target, in target order.
    pub async fn run(&self, targets: Vec<Target>, operation: Operation) -> Vec<RunReport> {
        let progress = progress_bar(targets.len());
        let semaphore = Arc::new(Semaphore::new(self.jobs.max(1)));
        let operation = Arc::new(operation);
        let mut tasks = tokio::task::JoinSet::new();
        for target in targets.iter().cloned() {
            let (store, pool, migrations) = (
                self.store.clone(),
                self.pool.clone(),
                self.migrations.clone(),
            );
            let (semaphore, operation, progress) =
                (semaphore.clone(), operation.clone(), progress.clone());
            let (set_search_path, execution) = (self.set_search_path, self.execution);
            tasks.spawn(async move {
                let _permit = semaphore.acquire_owned().await;
                progress.set_message(target.schema.clone());
                let run = TargetRun {
                    target,
                    set_search_path,
                    migrations: &migrations,
                };
                let report = operation.run(&*store, &pool, &run, &execution).await;
                progress.inc(1);
                report
            });
        }
        let mut reports = Vec::with_capacity(targets.len());
        while let Some(joined) = tasks.join_next().await {
            match joined {
                Ok(report) => reports.push(report),
                Err(error) => std::panic::resume_unwind(error.into_panic()),
            }
        }
        progress.finish_and_clear();
        reports.sort_by(|a, b| a.target.cmp(&b.target));
        reports
    }
}

/// A bar on stderr when it is a terminal; hidden otherwise, so logs and pipes stay clean.
fn progress_bar(len: usize) -> ProgressBar {
    let target = if std::io::stderr().is_terminal() && len > 1 {
        ProgressDrawTarget::stderr()
    } else {
        ProgressDrawTarget::hidden()
    };
    let bar = ProgressBar::with_draw_target(Some(len as u64), target);
    if let Ok(style) = ProgressStyle::with_template("{bar:30} {pos}/{len} {msg}") {
        bar.set_style(style);
    }
    bar
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn environment_placeholder_becomes_a_like_wildcard_and_the_rest_is_literal() {
        assert_eq!(like_pattern("cli_{environment}"), "cli\\__%");
        assert_eq!(like_pattern("{environment}_data"), "_%\\_data");
        assert_eq!(like_pattern("a%b_{environment}"), "a\\%b\\__%");
    }
}
