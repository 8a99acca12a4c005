//! The Enerpro sandbox server: the reference implementation of the portal's `/v1` API.
//!
//! The binary (`portal-server`) is a thin command line over this library; tests start the same
//! server in-process on an ephemeral port with [`spawn`].

use axum::{Json, Router, routing::get};
use portal_api::v1::{HEALTH_PATH, HealthResponse};
use std::net::SocketAddr;
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

/// The name the sandbox gives in its health answer.
pub const SERVER_NAME: &str = "Enerpro Sandbox";

/// Errors of the sandbox server.
#[derive(Debug, thiserror::Error)]
pub enum ServerError {
    /// The listening socket could not be opened or served.
    #[error("cannot listen on {address}: {source}")]
    Listen {
        /// The address asked for.
        address: String,
        /// Why it failed.
        source: std::io::Error,
    },
}

/// The server's HTTP routes.
pub fn router() -> Router {
    Router::new().route(HEALTH_PATH, get(health))
}

async fn health() -> Json<HealthResponse> {
    Json(HealthResponse {
        name: SERVER_NAME.to_owned(),
        version: env!("CARGO_PKG_VERSION").to_owned(),
    })
}

/// Serves on `listener` until `shutdown` resolves, then finishes the requests under way.
pub async fn serve(
    listener: TcpListener,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> Result<(), ServerError> {
    let address = listener
        .local_addr()
        .map(|addr| addr.to_string())
        .unwrap_or_default();
    axum::serve(listener, router())
        .with_graceful_shutdown(shutdown)
        .await
        .map_err(|source| ServerError::Listen { address, source })
}

/// A server running in the background of this process (tests, tools).
#[derive(Debug)]
pub struct RunningServer {
    address: SocketAddr,
    stop: Option<oneshot::Sender<()>>,
    task: JoinHandle<Result<(), ServerError>>,
}

impl RunningServer {
    /// The address it listens on.
    pub fn address(&self) -> SocketAddr {
        self.address
    }

    /// Its base URL, e.g. `http://127.0.0.1:41234`.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.address)
    }

    /// Stops it and waits until the port is closed.
    pub async fn stop(mut self) -> Result<(), ServerError> {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        match (&mut self.task).await {
            Ok(result) => result,
            Err(join_error) => Err(ServerError::Listen {
                address: self.address.to_string(),
                source: std::io::Error::other(join_error),
            }),
        }
    }
}

/// Binds `address` (use port 0 for an ephemeral port) and serves in a background task.
pub async fn spawn(address: &str) -> Result<RunningServer, ServerError> {
    let listen_error = |source| ServerError::Listen {
        address: address.to_owned(),
        source,
    };
    let listener = TcpListener::bind(address).await.map_err(listen_error)?;
    let bound = listener.local_addr().map_err(listen_error)?;
    let (stop, stopped) = oneshot::channel::<()>();
    let task = tokio::spawn(serve(listener, async {
        let _ = stopped.await;
    }));
    Ok(RunningServer {
        address: bound,
        stop: Some(stop),
        task,
    })
}
