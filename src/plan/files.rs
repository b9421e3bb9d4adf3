//! Grouping ordered changes into one file per subject, in an order the change graph allows.
//!
//! Grouping can close a cycle between files that the change graph does not have: two tables
//! whose foreign keys reference each other, or a view dropped before and re-created after its
//! table changes. Such a cycle is broken by splitting one subject's file in two: the changes
//! that must wait for another file of the cycle move to a second file of the same subject,
//! placed after it (the foreign keys of the first table, the view's re-creation).

use super::graph::ChangeGraph;
use crate::model::QualifiedName;
use petgraph::Direction;
use petgraph::algo::tarjan_scc;
use petgraph::graph::{DiGraph, NodeIndex};
use std::cmp::Reverse;
use std::collections::{BTreeMap, BTreeSet, BinaryHeap};

/// One file-to-be: its subject and its changes in run order.
pub(super) struct FileGroup {
    pub subject: QualifiedName,
    pub changes: Vec<NodeIndex>,
}

/// The files for `order` (a topological order of `graph`), in the order they must run.
pub(super) fn group(graph: &ChangeGraph, order: &[NodeIndex]) -> Vec<FileGroup> {
    let position: Vec<usize> = positions(order);
    let mut group_of = initial_groups(graph);
    while let Some(cycle) = first_cycle(graph, &group_of, &position) {
        split(graph, &mut group_of, &cycle, order);
    }
    ordered_files(graph, &group_of, order, &position)
}

fn positions(order: &[NodeIndex]) -> Vec<usize> {
    let mut position = vec![0; order.len()];
    for (i, node) in order.iter().enumerate() {
        position[node.index()] = i;
    }
    position
}

/// One group per subject, numbered in subject order.
fn initial_groups(graph: &ChangeGraph) -> Vec<usize> {
    let ids: BTreeMap<&QualifiedName, usize> = graph
        .subjects
        .iter()
        .collect::<BTreeSet<_>>()
        .into_iter()
        .enumerate()
        .map(|(id, subject)| (subject, id))
        .collect();
    graph.subjects.iter().map(|s| ids[s]).collect()
}

/// The graph of groups: an edge where a change of one must run before a change of another.
fn group_graph(graph: &ChangeGraph, group_of: &[usize]) -> DiGraph<(), ()> {
    let count = group_of.iter().max().map_or(0, |m| m + 1);
    let mut groups = DiGraph::new();
    for _ in 0..count {
        groups.add_node(());
    }
    let mut seen = BTreeSet::new();
    for edge in graph.graph.raw_edges() {
        let (a, b) = (
            group_of[edge.source().index()],
            group_of[edge.target().index()],
        );
        if a != b && seen.insert((a, b)) {
            groups.add_edge(NodeIndex::new(a), NodeIndex::new(b), ());
        }
    }
    groups
}

/// The groups of some cycle between groups, the one holding the earliest change first.
fn first_cycle(
    graph: &ChangeGraph,
    group_of: &[usize],
    position: &[usize],
) -> Option<BTreeSet<usize>> {
    let groups = group_graph(graph, group_of);
    let earliest = |component: &BTreeSet<usize>| {
        (0..group_of.len())
            .filter(|&n| component.contains(&group_of[n]))
            .map(|n| position[n])
            .min()
    };
    tarjan_scc(&groups)
        .into_iter()
        .filter(|component| component.len() > 1)
        .map(|component| component.iter().map(|g| g.index()).collect::<BTreeSet<_>>())
        .min_by_key(|component| earliest(component))
}

/// Splits one group of `cycle`: the group of the cycle's earliest change keeps what does not
/// wait on the other groups of the cycle; what does moves to a new group of the same subject.
/// The earliest change waits on nothing in the cycle, so both parts are non-empty and the
/// number of groups grows each time, which bounds the splitting.
fn split(
    graph: &ChangeGraph,
    group_of: &mut [usize],
    cycle: &BTreeSet<usize>,
    order: &[NodeIndex],
) {
    let Some(first) = order.iter().find(|n| cycle.contains(&group_of[n.index()])) else {
        return;
    };
    let splitting = group_of[first.index()];
    let waiting = reachable_from(graph, group_of, |g| g != splitting && cycle.contains(&g));
    let new_group = group_of.iter().max().map_or(0, |m| m + 1);
    for (node, group) in group_of.iter_mut().enumerate() {
        if *group == splitting && waiting.contains(&node) {
            *group = new_group;
        }
    }
}

/// The changes reachable from the changes of the groups `start` selects.
fn reachable_from(
    graph: &ChangeGraph,
    group_of: &[usize],
    start: impl Fn(usize) -> bool,
) -> BTreeSet<usize> {
    let mut stack: Vec<NodeIndex> = (0..group_of.len())
        .filter(|&n| start(group_of[n]))
        .map(NodeIndex::new)
        .collect();
    let mut reached = BTreeSet::new();
    while let Some(node) = stack.pop() {
        for next in graph.graph.neighbors_directed(node, Direction::Outgoing) {
            if reached.insert(next.index()) {
                stack.push(next);
            }
        }
    }
    reached
}

/// The groups in dependency order (ties: the group whose first change runs earliest), each
/// holding its changes in run order.
fn ordered_files(
    graph: &ChangeGraph,
    group_of: &[usize],
    order: &[NodeIndex],
    position: &[usize],
) -> Vec<FileGroup> {
    let groups = group_graph(graph, group_of);
    let mut first_position = vec![usize::MAX; groups.node_count()];
    for (node, &group) in group_of.iter().enumerate() {
        first_position[group] = first_position[group].min(position[node]);
    }
    let mut waiting: Vec<usize> = groups
        .node_indices()
        .map(|g| groups.neighbors_directed(g, Direction::Incoming).count())
        .collect();
    let mut ready: BinaryHeap<Reverse<(usize, usize)>> = (0..groups.node_count())
        .filter(|&g| waiting[g] == 0)
        .map(|g| Reverse((first_position[g], g)))
        .collect();
    let mut files = Vec::new();
    while let Some(Reverse((_, group))) = ready.pop() {
        let changes: Vec<NodeIndex> = order
            .iter()
            .copied()
            .filter(|n| group_of[n.index()] == group)
            .collect();
        if let Some(first) = changes.first() {
            files.push(FileGroup {
                subject: graph.subjects[first.index()].clone(),
                changes,
            });
        }
        for next in groups.neighbors_directed(NodeIndex::new(group), Direction::Outgoing) {
            waiting[next.index()] -= 1;
            if waiting[next.index()] == 0 {
                ready.push(Reverse((first_position[next.index()], next.index())));
            }
        }
    }
    files
}
