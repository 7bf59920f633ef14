//! A throw-away PostgreSQL for the tests that need one: the server named by
//! `KYC_SANDBOX_TEST_POSTGRES` (a fresh database in it per test), else a
//! cluster of Debian's `postgresql` binaries in a temporary directory on a
//! free port, run as the unprivileged `postgres` user when the tests run as
//! root, stopped and removed when the test ends. Without either, the test
//! is skipped with a printed reason — unless `CI` is set, where it fails.

use std::path::PathBuf;
use std::process::{Command, Stdio};

pub(crate) struct Postgres {
    /// The connection URL of this test's database.
    pub(crate) url: String,
    cluster: Option<Cluster>,
    /// The database created in an external server, dropped at the end.
    external: Option<(String, String)>,
}

struct Cluster {
    bin: PathBuf,
    dir: tempfile::TempDir,
    port: u16,
    as_postgres: bool,
}

impl Cluster {
    fn command(&self, tool: &str) -> Command {
        let path = self.bin.join(tool);
        if self.as_postgres {
            let mut c = Command::new("runuser");
            c.args(["-u", "postgres", "--"]).arg(path);
            c
        } else {
            Command::new(path)
        }
    }

    fn data(&self) -> PathBuf {
        self.dir.path().join("data")
    }

    fn pg_ctl(&self, args: &[&str]) -> bool {
        self.command("pg_ctl")
            .arg("-D")
            .arg(self.data())
            .args(args)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success())
    }

    fn start(&self) -> bool {
        let opts = format!(
            "-p {} -k {} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200",
            self.port,
            self.dir.path().display()
        );
        let log = self.dir.path().join("server.log");
        self.pg_ctl(&[
            "-w",
            "-t",
            "60",
            "-o",
            &opts,
            "-l",
            &log.to_string_lossy(),
            "start",
        ])
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        self.pg_ctl(&["-m", "immediate", "-w", "stop"]);
    }
}

/// A free port below Linux's ephemeral range (32768–60999): a client
/// connecting while the server is down can never be handed the same port
/// and connect to itself.
fn free_port() -> u16 {
    static NEXT: std::sync::atomic::AtomicU16 = std::sync::atomic::AtomicU16::new(0);
    let step = NEXT.fetch_add(37, std::sync::atomic::Ordering::Relaxed);
    let start = 20_000 + ((std::process::id() as u16 % 10_000) + step) % 10_000;
    (start..30_000)
        .chain(20_000..start)
        .find(|p| std::net::TcpListener::bind(("127.0.0.1", *p)).is_ok())
        .unwrap_or(54329)
}

fn server_bin() -> Option<PathBuf> {
    let mut found: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .ok()?
        .filter_map(Result::ok)
        .map(|e| e.path().join("bin"))
        .filter(|b| b.join("initdb").exists() && b.join("pg_ctl").exists())
        .collect();
    found.sort();
    found.pop()
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| o.stdout.trim_ascii() == b"0")
}

fn unavailable(why: &str) -> Option<Postgres> {
    if std::env::var_os("CI").is_some() {
        panic!("PostgreSQL is needed in CI: {why}");
    }
    eprintln!("skipped: {why} (set KYC_SANDBOX_TEST_POSTGRES or install Debian's postgresql)");
    None
}

impl Postgres {
    /// A fresh database, or `None` (test skipped) outside CI without PostgreSQL.
    pub(crate) fn start() -> Option<Postgres> {
        if let Ok(url) = std::env::var("KYC_SANDBOX_TEST_POSTGRES") {
            return Some(Self::external(&url));
        }
        let Some(bin) = server_bin() else {
            return unavailable("no PostgreSQL server binaries in /usr/lib/postgresql");
        };
        let dir = tempfile::tempdir().expect("a temporary directory");
        let as_postgres = is_root();
        if as_postgres {
            let ok = Command::new("chown")
                .args(["-R", "postgres:postgres"])
                .arg(dir.path())
                .status()
                .is_ok_and(|s| s.success());
            if !ok {
                return unavailable("cannot hand a directory to the postgres user");
            }
        }
        let cluster = Cluster {
            bin,
            dir,
            port: free_port(),
            as_postgres,
        };
        let init = cluster
            .command("initdb")
            .args(["-A", "trust", "-U", "postgres", "-E", "UTF8", "-D"])
            .arg(cluster.data())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        if !init {
            return unavailable("initdb failed");
        }
        if !cluster.start() {
            let log =
                std::fs::read_to_string(cluster.dir.path().join("server.log")).unwrap_or_default();
            panic!("the test cluster did not start:\n{log}");
        }
        Some(Postgres {
            url: format!("postgres://postgres@127.0.0.1:{}/postgres", cluster.port),
            cluster: Some(cluster),
            external: None,
        })
    }

    fn external(url: &str) -> Postgres {
        let name = format!("kyc_test_{}", uuid::Uuid::new_v4().simple());
        admin_sql(url, &format!("CREATE DATABASE {name}"));
        let (base, _) = url.rsplit_once('/').expect("a URL with a database");
        Postgres {
            url: format!("{base}/{name}"),
            cluster: None,
            external: Some((url.to_owned(), name)),
        }
    }

    /// Stops the database abruptly (the sandbox sees its connections die).
    pub(crate) fn stop(&self) {
        let c = self
            .cluster
            .as_ref()
            .expect("a cluster these tests started");
        assert!(c.pg_ctl(&["-m", "immediate", "-w", "stop"]), "pg_ctl stop");
    }

    /// Starts it again on the same port with the same data.
    pub(crate) fn restart(&self) {
        let c = self
            .cluster
            .as_ref()
            .expect("a cluster these tests started");
        assert!(c.start(), "pg_ctl start");
    }

    /// Runs SQL on the test database (to lay it out as an older version
    /// of the sandbox left it).
    pub(crate) fn sql(&self, sql: &str) {
        admin_sql(&self.url, sql);
    }

    /// Whether the database can be stopped and started by the test.
    pub(crate) fn controllable(&self) -> bool {
        self.cluster.is_some()
    }
}

impl Drop for Postgres {
    fn drop(&mut self) {
        if let Some((url, name)) = self.external.take() {
            admin_sql(
                &url,
                &format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"),
            );
        }
    }
}

/// Runs one statement on the server `url` names (database setup only).
fn admin_sql(url: &str, sql: &str) {
    let url = url.to_owned();
    let sql = sql.to_owned();
    std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("a runtime");
        rt.block_on(async {
            let (client, conn) = tokio_postgres::connect(&url, tokio_postgres::NoTls)
                .await
                .expect("connect to KYC_SANDBOX_TEST_POSTGRES");
            tokio::spawn(conn);
            client.batch_execute(&sql).await.expect(&sql);
        });
    })
    .join()
    .expect("the setup thread");
}
