//! MySQL scheduled events by schema and name: a changed event is altered in place (`ALTER
//! EVENT` can restate every clause), never dropped and created again.

use super::objects::{schema_pairs, union};
use crate::model::{Change, Model};
use std::collections::BTreeMap;

pub(super) fn events(current: &Model, desired: &Model, out: &mut Vec<Change>) {
    let empty = BTreeMap::new();
    for (schema, from_schema, to_schema) in schema_pairs(current, desired) {
        let from_events = from_schema.map_or(&empty, |s| &s.events);
        let to_events = to_schema.map_or(&empty, |s| &s.events);
        for name in union(from_events, to_events) {
            let schema = schema.to_string();
            match (from_events.get(name), to_events.get(name)) {
                (Some(from), Some(to)) if from == to => {}
                (Some(from), Some(to)) => out.push(Change::AlterEvent {
                    schema,
                    from: from.clone(),
                    to: to.clone(),
                }),
                (Some(from), None) => out.push(Change::DropEvent {
                    schema,
                    event: from.clone(),
                }),
                (None, Some(to)) => out.push(Change::CreateEvent {
                    schema,
                    event: to.clone(),
                }),
                (None, None) => {}
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::diff::diff;
    use crate::model::{Change, Event, EventStatus, Model, Schedule};

    fn event(body: &str) -> Event {
        Event {
            name: "cleanup".to_string(),
            schedule: Schedule::Every {
                value: "1".to_string(),
                unit: "DAY".to_string(),
                starts: None,
                ends: None,
            },
            preserve: false,
            status: EventStatus::Enabled,
            comment: None,
            body: body.to_string(),
        }
    }

    fn model(events: &[&Event]) -> Model {
        let mut model = Model::default();
        let schema = model.schema_mut("app");
        for e in events {
            schema.events.insert(e.name.clone(), (*e).clone());
        }
        model
    }

    #[test]
    fn a_changed_event_is_altered_and_a_missing_one_created_or_dropped() {
        let old = event("DELETE FROM t");
        let new = Event {
            status: EventStatus::Disabled,
            ..event("DELETE FROM t WHERE x")
        };
        assert_eq!(
            diff(&model(&[&old]), &model(&[&new])),
            [Change::AlterEvent {
                schema: "app".to_string(),
                from: old.clone(),
                to: new,
            }]
        );
        assert_eq!(
            diff(&model(&[]), &model(&[&old])),
            [Change::CreateEvent {
                schema: "app".to_string(),
                event: old.clone(),
            }]
        );
        assert_eq!(
            diff(&model(&[&old]), &model(&[])),
            [Change::DropEvent {
                schema: "app".to_string(),
                event: old.clone(),
            }]
        );
        assert!(diff(&model(&[&old]), &model(&[&old])).is_empty());
    }
}
