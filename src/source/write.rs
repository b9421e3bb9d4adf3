//! Writes a model out as schema files that load back to the same model: YAML in the format of
//! `docs/yaml-format.md` (one file per table, one `types.yaml` for the schema's enums, domains,
//! sequences, views and extensions, and `routines.sql` for the functions and triggers YAML has no
//! form for), or SQL (one file per table, the rest in `types.sql`).
//!
//! Everything is named explicitly (constraints, indexes, foreign-key targets), so the files
//! do not depend on the loaders' naming rules; values equal to the loaders' defaults are left
//! out. Output is ordered by name, so the same model always gives the same files.

use crate::backend::{Dialect, RenderContext};
use crate::diff::{assess, diff};
use crate::model::{
    Change, Column, CommentTarget, ForeignKeyAction, IdentityKind, Index, Model, Sequence, Table,
    View,
};
use crate::plan::{Plan, PlanError, plan};
use serde::Serialize;

/// One file to write: its name (inside the output directory) and its text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SchemaFile {
    pub name: String,
    pub text: String,
}

/// The YAML files of `model`. Objects of `default_schema` are written without a `schema:` key
/// (they load into whatever schema the directory is loaded with); those of another schema carry
/// it and their file names start with the schema.
pub fn yaml_files(model: &Model, default_schema: &str) -> Vec<SchemaFile> {
    yaml_files_written_by(model, default_schema, "bfm inspect")
}

/// [`yaml_files`] with `command` named in each file's first comment line.
pub fn yaml_files_written_by(
    model: &Model,
    default_schema: &str,
    command: &str,
) -> Vec<SchemaFile> {
    let mut files = Vec::new();
    for schema in model.schemas.values() {
        let key = (schema.name != default_schema).then(|| schema.name.clone());
        let prefix = key.as_ref().map(|s| format!("{s}.")).unwrap_or_default();
        let extensions = if schema.name == default_schema {
            model.extensions.values().map(extension_doc).collect()
        } else {
            Vec::new()
        };
        let types = FileDoc {
            schema: key.clone(),
            comment: schema.comment.clone(),
            extensions,
            enums: schema.enums.values().map(enum_doc).collect(),
            domains: schema.domains.values().map(domain_doc).collect(),
            sequences: schema.sequences.values().map(sequence_doc).collect(),
            views: schema.views.values().map(view_doc).collect(),
            ..FileDoc::default()
        };
        if schema.tables.is_empty() && types.is_empty() {
            // An empty schema is still part of the model: a file naming it keeps it.
            let named = FileDoc {
                schema: Some(schema.name.clone()),
                ..FileDoc::default()
            };
            files.push(yaml_file(format!("{prefix}types.yaml"), &named, command));
        } else if !types.is_empty() {
            files.push(yaml_file(format!("{prefix}types.yaml"), &types, command));
        }
        for table in schema.tables.values() {
            let doc = FileDoc {
                schema: key.clone(),
                tables: vec![table_doc(table, &schema.name)],
                ..FileDoc::default()
            };
            files.push(yaml_file(
                format!("{prefix}{}.yaml", table.name),
                &doc,
                command,
            ));
        }
    }
    files
}

/// The SQL files of `model`: the statements that create it in an empty database, the table's
/// statements (with its foreign keys and comments) in its own file, the rest in `types.sql`.
pub fn sql_files(
    model: &Model,
    dialect: &dyn Dialect,
    render: &RenderContext,
) -> Result<Vec<SchemaFile>, PlanError> {
    let creation = creation_plan(model)?;
    let mut types = String::new();
    let mut tables: std::collections::BTreeMap<String, String> = Default::default();
    for file in &creation.files {
        for assessed in &file.changes {
            // The schema the files run in unqualified (a MySQL connection's database, a
            // per-environment schema) is the environment's, not the files' to create.
            if let Change::CreateSchema { name } = &assessed.change
                && render.unqualified_schema.as_deref() == Some(name.as_str())
            {
                continue;
            }
            let text = statements(&assessed.change, dialect, render);
            match assessed.change.table_of_part().cloned().or_else(|| {
                // A trigger goes with its table, which must be loaded first.
                matches!(
                    assessed.change,
                    Change::CreateTable { .. } | Change::CreateTrigger { .. }
                )
                .then(|| assessed.change.subject())
            }) {
                Some(table) => tables
                    .entry(file_stem(&table.schema, &table.name, render))
                    .or_default()
                    .push_str(&text),
                None => types.push_str(&text),
            }
        }
    }
    let mut files = Vec::new();
    if !types.is_empty() {
        files.push(SchemaFile {
            name: "types.sql".into(),
            text: types,
        });
    }
    for (stem, text) in tables {
        files.push(SchemaFile {
            name: format!("{stem}.sql"),
            text,
        });
    }
    Ok(files)
}

/// The objects the YAML format has no form for — functions, procedures, triggers and their
/// comments — as one `routines.sql` to write beside the YAML files: the loader reads SQL files
/// after YAML ones, so the directory still loads back to the whole model. `None` when the model
/// has none.
pub fn routines_file(
    model: &Model,
    dialect: &dyn Dialect,
    render: &RenderContext,
) -> Result<Option<SchemaFile>, PlanError> {
    let creation = creation_plan(model)?;
    let text: String = creation
        .files
        .iter()
        .flat_map(|file| &file.changes)
        .filter(|assessed| is_routine(&assessed.change))
        .map(|assessed| statements(&assessed.change, dialect, render))
        .collect();
    Ok((!text.is_empty()).then(|| SchemaFile {
        name: "routines.sql".into(),
        text,
    }))
}

/// The plan that creates `model` in an empty database, in dependency order.
fn creation_plan(model: &Model) -> Result<Plan, PlanError> {
    let empty = Model::default();
    plan(assess(diff(&empty, model), &empty, model))
}

fn is_routine(change: &Change) -> bool {
    match change {
        Change::CreateFunction { .. } | Change::CreateTrigger { .. } => true,
        Change::SetComment { target, .. } => matches!(
            target,
            CommentTarget::Function { .. } | CommentTarget::Trigger { .. }
        ),
        _ => false,
    }
}

fn statements(change: &Change, dialect: &dyn Dialect, render: &RenderContext) -> String {
    dialect
        .render(change, render)
        .into_iter()
        .map(|s| format!("{s};\n"))
        .collect()
}

fn file_stem(schema: &str, table: &str, render: &RenderContext) -> String {
    if render.unqualified_schema.as_deref() == Some(schema) {
        table.to_string()
    } else {
        format!("{schema}.{table}")
    }
}

fn yaml_file(name: String, doc: &FileDoc, command: &str) -> SchemaFile {
    let body = serde_saphyr::to_string(doc).unwrap_or_default();
    SchemaFile {
        name,
        text: format!("# Written by `{command}`.\n{body}"),
    }
}

#[derive(Debug, Default, Serialize)]
struct FileDoc {
    #[serde(skip_serializing_if = "Option::is_none")]
    schema: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    comment: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    extensions: Vec<ExtensionDoc>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    enums: Vec<EnumDoc>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    domains: Vec<DomainDoc>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    sequences: Vec<SequenceDoc>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    tables: Vec<TableDoc>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    views: Vec<ViewDoc>,
}

impl FileDoc {
    fn is_empty(&self) -> bool {
        self.comment.is_none()
            && self.extensions.is_empty()
            && self.enums.is_empty()
            && self.domains.is_empty()
            && self.sequences.is_empty()
            && self.views.is_empty()
    }
}

#[derive(Debug, Serialize)]
struct ExtensionDoc {
    name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    schema: Option<String>,
}

#[derive(Debug, Serialize)]
struct EnumDoc {
    name: String,
    values: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    comment: Option<String>,
}

#[derive(Debug, Serialize)]
struct DomainDoc {
    name: String,
    #[serde(rename = "type")]
    data_type: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    default: Option<String>,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    not_null: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    collation: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    checks: Vec<CheckDoc>,
    #[serde(skip_serializing_if = "Option::is_none")]
    comment: Option<String>,
}

fn domain_doc(domain: &crate::model::Domain) -> DomainDoc {
    DomainDoc {
        name: domain.name.clone(),
        data_type: domain.data_type.clone(),
        default: domain.default.clone(),
        not_null: domain.not_null,
        collation: domain.collation.clone(),
        checks: domain
            .checks
            .iter()
            .map(|c| CheckDoc {
                name: c.name.clone(),
                expression: c.expression.clone(),
                no_inherit: false,
            })
            .collect(),
        comment: domain.comment.clone(),
    }
}

#[derive(Debug, Serialize)]
struct SequenceDoc {
    name: String,
    #[serde(rename = "type")]
    data_type: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    start: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    increment: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    min_value: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    max_value: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    cache: Option<i64>,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    cycle: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    owned_by: Option<String>,
}

#[derive(Debug, Serialize)]
struct ViewDoc {
    name: String,
    query: String,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    materialized: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    comment: Option<String>,
}

#[derive(Debug, Serialize)]
struct TableDoc {
    name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    comment: Option<String>,
    columns: Vec<ColumnDoc>,
    #[serde(skip_serializing_if = "Option::is_none")]
    primary_key: Option<NamedColumnsDoc>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    unique: Vec<UniqueDoc>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    checks: Vec<CheckDoc>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    foreign_keys: Vec<ForeignKeyDoc>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    indexes: Vec<IndexDoc>,
}

#[derive(Debug, Serialize)]
struct ColumnDoc {
    name: String,
    #[serde(rename = "type")]
    data_type: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    nullable: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    default: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    identity: Option<IdentityDoc>,
    #[serde(skip_serializing_if = "Option::is_none")]
    generated: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    collation: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    comment: Option<String>,
}

#[derive(Debug, Serialize)]
struct IdentityDoc {
    kind: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    start: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    increment: Option<i64>,
}

#[derive(Debug, Serialize)]
struct NamedColumnsDoc {
    name: String,
    columns: Vec<String>,
}

#[derive(Debug, Serialize)]
struct UniqueDoc {
    name: String,
    columns: Vec<String>,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    nulls_not_distinct: bool,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    deferrable: bool,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    initially_deferred: bool,
}

#[derive(Debug, Serialize)]
struct CheckDoc {
    name: String,
    expression: String,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    no_inherit: bool,
}

#[derive(Debug, Serialize)]
struct ForeignKeyDoc {
    name: String,
    columns: Vec<String>,
    references: ForeignKeyTargetDoc,
    #[serde(skip_serializing_if = "Option::is_none")]
    on_delete: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    on_update: Option<&'static str>,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    deferrable: bool,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    initially_deferred: bool,
}

#[derive(Debug, Serialize)]
struct ForeignKeyTargetDoc {
    #[serde(skip_serializing_if = "Option::is_none")]
    schema: Option<String>,
    table: String,
    columns: Vec<String>,
}

#[derive(Debug, Serialize)]
struct IndexDoc {
    name: String,
    keys: Vec<IndexKeyDoc>,
    #[serde(skip_serializing_if = "Option::is_none")]
    method: Option<String>,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    unique: bool,
    #[serde(rename = "where", skip_serializing_if = "Option::is_none")]
    predicate: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    include: Vec<String>,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    nulls_not_distinct: bool,
}

#[derive(Debug, Serialize)]
struct IndexKeyDoc {
    #[serde(skip_serializing_if = "Option::is_none")]
    column: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    expression: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    opclass: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    collation: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    order: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    nulls: Option<&'static str>,
}

fn extension_doc(extension: &crate::model::Extension) -> ExtensionDoc {
    ExtensionDoc {
        name: extension.name.clone(),
        schema: extension.schema.clone(),
    }
}

fn enum_doc(enumeration: &crate::model::Enum) -> EnumDoc {
    EnumDoc {
        name: enumeration.name.clone(),
        values: enumeration.values.clone(),
        comment: enumeration.comment.clone(),
    }
}

fn sequence_doc(sequence: &Sequence) -> SequenceDoc {
    SequenceDoc {
        name: sequence.name.clone(),
        data_type: sequence.data_type.clone(),
        start: sequence.start,
        increment: sequence.increment,
        min_value: sequence.min_value,
        max_value: sequence.max_value,
        cache: sequence.cache,
        cycle: sequence.cycle,
        owned_by: sequence.owned_by.clone(),
    }
}

fn view_doc(view: &View) -> ViewDoc {
    ViewDoc {
        name: view.name.clone(),
        query: view.definition.clone(),
        materialized: view.materialized,
        comment: view.comment.clone(),
    }
}

fn table_doc(table: &Table, schema: &str) -> TableDoc {
    TableDoc {
        name: table.name.clone(),
        comment: table.comment.clone(),
        columns: table.columns.iter().map(column_doc).collect(),
        primary_key: table.primary_key.as_ref().map(|key| NamedColumnsDoc {
            name: key.name.clone(),
            columns: key.columns.clone(),
        }),
        unique: table
            .uniques
            .iter()
            .map(|u| UniqueDoc {
                name: u.name.clone(),
                columns: u.columns.clone(),
                nulls_not_distinct: u.nulls_not_distinct,
                deferrable: u.deferrable,
                initially_deferred: u.initially_deferred,
            })
            .collect(),
        checks: table
            .checks
            .iter()
            .map(|c| CheckDoc {
                name: c.name.clone(),
                expression: c.expression.clone(),
                no_inherit: c.no_inherit,
            })
            .collect(),
        foreign_keys: table
            .foreign_keys
            .iter()
            .map(|fk| ForeignKeyDoc {
                name: fk.name.clone(),
                columns: fk.columns.clone(),
                references: ForeignKeyTargetDoc {
                    schema: (fk.ref_schema != schema).then(|| fk.ref_schema.clone()),
                    table: fk.ref_table.clone(),
                    columns: fk.ref_columns.clone(),
                },
                on_delete: action(fk.on_delete),
                on_update: action(fk.on_update),
                deferrable: fk.deferrable,
                initially_deferred: fk.initially_deferred,
            })
            .collect(),
        indexes: table.indexes.iter().map(index_doc).collect(),
    }
}

fn column_doc(column: &Column) -> ColumnDoc {
    ColumnDoc {
        name: column.name.clone(),
        data_type: column.data_type.clone(),
        nullable: (!column.nullable).then_some(false),
        default: column.default.clone(),
        identity: column.identity.as_ref().map(|identity| IdentityDoc {
            kind: match identity.kind {
                IdentityKind::Always => "always",
                IdentityKind::ByDefault => "by_default",
            },
            start: identity.start,
            increment: identity.increment,
        }),
        generated: column.generated.clone(),
        collation: column.collation.clone(),
        comment: column.comment.clone(),
    }
}

fn action(action: ForeignKeyAction) -> Option<&'static str> {
    match action {
        ForeignKeyAction::NoAction => None,
        ForeignKeyAction::Restrict => Some("restrict"),
        ForeignKeyAction::Cascade => Some("cascade"),
        ForeignKeyAction::SetNull => Some("set_null"),
        ForeignKeyAction::SetDefault => Some("set_default"),
    }
}

fn index_doc(index: &Index) -> IndexDoc {
    IndexDoc {
        name: index.name.clone(),
        keys: index
            .keys
            .iter()
            .map(|key| IndexKeyDoc {
                column: (!key.expression).then(|| key.target.clone()),
                expression: key.expression.then(|| key.target.clone()),
                opclass: key.opclass.clone(),
                collation: key.collation.clone(),
                order: key.descending.then_some("desc"),
                nulls: key
                    .nulls_first
                    .map(|first| if first { "first" } else { "last" }),
            })
            .collect(),
        method: (index.method != "btree").then(|| index.method.clone()),
        unique: index.unique,
        predicate: index.predicate.clone(),
        include: index.include.clone(),
        nulls_not_distinct: index.nulls_not_distinct,
    }
}
