//! Typed changes between two models: what changed, never how to say it in SQL.
//!
//! The diff produces them, each dialect renders them, and SQL loaders produce them too: every DDL
//! statement read from a schema or migration file becomes changes applied to a model (see
//! [`Change::apply_to`]), which is how replay works without a database. Every change carries enough
//! of the old state to be inverted exactly, so a down migration is the inverted changes in reverse.

use super::{
    Check, Column, Enum, Extension, ForeignKey, Index, PrimaryKey, QualifiedName, Sequence, Table,
    Unique, View,
};
use serde::{Deserialize, Serialize};

/// Where a new enum label goes (`ALTER TYPE … ADD VALUE … BEFORE|AFTER`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EnumPosition {
    Last,
    Before(String),
    After(String),
}

/// A column that uses an enum type, recorded so an enum can be recreated around it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ColumnRef {
    pub table: QualifiedName,
    pub column: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Change {
    CreateSchema {
        name: String,
    },
    DropSchema {
        name: String,
    },
    CreateExtension {
        extension: Extension,
    },
    DropExtension {
        extension: Extension,
    },
    CreateEnum {
        schema: String,
        value: Enum,
    },
    DropEnum {
        schema: String,
        value: Enum,
    },
    /// Adds one label. PostgreSQL cannot remove a label, so the inverse is a [`Change::RecreateEnum`].
    AddEnumValue {
        schema: String,
        name: String,
        label: String,
        position: EnumPosition,
    },
    /// Replaces an enum whose labels were removed or reordered: rename the old type away, create
    /// the new one, convert the columns that use it, drop the old type. Fails on rows that hold a
    /// removed label, which is why it is a hazard.
    RecreateEnum {
        schema: String,
        from: Enum,
        to: Enum,
        columns: Vec<ColumnRef>,
    },
    CreateSequence {
        schema: String,
        sequence: Sequence,
    },
    DropSequence {
        schema: String,
        sequence: Sequence,
    },
    AlterSequence {
        schema: String,
        from: Sequence,
        to: Sequence,
    },
    /// Creates a table with everything it holds. The diff takes foreign keys out into
    /// [`Change::AddForeignKey`] so the planner can order them (and break cycles); renderers
    /// still render any the table holds, as well as its indexes and comments.
    CreateTable {
        schema: String,
        table: Table,
    },
    /// Drops a table. `table` is its last state (foreign keys taken out by the diff, as for
    /// [`Change::CreateTable`]), so the inverse can recreate it.
    DropTable {
        schema: String,
        table: Table,
    },
    RenameTable {
        schema: String,
        from: String,
        to: String,
    },
    AddColumn {
        table: QualifiedName,
        column: Column,
    },
    DropColumn {
        table: QualifiedName,
        column: Column,
    },
    RenameColumn {
        table: QualifiedName,
        from: String,
        to: String,
    },
    /// Any difference in type, nullability, default, identity, generation or collation; the
    /// dialect renders one clause per attribute that differs. Comments are [`Change::SetColumnComment`].
    AlterColumn {
        table: QualifiedName,
        from: Column,
        to: Column,
    },
    AddPrimaryKey {
        table: QualifiedName,
        key: PrimaryKey,
    },
    DropPrimaryKey {
        table: QualifiedName,
        key: PrimaryKey,
    },
    AddUnique {
        table: QualifiedName,
        unique: Unique,
    },
    DropUnique {
        table: QualifiedName,
        unique: Unique,
    },
    AddCheck {
        table: QualifiedName,
        check: Check,
    },
    DropCheck {
        table: QualifiedName,
        check: Check,
    },
    AddForeignKey {
        table: QualifiedName,
        foreign_key: ForeignKey,
    },
    DropForeignKey {
        table: QualifiedName,
        foreign_key: ForeignKey,
    },
    CreateIndex {
        table: QualifiedName,
        index: Index,
    },
    DropIndex {
        table: QualifiedName,
        index: Index,
    },
    SetTableComment {
        table: QualifiedName,
        from: Option<String>,
        to: Option<String>,
    },
    SetColumnComment {
        table: QualifiedName,
        column: String,
        from: Option<String>,
        to: Option<String>,
    },
    CreateView {
        schema: String,
        view: View,
    },
    DropView {
        schema: String,
        view: View,
    },
    /// `CREATE OR REPLACE VIEW`: only when the new query keeps the old output columns as a prefix.
    ReplaceView {
        schema: String,
        from: View,
        to: View,
    },
}
