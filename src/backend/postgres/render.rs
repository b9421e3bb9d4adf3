//! Rendering [`Change`]s as PostgreSQL statements.
//!
//! Our own printer rather than sqlparser's `Display`: it decides quoting, qualification and
//! statement order itself, so generated files read like hand-written DDL and replay exactly.

mod routines;

use super::expr::column_default_clause;
use super::names::serial_sequence_name;
use super::types::is_builtin_type;
mod domains;

use crate::backend::RenderContext;
use crate::diff::replaceable_in_place;
use crate::model::{
    Change, Check, Column, ColumnRef, CommentTarget, Enum, EnumPosition, Extension, ForeignKey,
    ForeignKeyAction, Identity, IdentityKind, Index, IndexKey, PrimaryKey, QualifiedName, Sequence,
    Table, Unique, View,
};

/// The SQL statements (without trailing `;`) that make `change` happen.
pub fn render(change: &Change, context: &RenderContext) -> Vec<String> {
    let r = Renderer { context };
    match change {
        Change::CreateSchema { name } => r.create_schema(name),
        Change::DropSchema { name } => r.drop_schema(name),
        Change::CreateExtension { extension } => vec![r.create_extension(extension)],
        Change::DropExtension { extension } => {
            vec![format!("DROP EXTENSION {}", ident(&extension.name))]
        }
        Change::CreateEnum { schema, value } => r.create_enum(schema, value),
        Change::DropEnum { schema, value } => {
            vec![format!("DROP TYPE {}", r.name(schema, &value.name))]
        }
        Change::AddEnumValue {
            schema,
            name,
            label,
            position,
        } => vec![r.add_enum_value(schema, name, label, position)],
        Change::RecreateEnum {
            schema,
            from,
            to,
            columns,
        } => r.recreate_enum(schema, from, to, columns),
        Change::RenameEnum { schema, from, to } => vec![format!(
            "ALTER TYPE {} RENAME TO {}",
            r.name(schema, from),
            ident(to)
        )],
        Change::CreateSequence { schema, sequence } => vec![r.create_sequence(schema, sequence)],
        Change::DropSequence { schema, sequence } => vec![r.drop_sequence(schema, sequence)],
        Change::AlterSequence { schema, from, to } => r.alter_sequence(schema, from, to),
        Change::CreateDomain { schema, domain } => r.create_domain(schema, domain),
        Change::DropDomain { schema, domain } => vec![r.drop_domain(schema, domain)],
        Change::AlterDomain { schema, from, to } => r.alter_domain(schema, from, to),
        Change::CreateTable { schema, table } => r.create_table(schema, table),
        Change::DropTable { schema, table } => {
            vec![format!("DROP TABLE {}", r.name(schema, &table.name))]
        }
        Change::RenameTable { schema, from, to } => vec![format!(
            "ALTER TABLE {} RENAME TO {}",
            r.name(schema, from),
            ident(to)
        )],
        Change::AddColumn { table, column } => r.add_column(table, column),
        Change::DropColumn { table, column } => vec![format!(
            "ALTER TABLE {} DROP COLUMN {}",
            r.table(table),
            ident(&column.name)
        )],
        Change::RenameColumn { table, from, to } => vec![format!(
            "ALTER TABLE {} RENAME COLUMN {} TO {}",
            r.table(table),
            ident(from),
            ident(to)
        )],
        Change::AlterColumn { table, from, to } => r.alter_column(table, from, to),
        Change::RenameConstraint { table, from, to } => vec![format!(
            "ALTER TABLE {} RENAME CONSTRAINT {} TO {}",
            r.table(table),
            ident(from),
            ident(to)
        )],
        Change::RenameIndex { table, from, to } => vec![format!(
            "ALTER INDEX {} RENAME TO {}",
            r.name(&table.schema, from),
            ident(to)
        )],
        Change::AddPrimaryKey { table, key } => {
            vec![r.add_constraint(table, &key.name, &primary_key_body(key))]
        }
        Change::AddUnique { table, unique } => {
            vec![r.add_constraint(table, &unique.name, &unique_body(unique))]
        }
        Change::AddCheck { table, check } => {
            vec![r.add_constraint(table, &check.name, &check_body(check))]
        }
        Change::AddForeignKey { table, foreign_key } => {
            vec![r.add_constraint(table, &foreign_key.name, &r.foreign_key_body(foreign_key))]
        }
        Change::DropPrimaryKey { table, key } => vec![r.drop_constraint(table, &key.name)],
        Change::DropUnique { table, unique } => vec![r.drop_constraint(table, &unique.name)],
        Change::DropCheck { table, check } => vec![r.drop_constraint(table, &check.name)],
        Change::DropForeignKey { table, foreign_key } => {
            vec![r.drop_constraint(table, &foreign_key.name)]
        }
        Change::CreateIndex { table, index } => vec![r.create_index(table, index)],
        Change::DropIndex { table, index } => {
            vec![format!("DROP INDEX {}", r.name(&table.schema, &index.name))]
        }
        Change::SetTableComment { table, to, .. } => vec![r.table_comment(table, to.as_deref())],
        Change::SetColumnComment {
            table, column, to, ..
        } => vec![r.column_comment(table, column, to.as_deref())],
        Change::SetComment { target, to, .. } => r
            .object_comment(target, to.as_deref())
            .into_iter()
            .collect(),
        Change::CreateView { schema, view } => r.create_view(schema, view),
        Change::DropView { schema, view } => vec![r.drop_view(schema, view)],
        Change::ReplaceView { schema, from, to } => r.replace_view(schema, from, to),
        Change::CreateFunction { schema, function } => r.create_function(schema, function),
        Change::DropFunction { schema, function } => vec![r.drop_function(schema, function)],
        Change::ReplaceFunction { schema, from, to } => r.replace_function(schema, from, to),
        Change::CreateTrigger { table, trigger } => r.create_trigger(table, trigger),
        Change::DropTrigger { table, trigger } => vec![r.drop_trigger(table, trigger)],
        // The GreptimeDB changes: the diff emits them only for tables and schemas that carry a
        // GreptimeDB slot. Those with a PostgreSQL meaning render it (the position is lost:
        // PostgreSQL always appends); options and index clauses have none and render nothing.
        Change::AddColumnAt { table, column, .. } => r.add_column(table, column),
        Change::DropColumnAt { table, column, .. } => vec![format!(
            "ALTER TABLE {} DROP COLUMN {}",
            r.table(table),
            ident(&column.name)
        )],
        Change::RecreateTable {
            schema, from, to, ..
        } => {
            let mut statements = vec![format!("DROP TABLE {}", r.name(schema, &from.name))];
            statements.extend(r.create_table(schema, to));
            statements
        }
        // GreptimeDB, MySQL and etcd changes have no PostgreSQL statement.
        Change::SetTableOptions { .. }
        | Change::SetPartitioning { .. }
        | Change::SetColumnIndexes { .. }
        | Change::SetDatabaseOptions { .. }
        | Change::PutKey { .. }
        | Change::DeleteKey { .. }
        | Change::CreateEvent { .. }
        | Change::DropEvent { .. }
        | Change::AlterEvent { .. } => Vec::new(),
    }
}

/// Names objects for one [`RenderContext`].
struct Renderer<'a> {
    context: &'a RenderContext,
}

impl Renderer<'_> {
    /// Whether objects of `schema` are written without their schema.
    fn unqualified(&self, schema: &str) -> bool {
        schema.is_empty() || self.context.unqualified_schema.as_deref() == Some(schema)
    }

    /// `schema.name`, or just `name` for the unqualified schema.
    fn name(&self, schema: &str, name: &str) -> String {
        if self.unqualified(schema) {
            ident(name)
        } else {
            format!("{}.{}", ident(schema), ident(name))
        }
    }

    fn table(&self, table: &QualifiedName) -> String {
        self.name(&table.schema, &table.name)
    }

    /// A column type as written in DDL: an unqualified user type (an enum of the table's own
    /// schema, as the context knows them) is qualified with that schema when names are qualified.
    /// Any other type — built in, or from an extension such as `citext` — stays as written.
    fn column_type(&self, schema: &str, data_type: &str) -> String {
        let (base, array_suffix) = split_array_suffix(data_type);
        let name = base
            .strip_prefix('"')
            .and_then(|quoted| quoted.strip_suffix('"'))
            .unwrap_or(base);
        let user_type = QualifiedName::new(schema, name);
        if self.unqualified(schema) || !self.context.user_types.contains(&user_type) {
            return data_type.to_string();
        }
        format!("{}.{}{array_suffix}", ident(schema), ident(name))
    }

    fn create_schema(&self, name: &str) -> Vec<String> {
        // The unqualified schema is chosen at apply time and exists before the migration runs.
        if self.unqualified(name) {
            return Vec::new();
        }
        vec![format!("CREATE SCHEMA IF NOT EXISTS {}", ident(name))]
    }

    fn drop_schema(&self, name: &str) -> Vec<String> {
        if self.unqualified(name) {
            return Vec::new();
        }
        vec![format!("DROP SCHEMA {}", ident(name))]
    }

    fn create_extension(&self, extension: &Extension) -> String {
        let mut sql = format!("CREATE EXTENSION IF NOT EXISTS {}", ident(&extension.name));
        if let Some(schema) = extension.schema.as_deref().filter(|s| !self.unqualified(s)) {
            sql.push_str(&format!(" SCHEMA {}", ident(schema)));
        }
        sql
    }

    fn create_enum(&self, schema: &str, value: &Enum) -> Vec<String> {
        let name = self.name(schema, &value.name);
        let mut statements = vec![create_enum_statement(&name, &value.values)];
        if let Some(comment) = &value.comment {
            statements.push(format!("COMMENT ON TYPE {name} IS {}", literal(comment)));
        }
        statements
    }

    fn add_enum_value(
        &self,
        schema: &str,
        name: &str,
        label: &str,
        position: &EnumPosition,
    ) -> String {
        let placement = match position {
            EnumPosition::Last => String::new(),
            EnumPosition::Before(other) => format!(" BEFORE {}", literal(other)),
            EnumPosition::After(other) => format!(" AFTER {}", literal(other)),
        };
        format!(
            "ALTER TYPE {} ADD VALUE {}{placement}",
            self.name(schema, name),
            literal(label)
        )
    }

    /// Renames the old type to `{name}__old`, creates the new one, converts each column through
    /// `text` (which fails on a row holding a removed label), and drops the old type. A column's
    /// default is typed with the old enum, so it is dropped before the conversion and set again
    /// after it.
    fn recreate_enum(
        &self,
        schema: &str,
        from: &Enum,
        to: &Enum,
        columns: &[ColumnRef],
    ) -> Vec<String> {
        let old_name = format!("{}__old", from.name);
        let new_type = self.name(schema, &to.name);
        let mut statements = vec![
            format!(
                "ALTER TYPE {} RENAME TO {}",
                self.name(schema, &from.name),
                ident(&old_name)
            ),
            create_enum_statement(&new_type, &to.values),
        ];
        for column in columns {
            statements.extend(self.convert_enum_column(column, &new_type));
        }
        statements.push(format!("DROP TYPE {}", self.name(schema, &old_name)));
        if to.comment.is_some() {
            statements.push(format!(
                "COMMENT ON TYPE {new_type} IS {}",
                comment_literal(to.comment.as_deref())
            ));
        }
        statements
    }

    /// `ALTER COLUMN … TYPE new USING col::text::new` (`text[]` for an array of the enum),
    /// between dropping and restoring the column's default.
    fn convert_enum_column(&self, column: &ColumnRef, new_type: &str) -> Vec<String> {
        let alter = format!(
            "ALTER TABLE {} ALTER COLUMN {}",
            self.table(&column.table),
            ident(&column.column)
        );
        let (_, array_suffix) = split_array_suffix(&column.data_type);
        let mut statements = Vec::new();
        if column.default.is_some() {
            statements.push(format!("{alter} DROP DEFAULT"));
        }
        statements.push(format!(
            "{alter} TYPE {new_type}{array_suffix} USING {}::text{array_suffix}::{new_type}{array_suffix}",
            ident(&column.column)
        ));
        if let Some(default) = &column.default {
            statements.push(format!("{alter} SET DEFAULT {default}"));
        }
        statements
    }

    fn create_sequence(&self, schema: &str, sequence: &Sequence) -> String {
        let mut sql = format!("CREATE SEQUENCE {}", self.name(schema, &sequence.name));
        if sequence.data_type != "bigint" {
            sql.push_str(&format!(" AS {}", sequence.data_type));
        }
        let options = [
            sequence.increment.map(|n| format!("INCREMENT BY {n}")),
            sequence.min_value.map(|n| format!("MINVALUE {n}")),
            sequence.max_value.map(|n| format!("MAXVALUE {n}")),
            sequence.start.map(|n| format!("START WITH {n}")),
            sequence.cache.map(|n| format!("CACHE {n}")),
            sequence.cycle.then(|| "CYCLE".to_string()),
            sequence
                .owned_by
                .as_deref()
                .map(|owner| format!("OWNED BY {}", self.sequence_owner(schema, owner))),
        ];
        for option in options.into_iter().flatten() {
            sql.push(' ');
            sql.push_str(&option);
        }
        sql
    }

    /// An owned sequence goes away with its owning column, which the plan may drop first (when
    /// the column's default draws from the sequence, neither can go before the other): hence
    /// `IF EXISTS` for those.
    fn drop_sequence(&self, schema: &str, sequence: &Sequence) -> String {
        let if_exists = if sequence.owned_by.is_some() {
            "IF EXISTS "
        } else {
            ""
        };
        format!(
            "DROP SEQUENCE {if_exists}{}",
            self.name(schema, &sequence.name)
        )
    }

    /// One `ALTER SEQUENCE` listing every option that differs; an option that went back to the
    /// server's default is reset explicitly (`NO MINVALUE`, `CACHE 1`, …).
    fn alter_sequence(&self, schema: &str, from: &Sequence, to: &Sequence) -> Vec<String> {
        let mut options = Vec::new();
        if from.data_type != to.data_type {
            options.push(format!("AS {}", to.data_type));
        }
        if from.increment != to.increment {
            options.push(format!("INCREMENT BY {}", to.increment.unwrap_or(1)));
        }
        if from.min_value != to.min_value {
            options.push(
                to.min_value
                    .map_or("NO MINVALUE".into(), |n| format!("MINVALUE {n}")),
            );
        }
        if from.max_value != to.max_value {
            options.push(
                to.max_value
                    .map_or("NO MAXVALUE".into(), |n| format!("MAXVALUE {n}")),
            );
        }
        if from.start != to.start {
            options.push(format!(
                "START WITH {}",
                to.start.unwrap_or_else(|| default_start(to))
            ));
        }
        if from.cache != to.cache {
            options.push(format!("CACHE {}", to.cache.unwrap_or(1)));
        }
        if from.cycle != to.cycle {
            options.push(if to.cycle { "CYCLE" } else { "NO CYCLE" }.to_string());
        }
        if from.owned_by != to.owned_by {
            options.push(match to.owned_by.as_deref() {
                Some(owner) => format!("OWNED BY {}", self.sequence_owner(schema, owner)),
                None => "OWNED BY NONE".to_string(),
            });
        }
        if options.is_empty() {
            return Vec::new();
        }
        vec![format!(
            "ALTER SEQUENCE {} {}",
            self.name(schema, &to.name),
            options.join(" ")
        )]
    }

    /// `OWNED BY`'s `table.column` of the sequence's schema, as `schema.table.column`.
    fn sequence_owner(&self, schema: &str, owner: &str) -> String {
        match owner.split_once('.') {
            Some((table, column)) => format!("{}.{}", self.name(schema, table), ident(column)),
            None => ident(owner),
        }
    }

    fn create_table(&self, schema: &str, table: &Table) -> Vec<String> {
        let name = QualifiedName::new(schema, &table.name);
        let mut lines: Vec<String> = table
            .columns
            .iter()
            .map(|column| self.column_definition(schema, column))
            .collect();
        lines.extend(
            table
                .primary_key
                .iter()
                .map(|key| format!("CONSTRAINT {} {}", ident(&key.name), primary_key_body(key))),
        );
        lines.extend(
            table
                .uniques
                .iter()
                .map(|u| format!("CONSTRAINT {} {}", ident(&u.name), unique_body(u))),
        );
        lines.extend(
            table
                .checks
                .iter()
                .map(|c| format!("CONSTRAINT {} {}", ident(&c.name), check_body(c))),
        );
        lines.extend(table.foreign_keys.iter().map(|fk| {
            format!(
                "CONSTRAINT {} {}",
                ident(&fk.name),
                self.foreign_key_body(fk)
            )
        }));
        let body = if lines.is_empty() {
            "()".to_string()
        } else {
            format!("(\n    {}\n)", lines.join(",\n    "))
        };
        let mut statements = vec![format!("CREATE TABLE {} {body}", self.table(&name))];
        statements.extend(
            table
                .indexes
                .iter()
                .map(|index| self.create_index(&name, index)),
        );
        if table.comment.is_some() {
            statements.push(self.table_comment(&name, table.comment.as_deref()));
        }
        statements.extend(table.columns.iter().filter_map(|column| {
            column
                .comment
                .as_deref()
                .map(|comment| self.column_comment(&name, &column.name, Some(comment)))
        }));
        statements
    }

    /// `name type [COLLATE] [GENERATED …] [DEFAULT …] [NOT NULL]`.
    fn column_definition(&self, schema: &str, column: &Column) -> String {
        let mut sql = format!(
            "{} {}",
            ident(&column.name),
            self.column_type(schema, &column.data_type)
        );
        if let Some(collation) = &column.collation {
            sql.push_str(&format!(" COLLATE {}", collation_name(collation)));
        }
        if let Some(expression) = &column.generated {
            sql.push_str(&format!(" GENERATED ALWAYS AS ({expression}) STORED"));
        }
        if let Some(identity) = &column.identity {
            sql.push(' ');
            sql.push_str(&identity_clause(identity));
        }
        if let Some(default) = &column.default {
            sql.push_str(&format!(" DEFAULT {}", column_default_clause(default)));
        }
        if !column.nullable {
            sql.push_str(" NOT NULL");
        }
        sql
    }

    fn add_column(&self, table: &QualifiedName, column: &Column) -> Vec<String> {
        let mut statements = vec![format!(
            "ALTER TABLE {} ADD COLUMN {}",
            self.table(table),
            self.column_definition(&table.schema, column)
        )];
        if let Some(comment) = column.comment.as_deref() {
            statements.push(self.column_comment(table, &column.name, Some(comment)));
        }
        statements
    }

    /// One statement per attribute that differs, ordered so each one is valid when it runs:
    /// what is removed goes first (expression, identity, default, NOT NULL), then the type,
    /// then what is added (default, NOT NULL — which identity needs —, identity).
    fn alter_column(&self, table: &QualifiedName, from: &Column, to: &Column) -> Vec<String> {
        if to.generated.is_some() && from.generated != to.generated {
            return self.replace_generated_column(table, to);
        }
        let alter = format!(
            "ALTER TABLE {} ALTER COLUMN {}",
            self.table(table),
            ident(&to.name)
        );
        let type_changes = from.data_type != to.data_type || from.collation != to.collation;
        // A default the server must cast along with a `USING` conversion fails the type change
        // (`'a'` of a text column becoming an enum): it is dropped first and set again after.
        let default_changes = from.default != to.default
            || (from.default.is_some()
                && from.data_type != to.data_type
                && type_family(&from.data_type) != type_family(&to.data_type));
        let mut clauses = Vec::new();
        if from.generated.is_some() && to.generated.is_none() {
            clauses.push("DROP EXPRESSION".to_string());
        }
        if from.identity.is_some() && to.identity.is_none() {
            clauses.push("DROP IDENTITY".to_string());
        }
        if from.default.is_some() && default_changes && (to.default.is_none() || type_changes) {
            clauses.push("DROP DEFAULT".to_string());
        }
        if to.nullable && !from.nullable {
            clauses.push("DROP NOT NULL".to_string());
        }
        if type_changes {
            clauses.push(self.type_clause(&table.schema, from, to));
        }
        if let Some(default) = to.default.as_deref().filter(|_| default_changes) {
            clauses.push(format!("SET DEFAULT {default}"));
        }
        if !to.nullable && from.nullable {
            clauses.push("SET NOT NULL".to_string());
        }
        clauses.extend(identity_changes(
            from.identity.as_ref(),
            to.identity.as_ref(),
        ));
        let mut statements: Vec<String> = clauses
            .into_iter()
            .map(|clause| format!("{alter} {clause}"))
            .collect();
        if let (Some(_), Some(integer)) = (
            serial_integer(&from.data_type),
            serial_integer(&to.data_type),
        ) && from.data_type != to.data_type
        {
            statements.push(format!(
                "ALTER SEQUENCE {} AS {integer}",
                self.name(&table.schema, &serial_sequence_name(&table.name, &to.name))
            ));
        }
        statements
    }

    /// `TYPE new [COLLATE c] [USING col::new]`: the cast is spelled out when the type family
    /// changes, where PostgreSQL has no implicit assignment cast.
    fn type_clause(&self, schema: &str, from: &Column, to: &Column) -> String {
        // `serial` is no type: only its integer is, and the sequence follows apart.
        let new_type = match serial_integer(&to.data_type) {
            Some(integer) => integer.to_string(),
            None => self.column_type(schema, &to.data_type),
        };
        let mut clause = format!("TYPE {new_type}");
        if let Some(collation) = &to.collation {
            clause.push_str(&format!(" COLLATE {}", collation_name(collation)));
        }
        if type_family(&from.data_type) != type_family(&to.data_type) {
            // Between two user types (enums) there is no cast but through text.
            let user_type = |t: &str| !is_builtin_type(t);
            let via = if user_type(&from.data_type) && user_type(&to.data_type) {
                format!("::text{}", split_array_suffix(&from.data_type).1)
            } else {
                String::new()
            };
            clause.push_str(&format!(" USING {}{via}::{new_type}", ident(&to.name)));
        }
        clause
    }

    /// PostgreSQL cannot turn a column into a generated one, nor (before 17) change a generation
    /// expression, in place: the column is dropped and added again, which loses its data — the
    /// values are recomputed anyway — and any index or constraint on it.
    fn replace_generated_column(&self, table: &QualifiedName, to: &Column) -> Vec<String> {
        let mut statements = vec![format!(
            "-- cannot change a generation expression in place\nALTER TABLE {} DROP COLUMN {}",
            self.table(table),
            ident(&to.name)
        )];
        statements.extend(self.add_column(table, to));
        statements
    }

    fn add_constraint(&self, table: &QualifiedName, name: &str, body: &str) -> String {
        format!(
            "ALTER TABLE {} ADD CONSTRAINT {} {body}",
            self.table(table),
            ident(name)
        )
    }

    fn drop_constraint(&self, table: &QualifiedName, name: &str) -> String {
        format!(
            "ALTER TABLE {} DROP CONSTRAINT {}",
            self.table(table),
            ident(name)
        )
    }

    fn foreign_key_body(&self, fk: &ForeignKey) -> String {
        let mut sql = format!(
            "FOREIGN KEY ({}) REFERENCES {} ({})",
            ident_list(&fk.columns),
            self.name(&fk.ref_schema, &fk.ref_table),
            ident_list(&fk.ref_columns)
        );
        for (event, action) in [("DELETE", fk.on_delete), ("UPDATE", fk.on_update)] {
            if action != ForeignKeyAction::NoAction {
                sql.push_str(&format!(" ON {event} {}", action.sql()));
            }
        }
        sql.push_str(deferrable_clause(fk.deferrable, fk.initially_deferred));
        sql
    }

    fn create_index(&self, table: &QualifiedName, index: &Index) -> String {
        let mut sql = format!(
            "CREATE {}INDEX {} ON {}",
            if index.unique { "UNIQUE " } else { "" },
            ident(&index.name),
            self.table(table)
        );
        if !index.method.is_empty() && index.method != "btree" {
            sql.push_str(&format!(" USING {}", index.method));
        }
        let keys: Vec<String> = index.keys.iter().map(index_key).collect();
        sql.push_str(&format!(" ({})", keys.join(", ")));
        if !index.include.is_empty() {
            sql.push_str(&format!(" INCLUDE ({})", ident_list(&index.include)));
        }
        if index.nulls_not_distinct {
            sql.push_str(" NULLS NOT DISTINCT");
        }
        if let Some(predicate) = &index.predicate {
            sql.push_str(&format!(" WHERE {predicate}"));
        }
        sql
    }

    fn table_comment(&self, table: &QualifiedName, comment: Option<&str>) -> String {
        format!(
            "COMMENT ON TABLE {} IS {}",
            self.table(table),
            comment_literal(comment)
        )
    }

    fn column_comment(&self, table: &QualifiedName, column: &str, comment: Option<&str>) -> String {
        format!(
            "COMMENT ON COLUMN {}.{} IS {}",
            self.table(table),
            ident(column),
            comment_literal(comment)
        )
    }

    fn create_view(&self, schema: &str, view: &View) -> Vec<String> {
        let name = self.name(schema, &view.name);
        let mut statements = vec![format!(
            "CREATE {}VIEW {name} AS {}",
            materialized(view),
            view.definition
        )];
        if view.comment.is_some() {
            statements.push(self.view_comment(schema, view));
        }
        statements
    }

    fn drop_view(&self, schema: &str, view: &View) -> String {
        format!(
            "DROP {}VIEW {}",
            materialized(view),
            self.name(schema, &view.name)
        )
    }

    /// `CREATE OR REPLACE VIEW` when PostgreSQL accepts it — a plain view whose new select list
    /// starts with the old one —, otherwise the view is dropped and created again (with its
    /// comment). The check is made here, not only in the diff, because the inverse of an
    /// appended column removes it, which only a drop and create can do.
    fn replace_view(&self, schema: &str, from: &View, to: &View) -> Vec<String> {
        if !replaceable_in_place(from, to) {
            let mut statements = vec![self.drop_view(schema, from)];
            statements.extend(self.create_view(schema, to));
            return statements;
        }
        let mut statements = Vec::new();
        if from.definition != to.definition {
            statements.push(format!(
                "CREATE OR REPLACE VIEW {} AS {}",
                self.name(schema, &to.name),
                to.definition
            ));
        }
        if from.comment != to.comment {
            statements.push(self.view_comment(schema, to));
        }
        statements
    }

    /// `COMMENT ON SCHEMA|TYPE|VIEW`; nothing for the unqualified schema, which is only known
    /// at apply time.
    fn object_comment(&self, target: &CommentTarget, comment: Option<&str>) -> Option<String> {
        let object = match target {
            CommentTarget::Schema { name } if self.unqualified(name) => return None,
            CommentTarget::Schema { name } => format!("SCHEMA {}", ident(name)),
            CommentTarget::Type { name } => format!("TYPE {}", self.name(&name.schema, &name.name)),
            CommentTarget::View { name, materialized } => format!(
                "{}VIEW {}",
                if *materialized { "MATERIALIZED " } else { "" },
                self.name(&name.schema, &name.name)
            ),
            CommentTarget::Function { name, procedure } => {
                return Some(self.routine_comment(&name.schema, &name.name, *procedure, comment));
            }
            CommentTarget::Trigger { table, name } => {
                return Some(self.trigger_comment(table, name, comment));
            }
        };
        Some(format!(
            "COMMENT ON {object} IS {}",
            comment_literal(comment)
        ))
    }

    fn view_comment(&self, schema: &str, view: &View) -> String {
        format!(
            "COMMENT ON {}VIEW {} IS {}",
            materialized(view),
            self.name(schema, &view.name),
            comment_literal(view.comment.as_deref())
        )
    }
}

/// Where PostgreSQL starts a sequence whose start is not stated: at its minimum when ascending,
/// at its maximum when descending.
fn default_start(sequence: &Sequence) -> i64 {
    if sequence.increment.is_some_and(|n| n < 0) {
        sequence.max_value.unwrap_or(-1)
    } else {
        sequence.min_value.unwrap_or(1)
    }
}

fn create_enum_statement(name: &str, values: &[String]) -> String {
    let labels: Vec<String> = values.iter().map(|v| literal(v)).collect();
    format!("CREATE TYPE {name} AS ENUM ({})", labels.join(", "))
}

fn materialized(view: &View) -> &'static str {
    if view.materialized {
        "MATERIALIZED "
    } else {
        ""
    }
}

fn primary_key_body(key: &PrimaryKey) -> String {
    format!("PRIMARY KEY ({})", ident_list(&key.columns))
}

fn unique_body(unique: &Unique) -> String {
    format!(
        "UNIQUE{} ({}){}",
        if unique.nulls_not_distinct {
            " NULLS NOT DISTINCT"
        } else {
            ""
        },
        ident_list(&unique.columns),
        deferrable_clause(unique.deferrable, unique.initially_deferred)
    )
}

fn check_body(check: &Check) -> String {
    format!(
        "CHECK ({}){}",
        check.expression,
        if check.no_inherit { " NO INHERIT" } else { "" }
    )
}

fn deferrable_clause(deferrable: bool, initially_deferred: bool) -> &'static str {
    match (deferrable, initially_deferred) {
        (true, true) => " DEFERRABLE INITIALLY DEFERRED",
        (true, false) => " DEFERRABLE",
        (false, _) => "",
    }
}

fn identity_clause(identity: &Identity) -> String {
    let mut sql = format!("GENERATED {} AS IDENTITY", identity_kind(identity.kind));
    let options: Vec<String> = [
        identity.start.map(|n| format!("START WITH {n}")),
        identity.increment.map(|n| format!("INCREMENT BY {n}")),
    ]
    .into_iter()
    .flatten()
    .collect();
    if !options.is_empty() {
        sql.push_str(&format!(" ({})", options.join(" ")));
    }
    sql
}

fn identity_kind(kind: IdentityKind) -> &'static str {
    match kind {
        IdentityKind::Always => "ALWAYS",
        IdentityKind::ByDefault => "BY DEFAULT",
    }
}

/// The `ALTER COLUMN` clauses that add an identity or bring one in line with `to`.
fn identity_changes(from: Option<&Identity>, to: Option<&Identity>) -> Vec<String> {
    match (from, to) {
        (None, Some(to)) => vec![format!("ADD {}", identity_clause(to))],
        (Some(from), Some(to)) => {
            let mut clauses = Vec::new();
            if from.kind != to.kind {
                clauses.push(format!("SET GENERATED {}", identity_kind(to.kind)));
            }
            if from.start != to.start {
                clauses.push(format!("SET START WITH {}", to.start.unwrap_or(1)));
            }
            if from.increment != to.increment {
                clauses.push(format!("SET INCREMENT BY {}", to.increment.unwrap_or(1)));
            }
            clauses
        }
        _ => Vec::new(),
    }
}

fn index_key(key: &IndexKey) -> String {
    let mut sql = if key.expression {
        format!("({})", key.target)
    } else {
        ident(&key.target)
    };
    if let Some(collation) = &key.collation {
        sql.push_str(&format!(" COLLATE {}", collation_name(collation)));
    }
    if let Some(opclass) = &key.opclass {
        sql.push(' ');
        sql.push_str(opclass);
    }
    if key.descending {
        sql.push_str(" DESC");
    }
    match key.nulls_first {
        Some(true) => sql.push_str(" NULLS FIRST"),
        Some(false) => sql.push_str(" NULLS LAST"),
        None => {}
    }
    sql
}

/// A collation name, always quoted (`"C"`, `"en_US"`) unless already qualified or quoted.
fn collation_name(collation: &str) -> String {
    if collation.contains('"') || collation.contains('.') {
        collation.to_string()
    } else {
        format!("\"{collation}\"")
    }
}

/// `'text'` with embedded quotes doubled.
fn literal(text: &str) -> String {
    format!("'{}'", text.replace('\'', "''"))
}

fn comment_literal(comment: Option<&str>) -> String {
    comment.map_or_else(|| "NULL".to_string(), literal)
}

fn ident_list(names: &[String]) -> String {
    names
        .iter()
        .map(|n| ident(n))
        .collect::<Vec<_>>()
        .join(", ")
}

fn ident(name: &str) -> String {
    super::ident::quote(name)
}

/// The integer type behind a `serial` pseudo-type, which only `CREATE TABLE` and `ADD COLUMN`
/// accept.
fn serial_integer(data_type: &str) -> Option<&'static str> {
    match data_type {
        "smallserial" => Some("smallint"),
        "serial" => Some("integer"),
        "bigserial" => Some("bigint"),
        _ => None,
    }
}

/// `text[]` → (`text`, `[]`).
fn split_array_suffix(data_type: &str) -> (&str, &str) {
    let base = data_type.trim_end_matches("[]");
    (base, &data_type[base.len()..])
}

/// The type without modifiers: `character varying(255)` → `character varying`,
/// `timestamp(3) with time zone` → `timestamp with time zone`.
fn type_without_modifiers(data_type: &str) -> String {
    let (base, _) = split_array_suffix(data_type);
    let mut out = String::new();
    let mut depth = 0usize;
    for c in base.chars() {
        match c {
            '(' => depth += 1,
            ')' => depth = depth.saturating_sub(1),
            _ if depth == 0 => out.push(c),
            _ => {}
        }
    }
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Types between which PostgreSQL converts implicitly on `ALTER COLUMN … TYPE`; any other
/// change needs a `USING` cast.
fn type_family(data_type: &str) -> String {
    let base = type_without_modifiers(data_type);
    let family = match base.as_str() {
        "smallint" | "integer" | "bigint" | "smallserial" | "serial" | "bigserial" => "integer",
        "numeric" | "real" | "double precision" => "numeric",
        "text" | "character varying" | "character" => "text",
        "timestamp with time zone" | "timestamp without time zone" => "timestamp",
        "time with time zone" | "time without time zone" => "time",
        "bit" | "bit varying" => "bit",
        _ => return base,
    };
    let array = if data_type.ends_with("[]") { "[]" } else { "" };
    format!("{family}{array}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Model;

    /// Names qualified, with `core.user_role` the one user type.
    fn qualified() -> RenderContext {
        RenderContext {
            user_types: [QualifiedName::new("core", "user_role")].into(),
            ..RenderContext::default()
        }
    }

    fn unqualified(schema: &str) -> RenderContext {
        RenderContext::for_models(&[], Some(schema.to_string()))
    }

    fn column(name: &str, data_type: &str, nullable: bool) -> Column {
        Column {
            name: name.to_string(),
            data_type: data_type.to_string(),
            nullable,
            ..Column::default()
        }
    }

    fn users() -> QualifiedName {
        QualifiedName::new("core", "users")
    }

    fn one(change: Change) -> String {
        let statements = render(&change, &qualified());
        assert_eq!(statements.len(), 1, "{statements:?}");
        statements[0].clone()
    }

    fn users_table() -> Table {
        Table {
            name: "users".into(),
            columns: vec![
                Column {
                    identity: Some(Identity {
                        kind: IdentityKind::Always,
                        start: None,
                        increment: None,
                    }),
                    ..column("id", "bigint", false)
                },
                column("email", "text", false),
                Column {
                    default: Some("'member'".into()),
                    comment: Some("what the user may do".into()),
                    ..column("role", "user_role", false)
                },
                Column {
                    collation: Some("C".into()),
                    ..column("order", "character varying(20)", true)
                },
            ],
            primary_key: Some(PrimaryKey {
                name: "users_pkey".into(),
                columns: vec!["id".into()],
            }),
            uniques: vec![Unique {
                name: "users_email_key".into(),
                columns: vec!["email".into()],
                nulls_not_distinct: false,
                deferrable: false,
                initially_deferred: false,
            }],
            checks: vec![Check {
                name: "users_email_check".into(),
                expression: "email <> ''".into(),
                no_inherit: false,
            }],
            indexes: vec![Index {
                name: "users_role_idx".into(),
                keys: vec![IndexKey::column("role")],
                unique: false,
                method: "btree".into(),
                predicate: None,
                include: vec![],
                nulls_not_distinct: false,
            }],
            comment: Some("people who sign in".into()),
            ..Table::default()
        }
    }

    #[test]
    fn creates_a_table_with_named_constraints_indexes_and_comments() {
        let statements = render(
            &Change::CreateTable {
                schema: "core".into(),
                table: users_table(),
            },
            &qualified(),
        );
        assert_eq!(
            statements,
            vec![
                "CREATE TABLE core.users (\n    \
                 id bigint GENERATED ALWAYS AS IDENTITY NOT NULL,\n    \
                 email text NOT NULL,\n    \
                 role core.user_role DEFAULT 'member' NOT NULL,\n    \
                 \"order\" character varying(20) COLLATE \"C\",\n    \
                 CONSTRAINT users_pkey PRIMARY KEY (id),\n    \
                 CONSTRAINT users_email_key UNIQUE (email),\n    \
                 CONSTRAINT users_email_check CHECK (email <> '')\n)",
                "CREATE INDEX users_role_idx ON core.users (role)",
                "COMMENT ON TABLE core.users IS 'people who sign in'",
                "COMMENT ON COLUMN core.users.role IS 'what the user may do'",
            ]
        );
    }

    #[test]
    fn prints_the_unqualified_schema_without_qualification() {
        let statements = render(
            &Change::CreateTable {
                schema: "organization".into(),
                table: Table {
                    name: "members".into(),
                    columns: vec![column("role", "user_role[]", true)],
                    ..Table::default()
                },
            },
            &unqualified("organization"),
        );
        assert_eq!(
            statements,
            vec!["CREATE TABLE members (\n    role user_role[]\n)"]
        );
    }

    #[test]
    fn qualifies_an_enum_array_type_with_the_table_schema() {
        let sql = one(Change::AddColumn {
            table: users(),
            column: column("roles", "user_role[]", true),
        });
        assert_eq!(
            sql,
            "ALTER TABLE core.users ADD COLUMN roles core.user_role[]"
        );
    }

    #[test]
    fn keeps_an_extension_type_unqualified() {
        let sql = one(Change::AddColumn {
            table: users(),
            column: column("nickname", "citext", true),
        });
        assert_eq!(sql, "ALTER TABLE core.users ADD COLUMN nickname citext");
    }

    #[test]
    fn knows_the_enums_of_the_models_it_renders_for() {
        let mut model = Model::default();
        model.schema_mut("core").enums.insert(
            "Mood".into(),
            Enum {
                name: "Mood".into(),
                values: vec!["ok".into()],
                comment: None,
            },
        );
        let context = RenderContext::for_models(&[&model], None);
        let statements = render(
            &Change::AddColumn {
                table: users(),
                column: column("mood", "\"Mood\"", true),
            },
            &context,
        );
        assert_eq!(
            statements,
            ["ALTER TABLE core.users ADD COLUMN mood core.\"Mood\""]
        );
    }

    #[test]
    fn keeps_a_type_of_another_schema_as_written() {
        let sql = one(Change::AddColumn {
            table: users(),
            column: column("tier", "billing.plan_tier", false),
        });
        assert_eq!(
            sql,
            "ALTER TABLE core.users ADD COLUMN tier billing.plan_tier NOT NULL"
        );
    }

    #[test]
    fn inlines_foreign_keys_a_created_table_holds() {
        let table = Table {
            name: "orders".into(),
            columns: vec![column("user_id", "bigint", false)],
            foreign_keys: vec![ForeignKey {
                name: "orders_user_id_fkey".into(),
                columns: vec!["user_id".into()],
                ref_schema: "core".into(),
                ref_table: "users".into(),
                ref_columns: vec!["id".into()],
                on_delete: ForeignKeyAction::Cascade,
                on_update: ForeignKeyAction::NoAction,
                deferrable: true,
                initially_deferred: true,
            }],
            ..Table::default()
        };
        let sql = one(Change::CreateTable {
            schema: "sales".into(),
            table,
        });
        assert_eq!(
            sql,
            "CREATE TABLE sales.orders (\n    user_id bigint NOT NULL,\n    \
             CONSTRAINT orders_user_id_fkey FOREIGN KEY (user_id) REFERENCES core.users (id) \
             ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED\n)"
        );
    }

    #[test]
    fn renders_generated_and_identity_column_clauses() {
        let generated = Column {
            generated: Some("price * quantity".into()),
            ..column("total", "numeric(10,2)", true)
        };
        let identity = Column {
            identity: Some(Identity {
                kind: IdentityKind::ByDefault,
                start: Some(100),
                increment: Some(5),
            }),
            ..column("n", "integer", false)
        };
        let renderer = Renderer {
            context: &qualified(),
        };
        assert_eq!(
            renderer.column_definition("core", &generated),
            "total numeric(10,2) GENERATED ALWAYS AS (price * quantity) STORED"
        );
        assert_eq!(
            renderer.column_definition("core", &identity),
            "n integer GENERATED BY DEFAULT AS IDENTITY (START WITH 100 INCREMENT BY 5) NOT NULL"
        );
    }

    #[test]
    fn drops_and_renames_tables_and_columns() {
        assert_eq!(
            one(Change::DropTable {
                schema: "core".into(),
                table: users_table()
            }),
            "DROP TABLE core.users"
        );
        assert_eq!(
            one(Change::RenameTable {
                schema: "core".into(),
                from: "people".into(),
                to: "users".into()
            }),
            "ALTER TABLE core.people RENAME TO users"
        );
        assert_eq!(
            one(Change::DropColumn {
                table: users(),
                column: column("user", "text", true)
            }),
            "ALTER TABLE core.users DROP COLUMN \"user\""
        );
        assert_eq!(
            one(Change::RenameColumn {
                table: users(),
                from: "mail".into(),
                to: "Email".into()
            }),
            "ALTER TABLE core.users RENAME COLUMN mail TO \"Email\""
        );
    }

    #[test]
    fn adds_a_column_with_its_comment() {
        let statements = render(
            &Change::AddColumn {
                table: users(),
                column: Column {
                    default: Some("now()".into()),
                    comment: Some("it's when".into()),
                    ..column("created_at", "timestamp with time zone", false)
                },
            },
            &qualified(),
        );
        assert_eq!(
            statements,
            vec![
                "ALTER TABLE core.users ADD COLUMN created_at timestamp with time zone \
                 DEFAULT now() NOT NULL",
                "COMMENT ON COLUMN core.users.created_at IS 'it''s when'",
            ]
        );
    }

    fn retyped(from: Column, to: Column) -> Vec<String> {
        render(
            &Change::AlterColumn {
                table: users(),
                from,
                to,
            },
            &qualified(),
        )
    }

    #[test]
    fn retypes_a_serial_column_and_its_sequence() {
        assert_eq!(
            retyped(
                column("id", "serial", false),
                column("id", "bigserial", false)
            ),
            vec![
                "ALTER TABLE core.users ALTER COLUMN id TYPE bigint",
                "ALTER SEQUENCE core.users_id_seq AS bigint",
            ]
        );
    }

    #[test]
    fn converts_between_enums_through_text_around_the_default() {
        let from = Column {
            default: Some("'pending'".into()),
            ..column("status", "old_status", false)
        };
        let to = Column {
            default: Some("'pending'".into()),
            ..column("status", "new_status", false)
        };
        assert_eq!(
            retyped(from, to),
            vec![
                "ALTER TABLE core.users ALTER COLUMN status DROP DEFAULT",
                "ALTER TABLE core.users ALTER COLUMN status TYPE new_status \
                 USING status::text::new_status",
                "ALTER TABLE core.users ALTER COLUMN status SET DEFAULT 'pending'",
            ]
        );
    }

    #[test]
    fn puts_a_default_a_column_definition_cannot_take_in_parentheses() {
        let added = Column {
            default: Some("a IS NULL".into()),
            ..column("flag", "boolean", true)
        };
        assert_eq!(
            one(Change::AddColumn {
                table: users(),
                column: added,
            }),
            "ALTER TABLE core.users ADD COLUMN flag boolean DEFAULT (a IS NULL)"
        );
    }

    #[test]
    fn alters_a_column_type_between_its_default_changes() {
        let from = Column {
            default: Some("0".into()),
            ..column("score", "integer", true)
        };
        let to = Column {
            default: Some("'none'".into()),
            ..column("score", "text", false)
        };
        let statements = render(
            &Change::AlterColumn {
                table: users(),
                from,
                to,
            },
            &qualified(),
        );
        assert_eq!(
            statements,
            vec![
                "ALTER TABLE core.users ALTER COLUMN score DROP DEFAULT",
                "ALTER TABLE core.users ALTER COLUMN score TYPE text USING score::text",
                "ALTER TABLE core.users ALTER COLUMN score SET DEFAULT 'none'",
                "ALTER TABLE core.users ALTER COLUMN score SET NOT NULL",
            ]
        );
    }

    #[test]
    fn widens_a_type_without_a_cast_and_keeps_an_unchanged_default() {
        let from = Column {
            default: Some("0".into()),
            ..column("score", "integer", false)
        };
        let to = Column {
            default: Some("0".into()),
            ..column("score", "bigint", true)
        };
        let statements = render(
            &Change::AlterColumn {
                table: users(),
                from,
                to,
            },
            &qualified(),
        );
        assert_eq!(
            statements,
            vec![
                "ALTER TABLE core.users ALTER COLUMN score DROP NOT NULL",
                "ALTER TABLE core.users ALTER COLUMN score TYPE bigint",
            ]
        );
    }

    #[test]
    fn changes_a_collation_through_the_type_clause() {
        let sql = one(Change::AlterColumn {
            table: users(),
            from: column("name", "text", true),
            to: Column {
                collation: Some("en_US".into()),
                ..column("name", "text", true)
            },
        });
        assert_eq!(
            sql,
            "ALTER TABLE core.users ALTER COLUMN name TYPE text COLLATE \"en_US\""
        );
    }

    #[test]
    fn adds_an_identity_after_dropping_the_default_and_setting_not_null() {
        let from = Column {
            default: Some("nextval('core.users_id_seq'::regclass)".into()),
            ..column("id", "bigint", true)
        };
        let to = Column {
            identity: Some(Identity {
                kind: IdentityKind::Always,
                start: None,
                increment: None,
            }),
            ..column("id", "bigint", false)
        };
        let statements = render(
            &Change::AlterColumn {
                table: users(),
                from,
                to,
            },
            &qualified(),
        );
        assert_eq!(
            statements,
            vec![
                "ALTER TABLE core.users ALTER COLUMN id DROP DEFAULT",
                "ALTER TABLE core.users ALTER COLUMN id SET NOT NULL",
                "ALTER TABLE core.users ALTER COLUMN id ADD GENERATED ALWAYS AS IDENTITY",
            ]
        );
    }

    #[test]
    fn changes_and_drops_identities_in_place() {
        let identity = |kind, increment| Identity {
            kind,
            start: None,
            increment,
        };
        let changed = render(
            &Change::AlterColumn {
                table: users(),
                from: Column {
                    identity: Some(identity(IdentityKind::Always, None)),
                    ..column("id", "bigint", false)
                },
                to: Column {
                    identity: Some(identity(IdentityKind::ByDefault, Some(2))),
                    ..column("id", "bigint", false)
                },
            },
            &qualified(),
        );
        assert_eq!(
            changed,
            vec![
                "ALTER TABLE core.users ALTER COLUMN id SET GENERATED BY DEFAULT",
                "ALTER TABLE core.users ALTER COLUMN id SET INCREMENT BY 2",
            ]
        );
        let dropped = one(Change::AlterColumn {
            table: users(),
            from: Column {
                identity: Some(identity(IdentityKind::Always, None)),
                ..column("id", "bigint", false)
            },
            to: column("id", "bigint", false),
        });
        assert_eq!(
            dropped,
            "ALTER TABLE core.users ALTER COLUMN id DROP IDENTITY"
        );
    }

    #[test]
    fn drops_a_generation_expression_in_place() {
        let sql = one(Change::AlterColumn {
            table: users(),
            from: Column {
                generated: Some("a + b".into()),
                ..column("total", "integer", true)
            },
            to: column("total", "integer", true),
        });
        assert_eq!(
            sql,
            "ALTER TABLE core.users ALTER COLUMN total DROP EXPRESSION"
        );
    }

    #[test]
    fn replaces_a_column_whose_generation_expression_changes() {
        let statements = render(
            &Change::AlterColumn {
                table: users(),
                from: Column {
                    generated: Some("a + b".into()),
                    ..column("total", "integer", true)
                },
                to: Column {
                    generated: Some("a * b".into()),
                    ..column("total", "integer", true)
                },
            },
            &qualified(),
        );
        assert_eq!(
            statements,
            vec![
                "-- cannot change a generation expression in place\n\
                 ALTER TABLE core.users DROP COLUMN total",
                "ALTER TABLE core.users ADD COLUMN total integer GENERATED ALWAYS AS (a * b) STORED",
            ]
        );
    }

    #[test]
    fn adds_and_drops_named_constraints() {
        let key = PrimaryKey {
            name: "users_pkey".into(),
            columns: vec!["id".into(), "tenant".into()],
        };
        assert_eq!(
            one(Change::AddPrimaryKey {
                table: users(),
                key: key.clone()
            }),
            "ALTER TABLE core.users ADD CONSTRAINT users_pkey PRIMARY KEY (id, tenant)"
        );
        assert_eq!(
            one(Change::DropPrimaryKey {
                table: users(),
                key
            }),
            "ALTER TABLE core.users DROP CONSTRAINT users_pkey"
        );
        let unique = Unique {
            name: "users_email_key".into(),
            columns: vec!["email".into()],
            nulls_not_distinct: true,
            deferrable: true,
            initially_deferred: false,
        };
        assert_eq!(
            one(Change::AddUnique {
                table: users(),
                unique
            }),
            "ALTER TABLE core.users ADD CONSTRAINT users_email_key UNIQUE NULLS NOT DISTINCT \
             (email) DEFERRABLE"
        );
        let check = Check {
            name: "users_age_check".into(),
            expression: "age >= 0".into(),
            no_inherit: true,
        };
        assert_eq!(
            one(Change::AddCheck {
                table: users(),
                check: check.clone()
            }),
            "ALTER TABLE core.users ADD CONSTRAINT users_age_check CHECK (age >= 0) NO INHERIT"
        );
        assert_eq!(
            one(Change::DropCheck {
                table: users(),
                check
            }),
            "ALTER TABLE core.users DROP CONSTRAINT users_age_check"
        );
    }

    #[test]
    fn adds_a_foreign_key_with_its_actions() {
        let foreign_key = ForeignKey {
            name: "users_team_fkey".into(),
            columns: vec!["team_id".into()],
            ref_schema: "org".into(),
            ref_table: "teams".into(),
            ref_columns: vec!["id".into()],
            on_delete: ForeignKeyAction::SetNull,
            on_update: ForeignKeyAction::Restrict,
            deferrable: false,
            initially_deferred: false,
        };
        assert_eq!(
            one(Change::AddForeignKey {
                table: users(),
                foreign_key: foreign_key.clone()
            }),
            "ALTER TABLE core.users ADD CONSTRAINT users_team_fkey FOREIGN KEY (team_id) \
             REFERENCES org.teams (id) ON DELETE SET NULL ON UPDATE RESTRICT"
        );
        assert_eq!(
            one(Change::DropForeignKey {
                table: users(),
                foreign_key
            }),
            "ALTER TABLE core.users DROP CONSTRAINT users_team_fkey"
        );
    }

    #[test]
    fn creates_an_index_with_every_option() {
        let index = Index {
            name: "users_lower_email_idx".into(),
            keys: vec![
                IndexKey {
                    expression: true,
                    collation: Some("C".into()),
                    opclass: Some("text_pattern_ops".into()),
                    ..IndexKey::column("lower(email)")
                },
                IndexKey {
                    descending: true,
                    nulls_first: Some(false),
                    ..IndexKey::column("created_at")
                },
            ],
            unique: true,
            method: "btree".into(),
            predicate: Some("deleted_at IS NULL".into()),
            include: vec!["name".into()],
            nulls_not_distinct: true,
        };
        assert_eq!(
            one(Change::CreateIndex {
                table: users(),
                index: index.clone()
            }),
            "CREATE UNIQUE INDEX users_lower_email_idx ON core.users \
             ((lower(email)) COLLATE \"C\" text_pattern_ops, created_at DESC NULLS LAST) \
             INCLUDE (name) NULLS NOT DISTINCT WHERE deleted_at IS NULL"
        );
        assert_eq!(
            one(Change::DropIndex {
                table: users(),
                index
            }),
            "DROP INDEX core.users_lower_email_idx"
        );
    }

    #[test]
    fn names_a_non_default_index_method() {
        let index = Index {
            name: "users_tags_idx".into(),
            keys: vec![IndexKey::column("tags")],
            unique: false,
            method: "gin".into(),
            predicate: None,
            include: vec![],
            nulls_not_distinct: false,
        };
        assert_eq!(
            one(Change::CreateIndex {
                table: users(),
                index
            }),
            "CREATE INDEX users_tags_idx ON core.users USING gin (tags)"
        );
    }

    #[test]
    fn sets_and_clears_comments() {
        assert_eq!(
            one(Change::SetTableComment {
                table: users(),
                from: None,
                to: Some("who's who".into())
            }),
            "COMMENT ON TABLE core.users IS 'who''s who'"
        );
        assert_eq!(
            one(Change::SetColumnComment {
                table: users(),
                column: "email".into(),
                from: Some("old".into()),
                to: None
            }),
            "COMMENT ON COLUMN core.users.email IS NULL"
        );
    }

    fn role_enum(values: &[&str]) -> Enum {
        Enum {
            name: "user_role".into(),
            values: values.iter().map(|v| v.to_string()).collect(),
            comment: None,
        }
    }

    #[test]
    fn creates_and_drops_an_enum() {
        let value = Enum {
            comment: Some("roles".into()),
            ..role_enum(&["admin", "o'brien"])
        };
        assert_eq!(
            render(
                &Change::CreateEnum {
                    schema: "core".into(),
                    value: value.clone()
                },
                &qualified()
            ),
            vec![
                "CREATE TYPE core.user_role AS ENUM ('admin', 'o''brien')",
                "COMMENT ON TYPE core.user_role IS 'roles'",
            ]
        );
        assert_eq!(
            one(Change::DropEnum {
                schema: "core".into(),
                value
            }),
            "DROP TYPE core.user_role"
        );
    }

    #[test]
    fn adds_an_enum_value_at_its_position() {
        let add = |position| {
            one(Change::AddEnumValue {
                schema: "core".into(),
                name: "user_role".into(),
                label: "guest".into(),
                position,
            })
        };
        assert_eq!(
            add(EnumPosition::Last),
            "ALTER TYPE core.user_role ADD VALUE 'guest'"
        );
        assert_eq!(
            add(EnumPosition::Before("admin".into())),
            "ALTER TYPE core.user_role ADD VALUE 'guest' BEFORE 'admin'"
        );
        assert_eq!(
            add(EnumPosition::After("admin".into())),
            "ALTER TYPE core.user_role ADD VALUE 'guest' AFTER 'admin'"
        );
    }

    #[test]
    fn recreates_an_enum_around_the_columns_using_it() {
        let statements = render(
            &Change::RecreateEnum {
                schema: "core".into(),
                from: role_enum(&["admin", "member", "guest"]),
                to: role_enum(&["admin", "member"]),
                columns: vec![ColumnRef {
                    table: users(),
                    column: "role".into(),
                    data_type: "user_role".into(),
                    default: None,
                }],
            },
            &qualified(),
        );
        assert_eq!(
            statements,
            vec![
                "ALTER TYPE core.user_role RENAME TO user_role__old",
                "CREATE TYPE core.user_role AS ENUM ('admin', 'member')",
                "ALTER TABLE core.users ALTER COLUMN role TYPE core.user_role \
                 USING role::text::core.user_role",
                "DROP TYPE core.user_role__old",
            ]
        );
    }

    fn sequence(name: &str) -> Sequence {
        Sequence {
            name: name.into(),
            data_type: "bigint".into(),
            start: None,
            increment: None,
            min_value: None,
            max_value: None,
            cache: None,
            cycle: false,
            owned_by: None,
        }
    }

    #[test]
    fn creates_a_sequence_with_all_options() {
        let full = Sequence {
            data_type: "integer".into(),
            start: Some(10),
            increment: Some(2),
            min_value: Some(10),
            max_value: Some(1000),
            cache: Some(5),
            cycle: true,
            owned_by: Some("invoices.number".into()),
            ..sequence("invoice_numbers")
        };
        assert_eq!(
            one(Change::DropSequence {
                schema: "billing".into(),
                sequence: full.clone()
            }),
            "DROP SEQUENCE IF EXISTS billing.invoice_numbers"
        );
        assert_eq!(
            one(Change::CreateSequence {
                schema: "billing".into(),
                sequence: full
            }),
            "CREATE SEQUENCE billing.invoice_numbers AS integer INCREMENT BY 2 MINVALUE 10 \
             MAXVALUE 1000 START WITH 10 CACHE 5 CYCLE OWNED BY billing.invoices.number"
        );
        assert_eq!(
            one(Change::CreateSequence {
                schema: "billing".into(),
                sequence: sequence("plain")
            }),
            "CREATE SEQUENCE billing.plain"
        );
        assert_eq!(
            one(Change::DropSequence {
                schema: "billing".into(),
                sequence: sequence("plain")
            }),
            "DROP SEQUENCE billing.plain"
        );
    }

    #[test]
    fn alters_only_the_sequence_options_that_differ() {
        let from = Sequence {
            max_value: Some(99),
            cycle: true,
            owned_by: Some("t.c".into()),
            ..sequence("s")
        };
        let to = Sequence {
            increment: Some(3),
            ..sequence("s")
        };
        assert_eq!(
            one(Change::AlterSequence {
                schema: "core".into(),
                from,
                to
            }),
            "ALTER SEQUENCE core.s INCREMENT BY 3 NO MAXVALUE NO CYCLE OWNED BY NONE"
        );
    }

    fn view(definition: &str, materialized: bool) -> View {
        View {
            name: "active_users".into(),
            definition: definition.into(),
            materialized,
            comment: None,
            mysql: None,
        }
    }

    #[test]
    fn recreates_an_enum_around_a_column_default_and_an_array_column() {
        let statements = render(
            &Change::RecreateEnum {
                schema: "core".into(),
                from: role_enum(&["admin", "member", "guest"]),
                to: role_enum(&["member", "admin"]),
                columns: vec![
                    ColumnRef {
                        table: users(),
                        column: "role".into(),
                        data_type: "user_role".into(),
                        default: Some("'member'".into()),
                    },
                    ColumnRef {
                        table: users(),
                        column: "past_roles".into(),
                        data_type: "user_role[]".into(),
                        default: None,
                    },
                ],
            },
            &qualified(),
        );
        assert_eq!(
            statements,
            vec![
                "ALTER TYPE core.user_role RENAME TO user_role__old",
                "CREATE TYPE core.user_role AS ENUM ('member', 'admin')",
                "ALTER TABLE core.users ALTER COLUMN role DROP DEFAULT",
                "ALTER TABLE core.users ALTER COLUMN role TYPE core.user_role \
                 USING role::text::core.user_role",
                "ALTER TABLE core.users ALTER COLUMN role SET DEFAULT 'member'",
                "ALTER TABLE core.users ALTER COLUMN past_roles TYPE core.user_role[] \
                 USING past_roles::text[]::core.user_role[]",
                "DROP TYPE core.user_role__old",
            ]
        );
    }

    #[test]
    fn replaces_a_view_that_loses_a_column_by_dropping_it() {
        let wide = View {
            comment: Some("live".into()),
            ..view("SELECT id, email FROM core.users", false)
        };
        let narrow = View {
            definition: "SELECT id FROM core.users".into(),
            ..wide.clone()
        };
        assert_eq!(
            render(
                &Change::ReplaceView {
                    schema: "core".into(),
                    from: wide,
                    to: narrow,
                },
                &qualified()
            ),
            vec![
                "DROP VIEW core.active_users",
                "CREATE VIEW core.active_users AS SELECT id FROM core.users",
                "COMMENT ON VIEW core.active_users IS 'live'",
            ]
        );
    }

    #[test]
    fn comments_on_schemas_enums_and_views_but_not_the_unqualified_schema() {
        let comment = |target: CommentTarget| Change::SetComment {
            target,
            from: None,
            to: Some("note".into()),
        };
        let schema = comment(CommentTarget::Schema {
            name: "organization".into(),
        });
        assert_eq!(
            render(&schema, &qualified()),
            ["COMMENT ON SCHEMA organization IS 'note'"]
        );
        assert_eq!(
            render(&schema, &unqualified("organization")),
            Vec::<String>::new()
        );
        assert_eq!(
            one(comment(CommentTarget::Type {
                name: QualifiedName::new("core", "user_role"),
            })),
            "COMMENT ON TYPE core.user_role IS 'note'"
        );
        assert_eq!(
            one(comment(CommentTarget::View {
                name: QualifiedName::new("core", "totals"),
                materialized: true,
            })),
            "COMMENT ON MATERIALIZED VIEW core.totals IS 'note'"
        );
    }

    #[test]
    fn creates_replaces_and_drops_views() {
        let plain = View {
            comment: Some("live".into()),
            ..view("SELECT id FROM core.users", false)
        };
        assert_eq!(
            render(
                &Change::CreateView {
                    schema: "core".into(),
                    view: plain.clone()
                },
                &qualified()
            ),
            vec![
                "CREATE VIEW core.active_users AS SELECT id FROM core.users",
                "COMMENT ON VIEW core.active_users IS 'live'",
            ]
        );
        assert_eq!(
            one(Change::ReplaceView {
                schema: "core".into(),
                from: plain.clone(),
                to: View {
                    definition: "SELECT id, email FROM core.users".into(),
                    ..plain.clone()
                }
            }),
            "CREATE OR REPLACE VIEW core.active_users AS SELECT id, email FROM core.users"
        );
        assert_eq!(
            one(Change::DropView {
                schema: "core".into(),
                view: plain
            }),
            "DROP VIEW core.active_users"
        );
    }

    #[test]
    fn replaces_a_materialized_view_by_dropping_it() {
        let statements = render(
            &Change::ReplaceView {
                schema: "core".into(),
                from: view("SELECT 1", true),
                to: view("SELECT 2", true),
            },
            &qualified(),
        );
        assert_eq!(
            statements,
            vec![
                "DROP MATERIALIZED VIEW core.active_users",
                "CREATE MATERIALIZED VIEW core.active_users AS SELECT 2",
            ]
        );
    }

    #[test]
    fn creates_extensions_and_schemas_idempotently() {
        assert_eq!(
            one(Change::CreateExtension {
                extension: Extension {
                    name: "pg_trgm".into(),
                    schema: Some("extensions".into())
                }
            }),
            "CREATE EXTENSION IF NOT EXISTS pg_trgm SCHEMA extensions"
        );
        assert_eq!(
            one(Change::DropExtension {
                extension: Extension {
                    name: "uuid-ossp".into(),
                    schema: None
                }
            }),
            "DROP EXTENSION \"uuid-ossp\""
        );
        assert_eq!(
            one(Change::CreateSchema {
                name: "core".into()
            }),
            "CREATE SCHEMA IF NOT EXISTS core"
        );
        assert_eq!(
            one(Change::DropSchema { name: "Old".into() }),
            "DROP SCHEMA \"Old\""
        );
    }

    #[test]
    fn leaves_the_per_environment_schema_to_apply_time() {
        let change = Change::CreateSchema {
            name: "organization".into(),
        };
        assert!(render(&change, &unqualified("organization")).is_empty());
    }
}
