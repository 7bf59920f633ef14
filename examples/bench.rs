//! Load benchmark: the sandbox's release binary against a bare axum server
//! that answers the same routes with fixed bytes.
//!
//! ```text
//! cargo build --release --bin kyc-sandbox
//! cargo run --release --example bench -- --quick           # about a minute
//! cargo run --release --example bench -- --soak-secs 600   # the full run
//! ```
//!
//! Both servers run as child processes on loopback; the load generator runs
//! here: N keep-alive connections (one HTTP client per tokio task), every
//! request's latency kept, percentiles from the sorted samples. A workload
//! whose route the sandbox does not serve is skipped with a message.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use axum::body::Bytes;
use base64::Engine as _;
use clap::Parser;
use reqwest::Method;
use serde_json::{Value, json};

#[derive(Parser, Debug)]
#[command(about = "Benchmark kyc-sandbox against a bare axum baseline")]
struct Args {
    /// Short durations and a small store (to check the harness).
    #[arg(long)]
    quick: bool,
    /// Measured seconds per workload and concurrency (default 10, quick 2).
    #[arg(long)]
    secs: Option<f64>,
    /// Concurrent keep-alive connections to try.
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
    /// Internal: serve the baseline on this port, answers from --answers.
    #[arg(long, hide = true)]
    serve_baseline: Option<u16>,
    #[arg(long, hide = true)]
    answers: Option<PathBuf>,
}

fn main() -> Result<(), String> {
    let args = Args::parse();
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| e.to_string())?;
    if let Some(port) = args.serve_baseline {
        return rt.block_on(baseline::serve(port, args.answers.clone()));
    }
    rt.block_on(run(args))
}

// --- processes ----------------------------------------------------------------

/// Resident set size of `pid` from `/proc/<pid>/status` (`VmRSS`), 0 when unknown.
fn rss_bytes(pid: u32) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|text| {
            let line = text.lines().find(|l| l.starts_with("VmRSS:"))?;
            let kb: u64 = line
                .trim_start_matches("VmRSS:")
                .trim()
                .trim_end_matches("kB")
                .trim()
                .parse()
                .ok()?;
            Some(kb * 1024)
        })
        .unwrap_or(0)
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

struct Server {
    name: &'static str,
    base: String,
    child: Child,
}

impl Server {
    fn pid(&self) -> u32 {
        self.child.id()
    }
    fn rss(&self) -> u64 {
        rss_bytes(self.pid())
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn spawn_sandbox(bin: &Path, port: u16) -> Result<Child, String> {
    Command::new(bin)
        .env("KYC_SANDBOX_HOST", "127.0.0.1")
        .env("KYC_SANDBOX_PORT", port.to_string())
        .env("KYC_SANDBOX_FIXTURES", repo_root().join("fixtures"))
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::inherit())
        .spawn()
        .map_err(|e| format!("{}: {e}", bin.display()))
}

/// Polls `GET {base}{path}` until it answers 200; returns the time taken.
async fn wait_ready(base: &str, path: &str, started: Instant) -> Result<Duration, String> {
    let client = reqwest::Client::new();
    let deadline = started + Duration::from_secs(30);
    while Instant::now() < deadline {
        if let Ok(r) = client.get(format!("{base}{path}")).send().await {
            if r.status() == 200 {
                return Ok(started.elapsed());
            }
        }
        tokio::time::sleep(Duration::from_millis(1)).await;
    }
    Err(format!("{base}{path} not ready after 30 s"))
}

// --- load generation ------------------------------------------------------------

#[derive(Clone)]
struct Req {
    method: Method,
    path: String,
    body: Option<Bytes>,
    auth: String,
}

#[derive(Debug, Clone, Default)]
struct Stats {
    count: usize,
    errors: usize,
    rps: f64,
    p50_ms: f64,
    p99_ms: f64,
    max_ms: f64,
}

fn http_client() -> reqwest::Client {
    reqwest::Client::builder()
        .pool_max_idle_per_host(1)
        .tcp_nodelay(true)
        .build()
        .unwrap_or_default()
}

async fn send(client: &reqwest::Client, base: &str, req: &Req) -> Result<(u16, Bytes), String> {
    let mut rb = client
        .request(req.method.clone(), format!("{base}{}", req.path))
        .header("Authorization", &req.auth);
    if let Some(b) = &req.body {
        rb = rb
            .header("Content-Type", "application/json")
            .body(b.clone());
    }
    let res = rb.send().await.map_err(|e| e.to_string())?;
    let status = res.status().as_u16();
    let body = res.bytes().await.map_err(|e| e.to_string())?;
    Ok((status, body))
}

/// `conns` connections send `req` back to back; requests that finish inside
/// the measured window (after `warmup`) count.
async fn load(base: &str, req: &Req, conns: usize, warmup: Duration, measure: Duration) -> Stats {
    let start = Instant::now();
    let from = start + warmup;
    let until = from + measure;
    let mut tasks = Vec::with_capacity(conns);
    for _ in 0..conns {
        let base = base.to_owned();
        let req = req.clone();
        tasks.push(tokio::spawn(async move {
            let client = http_client();
            let mut lat = Vec::with_capacity(4096);
            let mut errors = 0usize;
            loop {
                let t0 = Instant::now();
                if t0 >= until {
                    break;
                }
                let ok = matches!(send(&client, &base, &req).await, Ok((s, _)) if (200..300).contains(&s));
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
        }));
    }
    let mut all = Vec::new();
    let mut errors = 0;
    for t in tasks {
        if let Ok((lat, e)) = t.await {
            all.extend(lat);
            errors += e;
        }
    }
    stats(all, errors, measure)
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
                if !matches!(send(&client, &base, &req).await, Ok((s, _)) if (200..300).contains(&s)) {
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
        body: body.map(|b| Bytes::from(b.to_string())),
        auth: auth.to_owned(),
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
    name: &'static str,
    req: Req,
    answer: Bytes,
}

async fn prepare(base: &str, name: &'static str, req: Req) -> Result<Prepared, String> {
    let (status, answer) = send(&http_client(), base, &req).await?;
    if !(200..300).contains(&status) {
        let cut: String = String::from_utf8_lossy(&answer).chars().take(300).collect();
        return Err(format!(
            "{} {} answered {status}: {cut}",
            req.method, req.path
        ));
    }
    Ok(Prepared { name, req, answer })
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
    prepare(
        base,
        "W0 GET /v1/clients/{id}",
        Req {
            method: Method::GET,
            path: format!("/v1/clients/{id}"),
            body: None,
            auth: KEY.into(),
        },
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
    prepare(
        base,
        "W1 GET /v1/checks/{id}",
        Req {
            method: Method::GET,
            path: format!("/v1/checks/{check}"),
            body: None,
            auth: KEY.into(),
        },
    )
    .await
}

/// W2: `POST /v1/checks` (identity_check on a prepared client, document, live photo).
async fn w2_post_check(base: &str) -> Result<Prepared, String> {
    let who = identity(base, KEY).await?;
    prepare(
        base,
        "W2 POST /v1/checks",
        Req {
            method: Method::POST,
            path: "/v1/checks".into(),
            body: Some(check_body(&who)),
            auth: KEY.into(),
        },
    )
    .await
}

/// W3: Verifik compare-with-liveness, 300 KB probe and two 300 KB gallery images.
async fn w3_compare_with_liveness(base: &str) -> Result<Prepared, String> {
    let body = json!({
        "probe": b64(&image(300_000, 3)),
        "gallery": [b64(&image(300_000, 4)), b64(&image(300_000, 5))],
        "search_mode": "FAST",
        "liveness_min_score": 0.6,
        "os": "DESKTOP",
    });
    let path = "/v2/face-recognition/compare-with-liveness";
    setup(base, VERIFIK_TOKEN, Method::POST, path, Some(body.clone())).await?;
    prepare(
        base,
        "W3 POST /v2/face-recognition/compare-with-liveness",
        Req {
            method: Method::POST,
            path: path.into(),
            body: Some(Bytes::from(body.to_string())),
            auth: VERIFIK_TOKEN.into(),
        },
    )
    .await
}

// --- the run ----------------------------------------------------------------------

fn mb(bytes: u64) -> String {
    format!("{:.1} MB", bytes as f64 / 1e6)
}

async fn run(args: Args) -> Result<(), String> {
    let quick = args.quick;
    let measure = Duration::from_secs_f64(args.secs.unwrap_or(if quick { 2.0 } else { 10.0 }));
    let warmup = if quick {
        Duration::from_millis(300)
    } else {
        Duration::from_secs(2)
    };
    let store_n = args.store.unwrap_or(if quick { 20_000 } else { 1_000_000 });
    let soak = Duration::from_secs(args.soak_secs.unwrap_or(if quick { 5 } else { 30 }));
    let bin = sandbox_bin(&args)?;
    println!(
        "# kyc-sandbox benchmark{}",
        if quick { " (--quick)" } else { "" }
    );
    println!(
        "binary {}, {} cores, {:.1} s per run after {:.1} s warm-up\n",
        bin.display(),
        std::thread::available_parallelism().map_or(0, |n| n.get()),
        measure.as_secs_f64(),
        warmup.as_secs_f64()
    );

    // Start-up: process spawn → first 200 from /__admin/health.
    let mut startups = Vec::new();
    for _ in 0..if quick { 3 } else { 7 } {
        let port = free_port()?;
        let t0 = Instant::now();
        let child = spawn_sandbox(&bin, port)?;
        let s = Server {
            name: "sandbox",
            base: format!("http://127.0.0.1:{port}"),
            child,
        };
        startups.push(wait_ready(&s.base, "/__admin/health", t0).await?);
    }
    startups.sort();
    println!(
        "start-up to first 200: median {:.1} ms, min {:.1} ms ({} runs)",
        startups[startups.len() / 2].as_secs_f64() * 1000.0,
        startups[0].as_secs_f64() * 1000.0,
        startups.len()
    );

    let port = free_port()?;
    let t0 = Instant::now();
    let sandbox = Server {
        name: "sandbox",
        base: format!("http://127.0.0.1:{port}"),
        child: spawn_sandbox(&bin, port)?,
    };
    wait_ready(&sandbox.base, "/__admin/health", t0).await?;
    let idle = sandbox.rss();
    println!("sandbox RSS idle: {}", mb(idle));

    // Prepare every workload against the sandbox.
    let mut prepared = Vec::new();
    let attempts: Vec<(&str, Result<Prepared, String>)> = vec![
        ("W0", w0_get_client(&sandbox.base).await),
        ("W1", w1_get_check(&sandbox.base).await),
        ("W2", w2_post_check(&sandbox.base).await),
        ("W3", w3_compare_with_liveness(&sandbox.base).await),
    ];
    for (label, r) in attempts {
        match r {
            Ok(p) => prepared.push(p),
            Err(why) => println!("{label}: skipped: {why}"),
        }
    }

    // The baseline serves each route with the sandbox's own answer bytes.
    let answers = std::env::temp_dir().join(format!("kyc-bench-{}", std::process::id()));
    std::fs::create_dir_all(&answers).map_err(|e| e.to_string())?;
    for p in &prepared {
        std::fs::write(answers.join(baseline::answer_file(p.name)), &p.answer)
            .map_err(|e| e.to_string())?;
    }
    let bport = free_port()?;
    let exe = std::env::current_exe().map_err(|e| e.to_string())?;
    let t0 = Instant::now();
    let base_child = Command::new(exe)
        .args(["--serve-baseline", &bport.to_string(), "--answers"])
        .arg(&answers)
        .stdout(Stdio::null())
        .spawn()
        .map_err(|e| e.to_string())?;
    let baseline = Server {
        name: "baseline",
        base: format!("http://127.0.0.1:{bport}"),
        child: base_child,
    };
    wait_ready(&baseline.base, "/__admin/health", t0).await?;
    println!("baseline RSS idle: {}\n", mb(baseline.rss()));

    println!(
        "| workload | conns | server | req/s | p50 ms | p99 ms | max ms | errors | RSS after | req/s vs baseline | p99 vs baseline |"
    );
    println!("|---|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|");
    for p in &prepared {
        for &c in &args.conns {
            let b = load(&baseline.base, &p.req, c, warmup, measure).await;
            let b_rss = baseline.rss();
            let s = load(&sandbox.base, &p.req, c, warmup, measure).await;
            let s_rss = sandbox.rss();
            for (server, st, rss) in [(&baseline, &b, b_rss), (&sandbox, &s, s_rss)] {
                let (ratio, p99r) = if server.name == "sandbox" && b.rps > 0.0 && b.p99_ms > 0.0 {
                    (
                        format!("{:.2}×", st.rps / b.rps),
                        format!("{:.2}×", st.p99_ms / b.p99_ms),
                    )
                } else {
                    ("".into(), "".into())
                };
                println!(
                    "| {} | {c} | {} | {:.0} | {:.2} | {:.2} | {:.1} | {} | {} | {ratio} | {p99r} |",
                    p.name,
                    server.name,
                    st.rps,
                    st.p50_ms,
                    st.p99_ms,
                    st.max_ms,
                    st.errors,
                    mb(rss)
                );
            }
        }
    }
    let after_load = sandbox.rss();
    println!("\nsandbox RSS after load: {}", mb(after_load));

    // Storage, in a fresh process so earlier load does not hide growth: N
    // checks for one client (or, without /v1/checks, N clients), and the
    // list latency of a *different* client with 10 checks, before and after.
    let port = free_port()?;
    let t0 = Instant::now();
    let store_server = Server {
        name: "sandbox",
        base: format!("http://127.0.0.1:{port}"),
        child: spawn_sandbox(&bin, port)?,
    };
    wait_ready(&store_server.base, "/__admin/health", t0).await?;
    let store_key = "test_bench_store";
    let checks_served = prepared.iter().any(|p| p.name.starts_with("W2"));
    let (store_req, what, list_path) = if checks_served {
        let who = identity(&store_server.base, store_key).await?;
        let probe = identity(&store_server.base, store_key).await?;
        let probe_check = Req {
            method: Method::POST,
            path: "/v1/checks".into(),
            body: Some(check_body(&probe)),
            auth: store_key.into(),
        };
        send_n(&store_server.base, &probe_check, 10, 1).await;
        let req = Req {
            method: Method::POST,
            path: "/v1/checks".into(),
            body: Some(check_body(&who)),
            auth: store_key.into(),
        };
        (
            req,
            "checks",
            format!("/v1/checks?clientId={}", probe.client),
        )
    } else {
        println!("(no POST /v1/checks in this build: storing clients instead)");
        let req = Req {
            method: Method::POST,
            path: "/v1/clients".into(),
            body: Some(Bytes::from(
                json!({"type":"person","email":"s@example.com",
                "personDetails":{"firstName":"Stored","lastName":"Client"}})
                .to_string(),
            )),
            auth: store_key.into(),
        };
        (req, "clients", "/v1/clients?pageSize=10".to_owned())
    };
    let list = Req {
        method: Method::GET,
        path: list_path.clone(),
        body: None,
        auth: store_req.auth.clone(),
    };
    let list_measure = measure.min(Duration::from_secs(5));
    let empty = load(&store_server.base, &list, 8, warmup, list_measure).await;
    let before = store_server.rss();
    let t = Instant::now();
    let errors = send_n(&store_server.base, &store_req, store_n, 32).await;
    let took = t.elapsed();
    let after = store_server.rss();
    println!(
        "\nstored {store_n} {what} in a fresh process in {:.1} s ({:.0}/s, {errors} errors): RSS {} → {}, {:.0} bytes per {}",
        took.as_secs_f64(),
        store_n as f64 / took.as_secs_f64(),
        mb(before),
        mb(after),
        after.saturating_sub(before) as f64 / store_n as f64,
        what.trim_end_matches('s')
    );
    let full = load(&store_server.base, &list, 8, warmup, list_measure).await;
    println!(
        "\n| GET {list_path} (a client with 10 checks; 8 conns) | req/s | p50 ms | p99 ms |\n|---|---:|---:|---:|"
    );
    println!(
        "| before storing | {:.0} | {:.2} | {:.2} |",
        empty.rps, empty.p50_ms, empty.p99_ms
    );
    println!(
        "| with {store_n} other {what} stored | {:.0} | {:.2} | {:.2} |",
        full.rps, full.p50_ms, full.p99_ms
    );
    drop(store_server);

    // Soak: the first workload at 32 connections, journal full, RSS sampled.
    if let Some(p) = prepared
        .iter()
        .find(|p| p.req.method == Method::GET)
        .or(prepared.first())
    {
        let (_, journal) = send(
            &http_client(),
            &sandbox.base,
            &Req {
                method: Method::GET,
                path: "/__admin/requests?limit=1".into(),
                body: None,
                auth: p.req.auth.clone(),
            },
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
                samples.push(rss_bytes(pid));
                tokio::time::sleep(Duration::from_millis(500)).await;
            }
            samples
        });
        let st = load(&sandbox.base, &p.req, 32, Duration::ZERO, soak).await;
        let samples = sampler.await.unwrap_or_default();
        let (lo, hi) = (
            samples.iter().min().copied().unwrap_or(0),
            samples.iter().max().copied().unwrap_or(0),
        );
        println!(
            "soak: {} requests, {:.0} req/s, p50 {:.2} ms, p99 {:.2} ms, {} errors; RSS first {} min {} max {} last {}",
            st.count,
            st.rps,
            st.p50_ms,
            st.p99_ms,
            st.errors,
            mb(samples.first().copied().unwrap_or(0)),
            mb(lo),
            mb(hi),
            mb(samples.last().copied().unwrap_or(0))
        );
    }
    let _ = std::fs::remove_dir_all(&answers);
    Ok(())
}

// --- the baseline ---------------------------------------------------------------------

mod baseline {
    use std::path::PathBuf;

    use axum::Router;
    use axum::body::Bytes;
    use axum::extract::DefaultBodyLimit;
    use axum::http::header;
    use axum::response::IntoResponse;
    use axum::routing::{get, post};

    /// The file holding a workload's fixed answer.
    pub(crate) fn answer_file(workload: &str) -> String {
        let key: String = workload
            .split_whitespace()
            .next()
            .unwrap_or("x")
            .to_ascii_lowercase();
        format!("{key}.json")
    }

    fn fixed(dir: &Option<PathBuf>, workload: &str) -> Bytes {
        dir.as_ref()
            .and_then(|d| std::fs::read(d.join(answer_file(workload))).ok())
            .map_or_else(|| Bytes::from_static(br#"{"ok":true}"#), Bytes::from)
    }

    fn json(b: Bytes) -> impl IntoResponse {
        (
            [(header::CONTENT_TYPE, "application/json; charset=utf-8")],
            b,
        )
    }

    /// The same routes as the workloads, answering fixed bytes (bodies are read).
    pub(crate) async fn serve(port: u16, answers: Option<PathBuf>) -> Result<(), String> {
        let (w0, w1, w2, w3) = (
            fixed(&answers, "W0"),
            fixed(&answers, "W1"),
            fixed(&answers, "W2"),
            fixed(&answers, "W3"),
        );
        let app = Router::new()
            .route(
                "/__admin/health",
                get(|| async { json(Bytes::from_static(br#"{"status":"ok"}"#)) }),
            )
            .route(
                "/v1/clients/{id}",
                get(move || {
                    let b = w0.clone();
                    async move { json(b) }
                }),
            )
            .route(
                "/v1/checks/{id}",
                get(move || {
                    let b = w1.clone();
                    async move { json(b) }
                }),
            )
            .route(
                "/v1/checks",
                post(move |_body: Bytes| {
                    let b = w2.clone();
                    async move { json(b) }
                }),
            )
            .route(
                "/v2/face-recognition/compare-with-liveness",
                post(move |_body: Bytes| {
                    let b = w3.clone();
                    async move { json(b) }
                }),
            )
            .layer(DefaultBodyLimit::max(32 * 1024 * 1024));
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", port))
            .await
            .map_err(|e| e.to_string())?;
        axum::serve(listener, app).await.map_err(|e| e.to_string())
    }
}
