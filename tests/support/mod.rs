//! Shared set-up for integration tests: throwaway servers started from the machine's binaries.
//!
//! Each integration test crate compiles this module on its own and uses only part of it.
#![allow(dead_code)]

pub mod cases;
pub mod postgres;
