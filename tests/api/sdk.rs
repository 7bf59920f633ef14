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

/// Serialises installs: several tests may need the same SDK at once.
static INSTALL: std::sync::Mutex<()> = std::sync::Mutex::new(());

/// Installs `spec` into `dir` once; `marker` records what was installed.
fn installed(dir: &Path, spec: &str, install: impl FnOnce()) {
    let _one_at_a_time = INSTALL.lock().unwrap_or_else(|e| e.into_inner());
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

/// The SDK methods the README lists as not emulated, as `(sdk, method)`,
/// from the table under its "SDK methods not emulated" heading.
fn listed_as_not_emulated() -> Vec<(String, String)> {
    let readme = std::fs::read_to_string(repo().join("README.md")).expect("README.md");
    let section = readme
        .split("#### SDK methods not emulated")
        .nth(1)
        .expect("README has a 'SDK methods not emulated' section");
    let section = section.split("\n#").next().unwrap_or_default();
    section
        .lines()
        .filter_map(|line| {
            let cells: Vec<&str> = line.split('|').map(str::trim).collect();
            let (sdk, method, why) = (cells.get(1)?, cells.get(2)?, cells.get(3)?);
            let method = method.strip_prefix('`')?.strip_suffix('`')?;
            assert!(!why.is_empty(), "README gives no reason for {sdk} {method}");
            Some((sdk.to_string(), method.to_owned()))
        })
        .filter(|(sdk, _)| sdk == "Python" || sdk == "Node")
        .collect()
}

/// Every method the script found by introspection was called with a
/// success and an error, or is listed in the README with a reason (and a
/// listed one really is not covered).
fn assert_surface(sdk: &str, summary: &serde_json::Value, at_least: usize) {
    let methods = summary["methods"].as_object().expect("methods");
    assert!(
        methods.len() >= at_least,
        "{sdk}: introspection found only {} methods",
        methods.len()
    );
    let listed: Vec<String> = listed_as_not_emulated()
        .into_iter()
        .filter(|(s, _)| s == sdk)
        .map(|(_, m)| m)
        .collect();
    let mut missing = Vec::new();
    for (name, counts) in methods {
        let (ok, err) = (counts["ok"].as_u64(), counts["err"].as_u64());
        let covered = ok.is_some_and(|n| n > 0) && err.is_some_and(|n| n > 0);
        let is_listed = listed.contains(name);
        if !covered && !is_listed {
            missing.push(format!("{name} (ok {ok:?}, err {err:?})"));
        }
        assert!(
            !(covered && is_listed),
            "{sdk}: {name} is covered but the README lists it as not emulated"
        );
    }
    for name in &listed {
        assert!(
            methods.contains_key(name),
            "{sdk}: the README lists {name}, which the SDK does not have"
        );
    }
    assert!(
        missing.is_empty(),
        "{sdk} methods neither called with a success and an error nor listed in the README: {missing:?}"
    );
}

#[tokio::test]
async fn every_python_sdk_method_answers_with_a_success_and_an_error() {
    let python = tokio::task::spawn_blocking(python_with_sdk)
        .await
        .expect("install");
    let app = spawn_app().await;
    let mut cmd = Command::new(python);
    cmd.arg(repo().join("tests/sdk/python_surface.py"))
        .env("KYC_BASE_URL", &app.address)
        .env("KYC_API_KEY", &app.key);
    let summary = run_flow(cmd).await;
    assert_eq!(summary["ok"], true);
    assert_surface("Python", &summary, 60);
}

#[tokio::test]
async fn every_node_sdk_method_answers_with_a_success_and_an_error() {
    let modules = tokio::task::spawn_blocking(node_modules_with_sdk)
        .await
        .expect("install");
    let app = spawn_app().await;
    let mut cmd = Command::new("node");
    cmd.arg(repo().join("tests/sdk/node_surface.js"))
        .env("NODE_PATH", modules)
        .env("KYC_BASE_URL", &app.address)
        .env("KYC_API_KEY", &app.key);
    let summary = run_flow(cmd).await;
    assert_eq!(summary["ok"], true);
    assert_surface("Node", &summary, 55);
}
