//! Running migrations against a live database: deciding what is pending (pure), then executing
//! files under the state store's lock, each in a transaction where the backend allows it.
