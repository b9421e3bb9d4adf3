//! The operations on etcd connections: the same library calls as `bfm apply | down` for an
//! etcd connection ([`crate::apply::etcd`]), so the server records under the same state-store
//! target and takes the same etcd lock on the key prefix as the command line.

use super::Service;
use super::ops::{MigrateResponse, OpError, already_applied};
use crate::apply::etcd::{self as run, KeySpace};
use crate::apply::{ApplyOptions, DownSelection, RunReport};
use crate::config::Connection;
use crate::state::StateStore;
use std::time::{Duration, Instant};

impl Service {
    /// The connection's migrations; with `verify_sum` checked against `bfm.sum` as apply and
    /// down check them.
    pub(super) fn key_space(
        &self,
        connection: Connection,
        verify_sum: bool,
    ) -> Result<KeySpace, OpError> {
        KeySpace::load(&self.config, connection, verify_sum)
            .map_err(|error| OpError::Internal(error.to_string()))
    }

    /// A client of the connection's cluster, made on first success; an unreachable cluster is
    /// 503.
    pub(super) async fn etcd_client(
        &self,
        connection: &Connection,
    ) -> Result<etcd_client::Client, OpError> {
        let mut clients = self.etcd_clients.lock().await;
        if let Some(client) = clients.get(&connection.name) {
            return Ok(client.clone());
        }
        let connect = crate::backend::etcd::connect(connection);
        let client = tokio::time::timeout(Duration::from_secs(10), connect)
            .await
            .map_err(|_| {
                OpError::Unavailable(format!(
                    "connection {}: etcd did not answer within 10s",
                    connection.name
                ))
            })?
            .map_err(|error| {
                OpError::Unavailable(format!("connection {}: {error}", connection.name))
            })?;
        clients.insert(connection.name.clone(), client.clone());
        Ok(client)
    }

    /// `POST /api/v1/migrate` on an etcd connection: its pending migrations, each one etcd
    /// transaction, under the etcd lock of its prefix.
    pub(super) async fn migrate_keys(
        &self,
        connection: Connection,
        options: ApplyOptions,
        dry_run: bool,
    ) -> Result<MigrateResponse, OpError> {
        let space = self.key_space(connection, true)?;
        let store = self.store().await?;
        let client = self.etcd_client(&space.connection).await?;
        let records = store.records(&space.target()).await?;
        let skipped = already_applied(&space.migrations, &records, &options);
        let execution = self.execution(dry_run);
        let started = Instant::now();
        let report = self
            .spawn_run(async move {
                run::apply(&*store, &client, &space.key_target(), &options, &execution).await
            })
            .await?;
        Ok(self.migrate_response(vec![report], skipped, started, dry_run))
    }

    /// `POST /api/v1/rollback` on an etcd connection, under the etcd lock of its prefix.
    pub(super) async fn rollback_keys(
        &self,
        connection: Connection,
        selection: DownSelection,
        dry_run: bool,
    ) -> Result<Vec<RunReport>, OpError> {
        let space = self.key_space(connection, true)?;
        let store = self.store().await?;
        let client = self.etcd_client(&space.connection).await?;
        let execution = self.execution(dry_run);
        let report = self
            .spawn_run(async move {
                run::down(&*store, &client, &space.key_target(), selection, &execution).await
            })
            .await?;
        Ok(vec![report])
    }
}
