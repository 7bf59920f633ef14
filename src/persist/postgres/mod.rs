//! The PostgreSQL backend: one database shared by every replica.
//!
//! Startup (connect, migrate, load every record) runs on a thread of its
//! own, since it is called before the server runs; afterwards the
//! connections live on the server's runtime ([`Postgres::start`]), so a
//! request and the commit it waits for never hand over between threads.
//! Three connections: the writer ([`writer`]: group commit, `NOTIFY`),
//! the reader ([`sync`]: other replicas' changes, `LISTEN`) and the
//! leader's lock ([`lease`]). Each reconnects after the database comes
//! back.

mod lease;
mod schema;
mod sync;
mod writer;

use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tokio::sync::{mpsc, oneshot, watch};
use tokio_postgres::NoTls;

use super::own::{Key, OwnWrites};
use super::{Ack, CommitError, Fetched, Job, Record, StoreStatus, lock};
use writer::Conn;

/// How long one commit or read may take before it counts as failed.
const IO_TIMEOUT: Duration = Duration::from_secs(5);

/// How long connecting may take.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(3);

/// Most batches one transaction groups.
const GROUP_MAX: usize = 1024;

/// Records as stored now, each with its sequence number, in the order
/// asked (`None`: not stored).
pub(super) type Found = Vec<Option<(Record, i64)>>;

/// What the reader is asked.
pub(super) enum Request {
    /// Other replicas' changes after a sequence number.
    Since(i64, oneshot::Sender<Result<Fetched, String>>),
    /// Records as stored now, each with its sequence number, in the
    /// order asked (`None`: not stored).
    Records {
        keys: Vec<Key>,
        reply: oneshot::Sender<Result<Found, String>>,
    },
}

/// The handle the rest of the sandbox holds.
pub(super) struct Postgres {
    jobs: Mutex<Option<mpsc::UnboundedSender<Job>>>,
    reads: Mutex<Option<mpsc::UnboundedSender<Request>>>,
    /// The newest change sequence number announced by `NOTIFY`.
    pub(super) announced: watch::Receiver<i64>,
    /// Whether this replica is the leader.
    pub(super) leader: watch::Receiver<bool>,
    /// The change sequence number this replica has applied up to.
    pub(super) applied: AtomicI64,
    /// This replica's recent writes, which fetched changes are weighed
    /// against.
    pub(super) own: Arc<OwnWrites>,
    /// What the connections' tasks take when they start.
    idle: Mutex<Option<Loops>>,
}

/// The ends of the channels and the settings the connections' tasks run
/// with, held from startup until [`Postgres::start`].
struct Loops {
    config: tokio_postgres::Config,
    jobs: mpsc::UnboundedReceiver<Job>,
    reads: mpsc::UnboundedReceiver<Request>,
    origin: String,
    announce: watch::Sender<i64>,
    leader: watch::Sender<bool>,
    status: Arc<Mutex<StoreStatus>>,
    /// How many sequence numbers the log of removals spans.
    log_keep: i64,
}

impl Postgres {
    /// Queues a batch for the writer; its changes are this replica's own
    /// until the commit answers.
    pub(super) fn submit(&self, changes: Vec<super::Change>) -> Ack {
        let (done, rx) = oneshot::channel();
        self.own.submitted(&changes);
        let sent = match lock(&self.jobs).as_ref() {
            Some(tx) => tx.send((changes, done)).map_err(|e| e.0),
            None => Err((changes, done)),
        };
        if let Err((changes, done)) = sent {
            self.own.finished(&changes, None);
            let _ = done.send(Err(CommitError("the store writer stopped".into())));
        }
        Ack::one(rx)
    }

    /// What other replicas changed since `since`.
    pub(super) async fn fetch(&self, since: i64) -> Result<Fetched, String> {
        let (tx, rx) = oneshot::channel();
        self.ask(Request::Since(since, tx))?;
        rx.await
            .unwrap_or_else(|_| Err("the store reader stopped".into()))
    }

    /// Records as stored now, each with its sequence number, in one
    /// round trip.
    pub(super) async fn read(&self, keys: Vec<Key>) -> Result<Found, String> {
        let (tx, rx) = oneshot::channel();
        self.ask(Request::Records { keys, reply: tx })?;
        rx.await
            .unwrap_or_else(|_| Err("the store reader stopped".into()))
    }

    fn ask(&self, request: Request) -> Result<(), String> {
        let sent = lock(&self.reads)
            .as_ref()
            .is_some_and(|r| r.send(request).is_ok());
        if sent {
            Ok(())
        } else {
            Err("the store reader stopped".into())
        }
    }
}

impl Postgres {
    /// Starts the writer, the reader and the leadership task on `set`
    /// (once; dropping the set stops them). Batches submitted before wait
    /// in their channel.
    pub(super) fn start(&self, set: &mut tokio::task::JoinSet<()>) {
        let Some(l) = lock(&self.idle).take() else {
            return;
        };
        set.spawn(sync::serve(
            l.config.clone(),
            l.reads,
            l.origin.clone(),
            l.announce,
            l.status.clone(),
        ));
        set.spawn(lease::run(l.config.clone(), l.leader));
        set.spawn(write_loop(
            l.config,
            l.jobs,
            l.status,
            l.origin,
            l.log_keep,
            self.own.clone(),
        ));
    }
}

impl Drop for Postgres {
    fn drop(&mut self) {
        lock(&self.jobs).take();
        lock(&self.reads).take();
    }
}

/// `postgres://user@host:port/db`, without the password.
pub(super) fn display(url: &str) -> String {
    match url.parse::<tokio_postgres::Config>() {
        Ok(c) => {
            let host = c
                .get_hosts()
                .first()
                .map(|h| match h {
                    tokio_postgres::config::Host::Tcp(h) => h.clone(),
                    tokio_postgres::config::Host::Unix(p) => p.display().to_string(),
                })
                .unwrap_or_default();
            let port = c.get_ports().first().copied().unwrap_or(5432);
            format!(
                "postgres://{}@{host}:{port}/{}",
                c.get_user().unwrap_or(""),
                c.get_dbname().unwrap_or("")
            )
        }
        Err(_) => "postgres://…".into(),
    }
}

fn describe(e: &tokio_postgres::Error) -> String {
    match e.as_db_error() {
        Some(db) => format!("{} ({})", db.message(), db.code().code()),
        None => {
            let mut s = e.to_string();
            let mut src = std::error::Error::source(e);
            while let Some(inner) = src {
                s.push_str(": ");
                s.push_str(&inner.to_string());
                src = inner.source();
            }
            s
        }
    }
}

async fn connect(
    config: &tokio_postgres::Config,
) -> Result<
    (
        tokio_postgres::Client,
        tokio_postgres::Connection<tokio_postgres::Socket, tokio_postgres::tls::NoTlsStream>,
    ),
    String,
> {
    match tokio::time::timeout(CONNECT_TIMEOUT, config.connect(NoTls)).await {
        Ok(Ok(pair)) => Ok(pair),
        Ok(Err(e)) => Err(describe(&e)),
        Err(_) => Err("connecting timed out".into()),
    }
}

/// A client whose connection runs in the background.
async fn connect_client(config: &tokio_postgres::Config) -> Result<tokio_postgres::Client, String> {
    let (client, connection) = connect(config).await?;
    tokio::spawn(async move {
        let _ = connection.await;
    });
    Ok(client)
}

/// Connects the writer (the schema exists).
async fn connect_writer(config: &tokio_postgres::Config, log_keep: i64) -> Result<Conn, String> {
    let client = connect_client(config).await?;
    Conn::prepare(client, log_keep)
        .await
        .map_err(|e| describe(&e))
}

/// Connects (waiting up to `wait` for the database), migrates and loads
/// every record. Every refusal is one line naming the database and the
/// problem.
pub(super) fn open(
    url: &str,
    wait: Duration,
    log_keep: i64,
    status: Arc<Mutex<StoreStatus>>,
) -> Result<(Postgres, Vec<Record>), String> {
    let name = display(url);
    let fail = |why: String| format!("{name}: {why}");
    let mut config: tokio_postgres::Config = url
        .parse()
        .map_err(|e: tokio_postgres::Error| fail(format!("is not a connection URL: {e}")))?;
    config.application_name("kyc-sandbox");
    config.connect_timeout(CONNECT_TIMEOUT);
    let startup = config.clone();
    let loaded = std::thread::Builder::new()
        .name("kyc-sandbox-postgres".into())
        .spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .map_err(|e| format!("cannot start its runtime: {e}"))?;
            runtime.block_on(load(&startup, wait))
        })
        .map_err(|e| fail(format!("cannot start the store thread: {e}")))?
        .join()
        .map_err(|_| fail("the store thread stopped".into()))?;
    let (records, head) = loaded.map_err(fail)?;
    lock(&status).connected = Some(true);
    let (jobs_tx, jobs) = mpsc::unbounded_channel::<Job>();
    let (reads_tx, reads) = mpsc::unbounded_channel::<Request>();
    let (announce, announced) = watch::channel(0i64);
    let (leader_tx, leader) = watch::channel(false);
    Ok((
        Postgres {
            jobs: Mutex::new(Some(jobs_tx)),
            reads: Mutex::new(Some(reads_tx)),
            announced,
            leader,
            applied: AtomicI64::new(head),
            own: Arc::default(),
            idle: Mutex::new(Some(Loops {
                config,
                jobs,
                reads,
                origin: uuid::Uuid::new_v4().simple().to_string(),
                announce,
                leader: leader_tx,
                status,
                log_keep,
            })),
        },
        records,
    ))
}

/// Connects (retrying until `wait` has passed), migrates and reads every
/// record with the change sequence number they reflect.
async fn load(
    config: &tokio_postgres::Config,
    wait: Duration,
) -> Result<(Vec<Record>, i64), String> {
    let deadline = Instant::now() + wait;
    let mut client = loop {
        match connect_client(config).await {
            Ok(c) => break c,
            Err(e) if Instant::now() >= deadline => {
                return Err(format!("cannot connect (waited {} s): {e}", wait.as_secs()));
            }
            Err(_) => tokio::time::sleep(Duration::from_millis(250)).await,
        }
    };
    schema::migrate(&mut client).await?;
    sync::load(&mut client)
        .await
        .map_err(|e| format!("cannot be read: {}", describe(&e)))
}

impl Postgres {
    pub(super) fn applied(&self) -> i64 {
        self.applied.load(Ordering::Acquire)
    }
}

/// Waits for batches, takes whatever else is queued, commits them as one
/// transaction and answers each. A lost connection fails the batches in
/// hand (their requests answer 503) and is re-established for the next.
async fn write_loop(
    config: tokio_postgres::Config,
    mut rx: mpsc::UnboundedReceiver<Job>,
    status: Arc<Mutex<StoreStatus>>,
    origin: String,
    log_keep: i64,
    own: Arc<OwnWrites>,
) {
    let mut conn: Option<Conn> = None;
    while let Some(job) = rx.recv().await {
        let mut jobs = vec![job];
        while jobs.len() < GROUP_MAX {
            match rx.try_recv() {
                Ok(job) => jobs.push(job),
                Err(_) => break,
            }
        }
        if conn.as_ref().is_none_or(|c| c.client.is_closed()) {
            conn = match connect_writer(&config, log_keep).await {
                Ok(c) => Some(c),
                Err(e) => {
                    let mut s = lock(&status);
                    s.connected = Some(false);
                    s.last_error = Some(e);
                    None
                }
            };
        }
        let mut lost = Vec::new();
        let result = match conn.as_mut() {
            None => Err(CommitError("the database is unreachable".into())),
            Some(c) => match tokio::time::timeout(IO_TIMEOUT, async {
                c.begin().await?;
                // What arrived while another replica held the lock joins.
                while jobs.len() < GROUP_MAX {
                    match rx.try_recv() {
                        Ok(job) => jobs.push(job),
                        Err(_) => break,
                    }
                }
                c.commit(jobs.iter().map(|(changes, _)| changes.as_slice()), &origin)
                    .await
            })
            .await
            {
                Ok(Ok(l)) => {
                    lost = l;
                    Ok(())
                }
                Ok(Err(e)) => Err(CommitError(describe(&e))),
                Err(_) => {
                    // The connection is in an unknown state: start afresh.
                    conn = None;
                    Err(CommitError("the database did not answer in time".into()))
                }
            },
        };
        {
            let mut s = lock(&status);
            match &result {
                Ok(()) => {
                    s.commits += 1;
                    s.connected = Some(true);
                }
                Err(e) => {
                    tracing::error!(error = %e.0, "the store could not commit");
                    s.last_error = Some(e.0.clone());
                    if conn.as_ref().is_none_or(|c| c.client.is_closed()) {
                        s.connected = Some(false);
                    }
                }
            }
        }
        // Marked before anyone is answered: the request a client sends
        // next must find this commit's versions.
        let head = conn.as_ref().map_or(0, |c| c.head);
        for (i, (changes, done)) in jobs.into_iter().enumerate() {
            let answer = if result.is_ok() && lost.contains(&i) {
                Err(CommitError::conflict())
            } else {
                result.clone()
            };
            own.finished(&changes, answer.is_ok().then_some(head));
            let _ = done.send(answer);
        }
    }
}
