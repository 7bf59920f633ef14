//! Full flows driven by the official ComplyCube SDKs, unmodified.
//!
//! The SDKs are installed on first use from PyPI and npm into the cargo
//! target directory (`tests/sdk/requirements.txt`, `tests/sdk/package.json`),
//! then reused. A missing Python or Node is a failure, not a skip.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::helpers::spawn_app;

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn sdk_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("sdk")
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

/// Installs `spec` into `dir` once; `marker` records what was installed.
fn installed(dir: &Path, spec: &str, install: impl FnOnce()) {
    let marker = dir.join(".installed");
    if std::fs::read_to_string(&marker).is_ok_and(|m| m == spec) {
        return;
    }
    install();
    std::fs::write(&marker, spec).expect("write install marker");
}

fn python_with_sdk() -> PathBuf {
    let venv = sdk_dir().join("venv");
    let requirements = repo().join("tests/sdk/requirements.txt");
    let spec = std::fs::read_to_string(&requirements).expect("requirements.txt");
    std::fs::create_dir_all(&venv).expect("sdk dir");
    installed(&venv, &spec, || {
        run(Command::new("python3").args(["-m", "venv"]).arg(&venv));
        run(Command::new(venv.join("bin/pip"))
            .args(["install", "--quiet", "--disable-pip-version-check", "-r"])
            .arg(&requirements));
    });
    venv.join("bin/python")
}

fn node_modules_with_sdk() -> PathBuf {
    let dir = sdk_dir().join("node");
    let package =
        std::fs::read_to_string(repo().join("tests/sdk/package.json")).expect("package.json");
    std::fs::create_dir_all(&dir).expect("sdk dir");
    installed(&dir, &package, || {
        std::fs::write(dir.join("package.json"), &package).expect("copy package.json");
        run(Command::new("npm")
            .args(["install", "--no-audit", "--no-fund", "--loglevel=error"])
            .current_dir(&dir));
    });
    dir.join("node_modules")
}

async fn run_flow(mut cmd: Command) -> serde_json::Value {
    let out = tokio::task::spawn_blocking(move || cmd.output())
        .await
        .expect("join")
        .expect("run flow");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "SDK flow failed:\nstdout:\n{stdout}\nstderr:\n{}",
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
async fn the_official_python_sdk_runs_a_full_flow() {
    let python = tokio::task::spawn_blocking(python_with_sdk)
        .await
        .expect("install");
    let app = spawn_app().await;
    let mut cmd = Command::new(python);
    cmd.arg(repo().join("tests/sdk/python_flow.py"))
        .env("KYC_BASE_URL", &app.address)
        .env("KYC_API_KEY", &app.key);
    let summary = run_flow(cmd).await;
    assert_eq!(summary["ok"], true);
    assert_eq!(summary["autoListed"], 7);
    assert_eq!(
        summary["checks"].as_object().map(|m| m.len()),
        Some(16),
        "every check type"
    );
}

#[tokio::test]
async fn the_official_node_sdk_runs_a_full_flow() {
    let modules = tokio::task::spawn_blocking(node_modules_with_sdk)
        .await
        .expect("install");
    let app = spawn_app().await;
    let mut cmd = Command::new("node");
    cmd.arg(repo().join("tests/sdk/node_flow.js"))
        .env("NODE_PATH", modules)
        .env("KYC_BASE_URL", &app.address)
        .env("KYC_API_KEY", &app.key);
    let summary = run_flow(cmd).await;
    assert_eq!(summary["ok"], true);
    assert_eq!(
        summary["checks"].as_object().map(|m| m.len()),
        Some(16),
        "every check type"
    );
}
