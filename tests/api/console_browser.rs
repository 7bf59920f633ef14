//! The QA console end to end in a real headless Chromium, driven by
//! Playwright for Python (`tests/browser/console_flow.py`).
//!
//! Playwright is installed from PyPI into a venv under the cargo target
//! directory (`tests/browser/requirements.txt`), as the SDK flows install
//! the SDKs; it drives Debian's `chromium` (never a downloaded browser
//! build). When Chromium is missing the test installs it with apt-get if it
//! runs as root, and fails with what to do otherwise. Screenshots of the
//! main pages land in `target/console-screenshots/`.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::helpers::spawn_with;

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

/// A venv with the pinned Playwright, installed once.
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
    let (python, browser) = tokio::task::spawn_blocking(|| (python_with_playwright(), chromium()))
        .await
        .expect("install");
    // Checks take a minute of sandbox time, so the console's clock decides.
    let app = spawn_with(|c| c.completion_delay_ms = 60_000).await;
    let shots = target_dir().join("console-screenshots");
    let mut cmd = Command::new(python);
    cmd.arg(repo().join("tests/browser/console_flow.py"))
        .env("BASE_URL", &app.address)
        .env("API_KEY", &app.key)
        .env("SHOTS_DIR", &shots)
        .env("CHROMIUM", browser);
    let out = tokio::task::spawn_blocking(move || cmd.output())
        .await
        .expect("join")
        .expect("run the browser flow");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "the browser flow failed:\nstdout:\n{stdout}\nstderr:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let last = stdout
        .lines()
        .rev()
        .find(|l| l.starts_with('{'))
        .expect("a JSON summary line");
    let summary: serde_json::Value = serde_json::from_str(last).expect("summary JSON");
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
