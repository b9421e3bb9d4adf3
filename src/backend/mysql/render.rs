//! Rendering changes as MySQL/MariaDB DDL: `ALTER TABLE … ADD/MODIFY/DROP COLUMN`, indexes,
//! constraints and table options, with backquoted identifiers.

use super::auto_increment;
use super::ddl::PRIMARY;
use super::partitions;
use crate::backend::RenderContext;
use crate::model::{Change, Check, Column, ForeignKey, Index, QualifiedName, Table};
use std::collections::BTreeMap;

pub fn quote(name: &str) -> String {
    format!("`{}`", name.replace('`', "``"))
}

fn string(text: &str) -> String {
    format!("'{}'", text.replace('\\', "\\\\").replace('\'', "''"))
}

fn table_name(name: &QualifiedName, context: &RenderContext) -> String {
    if name.schema.is_empty() || context.unqualified_schema.as_deref() == Some(name.schema.as_str())
    {
        quote(&name.name)
    } else {
        format!("{}.{}", quote(&name.schema), quote(&name.name))
    }
}

pub fn render(change: &Change, context: &RenderContext) -> Vec<String> {
    if let Some(sql) = super::events::render(change, context) {
        return sql;
    }
    let t = |name: &QualifiedName| table_name(name, context);
    let q = |schema: &str, name: &str| t(&QualifiedName::new(schema, name));
    match change {
        // `IF NOT EXISTS`: apply creates the connection's database before it `USE`s it.
        Change::CreateSchema { name } => {
            vec![format!("CREATE DATABASE IF NOT EXISTS {}", quote(name))]
        }
        Change::DropSchema { name } => vec![format!("DROP DATABASE {}", quote(name))],
        Change::CreateTable { schema, table } => vec![create_table(
            &q(schema, &table.name),
            table,
            schema,
            context,
        )],
        Change::DropTable { schema, table } => {
            vec![format!("DROP TABLE {}", q(schema, &table.name))]
        }
        Change::RenameTable { schema, from, to } => {
            vec![format!(
                "RENAME TABLE {} TO {}",
                q(schema, from),
                q(schema, to)
            )]
        }
        // An AUTO_INCREMENT column must be the first column of a key the moment it is added;
        // a placeholder index holds it until the primary key comes (see AddPrimaryKey).
        Change::AddColumn { table, column } if column.identity.is_some() => vec![format!(
            "ALTER TABLE {} ADD COLUMN {}, ADD INDEX {} ({})",
            t(table),
            column_definition(column),
            quote(&auto_increment::placeholder(&column.name)),
            quote(&column.name)
        )],
        Change::AddColumn { table, column } => {
            vec![format!(
                "ALTER TABLE {} ADD COLUMN {}",
                t(table),
                column_definition(column)
            )]
        }
        Change::DropColumn { table, column } => {
            vec![format!(
                "ALTER TABLE {} DROP COLUMN {}",
                t(table),
                quote(&column.name)
            )]
        }
        Change::RenameColumn { table, from, to } => vec![format!(
            "ALTER TABLE {} RENAME COLUMN {} TO {}",
            t(table),
            quote(from),
            quote(to)
        )],
        // MariaDB cannot MODIFY a generated column's expression or storage: drop and add.
        Change::AlterColumn { table, from, to }
            if from.generated.is_some() || to.generated.is_some() =>
        {
            vec![format!(
                "ALTER TABLE {} DROP COLUMN {}, ADD COLUMN {}",
                t(table),
                quote(&from.name),
                column_definition(to)
            )]
        }
        Change::AlterColumn { table, from, to } => {
            vec![format!(
                "ALTER TABLE {} MODIFY COLUMN {}{}",
                t(table),
                column_definition(to),
                auto_increment::release_clause(from, to).unwrap_or_default()
            )]
        }
        Change::RenameIndex { table, from, to } => vec![format!(
            "ALTER TABLE {} RENAME INDEX {} TO {}",
            t(table),
            quote(from),
            quote(to)
        )],
        Change::RenameConstraint { table, from, to } => vec![format!(
            "ALTER TABLE {} RENAME INDEX {} TO {}",
            t(table),
            quote(from),
            quote(to)
        )],
        Change::AddPrimaryKey { table, key } => vec![format!(
            "ALTER TABLE {} ADD PRIMARY KEY ({}), DROP INDEX IF EXISTS {}",
            t(table),
            list(&key.columns),
            quote(&auto_increment::placeholder(
                key.columns.first().map_or("", String::as_str)
            ))
        )],
        Change::DropPrimaryKey { table, key } => vec![auto_increment::drop_primary_key(
            &t(table),
            table,
            key,
            context,
        )],
        Change::AddUnique { table, unique } => vec![format!(
            "ALTER TABLE {} ADD CONSTRAINT {} UNIQUE ({})",
            t(table),
            quote(&unique.name),
            list(&unique.columns)
        )],
        Change::DropUnique { table, unique } => {
            vec![format!(
                "ALTER TABLE {} DROP INDEX {}",
                t(table),
                quote(&unique.name)
            )]
        }
        Change::AddCheck { table, check } => {
            vec![format!(
                "ALTER TABLE {} ADD {}",
                t(table),
                check_clause(check)
            )]
        }
        // `IF EXISTS`: a column-level check (MariaDB names it after its column) cannot be
        // dropped by name; the `MODIFY COLUMN` that restates its column drops it (see the diff).
        Change::DropCheck { table, check } => {
            vec![format!(
                "ALTER TABLE {} DROP CONSTRAINT IF EXISTS {}",
                t(table),
                quote(&check.name)
            )]
        }
        Change::AddForeignKey { table, foreign_key } => vec![format!(
            "ALTER TABLE {} ADD {}",
            t(table),
            foreign_key_clause(foreign_key, &table.schema, context)
        )],
        Change::DropForeignKey { table, foreign_key } => vec![format!(
            "ALTER TABLE {} DROP FOREIGN KEY {}{}",
            t(table),
            quote(&foreign_key.name),
            super::foreign_keys::keep_index_clauses(foreign_key)
        )],
        Change::CreateIndex { table, index } => vec![format!(
            "CREATE {}INDEX {} ON {} ({})",
            index_kind(index),
            quote(&index.name),
            t(table),
            index_keys(index)
        )],
        Change::DropIndex { table, index } => {
            vec![format!("DROP INDEX {} ON {}", quote(&index.name), t(table))]
        }
        Change::SetTableOptions { table, from, to } => {
            let clauses = option_changes(from, to);
            if clauses.is_empty() {
                Vec::new()
            } else {
                vec![format!("ALTER TABLE {} {}", t(table), clauses.join(" "))]
            }
        }
        Change::SetPartitioning { table, from, to } => {
            partitions::statements(&t(table), from.as_ref(), to.as_ref())
        }
        Change::CreateView { schema, view } => {
            vec![super::views::create_statement(
                &q(schema, &view.name),
                view,
                false,
            )]
        }
        Change::ReplaceView { schema, to, .. } => {
            vec![super::views::create_statement(
                &q(schema, &to.name),
                to,
                true,
            )]
        }
        Change::DropView { schema, view } => {
            vec![super::views::drop_statement(&q(schema, &view.name))]
        }
        Change::SetTableComment { table, to, .. } => vec![format!(
            "ALTER TABLE {} COMMENT = {}",
            t(table),
            string(to.as_deref().unwrap_or(""))
        )],
        Change::CreateTrigger { table, trigger } => {
            vec![super::triggers::create_sql(&t(table), trigger)]
        }
        Change::DropTrigger { table, trigger } => {
            let qualified = (!table.schema.is_empty()
                && context.unqualified_schema.as_deref() != Some(table.schema.as_str()))
            .then_some(table.schema.as_str());
            vec![super::triggers::drop_sql(qualified, trigger)]
        }
        _ => Vec::new(),
    }
}

fn list(columns: &[String]) -> String {
    columns
        .iter()
        .map(|c| quote(c))
        .collect::<Vec<_>>()
        .join(", ")
}

fn index_kind(index: &Index) -> &'static str {
    match index.method.as_str() {
        "fulltext" => "FULLTEXT ",
        "spatial" => "SPATIAL ",
        _ if index.unique => "UNIQUE ",
        _ => "",
    }
}

fn index_keys(index: &Index) -> String {
    index
        .keys
        .iter()
        .map(|key| {
            let target = if key.expression {
                match key.target.split_once('(') {
                    Some((column, rest)) => format!("{}({rest}", quote(column)),
                    None => key.target.clone(),
                }
            } else {
                quote(&key.target)
            };
            if key.descending {
                format!("{target} DESC")
            } else {
                target
            }
        })
        .collect::<Vec<_>>()
        .join(", ")
}

fn check_clause(check: &Check) -> String {
    format!(
        "CONSTRAINT {} CHECK ({})",
        quote(&check.name),
        check.expression
    )
}

fn foreign_key_clause(fk: &ForeignKey, schema: &str, context: &RenderContext) -> String {
    let ref_schema = if fk.ref_schema.is_empty() {
        schema
    } else {
        &fk.ref_schema
    };
    let mut text = format!(
        "CONSTRAINT {} FOREIGN KEY ({}) REFERENCES {} ({})",
        quote(&fk.name),
        list(&fk.columns),
        table_name(
            &QualifiedName::new(ref_schema, fk.ref_table.clone()),
            context
        ),
        list(&fk.ref_columns)
    );
    if fk.on_delete != crate::model::ForeignKeyAction::Restrict
        && fk.on_delete != crate::model::ForeignKeyAction::NoAction
    {
        text.push_str(&format!(" ON DELETE {}", fk.on_delete.sql()));
    }
    if fk.on_update != crate::model::ForeignKeyAction::Restrict
        && fk.on_update != crate::model::ForeignKeyAction::NoAction
    {
        text.push_str(&format!(" ON UPDATE {}", fk.on_update.sql()));
    }
    text
}

/// A default as DDL: literals and `current_timestamp()` as they are, other expressions in
/// parentheses.
fn default_clause(default: &str) -> String {
    let literal = default.starts_with('\'')
        || default.starts_with("b'")
        || default.parse::<f64>().is_ok()
        || default.starts_with("current_timestamp");
    if literal {
        default.to_string()
    } else {
        format!("({default})")
    }
}

pub fn column_definition(column: &Column) -> String {
    let mut text = format!("{} {}", quote(&column.name), column.data_type);
    if let Some(collation) = &column.collation {
        text.push_str(&format!(" COLLATE {collation}"));
    }
    let extra = column.mysql.clone().unwrap_or_default();
    if let Some(generated) = &column.generated {
        let kind = if extra.stored { "STORED" } else { "VIRTUAL" };
        text.push_str(&format!(" GENERATED ALWAYS AS ({generated}) {kind}"));
    } else {
        text.push_str(if column.nullable {
            " NULL"
        } else {
            " NOT NULL"
        });
        if let Some(default) = &column.default {
            text.push_str(&format!(" DEFAULT {}", default_clause(default)));
        }
        if column.identity.is_some() {
            text.push_str(" AUTO_INCREMENT");
        }
        if let Some(on_update) = &extra.on_update {
            text.push_str(&format!(" ON UPDATE {on_update}"));
        }
    }
    if extra.invisible {
        text.push_str(" INVISIBLE");
    }
    if let Some(comment) = &extra.comment {
        text.push_str(&format!(" COMMENT {}", string(comment)));
    }
    text
}

fn create_table(name: &str, table: &Table, schema: &str, context: &RenderContext) -> String {
    let mut parts: Vec<String> = table.columns.iter().map(column_definition).collect();
    if let Some(key) = &table.primary_key {
        parts.push(format!("PRIMARY KEY ({})", list(&key.columns)));
    }
    for unique in &table.uniques {
        parts.push(format!(
            "CONSTRAINT {} UNIQUE ({})",
            quote(&unique.name),
            list(&unique.columns)
        ));
    }
    for index in &table.indexes {
        parts.push(format!(
            "{}KEY {} ({})",
            index_kind(index),
            quote(&index.name),
            index_keys(index)
        ));
    }
    for check in &table.checks {
        parts.push(check_clause(check));
    }
    for fk in &table.foreign_keys {
        parts.push(foreign_key_clause(fk, schema, context));
    }
    let options = table
        .mysql
        .as_ref()
        .map(|m| option_clauses(&m.options))
        .unwrap_or_default();
    let mut text = format!("CREATE TABLE {name} (\n  {}\n)", parts.join(",\n  "));
    if !options.is_empty() {
        text.push(' ');
        text.push_str(&options.join(" "));
    }
    if let Some(partitioning) = table.mysql.as_ref().and_then(|m| m.partitioning.as_ref()) {
        text.push(' ');
        text.push_str(&partitions::clause(partitioning));
    }
    let _ = PRIMARY;
    text
}

fn option_clause(key: &str, value: &str) -> String {
    match key {
        "engine" => format!("ENGINE={value}"),
        "collate" => format!("COLLATE={value}"),
        "comment" => format!("COMMENT={}", string(value)),
        other => format!("{}={value}", other.to_ascii_uppercase()),
    }
}

fn option_clauses(options: &BTreeMap<String, String>) -> Vec<String> {
    options.iter().map(|(k, v)| option_clause(k, v)).collect()
}

/// The clauses that turn one set of table options into another; a removed option goes back
/// to the server's default.
fn option_changes(from: &BTreeMap<String, String>, to: &BTreeMap<String, String>) -> Vec<String> {
    let mut clauses = Vec::new();
    for (key, value) in to {
        if from.get(key) != Some(value) {
            clauses.push(option_clause(key, value));
        }
    }
    for key in from.keys().filter(|k| !to.contains_key(*k)) {
        clauses.push(match key.as_str() {
            "engine" => "ENGINE=InnoDB".to_string(),
            "comment" => "COMMENT=''".to_string(),
            "collate" => "CHARACTER SET = DEFAULT".to_string(),
            other => format!("{}=DEFAULT", other.to_ascii_uppercase()),
        });
    }
    clauses
}
