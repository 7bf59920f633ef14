//! The PostgreSQL writer: whatever batches arrive while the previous
//! commit runs become one transaction, acknowledged only after `COMMIT`.
//!
//! Every commit first takes one transaction-scoped advisory lock, so
//! commits of all replicas are serialised: change sequence numbers become
//! visible in order, and a replica reading the change log never skips a
//! change that commits later with a smaller number.
//!
//! A commit costs two round trips: `BEGIN` with the lock, then the
//! statements and `COMMIT` sent together (pipelined), their answers read
//! after. Batches that arrive while the lock is awaited join the group.
//! Puts and deletes of distinct records go in one statement (arrays
//! unnested into the records, deletes logged); a record written twice
//! in one group, and the changes that are not about one record, start the
//! next statement, so the order of changes to each record is kept.

use std::collections::HashSet;
use std::future::Future;
use std::pin::Pin;
use std::task::Poll;

use futures_util::future::{MaybeDone, maybe_done};
use tokio_postgres::{Client, Statement};

use super::super::{Change, Record};

/// The advisory lock every commit holds ("kycs" + 2).
const WRITE_LOCK: i64 = 0x6B79_6373_0002;

/// A connection with the statements a commit uses, prepared once.
pub(super) struct Conn {
    pub(super) client: Client,
    lock: Statement,
    apply: Statement,
    delete_owned: Statement,
    reset_tenant: Statement,
    reset_all: Statement,
    notify: Statement,
    consume: Statement,
    consume_last: Statement,
    trim: Statement,
    /// The newest change sequence number this connection committed.
    pub(super) head: i64,
    /// The head the change log was last trimmed at.
    trimmed: i64,
    /// How many sequence numbers the log of removals spans; replicas
    /// further behind reload everything.
    keep: i64,
}

/// Puts and deletes of distinct records, as the `apply` statement's arrays.
#[derive(Default)]
struct Run<'a> {
    ops: Vec<&'static str>,
    tenants: Vec<&'a str>,
    kinds: Vec<&'a str>,
    ids: Vec<&'a str>,
    owners: Vec<Option<&'a str>>,
    bodies: Vec<Option<&'a [u8]>>,
    data: Vec<Option<&'a [u8]>>,
    keys: HashSet<(&'a str, &'a str, &'a str)>,
}

impl<'a> Run<'a> {
    /// Adds one change; false (and nothing added) when the run already
    /// writes that record.
    fn add(
        &mut self,
        op: &'static str,
        key: (&'a str, &'a str, &'a str),
        r: Option<&'a Record>,
    ) -> bool {
        if !self.keys.insert(key) {
            return false;
        }
        self.ops.push(op);
        self.tenants.push(key.0);
        self.kinds.push(key.1);
        self.ids.push(key.2);
        self.owners.push(r.and_then(|r| r.owner.as_deref()));
        self.bodies.push(r.map(|r| r.body.as_slice()));
        self.data.push(r.and_then(|r| r.data.as_deref()));
        true
    }
}

/// One statement of a commit, with what it binds.
enum Step<'a> {
    Apply(Run<'a>),
    DeleteOwned(&'a str, &'a str, &'a str),
    /// A countdown use: the group it belongs to, and its parameters.
    Consume {
        group: usize,
        key: (&'a str, &'a str, &'a str),
        before: i64,
        after: Option<&'a [u8]>,
    },
    ResetTenant(&'a str),
    ResetAll,
}

/// What one pipelined statement answered.
enum Out {
    Done,
    Rows(u64),
    Head(i64),
}

type Pending<'a> = Pin<Box<dyn Future<Output = Result<Out, tokio_postgres::Error>> + Send + 'a>>;

/// Sends every statement in order before waiting for any answer (each
/// future sends its statement when first polled), then answers them in
/// the same order.
async fn pipeline(statements: Vec<Pending<'_>>) -> Vec<Result<Out, tokio_postgres::Error>> {
    let mut slots: Vec<MaybeDone<Pending<'_>>> = statements.into_iter().map(maybe_done).collect();
    std::future::poll_fn(|cx| {
        let mut done = true;
        for slot in &mut slots {
            done &= Pin::new(slot).poll(cx).is_ready();
        }
        if done { Poll::Ready(()) } else { Poll::Pending }
    })
    .await;
    slots
        .iter_mut()
        .map(|s| Pin::new(s).take_output().unwrap_or(Ok(Out::Done)))
        .collect()
}

impl Conn {
    pub(super) async fn prepare(client: Client, keep: i64) -> Result<Conn, tokio_postgres::Error> {
        Ok(Conn {
            lock: client.prepare("SELECT pg_advisory_xact_lock($1)").await?,
            apply: client
                .prepare(
                    "WITH u AS (
                        SELECT u.*, nextval('kyc_changes_seq_seq') AS seq
                        FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[],
                                    $6::bytea[], $7::bytea[])
                            WITH ORDINALITY AS u(op, tenant, kind, id, owner, body, data, n)
                        ORDER BY n
                    ), c AS (
                        INSERT INTO kyc_changes (seq, tenant, kind, id, op, origin)
                        SELECT seq, tenant, kind, id, op, $8 FROM u WHERE op = 'delete'
                    ), d AS (
                        DELETE FROM kyc_records r USING u
                        WHERE u.op = 'delete' AND r.tenant = u.tenant AND r.kind = u.kind AND r.id = u.id
                    )
                    INSERT INTO kyc_records (tenant, kind, id, owner, body, data, pos, seq, origin)
                    SELECT tenant, kind, id, owner, body, data, seq, seq, $8 FROM u WHERE op = 'put'
                    ON CONFLICT (tenant, kind, id) DO UPDATE
                    SET owner = EXCLUDED.owner, body = EXCLUDED.body, data = EXCLUDED.data,
                        seq = EXCLUDED.seq, origin = EXCLUDED.origin",
                )
                .await?,
            delete_owned: client
                .prepare(
                    "WITH d AS (
                        DELETE FROM kyc_records
                        WHERE tenant = $1 AND kind = $2 AND owner = $3 AND data IS NOT NULL
                        RETURNING tenant, kind, id
                    )
                    INSERT INTO kyc_changes (tenant, kind, id, op, origin)
                    SELECT tenant, kind, id, 'delete', $4 FROM d",
                )
                .await?,
            reset_tenant: client
                .prepare(
                    "WITH d AS (DELETE FROM kyc_records WHERE tenant = $1)
                     INSERT INTO kyc_changes (tenant, op, origin) VALUES ($1, 'reset', $2)",
                )
                .await?,
            reset_all: client
                .prepare(
                    "WITH d AS (DELETE FROM kyc_records)
                     INSERT INTO kyc_changes (op, origin) VALUES ('reset_all', $1)",
                )
                .await?,
            notify: client
                .prepare(
                    "SELECT pg_notify('kyc_changes', head::text), head FROM (SELECT greatest(
                        (SELECT coalesce(max(seq), 0) FROM kyc_records),
                        (SELECT coalesce(max(seq), 0) FROM kyc_changes)
                    ) AS head) h",
                )
                .await?,
            consume: client
                .prepare(
                    "UPDATE kyc_records
                    SET body = $5, seq = nextval('kyc_changes_seq_seq'), origin = $6
                    WHERE tenant = $1 AND kind = $2 AND id = $3
                      AND (convert_from(body, 'UTF8')::jsonb ->> 'remaining')::bigint = $4",
                )
                .await?,
            consume_last: client
                .prepare(
                    "WITH d AS (
                        DELETE FROM kyc_records
                        WHERE tenant = $1 AND kind = $2 AND id = $3
                          AND (convert_from(body, 'UTF8')::jsonb ->> 'remaining')::bigint = $4
                        RETURNING tenant, kind, id
                    )
                    INSERT INTO kyc_changes (tenant, kind, id, op, origin)
                    SELECT tenant, kind, id, 'delete', $5 FROM d",
                )
                .await?,
            trim: client
                .prepare(
                    "WITH d AS (DELETE FROM kyc_changes WHERE seq < $1)
                     UPDATE kyc_log_floor SET below = greatest(below, $1)",
                )
                .await?,
            client,
            head: 0,
            trimmed: 0,
            keep,
        })
    }

    /// Opens the transaction and waits for the lock every commit holds
    /// (while another replica commits, this one's batches keep arriving
    /// and join the group: see [`Conn::commit`]).
    pub(super) async fn begin(&mut self) -> Result<(), tokio_postgres::Error> {
        let c = &self.client;
        let lock = &self.lock;
        let answers = pipeline(vec![
            Box::pin(async move { c.batch_execute("BEGIN").await.map(|()| Out::Done) }),
            Box::pin(async move { c.execute(lock, &[&WRITE_LOCK]).await.map(Out::Rows) }),
        ])
        .await;
        for answer in answers {
            if let Err(e) = answer {
                let _ = c.batch_execute("ROLLBACK").await;
                return Err(e);
            }
        }
        Ok(())
    }

    /// Commits every change of `groups`, in order, in the transaction
    /// [`Conn::begin`] opened; answers the groups whose
    /// [`Change::Consume`] lost its race (their other changes are kept
    /// out: a consuming batch holds nothing else).
    pub(super) async fn commit<'a>(
        &mut self,
        groups: impl Iterator<Item = &'a [Change]>,
        origin: &str,
    ) -> Result<Vec<usize>, tokio_postgres::Error> {
        let steps = plan(groups);
        // The log stays bounded; a replica further behind reloads
        // everything. Trimmed from the head the last commit reached.
        let keep = self.keep;
        let trim_below =
            (self.head > keep && self.head - self.trimmed > keep / 16).then_some(self.head - keep);
        let this = &*self;
        let c = &this.client;
        let mut sent: Vec<Pending<'_>> = Vec::with_capacity(steps.len() + 3);
        for step in &steps {
            sent.push(match step {
                Step::Apply(run) => Box::pin(async move {
                    c.execute(
                        &this.apply,
                        &[
                            &run.ops,
                            &run.tenants,
                            &run.kinds,
                            &run.ids,
                            &run.owners,
                            &run.bodies,
                            &run.data,
                            &origin,
                        ],
                    )
                    .await
                    .map(Out::Rows)
                }),
                Step::DeleteOwned(tenant, kind, owner) => Box::pin(async move {
                    c.execute(&this.delete_owned, &[tenant, kind, owner, &origin])
                        .await
                        .map(Out::Rows)
                }),
                Step::Consume {
                    key: (tenant, kind, id),
                    before,
                    after,
                    ..
                } => Box::pin(async move {
                    match after {
                        Some(body) => {
                            c.execute(&this.consume, &[tenant, kind, id, before, body, &origin])
                                .await
                        }
                        None => {
                            c.execute(&this.consume_last, &[tenant, kind, id, before, &origin])
                                .await
                        }
                    }
                    .map(Out::Rows)
                }),
                Step::ResetTenant(tenant) => Box::pin(async move {
                    c.execute(&this.reset_tenant, &[tenant, &origin])
                        .await
                        .map(Out::Rows)
                }),
                Step::ResetAll => {
                    Box::pin(
                        async move { c.execute(&this.reset_all, &[&origin]).await.map(Out::Rows) },
                    )
                }
            });
        }
        sent.push(Box::pin(async move {
            c.query_one(&this.notify, &[])
                .await
                .map(|row| Out::Head(row.get(1)))
        }));
        if let Some(below) = trim_below {
            sent.push(Box::pin(async move {
                c.execute(&this.trim, &[&below]).await.map(Out::Rows)
            }));
        }
        // A failed statement aborts the transaction: `COMMIT` then rolls
        // it back and the connection is ready for the next commit.
        sent.push(Box::pin(async move {
            c.batch_execute("COMMIT").await.map(|()| Out::Done)
        }));
        let answers = pipeline(sent).await;
        let mut lost = Vec::new();
        let mut head = self.head;
        // The steps come first, in order.
        for (i, answer) in answers.into_iter().enumerate() {
            match answer? {
                Out::Rows(0) => {
                    if let Some(Step::Consume { group, .. }) = steps.get(i) {
                        lost.push(*group);
                    }
                }
                Out::Head(h) => head = h,
                Out::Rows(_) | Out::Done => {}
            }
        }
        self.head = head;
        if let Some(below) = trim_below {
            self.trimmed = below + keep;
        }
        Ok(lost)
    }
}

/// The statements that commit `groups`, in order.
fn plan<'a>(groups: impl Iterator<Item = &'a [Change]>) -> Vec<Step<'a>> {
    let mut steps = Vec::new();
    let mut run = Run::default();
    let flush = |run: &mut Run<'a>, steps: &mut Vec<Step<'a>>| {
        if !run.ops.is_empty() {
            steps.push(Step::Apply(std::mem::take(run)));
        }
    };
    for (group, changes) in groups.enumerate() {
        for change in changes {
            match change {
                Change::Put(r) => {
                    let key = (r.tenant.as_str(), r.kind.as_str(), r.id.as_str());
                    if !run.add("put", key, Some(r)) {
                        flush(&mut run, &mut steps);
                        run.add("put", key, Some(r));
                    }
                }
                Change::Delete { tenant, kind, id } => {
                    let key = (tenant.as_str(), *kind, id.as_str());
                    if !run.add("delete", key, None) {
                        flush(&mut run, &mut steps);
                        run.add("delete", key, None);
                    }
                }
                Change::DeleteOwned {
                    tenant,
                    kind,
                    owner,
                } => {
                    flush(&mut run, &mut steps);
                    steps.push(Step::DeleteOwned(tenant, kind, owner));
                }
                Change::Consume {
                    tenant,
                    kind,
                    id,
                    before,
                    after,
                } => {
                    flush(&mut run, &mut steps);
                    steps.push(Step::Consume {
                        group,
                        key: (tenant, kind, id),
                        before: i64::from(*before),
                        after: after.as_ref().map(|r| r.body.as_slice()),
                    });
                }
                Change::DeleteTenant(tenant) => {
                    flush(&mut run, &mut steps);
                    steps.push(Step::ResetTenant(tenant));
                }
                Change::DeleteAll => {
                    flush(&mut run, &mut steps);
                    steps.push(Step::ResetAll);
                }
            }
        }
    }
    flush(&mut run, &mut steps);
    steps
}
