//! What each change does to the objects of the database, as resources it creates, drops, needs
//! (in the new state) and frees (stops using, from the old state). The graph turns these into
//! ordering edges, so a dependency rule is stated once per kind of change, not once per pair.

use super::names::{identifier_chains, sequences_in_default, type_reference, words};
use crate::model::{
    Change, Check, Column, ColumnPosition, CommentTarget, ForeignKey, Function, Index, PrimaryKey,
    QualifiedName, Sequence, Table, Trigger, Unique,
};

/// Something a change can create, drop or depend on.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub(super) enum Resource {
    Schema(String),
    Extension(String),
    /// A user-defined type (an enum).
    Type(QualifiedName),
    Sequence(QualifiedName),
    /// A table or view.
    Relation(QualifiedName),
    Column(QualifiedName, String),
    /// An index, or the index behind a primary key or unique constraint: one namespace per schema.
    Index(QualifiedName),
    /// A check or foreign key, named per table.
    Constraint(QualifiedName, String),
    /// A primary key or unique constraint over these (sorted) columns, which a foreign key needs.
    Key(QualifiedName, Vec<String>),
    /// A function or procedure by name (all its overloads).
    Function(QualifiedName),
}

/// The resources of one change.
#[derive(Debug, Default)]
pub(super) struct Facts {
    pub creates: Vec<Resource>,
    pub drops: Vec<Resource>,
    pub needs: Vec<Resource>,
    pub frees: Vec<Resource>,
    /// Needs that give way when they would close a cycle: a sequence's `OWNED BY` column, whose
    /// default commonly draws from that very sequence.
    pub weak_needs: Vec<Resource>,
    /// Frees that give way likewise (dropping an owned sequence before its owner).
    pub weak_frees: Vec<Resource>,
}

impl Facts {
    /// What a change that creates or alters relies on is a need; what a drop relied on is freed.
    fn uses(&mut self, dropping: bool, resources: Vec<Resource>) {
        if dropping {
            self.frees.extend(resources);
        } else {
            self.needs.extend(resources);
        }
    }

    /// A resource both needed and freed is simply needed: it is kept, not given up.
    fn settle(mut self) -> Facts {
        let needs = &self.needs;
        self.frees.retain(|r| !needs.contains(r));
        self
    }
}

pub(super) fn facts(change: &Change) -> Facts {
    let mut f = Facts::default();
    match change {
        Change::CreateSchema { name } => f.creates.push(Resource::Schema(name.clone())),
        Change::DropSchema { name } => f.drops.push(Resource::Schema(name.clone())),
        Change::CreateExtension { extension } | Change::DropExtension { extension } => {
            let dropping = matches!(change, Change::DropExtension { .. });
            let resource = Resource::Extension(extension.name.clone());
            if dropping {
                f.drops.push(resource);
            } else {
                f.creates.push(resource);
            }
            let schema = extension.schema.iter().map(|s| Resource::Schema(s.clone()));
            f.uses(dropping, schema.collect());
        }
        Change::CreateEnum { schema, value } => f
            .creates
            .push(Resource::Type(QualifiedName::new(schema, &value.name))),
        Change::DropEnum { schema, value } => f
            .drops
            .push(Resource::Type(QualifiedName::new(schema, &value.name))),
        // A new label is a new state of the type: whatever uses the type comes after it.
        Change::AddEnumValue { schema, name, .. } => f
            .creates
            .push(Resource::Type(QualifiedName::new(schema, name))),
        Change::RecreateEnum {
            schema, from, to, ..
        } => {
            f.drops
                .push(Resource::Type(QualifiedName::new(schema, &from.name)));
            f.creates
                .push(Resource::Type(QualifiedName::new(schema, &to.name)));
        }
        Change::RenameEnum { schema, from, to } => {
            f.drops
                .push(Resource::Type(QualifiedName::new(schema, from)));
            f.creates
                .push(Resource::Type(QualifiedName::new(schema, to)));
        }
        // A domain is a type; it uses its base type (an enum, another domain).
        Change::CreateDomain { schema, domain } | Change::DropDomain { schema, domain } => {
            let dropping = matches!(change, Change::DropDomain { .. });
            let resource = Resource::Type(QualifiedName::new(schema, &domain.name));
            if dropping {
                f.drops.push(resource);
            } else {
                f.creates.push(resource);
            }
            f.uses(
                dropping,
                vec![Resource::Type(type_reference(schema, &domain.data_type))],
            );
        }
        Change::AlterDomain { schema, to, .. } => f
            .needs
            .push(Resource::Type(QualifiedName::new(schema, &to.name))),
        Change::CreateSequence { schema, sequence } => {
            f.creates.push(Resource::Sequence(QualifiedName::new(
                schema,
                &sequence.name,
            )));
            f.weak_needs.extend(owner(schema, sequence));
        }
        Change::DropSequence { schema, sequence } => {
            f.drops.push(Resource::Sequence(QualifiedName::new(
                schema,
                &sequence.name,
            )));
            f.weak_frees.extend(owner(schema, sequence));
        }
        Change::AlterSequence { schema, from, to } => {
            f.needs
                .push(Resource::Sequence(QualifiedName::new(schema, &to.name)));
            f.weak_needs.extend(owner(schema, to));
            f.weak_frees.extend(owner(schema, from));
        }
        Change::CreateTable { schema, table } | Change::DropTable { schema, table } => {
            let dropping = matches!(change, Change::DropTable { .. });
            let (held, used) = table_resources(schema, table);
            if dropping {
                f.drops.extend(held);
            } else {
                f.creates.extend(held);
            }
            f.uses(dropping, used);
        }
        Change::RenameTable { schema, from, to } => {
            f.drops
                .push(Resource::Relation(QualifiedName::new(schema, from)));
            f.creates
                .push(Resource::Relation(QualifiedName::new(schema, to)));
        }
        Change::AddColumn { table, column } | Change::DropColumn { table, column } => {
            let dropping = matches!(change, Change::DropColumn { .. });
            let resource = Resource::Column(table.clone(), column.name.clone());
            if dropping {
                f.drops.push(resource);
            } else {
                f.creates.push(resource);
            }
            let mut used = vec![Resource::Relation(table.clone())];
            used.extend(column_uses(&table.schema, column));
            f.uses(dropping, used);
        }
        Change::AddColumnAt {
            table,
            column,
            position,
            ..
        }
        | Change::DropColumnAt {
            table,
            column,
            position,
            ..
        } => {
            let dropping = matches!(change, Change::DropColumnAt { .. });
            let resource = Resource::Column(table.clone(), column.name.clone());
            if dropping {
                f.drops.push(resource);
            } else {
                f.creates.push(resource);
            }
            let mut used = vec![Resource::Relation(table.clone())];
            if let ColumnPosition::After(anchor) = position {
                used.push(Resource::Column(table.clone(), anchor.clone()));
            }
            f.uses(dropping, used);
        }
        // Keys depend on nothing: etcd has no schemas or tables to create first.
        Change::PutKey { .. } | Change::DeleteKey { .. } => {}
        Change::RecreateTable { schema, to, .. } => f
            .needs
            .push(Resource::Relation(QualifiedName::new(schema, &to.name))),
        Change::SetTableOptions { table, .. } | Change::SetPartitioning { table, .. } => {
            f.needs.push(Resource::Relation(table.clone()))
        }
        Change::SetColumnIndexes { table, column, .. } => {
            f.needs.push(Resource::Relation(table.clone()));
            f.needs
                .push(Resource::Column(table.clone(), column.clone()));
        }
        Change::SetDatabaseOptions { schema, .. } => f.needs.push(Resource::Schema(schema.clone())),
        Change::RenameColumn { table, from, to } => {
            f.drops.push(Resource::Column(table.clone(), from.clone()));
            f.creates.push(Resource::Column(table.clone(), to.clone()));
            f.needs.push(Resource::Relation(table.clone()));
        }
        Change::AlterColumn { table, from, to } => {
            f.needs.push(Resource::Relation(table.clone()));
            f.needs
                .push(Resource::Column(table.clone(), to.name.clone()));
            f.needs.extend(column_uses(&table.schema, to));
            f.frees.extend(column_uses(&table.schema, from));
        }
        Change::AddPrimaryKey { table, key } | Change::DropPrimaryKey { table, key } => {
            let dropping = matches!(change, Change::DropPrimaryKey { .. });
            let (held, used) = primary_key_resources(table, key);
            f.record(dropping, held, used);
        }
        Change::AddUnique { table, unique } | Change::DropUnique { table, unique } => {
            let dropping = matches!(change, Change::DropUnique { .. });
            let (held, used) = unique_resources(table, unique);
            f.record(dropping, held, used);
        }
        Change::AddCheck { table, check } | Change::DropCheck { table, check } => {
            let dropping = matches!(change, Change::DropCheck { .. });
            let (held, used) = check_resources(table, check);
            f.record(dropping, held, used);
        }
        Change::AddForeignKey { table, foreign_key }
        | Change::DropForeignKey { table, foreign_key } => {
            let dropping = matches!(change, Change::DropForeignKey { .. });
            let (held, used) = foreign_key_resources(table, foreign_key);
            f.record(dropping, held, used);
        }
        Change::CreateIndex { table, index } | Change::DropIndex { table, index } => {
            let dropping = matches!(change, Change::DropIndex { .. });
            let (held, used) = index_resources(table, index);
            f.record(dropping, held, used);
        }
        // The constraint kind is not recorded, so both namespaces change hands: the index one
        // (primary keys and uniques) and the per-table one (checks and foreign keys).
        Change::RenameConstraint { table, from, to } => {
            f.needs.push(Resource::Relation(table.clone()));
            f.drops
                .push(Resource::Index(QualifiedName::new(&table.schema, from)));
            f.drops
                .push(Resource::Constraint(table.clone(), from.clone()));
            f.creates
                .push(Resource::Index(QualifiedName::new(&table.schema, to)));
            f.creates
                .push(Resource::Constraint(table.clone(), to.clone()));
        }
        Change::RenameIndex { table, from, to } => {
            f.needs.push(Resource::Relation(table.clone()));
            f.drops
                .push(Resource::Index(QualifiedName::new(&table.schema, from)));
            f.creates
                .push(Resource::Index(QualifiedName::new(&table.schema, to)));
        }
        Change::SetComment { target, .. } => f.needs.push(match target {
            CommentTarget::Schema { name } => Resource::Schema(name.clone()),
            CommentTarget::Type { name } => Resource::Type(name.clone()),
            CommentTarget::View { name, .. } => Resource::Relation(name.clone()),
            CommentTarget::Function { name, .. } => Resource::Function(QualifiedName::new(
                &name.schema,
                name.name.split('(').next().unwrap_or(&name.name),
            )),
            CommentTarget::Trigger { table, .. } => Resource::Relation(table.clone()),
        }),
        Change::SetTableComment { table, .. } => f.needs.push(Resource::Relation(table.clone())),
        Change::SetColumnComment { table, column, .. } => {
            f.needs.push(Resource::Relation(table.clone()));
            f.needs
                .push(Resource::Column(table.clone(), column.clone()));
        }
        Change::CreateView { schema, view } => f
            .creates
            .push(Resource::Relation(QualifiedName::new(schema, &view.name))),
        Change::DropView { schema, view } => f
            .drops
            .push(Resource::Relation(QualifiedName::new(schema, &view.name))),
        Change::ReplaceView { schema, to, .. } => f
            .needs
            .push(Resource::Relation(QualifiedName::new(schema, &to.name))),
        Change::CreateFunction { schema, function } | Change::DropFunction { schema, function } => {
            let dropping = matches!(change, Change::DropFunction { .. });
            let resource = Resource::Function(QualifiedName::new(schema, &function.name));
            if dropping {
                f.drops.push(resource);
                f.weak_frees.extend(function_body_uses(schema, function));
            } else {
                f.creates.push(resource);
                f.weak_needs.extend(function_body_uses(schema, function));
            }
            f.uses(dropping, function_uses(schema, function));
        }
        Change::ReplaceFunction { schema, from, to } => {
            f.needs
                .push(Resource::Function(QualifiedName::new(schema, &to.name)));
            f.needs.extend(function_uses(schema, to));
            f.weak_needs.extend(function_body_uses(schema, to));
            f.frees.extend(function_uses(schema, from));
        }
        Change::CreateTrigger { table, trigger } | Change::DropTrigger { table, trigger } => {
            let dropping = matches!(change, Change::DropTrigger { .. });
            f.uses(dropping, trigger_uses(table, trigger));
        }
        // An event lives in its database; the server reads its body only when it runs.
        Change::CreateEvent { schema, .. } | Change::AlterEvent { schema, .. } => {
            f.needs.push(Resource::Schema(schema.clone()))
        }
        Change::DropEvent { schema, .. } => f.frees.push(Resource::Schema(schema.clone())),
    }
    if let Some(table) = change.table_of_part() {
        // A part of a table (column, key, index, comment) is changed in place: the table must
        // exist under this name when it runs, even when the part is being dropped — after a
        // rename, before the table itself is dropped.
        let relation = Resource::Relation(table.clone());
        f.frees.retain(|r| *r != relation);
        f.needs.push(relation);
    }
    f.settle()
}

impl Facts {
    /// A constraint or index: what it holds is created or dropped, what it uses needed or freed.
    fn record(&mut self, dropping: bool, held: Vec<Resource>, used: Vec<Resource>) {
        if dropping {
            self.drops.extend(held);
        } else {
            self.creates.extend(held);
        }
        self.uses(dropping, used);
    }
}

/// The column that owns a sequence (`OWNED BY table.column`), and its table.
fn owner(schema: &str, sequence: &Sequence) -> Vec<Resource> {
    let Some((table, column)) = sequence.owned_by.as_deref().and_then(|o| o.split_once('.')) else {
        return Vec::new();
    };
    let table = QualifiedName::new(schema, table);
    vec![
        Resource::Relation(table.clone()),
        Resource::Column(table, column.to_string()),
    ]
}

/// The type, the sequences and the functions a column uses.
fn column_uses(schema: &str, column: &Column) -> Vec<Resource> {
    let mut used = vec![Resource::Type(type_reference(schema, &column.data_type))];
    if let Some(default) = &column.default {
        used.extend(
            sequences_in_default(default, schema)
                .into_iter()
                .map(Resource::Sequence),
        );
        used.extend(functions_in(schema, default));
    }
    if let Some(generated) = &column.generated {
        used.extend(functions_in(schema, generated));
    }
    used
}

/// The functions an expression may call: every name in it, since a function a change creates
/// or drops is only matched by name (a name that is no function matches nothing).
fn functions_in(schema: &str, expression: &str) -> Vec<Resource> {
    identifier_chains(expression)
        .into_iter()
        .filter_map(|chain| match chain.as_slice() {
            [name] => Some(QualifiedName::new(schema, name)),
            [qualifier, name] => Some(QualifiedName::new(qualifier, name)),
            _ => None,
        })
        .map(Resource::Function)
        .collect()
}

/// The types a routine's signature uses.
fn function_uses(schema: &str, function: &Function) -> Vec<Resource> {
    let mut used: Vec<Resource> = function
        .arguments
        .iter()
        .map(|a| Resource::Type(type_reference(schema, &a.data_type)))
        .collect();
    if let Some(returns) = function.returns.as_deref()
        && !returns.starts_with("TABLE(")
    {
        let element = returns.strip_prefix("SETOF ").unwrap_or(returns);
        used.push(Resource::Type(type_reference(schema, element)));
    }
    used
}

/// The tables a SQL-language body names, which the server checks when it creates the function
/// (a PL/pgSQL body is checked only when it runs).
fn function_body_uses(schema: &str, function: &Function) -> Vec<Resource> {
    if function.language != "sql" {
        return Vec::new();
    }
    identifier_chains(&function.body)
        .into_iter()
        .filter_map(|chain| match chain.as_slice() {
            [name] => Some(QualifiedName::new(schema, name)),
            [qualifier, name, ..] => Some(QualifiedName::new(qualifier, name)),
            _ => None,
        })
        .map(Resource::Relation)
        .collect()
}

/// The table, columns and function a trigger uses.
fn trigger_uses(table: &QualifiedName, trigger: &Trigger) -> Vec<Resource> {
    let mut used = vec![Resource::Relation(table.clone())];
    used.extend(columns_of(table, &trigger.update_columns));
    used.extend(functions_in(&table.schema, &trigger.function));
    used
}

fn columns_of(table: &QualifiedName, columns: &[String]) -> Vec<Resource> {
    columns
        .iter()
        .map(|c| Resource::Column(table.clone(), c.clone()))
        .collect()
}

fn key(table: &QualifiedName, columns: &[String]) -> Resource {
    let mut columns = columns.to_vec();
    columns.sort();
    Resource::Key(table.clone(), columns)
}

type Held = Vec<Resource>;
type Used = Vec<Resource>;

/// Everything a table holds, and everything it uses, as created by `CREATE TABLE`.
fn table_resources(schema: &str, table: &Table) -> (Held, Used) {
    let name = QualifiedName::new(schema, &table.name);
    let mut held = vec![Resource::Relation(name.clone())];
    let mut used = Vec::new();
    for column in &table.columns {
        held.push(Resource::Column(name.clone(), column.name.clone()));
        used.extend(column_uses(schema, column));
    }
    let parts = table
        .primary_key
        .iter()
        .map(|k| primary_key_resources(&name, k))
        .chain(table.uniques.iter().map(|u| unique_resources(&name, u)))
        .chain(table.checks.iter().map(|c| check_resources(&name, c)))
        .chain(
            table
                .foreign_keys
                .iter()
                .map(|fk| foreign_key_resources(&name, fk)),
        )
        .chain(table.indexes.iter().map(|i| index_resources(&name, i)));
    for (part_held, part_used) in parts {
        held.extend(part_held);
        used.extend(part_used);
    }
    // What the table holds itself is no outside dependency.
    used.retain(|r| !held.contains(r));
    (held, used)
}

fn primary_key_resources(table: &QualifiedName, pk: &PrimaryKey) -> (Held, Used) {
    let held = vec![
        Resource::Index(QualifiedName::new(&table.schema, &pk.name)),
        key(table, &pk.columns),
    ];
    let mut used = vec![Resource::Relation(table.clone())];
    used.extend(columns_of(table, &pk.columns));
    (held, used)
}

fn unique_resources(table: &QualifiedName, unique: &Unique) -> (Held, Used) {
    let held = vec![
        Resource::Index(QualifiedName::new(&table.schema, &unique.name)),
        key(table, &unique.columns),
    ];
    let mut used = vec![Resource::Relation(table.clone())];
    used.extend(columns_of(table, &unique.columns));
    (held, used)
}

fn check_resources(table: &QualifiedName, check: &Check) -> (Held, Used) {
    let held = vec![Resource::Constraint(table.clone(), check.name.clone())];
    let mut used = vec![Resource::Relation(table.clone())];
    let mentioned: Vec<String> = words(&check.expression).into_iter().collect();
    used.extend(columns_of(table, &mentioned));
    used.extend(functions_in(&table.schema, &check.expression));
    (held, used)
}

fn foreign_key_resources(table: &QualifiedName, fk: &ForeignKey) -> (Held, Used) {
    let held = vec![Resource::Constraint(table.clone(), fk.name.clone())];
    let referenced = QualifiedName::new(&fk.ref_schema, &fk.ref_table);
    let mut used = vec![
        Resource::Relation(table.clone()),
        Resource::Relation(referenced.clone()),
        key(&referenced, &fk.ref_columns),
    ];
    used.extend(columns_of(table, &fk.columns));
    used.extend(columns_of(&referenced, &fk.ref_columns));
    (held, used)
}

fn index_resources(table: &QualifiedName, index: &Index) -> (Held, Used) {
    let mut held = vec![Resource::Index(QualifiedName::new(
        &table.schema,
        &index.name,
    ))];
    let plain_columns = index.keys.iter().all(|k| !k.expression);
    if index.unique && index.predicate.is_none() && plain_columns {
        let columns: Vec<String> = index.keys.iter().map(|k| k.target.clone()).collect();
        held.push(key(table, &columns));
    }
    let mut mentioned: Vec<String> = Vec::new();
    for index_key in &index.keys {
        if index_key.expression {
            mentioned.extend(words(&index_key.target));
        } else {
            mentioned.push(index_key.target.clone());
        }
    }
    mentioned.extend(index.include.iter().cloned());
    if let Some(predicate) = &index.predicate {
        mentioned.extend(words(predicate));
    }
    let mut used = vec![Resource::Relation(table.clone())];
    used.extend(columns_of(table, &mentioned));
    for index_key in index.keys.iter().filter(|k| k.expression) {
        used.extend(functions_in(&table.schema, &index_key.target));
    }
    if let Some(predicate) = &index.predicate {
        used.extend(functions_in(&table.schema, predicate));
    }
    (held, used)
}
