//! The PostgreSQL writer: whatever batches arrive while the previous
//! commit runs become one transaction, acknowledged only after `COMMIT`.
//!
//! Every commit first takes one transaction-scoped advisory lock, so
//! commits of all replicas are serialised: change sequence numbers become
//! visible in order, and a replica reading the change log never skips a
//! change that commits later with a smaller number. Consecutive puts go in
//! one statement (arrays unnested into the change log and the records).

use std::collections::HashSet;

use tokio_postgres::{Client, Statement};

use super::super::{Change, Record};

/// The advisory lock every commit holds ("kycs" + 2).
const WRITE_LOCK: i64 = 0x6B79_6373_0002;

/// The change log keeps at least this many changes; replicas further
/// behind reload everything.
pub(super) const CHANGES_KEPT: i64 = 100_000;

/// A connection with the statements a commit uses, prepared once.
pub(super) struct Conn {
    pub(super) client: Client,
    lock: Statement,
    puts: Statement,
    delete: Statement,
    delete_owned: Statement,
    reset_tenant: Statement,
    reset_all: Statement,
    notify: Statement,
    consume: Statement,
    consume_last: Statement,
    trim: Statement,
    /// The head the change log was last trimmed at.
    trimmed: i64,
}

impl Conn {
    pub(super) async fn prepare(client: Client) -> Result<Conn, tokio_postgres::Error> {
        Ok(Conn {
            lock: client.prepare("SELECT pg_advisory_xact_lock($1)").await?,
            puts: client
                .prepare(
                    "WITH u AS (
                        SELECT u.*, nextval('kyc_changes_seq_seq') AS seq
                        FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::bytea[], $6::bytea[])
                            WITH ORDINALITY AS u(tenant, kind, id, owner, body, data, n)
                        ORDER BY n
                    ), c AS (
                        INSERT INTO kyc_changes (seq, tenant, kind, id, op, origin)
                        SELECT seq, tenant, kind, id, 'put', $7 FROM u
                    )
                    INSERT INTO kyc_records (tenant, kind, id, owner, body, data, pos, seq, origin)
                    SELECT tenant, kind, id, owner, body, data, seq, seq, $7 FROM u
                    ON CONFLICT (tenant, kind, id) DO UPDATE
                    SET owner = EXCLUDED.owner, body = EXCLUDED.body, data = EXCLUDED.data,
                        seq = EXCLUDED.seq, origin = EXCLUDED.origin",
                )
                .await?,
            delete: client
                .prepare(
                    "WITH d AS (DELETE FROM kyc_records WHERE tenant = $1 AND kind = $2 AND id = $3)
                     INSERT INTO kyc_changes (tenant, kind, id, op, origin) VALUES ($1, $2, $3, 'delete', $4)",
                )
                .await?,
            delete_owned: client
                .prepare(
                    "WITH d AS (
                        DELETE FROM kyc_records WHERE tenant = $1 AND kind = $2 AND owner = $3
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
                    "SELECT pg_notify('kyc_changes', max(seq)::text), max(seq) FROM kyc_changes",
                )
                .await?,
            consume: client
                .prepare(
                    "WITH u AS (
                        UPDATE kyc_records
                        SET body = $5, seq = nextval('kyc_changes_seq_seq'), origin = $6
                        WHERE tenant = $1 AND kind = $2 AND id = $3
                          AND (convert_from(body, 'UTF8')::jsonb ->> 'remaining')::bigint = $4
                        RETURNING seq, tenant, kind, id
                    )
                    INSERT INTO kyc_changes (seq, tenant, kind, id, op, origin)
                    SELECT seq, tenant, kind, id, 'put', $6 FROM u",
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
                .prepare("DELETE FROM kyc_changes WHERE seq < $1")
                .await?,
            client,
            trimmed: 0,
        })
    }

    /// Commits every change of `groups`, in order, as one transaction;
    /// answers the groups whose [`Change::Consume`] lost its race (their
    /// other changes are kept out: a consuming batch holds nothing else).
    pub(super) async fn commit<'a>(
        &mut self,
        groups: impl Iterator<Item = &'a [Change]>,
        origin: &str,
    ) -> Result<Vec<usize>, tokio_postgres::Error> {
        let mut lost = Vec::new();
        let tx = self.client.transaction().await?;
        tx.execute(&self.lock, &[&WRITE_LOCK]).await?;
        let mut run: Vec<&Record> = Vec::new();
        let mut keys: HashSet<(&str, &str, &str)> = HashSet::new();
        macro_rules! flush {
            () => {
                if !run.is_empty() {
                    let tenants: Vec<&str> = run.iter().map(|r| r.tenant.as_str()).collect();
                    let kinds: Vec<&str> = run.iter().map(|r| r.kind.as_str()).collect();
                    let ids: Vec<&str> = run.iter().map(|r| r.id.as_str()).collect();
                    let owners: Vec<Option<&str>> =
                        run.iter().map(|r| r.owner.as_deref()).collect();
                    let bodies: Vec<&[u8]> = run.iter().map(|r| r.body.as_slice()).collect();
                    let data: Vec<Option<&[u8]>> = run.iter().map(|r| r.data.as_deref()).collect();
                    tx.execute(
                        &self.puts,
                        &[&tenants, &kinds, &ids, &owners, &bodies, &data, &origin],
                    )
                    .await?;
                    run.clear();
                    keys.clear();
                }
            };
        }
        for (group, changes) in groups.enumerate() {
            for change in changes {
                match change {
                    Change::Put(r) => {
                        // One statement cannot write a row twice.
                        if !keys.insert((&r.tenant, &r.kind, &r.id)) {
                            flush!();
                            keys.insert((&r.tenant, &r.kind, &r.id));
                        }
                        run.push(r);
                    }
                    Change::Delete { tenant, kind, id } => {
                        flush!();
                        tx.execute(&self.delete, &[tenant, kind, id, &origin])
                            .await?;
                    }
                    Change::DeleteOwned {
                        tenant,
                        kind,
                        owner,
                    } => {
                        flush!();
                        tx.execute(&self.delete_owned, &[tenant, kind, owner, &origin])
                            .await?;
                    }
                    Change::Consume {
                        tenant,
                        kind,
                        id,
                        before,
                        after,
                    } => {
                        flush!();
                        let before = i64::from(*before);
                        let n = match after {
                            Some(r) => {
                                tx.execute(
                                    &self.consume,
                                    &[tenant, kind, id, &before, &r.body, &origin],
                                )
                                .await?
                            }
                            None => {
                                tx.execute(
                                    &self.consume_last,
                                    &[tenant, kind, id, &before, &origin],
                                )
                                .await?
                            }
                        };
                        if n == 0 {
                            lost.push(group);
                        }
                    }
                    Change::DeleteTenant(tenant) => {
                        flush!();
                        tx.execute(&self.reset_tenant, &[tenant, &origin]).await?;
                    }
                    Change::DeleteAll => {
                        flush!();
                        tx.execute(&self.reset_all, &[&origin]).await?;
                    }
                }
            }
        }
        flush!();
        let head: Option<i64> = tx.query_one(&self.notify, &[]).await?.get(1);
        let head = head.unwrap_or(0);
        // The log stays bounded; a replica further behind reloads everything.
        let trim = head > CHANGES_KEPT && head - self.trimmed > CHANGES_KEPT / 16;
        if trim {
            tx.execute(&self.trim, &[&(head - CHANGES_KEPT)]).await?;
        }
        tx.commit().await?;
        if trim {
            self.trimmed = head;
        }
        Ok(lost)
    }
}
