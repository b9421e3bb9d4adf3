//! `bfm import migrations`: goose, golang-migrate, sql-migrate, Flyway and dbmate directories into
//! bfm's layout.
//!
//! Not written yet: the helper for the migration importers replaces this module.
