//! The `kyc-sandbox` binary: parse flags, start logging, bind, serve.

use clap::Parser;
use kyc_sandbox::{Cli, Command, LogFormat};

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let cli = Cli::parse();
    let config = cli.config;
    if let Some(Command::Healthcheck { url }) = cli.command {
        let url = url.unwrap_or_else(|| format!("http://127.0.0.1:{}/__admin/health", config.port));
        return match reqwest::get(&url).await {
            Ok(r) if r.status().is_success() => std::process::ExitCode::SUCCESS,
            Ok(r) => {
                eprintln!("unhealthy: {url} answered {}", r.status());
                std::process::ExitCode::FAILURE
            }
            Err(e) => {
                eprintln!("unhealthy: {url}: {e}");
                std::process::ExitCode::FAILURE
            }
        };
    }
    init_tracing(config.log_format);
    let addr = config.addr();
    let state = match kyc_sandbox::build(config) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("kyc-sandbox: cannot start: {e}");
            return std::process::ExitCode::from(2);
        }
    };
    let listener = match kyc_sandbox::listen(addr).await {
        Ok(l) => l,
        Err(e) => {
            eprintln!("kyc-sandbox: cannot listen on {addr}: {e}");
            return std::process::ExitCode::from(2);
        }
    };
    let bound = listener
        .local_addr()
        .map_or_else(|_| addr.to_string(), |a| a.to_string());
    let scenarios = state.fixture_scenarios();
    tracing::info!(
        scenarios,
        "kyc-sandbox listening on http://{bound} with {scenarios} fixture scenarios"
    );
    match kyc_sandbox::serve(listener, state, shutdown_signal()).await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("kyc-sandbox: server error: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}

fn init_tracing(format: LogFormat) {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stdout()));
    match format {
        LogFormat::Human => builder.init(),
        LogFormat::Json => builder.json().init(),
    }
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = term => {},
    }
    tracing::info!("shutting down: finishing in-flight requests");
}
