//! Inspection of a GreptimeDB database from what the server prints.
