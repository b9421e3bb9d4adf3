//! `bfm serve`: the HTTP and gRPC APIs until SIGTERM or SIGINT, logging JSON lines to stderr.

use super::commands::load_config;
use super::{CliError, Outcome};
use crate::server::{Listening, ServeSettings, serve};
use std::path::Path;

/// Runs the servers; returns once a signal stopped them and the runs in progress finished.
pub fn serve_command(config_path: Option<&Path>) -> Result<Outcome, CliError> {
    let settings = ServeSettings::from_env(&|name| std::env::var(name).ok())
        .map_err(|error| CliError::Serve(Box::new(error)))?;
    let config = load_config(config_path)?;
    init_logging();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    runtime
        .block_on(serve(config, settings, shutdown_signal(), announce))
        .map_err(|error| CliError::Serve(Box::new(error)))?;
    tracing::info!("stopped");
    Ok(Outcome::Done)
}

/// One line on stdout with the bound addresses, for people and for scripts using port 0.
fn announce(listening: Listening) {
    println!(
        "bfm serve: HTTP on {}, gRPC on {}",
        listening.http, listening.grpc
    );
    tracing::info!(http = %listening.http, grpc = %listening.grpc, "listening");
}

/// JSON log lines on stderr; the level from `BFM_LOG` (default `info`).
fn init_logging() {
    let filter = tracing_subscriber::EnvFilter::try_from_env("BFM_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let _ = tracing_subscriber::fmt()
        .json()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_current_span(true)
        .try_init();
}

/// Completes on the first SIGTERM or SIGINT.
async fn shutdown_signal() {
    let interrupt = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        match signal(SignalKind::terminate()) {
            Ok(mut terminate) => {
                tokio::select! {
                    _ = interrupt => {}
                    _ = terminate.recv() => {}
                }
            }
            Err(_) => {
                let _ = interrupt.await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = interrupt.await;
    }
    tracing::info!("shutting down: finishing runs in progress");
}
