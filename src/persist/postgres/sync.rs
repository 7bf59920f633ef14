//! Reading what other replicas wrote: every record at startup ([`load`]),
//! then the change log since the last change this replica applied
//! ([`serve`]), woken by `NOTIFY` between requests.

use axum::body::Bytes;
use futures_util::StreamExt;
use tokio::sync::{mpsc, watch};
use tokio_postgres::{AsyncMessage, Client, IsolationLevel, Row, Statement};

use std::sync::{Arc, Mutex};

use super::super::{Applied, Fetched, Record, StoreStatus, lock};
use super::{IO_TIMEOUT, Request, connect, describe};

/// Most changes one fetch returns; the next fetch continues.
const FETCH_MAX: i64 = 5_000;

/// The head and the log's floor, and the changes other replicas made after
/// `$1` (up to [`FETCH_MAX`]): records written since, as they are now, and
/// removals logged since; nothing when the log was trimmed past `$1`.
const FETCH: &str = "WITH h AS (
        SELECT greatest(
                 (SELECT coalesce(max(seq), 0) FROM kyc_records),
                 (SELECT coalesce(max(seq), 0) FROM kyc_changes)
               ) AS head,
               (SELECT below FROM kyc_log_floor) AS oldest
     )
     SELECT h.head, h.oldest, c.seq, c.op, c.tenant, c.kind, c.id, c.owner, c.body, c.data
     FROM h
     LEFT JOIN LATERAL (
        (SELECT seq, 'put' AS op, tenant, kind, id, owner, body, data FROM kyc_records
         WHERE seq > $1 AND seq <= h.head AND origin <> $2 AND h.oldest <= $1 + 1)
        UNION ALL
        (SELECT seq, op, tenant, kind, id, NULL::text, NULL::bytea, NULL::bytea FROM kyc_changes
         WHERE seq > $1 AND seq <= h.head AND origin <> $2 AND h.oldest <= $1 + 1)
        ORDER BY seq
        LIMIT $3
     ) c ON true
     ORDER BY c.seq";

fn record(row: &Row, at: usize) -> Record {
    Record {
        tenant: row.get(at),
        kind: row.get(at + 1),
        id: row.get(at + 2),
        owner: row.get(at + 3),
        body: row.get(at + 4),
        data: row.get::<_, Option<Vec<u8>>>(at + 5).map(Bytes::from),
    }
}

/// Every record, in the order first written, and the change sequence
/// number they reflect (one snapshot). Rows are turned into records as
/// they arrive and sorted here (no index keeps that order).
pub(super) async fn load(client: &mut Client) -> Result<(Vec<Record>, i64), tokio_postgres::Error> {
    let tx = client
        .build_transaction()
        .isolation_level(IsolationLevel::RepeatableRead)
        .read_only(true)
        .start()
        .await?;
    let head: i64 = tx
        .query_one(
            "SELECT greatest(
                (SELECT coalesce(max(seq), 0) FROM kyc_records),
                (SELECT coalesce(max(seq), 0) FROM kyc_changes))",
            &[],
        )
        .await?
        .get(0);
    let rows = tx
        .query_raw(
            "SELECT tenant, kind, id, owner, body, data, pos FROM kyc_records",
            std::iter::empty::<i64>(),
        )
        .await?;
    futures_util::pin_mut!(rows);
    let mut records: Vec<(i64, Record)> = Vec::new();
    while let Some(row) = rows.next().await {
        let row = row?;
        records.push((row.get(6), record(&row, 0)));
    }
    tx.commit().await?;
    records.sort_unstable_by_key(|(pos, _)| *pos);
    Ok((records.into_iter().map(|(_, r)| r).collect(), head))
}

/// Changes other replicas made after `since`: the records they wrote, as
/// they are now (a record written again since is read once, at its newest
/// number), and the removals they logged, in sequence order; or everything
/// when the log of removals no longer reaches back that far.
///
/// One statement, so one round trip and one snapshot: the head, the log's
/// floor and the changes up to the head (commits are serialised, so every
/// change up to the head is visible).
async fn fetch(
    reader: &mut Reader,
    since: i64,
    origin: &str,
) -> Result<Fetched, tokio_postgres::Error> {
    let rows = reader
        .client
        .query(&reader.fetch, &[&since, &origin, &FETCH_MAX])
        .await?;
    let Some(first) = rows.first() else {
        return Ok(Fetched::Changes {
            head: since,
            items: Vec::new(),
            more: false,
        });
    };
    let (head, oldest): (i64, i64) = (first.get(0), first.get(1));
    if head <= since {
        return Ok(Fetched::Changes {
            head: since,
            items: Vec::new(),
            more: false,
        });
    }
    if oldest > since + 1 {
        return reload(&mut reader.client).await;
    }
    let more = rows.len() as i64 == FETCH_MAX;
    let reached = if more {
        rows.last()
            .and_then(|r| r.get::<_, Option<i64>>(2))
            .unwrap_or(head)
    } else {
        head
    };
    let mut items = Vec::with_capacity(rows.len());
    for row in &rows {
        let Some(op) = row.get::<_, Option<&str>>(3) else {
            continue;
        };
        let seq: i64 = row.get::<_, Option<i64>>(2).unwrap_or(head);
        let tenant: Option<String> = row.get(4);
        items.push((
            seq,
            match op {
                "put" => Applied::Put(Record {
                    tenant: tenant.unwrap_or_default(),
                    kind: row.get::<_, Option<String>>(5).unwrap_or_default(),
                    id: row.get::<_, Option<String>>(6).unwrap_or_default(),
                    owner: row.get(7),
                    body: row.get::<_, Option<Vec<u8>>>(8).unwrap_or_default(),
                    data: row.get::<_, Option<Vec<u8>>>(9).map(Bytes::from),
                }),
                "delete" => Applied::Delete {
                    tenant: tenant.unwrap_or_default(),
                    kind: row.get::<_, Option<String>>(5).unwrap_or_default(),
                    id: row.get::<_, Option<String>>(6).unwrap_or_default(),
                },
                "reset" => Applied::Reset {
                    tenant: tenant.unwrap_or_default(),
                    keep: Vec::new(),
                },
                _ => Applied::ResetAll { keep: Vec::new() },
            },
        ));
    }
    Ok(Fetched::Changes {
        head: reached,
        items,
        more,
    })
}

/// Every record and the head they reflect, for a replica the trimmed log
/// no longer reaches.
async fn reload(client: &mut Client) -> Result<Fetched, tokio_postgres::Error> {
    let (records, head) = load(client).await?;
    Ok(Fetched::Reload { head, records })
}

/// Answers fetch requests on its own connection, which also `LISTEN`s for
/// the writers' announcements; reconnects when the database comes back.
pub(super) async fn serve(
    config: tokio_postgres::Config,
    mut requests: mpsc::UnboundedReceiver<Request>,
    origin: String,
    announce: watch::Sender<i64>,
    status: Arc<Mutex<StoreStatus>>,
) {
    let mut client: Option<Reader> = None;
    while let Some(request) = requests.recv().await {
        if client.as_ref().is_none_or(|r| r.client.is_closed()) {
            client = listen(&config, &announce).await.ok();
        }
        let Some(c) = client.as_mut() else {
            lock(&status).connected = Some(false);
            let down = "the database is unreachable".to_owned();
            match request {
                Request::Since(_, reply) => drop(reply.send(Err(down))),
                Request::Records { reply, .. } => drop(reply.send(Err(down))),
            }
            continue;
        };
        let ok = match request {
            Request::Since(since, reply) => {
                let answer = within(fetch(c, since, &origin)).await;
                let ok = answer.is_ok();
                let _ = reply.send(answer);
                ok
            }
            Request::Records { keys, reply } => {
                let answer = within(read_many(c, &keys)).await;
                let ok = answer.is_ok();
                let _ = reply.send(answer);
                ok
            }
        };
        if !ok {
            client = None;
        }
        lock(&status).connected = Some(ok);
    }
}

async fn within<T>(
    f: impl std::future::Future<Output = Result<T, tokio_postgres::Error>>,
) -> Result<T, String> {
    match tokio::time::timeout(IO_TIMEOUT, f).await {
        Ok(Ok(x)) => Ok(x),
        Ok(Err(e)) => Err(describe(&e)),
        Err(_) => Err("the database did not answer in time".to_owned()),
    }
}

async fn read_many(
    reader: &Reader,
    keys: &[(String, String, String)],
) -> Result<super::Found, tokio_postgres::Error> {
    let tenants: Vec<&str> = keys.iter().map(|k| k.0.as_str()).collect();
    let kinds: Vec<&str> = keys.iter().map(|k| k.1.as_str()).collect();
    let ids: Vec<&str> = keys.iter().map(|k| k.2.as_str()).collect();
    let rows = reader
        .client
        .query(&reader.many, &[&tenants, &kinds, &ids])
        .await?;
    let mut found = vec![None; keys.len()];
    for row in rows {
        let n: i64 = row.get(7);
        if let Some(slot) = usize::try_from(n - 1).ok().and_then(|i| found.get_mut(i)) {
            *slot = Some((record(&row, 0), row.get(6)));
        }
    }
    Ok(found)
}

/// The reader's connection and the statements it runs, prepared once.
struct Reader {
    client: Client,
    fetch: Statement,
    many: Statement,
}

/// A reader connection listening on `kyc_changes`.
async fn listen(
    config: &tokio_postgres::Config,
    announce: &watch::Sender<i64>,
) -> Result<Reader, String> {
    let (client, mut connection) = connect(config).await?;
    let announce = announce.clone();
    tokio::spawn(async move {
        let mut messages = futures_util::stream::poll_fn(move |cx| connection.poll_message(cx));
        while let Some(Ok(message)) = messages.next().await {
            if let AsyncMessage::Notification(n) = message {
                if let Ok(seq) = n.payload().parse::<i64>() {
                    announce.send_if_modified(|v| {
                        let newer = seq > *v;
                        if newer {
                            *v = seq;
                        }
                        newer
                    });
                }
            }
        }
    });
    let prepared = async {
        client.batch_execute("LISTEN kyc_changes").await?;
        let fetch = client.prepare(FETCH).await?;
        let many = client
            .prepare(
                "SELECT r.tenant, r.kind, r.id, r.owner, r.body, r.data, r.seq, k.n
                 FROM unnest($1::text[], $2::text[], $3::text[])
                     WITH ORDINALITY AS k(tenant, kind, id, n)
                 JOIN kyc_records r ON r.tenant = k.tenant AND r.kind = k.kind AND r.id = k.id",
            )
            .await?;
        Ok::<_, tokio_postgres::Error>((fetch, many))
    };
    match tokio::time::timeout(IO_TIMEOUT, prepared).await {
        Ok(Ok((fetch, many))) => Ok(Reader {
            client,
            fetch,
            many,
        }),
        Ok(Err(e)) => Err(describe(&e)),
        Err(_) => Err("the database did not answer in time".into()),
    }
}
