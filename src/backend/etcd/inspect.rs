//! Reading the live keys under a prefix into a model, a page of keys per request.

use super::{EtcdError, Prefix};
use crate::model::Model;
use etcd_client::{Client, GetOptions};
use std::collections::BTreeMap;

/// Keys per range read: large enough that a few thousand keys cost a handful of round trips,
/// small enough to stay well under etcd's response size limit with ordinary values.
pub const PAGE_SIZE: i64 = 500;

/// The live keys of a prefix.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LiveKeys {
    /// The keys of the form `{prefix}{schema}/{table}/{key}`, as a model.
    pub model: Model,
    /// Each of those keys' mod_revision, by full key.
    pub revisions: BTreeMap<String, i64>,
    /// Keys under the prefix that are not of that form (bfm leaves them alone).
    pub foreign: Vec<String>,
    /// How many range reads it took.
    pub pages: usize,
}

/// Reads every key under `prefix` with range reads of `page_size` keys each, continuing after
/// the last key of the previous page (never one request per key). A value that is not UTF-8 is
/// refused with its key.
pub async fn inspect(
    client: &mut Client,
    prefix: &Prefix,
    page_size: i64,
) -> Result<LiveKeys, EtcdError> {
    let mut live = LiveKeys::default();
    let end = prefix.range_end();
    let mut start = prefix.as_str().as_bytes().to_vec();
    loop {
        let options = GetOptions::new()
            .with_range(end.clone())
            .with_limit(page_size.max(1));
        let response = client.get(start.clone(), Some(options)).await?;
        live.pages += 1;
        for kv in response.kvs() {
            let key = String::from_utf8_lossy(kv.key()).into_owned();
            let Some((schema, table, name)) = prefix.split(&key) else {
                live.foreign.push(key);
                continue;
            };
            let value = std::str::from_utf8(kv.value()).map_err(|_| EtcdError::NotText {
                key: key.clone(),
                bytes: kv.value().len(),
            })?;
            live.model
                .schema_mut(schema)
                .key_groups
                .entry(table.to_string())
                .or_default()
                .keys
                .insert(name.to_string(), value.to_string());
            live.revisions.insert(key, kv.mod_revision());
        }
        match (response.more(), response.kvs().last()) {
            (true, Some(last)) => {
                start = last.key().to_vec();
                start.push(0);
            }
            _ => return Ok(live),
        }
    }
}
