//! Rendering changes as GreptimeDB statements, and tables as SHOW CREATE TABLE prints them.

use super::names::{quote_ident, quote_string};
use crate::backend::RenderContext;
use crate::model::{Change, Column, ColumnIndexes, ColumnPosition, QualifiedName, Table};
use std::collections::BTreeMap;

const QUOTE: char = '"';

/// The SQL statements (without trailing `;`) that make `change` happen.
pub fn render(change: &Change, context: &RenderContext) -> Vec<String> {
    let r = Renderer { context };
    match change {
        // A per-environment database is chosen at apply time and exists before migrations run.
        Change::CreateSchema { name } | Change::DropSchema { name } if r.unqualified(name) => {
            Vec::new()
        }
        Change::CreateSchema { name } => vec![format!("CREATE DATABASE {}", ident(name))],
        Change::DropSchema { name } => vec![format!("DROP DATABASE {}", ident(name))],
        Change::SetDatabaseOptions { schema, from, to } => {
            option_statements(&format!("ALTER DATABASE {}", ident(schema)), from, to)
        }
        Change::CreateTable { schema, table } => {
            vec![create_table(&r.name(schema, &table.name), table, false)]
        }
        Change::DropTable { schema, table } => {
            vec![format!("DROP TABLE {}", r.name(schema, &table.name))]
        }
        Change::RecreateTable {
            schema, from, to, ..
        } => vec![
            format!("DROP TABLE {}", r.name(schema, &from.name)),
            create_table(&r.name(schema, &to.name), to, false),
        ],
        Change::RenameTable { schema, from, to } => vec![format!(
            "ALTER TABLE {} RENAME {}",
            r.name(schema, from),
            ident(to)
        )],
        Change::AddColumn { table, column } => {
            r.add_column(table, column, &ColumnPosition::Last, false)
        }
        Change::AddColumnAt {
            table,
            column,
            position,
            tag,
        } => r.add_column(table, column, position, *tag),
        Change::DropColumn { table, column } | Change::DropColumnAt { table, column, .. } => {
            vec![format!(
                "ALTER TABLE {} DROP COLUMN {}",
                r.table(table),
                ident(&column.name)
            )]
        }
        Change::AlterColumn { table, from, to } => r.alter_column(table, from, to),
        Change::SetColumnComment {
            table, column, to, ..
        } => vec![format!(
            "COMMENT ON COLUMN {}.{} IS {}",
            r.table(table),
            ident(column),
            to.as_deref().map_or("NULL".to_string(), quote_string)
        )],
        Change::SetTableOptions { table, from, to } => r.set_table_options(table, from, to),
        Change::SetColumnIndexes {
            table,
            column,
            from,
            to,
        } => index_statements(&r.table(table), column, from, to),
        // Nothing else exists in GreptimeDB: its loader never produces these changes.
        _ => Vec::new(),
    }
}

struct Renderer<'a> {
    context: &'a RenderContext,
}

impl Renderer<'_> {
    fn unqualified(&self, schema: &str) -> bool {
        self.context.unqualified_schema.as_deref() == Some(schema)
    }

    fn name(&self, schema: &str, name: &str) -> String {
        if schema.is_empty() || self.context.unqualified_schema.as_deref() == Some(schema) {
            ident(name)
        } else {
            format!("{}.{}", ident(schema), ident(name))
        }
    }

    fn table(&self, table: &QualifiedName) -> String {
        self.name(&table.schema, &table.name)
    }

    fn add_column(
        &self,
        table: &QualifiedName,
        column: &Column,
        position: &ColumnPosition,
        tag: bool,
    ) -> Vec<String> {
        let name = self.table(table);
        let mut definition = column_type_and_null(column);
        if let Some(default) = &column.default {
            definition.push_str(&format!(" DEFAULT {default}"));
        }
        if tag {
            definition.push_str(" PRIMARY KEY");
        }
        match position {
            ColumnPosition::First => definition.push_str(" FIRST"),
            ColumnPosition::After(anchor) => {
                definition.push_str(&format!(" AFTER {}", ident(anchor)))
            }
            ColumnPosition::Last => {}
        }
        let mut statements = vec![format!(
            "ALTER TABLE {name} ADD COLUMN {} {definition}",
            ident(&column.name)
        )];
        if let Some(comment) = &column.comment {
            statements.push(format!(
                "COMMENT ON COLUMN {name}.{} IS {}",
                ident(&column.name),
                quote_string(comment)
            ));
        }
        if let Some(indexes) = &column.greptime {
            statements.extend(index_statements(
                &name,
                &column.name,
                &ColumnIndexes::default(),
                indexes,
            ));
        }
        statements
    }

    fn alter_column(&self, table: &QualifiedName, from: &Column, to: &Column) -> Vec<String> {
        let prefix = format!(
            "ALTER TABLE {} MODIFY COLUMN {}",
            self.table(table),
            ident(&to.name)
        );
        let mut statements = Vec::new();
        if from.data_type != to.data_type {
            statements.push(format!("{prefix} {}", to.data_type));
        }
        if from.default != to.default {
            statements.push(match &to.default {
                Some(default) => format!("{prefix} SET DEFAULT {default}"),
                None => format!("{prefix} DROP DEFAULT"),
            });
        }
        statements
    }

    fn set_table_options(
        &self,
        table: &QualifiedName,
        from: &BTreeMap<String, String>,
        to: &BTreeMap<String, String>,
    ) -> Vec<String> {
        let name = self.table(table);
        let mut statements = Vec::new();
        let comment = |m: &BTreeMap<String, String>| m.get("comment").cloned();
        if comment(from) != comment(to) {
            statements.push(format!(
                "COMMENT ON TABLE {name} IS {}",
                comment(to)
                    .as_deref()
                    .map_or("NULL".to_string(), quote_string)
            ));
        }
        let without_comment = |m: &BTreeMap<String, String>| {
            let mut m = m.clone();
            m.remove("comment");
            m
        };
        statements.extend(option_statements(
            &format!("ALTER TABLE {name}"),
            &without_comment(from),
            &without_comment(to),
        ));
        statements
    }
}

/// `… SET 'k' = 'v', …` for options added or changed, `… UNSET 'k', …` for those removed.
fn option_statements(
    prefix: &str,
    from: &BTreeMap<String, String>,
    to: &BTreeMap<String, String>,
) -> Vec<String> {
    let set: Vec<String> = to
        .iter()
        .filter(|(k, v)| from.get(*k) != Some(v))
        .map(|(k, v)| format!("{} = {}", quote_string(k), quote_string(v)))
        .collect();
    let unset: Vec<String> = from
        .keys()
        .filter(|k| !to.contains_key(*k))
        .map(|k| quote_string(k))
        .collect();
    let mut statements = Vec::new();
    if !unset.is_empty() {
        statements.push(format!("{prefix} UNSET {}", unset.join(", ")));
    }
    if !set.is_empty() {
        statements.push(format!("{prefix} SET {}", set.join(", ")));
    }
    statements
}

/// `MODIFY COLUMN c SET|UNSET … INDEX` statements from `from` to `to`. A FULLTEXT index whose
/// analyzer or case sensitivity changes is unset first: the server refuses that in one step.
fn index_statements(
    table: &str,
    column: &str,
    from: &ColumnIndexes,
    to: &ColumnIndexes,
) -> Vec<String> {
    let prefix = format!("ALTER TABLE {table} MODIFY COLUMN {}", ident(column));
    let mut statements = Vec::new();
    let mut clause = |kind: &str,
                      old: Option<&BTreeMap<String, String>>,
                      new: Option<&BTreeMap<String, String>>,
                      unset_first: bool| {
        match (old, new) {
            (Some(_), None) => statements.push(format!("{prefix} UNSET {kind} INDEX")),
            (old, Some(new)) if old != Some(new) => {
                if old.is_some() && unset_first {
                    statements.push(format!("{prefix} UNSET {kind} INDEX"));
                }
                statements.push(format!("{prefix} SET {kind} INDEX{}", with_options(new)));
            }
            _ => {}
        }
    };
    let fixed = |m: Option<&BTreeMap<String, String>>| {
        m.map(|m| (m.get("analyzer").cloned(), m.get("case_sensitive").cloned()))
    };
    let refit = fixed(from.fulltext.as_ref()) != fixed(to.fulltext.as_ref());
    clause(
        "FULLTEXT",
        from.fulltext.as_ref(),
        to.fulltext.as_ref(),
        refit,
    );
    clause(
        "SKIPPING",
        from.skipping.as_ref(),
        to.skipping.as_ref(),
        false,
    );
    if from.inverted != to.inverted {
        let verb = if to.inverted { "SET" } else { "UNSET" };
        statements.push(format!("{prefix} {verb} INVERTED INDEX"));
    }
    statements
}

/// ` WITH(k = 'v', …)` (keys sorted), or nothing for no options.
fn with_options(options: &BTreeMap<String, String>) -> String {
    if options.is_empty() {
        return String::new();
    }
    let pairs: Vec<String> = options
        .iter()
        .map(|(k, v)| format!("{k} = {}", quote_string(v)))
        .collect();
    format!(" WITH({})", pairs.join(", "))
}

fn ident(name: &str) -> String {
    quote_ident(name, QUOTE)
}

fn column_type_and_null(column: &Column) -> String {
    let null = if column.nullable { "NULL" } else { "NOT NULL" };
    format!("{} {null}", column.data_type)
}

/// A column line of CREATE TABLE, as SHOW CREATE TABLE prints it.
fn column_line(column: &Column, quote: char) -> String {
    let mut line = format!(
        "{} {}",
        quote_ident(&column.name, quote),
        column_type_and_null(column)
    );
    if let Some(default) = &column.default {
        line.push_str(&format!(" DEFAULT {default}"));
    }
    if let Some(comment) = &column.comment {
        line.push_str(&format!(" COMMENT {}", quote_string(comment)));
    }
    if let Some(indexes) = &column.greptime {
        if let Some(options) = &indexes.fulltext {
            line.push_str(&format!(" FULLTEXT INDEX{}", with_options(options)));
        }
        if let Some(options) = &indexes.skipping {
            line.push_str(&format!(" SKIPPING INDEX{}", with_options(options)));
        }
        if indexes.inverted {
            line.push_str(" INVERTED INDEX");
        }
        if let Some(options) = &indexes.vector {
            line.push_str(&format!(" VECTOR INDEX{}", with_options(options)));
        }
    }
    line
}

/// CREATE TABLE for `table` named `name` (already quoted), laid out as SHOW CREATE TABLE lays
/// it out; `if_not_exists` adds the server's `IF NOT EXISTS`.
pub fn create_table(name: &str, table: &Table, if_not_exists: bool) -> String {
    create_table_quoted(name, table, if_not_exists, QUOTE)
}

/// As the server's SHOW CREATE TABLE prints `table` over a protocol quoting with `quote`.
pub fn show_create_table(table: &Table, quote: char) -> String {
    create_table_quoted(&quote_ident(&table.name, quote), table, true, quote)
}

fn create_table_quoted(name: &str, table: &Table, if_not_exists: bool, quote: char) -> String {
    let q = |s: &str| quote_ident(s, quote);
    let mut lines: Vec<String> = table
        .columns
        .iter()
        .map(|c| column_line(c, quote))
        .collect();
    let greptime = table.greptime.clone().unwrap_or_default();
    lines.push(format!("TIME INDEX ({})", q(&greptime.time_index)));
    if let Some(key) = &table.primary_key {
        let columns: Vec<String> = key.columns.iter().map(|c| q(c)).collect();
        lines.push(format!("PRIMARY KEY ({})", columns.join(", ")));
    }
    let exists = if if_not_exists { "IF NOT EXISTS " } else { "" };
    let mut text = format!(
        "CREATE TABLE {exists}{name} (\n  {}\n)\n",
        lines.join(",\n  ")
    );
    match &greptime.partition {
        Some(partition) => {
            let columns: Vec<String> = partition.columns.iter().map(|c| q(c)).collect();
            text.push_str(&format!(
                "PARTITION ON COLUMNS ({}) (\n",
                columns.join(", ")
            ));
            if !partition.rules.is_empty() {
                text.push_str(&format!("  {}\n", partition.rules.join(",\n  ")));
            }
            text.push_str(")\n");
        }
        None => text.push('\n'),
    }
    text.push_str(&format!("ENGINE={}", greptime.engine));
    if !greptime.options.is_empty() {
        let pairs: Vec<String> = greptime
            .options
            .iter()
            .map(|(k, v)| {
                let key = if k.contains('.') {
                    quote_string(k)
                } else {
                    k.clone()
                };
                format!("{key} = '{}'", v.escape_debug())
            })
            .collect();
        text.push_str(&format!("\nWITH(\n  {}\n)", pairs.join(",\n  ")));
    }
    text
}
