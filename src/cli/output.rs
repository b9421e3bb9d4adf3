//! The plan for people and machines: human (grouped per file, coloured on a terminal), JSON,
//! plain SQL and Markdown for pull-request comments. All are built from one [`Report`].

use super::project::ConnectionPlan;
use crate::diff::{AssessedChange, Hazard, Severity};
use crate::migrations::render::sql_script;
use crate::model::Change;
use anstyle::{AnsiColor, Style};
use serde::Serialize;
use std::fmt::Write as _;

/// What a change does to its object, shown as `+`, `~` or `-`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Action {
    Create,
    Alter,
    Drop,
}

impl Action {
    pub fn of(change: &Change) -> Action {
        match change {
            Change::CreateSchema { .. }
            | Change::CreateExtension { .. }
            | Change::CreateEnum { .. }
            | Change::CreateDomain { .. }
            | Change::CreateSequence { .. }
            | Change::CreateTable { .. }
            | Change::AddColumn { .. }
            | Change::AddPrimaryKey { .. }
            | Change::AddUnique { .. }
            | Change::AddCheck { .. }
            | Change::AddForeignKey { .. }
            | Change::CreateIndex { .. }
            | Change::CreateView { .. }
            | Change::CreateFunction { .. }
            | Change::CreateTrigger { .. }
            | Change::CreateEvent { .. }
            | Change::AddColumnAt { .. } => Action::Create,
            Change::PutKey { previous: None, .. } => Action::Create,
            Change::DeleteKey { .. } => Action::Drop,
            Change::DropSchema { .. }
            | Change::DropExtension { .. }
            | Change::DropEnum { .. }
            | Change::DropDomain { .. }
            | Change::DropSequence { .. }
            | Change::DropTable { .. }
            | Change::DropColumn { .. }
            | Change::DropPrimaryKey { .. }
            | Change::DropUnique { .. }
            | Change::DropCheck { .. }
            | Change::DropForeignKey { .. }
            | Change::DropIndex { .. }
            | Change::DropView { .. }
            | Change::DropFunction { .. }
            | Change::DropTrigger { .. }
            | Change::DropEvent { .. }
            | Change::DropColumnAt { .. } => Action::Drop,
            Change::PutKey { .. }
            | Change::AddEnumValue { .. }
            | Change::RecreateEnum { .. }
            | Change::AlterSequence { .. }
            | Change::AlterDomain { .. }
            | Change::RenameTable { .. }
            | Change::RenameColumn { .. }
            | Change::AlterColumn { .. }
            | Change::SetTableComment { .. }
            | Change::SetColumnComment { .. }
            | Change::RenameEnum { .. }
            | Change::RenameConstraint { .. }
            | Change::RenameIndex { .. }
            | Change::SetComment { .. }
            | Change::ReplaceView { .. }
            | Change::ReplaceFunction { .. }
            | Change::AlterEvent { .. }
            | Change::SetTableOptions { .. }
            | Change::SetPartitioning { .. }
            | Change::SetColumnIndexes { .. }
            | Change::SetDatabaseOptions { .. }
            | Change::RecreateTable { .. } => Action::Alter,
        }
    }

    fn marker(self) -> char {
        match self {
            Action::Create => '+',
            Action::Alter => '~',
            Action::Drop => '-',
        }
    }

    fn style(self) -> Style {
        let color = match self {
            Action::Create => AnsiColor::Green,
            Action::Alter => AnsiColor::Yellow,
            Action::Drop => AnsiColor::Red,
        };
        Style::new().fg_color(Some(color.into()))
    }
}

/// Whether `generate` would write a change.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Gate {
    /// Safe, or only a warning.
    Allowed,
    /// Destructive, but the schema permits it.
    AllowedBySchema,
    /// Destructive: needs `--allow-destructive` or a per-object flag.
    NeedsPermission,
    /// Recreates a GreptimeDB table (data loss): needs `--allow-recreate`.
    NeedsRecreate,
    /// Never written: the desired state must change.
    Refused,
}

impl Gate {
    pub fn of(change: &AssessedChange) -> Gate {
        match change.severity() {
            Some(Severity::Refused) if change.refused(false) => Gate::Refused,
            Some(Severity::Refused) => Gate::AllowedBySchema,
            Some(Severity::Destructive) if change.permitted_by_schema => Gate::AllowedBySchema,
            Some(Severity::Destructive) => Gate::NeedsPermission,
            Some(Severity::DataLoss) => Gate::NeedsRecreate,
            Some(Severity::Warning) | None => Gate::Allowed,
        }
    }

    fn label(self) -> Option<&'static str> {
        match self {
            Gate::Allowed => None,
            Gate::AllowedBySchema => Some("destructive, allowed by the schema"),
            Gate::NeedsPermission => Some("destructive"),
            Gate::NeedsRecreate => Some("recreates the table, losing its rows"),
            Gate::Refused => Some("refused"),
        }
    }
}

/// The whole plan of one run.
#[derive(Debug, Serialize)]
pub struct Report {
    pub pending: bool,
    pub connections: Vec<ConnectionReport>,
}

#[derive(Debug, Serialize)]
pub struct ConnectionReport {
    pub connection: String,
    pub compared_with: String,
    pub files: Vec<FileReport>,
}

/// One future migration file: the object it is named after and its changes in run order.
#[derive(Debug, Serialize)]
pub struct FileReport {
    pub object: String,
    pub changes: Vec<ChangeReport>,
}

#[derive(Debug, Serialize)]
pub struct ChangeReport {
    pub action: Action,
    pub description: String,
    pub gate: Gate,
    pub hazards: Vec<Hazard>,
    pub sql: Vec<String>,
}

impl Report {
    pub fn new(plans: &[ConnectionPlan]) -> Report {
        let connections: Vec<ConnectionReport> = plans.iter().map(connection_report).collect();
        Report {
            pending: connections.iter().any(|c| !c.files.is_empty()),
            connections,
        }
    }
}

fn connection_report(plan: &ConnectionPlan) -> ConnectionReport {
    let files = plan
        .plan
        .files
        .iter()
        .map(|file| FileReport {
            object: file.object.to_string(),
            changes: file
                .changes
                .iter()
                .map(|assessed| ChangeReport {
                    action: Action::of(&assessed.change),
                    description: assessed.change.describe(),
                    gate: Gate::of(assessed),
                    hazards: assessed.hazards.clone(),
                    sql: plan.dialect.render(&assessed.change, &plan.render),
                })
                .collect(),
        })
        .collect();
    ConnectionReport {
        connection: plan.connection.name.clone(),
        compared_with: plan.compared_with.clone(),
        files,
    }
}

impl FileReport {
    fn sql(&self) -> Vec<String> {
        self.changes
            .iter()
            .flat_map(|c| c.sql.iter().cloned())
            .collect()
    }
}

/// The human plan, with ANSI styles (the caller's stream strips them when not a terminal).
pub fn human(report: &Report) -> String {
    let bold = Style::new().bold();
    let dim = Style::new().dimmed();
    let warn = Style::new().fg_color(Some(AnsiColor::Red.into())).bold();
    let mut out = String::new();
    for connection in &report.connections {
        let _ = writeln!(
            out,
            "{bold}{}{bold:#}: {}",
            connection.connection, connection.compared_with
        );
        if connection.files.is_empty() {
            let _ = writeln!(out, "  no changes");
            continue;
        }
        for file in &connection.files {
            let _ = writeln!(out, "\n  {bold}{}{bold:#}", file.object);
            for change in &file.changes {
                let style = change.action.style();
                let _ = write!(
                    out,
                    "    {style}{} {}{style:#}",
                    change.action.marker(),
                    change.description
                );
                if let Some(label) = change.gate.label() {
                    let _ = write!(out, "  {warn}[{label}]{warn:#}");
                }
                out.push('\n');
                for hazard in &change.hazards {
                    let _ = writeln!(out, "      ! {}", hazard.message);
                }
            }
            for line in sql_script(&file.sql()).lines() {
                let _ = writeln!(out, "      {dim}{line}{dim:#}");
            }
        }
        let _ = writeln!(out, "\n  {}", summary(connection));
    }
    out
}

/// `3 changes in 2 files (1 destructive, 0 refused)`.
fn summary(connection: &ConnectionReport) -> String {
    let changes: Vec<&ChangeReport> = connection.files.iter().flat_map(|f| &f.changes).collect();
    let needing = changes
        .iter()
        .filter(|c| c.gate == Gate::NeedsPermission)
        .count();
    let refused = changes.iter().filter(|c| c.gate == Gate::Refused).count();
    let mut text = format!(
        "{} in {}",
        super::project::count(changes.len(), "change"),
        super::project::count(connection.files.len(), "file")
    );
    if needing > 0 {
        let _ = write!(
            text,
            "; {needing} destructive (generate needs --allow-destructive)"
        );
    }
    if refused > 0 {
        let _ = write!(text, "; {refused} refused (change the schema)");
    }
    text
}

/// The stable JSON document.
pub fn json(report: &Report) -> Result<String, serde_json::Error> {
    let mut text = serde_json::to_string_pretty(report)?;
    text.push('\n');
    Ok(text)
}

/// Only SQL: every statement of the plan, each ending with `;`. With several connections each
/// one's statements follow a `-- connection: NAME` comment.
pub fn sql(report: &Report) -> String {
    let several = report.connections.len() > 1;
    let mut out = String::new();
    for connection in &report.connections {
        if several {
            let _ = writeln!(out, "-- connection: {}", connection.connection);
        }
        for file in &connection.files {
            out.push_str(&sql_script(&file.sql()));
        }
    }
    out
}

/// Markdown for a pull-request comment.
pub fn markdown(report: &Report) -> String {
    let mut out = String::new();
    for connection in &report.connections {
        let _ = writeln!(
            out,
            "### {}\n\n{}\n",
            connection.connection, connection.compared_with
        );
        if connection.files.is_empty() {
            let _ = writeln!(out, "No changes.\n");
            continue;
        }
        let _ = writeln!(out, "| | change | file | notes |\n|---|---|---|---|");
        for file in &connection.files {
            for change in &file.changes {
                let mut notes: Vec<String> = change
                    .gate
                    .label()
                    .map(|l| format!("**{l}**"))
                    .into_iter()
                    .collect();
                notes.extend(change.hazards.iter().map(|h| h.message.clone()));
                let _ = writeln!(
                    out,
                    "| `{}` | {} | `{}` | {} |",
                    change.action.marker(),
                    escape_cell(&change.description),
                    file.object,
                    escape_cell(&notes.join("; "))
                );
            }
        }
        let _ = writeln!(out, "\n**{}**\n", summary(connection));
        let _ = writeln!(out, "<details><summary>SQL</summary>\n\n```sql");
        for file in &connection.files {
            out.push_str(&sql_script(&file.sql()));
        }
        let _ = writeln!(out, "```\n\n</details>\n");
    }
    out
}

fn escape_cell(text: &str) -> String {
    text.replace('|', "\\|").replace('\n', " ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diff::HazardKind;

    fn change(action: Action, gate: Gate, sql: &str) -> ChangeReport {
        ChangeReport {
            action,
            description: format!("{action:?} thing"),
            gate,
            hazards: if gate == Gate::Allowed {
                Vec::new()
            } else {
                vec![Hazard {
                    kind: HazardKind::DropsColumn,
                    message: "Loses the column's data.".into(),
                }]
            },
            sql: vec![sql.to_string()],
        }
    }

    fn report() -> Report {
        Report {
            pending: true,
            connections: vec![ConnectionReport {
                connection: "core".into(),
                compared_with:
                    "compared schema/core with a replay of generated/postgresql/core (0 migrations)"
                        .into(),
                files: vec![FileReport {
                    object: "core.users".into(),
                    changes: vec![
                        change(Action::Create, Gate::Allowed, "CREATE TABLE core.users ()"),
                        change(
                            Action::Drop,
                            Gate::NeedsPermission,
                            "ALTER TABLE core.users DROP COLUMN a",
                        ),
                    ],
                }],
            }],
        }
    }

    #[test]
    fn human_plan_marks_changes_and_flags_destructive_ones() {
        let text = anstream::adapter::strip_str(&human(&report())).to_string();
        assert!(text.contains("core: compared schema/core with a replay of generated/postgresql/core (0 migrations)"), "{text}");
        assert!(text.contains("    + Create thing\n"), "{text}");
        assert!(text.contains("    - Drop thing  [destructive]\n"), "{text}");
        assert!(
            text.contains("      ! Loses the column's data.\n"),
            "{text}"
        );
        assert!(
            text.contains("      CREATE TABLE core.users ();\n"),
            "{text}"
        );
        assert!(
            text.contains("2 changes in 1 file; 1 destructive"),
            "{text}"
        );
    }

    #[test]
    fn human_plan_without_changes_says_so() {
        let mut report = report();
        report.connections[0].files.clear();
        let text = anstream::adapter::strip_str(&human(&report)).to_string();
        assert!(text.ends_with("(0 migrations)\n  no changes\n"), "{text}");
    }

    #[test]
    fn sql_format_is_only_statements() {
        assert_eq!(
            sql(&report()),
            "CREATE TABLE core.users ();\nALTER TABLE core.users DROP COLUMN a;\n"
        );
    }

    #[test]
    fn json_format_is_a_stable_document() {
        let value: serde_json::Value = serde_json::from_str(&json(&report()).unwrap()).unwrap();
        assert_eq!(value["pending"], true);
        let change = &value["connections"][0]["files"][0]["changes"][1];
        assert_eq!(change["action"], "drop");
        assert_eq!(change["gate"], "needs_permission");
        assert_eq!(change["hazards"][0]["kind"], "drops_column");
        assert_eq!(change["sql"][0], "ALTER TABLE core.users DROP COLUMN a");
    }

    #[test]
    fn markdown_has_a_table_and_the_sql() {
        let text = markdown(&report());
        assert!(text.starts_with("### core\n"), "{text}");
        assert!(
            text.contains(
                "| `-` | Drop thing | `core.users` | **destructive**; Loses the column's data. |"
            ),
            "{text}"
        );
        assert!(
            text.contains("```sql\nCREATE TABLE core.users ();\n"),
            "{text}"
        );
    }
}
