//! bfm: a declarative schema-diff and migration engine.
//!
//! Data flows one way: [`source`] loads the desired state into a [`model::Model`]; [`diff`]
//! compares two models into [`model::Change`]s; [`plan`] orders them into per-table migration
//! files; each [`backend`] renders them; [`migrations`] writes, checksums and replays the files;
//! [`cli`] is the thin shell users meet.

pub mod apply;
pub mod backend;
pub mod cli;
pub mod config;
pub mod diff;
pub mod import;
pub mod migrations;
pub mod model;
pub mod plan;
pub mod server;
pub mod source;
pub mod state;
