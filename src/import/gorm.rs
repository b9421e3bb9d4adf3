//! `bfm import gorm`: GORM model structs (Go source) into bfm YAML schema files.
//!
//! Not written yet: the helper for the GORM importer replaces this module.
