//! MySQL/MariaDB scheduled events (`CREATE EVENT`). Loaders and inspection bring every field to
//! the form `information_schema.EVENTS` prints, with the server's defaults as absent, so that the
//! SQL that created an event and the live event compare equal. The definer is not part of the
//! model: it names who runs the body, which differs between environments.

use serde::{Deserialize, Serialize};

/// One scheduled event of a database.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Event {
    pub name: String,
    pub schedule: Schedule,
    /// `ON COMPLETION PRESERVE`: the event survives its last run (the default drops it).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub preserve: bool,
    #[serde(default, skip_serializing_if = "EventStatus::is_enabled")]
    pub status: EventStatus,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
    /// The statement after `DO`, as written (the server stores and prints it verbatim).
    pub body: String,
}

/// When an event runs. Timestamps are `YYYY-MM-DD HH:MM:SS` in the event's time zone.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Schedule {
    /// `AT timestamp`: once.
    At { at: String },
    /// `EVERY value unit [STARTS …] [ENDS …]`. `value` is unquoted (`1`, `1 4` for
    /// `DAY_HOUR`), `unit` upper case. `starts` is absent when the event starts when it is
    /// created or its schedule last altered, the server's default.
    Every {
        value: String,
        unit: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        starts: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        ends: Option<String>,
    },
}

/// `ENABLE`, `DISABLE` or `DISABLE ON SLAVE`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EventStatus {
    #[default]
    Enabled,
    Disabled,
    /// `DISABLE ON SLAVE` (`SLAVESIDE_DISABLED` in the catalog): created by replication.
    DisabledOnSlave,
}

impl EventStatus {
    pub fn is_enabled(&self) -> bool {
        *self == EventStatus::Enabled
    }
}
