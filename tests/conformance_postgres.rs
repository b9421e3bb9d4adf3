//! The sqldef PostgreSQL suite as a round-trip conformance test (see `docs/conformance.md` and
//! `tests/support/conformance.rs`): every case valid on the local server is built twice, planned
//! with bfm from one to the other, applied, inspected, planned again, and undone.

mod support;

use bfm::backend::{RenderContext, SchemaContext};
use bfm::diff::{Severity, assess, diff};
use bfm::model::Model;
use bfm::plan::plan;
use bfm::source::{LoadError, LoadOptions, load_sql_text};
use sqlx::Connection;
use sqlx::postgres::PgConnection;
use std::collections::BTreeSet;
use std::path::Path;
use support::cases::{down_changes, postgres, quoted, sql_text, up_changes};
use support::conformance::checks::{same_schema, second_plan_empty};
use support::conformance::{CorpusCase, Outcome, conclude, run_all, selected_cases};
use support::pglive::{comparable, execute, fresh_pool, inspected, user_schemas};

const SUITE: &str = "postgres";
const CORPUS: &str = "../shared/corpus/sqldef/sqldef-postgres.jsonl";
/// Cases run at once: each holds two databases and a connection to each.
const CONCURRENCY: usize = 4;

/// Role names that always exist or are keywords where a role name stands.
const BUILTIN_ROLES: [&str; 5] = [
    "public",
    "postgres",
    "current_user",
    "session_user",
    "current_role",
];

/// The keywords after which a script names roles: `GRANT … TO`, `REVOKE … FROM`,
/// `OWNER TO`, `AUTHORIZATION`, `CREATE POLICY … TO`. Over-collecting (a table after `FROM`)
/// only creates an unused role.
const ROLE_KEYWORDS: [&str; 3] = ["to", "from", "authorization"];

/// The roles a script may name, as they are stored (unquoted names folded to lower case).
fn roles_named(sql: &str) -> BTreeSet<String> {
    let tokens = tokens(sql);
    let mut roles = BTreeSet::new();
    for (index, token) in tokens.iter().enumerate() {
        if !ROLE_KEYWORDS.contains(&token.to_ascii_lowercase().as_str()) {
            continue;
        }
        let mut rest = tokens[index + 1..].iter();
        while let Some(name) = rest.next() {
            match identifier(name) {
                Some(role) => {
                    roles.insert(role);
                }
                None => break,
            }
            if rest.next().map(String::as_str) != Some(",") {
                break;
            }
        }
    }
    roles.retain(|role| !BUILTIN_ROLES.contains(&role.as_str()));
    roles
}

/// Words, quoted identifiers and single punctuation characters of a script (string literals
/// become one token that is no identifier).
fn tokens(sql: &str) -> Vec<String> {
    let mut tokens = Vec::new();
    let mut chars = sql.chars().peekable();
    while let Some(c) = chars.next() {
        if c.is_whitespace() {
            continue;
        }
        let mut token = c.to_string();
        if c == '"' || c == '\'' {
            for next in chars.by_ref() {
                token.push(next);
                if next == c {
                    break;
                }
            }
        } else if c.is_alphanumeric() || c == '_' {
            while let Some(&next) = chars.peek() {
                if !(next.is_alphanumeric() || next == '_') {
                    break;
                }
                token.push(next);
                chars.next();
            }
        }
        tokens.push(token);
    }
    tokens
}

fn identifier(token: &str) -> Option<String> {
    if let Some(quoted) = token.strip_prefix('"').and_then(|t| t.strip_suffix('"')) {
        return (!quoted.is_empty()).then(|| quoted.to_string());
    }
    let first = token.chars().next()?;
    (first.is_alphabetic() || first == '_').then(|| token.to_lowercase())
}

/// Creates every role the cases name, once for the whole server (roles are not per database).
async fn create_roles(cases: &[CorpusCase]) {
    let mut roles = BTreeSet::new();
    for case in cases {
        roles.extend(roles_named(&case.current));
        roles.extend(roles_named(&case.desired));
        roles.extend(case.option_roles());
    }
    let server = support::postgres::server();
    let mut admin = PgConnection::connect(&server.url("postgres"))
        .await
        .unwrap_or_else(|e| panic!("cannot connect to the test server: {e}"));
    for role in &roles {
        let statement = format!("CREATE ROLE {}", quoted(role));
        sqlx::raw_sql(sqlx::AssertSqlSafe(statement))
            .execute(&mut admin)
            .await
            .unwrap_or_else(|e| panic!("cannot create role {role}: {e}"));
    }
    let _ = admin.close().await;
}

/// bfm's model of the case's desired script; a statement bfm does not support by design is a
/// refusal, any other load error a failure.
fn load_desired(case: &CorpusCase) -> Result<Model, Outcome> {
    let context = SchemaContext {
        default_schema: "public".to_string(),
    };
    let options = LoadOptions {
        dialect: postgres(),
        context: &context,
    };
    load_sql_text(&case.desired, Path::new("desired.sql"), options).map_err(|e| {
        let message = e.to_string();
        match e {
            LoadError::Invalid { .. } if message.contains("unsupported PostgreSQL DDL") => {
                Outcome::Refused(format!("loading desired: {message}"))
            }
            _ => Outcome::Failed(format!("loading desired: {message}")),
        }
    })
}

/// One case end to end; `Err` carries the outcome of a case that did not pass.
async fn round_trip(case: CorpusCase) -> Result<(), Outcome> {
    let failed = Outcome::Failed;
    let desired = load_desired(&case)?;
    let (_a_database, a) = fresh_pool().await;
    let (_b_database, b) = fresh_pool().await;
    execute(&a, "current", &case.current)
        .await
        .map_err(failed)?;
    execute(&b, "desired", &case.desired)
        .await
        .map_err(failed)?;
    let mut schemas = user_schemas(&a).await.map_err(failed)?;
    schemas.extend(user_schemas(&b).await.map_err(failed)?);
    schemas.extend(desired.schemas.keys().cloned());

    let start = inspected(&a, &schemas).await.map_err(failed)?;
    let assessed = assess(diff(&start, &desired), &start, &desired);
    // Drops are allowed here, as `--allow-destructive` allows them.
    if let Some(hazard) = assessed
        .iter()
        .filter(|c| c.refused(true))
        .flat_map(|c| &c.hazards)
        .find(|h| h.kind.severity() == Severity::Refused)
    {
        return Err(Outcome::Refused(format!(
            "refused change: {}",
            hazard.message
        )));
    }
    let destructive = assessed.iter().flat_map(|c| &c.hazards).any(|h| {
        matches!(
            h.kind.severity(),
            Severity::Destructive | Severity::DataLoss
        )
    });
    let plan = plan(assessed).map_err(|e| Outcome::Failed(format!("planning: {e}")))?;
    let render = RenderContext::for_models(&[&start, &desired], None);
    let up = sql_text(&up_changes(&plan), &render);
    execute(&a, "the up migration", &up).await.map_err(failed)?;

    let after_up = inspected(&a, &schemas).await.map_err(failed)?;
    let target = inspected(&b, &schemas).await.map_err(failed)?;
    same_schema("after up, A != B", &after_up, &target, "up SQL", &up)?;
    second_plan_empty(&comparable(after_up, &desired), &desired, &up)?;
    if destructive {
        return Ok(());
    }
    let down = down_changes(&plan, &start)
        .map(|changes| sql_text(&changes, &render))
        .map_err(failed)?;
    execute(&a, "the down migration", &down)
        .await
        .map_err(failed)?;
    let after_down = inspected(&a, &schemas).await.map_err(failed)?;
    same_schema(
        "after down, A != current",
        &after_down,
        &start,
        "down SQL",
        &down,
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sqldef_postgres_cases_round_trip() {
    let (cases, only) = selected_cases(CORPUS);
    create_roles(&cases).await;
    let outcomes = run_all(cases, CONCURRENCY, |case| async move {
        match round_trip(case).await {
            Ok(()) => Outcome::Passed,
            Err(outcome) => outcome,
        }
    })
    .await;
    conclude(SUITE, &outcomes, only);
}

#[test]
fn role_names_are_found_after_grant_owner_and_policy_clauses() {
    let sql = "GRANT SELECT ON t TO readonly_user, \"App User\";\n\
               ALTER TABLE t OWNER TO Admin_Role;\n\
               CREATE POLICY p ON t TO reader USING (true);\n\
               REVOKE ALL ON t FROM PUBLIC;";
    let roles: Vec<String> = roles_named(sql).into_iter().collect();
    assert_eq!(roles, ["App User", "admin_role", "reader", "readonly_user"]);
}
