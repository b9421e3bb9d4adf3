//! Schema-level objects other than tables and views: schemas, extensions, enums, sequences.

use crate::model::{
    Change, ColumnRef, CommentTarget, Enum, EnumPosition, Model, QualifiedName, Schema, Sequence,
};
use std::collections::{BTreeMap, BTreeSet};

/// Schemas of `desired` that `current` lacks, created first (then commented, as `CREATE SCHEMA`
/// takes no comment), and the new comments of schemas on both sides.
pub(super) fn create_schemas(current: &Model, desired: &Model, out: &mut Vec<Change>) {
    for (name, schema) in &desired.schemas {
        let existing = current.schemas.get(name);
        if existing.is_none() {
            out.push(Change::CreateSchema { name: name.clone() });
        }
        let from = existing.and_then(|s| s.comment.clone());
        if from != schema.comment {
            out.push(schema_comment(name, from, schema.comment.clone()));
        }
    }
}

/// Schemas of `current` that `desired` lacks, dropped last (once their objects are gone). A
/// comment is cleared first, so that the inverse — create, then comment — restores it.
pub(super) fn drop_schemas(current: &Model, desired: &Model, out: &mut Vec<Change>) {
    for (name, schema) in &current.schemas {
        if !desired.schemas.contains_key(name) {
            if schema.comment.is_some() {
                out.push(schema_comment(name, schema.comment.clone(), None));
            }
            out.push(Change::DropSchema { name: name.clone() });
        }
    }
}

fn schema_comment(name: &str, from: Option<String>, to: Option<String>) -> Change {
    Change::SetComment {
        target: CommentTarget::Schema {
            name: name.to_string(),
        },
        from,
        to,
    }
}

/// Extensions by name; one whose settings differ is dropped and created again.
pub(super) fn extensions(current: &Model, desired: &Model, out: &mut Vec<Change>) {
    for name in union(&current.extensions, &desired.extensions) {
        match (current.extensions.get(name), desired.extensions.get(name)) {
            (Some(from), Some(to)) if from != to => {
                out.push(Change::DropExtension {
                    extension: from.clone(),
                });
                out.push(Change::CreateExtension {
                    extension: to.clone(),
                });
            }
            (Some(from), None) => out.push(Change::DropExtension {
                extension: from.clone(),
            }),
            (None, Some(to)) => out.push(Change::CreateExtension {
                extension: to.clone(),
            }),
            _ => {}
        }
    }
}

/// Enums by schema and name. `original` is the current model before declared renames: a
/// recreated enum lists the columns that use it there, since it runs before the renames.
pub(super) fn enums(original: &Model, current: &Model, desired: &Model, out: &mut Vec<Change>) {
    for (schema, from_schema, to_schema) in schema_pairs(current, desired) {
        let empty = BTreeMap::new();
        let from_enums = from_schema.map_or(&empty, |s| &s.enums);
        let to_enums = to_schema.map_or(&empty, |s| &s.enums);
        for name in union(from_enums, to_enums) {
            match (from_enums.get(name), to_enums.get(name)) {
                (Some(from), Some(to)) if from.values != to.values => {
                    out.extend(enum_changes(original, schema, from, to));
                }
                (Some(from), Some(to)) if from.comment != to.comment => {
                    out.push(enum_comment(schema, from, to));
                }
                (Some(from), None) => out.push(Change::DropEnum {
                    schema: schema.to_string(),
                    value: from.clone(),
                }),
                (None, Some(to)) => out.push(Change::CreateEnum {
                    schema: schema.to_string(),
                    value: to.clone(),
                }),
                _ => {}
            }
        }
    }
}

/// `COMMENT ON TYPE`, for an enum whose comment alone changed, or whose labels were only added.
fn enum_comment(schema: &str, from: &Enum, to: &Enum) -> Change {
    Change::SetComment {
        target: CommentTarget::Type {
            name: QualifiedName::new(schema, to.name.clone()),
        },
        from: from.comment.clone(),
        to: to.comment.clone(),
    }
}

/// `ADD VALUE` for each new label when the old labels keep their relative order (then the
/// comment, if it changed), otherwise one recreation of the type, which carries the comment.
fn enum_changes(original: &Model, schema: &str, from: &Enum, to: &Enum) -> Vec<Change> {
    let kept: Vec<&String> = to
        .values
        .iter()
        .filter(|v| from.values.contains(v))
        .collect();
    let only_added = kept.len() == from.values.len() && kept.iter().copied().eq(&from.values);
    if !only_added {
        return vec![Change::RecreateEnum {
            schema: schema.to_string(),
            from: from.clone(),
            to: to.clone(),
            columns: ColumnRef::using_enum(original, schema, &from.name),
        }];
    }
    let mut changes: Vec<Change> = to
        .values
        .iter()
        .enumerate()
        .filter(|(_, label)| !from.values.contains(label))
        .map(|(at, label)| Change::AddEnumValue {
            schema: schema.to_string(),
            name: to.name.clone(),
            label: label.clone(),
            position: label_position(&from.values, &to.values[at + 1..]),
        })
        .collect();
    if from.comment != to.comment {
        changes.push(enum_comment(schema, from, to));
    }
    changes
}

/// Where a new label goes when labels are added left to right: before the first old label that
/// follows it, or last when none does.
fn label_position(old: &[String], after_it: &[String]) -> EnumPosition {
    after_it
        .iter()
        .find(|label| old.contains(label))
        .map_or(EnumPosition::Last, |next| {
            EnumPosition::Before(next.clone())
        })
}

/// Sequences by schema and name: created, dropped or altered.
pub(super) fn sequences(current: &Model, desired: &Model, out: &mut Vec<Change>) {
    for (schema, from_schema, to_schema) in schema_pairs(current, desired) {
        let empty = BTreeMap::new();
        let from_sequences = from_schema.map_or(&empty, |s| &s.sequences);
        let to_sequences = to_schema.map_or(&empty, |s| &s.sequences);
        for name in union(from_sequences, to_sequences) {
            let schema = schema.to_string();
            match (from_sequences.get(name), to_sequences.get(name)) {
                (Some(from), Some(to)) if from != to => out.push(Change::AlterSequence {
                    schema,
                    from: from.clone(),
                    to: to.clone(),
                }),
                (Some(from), None) => {
                    let detached = without_owner(from);
                    if detached != *from {
                        out.push(Change::AlterSequence {
                            schema: schema.clone(),
                            from: from.clone(),
                            to: detached.clone(),
                        });
                    }
                    out.push(Change::DropSequence {
                        schema,
                        sequence: detached,
                    });
                }
                (None, Some(to)) => {
                    let detached = without_owner(to);
                    out.push(Change::CreateSequence {
                        schema: schema.clone(),
                        sequence: detached.clone(),
                    });
                    if detached != *to {
                        out.push(Change::AlterSequence {
                            schema,
                            from: detached,
                            to: to.clone(),
                        });
                    }
                }
                _ => {}
            }
        }
    }
}

/// A sequence without `OWNED BY`. A new sequence is created without its owner and attached
/// once the owning table exists — that table's default usually draws from the sequence, so
/// neither could be created first — and an old one is detached before it is dropped.
fn without_owner(sequence: &Sequence) -> Sequence {
    Sequence {
        owned_by: None,
        ..sequence.clone()
    }
}

/// Every schema name of either model, with the schema on each side.
pub(super) fn schema_pairs<'m>(
    current: &'m Model,
    desired: &'m Model,
) -> Vec<(&'m str, Option<&'m Schema>, Option<&'m Schema>)> {
    union(&current.schemas, &desired.schemas)
        .into_iter()
        .map(|name| {
            (
                name.as_str(),
                current.schemas.get(name),
                desired.schemas.get(name),
            )
        })
        .collect()
}

/// The keys of both maps, sorted.
pub(super) fn union<'m, A, B>(
    left: &'m BTreeMap<String, A>,
    right: &'m BTreeMap<String, B>,
) -> BTreeSet<&'m String> {
    left.keys().chain(right.keys()).collect()
}
