//! `portal-server`: the sandbox backend's command line.

use clap::{Parser, Subcommand};
use std::process::ExitCode;

/// The Enerpro sandbox server.
#[derive(Debug, Parser)]
#[command(name = "portal-server", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Serve the /v1 API.
    Serve {
        /// Address to listen on.
        #[arg(long, default_value = "127.0.0.1:8787", env = "PORTAL_LISTEN")]
        listen: String,
    },
}

#[tokio::main]
async fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into()),
        )
        .init();
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Serve { listen } => serve(&listen).await,
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("portal-server: {error}");
            ExitCode::FAILURE
        }
    }
}

async fn serve(listen: &str) -> Result<(), portal_server::ServerError> {
    let listener = tokio::net::TcpListener::bind(listen)
        .await
        .map_err(|source| portal_server::ServerError::Listen {
            address: listen.to_owned(),
            source,
        })?;
    tracing::info!(
        "{} listening on http://{listen}",
        portal_server::SERVER_NAME
    );
    portal_server::serve(listener, async {
        let _ = tokio::signal::ctrl_c().await;
    })
    .await
}
