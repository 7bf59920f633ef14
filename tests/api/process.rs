//! The sandbox as a child process, started the way users start it (the
//! binary and its flags), so tests can restart it, kill it with SIGKILL and
//! read its exit code and first log lines.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

/// The debug binary cargo built for these tests.
pub(crate) fn debug_bin() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_kyc-sandbox"))
}

/// The release-profile binary: `KYC_SANDBOX_RELEASE_BIN` when set (CI builds
/// it first), else built here into its own target directory (cargo's lock on
/// the test build's directory is held while tests run).
pub(crate) fn release_bin() -> PathBuf {
    if let Ok(p) = std::env::var("KYC_SANDBOX_RELEASE_BIN") {
        return PathBuf::from(p);
    }
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let target = root.join("target").join("release-for-tests");
    let status = Command::new(env!("CARGO"))
        .args(["build", "--release", "--bin", "kyc-sandbox"])
        .env("CARGO_TARGET_DIR", &target)
        .current_dir(&root)
        .status()
        .expect("run cargo build --release");
    assert!(status.success(), "building the release binary failed");
    target.join("release").join("kyc-sandbox")
}

pub(crate) struct Sandbox {
    child: Child,
    pub(crate) base: String,
}

impl Sandbox {
    /// Starts `bin` on a free loopback port with `args` and waits for its
    /// "listening on" line.
    pub(crate) fn start(bin: &Path, args: &[&str]) -> Sandbox {
        Self::try_start(bin, args).unwrap_or_else(|(code, lines)| {
            panic!(
                "the sandbox did not start (exit {code:?}):\n{}",
                lines.join("\n")
            )
        })
    }

    /// Starts it, or returns its exit code and output when it refuses to.
    pub(crate) fn try_start(
        bin: &Path,
        args: &[&str],
    ) -> Result<Sandbox, (Option<i32>, Vec<String>)> {
        let fixtures = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("fixtures");
        let mut child = Command::new(bin)
            .args(["--host", "127.0.0.1", "--port", "0", "--log-format", "json"])
            .arg("--fixtures")
            .arg(&fixtures)
            .args(args)
            .env("RUST_LOG", "info")
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn the sandbox");
        let (tx, rx) = mpsc::channel::<String>();
        for pipe in [
            child
                .stdout
                .take()
                .map(|p| Box::new(p) as Box<dyn std::io::Read + Send>),
            child
                .stderr
                .take()
                .map(|p| Box::new(p) as Box<dyn std::io::Read + Send>),
        ]
        .into_iter()
        .flatten()
        {
            let tx = tx.clone();
            std::thread::spawn(move || {
                // Keeps draining after startup: a closed pipe would make the
                // server's log writes fail (and its error report panic).
                for line in BufReader::new(pipe).lines().map_while(Result::ok) {
                    let _ = tx.send(line);
                }
            });
        }
        drop(tx);
        let mut lines = Vec::new();
        loop {
            match rx.recv_timeout(Duration::from_secs(60)) {
                Ok(line) => {
                    if let Some(rest) = line.split("listening on http://").nth(1) {
                        let addr: String = rest
                            .chars()
                            .take_while(|c| c.is_ascii_digit() || *c == '.' || *c == ':')
                            .collect();
                        return Ok(Sandbox {
                            child,
                            base: format!("http://{addr}"),
                        });
                    }
                    lines.push(line);
                }
                Err(_) => {
                    let code = child.wait().ok().and_then(|s| s.code());
                    return Err((code, lines));
                }
            }
        }
    }

    /// The process id, for reading its memory from `/proc`.
    pub(crate) fn pid(&self) -> u32 {
        self.child.id()
    }

    /// SIGKILL: no chance to flush or finish anything.
    pub(crate) fn kill9(mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Sandbox {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
