//! Tables: declared renames, creation and removal, and the keys, checks, foreign keys, indexes
//! and comment of a table present on both sides.

use super::columns;
use super::objects::schema_pairs;
use crate::model::{Change, Model, QualifiedName, Table};
use crate::model::{Check, ForeignKey, Index, PrimaryKey, Unique};
use std::collections::{BTreeMap, BTreeSet};

/// Renames by the table's new name, each already applied to the model they were found in.
pub(super) type Renames = BTreeMap<QualifiedName, Vec<Change>>;

/// Finds the renames `desired` declares (`renamed_from`) that fit `current` — the old name is
/// there and the new one is not — and applies them to `current`, so that the rest of the diff
/// compares like with like. Table renames come first, then column renames in the renamed tables.
pub(super) fn declared_renames(current: &mut Model, desired: &Model) -> Renames {
    let mut renames = Renames::new();
    for (schema, table) in desired_tables(desired) {
        let Some(old) = &table.renamed_from else {
            continue;
        };
        let exists = |name: &str| current.table(&QualifiedName::new(schema, name)).is_some();
        if old != &table.name && exists(old) && !exists(&table.name) {
            record(
                current,
                &mut renames,
                QualifiedName::new(schema, table.name.clone()),
                Change::RenameTable {
                    schema: schema.to_string(),
                    from: old.clone(),
                    to: table.name.clone(),
                },
            );
        }
    }
    for (schema, table) in desired_tables(desired) {
        let name = QualifiedName::new(schema, table.name.clone());
        for column in &table.columns {
            let Some(old) = &column.renamed_from else {
                continue;
            };
            let fits = current.table(&name).is_some_and(|existing| {
                existing.column(old).is_some() && existing.column(&column.name).is_none()
            });
            if old != &column.name && fits {
                let rename = Change::RenameColumn {
                    table: name.clone(),
                    from: old.clone(),
                    to: column.name.clone(),
                };
                record(current, &mut renames, name.clone(), rename);
            }
        }
    }
    renames
}

fn desired_tables(desired: &Model) -> impl Iterator<Item = (&str, &Table)> {
    desired
        .schemas
        .iter()
        .flat_map(|(schema, s)| s.tables.values().map(move |t| (schema.as_str(), t)))
}

/// Applies a rename found to fit, and keeps it for the table's group of changes.
fn record(current: &mut Model, renames: &mut Renames, table: QualifiedName, rename: Change) {
    if rename.apply_to(current).is_ok() {
        renames.entry(table).or_default().push(rename);
    }
}

/// Every table of either model by schema and name: created, dropped, or compared.
pub(super) fn tables(
    current: &Model,
    desired: &Model,
    mut renames: Renames,
    options: &super::DiffOptions,
    out: &mut Vec<Change>,
) {
    for (schema, from_schema, to_schema) in schema_pairs(current, desired) {
        let empty = BTreeMap::new();
        let from_tables = from_schema.map_or(&empty, |s| &s.tables);
        let to_tables = to_schema.map_or(&empty, |s| &s.tables);
        let names: BTreeSet<&String> = from_tables.keys().chain(to_tables.keys()).collect();
        for name in names {
            let qualified = QualifiedName::new(schema, name.clone());
            out.extend(renames.remove(&qualified).unwrap_or_default());
            match (from_tables.get(name), to_tables.get(name)) {
                (Some(from), Some(to)) if from.greptime.is_some() || to.greptime.is_some() => {
                    super::greptime::table(&qualified, from, to, options.greptime_version, out)
                }
                (Some(from), Some(to)) => table(&qualified, from, to, out),
                (Some(from), None) => drop_table(schema, &qualified, from, out),
                (None, Some(to)) => create_table(schema, &qualified, to, out),
                (None, None) => {}
            }
        }
    }
}

/// `CREATE TABLE` without its foreign keys, which follow as their own changes.
fn create_table(schema: &str, name: &QualifiedName, table: &Table, out: &mut Vec<Change>) {
    let mut created = table.clone();
    let foreign_keys = std::mem::take(&mut created.foreign_keys);
    out.push(Change::CreateTable {
        schema: schema.to_string(),
        table: created,
    });
    out.extend(
        foreign_keys
            .into_iter()
            .map(|foreign_key| Change::AddForeignKey {
                table: name.clone(),
                foreign_key,
            }),
    );
}

/// Its foreign keys dropped first, then the table without them.
fn drop_table(schema: &str, name: &QualifiedName, table: &Table, out: &mut Vec<Change>) {
    let mut dropped = table.clone();
    let foreign_keys = std::mem::take(&mut dropped.foreign_keys);
    out.extend(
        foreign_keys
            .into_iter()
            .map(|foreign_key| Change::DropForeignKey {
                table: name.clone(),
                foreign_key,
            }),
    );
    out.push(Change::DropTable {
        schema: schema.to_string(),
        table: dropped,
    });
}

/// A table on both sides: constraints and indexes that only changed their name, then what
/// goes, then columns, then what comes, then comments. A constraint or index that changed under
/// the same name is dropped and added again.
fn table(name: &QualifiedName, from: &Table, to: &Table, out: &mut Vec<Change>) {
    let renamed = renamed_parts(name, from, to, out);
    let from = &renamed;
    let t = || name.clone();
    for foreign_key in gone(&from.foreign_keys, &to.foreign_keys, |f| &f.name) {
        out.push(Change::DropForeignKey {
            table: t(),
            foreign_key,
        });
    }
    for index in gone(&from.indexes, &to.indexes, |i| &i.name) {
        out.push(Change::DropIndex { table: t(), index });
    }
    let restated = super::mysql::restated_checks(from, to);
    for check in gone(&from.checks, &to.checks, |c| &c.name) {
        out.push(Change::DropCheck { table: t(), check });
    }
    for check in restated.iter().cloned() {
        out.push(Change::DropCheck { table: t(), check });
    }
    for unique in gone(&from.uniques, &to.uniques, |u| &u.name) {
        out.push(Change::DropUnique { table: t(), unique });
    }
    let from_key = from.primary_key.iter().cloned().collect::<Vec<_>>();
    let to_key = to.primary_key.iter().cloned().collect::<Vec<_>>();
    for key in gone(&from_key, &to_key, |k| &k.name) {
        out.push(Change::DropPrimaryKey { table: t(), key });
    }

    columns::columns(name, from, to, out);
    for column in super::mysql::restated_columns(from, to) {
        out.push(Change::AlterColumn {
            table: t(),
            from: column.clone(),
            to: column,
        });
    }

    for key in gone(&to_key, &from_key, |k| &k.name) {
        out.push(Change::AddPrimaryKey { table: t(), key });
    }
    for unique in gone(&to.uniques, &from.uniques, |u| &u.name) {
        out.push(Change::AddUnique { table: t(), unique });
    }
    for check in gone(&to.checks, &from.checks, |c| &c.name) {
        out.push(Change::AddCheck { table: t(), check });
    }
    for check in restated {
        out.push(Change::AddCheck { table: t(), check });
    }
    for foreign_key in gone(&to.foreign_keys, &from.foreign_keys, |f| &f.name) {
        out.push(Change::AddForeignKey {
            table: t(),
            foreign_key,
        });
    }
    for index in gone(&to.indexes, &from.indexes, |i| &i.name) {
        out.push(Change::CreateIndex { table: t(), index });
    }

    columns::comments(name, from, to, out);
    // MySQL table options (engine, collation, comment, …) change together in one ALTER.
    let options = |t: &Table| t.mysql.clone().unwrap_or_default().options;
    if options(from) != options(to) {
        out.push(Change::SetTableOptions {
            table: t(),
            from: options(from),
            to: options(to),
        });
    }
    let partitioning = |t: &Table| t.mysql.as_ref().and_then(|m| m.partitioning.clone());
    if partitioning(from) != partitioning(to) {
        out.push(Change::SetPartitioning {
            table: t(),
            from: partitioning(from),
            to: partitioning(to),
        });
    }
    if from.comment != to.comment {
        out.push(Change::SetTableComment {
            table: t(),
            from: from.comment.clone(),
            to: to.comment.clone(),
        });
    }
}

/// The items of `from` that `to` does not hold as they are: missing by name, or changed.
/// Sorted by name.
fn gone<T: Clone + PartialEq>(from: &[T], to: &[T], name_of: impl Fn(&T) -> &String) -> Vec<T> {
    let mut items: Vec<T> = from
        .iter()
        .filter(|item| {
            let same_name = to.iter().find(|other| name_of(other) == name_of(item));
            same_name != Some(*item)
        })
        .cloned()
        .collect();
    items.sort_by(|a, b| name_of(a).cmp(name_of(b)));
    items
}

/// The constraint and index names of one side of a table. Constraints (and the indexes behind
/// primary keys and uniques) share one namespace with indexes, so all count.
fn part_names(table: &Table) -> BTreeSet<&String> {
    table
        .primary_key
        .iter()
        .map(|k| &k.name)
        .chain(table.uniques.iter().map(|u| &u.name))
        .chain(table.checks.iter().map(|c| &c.name))
        .chain(table.foreign_keys.iter().map(|f| &f.name))
        .chain(table.indexes.iter().map(|i| &i.name))
        .collect()
}

/// Finds the constraints and indexes of `from` that `to` holds unchanged under another name —
/// typically the implicit `orgs_pkey` of a table renamed to `organizations` — and renames them
/// (no data is touched, unlike a drop and an add). Returns `from` with the renames applied, so
/// the rest of the comparison sees them as equal.
fn renamed_parts(name: &QualifiedName, from: &Table, to: &Table, out: &mut Vec<Change>) -> Table {
    let names = Namespaces {
        current: part_names(from),
        desired: part_names(to),
    };
    let mut renamed = from.clone();
    let mut keys: Vec<PrimaryKey> = renamed.primary_key.take().into_iter().collect();
    let to_keys: Vec<PrimaryKey> = to.primary_key.iter().cloned().collect();
    let mut constraints = names.rename(
        &mut keys,
        &to_keys,
        |k| &k.name,
        |k, n| PrimaryKey {
            name: n.to_string(),
            ..k.clone()
        },
    );
    renamed.primary_key = keys.pop();
    constraints.extend(names.rename(
        &mut renamed.uniques,
        &to.uniques,
        |u| &u.name,
        |u, n| Unique {
            name: n.to_string(),
            ..u.clone()
        },
    ));
    if super::mysql::renames_constraints(from, to) {
        constraints.extend(rename_constraints(&names, &mut renamed, to));
    }
    let indexes = names.rename(
        &mut renamed.indexes,
        &to.indexes,
        |i| &i.name,
        |i, n| Index {
            name: n.to_string(),
            ..i.clone()
        },
    );
    out.extend(
        constraints
            .into_iter()
            .map(|(from, to)| Change::RenameConstraint {
                table: name.clone(),
                from,
                to,
            }),
    );
    out.extend(indexes.into_iter().map(|(from, to)| Change::RenameIndex {
        table: name.clone(),
        from,
        to,
    }));
    renamed.sort_constraints();
    renamed
}

/// Renames the checks and foreign keys of `renamed` that `to` holds under another name.
fn rename_constraints(
    names: &Namespaces<'_>,
    renamed: &mut Table,
    to: &Table,
) -> Vec<(String, String)> {
    let mut pairs = Vec::new();
    pairs.extend(names.rename(
        &mut renamed.checks,
        &to.checks,
        |c| &c.name,
        |c, n| Check {
            name: n.to_string(),
            ..c.clone()
        },
    ));
    pairs.extend(names.rename(
        &mut renamed.foreign_keys,
        &to.foreign_keys,
        |f| &f.name,
        |f, n| ForeignKey {
            name: n.to_string(),
            ..f.clone()
        },
    ));
    pairs
}

/// The names each side of a table uses, which a rename must leave alone: it goes from a name
/// only the current side has to one only the desired side has.
struct Namespaces<'t> {
    current: BTreeSet<&'t String>,
    desired: BTreeSet<&'t String>,
}

impl Namespaces<'_> {
    /// Renames in place each item of `from` that equals an item of `to` but for its name, each
    /// item of `to` matched once, and returns the `(old, new)` name pairs in the order of `from`.
    fn rename<T: PartialEq>(
        &self,
        from: &mut [T],
        to: &[T],
        name_of: impl Fn(&T) -> &String,
        with_name: impl Fn(&T, &str) -> T,
    ) -> Vec<(String, String)> {
        let mut matched = BTreeSet::new();
        let mut pairs = Vec::new();
        for item in from.iter_mut() {
            if self.desired.contains(name_of(item)) {
                continue;
            }
            let found = to.iter().enumerate().find(|(at, new)| {
                !matched.contains(at)
                    && !self.current.contains(name_of(new))
                    && with_name(item, name_of(new)) == **new
            });
            if let Some((at, new)) = found {
                matched.insert(at);
                pairs.push((name_of(item).clone(), name_of(new).clone()));
                *item = with_name(item, name_of(new));
            }
        }
        pairs
    }
}
