//! Command-line and environment configuration.
//!
//! Every option is a flag and a `KYC_SANDBOX_*` environment variable (clap's
//! `env` feature). This is the only module that reads the environment; `main`
//! hands the parsed [`Config`] to [`crate::app::build`].

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::{Parser, Subcommand, ValueEnum};

#[derive(Debug, Clone, Parser)]
#[command(
    name = "kyc-sandbox",
    version,
    about = "A self-hosted sandbox for the ComplyCube and Verifik identity-verification APIs"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
    #[command(flatten)]
    pub config: Config,
}

#[derive(Debug, Clone, Subcommand)]
pub enum Command {
    /// Run the server (the default when no subcommand is given).
    Serve,
    /// Probe a running server's health endpoint and exit 0 when it is ready
    /// (for container HEALTHCHECKs: no shell or curl needed).
    Healthcheck {
        /// URL to probe; defaults to http://127.0.0.1:<port>/__admin/health.
        #[arg(long, env = "KYC_SANDBOX_HEALTHCHECK_URL")]
        url: Option<String>,
    },
}

/// The shape of Verifik's `compare-with-liveness` `data`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Default)]
pub enum VerifikShape {
    /// Full comparison and liveness records (the legacy docs' example, which
    /// Verifik's own client parses).
    #[default]
    Record,
    /// `{comparison:{score}, liveness:{liveness_score,min_score,passed}}` (newer docs).
    Simple,
}

/// How Verifik words a missing-field validation message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Default)]
pub enum VerifikMessages {
    /// `"probe" is required` (current docs).
    #[default]
    Joi,
    /// `missing probe\n` (legacy docs).
    Legacy,
}

/// Body sent for a token marked expired.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Default)]
pub enum VerifikExpiredBody {
    /// `{"message":"token_expired","code":"FORBIDDEN"}` (docs).
    #[default]
    Docs,
    /// `{"code":"Forbidden","message":"expired_token"}` (Verifik's own web app).
    App,
}

/// The shape of Verifik's `search-live-face` and `search-active-user` `data`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Default)]
pub enum VerifikSearchShape {
    /// As the current docs show: `{persons, liveness_score}` and a bare array.
    #[default]
    Docs,
    /// As Verifik's own demo app reads them: `{search, liveness}` and
    /// `{persons, liveness}`.
    Demo,
}

/// The shape of Verifik's `detect` `data`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Default)]
pub enum VerifikDetectShape {
    /// `{faces: [{bounding_box, confidence, …}], face_count}` (the newest page).
    #[default]
    Faces,
    /// An array of `{box, persons, landmarks, thumbnail, detection_score}` (legacy page).
    Legacy,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Default)]
pub enum LogFormat {
    #[default]
    Human,
    Json,
}

#[derive(Debug, Clone, clap::Args)]
pub struct Config {
    /// Address to listen on.
    #[arg(long, env = "KYC_SANDBOX_HOST", default_value = "0.0.0.0")]
    pub host: std::net::IpAddr,

    /// Port to listen on (0 picks a free one).
    #[arg(long, short, env = "KYC_SANDBOX_PORT", default_value_t = 8080)]
    pub port: u16,

    /// Directory of scenario fixtures (JSON). Watched for changes while running.
    #[arg(long, env = "KYC_SANDBOX_FIXTURES", default_value = "fixtures")]
    pub fixtures: PathBuf,

    /// Restrict accepted API keys to this comma-separated list (default: any
    /// ComplyCube key starting `test_` or `live_`, any Verifik token).
    #[arg(long, env = "KYC_SANDBOX_API_KEYS", value_delimiter = ',')]
    pub api_keys: Vec<String>,

    /// When set, every /__admin call must send `X-Admin-Token: <token>`.
    #[arg(long, env = "KYC_SANDBOX_ADMIN_TOKEN")]
    pub admin_token: Option<String>,

    /// Accept document images and live photos outside ComplyCube's 34 KB–4 MB rule.
    #[arg(long, env = "KYC_SANDBOX_RELAX_IMAGE_SIZE")]
    pub relax_image_size: bool,

    /// Largest request body accepted on any route, in bytes (larger ones get
    /// the vendor's 413); each route's own limit is at most this.
    #[arg(long, env = "KYC_SANDBOX_MAX_BODY_BYTES", default_value_t = 32 * 1024 * 1024)]
    pub max_body_bytes: usize,

    /// Request bodies held at once across all requests, in bytes; beyond it a
    /// request waits briefly, then gets the vendor's 503.
    #[arg(long, env = "KYC_SANDBOX_BODY_BUDGET_BYTES", default_value_t = 128 * 1024 * 1024)]
    pub body_budget_bytes: usize,

    /// A tenant that has not been written to for this long (on real time) is
    /// forgotten, its durable records too: `7d`, `12h`, `30m`, `45s`; `0`
    /// keeps tenants forever.
    #[arg(long, env = "KYC_SANDBOX_TENANT_IDLE_TTL", default_value = "7d")]
    pub tenant_idle_ttl: IdleTtl,

    /// Journal: most requests kept per tenant.
    #[arg(long, env = "KYC_SANDBOX_JOURNAL_MAX_ENTRIES", default_value_t = 1000)]
    pub journal_max_entries: usize,

    /// Journal: most bytes kept per tenant.
    #[arg(long, env = "KYC_SANDBOX_JOURNAL_MAX_BYTES", default_value_t = 4 * 1024 * 1024)]
    pub journal_max_bytes: usize,

    /// Journal: most bytes kept over all tenants (the least recently written
    /// tenant's journal goes first).
    #[arg(long, env = "KYC_SANDBOX_JOURNAL_TOTAL_BYTES", default_value_t = 64 * 1024 * 1024)]
    pub journal_total_bytes: usize,

    /// Journal: request bodies are cut to this many bytes.
    #[arg(long, env = "KYC_SANDBOX_JOURNAL_BODY_BYTES", default_value_t = 2048)]
    pub journal_body_bytes: usize,

    /// Default delay, in milliseconds of sandbox time, before a check leaves `pending`.
    #[arg(long, env = "KYC_SANDBOX_COMPLETION_DELAY_MS", default_value_t = 0)]
    pub completion_delay_ms: u64,

    /// Speed factor for sandbox time: 60 makes a 60 s retry wait 1 s.
    #[arg(long, env = "KYC_SANDBOX_TIME_SCALE", default_value_t = 1.0)]
    pub time_scale: f64,

    /// Allow plain-http webhook URLs on any host (loopback is always allowed).
    #[arg(long, env = "KYC_SANDBOX_ALLOW_HTTP_WEBHOOKS")]
    pub allow_http_webhooks: bool,

    /// Enforce ComplyCube's sandbox rate limit (5 requests/s per key → 429).
    #[arg(long, env = "KYC_SANDBOX_RATE_LIMIT")]
    pub rate_limit: bool,

    /// Webhook deliveries in flight at once (all tenants).
    #[arg(long, env = "KYC_SANDBOX_WEBHOOK_CONCURRENCY", default_value_t = 32)]
    pub webhook_concurrency: usize,

    /// Most webhook deliveries kept per tenant; beyond it the oldest finished
    /// ones are forgotten, and new ones are dropped (and counted) while every
    /// kept delivery is still pending.
    #[arg(long, env = "KYC_SANDBOX_WEBHOOK_OUTBOX_MAX", default_value_t = 10_000)]
    pub webhook_outbox_max: usize,

    /// How long a webhook receiver may take to answer, in real milliseconds.
    #[arg(long, env = "KYC_SANDBOX_WEBHOOK_TIMEOUT_MS", default_value_t = 15_000)]
    pub webhook_timeout_ms: u64,

    /// Fault: fixed latency added to every vendor request, in milliseconds.
    #[arg(long, env = "KYC_SANDBOX_LATENCY_MS", default_value_t = 0)]
    pub latency_ms: u64,

    /// Fault: random extra latency, uniform in 0..=N milliseconds (seeded).
    #[arg(long, env = "KYC_SANDBOX_LATENCY_JITTER_MS", default_value_t = 0)]
    pub latency_jitter_ms: u64,

    /// Fault: share of vendor requests (0..1) answered with `--fault-error-status`.
    #[arg(long, env = "KYC_SANDBOX_FAULT_ERROR_RATE", default_value_t = 0.0)]
    pub fault_error_rate: f64,

    /// Fault: the status injected errors carry (with the vendor's error body).
    #[arg(long, env = "KYC_SANDBOX_FAULT_ERROR_STATUS", default_value_t = 500)]
    pub fault_error_status: u16,

    /// Fault: share of vendor requests (0..1) whose connection is dropped without a response.
    #[arg(long, env = "KYC_SANDBOX_FAULT_DROP_RATE", default_value_t = 0.0)]
    pub fault_drop_rate: f64,

    /// Fault: seed for jitter, error and drop draws (each tenant replays the same sequence).
    #[arg(long, env = "KYC_SANDBOX_FAULT_SEED", default_value_t = 0)]
    pub fault_seed: u64,

    /// Shape of Verifik compare-with-liveness `data`.
    #[arg(long, env = "KYC_SANDBOX_VERIFIK_SHAPE", value_enum, default_value_t)]
    pub verifik_shape: VerifikShape,

    /// Verifik missing-field message style.
    #[arg(
        long,
        env = "KYC_SANDBOX_VERIFIK_MESSAGES",
        value_enum,
        default_value_t
    )]
    pub verifik_messages: VerifikMessages,

    /// Send `"liveness": null` instead of omitting the key when liveness was skipped.
    #[arg(long, env = "KYC_SANDBOX_VERIFIK_NULL_LIVENESS")]
    pub verifik_null_liveness: bool,

    /// Body of Verifik's 403 for an expired token.
    #[arg(
        long,
        env = "KYC_SANDBOX_VERIFIK_EXPIRED_BODY",
        value_enum,
        default_value_t
    )]
    pub verifik_expired_body: VerifikExpiredBody,

    /// Require `search_mode` on Verifik compare endpoints, as the docs say
    /// (Verifik's own demo client omits it).
    #[arg(long, env = "KYC_SANDBOX_VERIFIK_REQUIRE_SEARCH_MODE", default_value_t = true, action = clap::ArgAction::Set)]
    pub verifik_require_search_mode: bool,

    /// Shape of Verifik search-live-face and search-active-user `data`.
    #[arg(
        long,
        env = "KYC_SANDBOX_VERIFIK_SEARCH_SHAPE",
        value_enum,
        default_value_t
    )]
    pub verifik_search_shape: VerifikSearchShape,

    /// Shape of Verifik detect `data`.
    #[arg(
        long,
        env = "KYC_SANDBOX_VERIFIK_DETECT_SHAPE",
        value_enum,
        default_value_t
    )]
    pub verifik_detect_shape: VerifikDetectShape,

    /// Log format.
    #[arg(long, env = "KYC_SANDBOX_LOG_FORMAT", value_enum, default_value_t)]
    pub log_format: LogFormat,

    /// How often, in milliseconds, the fixtures directory is checked for
    /// changes (0: load once at startup, never reload).
    #[arg(long, env = "KYC_SANDBOX_FIXTURES_POLL_MS", default_value_t = 500)]
    pub fixtures_poll_ms: u64,

    /// Where state lives: `memory` (lost on exit; fastest), `sqlite:PATH`
    /// (every acknowledged change survives a restart or a crash) or
    /// `postgres://…` (shared by every replica pointed at the same database).
    #[arg(long, env = "KYC_SANDBOX_STORE", default_value = "memory")]
    pub store: StoreSpec,

    /// How long startup waits for the PostgreSQL store to accept connections, in seconds.
    #[arg(long, env = "KYC_SANDBOX_STORE_WAIT_SECS", default_value_t = 30)]
    pub store_wait_secs: u64,

    /// How many sequence numbers the PostgreSQL log of removals spans: a
    /// replica further behind than that (stopped, cut off) reloads every
    /// record instead of reading what it missed.
    #[arg(long, env = "KYC_SANDBOX_STORE_LOG_KEEP", default_value_t = 100_000,
          value_parser = clap::value_parser!(u32).range(16..))]
    pub store_log_keep: u32,

    /// A tenant export to import at startup into the tenant it names,
    /// replacing what that tenant held (repeatable; comma-separated in the
    /// environment variable).
    #[arg(long = "seed", env = "KYC_SANDBOX_SEED", value_delimiter = ',')]
    pub seeds: Vec<PathBuf>,
}

/// Where state lives, as `--store` spells it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StoreSpec {
    /// Nothing survives the process (the default).
    Memory,
    /// An SQLite file (created when missing).
    Sqlite(PathBuf),
    /// A PostgreSQL connection URL (`postgres://user:password@host:port/db`).
    Postgres(String),
}

impl std::str::FromStr for StoreSpec {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        let s = s.trim();
        if s.eq_ignore_ascii_case("memory") {
            return Ok(StoreSpec::Memory);
        }
        if s.starts_with("postgres://") || s.starts_with("postgresql://") {
            return Ok(StoreSpec::Postgres(s.to_owned()));
        }
        match s.split_once(':') {
            Some((scheme, path)) if scheme.eq_ignore_ascii_case("sqlite") && !path.is_empty() => {
                Ok(StoreSpec::Sqlite(PathBuf::from(path)))
            }
            _ => Err(format!(
                "'{s}' is not a store: use 'memory', 'sqlite:PATH' or 'postgres://…'"
            )),
        }
    }
}

/// How long an idle tenant is kept, as `--tenant-idle-ttl` spells it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IdleTtl(pub Option<std::time::Duration>);

impl std::str::FromStr for IdleTtl {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        let s = s.trim();
        let bad = || format!("'{s}' is not a duration: use 7d, 12h, 30m, 45s or 0 (never)");
        if s == "0" {
            return Ok(IdleTtl(None));
        }
        let split = s.find(|c: char| !c.is_ascii_digit()).ok_or_else(bad)?;
        let (n, unit) = s.split_at(split);
        let n: u64 = n.parse().map_err(|_| bad())?;
        let secs = match unit.trim() {
            "s" => Some(n),
            "m" => n.checked_mul(60),
            "h" => n.checked_mul(3600),
            "d" => n.checked_mul(86_400),
            _ => None,
        }
        .ok_or_else(bad)?;
        Ok(IdleTtl(
            (secs > 0).then(|| std::time::Duration::from_secs(secs)),
        ))
    }
}

impl Config {
    pub fn addr(&self) -> SocketAddr {
        SocketAddr::new(self.host, self.port)
    }

    /// The configuration tests start from: port 0, shipped fixtures, defaults.
    pub fn for_tests() -> Self {
        let cli = Cli::parse_from(["kyc-sandbox", "--port", "0", "--host", "127.0.0.1"]);
        let mut config = cli.config;
        config.fixtures = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("fixtures");
        config
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn idle_ttls_read_as_people_write_them() {
        let day = std::time::Duration::from_secs(86_400);
        let cases = [
            ("7d", Some(Some(7 * day))),
            ("12h", Some(Some(day / 2))),
            ("30m", Some(Some(std::time::Duration::from_secs(1800)))),
            ("45s", Some(Some(std::time::Duration::from_secs(45)))),
            ("0", Some(None)),
            ("0d", Some(None)),
            ("7", None),
            ("d", None),
            ("7w", None),
            ("-1d", None),
            ("99999999999999999999d", None),
        ];
        for (text, want) in cases {
            assert_eq!(text.parse::<IdleTtl>().ok().map(|t| t.0), want, "{text}");
        }
    }
}
