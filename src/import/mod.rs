//! Bringing what a team already has into bfm: ORM models ([`gorm`]) and migration directories
//! written for other tools ([`migrations`]). Each importer is a pure transformation from files
//! read into bfm's own formats; the CLI (`bfm import …`) writes the results.

pub mod gorm;
pub mod migrations;
