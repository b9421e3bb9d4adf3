//! Reading MySQL/MariaDB DDL (sqlparser's MySQL dialect) into model changes. Each statement
//! builds the new state of the one table it touches, the way the server would (implicit names,
//! the index a foreign key needs, NOT NULL primary key columns), and the changes are the table
//! diff between before and after, with renames stated first.

use super::partitions;
use super::types::{canonical_default, canonical_expr, default_collation, normalize_type};
use crate::backend::postgres::expr::parse_error;
use crate::backend::{SchemaContext, StatementError, StatementText};
use crate::model::{
    Change, Check, Column, ForeignKey, ForeignKeyAction, Identity, IdentityKind, Index, IndexKey,
    Model, MysqlColumn, MysqlPartitioning, MysqlTable, PrimaryKey, QualifiedName, Schema, Table,
};
use sqlparser::ast::{
    AlterColumnOperation, AlterTableOperation, ColumnOption, CreateTableOptions, DataType, Expr,
    Ident, IndexColumn, IndexType, ObjectName, ObjectNamePart, ObjectType, ReferentialAction,
    RenameTableNameKind, SqlOption, Statement, TableConstraint,
};
use sqlparser::dialect::MySqlDialect;
use sqlparser::parser::Parser;

/// The name MySQL gives every primary key.
pub const PRIMARY: &str = "PRIMARY";

pub fn statement_changes(
    statement: StatementText<'_>,
    model: &Model,
    context: &SchemaContext,
) -> Result<Vec<Change>, StatementError> {
    let first = statement
        .sql
        .split_whitespace()
        .next()
        .unwrap_or("")
        .to_ascii_uppercase();
    if !matches!(first.as_str(), "CREATE" | "ALTER" | "DROP" | "RENAME") {
        return Ok(Vec::new());
    }
    if let Some(changes) = super::events::statement_changes(statement.sql, model, context) {
        return changes;
    }
    if let Some(changes) = super::triggers::statement_changes(statement.sql, model, context) {
        return changes;
    }
    if super::views::is_view_statement(statement.sql) {
        return super::views::statement_changes(statement.sql, model, context);
    }
    let upper = statement.sql.to_ascii_uppercase();
    let words: Vec<&str> = upper.split_whitespace().take(6).collect();
    for kind in [
        "VIEW",
        "TRIGGER",
        "EVENT",
        "PROCEDURE",
        "FUNCTION",
        "DATABASE",
        "SCHEMA",
        "USER",
        "ROLE",
    ] {
        // CREATE and DROP DATABASE are the connection's own database (read below).
        let own_database = matches!(kind, "DATABASE" | "SCHEMA")
            && matches!(words.first(), Some(&"CREATE" | &"DROP"))
            && words.get(1) == Some(&kind);
        if !own_database && words.iter().take(5).any(|w| *w == kind) && !words.contains(&"TABLE") {
            return Err(unsupported(&format!("{} {kind}", words[0])));
        }
    }
    let partition_word = upper
        .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .any(|w| matches!(w, "PARTITION" | "PARTITIONS" | "PARTITIONING"));
    if words.first() == Some(&"ALTER")
        && partition_word
        && let Ok((table, at)) = partitions::alter_target(statement.sql)
        && partitions::is_partition_operation(statement.sql, at)
    {
        return alter_partitions(statement.sql, &table, at, model, context);
    }
    // sqlparser does not read MySQL's PARTITION BY: the clause is read apart (see partitions).
    let clause = partitions::find_clause(statement.sql);
    if clause.is_some() && words.first() != Some(&"CREATE") {
        return Err(unsupported(
            "PARTITION BY combined with other ALTER TABLE operations",
        ));
    }
    let (sql, partitioning) = match clause {
        Some(span) => (
            &statement.sql[..span.cut],
            Some(partitions::parse_clause(statement.sql, span)?),
        ),
        None => (statement.sql, None),
    };
    let sql = super::binary::rewrite(&super::versioned::blank_mysql_only(sql));
    let reader = Reader {
        model,
        context,
        partitioning,
    };
    reader.read(parse_one(&sql)?)
}

/// The one statement `sql` holds, read with sqlparser's MySQL dialect; a parse error names its
/// line and column in `sql`.
pub(super) fn parse_one(sql: &str) -> Result<Statement, StatementError> {
    let dialect = MySqlDialect {};
    let mut parsed = Parser::new(&dialect)
        .try_with_sql(sql)
        .and_then(|mut p| p.parse_statements())
        .map_err(|e| parse_error(sql, &e))?;
    if parsed.len() != 1 {
        return Err(StatementError::new(format!(
            "expected one statement, found {}",
            parsed.len()
        )));
    }
    Ok(parsed.remove(0))
}

/// `ALTER TABLE … PARTITION BY | REMOVE PARTITIONING | ADD PARTITION | DROP PARTITION`, which
/// sqlparser does not read (see partitions).
fn alter_partitions(
    sql: &str,
    parts: &[String],
    at: usize,
    model: &Model,
    context: &SchemaContext,
) -> Result<Vec<Change>, StatementError> {
    let name = match parts {
        [table] => QualifiedName::new(context.default_schema.clone(), table.clone()),
        [schema, table] => QualifiedName::new(schema.clone(), table.clone()),
        _ => {
            return Err(StatementError::new(format!(
                "unexpected name {}",
                parts.join(".")
            )));
        }
    };
    let before = model
        .table(&name)
        .cloned()
        .ok_or_else(|| StatementError::new(format!("table {name} does not exist")))?;
    let mut table = before.clone();
    let current = before.mysql.as_ref().and_then(|m| m.partitioning.as_ref());
    table
        .mysql
        .get_or_insert_with(MysqlTable::default)
        .partitioning = partitions::alter(sql, at, current)?;
    Ok(table_changes(&name, Some(before), Some(table), Vec::new()))
}

/// A statement bfm leaves to the user by design, worded so callers can count it as a refusal.
pub(super) fn unsupported(what: &str) -> StatementError {
    StatementError::new(format!("unsupported MySQL DDL: bfm does not manage {what}"))
}

/// The first three words of a statement, to name it in an error without quoting all of it.
pub(super) fn opening_words(statement: &Statement) -> String {
    statement
        .to_string()
        .split_whitespace()
        .take(3)
        .collect::<Vec<_>>()
        .join(" ")
}

/// `name` or `schema.name`, an unqualified name in the context's default schema.
pub(super) fn qualified(
    name: &ObjectName,
    context: &SchemaContext,
) -> Result<QualifiedName, StatementError> {
    let parts: Vec<&str> = name
        .0
        .iter()
        .map(|p| match p {
            ObjectNamePart::Identifier(ident) => Ok(ident.value.as_str()),
            other => Err(StatementError::new(format!("unexpected name part {other}"))),
        })
        .collect::<Result<_, _>>()?;
    match parts.as_slice() {
        [name] => Ok(QualifiedName::new(context.default_schema.clone(), *name)),
        [schema, name] => Ok(QualifiedName::new(*schema, *name)),
        _ => Err(StatementError::new(format!("unexpected name {name}"))),
    }
}

struct Reader<'a> {
    model: &'a Model,
    context: &'a SchemaContext,
    /// The `PARTITION BY` clause cut off a CREATE TABLE before sqlparser read it.
    partitioning: Option<MysqlPartitioning>,
}

impl Reader<'_> {
    fn name(&self, name: &ObjectName) -> Result<QualifiedName, StatementError> {
        qualified(name, self.context)
    }

    fn existing(&self, name: &QualifiedName) -> Result<Table, StatementError> {
        self.model
            .table(name)
            .cloned()
            .ok_or_else(|| StatementError::new(format!("table {name} does not exist")))
    }

    fn read(&self, statement: Statement) -> Result<Vec<Change>, StatementError> {
        match statement {
            Statement::CreateTable(create) => {
                let name = self.name(&create.name)?;
                if self.model.table(&name).is_some() {
                    if create.if_not_exists {
                        return Ok(Vec::new());
                    }
                    return Err(StatementError::new(format!("table {name} already exists")));
                }
                if create.query.is_some() {
                    return Err(unsupported("CREATE TABLE … AS SELECT"));
                }
                let table = if let Some(like) = &create.like {
                    let source = match like {
                        sqlparser::ast::CreateTableLikeKind::Parenthesized(l)
                        | sqlparser::ast::CreateTableLikeKind::Plain(l) => self.name(&l.name)?,
                    };
                    let mut table = self.existing(&source)?;
                    table.name = name.name.clone();
                    table.foreign_keys.clear();
                    table
                } else {
                    let mut table = Table {
                        name: name.name.clone(),
                        mysql: Some(MysqlTable::default()),
                        ..Table::default()
                    };
                    table_options(&mut table, &create.table_options)?;
                    if let Some(comment) = &create.comment {
                        set_comment(&mut table, comment);
                    }
                    for def in &create.columns {
                        add_column(
                            &mut table,
                            &def.name,
                            &def.data_type,
                            def.options.iter().map(|o| &o.option),
                        )?;
                    }
                    for constraint in &create.constraints {
                        add_constraint(self, &mut table, &name, constraint)?;
                    }
                    if let Some(partitioning) = &self.partitioning {
                        partitions::check_columns(partitioning, &table)?;
                    }
                    table
                        .mysql
                        .get_or_insert_with(MysqlTable::default)
                        .partitioning = self.partitioning.clone();
                    finish(&mut table);
                    table
                };
                Ok(table_changes(&name, None, Some(table), Vec::new()))
            }
            Statement::AlterTable(alter) => {
                let name = self.name(&alter.name)?;
                let before = self.existing(&name)?;
                let mut table = before.clone();
                let mut renames = Vec::new();
                let mut new_name = name.clone();
                for operation in &alter.operations {
                    alter_operation(
                        self,
                        &mut table,
                        &name,
                        &mut new_name,
                        operation,
                        &mut renames,
                    )?;
                }
                finish(&mut table);
                let mut changes = table_changes(&name, Some(before), Some(table), renames);
                if new_name != name {
                    changes.push(Change::RenameTable {
                        schema: name.schema.clone(),
                        from: name.name.clone(),
                        to: new_name.name.clone(),
                    });
                }
                Ok(changes)
            }
            Statement::CreateIndex(create) => {
                let name = self.name(&create.table_name)?;
                let mut table = self.existing(&name)?;
                let before = table.clone();
                let index_name = match &create.name {
                    Some(n) => {
                        n.0.last()
                            .map(|p| p.to_string().trim_matches('`').to_string())
                            .unwrap_or_default()
                    }
                    None => String::new(),
                };
                let keys = index_keys(&create.columns)?;
                let method = method(create.using.as_ref());
                add_index(&mut table, index_name, keys, create.unique, method);
                finish(&mut table);
                Ok(table_changes(&name, Some(before), Some(table), Vec::new()))
            }
            Statement::Drop {
                object_type,
                if_exists,
                names,
                table,
                ..
            } => match object_type {
                ObjectType::Table => {
                    let mut changes = Vec::new();
                    for n in &names {
                        let name = self.name(n)?;
                        match self.model.table(&name) {
                            Some(t) => changes.extend(table_changes(
                                &name,
                                Some(t.clone()),
                                None,
                                Vec::new(),
                            )),
                            None if if_exists => {}
                            None => {
                                return Err(StatementError::new(format!(
                                    "table {name} does not exist"
                                )));
                            }
                        }
                    }
                    Ok(changes)
                }
                ObjectType::Index => {
                    let on =
                        table.ok_or_else(|| StatementError::new("DROP INDEX needs ON table"))?;
                    let name = self.name(&on)?;
                    let mut t = self.existing(&name)?;
                    let before = t.clone();
                    for n in &names {
                        let index =
                            n.0.last()
                                .map(|p| p.to_string().trim_matches('`').to_string())
                                .unwrap_or_default();
                        drop_index(&mut t, &index, if_exists)?;
                    }
                    Ok(table_changes(&name, Some(before), Some(t), Vec::new()))
                }
                ObjectType::Database | ObjectType::Schema => Ok(names
                    .iter()
                    .map(|n| n.to_string().trim_matches('`').to_string())
                    .filter(|name| !if_exists || self.model.schemas.contains_key(name))
                    .map(|name| Change::DropSchema { name })
                    .collect()),
                other => Err(unsupported(&format!("DROP {other}"))),
            },
            Statement::RenameTable(renames) => {
                let mut changes = Vec::new();
                for rename in renames {
                    let from = self.name(&rename.old_name)?;
                    let to = self.name(&rename.new_name)?;
                    changes.push(Change::RenameTable {
                        schema: from.schema,
                        from: from.name,
                        to: to.name,
                    });
                }
                Ok(changes)
            }
            // The connection's database, as the first generated migration creates it.
            Statement::CreateDatabase {
                db_name,
                if_not_exists,
                ..
            } => {
                let name = db_name.to_string().trim_matches('`').to_string();
                if self.model.schemas.contains_key(&name) {
                    return if if_not_exists {
                        Ok(Vec::new())
                    } else {
                        Err(StatementError::new(format!("database {name} exists")))
                    };
                }
                Ok(vec![Change::CreateSchema { name }])
            }
            Statement::CreateView(_) => Err(unsupported("views")),
            other => Err(unsupported(&format!(
                "this statement ({})",
                opening_words(&other)
            ))),
        }
    }
}

/// The changes from one state of a table to another: renames first, then the diff.
fn table_changes(
    name: &QualifiedName,
    before: Option<Table>,
    after: Option<Table>,
    renames: Vec<Change>,
) -> Vec<Change> {
    let model_of = |table: Option<Table>| {
        let mut model = Model::default();
        let schema = model
            .schemas
            .entry(name.schema.clone())
            .or_insert_with(|| Schema {
                name: name.schema.clone(),
                ..Schema::default()
            });
        if let Some(table) = table {
            schema.tables.insert(table.name.clone(), table);
        }
        model
    };
    let mut from = model_of(before);
    for rename in &renames {
        let _ = rename.apply_to(&mut from);
    }
    let after = after.map(|mut table| {
        for fk in &mut table.foreign_keys {
            if fk.ref_schema.is_empty() {
                fk.ref_schema = name.schema.clone();
            }
        }
        table
    });
    let to = model_of(after);
    let mut changes = renames;
    changes.extend(crate::diff::diff(&from, &to));
    changes
}

fn ident(i: &Ident) -> String {
    i.value.clone()
}

/// Sorts and settles what the server settles itself: primary key columns are NOT NULL,
/// column collations equal to the table's are inherited.
fn finish(table: &mut Table) {
    if let Some(key) = &table.primary_key {
        for column in &key.columns {
            if let Some(c) = table
                .columns
                .iter_mut()
                .find(|c| c.name.eq_ignore_ascii_case(column))
            {
                c.nullable = false;
            }
        }
    }
    let collate = table
        .mysql
        .as_ref()
        .and_then(|m| m.options.get("collate").cloned());
    for column in &mut table.columns {
        if column.collation.is_some() && column.collation == collate {
            column.collation = None;
        }
        if column.mysql.as_ref().is_some_and(MysqlColumn::is_empty) {
            column.mysql = None;
        }
    }
    table.sort_constraints();
}

fn set_comment(table: &mut Table, comment: &sqlparser::ast::CommentDef) {
    let text = match comment {
        sqlparser::ast::CommentDef::WithEq(s) | sqlparser::ast::CommentDef::WithoutEq(s) => {
            s.clone()
        }
    };
    let options = &mut table.mysql.get_or_insert_with(MysqlTable::default).options;
    if text.is_empty() {
        options.remove("comment");
    } else {
        options.insert("comment".into(), text);
    }
}

fn table_options(table: &mut Table, options: &CreateTableOptions) -> Result<(), StatementError> {
    let list = match options {
        CreateTableOptions::None => return Ok(()),
        CreateTableOptions::Plain(list)
        | CreateTableOptions::With(list)
        | CreateTableOptions::Options(list)
        | CreateTableOptions::TableProperties(list) => list,
    };
    for option in list {
        table_option(table, option)?;
    }
    Ok(())
}

fn option_value(value: &Expr) -> String {
    match value {
        Expr::Value(v) => match &v.value {
            sqlparser::ast::Value::SingleQuotedString(s)
            | sqlparser::ast::Value::DoubleQuotedString(s) => s.clone(),
            other => other.to_string(),
        },
        Expr::Identifier(i) => i.value.clone(),
        other => other.to_string(),
    }
}

/// One table option, stored canonically (see [`MysqlTable`]).
fn table_option(table: &mut Table, option: &SqlOption) -> Result<(), StatementError> {
    let options = &mut table.mysql.get_or_insert_with(MysqlTable::default).options;
    match option {
        SqlOption::Comment(comment) => {
            set_comment(table, comment);
        }
        SqlOption::KeyValue { key, value } => {
            let key = key.value.to_ascii_lowercase().replace('_', " ");
            let value = option_value(value);
            match key.as_str() {
                "engine" => {
                    let engine = canonical_engine(&value);
                    if engine == "InnoDB" {
                        options.remove("engine");
                    } else {
                        options.insert("engine".into(), engine);
                    }
                }
                "default charset" | "charset" | "character set" | "default character set" => {
                    options
                        .entry("collate".into())
                        .or_insert_with(|| default_collation(&value));
                }
                "collate" | "default collate" => {
                    options.insert("collate".into(), value.to_ascii_lowercase());
                }
                "auto increment" => {}
                "row format" => {
                    options.insert("row_format".into(), value.to_ascii_uppercase());
                }
                "comment" => {
                    options.insert("comment".into(), value);
                }
                other => {
                    options.insert(other.replace(' ', "_"), value);
                }
            }
        }
        other => {
            // sqlparser reads `DEFAULT CHARSET=x` and friends in several shapes.
            let text = other.to_string();
            let (key, value) = text
                .split_once('=')
                .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
                .ok_or_else(|| unsupported(&format!("table option {text}")))?;
            let expr = Expr::Identifier(Ident::new(value.trim_matches('\'').to_string()));
            return table_option(
                table,
                &SqlOption::KeyValue {
                    key: Ident::new(key),
                    value: expr,
                },
            );
        }
    }
    Ok(())
}

pub fn canonical_engine(raw: &str) -> String {
    match raw.to_ascii_lowercase().as_str() {
        "innodb" => "InnoDB".into(),
        "myisam" => "MyISAM".into(),
        "memory" | "heap" => "MEMORY".into(),
        "aria" => "Aria".into(),
        "csv" => "CSV".into(),
        "archive" => "ARCHIVE".into(),
        other => other.to_string(),
    }
}

/// Reads a column definition into `table` (replacing a column of the same name in place),
/// with the constraints written on it.
fn add_column<'o>(
    table: &mut Table,
    name: &Ident,
    data_type: &DataType,
    options: impl Iterator<Item = &'o ColumnOption>,
) -> Result<(), StatementError> {
    let column = read_column(table, name, data_type, options)?;
    match table
        .columns
        .iter_mut()
        .find(|c| c.name.eq_ignore_ascii_case(&column.0.name))
    {
        Some(existing) => *existing = column.0,
        None => table.columns.push(column.0),
    }
    for inline in column.1 {
        inline(table);
    }
    Ok(())
}

type Inline = Box<dyn FnOnce(&mut Table)>;

fn read_column<'o>(
    table: &Table,
    name: &Ident,
    data_type: &DataType,
    options: impl Iterator<Item = &'o ColumnOption>,
) -> Result<(Column, Vec<Inline>), StatementError> {
    let raw_type = data_type.to_string();
    let is_json = raw_type.trim().eq_ignore_ascii_case("json");
    let data_type = normalize_type(&raw_type)?;
    let name = ident(name);
    let mut column = Column {
        name: name.clone(),
        data_type: data_type.clone(),
        nullable: true,
        ..Column::default()
    };
    let mut extra = MysqlColumn::default();
    let mut charset = None;
    let mut inline: Vec<Inline> = Vec::new();
    if is_json {
        column.collation = Some("utf8mb4_bin".into());
        let check = Check {
            name: name.clone(),
            expression: format!("json_valid({name})"),
            no_inherit: false,
        };
        inline.push(Box::new(move |t: &mut Table| {
            t.checks.retain(|c| c.name != check.name);
            t.checks.push(check);
        }));
    }
    for option in options {
        match option {
            ColumnOption::Null => column.nullable = true,
            ColumnOption::NotNull => column.nullable = false,
            ColumnOption::Default(expr) => {
                column.default = canonical_default(&expr.to_string(), &data_type)?;
            }
            ColumnOption::PrimaryKey(_) => {
                let col = name.clone();
                inline.push(Box::new(move |t: &mut Table| {
                    t.primary_key = Some(PrimaryKey {
                        name: PRIMARY.into(),
                        columns: vec![col],
                    });
                }));
            }
            ColumnOption::Unique(_) => {
                let col = name.clone();
                inline.push(Box::new(move |t: &mut Table| {
                    add_index(
                        t,
                        String::new(),
                        vec![IndexKey::column(col)],
                        true,
                        "btree".into(),
                    );
                }));
            }
            ColumnOption::ForeignKey(fk) => {
                let fk = fk.clone();
                let col = name.clone();
                let table_name = table.name.clone();
                inline.push(Box::new(move |t: &mut Table| {
                    let foreign_key = ForeignKey {
                        name: fk.name.as_ref().map(ident).unwrap_or_default(),
                        columns: vec![col],
                        ref_schema: String::new(),
                        ref_table: fk
                            .foreign_table
                            .0
                            .last()
                            .map(|p| p.to_string().trim_matches('`').to_string())
                            .unwrap_or_default(),
                        ref_columns: fk.referred_columns.iter().map(ident).collect(),
                        on_delete: action(fk.on_delete),
                        on_update: action(fk.on_update),
                        deferrable: false,
                        initially_deferred: false,
                    };
                    let _ = table_name;
                    push_foreign_key(t, foreign_key, None);
                }));
            }
            ColumnOption::Check(check) => {
                let mut expr = (*check.expr).clone();
                let expression = canonical_expr(&mut expr);
                let check_name = check
                    .name
                    .as_ref()
                    .map(ident)
                    .unwrap_or_else(|| name.clone());
                inline.push(Box::new(move |t: &mut Table| {
                    t.checks.retain(|c| c.name != check_name);
                    t.checks.push(Check {
                        name: check_name,
                        expression,
                        no_inherit: false,
                    });
                }));
            }
            ColumnOption::CharacterSet(set) => charset = Some(set.to_string().to_ascii_lowercase()),
            ColumnOption::Collation(c) => {
                column.collation = Some(c.to_string().trim_matches('`').to_ascii_lowercase())
            }
            ColumnOption::Comment(text) => {
                extra.comment = Some(text.clone()).filter(|t| !t.is_empty())
            }
            ColumnOption::OnUpdate(expr) => {
                let mut expr = expr.clone();
                extra.on_update = Some(canonical_expr(&mut expr));
            }
            ColumnOption::Generated {
                generation_expr: Some(expr),
                generation_expr_mode,
                ..
            } => {
                let mut expr = expr.clone();
                column.generated = Some(canonical_expr(&mut expr));
                extra.stored = matches!(
                    generation_expr_mode,
                    Some(sqlparser::ast::GeneratedExpressionMode::Stored)
                );
            }
            ColumnOption::DialectSpecific(tokens) => {
                let text: String = tokens
                    .iter()
                    .map(|t| t.to_string())
                    .collect::<Vec<_>>()
                    .join(" ");
                match text.to_ascii_uppercase().as_str() {
                    "AUTO_INCREMENT" => {
                        column.identity = Some(Identity {
                            kind: IdentityKind::ByDefault,
                            start: None,
                            increment: None,
                        });
                    }
                    "INVISIBLE" => extra.invisible = true,
                    other => return Err(unsupported(&format!("the column option {other}"))),
                }
            }
            ColumnOption::Invisible => extra.invisible = true,
            other => return Err(unsupported(&format!("the column option {other}"))),
        }
    }
    if column.collation.as_deref() == Some(super::binary::MARKER) {
        column.collation = Some(binary_collation(table, charset.as_deref())?);
    } else if column.collation.is_none()
        && let Some(charset) = charset
    {
        column.collation = Some(default_collation(&charset));
    }
    if column.identity.is_some() && column.default.is_none() {
        // MariaDB ignores nothing here; an AUTO_INCREMENT column has no default.
    }
    column.mysql = Some(extra);
    Ok((column, inline))
}

/// The collation `BINARY` stands for: the binary one of the column's character set, else of
/// the table's.
fn binary_collation(table: &Table, charset: Option<&str>) -> Result<String, StatementError> {
    let table_charset = table
        .mysql
        .as_ref()
        .and_then(|m| m.options.get("collate"))
        .map(|collate| collate.split('_').next().unwrap_or(collate).to_string());
    charset
        .map(str::to_string)
        .or(table_charset)
        .map(|charset| format!("{charset}_bin"))
        .ok_or_else(|| {
            unsupported(
                "the column attribute BINARY without a character set on the column or table",
            )
        })
}

fn action(action: Option<ReferentialAction>) -> ForeignKeyAction {
    match action {
        Some(ReferentialAction::Cascade) => ForeignKeyAction::Cascade,
        Some(ReferentialAction::SetNull) => ForeignKeyAction::SetNull,
        Some(ReferentialAction::SetDefault) => ForeignKeyAction::SetDefault,
        _ => ForeignKeyAction::Restrict,
    }
}

fn method(using: Option<&IndexType>) -> String {
    match using {
        Some(IndexType::Custom(name)) if name.value.eq_ignore_ascii_case("fulltext") => {
            "fulltext".into()
        }
        _ => "btree".into(),
    }
}

/// Index keys: columns, `col(n)` prefixes (kept as the expression `col(n)`), DESC.
fn index_keys(columns: &[IndexColumn]) -> Result<Vec<IndexKey>, StatementError> {
    columns
        .iter()
        .map(|c| {
            let descending = matches!(
                c.column.options.sort,
                Some(sqlparser::ast::OrderBySort::Desc)
            );
            let mut key = match &c.column.expr {
                Expr::Identifier(i) => IndexKey::column(ident(i)),
                Expr::Function(f) => {
                    let name = f
                        .name
                        .0
                        .last()
                        .map(|p| p.to_string().trim_matches('`').to_string())
                        .unwrap_or_default();
                    let args = f.args.to_string();
                    let length: String = args.chars().filter(|c| c.is_ascii_digit()).collect();
                    IndexKey {
                        target: format!("{name}({length})"),
                        expression: true,
                        ..IndexKey::column(String::new())
                    }
                }
                other => {
                    return Err(unsupported(&format!("the index key {other}")));
                }
            };
            key.descending = descending;
            Ok(key)
        })
        .collect()
}

/// The column a key is on (a prefix key's too).
pub fn key_column(key: &IndexKey) -> &str {
    if key.expression {
        key.target.split('(').next().unwrap_or(&key.target)
    } else {
        &key.target
    }
}

/// An unused index name from `base`: `base`, `base_2`, `base_3` …, as MariaDB picks them.
fn free_name(table: &Table, base: &str) -> String {
    let taken = |n: &str| {
        table.indexes.iter().any(|i| i.name.eq_ignore_ascii_case(n))
            || n.eq_ignore_ascii_case(PRIMARY)
    };
    if !taken(base) {
        return base.to_string();
    }
    (2..)
        .map(|n| format!("{base}_{n}"))
        .find(|n| !taken(n))
        .unwrap_or_default()
}

fn add_index(table: &mut Table, name: String, keys: Vec<IndexKey>, unique: bool, method: String) {
    let name = if name.is_empty() {
        free_name(table, keys.first().map(key_column).unwrap_or("idx"))
    } else {
        name
    };
    table.indexes.retain(|i| i.name != name);
    let index = Index {
        name,
        keys,
        unique,
        method,
        predicate: None,
        include: Vec::new(),
        nulls_not_distinct: false,
    };
    super::foreign_keys::drop_replaced_indexes(table, &index);
    table.indexes.push(index);
}

fn drop_index(table: &mut Table, name: &str, if_exists: bool) -> Result<(), StatementError> {
    if name.eq_ignore_ascii_case(PRIMARY) {
        table.primary_key = None;
        return Ok(());
    }
    let before = table.indexes.len();
    table.indexes.retain(|i| !i.name.eq_ignore_ascii_case(name));
    if before == table.indexes.len() && !if_exists {
        return Err(StatementError::new(format!(
            "index {name} does not exist on {}",
            table.name
        )));
    }
    Ok(())
}

/// Adds a foreign key, naming it `<table>_ibfk_<n>` when unnamed, and the index MySQL creates
/// for it when no index starts with its columns.
fn push_foreign_key(table: &mut Table, mut foreign_key: ForeignKey, index_name: Option<String>) {
    let explicit = !foreign_key.name.is_empty();
    if !explicit {
        let base = format!("{}_ibfk_", table.name);
        let n = (1..)
            .find(|n| {
                !table
                    .foreign_keys
                    .iter()
                    .any(|f| f.name == format!("{base}{n}"))
            })
            .unwrap_or(1);
        foreign_key.name = format!("{base}{n}");
    }
    let covered = |columns: &[String]| {
        columns.len() >= foreign_key.columns.len()
            && columns
                .iter()
                .zip(&foreign_key.columns)
                .all(|(a, b)| a.eq_ignore_ascii_case(b))
    };
    let pk_covers = table
        .primary_key
        .as_ref()
        .is_some_and(|k| covered(&k.columns));
    let index_covers = table.indexes.iter().any(|i| {
        let columns: Vec<String> = i
            .keys
            .iter()
            .filter(|k| !k.expression)
            .map(|k| k.target.clone())
            .collect();
        columns.len() == i.keys.len() && covered(&columns)
    });
    if !pk_covers && !index_covers {
        let name = index_name.unwrap_or_else(|| {
            if explicit {
                foreign_key.name.clone()
            } else {
                foreign_key.columns.first().cloned().unwrap_or_default()
            }
        });
        let keys = foreign_key
            .columns
            .iter()
            .cloned()
            .map(IndexKey::column)
            .collect();
        add_index(table, name, keys, false, "btree".into());
    }
    table.foreign_keys.retain(|f| f.name != foreign_key.name);
    table.foreign_keys.push(foreign_key);
}

fn add_constraint(
    reader: &Reader<'_>,
    table: &mut Table,
    _name: &QualifiedName,
    constraint: &TableConstraint,
) -> Result<(), StatementError> {
    match constraint {
        TableConstraint::PrimaryKey(pk) => {
            table.primary_key = Some(PrimaryKey {
                name: PRIMARY.into(),
                columns: index_keys(&pk.columns)?
                    .iter()
                    .map(|k| key_column(k).to_string())
                    .collect(),
            });
        }
        TableConstraint::Unique(unique) => {
            let index_name = unique
                .index_name
                .as_ref()
                .or(unique.name.as_ref())
                .map(ident)
                .unwrap_or_default();
            add_index(
                table,
                index_name,
                index_keys(&unique.columns)?,
                true,
                method(unique.index_type.as_ref()),
            );
        }
        TableConstraint::Index(index) => {
            let index_name = index.name.as_ref().map(ident).unwrap_or_default();
            add_index(
                table,
                index_name,
                index_keys(&index.columns)?,
                false,
                method(index.index_type.as_ref()),
            );
        }
        TableConstraint::FulltextOrSpatial(index) => {
            let index_name = index.opt_index_name.as_ref().map(ident).unwrap_or_default();
            let method = if index.fulltext {
                "fulltext"
            } else {
                "spatial"
            };
            add_index(
                table,
                index_name,
                index_keys(&index.columns)?,
                false,
                method.into(),
            );
        }
        TableConstraint::ForeignKey(fk) => {
            let referenced = reader.name(&fk.foreign_table)?;
            let foreign_key = ForeignKey {
                name: fk.name.as_ref().map(ident).unwrap_or_default(),
                columns: fk.columns.iter().map(ident).collect(),
                ref_schema: referenced.schema,
                ref_table: referenced.name,
                ref_columns: fk.referred_columns.iter().map(ident).collect(),
                on_delete: action(fk.on_delete),
                on_update: action(fk.on_update),
                deferrable: false,
                initially_deferred: false,
            };
            push_foreign_key(table, foreign_key, fk.index_name.as_ref().map(ident));
        }
        TableConstraint::Check(check) => {
            let mut expr = (*check.expr).clone();
            let expression = canonical_expr(&mut expr);
            let check_name = match &check.name {
                Some(n) => ident(n),
                None => (1..)
                    .map(|n| format!("CONSTRAINT_{n}"))
                    .find(|n| !table.checks.iter().any(|c| &c.name == n))
                    .unwrap_or_default(),
            };
            table.checks.retain(|c| c.name != check_name);
            table.checks.push(Check {
                name: check_name,
                expression,
                no_inherit: false,
            });
        }
        other => return Err(unsupported(&format!("the constraint {other}"))),
    }
    Ok(())
}

fn alter_operation(
    reader: &Reader<'_>,
    table: &mut Table,
    name: &QualifiedName,
    new_name: &mut QualifiedName,
    operation: &AlterTableOperation,
    renames: &mut Vec<Change>,
) -> Result<(), StatementError> {
    match operation {
        AlterTableOperation::AddColumn {
            column_def,
            if_not_exists,
            ..
        } => {
            if *if_not_exists && table.column(&column_def.name.value).is_some() {
                return Ok(());
            }
            add_column(
                table,
                &column_def.name,
                &column_def.data_type,
                column_def.options.iter().map(|o| &o.option),
            )?;
        }
        AlterTableOperation::DropColumn {
            column_names,
            if_exists,
            ..
        } => {
            for column in column_names {
                let before = table.columns.len();
                table
                    .columns
                    .retain(|c| !c.name.eq_ignore_ascii_case(&column.value));
                if before == table.columns.len() && !if_exists {
                    return Err(StatementError::new(format!(
                        "column {} does not exist",
                        column.value
                    )));
                }
                let gone = |n: &str| n.eq_ignore_ascii_case(&column.value);
                for index in &mut table.indexes {
                    index.keys.retain(|k| !gone(key_column(k)));
                }
                table.indexes.retain(|i| !i.keys.is_empty());
                table.checks.retain(|c| !gone(&c.name));
                if let Some(key) = &mut table.primary_key {
                    key.columns.retain(|c| !gone(c));
                }
                if table
                    .primary_key
                    .as_ref()
                    .is_some_and(|k| k.columns.is_empty())
                {
                    table.primary_key = None;
                }
            }
        }
        AlterTableOperation::ModifyColumn {
            col_name,
            data_type,
            options,
            ..
        } => {
            if table.column(&col_name.value).is_none() {
                return Err(StatementError::new(format!(
                    "column {} does not exist",
                    col_name.value
                )));
            }
            forget_column_check(table, &col_name.value);
            add_column(table, col_name, data_type, options.iter())?;
        }
        AlterTableOperation::ChangeColumn {
            old_name,
            new_name: to,
            data_type,
            options,
            ..
        } => {
            let existing = table
                .column(&old_name.value)
                .map(|c| c.name.clone())
                .ok_or_else(|| {
                    StatementError::new(format!("column {} does not exist", old_name.value))
                })?;
            forget_column_check(table, &existing);
            if existing != to.value {
                rename_column(table, name, &existing, &to.value, renames);
            }
            add_column(table, to, data_type, options.iter())?;
        }
        AlterTableOperation::RenameColumn {
            old_column_name: old_name,
            new_column_name: to,
        } => {
            let existing = table
                .column(&old_name.value)
                .map(|c| c.name.clone())
                .ok_or_else(|| {
                    StatementError::new(format!("column {} does not exist", old_name.value))
                })?;
            rename_column(table, name, &existing, &to.value, renames);
        }
        AlterTableOperation::AlterColumn { column_name, op } => {
            let column = table.column_mut(&column_name.value).ok_or_else(|| {
                StatementError::new(format!("column {} does not exist", column_name.value))
            })?;
            match op {
                AlterColumnOperation::SetDefault { value } => {
                    column.default = canonical_default(&value.to_string(), &column.data_type)?
                }
                AlterColumnOperation::DropDefault => column.default = None,
                other => return Err(unsupported(&format!("ALTER COLUMN … {other}"))),
            }
        }
        AlterTableOperation::AddConstraint { constraint, .. } => {
            add_constraint(reader, table, name, constraint)?
        }
        AlterTableOperation::DropPrimaryKey { .. } => table.primary_key = None,
        AlterTableOperation::DropForeignKey { name: fk, .. } => {
            table.foreign_keys.retain(|f| f.name != fk.value);
        }
        AlterTableOperation::DropIndex { name: index } => drop_index(table, &index.value, false)?,
        AlterTableOperation::DropConstraint {
            name: constraint,
            if_exists,
            ..
        } => {
            let before = (
                table.checks.len(),
                table.foreign_keys.len(),
                table.indexes.len(),
            );
            table.checks.retain(|c| c.name != constraint.value);
            table.foreign_keys.retain(|f| f.name != constraint.value);
            if before.0 == table.checks.len() && before.1 == table.foreign_keys.len() {
                table
                    .indexes
                    .retain(|i| !(i.unique && i.name == constraint.value));
            }
            let after = (
                table.checks.len(),
                table.foreign_keys.len(),
                table.indexes.len(),
            );
            if before == after && !if_exists {
                return Err(StatementError::new(format!(
                    "constraint {} does not exist",
                    constraint.value
                )));
            }
        }
        AlterTableOperation::RenameTable { table_name } => {
            let target = match table_name {
                RenameTableNameKind::As(n) | RenameTableNameKind::To(n) => reader.name(n)?,
            };
            *new_name = target;
        }
        AlterTableOperation::AutoIncrement { .. }
        | AlterTableOperation::Algorithm { .. }
        | AlterTableOperation::Lock { .. } => {}
        AlterTableOperation::SetOptionsParens { options } => {
            for option in options {
                table_option(table, option)?;
            }
        }
        other => return Err(unsupported(&format!("ALTER TABLE … {other}"))),
    }
    Ok(())
}

/// `MODIFY`/`CHANGE COLUMN` restate a column without its column-level check (named after the
/// column), which MariaDB then drops; a check the new definition states is read again.
fn forget_column_check(table: &mut Table, column: &str) {
    table
        .checks
        .retain(|c| !c.name.eq_ignore_ascii_case(column));
}

fn rename_column(
    table: &mut Table,
    name: &QualifiedName,
    from: &str,
    to: &str,
    renames: &mut Vec<Change>,
) {
    renames.push(Change::RenameColumn {
        table: name.clone(),
        from: from.to_string(),
        to: to.to_string(),
    });
    let mut model = Model::default();
    model
        .schema_mut(&name.schema)
        .tables
        .insert(table.name.clone(), table.clone());
    let change = Change::RenameColumn {
        table: QualifiedName::new(name.schema.clone(), table.name.clone()),
        from: from.to_string(),
        to: to.to_string(),
    };
    if change.apply_to(&mut model).is_ok()
        && let Some(renamed) =
            model.table(&QualifiedName::new(name.schema.clone(), table.name.clone()))
    {
        *table = renamed.clone();
    }
}
