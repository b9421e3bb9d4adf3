//! The change graph: one node per change, an edge `a → b` when `a` must run before `b`, and a
//! deterministic topological order of it.

use super::PlanError;
use super::facts::{Facts, Resource, facts};
use super::names::{identifier_chains, mentions};
use crate::model::{Change, QualifiedName};
use petgraph::Direction;
use petgraph::algo::{has_path_connecting, tarjan_scc};
use petgraph::graph::{DiGraph, NodeIndex};
use std::cmp::Reverse;
use std::collections::{BTreeMap, BTreeSet, BinaryHeap};

/// The broad stage a change belongs to. Among changes free to run, an earlier phase runs
/// first, so a plan reads in the order a person would write it: set-up, then removals from
/// the outside in (what depends on a table before the table), then creations from the inside
/// out (types, tables, what hangs off tables, views), then tear-down.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Phase {
    /// Schemas and extensions, which everything else may live in or use.
    Setup,
    /// Views, foreign keys, indexes and constraints that are going away.
    DropDependents,
    /// Columns, tables, sequences and enums that are going away.
    DropObjects,
    /// Enums and sequences, which columns use.
    Types,
    /// Tables and columns.
    Tables,
    /// Keys, checks, indexes, then foreign keys, which need the keys they reference.
    Constraints,
    /// Views, which read tables.
    Views,
    /// Extensions and schemas that are going away, once nothing is left in or using them.
    Teardown,
}

/// The phase of a change and its rank within the phase (the order the arms below list them).
fn rank(change: &Change) -> (Phase, u8) {
    match change {
        Change::CreateSchema { .. } => (Phase::Setup, 0),
        Change::CreateExtension { .. } => (Phase::Setup, 1),
        Change::DropView { .. } => (Phase::DropDependents, 0),
        Change::DropForeignKey { .. } => (Phase::DropDependents, 1),
        Change::DropIndex { .. } => (Phase::DropDependents, 2),
        Change::DropCheck { .. } => (Phase::DropDependents, 3),
        Change::DropUnique { .. } => (Phase::DropDependents, 4),
        Change::DropPrimaryKey { .. } => (Phase::DropDependents, 5),
        Change::DropTrigger { .. } => (Phase::DropDependents, 6),
        Change::DropFunction { .. } => (Phase::DropObjects, 4),
        Change::CreateFunction { .. } => (Phase::Types, 6),
        Change::ReplaceFunction { .. } => (Phase::Types, 7),
        Change::CreateTrigger { .. } => (Phase::Views, 3),
        Change::DropEvent { .. } => (Phase::DropDependents, 7),
        Change::CreateEvent { .. } => (Phase::Views, 4),
        Change::AlterEvent { .. } => (Phase::Views, 5),
        Change::DropColumn { .. } | Change::DropColumnAt { .. } => (Phase::DropObjects, 0),
        Change::DropTable { .. } => (Phase::DropObjects, 1),
        Change::DropSequence { .. } => (Phase::DropObjects, 2),
        Change::DropEnum { .. } => (Phase::DropObjects, 3),
        Change::DropDomain { .. } => (Phase::DropObjects, 4),
        Change::CreateEnum { .. } => (Phase::Types, 0),
        Change::CreateDomain { .. } => (Phase::Types, 6),
        Change::AlterDomain { .. } => (Phase::Types, 7),
        Change::AddEnumValue { .. } => (Phase::Types, 1),
        Change::RecreateEnum { .. } => (Phase::Types, 2),
        Change::RenameEnum { .. } => (Phase::Types, 5),
        Change::CreateSequence { .. } => (Phase::Types, 3),
        Change::AlterSequence { .. } => (Phase::Types, 4),
        Change::RenameTable { .. } => (Phase::Tables, 0),
        Change::CreateTable { .. } => (Phase::Tables, 1),
        Change::RenameColumn { .. } => (Phase::Tables, 2),
        Change::AddColumn { .. } | Change::AddColumnAt { .. } => (Phase::Tables, 3),
        Change::RecreateTable { .. } => (Phase::Tables, 1),
        Change::SetTableOptions { .. } | Change::SetColumnIndexes { .. } => (Phase::Tables, 5),
        Change::SetDatabaseOptions { .. } => (Phase::Setup, 0),
        Change::AlterColumn { .. } => (Phase::Tables, 4),
        Change::SetTableComment { .. } => (Phase::Tables, 5),
        Change::SetColumnComment { .. } => (Phase::Tables, 6),
        // etcd keys depend on nothing; within a group they sort by key.
        Change::DeleteKey { .. } => (Phase::Tables, 7),
        Change::PutKey { .. } => (Phase::Tables, 8),
        Change::RenameConstraint { .. } => (Phase::Constraints, 0),
        Change::RenameIndex { .. } => (Phase::Constraints, 1),
        Change::AddPrimaryKey { .. } => (Phase::Constraints, 2),
        Change::AddUnique { .. } => (Phase::Constraints, 3),
        Change::AddCheck { .. } => (Phase::Constraints, 4),
        Change::CreateIndex { .. } => (Phase::Constraints, 5),
        Change::AddForeignKey { .. } => (Phase::Constraints, 6),
        // Every unique key of a partitioned table must hold the partitioning columns: remove
        // partitioning before the keys change, partition once they are in place.
        Change::SetPartitioning { to: None, .. } => (Phase::Tables, 5),
        Change::SetPartitioning { .. } => (Phase::Constraints, 7),
        Change::CreateView { .. } => (Phase::Views, 0),
        Change::ReplaceView { .. } => (Phase::Views, 1),
        Change::SetComment { .. } => (Phase::Views, 2),
        Change::DropExtension { .. } => (Phase::Teardown, 0),
        Change::DropSchema { .. } => (Phase::Teardown, 1),
    }
}

/// Orders ready changes: phase, rank, subject, then the change's full content, so that the
/// order never depends on the order changes arrived in.
type SortKey = (Phase, u8, QualifiedName, String);

fn sort_key(change: &Change) -> SortKey {
    let (phase, kind) = rank(change);
    let content = serde_json::to_string(change).unwrap_or_default();
    (phase, kind, change.subject(), content)
}

/// The changes with their ordering edges.
pub(super) struct ChangeGraph {
    pub graph: DiGraph<(), ()>,
    pub subjects: Vec<QualifiedName>,
    keys: Vec<SortKey>,
    descriptions: Vec<String>,
}

impl ChangeGraph {
    pub fn build(changes: &[&Change]) -> ChangeGraph {
        let mut edges = BTreeSet::new();
        let all_facts: Vec<Facts> = changes.iter().map(|c| facts(c)).collect();
        resource_edges(&all_facts, &mut edges);
        setup_and_teardown_edges(changes, &mut edges);
        view_edges(changes, &mut edges);
        position_edges(changes, &mut edges);

        let mut graph = DiGraph::with_capacity(changes.len(), edges.len());
        for _ in changes {
            graph.add_node(());
        }
        for &(from, to) in &edges {
            graph.add_edge(NodeIndex::new(from), NodeIndex::new(to), ());
        }
        add_weak_edges(&mut graph, &all_facts);
        ChangeGraph {
            graph,
            subjects: changes.iter().map(|c| c.subject()).collect(),
            keys: changes.iter().map(|c| sort_key(c)).collect(),
            descriptions: changes.iter().map(|c| c.describe()).collect(),
        }
    }

    /// Kahn's algorithm, taking the smallest [`SortKey`] among the ready changes each time.
    pub fn order(&self) -> Result<Vec<NodeIndex>, PlanError> {
        let mut waiting: Vec<usize> = self
            .graph
            .node_indices()
            .map(|n| {
                self.graph
                    .neighbors_directed(n, Direction::Incoming)
                    .count()
            })
            .collect();
        let mut ready: BinaryHeap<Reverse<(&SortKey, NodeIndex)>> = self
            .graph
            .node_indices()
            .filter(|n| waiting[n.index()] == 0)
            .map(|n| Reverse((&self.keys[n.index()], n)))
            .collect();
        let mut order = Vec::with_capacity(waiting.len());
        while let Some(Reverse((_, node))) = ready.pop() {
            order.push(node);
            for next in self.graph.neighbors_directed(node, Direction::Outgoing) {
                waiting[next.index()] -= 1;
                if waiting[next.index()] == 0 {
                    ready.push(Reverse((&self.keys[next.index()], next)));
                }
            }
        }
        if order.len() < self.graph.node_count() {
            return Err(PlanError::Cycle(self.describe_cycles()));
        }
        Ok(order)
    }

    /// Every group of changes that wait on each other, each listed in a stable order.
    fn describe_cycles(&self) -> String {
        let mut cycles: Vec<String> = tarjan_scc(&self.graph)
            .into_iter()
            .filter(|component| component.len() > 1)
            .map(|component| {
                let mut names: Vec<&str> = component
                    .iter()
                    .map(|n| self.descriptions[n.index()].as_str())
                    .collect();
                names.sort();
                names.join(", ")
            })
            .collect();
        cycles.sort();
        cycles.join("; ")
    }
}

/// Edges from what changes create, drop, need and free:
/// a creator runs before what needs it; what frees a resource before its dropper; a dropper
/// before a creator of the same name (drop and re-create); and, when nothing re-creates it,
/// what needs a resource before its dropper.
fn resource_edges(all_facts: &[Facts], edges: &mut BTreeSet<(usize, usize)>) {
    let mut roles: BTreeMap<&Resource, Roles> = BTreeMap::new();
    for (i, f) in all_facts.iter().enumerate() {
        for r in &f.creates {
            roles.entry(r).or_default().creators.push(i);
        }
        for r in &f.drops {
            roles.entry(r).or_default().droppers.push(i);
        }
        for r in &f.needs {
            roles.entry(r).or_default().needers.push(i);
        }
        for r in &f.frees {
            roles.entry(r).or_default().freers.push(i);
        }
    }
    for role in roles.values() {
        role.edges(edges);
    }
}

#[derive(Default)]
struct Roles {
    creators: Vec<usize>,
    droppers: Vec<usize>,
    needers: Vec<usize>,
    freers: Vec<usize>,
}

impl Roles {
    fn edges(&self, edges: &mut BTreeSet<(usize, usize)>) {
        let mut add = |before: &[usize], after: &[usize]| {
            for &a in before {
                for &b in after {
                    if a != b {
                        edges.insert((a, b));
                    }
                }
            }
        };
        add(&self.creators, &self.needers);
        add(&self.freers, &self.droppers);
        add(&self.droppers, &self.creators);
        if self.creators.is_empty() {
            add(&self.needers, &self.droppers);
        }
    }
}

/// Schemas and extensions are created before everything else and dropped after it.
fn setup_and_teardown_edges(changes: &[&Change], edges: &mut BTreeSet<(usize, usize)>) {
    let phases: Vec<Phase> = changes.iter().map(|c| rank(c).0).collect();
    let in_phase = |wanted: Phase| {
        phases
            .iter()
            .enumerate()
            .filter(move |&(_, &p)| p == wanted)
            .map(|(i, _)| i)
    };
    for setup in in_phase(Phase::Setup) {
        for (other, &phase) in phases.iter().enumerate() {
            if phase != Phase::Setup {
                edges.insert((setup, other));
            }
        }
    }
    for teardown in in_phase(Phase::Teardown) {
        for (other, &phase) in phases.iter().enumerate() {
            if phase != Phase::Teardown {
                edges.insert((other, teardown));
            }
        }
    }
}

/// A view is dropped before any change to a relation its query mentions, and created or
/// replaced after them (views on views included).
fn view_edges(changes: &[&Change], edges: &mut BTreeSet<(usize, usize)>) {
    let relations: Vec<Vec<QualifiedName>> = changes.iter().map(|c| relations_of(c)).collect();
    for (v, change) in changes.iter().enumerate() {
        let (view, dropping) = match change {
            Change::DropView { view, .. } => (view, true),
            Change::CreateView { view, .. } | Change::ReplaceView { to: view, .. } => (view, false),
            _ => continue,
        };
        let chains = identifier_chains(&view.definition);
        let own_subject = change.subject();
        for (other, names) in relations.iter().enumerate() {
            let touched = names
                .iter()
                .any(|name| *name != own_subject && mentions(&chains, name));
            if other == v || !touched {
                continue;
            }
            edges.insert(if dropping { (v, other) } else { (other, v) });
        }
    }
}

/// The tables or views a change alters, creates or drops (a rename: both names).
fn relations_of(change: &Change) -> Vec<QualifiedName> {
    match change {
        Change::CreateTable { .. }
        | Change::DropTable { .. }
        | Change::CreateView { .. }
        | Change::DropView { .. }
        | Change::ReplaceView { .. }
        | Change::AddColumn { .. }
        | Change::DropColumn { .. }
        | Change::RenameColumn { .. }
        | Change::AlterColumn { .. }
        | Change::AddPrimaryKey { .. }
        | Change::DropPrimaryKey { .. }
        | Change::AddUnique { .. }
        | Change::DropUnique { .. }
        | Change::AddCheck { .. }
        | Change::DropCheck { .. }
        | Change::AddForeignKey { .. }
        | Change::DropForeignKey { .. }
        | Change::CreateIndex { .. }
        | Change::DropIndex { .. }
        | Change::SetTableComment { .. }
        | Change::SetColumnComment { .. }
        | Change::RenameConstraint { .. }
        | Change::RenameIndex { .. } => vec![change.subject()],
        Change::RenameTable { schema, from, to } => vec![
            QualifiedName::new(schema, from),
            QualifiedName::new(schema, to),
        ],
        _ => Vec::new(),
    }
}

/// Where order itself carries meaning the changes cannot state: columns added to one table
/// take their positions in the order the diff lists them, and so do labels added to one enum.
/// This is the only place the input order is used.
fn position_edges(changes: &[&Change], edges: &mut BTreeSet<(usize, usize)>) {
    let mut last: BTreeMap<(u8, QualifiedName), usize> = BTreeMap::new();
    for (i, change) in changes.iter().enumerate() {
        let slot = match change {
            Change::AddColumn { table, .. } => (0, table.clone()),
            Change::AddEnumValue { schema, name, .. } => (1, QualifiedName::new(schema, name)),
            _ => continue,
        };
        if let Some(previous) = last.insert(slot, i) {
            edges.insert((previous, i));
        }
    }
}

/// Weak dependencies, each added only when it does not close a cycle.
fn add_weak_edges(graph: &mut DiGraph<(), ()>, all_facts: &[Facts]) {
    let mut creators: BTreeMap<&Resource, Vec<usize>> = BTreeMap::new();
    let mut droppers: BTreeMap<&Resource, Vec<usize>> = BTreeMap::new();
    for (i, f) in all_facts.iter().enumerate() {
        for r in &f.creates {
            creators.entry(r).or_default().push(i);
        }
        for r in &f.drops {
            droppers.entry(r).or_default().push(i);
        }
    }
    let mut weak = BTreeSet::new();
    for (j, g) in all_facts.iter().enumerate() {
        for i in g
            .weak_needs
            .iter()
            .filter_map(|r| creators.get(r))
            .flatten()
        {
            if *i != j {
                weak.insert((*i, j));
            }
        }
    }
    for (i, f) in all_facts.iter().enumerate() {
        for j in f
            .weak_frees
            .iter()
            .filter_map(|r| droppers.get(r))
            .flatten()
        {
            if *j != i {
                weak.insert((i, *j));
            }
        }
    }
    for (from, to) in weak {
        let (from, to) = (NodeIndex::new(from), NodeIndex::new(to));
        if !has_path_connecting(&*graph, to, from, None) {
            graph.add_edge(from, to, ());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Column, ForeignKey, ForeignKeyAction, Index, IndexKey, Unique};

    fn edge(changes: &[Change], from: usize, to: usize) -> bool {
        let refs: Vec<&Change> = changes.iter().collect();
        let graph = ChangeGraph::build(&refs);
        graph
            .graph
            .contains_edge(NodeIndex::new(from), NodeIndex::new(to))
    }

    fn accounts() -> QualifiedName {
        QualifiedName::new("core", "accounts")
    }

    #[test]
    fn a_foreign_key_depends_on_the_key_it_references() {
        let changes = [
            Change::AddUnique {
                table: accounts(),
                unique: Unique {
                    name: "accounts_code_key".into(),
                    columns: vec!["code".into()],
                    nulls_not_distinct: false,
                    deferrable: false,
                    initially_deferred: false,
                },
            },
            Change::AddForeignKey {
                table: QualifiedName::new("core", "access"),
                foreign_key: ForeignKey {
                    name: "access_code_fkey".into(),
                    columns: vec!["code".into()],
                    ref_schema: "core".into(),
                    ref_table: "accounts".into(),
                    ref_columns: vec!["code".into()],
                    on_delete: ForeignKeyAction::NoAction,
                    on_update: ForeignKeyAction::NoAction,
                    deferrable: false,
                    initially_deferred: false,
                },
            },
        ];
        assert!(edge(&changes, 0, 1));
        assert!(!edge(&changes, 1, 0));
    }

    #[test]
    fn an_expression_index_is_dropped_before_a_column_it_mentions() {
        let changes = [
            Change::DropColumn {
                table: accounts(),
                column: Column {
                    name: "email".into(),
                    data_type: "text".into(),
                    nullable: true,
                    ..Column::default()
                },
            },
            Change::DropIndex {
                table: accounts(),
                index: Index {
                    name: "accounts_lower_idx".into(),
                    keys: vec![IndexKey {
                        expression: true,
                        ..IndexKey::column("lower(email)")
                    }],
                    unique: false,
                    method: "btree".into(),
                    predicate: None,
                    include: Vec::new(),
                    nulls_not_distinct: false,
                },
            },
        ];
        assert!(edge(&changes, 1, 0));
    }

    #[test]
    fn a_recreated_check_is_dropped_before_it_is_added_again() {
        let check = |expression: &str| crate::model::Check {
            name: "accounts_balance_check".into(),
            expression: expression.into(),
            no_inherit: false,
        };
        let changes = [
            Change::AddCheck {
                table: accounts(),
                check: check("balance >= 0"),
            },
            Change::DropCheck {
                table: accounts(),
                check: check("balance > 0"),
            },
        ];
        assert!(edge(&changes, 1, 0));
    }
}
