//! Load benchmark: the sandbox's release binary against a bare axum server
//! that answers the same routes with the sandbox's own answer bytes.
//!
//! ```text
//! cargo build --release --bin kyc-sandbox --example bench
//! ./target/release/examples/bench --quick            # about a minute: checks the harness
//! ./target/release/examples/bench --soak-secs 600    # the full run
//! ./target/release/examples/bench --quick --layers   # what each layer of the sandbox costs
//! ```
//!
//! Both servers run as child processes on loopback; the load generator runs
//! here: N keep-alive connections (one HTTP client per tokio task), every
//! request's latency kept, percentiles from the sorted samples. A workload
//! whose route the sandbox does not serve is skipped with a message.
//!
//! By default the run is *pinned*: the server under test runs on CPU 1
//! (started under `taskset -c 1`) and this process, the load generator, on
//! CPU 0, so neither takes the other's core. `--shared-cores` lets the kernel
//! place everything on every core instead. For each measured window the
//! server's CPU time (utime + stime of `/proc/<pid>/stat`) gives its CPU % and
//! the requests it serves per CPU-second, which stays comparable when the
//! generator rather than the server is the bottleneck.
//!
//! The bench talks to the sandbox only over HTTP and through its flags and
//! environment; it uses none of the sandbox's code.

use std::collections::{BTreeMap, VecDeque};
use std::path::{Path, PathBuf};
use std::pin::Pin;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, OnceLock};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use axum::body::Bytes;
use base64::Engine as _;
use clap::Parser;
use reqwest::Method;
use serde_json::{Value, json};
use sha2::Digest as _;

#[derive(Parser, Debug)]
#[command(about = "Benchmark kyc-sandbox against a bare axum baseline")]
struct Args {
    /// Short durations and a small store (to check the harness).
    #[arg(long)]
    quick: bool,
    /// Measured seconds per workload and concurrency (default 10, quick 2).
    #[arg(long)]
    secs: Option<f64>,
    /// Concurrent keep-alive connections to try (--layers uses the first).
    #[arg(long, value_delimiter = ',', default_values_t = [32usize, 256])]
    conns: Vec<usize>,
    /// Resources to store for the memory and list measurements (default 1,000,000, quick 20,000).
    #[arg(long)]
    store: Option<usize>,
    /// Soak duration in seconds with the journal full (default 30, quick 5; 600 for the full run).
    #[arg(long)]
    soak_secs: Option<u64>,
    /// The sandbox binary (default: target/release/kyc-sandbox next to this example).
    #[arg(long)]
    bin: Option<PathBuf>,
    /// Let the servers and the load generator share every core (no pinning).
    #[arg(long)]
    shared_cores: bool,
    /// Pinned mode: the CPUs of the server under test (a taskset list).
    #[arg(long, default_value = "1")]
    server_cpus: String,
    /// Pinned mode: the CPUs of the load generator (this process).
    #[arg(long, default_value = "0")]
    load_cpus: String,
    /// Tokio worker threads for both servers (sets TOKIO_WORKER_THREADS);
    /// default: tokio's own choice, one per CPU the server may run on.
    #[arg(long)]
    server_workers: Option<usize>,
    /// Instead of the full run: W1 and W2 with `--store memory` and
    /// `--store sqlite:…` beside the baseline, time to ready with N stored
    /// checks (--store, default 100,000) and bytes on disk per check.
    #[arg(long)]
    storage: bool,
    /// Instead of the full run: W1 against the sandbox started with each
    /// layer switched off in turn, as server CPU-µs per request.
    #[arg(long)]
    layers: bool,
    /// Instead of the full run: W1 and W2 aggregate throughput and p99 for
    /// one instance in memory, then one and two replicas on this
    /// PostgreSQL (`postgres://…`; each replica gets half the connections).
    #[arg(long)]
    replicas: Option<String>,
    /// Internal: serve the baseline on this port, routes from --routes.
    #[arg(long, hide = true)]
    serve_baseline: Option<u16>,
    #[arg(long, hide = true)]
    routes: Option<PathBuf>,
}

fn main() -> Result<(), String> {
    let args = Args::parse();
    if let Some(port) = args.serve_baseline {
        // Started under taskset in pinned mode; tokio sizes its pool from the
        // affinity mask (or TOKIO_WORKER_THREADS) like the sandbox does.
        let rt = tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .build()
            .map_err(|e| e.to_string())?;
        return rt.block_on(baseline::serve(port, args.routes.clone()));
    }
    // Before pinning: building the binary, if needed, gets every core.
    let bin = sandbox_bin(&args)?;
    // Before any thread exists, so every thread of the generator inherits it.
    let pinning = pin_load_generator(&args)?;
    let gen_workers = std::thread::available_parallelism().map_or(1, |n| n.get());
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(gen_workers)
        .enable_all()
        .build()
        .map_err(|e| e.to_string())?;
    let quick = args.quick;
    let work = std::env::temp_dir().join(format!("kyc-bench-{}", std::process::id()));
    std::fs::create_dir_all(&work).map_err(|e| e.to_string())?;
    let ctx = Ctx {
        bin,
        pinning,
        server_workers: args.server_workers.or_else(|| {
            std::env::var("TOKIO_WORKER_THREADS")
                .ok()
                .and_then(|v| v.parse().ok())
        }),
        gen_workers,
        work: work.clone(),
        measure: Duration::from_secs_f64(args.secs.unwrap_or(if quick { 2.0 } else { 10.0 })),
        warmup: if quick {
            Duration::from_millis(300)
        } else {
            Duration::from_secs(2)
        },
    };
    let result = if let Some(url) = &args.replicas {
        rt.block_on(run_replicas(&args, &ctx, url))
    } else if args.layers {
        rt.block_on(run_layers(&args, &ctx))
    } else if args.storage {
        rt.block_on(run_storage(&args, &ctx))
    } else {
        rt.block_on(run(&args, &ctx))
    };
    drop(rt);
    let _ = std::fs::remove_dir_all(&work);
    result
}

// --- CPUs and /proc ---------------------------------------------------------------

/// A taskset CPU list ("0", "1-3", "0,2") as CPU numbers.
fn parse_cpu_list(list: &str) -> Result<Vec<usize>, String> {
    let bad = || format!("bad CPU list {list:?} (expected e.g. 1 or 0-3 or 0,2)");
    let mut cpus = Vec::new();
    for part in list.trim().split(',').filter(|p| !p.trim().is_empty()) {
        let (a, b) = part.split_once('-').unwrap_or((part, part));
        let a: usize = a.trim().parse().map_err(|_| bad())?;
        let b: usize = b.trim().parse().map_err(|_| bad())?;
        if b < a {
            return Err(bad());
        }
        cpus.extend(a..=b);
    }
    if cpus.is_empty() {
        return Err(bad());
    }
    Ok(cpus)
}

/// A `Key:\tvalue` line of `/proc/<pid>/status` (`pid` may be "self").
fn proc_status(pid: &str, key: &str) -> Option<String> {
    let text = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    text.lines()
        .find_map(|l| l.strip_prefix(key)?.strip_prefix(':'))
        .map(|v| v.trim().to_owned())
}

/// Resident set size of `pid` (`VmRSS`), 0 where /proc is missing.
fn rss(pid: u32) -> u64 {
    proc_status(&pid.to_string(), "VmRSS")
        .and_then(|v| v.trim_end_matches("kB").trim().parse::<u64>().ok())
        .map_or(0, |kb| kb * 1024)
}

/// Clock ticks per second of the utime/stime fields (`getconf CLK_TCK`).
fn clk_tck() -> f64 {
    static TCK: OnceLock<f64> = OnceLock::new();
    *TCK.get_or_init(|| {
        Command::new("getconf")
            .arg("CLK_TCK")
            .output()
            .ok()
            .and_then(|o| String::from_utf8(o.stdout).ok())
            .and_then(|s| s.trim().parse().ok())
            .filter(|t: &f64| *t > 0.0)
            .unwrap_or(100.0)
    })
}

/// utime + stime in seconds of a process (`/proc/<pid>/stat`) or of the
/// calling thread (`thread-self`); every thread, live or exited, for a process.
fn cpu_secs(which: &str) -> Option<f64> {
    let stat = std::fs::read_to_string(format!("/proc/{which}/stat")).ok()?;
    // The command name may hold spaces and parentheses: fields follow the last ')'.
    let rest = &stat[stat.rfind(')')? + 1..];
    let fields: Vec<&str> = rest.split_whitespace().collect();
    // After ')' the first field is #3 (state); utime is #14, stime #15.
    let utime: u64 = fields.get(11)?.parse().ok()?;
    let stime: u64 = fields.get(12)?.parse().ok()?;
    Some((utime + stime) as f64 / clk_tck())
}

/// Seconds the given CPUs spent busy (anything but idle and iowait; steal
/// counts, as time the server could not have had), from `/proc/stat`.
fn cpus_busy_secs(cpus: &[usize]) -> Option<f64> {
    let text = std::fs::read_to_string("/proc/stat").ok()?;
    let mut busy = 0u64;
    for line in text.lines() {
        let mut f = line.split_whitespace();
        let Some(n) = f
            .next()
            .and_then(|name| name.strip_prefix("cpu"))
            .and_then(|n| n.parse::<usize>().ok())
        else {
            continue;
        };
        if !cpus.contains(&n) {
            continue;
        }
        // user nice system idle iowait irq softirq steal (guest is inside user)
        let v: Vec<u64> = f.take(8).filter_map(|x| x.parse().ok()).collect();
        let idle = v.get(3).copied().unwrap_or(0) + v.get(4).copied().unwrap_or(0);
        busy += v.iter().sum::<u64>() - idle;
    }
    Some(busy as f64 / clk_tck())
}

/// Thread names of a process and how many threads carry each.
fn thread_names(pid: u32) -> BTreeMap<String, usize> {
    let mut names = BTreeMap::new();
    if let Ok(dir) = std::fs::read_dir(format!("/proc/{pid}/task")) {
        for t in dir.flatten() {
            if let Ok(name) = std::fs::read_to_string(t.path().join("comm")) {
                *names.entry(name.trim().to_owned()).or_insert(0) += 1;
            }
        }
    }
    names
}

/// Where the servers and the generator run in pinned mode.
struct Pinning {
    server: String,
    load: String,
}

/// Pinned mode: checks the CPU lists and pins this process to the load
/// CPUs with `taskset -a -p` (the crate forbids `unsafe`, so no direct
/// `sched_setaffinity`). Must run before any thread is started.
fn pin_load_generator(args: &Args) -> Result<Option<Pinning>, String> {
    if args.shared_cores {
        return Ok(None);
    }
    let allowed = proc_status("self", "Cpus_allowed_list")
        .ok_or("cannot read Cpus_allowed_list from /proc/self/status; run with --shared-cores")?;
    let allowed_cpus = parse_cpu_list(&allowed)?;
    let server = parse_cpu_list(&args.server_cpus)?;
    let load = parse_cpu_list(&args.load_cpus)?;
    if let Some(c) = server
        .iter()
        .chain(&load)
        .find(|c| !allowed_cpus.contains(c))
    {
        return Err(format!(
            "CPU {c} is not available (this process may use {allowed}); choose others with \
             --server-cpus/--load-cpus, or run with --shared-cores"
        ));
    }
    if server.iter().any(|c| load.contains(c)) {
        return Err(format!(
            "--server-cpus {} and --load-cpus {} overlap; pinned mode keeps them apart",
            args.server_cpus, args.load_cpus
        ));
    }
    let out = Command::new("taskset")
        .args([
            "-a",
            "-p",
            "-c",
            &args.load_cpus,
            &std::process::id().to_string(),
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .output()
        .map_err(|e| {
            format!(
                "taskset (util-linux) is needed for pinned mode: {e}; or run with --shared-cores"
            )
        })?;
    if !out.status.success() {
        return Err(format!(
            "taskset -a -p -c {} failed: {}",
            args.load_cpus,
            String::from_utf8_lossy(&out.stderr).trim()
        ));
    }
    let now = proc_status("self", "Cpus_allowed_list").unwrap_or_default();
    if parse_cpu_list(&now).ok() != Some(load) {
        return Err(format!(
            "after taskset this process may use CPUs {now}, not {}",
            args.load_cpus
        ));
    }
    Ok(Some(Pinning {
        server: args.server_cpus.clone(),
        load: args.load_cpus.clone(),
    }))
}

// --- processes ----------------------------------------------------------------

/// What every run shares: the binary, where processes go, durations.
struct Ctx {
    bin: PathBuf,
    pinning: Option<Pinning>,
    /// TOKIO_WORKER_THREADS given to the servers, if any.
    server_workers: Option<usize>,
    gen_workers: usize,
    work: PathBuf,
    measure: Duration,
    warmup: Duration,
}

fn free_port() -> Result<u16, String> {
    let l = std::net::TcpListener::bind("127.0.0.1:0").map_err(|e| e.to_string())?;
    Ok(l.local_addr().map_err(|e| e.to_string())?.port())
}

fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn sandbox_bin(args: &Args) -> Result<PathBuf, String> {
    if let Some(b) = &args.bin {
        return Ok(b.clone());
    }
    // target/release/examples/bench → target/release/kyc-sandbox
    let exe = std::env::current_exe().map_err(|e| e.to_string())?;
    let release = exe
        .parent()
        .and_then(Path::parent)
        .ok_or("cannot locate the target directory")?;
    let bin = release.join("kyc-sandbox");
    if !bin.exists() {
        eprintln!("building the release binary (cargo build --release --bin kyc-sandbox)…");
        let ok = Command::new(env!("CARGO"))
            .args(["build", "--release", "--bin", "kyc-sandbox"])
            .current_dir(repo_root())
            .status()
            .map_err(|e| e.to_string())?
            .success();
        if !ok || !bin.exists() {
            return Err(format!("no sandbox binary at {}", bin.display()));
        }
    }
    Ok(bin)
}

/// Extra environment for a sandbox: `None` removes the variable.
type Env<'a> = &'a [(&'a str, Option<&'a str>)];

struct Server {
    name: &'static str,
    base: String,
    child: Child,
    startup: Duration,
    stderr: PathBuf,
    /// The CPUs it may run on (its affinity mask).
    cpus: Vec<usize>,
}

impl Server {
    fn pid(&self) -> u32 {
        self.child.id()
    }
    fn rss(&self) -> u64 {
        rss(self.pid())
    }
    /// Its CPUs, tokio workers and threads, as measured from /proc.
    fn describe(&self, ctx: &Ctx) -> String {
        let pid = self.pid().to_string();
        let cpus = proc_status(&pid, "Cpus_allowed_list").unwrap_or_else(|| "?".into());
        let ncpus = parse_cpu_list(&cpus).map_or(0, |c| c.len());
        let workers = match ctx.server_workers {
            Some(n) => format!("{n} (TOKIO_WORKER_THREADS={n})"),
            None => format!(
                "{ncpus} (TOKIO_WORKER_THREADS unset: tokio uses available_parallelism(), \
                 which follows the affinity mask via sched_getaffinity)"
            ),
        };
        let threads: Vec<String> = thread_names(self.pid())
            .into_iter()
            .map(|(n, c)| format!("{n} ×{c}"))
            .collect();
        format!(
            "{}: pid {pid}, CPUs {cpus}, tokio workers {workers}; threads at idle: {} \
             (tokio's blocking-pool threads carry the workers' name)",
            self.name,
            threads.join(", ")
        )
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        if let Ok(text) = std::fs::read_to_string(&self.stderr) {
            if !text.trim().is_empty() {
                let head: Vec<&str> = text.lines().take(10).collect();
                eprintln!("({} wrote to stderr:)\n{}", self.name, head.join("\n"));
            }
        }
        let _ = std::fs::remove_file(&self.stderr);
    }
}

impl Ctx {
    /// `program` under `taskset -c <server CPUs>` in pinned mode.
    fn command(&self, program: &Path, pinned: bool) -> Command {
        match (&self.pinning, pinned) {
            (Some(p), true) => {
                let mut c = Command::new("taskset");
                c.arg("-c").arg(&p.server).arg(program);
                c
            }
            _ => Command::new(program),
        }
    }

    fn sandbox_command(&self, port: u16, flags: &[&str], env: Env, pinned: bool) -> Command {
        let mut cmd = self.command(&self.bin, pinned);
        cmd.args(flags)
            .env("KYC_SANDBOX_HOST", "127.0.0.1")
            .env("KYC_SANDBOX_PORT", port.to_string())
            .env("KYC_SANDBOX_FIXTURES", repo_root().join("fixtures"))
            .env("RUST_LOG", "warn");
        if let Some(n) = self.server_workers {
            cmd.env("TOKIO_WORKER_THREADS", n.to_string());
        }
        for (k, v) in env {
            match v {
                Some(v) => cmd.env(k, v),
                None => cmd.env_remove(k),
            };
        }
        cmd
    }

    /// A sandbox with extra flags and environment, ready to serve.
    async fn sandbox(&self, flags: &[&str], env: Env<'_>) -> Result<Server, String> {
        let port = free_port()?;
        launch(
            "sandbox",
            self.sandbox_command(port, flags, env, true),
            port,
            &self.work,
        )
        .await
    }

    /// The baseline serving `routes` (see `write_routes`).
    async fn baseline(&self, routes: &Path) -> Result<Server, String> {
        let port = free_port()?;
        let exe = std::env::current_exe().map_err(|e| e.to_string())?;
        let mut cmd = self.command(&exe, true);
        cmd.args(["--serve-baseline", &port.to_string(), "--routes"])
            .arg(routes);
        if let Some(n) = self.server_workers {
            cmd.env("TOKIO_WORKER_THREADS", n.to_string());
        }
        launch("baseline", cmd, port, &self.work).await
    }
}

/// Spawns `cmd` (stderr to a file) and waits for its first 200 from
/// `/__admin/health`; an early exit is an error carrying what it wrote.
async fn launch(
    name: &'static str,
    mut cmd: Command,
    port: u16,
    work: &Path,
) -> Result<Server, String> {
    static N: AtomicUsize = AtomicUsize::new(0);
    let stderr = work.join(format!(
        "{name}-{}.stderr",
        N.fetch_add(1, Ordering::Relaxed)
    ));
    let file = std::fs::File::create(&stderr).map_err(|e| e.to_string())?;
    cmd.stdout(Stdio::null()).stderr(file);
    let base = format!("http://127.0.0.1:{port}");
    let t0 = Instant::now();
    let mut child = cmd
        .spawn()
        .map_err(|e| format!("{:?}: {e}", cmd.get_program()))?;
    match wait_ready(&base, "/__admin/health", t0, &mut child).await {
        Ok(startup) => {
            let cpus = proc_status(&child.id().to_string(), "Cpus_allowed_list")
                .and_then(|l| parse_cpu_list(&l).ok())
                .unwrap_or_default();
            Ok(Server {
                name,
                base,
                child,
                startup,
                stderr,
                cpus,
            })
        }
        Err(why) => {
            let _ = child.kill();
            let _ = child.wait();
            let said = std::fs::read_to_string(&stderr).unwrap_or_default();
            let _ = std::fs::remove_file(&stderr);
            let said: Vec<&str> = said
                .lines()
                .filter(|l| !l.trim().is_empty())
                .take(3)
                .collect();
            Err(if said.is_empty() {
                why
            } else {
                format!("{why}: {}", said.join(" / "))
            })
        }
    }
}

/// Polls `GET {base}{path}` until it answers 200; returns the time taken.
async fn wait_ready(
    base: &str,
    path: &str,
    started: Instant,
    child: &mut Child,
) -> Result<Duration, String> {
    let client = reqwest::Client::new();
    let deadline = started + Duration::from_secs(30);
    while Instant::now() < deadline {
        if let Ok(r) = client.get(format!("{base}{path}")).send().await {
            if r.status() == 200 {
                return Ok(started.elapsed());
            }
        }
        if let Ok(Some(status)) = child.try_wait() {
            return Err(format!("exited ({status}) before answering"));
        }
        tokio::time::sleep(Duration::from_millis(1)).await;
    }
    Err(format!("{base}{path} not ready after 30 s"))
}

// --- request bodies ----------------------------------------------------------------

/// What a request sends.
#[derive(Clone)]
enum Payload {
    Empty,
    Json(Bytes),
    Images(Arc<ImageBody>),
}

/// A JSON body of base64 images, pre-encoded, in which a few bytes of every
/// image are filled in per request: the same bytes every time, or (`fresh`)
/// bytes no earlier request carried, so the server has never seen the image.
/// The generator's work per request is then a few small strings; the large
/// pieces are shared.
struct ImageBody {
    /// pieces[0], slot 0, pieces[1], slot 1, …, pieces[n]
    pieces: Vec<Bytes>,
    slots: Vec<Slot>,
    fresh: bool,
    len: u64,
    /// Decoded image bytes per request.
    image_bytes: usize,
}

/// `unique` per-request bytes followed by `suffix`, base64-encoded in place.
struct Slot {
    unique: usize,
    suffix: &'static [u8],
}

impl Slot {
    fn encoded_len(&self) -> usize {
        (self.unique + self.suffix.len()).div_ceil(3) * 4
    }
}

/// Numbers the fresh requests of the whole run (one sandbox never sees a
/// number twice).
static NEXT_FRESH: AtomicU64 = AtomicU64::new(1);

impl ImageBody {
    /// The parts of one request's body.
    fn parts(&self) -> VecDeque<Bytes> {
        let n = if self.fresh {
            NEXT_FRESH.fetch_add(1, Ordering::Relaxed)
        } else {
            0
        };
        let mut parts = VecDeque::with_capacity(self.pieces.len() + 1);
        let mut small = Vec::new();
        for (i, piece) in self.pieces.iter().enumerate() {
            if piece.len() > 4096 {
                if !small.is_empty() {
                    parts.push_back(Bytes::from(std::mem::take(&mut small)));
                }
                parts.push_back(piece.clone());
            } else {
                small.extend_from_slice(piece);
            }
            if let Some(slot) = self.slots.get(i) {
                let mut raw = [0u8; 24];
                raw[..8].copy_from_slice(&n.to_le_bytes());
                raw[8] = i as u8;
                let end = slot.unique + slot.suffix.len();
                raw[slot.unique..end].copy_from_slice(slot.suffix);
                small.extend_from_slice(b64(&raw[..end]).as_bytes());
            }
        }
        if !small.is_empty() {
            parts.push_back(Bytes::from(small));
        }
        parts
    }

    fn body(&self) -> Frames {
        Frames {
            parts: self.parts(),
            left: self.len,
        }
    }

    /// One request's body in one piece.
    fn to_bytes(&self) -> Bytes {
        Bytes::from(self.parts().into_iter().flatten().collect::<Vec<u8>>())
    }
}

/// A request body sent as a few chunks with an exact length (so hyper sends
/// Content-Length, like a client holding the whole body).
struct Frames {
    parts: VecDeque<Bytes>,
    left: u64,
}

impl http_body::Body for Frames {
    type Data = Bytes;
    type Error = std::convert::Infallible;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        _: &mut Context<'_>,
    ) -> Poll<Option<Result<http_body::Frame<Bytes>, Self::Error>>> {
        let next = self.parts.pop_front();
        if let Some(b) = &next {
            self.left -= b.len() as u64;
        }
        Poll::Ready(next.map(|b| Ok(http_body::Frame::data(b))))
    }

    fn is_end_stream(&self) -> bool {
        self.parts.is_empty()
    }

    fn size_hint(&self) -> http_body::SizeHint {
        http_body::SizeHint::with_exact(self.left)
    }
}

// --- load generation ------------------------------------------------------------

#[derive(Clone)]
struct Req {
    method: Method,
    path: String,
    payload: Payload,
    auth: String,
    /// The status every answer must have; `None`: any 2xx.
    expect: Option<u16>,
}

impl Req {
    fn get(path: impl Into<String>, auth: &str) -> Self {
        Req {
            method: Method::GET,
            path: path.into(),
            payload: Payload::Empty,
            auth: auth.to_owned(),
            expect: None,
        }
    }

    fn post(path: impl Into<String>, auth: &str, body: Bytes) -> Self {
        Req {
            method: Method::POST,
            path: path.into(),
            payload: Payload::Json(body),
            auth: auth.to_owned(),
            expect: None,
        }
    }

    fn ok(&self, status: u16) -> bool {
        match self.expect {
            Some(s) => status == s,
            None => (200..300).contains(&status),
        }
    }
}

#[derive(Debug, Clone, Default)]
struct Stats {
    count: usize,
    errors: usize,
    rps: f64,
    p50_ms: f64,
    p99_ms: f64,
    max_ms: f64,
    /// Wall seconds between the two CPU samples (≈ the measured window).
    window_s: f64,
    /// The server's CPU seconds over the window.
    server_cpu_s: f64,
    /// This process's (the generator's) CPU seconds over the window.
    gen_cpu_s: f64,
    /// Busy seconds of the server's CPUs, whoever used them.
    busy_s: f64,
}

impl Stats {
    fn server_cpu_pct(&self) -> f64 {
        pct(self.server_cpu_s, self.window_s)
    }
    fn gen_cpu_pct(&self) -> f64 {
        pct(self.gen_cpu_s, self.window_s)
    }
    fn busy_pct(&self) -> f64 {
        pct(self.busy_s, self.window_s)
    }
    /// Requests per server CPU-second (0 when no CPU time was seen).
    fn per_cpu_s(&self) -> f64 {
        if self.server_cpu_s > 0.0 && self.window_s > 0.0 {
            self.rps / (self.server_cpu_s / self.window_s)
        } else {
            0.0
        }
    }
    /// Server CPU µs per request.
    fn us_per_req(&self) -> f64 {
        let r = self.per_cpu_s();
        if r > 0.0 { 1e6 / r } else { 0.0 }
    }
}

fn pct(part: f64, whole: f64) -> f64 {
    if whole > 0.0 {
        100.0 * part / whole
    } else {
        0.0
    }
}

fn http_client() -> reqwest::Client {
    reqwest::Client::builder()
        .pool_max_idle_per_host(1)
        .tcp_nodelay(true)
        .build()
        .unwrap_or_default()
}

fn request(client: &reqwest::Client, base: &str, req: &Req) -> reqwest::RequestBuilder {
    let rb = client
        .request(req.method.clone(), format!("{base}{}", req.path))
        .header("Authorization", &req.auth);
    match &req.payload {
        Payload::Empty => rb,
        Payload::Json(b) => rb
            .header("Content-Type", "application/json")
            .body(b.clone()),
        Payload::Images(body) => rb
            .header("Content-Type", "application/json")
            .body(reqwest::Body::wrap(body.body())),
    }
}

async fn send(client: &reqwest::Client, base: &str, req: &Req) -> Result<(u16, Bytes), String> {
    let res = request(client, base, req)
        .send()
        .await
        .map_err(|e| e.to_string())?;
    let status = res.status().as_u16();
    let body = res.bytes().await.map_err(|e| e.to_string())?;
    Ok((status, body))
}

/// `conns` connections send `req` back to back; requests that finish inside
/// the measured window (after `warmup`) count, and the server's and this
/// process's CPU time is sampled at the window's edges.
async fn load(
    server: &Server,
    req: &Req,
    conns: usize,
    warmup: Duration,
    measure: Duration,
) -> Stats {
    let start = Instant::now();
    let from = start + warmup;
    let until = from + measure;
    // A thread, not a task: the samples must not wait behind the load tasks.
    let pid = server.pid().to_string();
    let cpus = server.cpus.clone();
    let sampler = std::thread::spawn(move || {
        let sample = |at: Instant| {
            std::thread::sleep(at.saturating_duration_since(Instant::now()));
            (
                Instant::now(),
                cpu_secs(&pid).unwrap_or(0.0),
                cpu_secs("self").unwrap_or(0.0),
                cpus_busy_secs(&cpus).unwrap_or(0.0),
            )
        };
        (sample(from), sample(until))
    });
    let mut tasks = Vec::with_capacity(conns);
    for _ in 0..conns {
        let base = server.base.clone();
        let req = req.clone();
        tasks.push(tokio::spawn(connection(base, req, from, until)));
    }
    let (all, errors) = gather(tasks).await;
    let mut st = stats(all, errors, measure);
    if let Ok(((t0, s0, g0, b0), (t1, s1, g1, b1))) = sampler.join() {
        st.window_s = (t1 - t0).as_secs_f64();
        st.server_cpu_s = s1 - s0;
        st.gen_cpu_s = g1 - g0;
        st.busy_s = b1 - b0;
    }
    st
}

fn stats(mut lat: Vec<u32>, errors: usize, over: Duration) -> Stats {
    lat.sort_unstable();
    let pct = |p: f64| -> f64 {
        if lat.is_empty() {
            return 0.0;
        }
        let i = ((lat.len() as f64 * p).ceil() as usize).clamp(1, lat.len()) - 1;
        f64::from(lat[i]) / 1000.0
    };
    Stats {
        count: lat.len(),
        errors,
        rps: lat.len() as f64 / over.as_secs_f64(),
        p50_ms: pct(0.50),
        p99_ms: pct(0.99),
        max_ms: lat.last().map_or(0.0, |v| f64::from(*v) / 1000.0),
        ..Stats::default()
    }
}

/// Sends `req` exactly `n` times over `conns` connections; returns errors.
async fn send_n(base: &str, req: &Req, n: usize, conns: usize) -> usize {
    let left = Arc::new(AtomicUsize::new(n));
    let mut tasks = Vec::new();
    for _ in 0..conns {
        let (base, req, left) = (base.to_owned(), req.clone(), left.clone());
        tasks.push(tokio::spawn(async move {
            let client = http_client();
            let mut errors = 0;
            while left
                .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |v| v.checked_sub(1))
                .is_ok()
            {
                if !matches!(send(&client, &base, &req).await, Ok((s, _)) if req.ok(s)) {
                    errors += 1;
                }
            }
            errors
        }));
    }
    let mut errors = 0;
    for t in tasks {
        errors += t.await.unwrap_or(0);
    }
    errors
}

// --- workloads --------------------------------------------------------------------

const KEY: &str = "test_bench";
const VERIFIK_TOKEN: &str = "Bearer bench-verifik-token";
const IMAGE_SIZE: usize = 300_000;

/// A JPEG-looking payload of `size` bytes (SOI/APP0 header, noise, EOI).
fn image(size: usize, seed: u8) -> Vec<u8> {
    let mut v = vec![
        0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10, b'J', b'F', b'I', b'F', 0x00, 0x01, 0x01, 0x00, 0x00,
        0x01, 0x00, 0x01, 0x00, 0x00,
    ];
    let mut x: u32 = 0x9E37_79B9 ^ u32::from(seed);
    while v.len() < size.saturating_sub(2) {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        v.push((x & 0xFF) as u8);
    }
    v.extend([0xFF, 0xD9]);
    v
}

fn b64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

/// The W3 body: probe and two gallery images of `IMAGE_SIZE` bytes each.
/// Each image is header (24 bytes) + 12 per-request bytes + shared noise +
/// 13 per-request bytes + the JPEG end marker; every piece but the last is a
/// multiple of 3 bytes, so the base64 of the pieces joins into the base64 of
/// the image.
fn w3_body(seeds: [u8; 3], fresh: bool) -> ImageBody {
    const HEAD: usize = 24;
    const U1: usize = 12;
    const U2: usize = 13;
    const EOI: &[u8] = &[0xFF, 0xD9];
    let mid = IMAGE_SIZE - HEAD - U1 - U2 - EOI.len();
    let glue = [
        "{\"probe\":\"",
        "\",\"gallery\":[\"",
        "\",\"",
        "\"],\"search_mode\":\"FAST\",\"liveness_min_score\":0.6,\"os\":\"DESKTOP\"}",
    ];
    let mut pieces = Vec::new();
    let mut slots = Vec::new();
    for (i, seed) in seeds.into_iter().enumerate() {
        let img = image(IMAGE_SIZE, seed);
        pieces.push(Bytes::from(format!("{}{}", glue[i], b64(&img[..HEAD]))));
        slots.push(Slot {
            unique: U1,
            suffix: &[],
        });
        pieces.push(Bytes::from(b64(&img[HEAD + U1..HEAD + U1 + mid])));
        slots.push(Slot {
            unique: U2,
            suffix: EOI,
        });
    }
    pieces.push(Bytes::from_static(glue[3].as_bytes()));
    let len = pieces.iter().map(Bytes::len).sum::<usize>()
        + slots.iter().map(Slot::encoded_len).sum::<usize>();
    ImageBody {
        pieces,
        slots,
        fresh,
        len: len as u64,
        image_bytes: 3 * IMAGE_SIZE,
    }
}

/// One setup call against the sandbox: the JSON answer, or why the
/// workload cannot run (an unknown route says which feature is missing).
async fn setup(
    base: &str,
    auth: &str,
    method: Method,
    path: &str,
    body: Option<Value>,
) -> Result<Value, String> {
    let req = Req {
        method: method.clone(),
        path: path.to_owned(),
        payload: body.map_or(Payload::Empty, |b| {
            Payload::Json(Bytes::from(b.to_string()))
        }),
        auth: auth.to_owned(),
        expect: None,
    };
    let (status, bytes) = send(&http_client(), base, &req).await?;
    let text = String::from_utf8_lossy(&bytes);
    if status == 404 && text.contains("Unknown route") {
        return Err(format!(
            "{method} {path} is not served by this build (404 unknown route)"
        ));
    }
    if !(200..300).contains(&status) {
        let cut: String = text.chars().take(300).collect();
        return Err(format!("{method} {path} answered {status}: {cut}"));
    }
    serde_json::from_slice(&bytes).or(Ok(Value::Null))
}

fn id_of(v: &Value, what: &str) -> Result<String, String> {
    v["id"]
        .as_str()
        .map(str::to_owned)
        .ok_or_else(|| format!("{what}: no id in {v}"))
}

/// A person client with a passport (front image) and a live photo.
struct Identity {
    client: String,
    document: String,
    live_photo: String,
}

async fn identity(base: &str, key: &str) -> Result<Identity, String> {
    let client = id_of(
        &setup(base, key, Method::POST, "/v1/clients", Some(json!({
            "type": "person", "email": "bench@example.com",
            "personDetails": {"firstName": "Bench", "lastName": "Mark", "dob": "1990-01-01", "nationality": "GB"}
        })))
        .await?,
        "client",
    )?;
    let document = id_of(
        &setup(
            base,
            key,
            Method::POST,
            "/v1/documents",
            Some(json!({
                "clientId": client, "type": "passport", "issuingCountry": "GB"
            })),
        )
        .await?,
        "document",
    )?;
    setup(
        base,
        key,
        Method::POST,
        &format!("/v1/documents/{document}/upload/front"),
        Some(json!({"fileName": "front.jpg", "data": b64(&image(60_000, 1))})),
    )
    .await?;
    let live_photo = id_of(
        &setup(
            base,
            key,
            Method::POST,
            "/v1/livePhotos",
            Some(json!({
                "clientId": client, "data": b64(&image(60_000, 2)), "performLivenessCheck": true
            })),
        )
        .await?,
        "live photo",
    )?;
    Ok(Identity {
        client,
        document,
        live_photo,
    })
}

fn check_body(id: &Identity) -> Bytes {
    Bytes::from(
        json!({"clientId": id.client, "type": "identity_check",
               "documentId": id.document, "livePhotoId": id.live_photo})
        .to_string(),
    )
}

/// A prepared workload: the request to repeat and the sandbox's answer to it
/// (which the baseline then serves as its fixed bytes).
struct Prepared {
    /// Short name: the baseline's answer file, the layer table's request.
    key: &'static str,
    name: &'static str,
    /// The route the baseline serves it on; `None`: its fallback.
    route: Option<&'static str>,
    req: Req,
    status: u16,
    content_type: String,
    answer: Bytes,
}

impl Prepared {
    /// Decoded image bytes each request carries (W3).
    fn image_bytes(&self) -> usize {
        match &self.req.payload {
            Payload::Images(b) => b.image_bytes,
            _ => 0,
        }
    }
}

/// Sends `req` once; it must answer 2xx, or 404 with `want_404`. The status
/// seen becomes the one every later answer must have.
async fn prepare(
    base: &str,
    key: &'static str,
    name: &'static str,
    route: Option<&'static str>,
    mut req: Req,
    want_404: bool,
) -> Result<Prepared, String> {
    let res = request(&http_client(), base, &req)
        .send()
        .await
        .map_err(|e| e.to_string())?;
    let status = res.status().as_u16();
    let content_type = res
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("application/json")
        .to_owned();
    let answer = res.bytes().await.map_err(|e| e.to_string())?;
    let text = String::from_utf8_lossy(&answer);
    let fits = if want_404 {
        status == 404 && serde_json::from_slice::<Value>(&answer).is_ok()
    } else {
        (200..300).contains(&status)
    };
    if !fits {
        let cut: String = text.chars().take(300).collect();
        return Err(if status == 404 && text.contains("Unknown route") {
            format!(
                "{} {} is not served by this build (404 unknown route)",
                req.method, req.path
            )
        } else {
            format!("{} {} answered {status}: {cut}", req.method, req.path)
        });
    }
    req.expect = Some(status);
    Ok(Prepared {
        key,
        name,
        route,
        req,
        status,
        content_type,
        answer,
    })
}

/// W0: `GET /v1/clients/{id}` (always served; the harness's own check).
async fn w0_get_client(base: &str) -> Result<Prepared, String> {
    let v = setup(
        base,
        KEY,
        Method::POST,
        "/v1/clients",
        Some(json!({
            "type": "person", "email": "w0@example.com",
            "personDetails": {"firstName": "Get", "lastName": "Client"}
        })),
    )
    .await?;
    let id = id_of(&v, "client")?;
    let req = Req::get(format!("/v1/clients/{id}"), KEY);
    prepare(
        base,
        "W0",
        "W0 GET /v1/clients/{id}",
        Some("/v1/clients/{id}"),
        req,
        false,
    )
    .await
}

/// W1: `GET /v1/checks/{id}`.
async fn w1_get_check(base: &str) -> Result<Prepared, String> {
    let who = identity(base, KEY).await?;
    let check = id_of(
        &setup(
            base,
            KEY,
            Method::POST,
            "/v1/checks",
            Some(serde_json::from_slice(&check_body(&who)).unwrap_or_default()),
        )
        .await?,
        "check",
    )?;
    let req = Req::get(format!("/v1/checks/{check}"), KEY);
    prepare(
        base,
        "W1",
        "W1 GET /v1/checks/{id}",
        Some("/v1/checks/{id}"),
        req,
        false,
    )
    .await
}

/// W2: `POST /v1/checks` (identity_check on a prepared client, document, live photo).
async fn w2_post_check(base: &str) -> Result<Prepared, String> {
    let who = identity(base, KEY).await?;
    let req = Req::post("/v1/checks", KEY, check_body(&who));
    prepare(
        base,
        "W2",
        "W2 POST /v1/checks",
        Some("/v1/checks"),
        req,
        false,
    )
    .await
}

const W3_PATH: &str = "/v2/face-recognition/compare-with-liveness";

/// W3: Verifik compare-with-liveness, a 300 KB probe and two 300 KB gallery
/// images: the same three every request (`fresh` false: what test suites
/// send), or three the server has never seen.
async fn w3_compare_with_liveness(base: &str, fresh: bool) -> Result<Prepared, String> {
    let (key, name, seeds) = if fresh {
        (
            "W3n",
            "W3 compare-with-liveness, never-seen images",
            [6, 7, 8],
        )
    } else {
        (
            "W3r",
            "W3 compare-with-liveness, repeated images",
            [3, 4, 5],
        )
    };
    let body = Arc::new(w3_body(seeds, fresh));
    // The one-piece form must be what the chunks add up to.
    let whole = body.to_bytes();
    if whole.len() as u64 != body.len || serde_json::from_slice::<Value>(&whole).is_err() {
        return Err(format!(
            "{name}: the generated body is not the JSON it should be"
        ));
    }
    let req = Req {
        method: Method::POST,
        path: W3_PATH.into(),
        payload: Payload::Images(body),
        auth: VERIFIK_TOKEN.into(),
        expect: None,
    };
    prepare(base, key, name, Some(W3_PATH), req, false).await
}

/// W4: an unknown route (a JSON 404 from the fallback).
async fn w4_unknown_route(base: &str) -> Result<Prepared, String> {
    let req = Req::get("/v1/no-such-route", KEY);
    prepare(
        base,
        "W4",
        "W4 GET /v1/no-such-route (404)",
        None,
        req,
        true,
    )
    .await
}

/// `GET /__admin/health`: the middleware and one small handler.
async fn health(base: &str) -> Result<Prepared, String> {
    let req = Req::get("/__admin/health", KEY);
    prepare(
        base,
        "HEALTH",
        "GET /__admin/health",
        Some("/__admin/health"),
        req,
        false,
    )
    .await
}

/// The baseline's routes: one line per workload, `METHOD route status
/// content-type answer-file` (tab-separated; route `*` is the fallback).
fn write_routes(dir: &Path, prepared: &[&Prepared]) -> Result<PathBuf, String> {
    let mut lines = String::new();
    for p in prepared {
        let file = dir.join(format!("{}.answer", p.key.to_ascii_lowercase()));
        std::fs::write(&file, &p.answer).map_err(|e| e.to_string())?;
        lines.push_str(&format!(
            "{}\t{}\t{}\t{}\t{}\n",
            p.req.method,
            p.route.unwrap_or("*"),
            p.status,
            p.content_type,
            file.display()
        ));
    }
    let routes = dir.join("routes.tsv");
    std::fs::write(&routes, lines).map_err(|e| e.to_string())?;
    Ok(routes)
}

// --- what this machine reaches on image bytes ---------------------------------------

/// MB of decoded image per CPU-second on one core, in this process.
struct Floor {
    sha256: f64,
    b64_decode: f64,
    decode_then_hash: f64,
}

/// What the machine's own tools reach on the same kind of images, pinned
/// like the server: `sha256sum` and a plain base64 decoder (`base64 -d`),
/// MB of decoded image per second of wall time, best of three runs over
/// 64 images read from the page cache. `None` where a tool is missing.
fn measure_tools(ctx: &Ctx) -> (Option<f64>, Option<f64>) {
    let raw = ctx.work.join("tools-images.bin");
    let enc = ctx.work.join("tools-images.b64");
    let imgs: Vec<u8> = (0..64u8)
        .flat_map(|s| image(IMAGE_SIZE, s ^ 0x40))
        .collect();
    if std::fs::write(&raw, &imgs).is_err() || std::fs::write(&enc, b64(&imgs)).is_err() {
        return (None, None);
    }
    let rate = |tool: &str, args: &[&std::ffi::OsStr]| -> Option<f64> {
        let mut best: Option<f64> = None;
        for _ in 0..3 {
            let mut cmd = match &ctx.pinning {
                Some(p) => {
                    let mut c = Command::new("taskset");
                    c.args(["-c", &p.server, tool]);
                    c
                }
                None => Command::new(tool),
            };
            cmd.args(args).stdout(Stdio::null()).stderr(Stdio::null());
            let t = Instant::now();
            if !cmd.status().ok()?.success() {
                return None;
            }
            let mbs = imgs.len() as f64 / t.elapsed().as_secs_f64() / 1e6;
            best = Some(best.map_or(mbs, |b: f64| b.max(mbs)));
        }
        best
    };
    let sha = rate("sha256sum", &[raw.as_os_str()]);
    let dec = rate("base64", &[std::ffi::OsStr::new("-d"), enc.as_os_str()]);
    let _ = std::fs::remove_file(&raw);
    let _ = std::fs::remove_file(&enc);
    (sha, dec)
}

/// SHA-256 (sha2) and base64 decoding (base64, standard alphabet) of
/// `IMAGE_SIZE` images, one image at a time like the server, each for
/// about `target` on one thread.
fn measure_floor(target: Duration) -> Floor {
    let run = move || {
        let engine = &base64::engine::general_purpose::STANDARD;
        let imgs: Vec<Vec<u8>> = (0..64u8).map(|s| image(IMAGE_SIZE, s ^ 0x80)).collect();
        let enc: Vec<String> = imgs.iter().map(|i| b64(i)).collect();
        let mut buf = vec![0u8; IMAGE_SIZE + 4];
        let rate = |f: &mut dyn FnMut() -> usize| -> f64 {
            let (t0, c0) = (Instant::now(), cpu_secs("thread-self").unwrap_or(0.0));
            let mut bytes = 0usize;
            while t0.elapsed() < target {
                bytes += f();
            }
            let cpu = cpu_secs("thread-self").unwrap_or(0.0) - c0;
            // Tick-resolution CPU time; wall time if too few ticks were seen.
            let secs = if cpu >= 0.1 {
                cpu
            } else {
                t0.elapsed().as_secs_f64()
            };
            bytes as f64 / secs / 1e6
        };
        let sha256 = rate(&mut || {
            for i in &imgs {
                std::hint::black_box(sha2::Sha256::digest(i));
            }
            imgs.len() * IMAGE_SIZE
        });
        let b64_decode = rate(&mut || {
            let mut n = 0;
            for e in &enc {
                n += engine.decode_slice(e, &mut buf).unwrap_or(0);
                std::hint::black_box(&buf);
            }
            n
        });
        let decode_then_hash = rate(&mut || {
            let mut n = 0;
            for e in &enc {
                let k = engine.decode_slice(e, &mut buf).unwrap_or(0);
                std::hint::black_box(sha2::Sha256::digest(&buf[..k]));
                n += k;
            }
            n
        });
        Floor {
            sha256,
            b64_decode,
            decode_then_hash,
        }
    };
    std::thread::spawn(run).join().unwrap_or(Floor {
        sha256: 0.0,
        b64_decode: 0.0,
        decode_then_hash: 0.0,
    })
}

// --- the run ----------------------------------------------------------------------

fn mb(bytes: u64) -> String {
    format!("{:.1} MB", bytes as f64 / 1e6)
}

/// `12345.6` → `12,346`.
fn thousands(v: f64) -> String {
    let s = format!("{:.0}", v.max(0.0));
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

fn command_line() -> String {
    std::env::args()
        .map(|a| {
            if a.is_empty() || a.contains(char::is_whitespace) {
                format!("'{a}'")
            } else {
                a
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

fn print_header(title: &str, args: &Args, ctx: &Ctx) {
    println!(
        "# kyc-sandbox {title}{}\n",
        if args.quick { " (--quick)" } else { "" }
    );
    println!("command: `{}`", command_line());
    let online = std::fs::read_to_string("/sys/devices/system/cpu/online")
        .map(|s| s.trim().to_owned())
        .unwrap_or_else(|_| "?".into());
    let model = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|t| {
            t.lines().find_map(|l| {
                l.strip_prefix("model name")?
                    .split_once(':')
                    .map(|(_, m)| m.trim().to_owned())
            })
        })
        .unwrap_or_else(|| "?".into());
    println!(
        "CPUs online {online} ({model}); clock ticks {}/s",
        clk_tck()
    );
    match &ctx.pinning {
        Some(p) => println!(
            "mode: pinned: servers on CPU {} (taskset -c {}), load generator on CPU {} ({} tokio worker{})",
            p.server,
            p.server,
            p.load,
            ctx.gen_workers,
            if ctx.gen_workers == 1 { "" } else { "s" }
        ),
        None => println!(
            "mode: shared cores: servers and load generator ({} tokio workers) on every CPU",
            ctx.gen_workers
        ),
    }
    println!(
        "binary {}, {:.1} s per run after {:.1} s warm-up",
        ctx.bin.display(),
        ctx.measure.as_secs_f64(),
        ctx.warmup.as_secs_f64()
    );
    println!(
        "server CPU = utime + stime of the server process over the measured window (100% = one \
         core; on loopback part of the TCP work is charged to whichever side sends); its CPUs \
         busy = what every process used of the CPUs the server may run on, so busy minus server \
         CPU is other work (in shared mode, mostly the generator)"
    );
}

async fn run(args: &Args, ctx: &Ctx) -> Result<(), String> {
    let quick = args.quick;
    let (measure, warmup) = (ctx.measure, ctx.warmup);
    let store_n = args.store.unwrap_or(if quick { 20_000 } else { 1_000_000 });
    let soak = Duration::from_secs(args.soak_secs.unwrap_or(if quick { 5 } else { 30 }));
    print_header("benchmark", args, ctx);

    // What one core of this machine does with image bytes, before any load.
    let floor = measure_floor(Duration::from_secs_f64(if quick { 0.4 } else { 2.0 }));
    let tools = measure_tools(ctx);

    // Start-up: process spawn → first 200 from /__admin/health. The binary
    // is spawned directly (not under taskset, whose own exec would count),
    // so in pinned mode it runs on the generator's CPU, idle but for the
    // readiness poll.
    let mut startups = Vec::new();
    for _ in 0..if quick { 3 } else { 7 } {
        let port = free_port()?;
        let cmd = ctx.sandbox_command(port, &[], &[], false);
        startups.push(launch("sandbox", cmd, port, &ctx.work).await?.startup);
    }
    startups.sort();
    println!(
        "\nstart-up to first 200: median {:.1} ms, min {:.1} ms ({} runs; binary spawned directly)",
        startups[startups.len() / 2].as_secs_f64() * 1000.0,
        startups[0].as_secs_f64() * 1000.0,
        startups.len()
    );

    let sandbox = ctx.sandbox(&[], &[]).await?;
    let idle = sandbox.rss();
    println!("{}", sandbox.describe(ctx));

    // Prepare every workload against the sandbox.
    let mut prepared = Vec::new();
    let attempts: Vec<(&str, Result<Prepared, String>)> = vec![
        ("W0", w0_get_client(&sandbox.base).await),
        ("W1", w1_get_check(&sandbox.base).await),
        ("W2", w2_post_check(&sandbox.base).await),
        (
            "W3 repeated",
            w3_compare_with_liveness(&sandbox.base, false).await,
        ),
        (
            "W3 never-seen",
            w3_compare_with_liveness(&sandbox.base, true).await,
        ),
        ("W4", w4_unknown_route(&sandbox.base).await),
    ];
    for (label, r) in attempts {
        match r {
            Ok(p) => prepared.push(p),
            Err(why) => println!("{label}: skipped: {why}"),
        }
    }

    // The baseline serves each route with the sandbox's own answer bytes.
    let routes = write_routes(&ctx.work, &prepared.iter().collect::<Vec<_>>())?;
    let baseline = ctx.baseline(&routes).await?;
    println!("{}", baseline.describe(ctx));
    println!(
        "RSS idle: sandbox {}, baseline {}\n",
        mb(idle),
        mb(baseline.rss())
    );

    println!(
        "| workload | conns | server | req/s | p50 ms | p99 ms | max ms | errors | server CPU | its CPUs busy | req per server CPU-s | generator CPU | RSS after | req/s vs baseline | per CPU-s vs baseline | p99 vs baseline |"
    );
    println!("|---|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
    let mut image_rows = Vec::new();
    for p in &prepared {
        for &c in &args.conns {
            let b = load(&baseline, &p.req, c, warmup, measure).await;
            let b_rss = baseline.rss();
            let s = load(&sandbox, &p.req, c, warmup, measure).await;
            let s_rss = sandbox.rss();
            for (server, st, rss) in [(&baseline, &b, b_rss), (&sandbox, &s, s_rss)] {
                let ratio = |x: f64, y: f64| {
                    if server.name == "sandbox" && y > 0.0 {
                        format!("{:.2}×", x / y)
                    } else {
                        String::new()
                    }
                };
                println!(
                    "| {} | {c} | {} | {} | {:.2} | {:.2} | {:.1} | {} | {:.0}% | {:.0}% | {} | {:.0}% | {} | {} | {} | {} |",
                    p.name,
                    server.name,
                    thousands(st.rps),
                    st.p50_ms,
                    st.p99_ms,
                    st.max_ms,
                    st.errors,
                    st.server_cpu_pct(),
                    st.busy_pct(),
                    thousands(st.per_cpu_s()),
                    st.gen_cpu_pct(),
                    mb(rss),
                    ratio(st.rps, b.rps),
                    ratio(st.per_cpu_s(), b.per_cpu_s()),
                    ratio(st.p99_ms, b.p99_ms),
                );
            }
            if p.image_bytes() > 0 {
                image_rows.push((p.name, c, p.image_bytes(), b, s));
            }
        }
    }
    println!(
        "\n(a server CPU well under 100% per CPU it may use, with the generator near 100%, means the \
         generator was the limit: compare per CPU-second)"
    );
    let after_load = sandbox.rss();
    println!("sandbox RSS after load: {}", mb(after_load));

    if !image_rows.is_empty() {
        println!(
            "\none core of this machine, in this process, on {} KB images (MB of decoded image per CPU-second): \
             SHA-256 (sha2) {:.0}, base64 decode (base64) {:.0}, decode then SHA-256 {:.0}\n",
            IMAGE_SIZE / 1000,
            floor.sha256,
            floor.b64_decode,
            floor.decode_then_hash
        );
        let tool = |v: Option<f64>| v.map_or_else(|| "n/a".to_owned(), |v| format!("{v:.0}"));
        println!(
            "the machine's tools on the same images, pinned like the server (MB of decoded image per \
             second, wall time, best of 3): sha256sum {}, base64 -d {}\n",
            tool(tools.0),
            tool(tools.1)
        );
        println!(
            "| workload | conns | server | req per server CPU-s | image MB per server CPU-s | share of decode then SHA-256 |"
        );
        println!("|---|---:|---|---:|---:|---:|");
        for (name, c, bytes, b, s) in &image_rows {
            for (server, st) in [("baseline", b), ("sandbox", s)] {
                let mbs = st.per_cpu_s() * *bytes as f64 / 1e6;
                println!(
                    "| {name} | {c} | {server} | {} | {} | {:.0}% |",
                    thousands(st.per_cpu_s()),
                    thousands(mbs),
                    pct(mbs, floor.decode_then_hash)
                );
            }
        }
    }

    // Storage, in a fresh process so earlier load does not hide growth: N
    // checks for one client (or, without /v1/checks, N clients), and the
    // list latency of a *different* client with 10 checks, before and after.
    let store_server = ctx.sandbox(&[], &[]).await?;
    let store_key = "test_bench_store";
    let checks_served = prepared.iter().any(|p| p.key == "W2");
    let (store_req, what, list_path) = if checks_served {
        let who = identity(&store_server.base, store_key).await?;
        let probe = identity(&store_server.base, store_key).await?;
        let probe_check = Req::post("/v1/checks", store_key, check_body(&probe));
        send_n(&store_server.base, &probe_check, 10, 1).await;
        let req = Req::post("/v1/checks", store_key, check_body(&who));
        (
            req,
            "checks",
            format!("/v1/checks?clientId={}", probe.client),
        )
    } else {
        println!("(no POST /v1/checks in this build: storing clients instead)");
        let req = Req::post(
            "/v1/clients",
            store_key,
            Bytes::from(
                json!({"type":"person","email":"s@example.com",
                "personDetails":{"firstName":"Stored","lastName":"Client"}})
                .to_string(),
            ),
        );
        (req, "clients", "/v1/clients?pageSize=10".to_owned())
    };
    let list = Req::get(list_path.clone(), &store_req.auth);
    let list_measure = measure.min(Duration::from_secs(5));
    let empty = load(&store_server, &list, 8, warmup, list_measure).await;
    let before = store_server.rss();
    let (t, cpu0) = (Instant::now(), cpu_secs(&store_server.pid().to_string()));
    let errors = send_n(&store_server.base, &store_req, store_n, 32).await;
    let took = t.elapsed();
    let cpu = cpu_secs(&store_server.pid().to_string())
        .zip(cpu0)
        .map_or(0.0, |(a, b)| a - b);
    let after = store_server.rss();
    println!(
        "\nstored {store_n} {what} in a fresh process in {:.1} s ({:.0}/s, {:.0} per server CPU-s, {errors} errors): RSS {} → {}, {:.0} bytes per {}",
        took.as_secs_f64(),
        store_n as f64 / took.as_secs_f64(),
        if cpu > 0.0 { store_n as f64 / cpu } else { 0.0 },
        mb(before),
        mb(after),
        after.saturating_sub(before) as f64 / store_n as f64,
        what.trim_end_matches('s')
    );
    let full = load(&store_server, &list, 8, warmup, list_measure).await;
    println!(
        "\n| GET {list_path} (a client with 10 checks; 8 conns) | req/s | p50 ms | p99 ms | req per server CPU-s |\n|---|---:|---:|---:|---:|"
    );
    for (label, st) in [
        ("before storing".to_owned(), &empty),
        (format!("with {store_n} other {what} stored"), &full),
    ] {
        println!(
            "| {label} | {} | {:.2} | {:.2} | {} |",
            thousands(st.rps),
            st.p50_ms,
            st.p99_ms,
            thousands(st.per_cpu_s())
        );
    }
    drop(store_server);

    // Soak: the first GET workload at 32 connections, journal full, RSS sampled.
    if let Some(p) = prepared
        .iter()
        .find(|p| p.req.method == Method::GET && p.status < 300)
        .or(prepared.first())
    {
        let (_, journal) = send(
            &http_client(),
            &sandbox.base,
            &Req::get("/__admin/requests?limit=1", &p.req.auth),
        )
        .await?;
        let j: Value = serde_json::from_slice(&journal).unwrap_or_default();
        println!(
            "\nsoak: {} at 32 conns for {} s (journal for this key: {} kept, {} evicted)",
            p.name,
            soak.as_secs(),
            j["totalKept"],
            j["evicted"]
        );
        let pid = sandbox.pid();
        let sampler = tokio::spawn(async move {
            let mut samples = Vec::new();
            let t = Instant::now();
            while t.elapsed() < soak {
                samples.push(rss(pid));
                tokio::time::sleep(Duration::from_millis(500)).await;
            }
            samples
        });
        let st = load(&sandbox, &p.req, 32, Duration::ZERO, soak).await;
        let samples = sampler.await.unwrap_or_default();
        let (lo, hi) = (
            samples.iter().min().copied().unwrap_or(0),
            samples.iter().max().copied().unwrap_or(0),
        );
        println!(
            "soak: {} requests, {:.0} req/s, p50 {:.2} ms, p99 {:.2} ms, {} errors, server CPU {:.0}%, {} req per server CPU-s; RSS first {} min {} max {} last {}",
            st.count,
            st.rps,
            st.p50_ms,
            st.p99_ms,
            st.errors,
            st.server_cpu_pct(),
            thousands(st.per_cpu_s()),
            mb(samples.first().copied().unwrap_or(0)),
            mb(lo),
            mb(hi),
            mb(samples.last().copied().unwrap_or(0))
        );
    }
    Ok(())
}

// --- the per-layer cost table ----------------------------------------------------------

/// Which request a layer row measures.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Probe {
    /// W1 `GET /v1/checks/{id}`.
    GetCheck,
    /// W4, the unknown route's JSON 404: middleware and the fallback only.
    UnknownRoute,
    /// `GET /__admin/health`: middleware and a small handler.
    Health,
    /// W2 `POST /v1/checks`.
    PostCheck,
    /// W3 compare-with-liveness with the same three images every time.
    Compare,
}

impl Probe {
    async fn prepare(self, base: &str) -> Result<Prepared, String> {
        match self {
            Probe::GetCheck => w1_get_check(base).await,
            Probe::UnknownRoute => w4_unknown_route(base).await,
            Probe::Health => health(base).await,
            Probe::PostCheck => w2_post_check(base).await,
            Probe::Compare => w3_compare_with_liveness(base, false).await,
        }
    }
}

/// One row of the layer table: the sandbox started with `flags` and `env`
/// (on top of the bench's own: RUST_LOG=warn, loopback, the repo's fixtures).
struct Layer {
    label: &'static str,
    probe: Probe,
    flags: &'static [&'static str],
    env: &'static [(&'static str, Option<&'static str>)],
}

/// Add rows here; a flag the binary rejects skips its row.
const LAYERS: &[Layer] = &[
    Layer {
        label: "default (RUST_LOG=warn)",
        probe: Probe::GetCheck,
        flags: &[],
        env: &[],
    },
    Layer {
        label: "logging at the binary's default (RUST_LOG unset: info, a span per request)",
        probe: Probe::GetCheck,
        flags: &[],
        env: &[("RUST_LOG", None)],
    },
    Layer {
        label: "logging off (RUST_LOG=off)",
        probe: Probe::GetCheck,
        flags: &[],
        env: &[("RUST_LOG", Some("off"))],
    },
    Layer {
        label: "journal off (--journal-max-entries 0)",
        probe: Probe::GetCheck,
        flags: &["--journal-max-entries", "0"],
        env: &[],
    },
    Layer {
        label: "journal and logging off",
        probe: Probe::GetCheck,
        flags: &["--journal-max-entries", "0"],
        env: &[("RUST_LOG", Some("off"))],
    },
    Layer {
        label: "middleware only: unknown route (JSON 404)",
        probe: Probe::UnknownRoute,
        flags: &[],
        env: &[],
    },
    Layer {
        label: "middleware only: GET /__admin/health",
        probe: Probe::Health,
        flags: &[],
        env: &[],
    },
    Layer {
        label: "default",
        probe: Probe::PostCheck,
        flags: &[],
        env: &[],
    },
    Layer {
        label: "journal off (--journal-max-entries 0)",
        probe: Probe::PostCheck,
        flags: &["--journal-max-entries", "0"],
        env: &[],
    },
    Layer {
        label: "default (images decoded once, then remembered)",
        probe: Probe::Compare,
        flags: &[],
        env: &[],
    },
    Layer {
        label: "journal off (--journal-max-entries 0)",
        probe: Probe::Compare,
        flags: &["--journal-max-entries", "0"],
        env: &[],
    },
];

/// W1 and W2 against one instance in memory, then one and two replicas on
/// one PostgreSQL: aggregate req/s and p99 over every replica.
async fn run_replicas(args: &Args, ctx: &Ctx, url: &str) -> Result<(), String> {
    print_header("replicas on PostgreSQL", args, ctx);
    let (measure, warmup) = (ctx.measure, ctx.warmup);
    println!(
        "| workload | conns | setup | req/s | p50 ms | p99 ms | errors | req/s vs memory |\n|---|---:|---|---:|---:|---:|---:|---:|"
    );
    for &c in &args.conns {
        for key in ["W1", "W2"] {
            let mut memory_rps = 0.0;
            for (label, n, flags) in [
                ("memory, 1 instance", 1, ["--store", "memory"]),
                ("postgres, 1 replica", 1, ["--store", url]),
                ("postgres, 2 replicas", 2, ["--store", url]),
            ] {
                let mut servers = Vec::new();
                for _ in 0..n {
                    servers.push(ctx.sandbox(&flags, &[]).await?);
                }
                let p = if key == "W1" {
                    w1_get_check(&servers[0].base).await?
                } else {
                    w2_post_check(&servers[0].base).await?
                };
                let bases: Vec<String> = servers.iter().map(|s| s.base.clone()).collect();
                let st = load_spread(&bases, &p.req, c, warmup, measure).await;
                drop(servers);
                if n == 1 && flags[1] == "memory" {
                    memory_rps = st.rps;
                }
                println!(
                    "| {} | {c} | {label} | {} | {:.2} | {:.2} | {} | {:.2}× |",
                    p.name,
                    thousands(st.rps),
                    st.p50_ms,
                    st.p99_ms,
                    st.errors,
                    if memory_rps > 0.0 {
                        st.rps / memory_rps
                    } else {
                        0.0
                    },
                );
            }
        }
    }
    Ok(())
}

/// One keep-alive connection sending `req` until `until`: the latencies
/// (µs) of the answers it got in `[from, until]`, and how many failed.
async fn connection(base: String, req: Req, from: Instant, until: Instant) -> (Vec<u32>, usize) {
    let client = http_client();
    let mut lat = Vec::with_capacity(4096);
    let mut errors = 0usize;
    loop {
        let t0 = Instant::now();
        if t0 >= until {
            break;
        }
        let ok = matches!(send(&client, &base, &req).await, Ok((s, _)) if req.ok(s));
        let t1 = Instant::now();
        if t0 >= from && t1 <= until {
            if ok {
                lat.push((t1 - t0).as_micros() as u32);
            } else {
                errors += 1;
            }
        }
    }
    (lat, errors)
}

/// Every connection's latencies and failures together.
async fn gather(tasks: Vec<tokio::task::JoinHandle<(Vec<u32>, usize)>>) -> (Vec<u32>, usize) {
    let mut all = Vec::new();
    let mut errors = 0;
    for t in tasks {
        if let Ok((lat, e)) = t.await {
            all.extend(lat);
            errors += e;
        }
    }
    (all, errors)
}

/// [`load`] over several servers: connection `i` goes to `bases[i % n]`.
async fn load_spread(
    bases: &[String],
    req: &Req,
    conns: usize,
    warmup: Duration,
    measure: Duration,
) -> Stats {
    let start = Instant::now();
    let from = start + warmup;
    let until = from + measure;
    let mut tasks = Vec::with_capacity(conns);
    for i in 0..conns {
        let base = bases[i % bases.len()].clone();
        let req = req.clone();
        tasks.push(tokio::spawn(connection(base, req, from, until)));
    }
    let (all, errors) = gather(tasks).await;
    stats(all, errors, measure)
}

/// W1 and W2 in memory and SQLite mode, and what SQLite costs at startup
/// and on disk.
async fn run_storage(args: &Args, ctx: &Ctx) -> Result<(), String> {
    print_header("storage modes", args, ctx);
    let (measure, warmup) = (ctx.measure, ctx.warmup);
    let db = ctx.work.join("bench-store.db");
    let sqlite_flag = format!("sqlite:{}", db.display());
    let reference = ctx.sandbox(&[], &[]).await?;
    let probes = [
        w1_get_check(&reference.base).await?,
        w2_post_check(&reference.base).await?,
    ];
    drop(reference);
    let routes = write_routes(&ctx.work, &probes.iter().collect::<Vec<_>>())?;
    let baseline = ctx.baseline(&routes).await?;
    println!("{}", baseline.describe(ctx));
    println!(
        "\n| workload | conns | server | req/s | p50 ms | p99 ms | errors | server CPU | req per server CPU-s | per CPU-s vs memory | req/s vs memory | per CPU-s vs baseline |"
    );
    println!("|---|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
    for &c in &args.conns {
        for (i, key) in ["W1", "W2"].into_iter().enumerate() {
            let b = load(&baseline, &probes[i].req, c, warmup, measure).await;
            let mut memory_stats: Option<Stats> = None;
            let mut rows = vec![("baseline".to_owned(), b.clone())];
            for (label, flags) in [
                ("sandbox, memory", vec!["--store", "memory"]),
                ("sandbox, sqlite", vec!["--store", sqlite_flag.as_str()]),
            ] {
                let _ = std::fs::remove_file(&db);
                let server = ctx.sandbox(&flags, &[]).await?;
                let p = if key == "W1" {
                    w1_get_check(&server.base).await?
                } else {
                    w2_post_check(&server.base).await?
                };
                let st = load(&server, &p.req, c, warmup, measure).await;
                drop(server);
                if memory_stats.is_none() {
                    memory_stats = Some(st.clone());
                }
                rows.push((label.to_owned(), st));
            }
            let mem = memory_stats.unwrap_or_default();
            for (label, st) in rows {
                let vs = |x: f64, y: f64| {
                    if label.starts_with("sandbox") && y > 0.0 {
                        format!("{:.2}×", x / y)
                    } else {
                        String::new()
                    }
                };
                println!(
                    "| {} | {c} | {label} | {} | {:.2} | {:.2} | {} | {:.0}% | {} | {} | {} | {} |",
                    probes[i].name,
                    thousands(st.rps),
                    st.p50_ms,
                    st.p99_ms,
                    st.errors,
                    st.server_cpu_pct(),
                    thousands(st.per_cpu_s()),
                    vs(st.per_cpu_s(), mem.per_cpu_s()),
                    vs(st.rps, mem.rps),
                    vs(st.per_cpu_s(), b.per_cpu_s()),
                );
            }
        }
    }
    drop(baseline);

    // Startup with N stored checks, and their size on disk.
    let n = args
        .store
        .unwrap_or(if args.quick { 20_000 } else { 100_000 });
    let _ = std::fs::remove_file(&db);
    let flags = ["--store", sqlite_flag.as_str()];
    let server = ctx.sandbox(&flags, &[]).await?;
    let who = identity(&server.base, KEY).await?;
    let req = Req::post("/v1/checks", KEY, check_body(&who));
    let t = Instant::now();
    let errors = send_n(&server.base, &req, n, 32).await;
    let took = t.elapsed();
    drop(server);
    let on_disk: u64 = ["", "-wal", "-shm"]
        .iter()
        .filter_map(|suffix| std::fs::metadata(format!("{}{suffix}", db.display())).ok())
        .map(|m| m.len())
        .sum();
    let mut startups = Vec::new();
    for _ in 0..3 {
        let port = free_port()?;
        let cmd = ctx.sandbox_command(port, &flags, &[], false);
        startups.push(launch("sandbox", cmd, port, &ctx.work).await?.startup);
    }
    startups.sort();
    println!(
        "\nstored {n} checks in SQLite in {:.1} s ({:.0}/s, {errors} errors); on disk {} = {:.0} bytes per check; \
         start-up to first 200 with them: median {:.0} ms, min {:.0} ms (3 runs)",
        took.as_secs_f64(),
        n as f64 / took.as_secs_f64(),
        mb(on_disk),
        on_disk as f64 / n as f64,
        startups[startups.len() / 2].as_secs_f64() * 1000.0,
        startups[0].as_secs_f64() * 1000.0,
    );
    Ok(())
}

async fn run_layers(args: &Args, ctx: &Ctx) -> Result<(), String> {
    print_header("per-layer cost", args, ctx);
    let conns = args.conns.first().copied().unwrap_or(32);
    let (measure, warmup) = (ctx.measure, ctx.warmup);

    // The baseline answers each probe with a default sandbox's bytes.
    let reference = ctx.sandbox(&[], &[]).await?;
    println!("{}", reference.describe(ctx));
    let mut probes = Vec::new();
    for probe in [
        Probe::GetCheck,
        Probe::UnknownRoute,
        Probe::Health,
        Probe::PostCheck,
        Probe::Compare,
    ] {
        match probe.prepare(&reference.base).await {
            Ok(p) => probes.push((probe, p)),
            Err(why) => println!("{why}: its rows are skipped"),
        }
    }
    drop(reference);
    let routes = write_routes(
        &ctx.work,
        &probes.iter().map(|(_, p)| p).collect::<Vec<_>>(),
    )?;
    let baseline = ctx.baseline(&routes).await?;
    println!("{}\n", baseline.describe(ctx));

    println!(
        "| configuration | request | req/s | server CPU | its CPUs busy | generator CPU | req per server CPU-s | µs per request | vs baseline µs |"
    );
    println!("|---|---|---:|---:|---:|---:|---:|---:|---:|");
    let mut base_us = Vec::new();
    for (probe, p) in &probes {
        let st = load(&baseline, &p.req, conns, warmup, measure).await;
        println!(
            "| baseline | {} | {} | {:.0}% | {:.0}% | {:.0}% | {} | {:.1} | |",
            p.name,
            thousands(st.rps),
            st.server_cpu_pct(),
            st.busy_pct(),
            st.gen_cpu_pct(),
            thousands(st.per_cpu_s()),
            st.us_per_req()
        );
        base_us.push((*probe, st.us_per_req()));
    }
    drop(baseline);

    let mut skipped = Vec::new();
    for layer in LAYERS {
        let Some(&(_, base)) = base_us.iter().find(|(p, _)| *p == layer.probe) else {
            skipped.push(format!("{}: its request is not served", layer.label));
            continue;
        };
        let server = match ctx.sandbox(layer.flags, layer.env).await {
            Ok(s) => s,
            Err(why) => {
                skipped.push(format!("{}: the sandbox did not start: {why}", layer.label));
                continue;
            }
        };
        let p = match layer.probe.prepare(&server.base).await {
            Ok(p) => p,
            Err(why) => {
                skipped.push(format!("{}: {why}", layer.label));
                continue;
            }
        };
        let st = load(&server, &p.req, conns, warmup, measure).await;
        let errors = if st.errors > 0 {
            format!(" ({} errors)", st.errors)
        } else {
            String::new()
        };
        println!(
            "| {}{errors} | {} | {} | {:.0}% | {:.0}% | {:.0}% | {} | {:.1} | {:+.1} |",
            layer.label,
            p.name,
            thousands(st.rps),
            st.server_cpu_pct(),
            st.busy_pct(),
            st.gen_cpu_pct(),
            thousands(st.per_cpu_s()),
            st.us_per_req(),
            st.us_per_req() - base
        );
    }
    println!(
        "\n{conns} conns; µs per request = 1e6 / requests per server CPU-second; \
         vs baseline: minus the baseline's µs for the same request"
    );
    for s in skipped {
        println!("skipped: {s}");
    }
    Ok(())
}

// --- the baseline ---------------------------------------------------------------------

mod baseline {
    use std::collections::BTreeMap;
    use std::path::PathBuf;

    use axum::Router;
    use axum::body::Bytes;
    use axum::extract::DefaultBodyLimit;
    use axum::http::{HeaderValue, Method, StatusCode, header};
    use axum::response::IntoResponse;
    use axum::routing::{MethodFilter, MethodRouter, on};

    /// A fixed answer; the request body is read in full first.
    fn answer(
        status: StatusCode,
        content_type: HeaderValue,
        body: Bytes,
    ) -> impl Fn(Bytes) -> std::future::Ready<axum::response::Response> + Clone + Send + Sync + 'static
    {
        move |_body: Bytes| {
            std::future::ready(
                (
                    status,
                    [(header::CONTENT_TYPE, content_type.clone())],
                    body.clone(),
                )
                    .into_response(),
            )
        }
    }

    /// The routes of the routes file (see `write_routes`), each answering
    /// its fixed bytes, plus `/__admin/health` if the file has none.
    pub(crate) async fn serve(port: u16, routes: Option<PathBuf>) -> Result<(), String> {
        let text = match &routes {
            Some(p) => std::fs::read_to_string(p).map_err(|e| format!("{}: {e}", p.display()))?,
            None => String::new(),
        };
        let mut by_path: BTreeMap<String, MethodRouter> = BTreeMap::new();
        let mut fallback = None;
        let mut seen = std::collections::HashSet::new();
        for line in text.lines().filter(|l| !l.trim().is_empty()) {
            let f: Vec<&str> = line.split('\t').collect();
            let [method, route, status, content_type, file] = f[..] else {
                return Err(format!("bad routes line {line:?}"));
            };
            if !seen.insert((method.to_owned(), route.to_owned())) {
                continue; // two workloads on one route: the first one's answer
            }
            let status = status
                .parse::<u16>()
                .ok()
                .and_then(|s| StatusCode::from_u16(s).ok())
                .ok_or_else(|| format!("bad status in {line:?}"))?;
            let ct = HeaderValue::from_str(content_type).map_err(|e| e.to_string())?;
            let body = Bytes::from(std::fs::read(file).map_err(|e| format!("{file}: {e}"))?);
            let handler = answer(status, ct, body);
            if route == "*" {
                fallback = Some(handler);
                continue;
            }
            let method: Method = method
                .parse()
                .map_err(|_| format!("bad method in {line:?}"))?;
            let filter = MethodFilter::try_from(method).map_err(|e| e.to_string())?;
            let mr = by_path.remove(route).unwrap_or_default();
            by_path.insert(route.to_owned(), mr.on(filter, handler));
        }
        if !by_path.contains_key("/__admin/health") {
            let ok = answer(
                StatusCode::OK,
                HeaderValue::from_static("application/json"),
                Bytes::from_static(br#"{"status":"ok"}"#),
            );
            by_path.insert("/__admin/health".into(), on(MethodFilter::GET, ok));
        }
        let mut app = Router::new();
        for (path, mr) in by_path {
            app = app.route(&path, mr);
        }
        let fallback = fallback.unwrap_or_else(|| {
            answer(
                StatusCode::NOT_FOUND,
                HeaderValue::from_static("application/json"),
                Bytes::from_static(br#"{"type":"resource_not_found","message":"Unknown route"}"#),
            )
        });
        let app = app
            .fallback(fallback)
            .layer(DefaultBodyLimit::max(32 * 1024 * 1024));
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", port))
            .await
            .map_err(|e| e.to_string())?;
        axum::serve(listener, app).await.map_err(|e| e.to_string())
    }
}
