//! The QA console and the hosted Flow page end to end in a real headless
//! Chromium, driven by Playwright for Python (`tests/browser/console_flow.py`,
//! `tests/browser/flow_page.py`; the Flow page's app side is the official
//! ComplyCube Python SDK).
//!
//! Playwright and the SDK are installed from PyPI into a venv under the cargo
//! target directory (`tests/browser/requirements.txt`), as the SDK flows
//! install the SDKs; it drives Debian's `chromium` (never a downloaded browser
//! build). When Chromium is missing the test installs it with apt-get if it
//! runs as root, and fails with what to do otherwise. Screenshots of the
//! main pages land in `target/console-screenshots/` and `target/flow-screenshots/`.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::helpers::{TestApp, spawn_with};

const CHROMIUM: &str = "/usr/bin/chromium";

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn target_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
        .parent()
        .map_or_else(|| repo().join("target"), Path::to_path_buf)
}

fn run(cmd: &mut Command) {
    let out = cmd
        .output()
        .unwrap_or_else(|e| panic!("cannot run {cmd:?}: {e}"));
    assert!(
        out.status.success(),
        "{cmd:?} failed:\n{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Debian's Chromium, installed when missing and possible.
fn chromium() -> PathBuf {
    let path = PathBuf::from(CHROMIUM);
    if path.exists() {
        return path;
    }
    let root = Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0");
    assert!(
        root,
        "the console test needs Chromium at {CHROMIUM}: install Debian's package \
         (`sudo apt-get install -y chromium`) and run the tests again"
    );
    run(Command::new("apt-get").arg("update").arg("-qq"));
    run(Command::new("apt-get")
        .args([
            "install",
            "-y",
            "-qq",
            "--no-install-recommends",
            "chromium",
        ])
        .env("DEBIAN_FRONTEND", "noninteractive"));
    assert!(path.exists(), "apt-get installed no {CHROMIUM}");
    path
}

/// A venv with the pinned Playwright and ComplyCube SDK, installed once.
fn python_with_playwright() -> PathBuf {
    let venv = target_dir().join("browser-venv");
    let requirements = repo().join("tests/browser/requirements.txt");
    let spec = std::fs::read_to_string(&requirements).expect("requirements.txt");
    let marker = venv.join(".installed");
    if std::fs::read_to_string(&marker).is_ok_and(|m| m == spec) {
        return venv.join("bin/python");
    }
    std::fs::create_dir_all(&venv).expect("venv dir");
    run(Command::new("python3").args(["-m", "venv"]).arg(&venv));
    run(Command::new(venv.join("bin/pip"))
        .args(["install", "--quiet", "--disable-pip-version-check", "-r"])
        .arg(&requirements));
    std::fs::write(&marker, spec).expect("install marker");
    venv.join("bin/python")
}

#[tokio::test]
async fn a_tester_steers_a_check_to_attention_in_the_console() {
    // Checks take a minute of sandbox time, so the console's clock decides.
    let app = spawn_with(|c| c.completion_delay_ms = 60_000).await;
    let shots = target_dir().join("console-screenshots");
    let summary = browse("console_flow.py", &app, &shots).await;
    assert_eq!(summary["ok"], true, "{summary}");
    assert_eq!(summary["errors"], serde_json::json!([]));
    assert_eq!(summary["deliveries"], 2, "one delivery and one redelivery");
    assert_eq!(summary["highlightedLeaf"], "facialSimilarity");
    for page in [
        "tenants",
        "client",
        "scenarios",
        "check",
        "webhooks",
        "journal",
        "check-phone",
    ] {
        assert!(
            shots.join(format!("{page}.png")).exists(),
            "no screenshot of {page}"
        );
    }
}

/// Runs a browser script against `app`; its JSON summary line.
async fn browse(script: &str, app: &TestApp, shots: &Path) -> serde_json::Value {
    let (python, browser) = tokio::task::spawn_blocking(|| (python_with_playwright(), chromium()))
        .await
        .expect("install");
    let mut cmd = Command::new(python);
    cmd.arg(repo().join("tests/browser").join(script))
        .env("BASE_URL", &app.address)
        .env("API_KEY", &app.key)
        .env("SHOTS_DIR", shots)
        .env("CHROMIUM", browser);
    let out = tokio::task::spawn_blocking(move || cmd.output())
        .await
        .expect("join")
        .expect("run the browser flow");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{script} failed:\nstdout:\n{stdout}\nstderr:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let last = stdout
        .lines()
        .rev()
        .find(|l| l.starts_with('{'))
        .expect("a JSON summary line");
    serde_json::from_str(last).expect("summary JSON")
}

#[tokio::test]
async fn a_tester_completes_and_cancels_hosted_flows_in_the_browser() {
    // Checks take a minute of sandbox time, so the script's clock call decides.
    let app = spawn_with(|c| c.completion_delay_ms = 60_000).await;
    let shots = target_dir().join("flow-screenshots");
    let summary = browse("flow_page.py", &app, &shots).await;
    assert_eq!(summary["ok"], true, "{summary}");
    assert_eq!(summary["errors"], serde_json::json!([]));

    // What the browser completed, seen over HTTP: the checks went attention.
    let first = summary["first"].as_str().expect("first session");
    let (s, flow) = app
        .get(&format!("/__admin/complycube/flow/sessions/{first}"))
        .await;
    assert_eq!(
        (s, flow["status"].as_str()),
        (200, Some("completed")),
        "{flow}"
    );
    let checks = flow["checkIds"].as_array().expect("checkIds");
    assert_eq!(checks.len(), 2, "{flow}");
    // The same checks, as the SDK read them after the browser came back:
    // pending, then complete once the clock moved on.
    assert_eq!(
        summary["statusBeforeClock"],
        serde_json::json!(["pending", "pending"]),
        "{summary}"
    );
    let mut seen: Vec<&str> = ["document_check", "identity_check"]
        .iter()
        .map(|kind| {
            let check = &summary["checks"][kind];
            assert_eq!(
                (check["status"].as_str(), check["outcome"].as_str()),
                (Some("complete"), Some("attention")),
                "{kind} through the SDK: {summary}"
            );
            check["id"].as_str().expect("check id")
        })
        .collect();
    let mut created: Vec<&str> = checks.iter().filter_map(|id| id.as_str()).collect();
    seen.sort_unstable();
    created.sort_unstable();
    assert_eq!(seen, created, "{summary}");
    for id in checks {
        let (s, check) = app
            .get(&format!("/v1/checks/{}", id.as_str().unwrap()))
            .await;
        assert_eq!(s, 200, "{check}");
        assert_eq!(
            (
                check["status"].as_str(),
                check["result"]["outcome"].as_str()
            ),
            (Some("complete"), Some("attention")),
            "{check}"
        );
    }
    // Every delivery passed the SDK's EventVerifier (the script fails otherwise).
    assert!(
        summary["verifiedDeliveries"].as_u64() > Some(0),
        "{summary}"
    );
    let events = summary["events"].as_array().expect("events");
    for event in [
        "document.created",
        "check.pending",
        "check.completed",
        "check.completed.attention",
    ] {
        assert!(
            events.iter().any(|e| e == event),
            "no {event} delivered: {summary}"
        );
    }

    // The workflow session the browser cancelled.
    let second = summary["second"].as_str().expect("second session");
    let (_, flow) = app
        .get(&format!("/__admin/complycube/flow/sessions/{second}"))
        .await;
    assert_eq!(flow["status"], "cancelled", "{flow}");
    let wf = flow["workflowSessionId"]
        .as_str()
        .expect("workflow session");
    let (_, session) = app.get(&format!("/v1/workflowSessions/{wf}")).await;
    assert_eq!(session["status"], "cancelled", "{session}");
    assert_eq!(
        summary["workflowSession"],
        serde_json::json!({"id": wf, "status": "cancelled"}),
        "the SDK's view of the workflow session"
    );

    // The app saw the browser come back to each return URL, and the dark theme showed.
    assert_eq!(
        summary["visits"],
        serde_json::json!(["/ok?from=flow", "/cancel?from=workflow"])
    );
    assert_ne!(summary["darkBackground"], "rgb(246, 247, 249)", "{summary}");
    for page in [
        "flow-consent",
        "flow-document",
        "flow-finish",
        "flow-complete",
        "flow-dark",
        "flow-phone",
    ] {
        assert!(
            shots.join(format!("{page}.png")).exists(),
            "no screenshot of {page}"
        );
    }
}
