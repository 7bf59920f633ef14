//! Reading what other replicas wrote: every record at startup ([`load`]),
//! then the change log since the last change this replica applied
//! ([`serve`]), woken by `NOTIFY` between requests.

use axum::body::Bytes;
use futures_util::StreamExt;
use tokio::sync::{mpsc, watch};
use tokio_postgres::{AsyncMessage, Client, IsolationLevel, Row};

use std::sync::{Arc, Mutex};

use super::super::{Applied, Fetched, Record, StoreStatus, lock};
use super::{IO_TIMEOUT, Request, connect, describe};

/// Most changes one fetch returns; the next fetch continues.
const FETCH_MAX: i64 = 5_000;

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
/// number they reflect (one snapshot).
pub(super) async fn load(client: &mut Client) -> Result<(Vec<Record>, i64), tokio_postgres::Error> {
    let tx = client
        .build_transaction()
        .isolation_level(IsolationLevel::RepeatableRead)
        .read_only(true)
        .start()
        .await?;
    let head: i64 = tx
        .query_one("SELECT coalesce(max(seq), 0) FROM kyc_changes", &[])
        .await?
        .get(0);
    let rows = tx
        .query(
            "SELECT tenant, kind, id, owner, body, data FROM kyc_records ORDER BY pos",
            &[],
        )
        .await?;
    tx.commit().await?;
    Ok((rows.iter().map(|r| record(r, 0)).collect(), head))
}

/// Changes other replicas made after `since`: each put with its record as
/// it is now (a put overwritten since is skipped: the later change carries
/// it), or everything when the log no longer reaches back that far.
async fn fetch(
    client: &mut Client,
    since: i64,
    origin: &str,
) -> Result<Fetched, tokio_postgres::Error> {
    let head: Option<i64> = client
        .query_one("SELECT max(seq) FROM kyc_changes", &[])
        .await?
        .get(0);
    let head = head.unwrap_or(0);
    if head <= since {
        return Ok(Fetched::Changes {
            head: since,
            items: Vec::new(),
            more: false,
        });
    }
    let tx = client
        .build_transaction()
        .isolation_level(IsolationLevel::RepeatableRead)
        .read_only(true)
        .start()
        .await?;
    let bounds = tx
        .query_one(
            "SELECT coalesce(max(seq), 0), coalesce(min(seq), 0) FROM kyc_changes",
            &[],
        )
        .await?;
    let (head, oldest): (i64, i64) = (bounds.get(0), bounds.get(1));
    if oldest > since + 1 {
        let rows = tx
            .query(
                "SELECT tenant, kind, id, owner, body, data FROM kyc_records ORDER BY pos",
                &[],
            )
            .await?;
        tx.commit().await?;
        return Ok(Fetched::Reload {
            head,
            records: rows.iter().map(|r| record(r, 0)).collect(),
        });
    }
    let rows = tx
        .query(
            "SELECT c.seq, c.op, c.tenant, c.kind, c.id, r.owner, r.body, r.data, r.tenant IS NOT NULL
             FROM kyc_changes c
             LEFT JOIN kyc_records r
                ON r.tenant = c.tenant AND r.kind = c.kind AND r.id = c.id AND r.seq = c.seq
             WHERE c.seq > $1 AND c.seq <= $2 AND c.origin <> $3
             ORDER BY c.seq
             LIMIT $4",
            &[&since, &head, &origin, &FETCH_MAX],
        )
        .await?;
    tx.commit().await?;
    let more = rows.len() as i64 == FETCH_MAX;
    let reached = if more {
        rows.last().map_or(head, |r| r.get(0))
    } else {
        head
    };
    let mut items = Vec::with_capacity(rows.len());
    for row in &rows {
        let op: &str = row.get(1);
        let tenant: Option<String> = row.get(2);
        match op {
            "put" => {
                if row.get::<_, bool>(8) {
                    items.push(Applied::Put(Record {
                        tenant: tenant.unwrap_or_default(),
                        kind: row.get::<_, Option<String>>(3).unwrap_or_default(),
                        id: row.get::<_, Option<String>>(4).unwrap_or_default(),
                        owner: row.get(5),
                        body: row.get(6),
                        data: row.get::<_, Option<Vec<u8>>>(7).map(Bytes::from),
                    }));
                }
            }
            "delete" => items.push(Applied::Delete {
                tenant: tenant.unwrap_or_default(),
                kind: row.get::<_, Option<String>>(3).unwrap_or_default(),
                id: row.get::<_, Option<String>>(4).unwrap_or_default(),
            }),
            "reset" => items.push(Applied::Reset(tenant.unwrap_or_default())),
            _ => items.push(Applied::ResetAll),
        }
    }
    Ok(Fetched::Changes {
        head: reached,
        items,
        more,
    })
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
    let mut client: Option<Client> = None;
    while let Some(request) = requests.recv().await {
        if client.as_ref().is_none_or(Client::is_closed) {
            client = listen(&config, &announce).await.ok();
        }
        let Some(c) = client.as_mut() else {
            lock(&status).connected = Some(false);
            let down = "the database is unreachable".to_owned();
            match request {
                Request::Since(_, reply) => drop(reply.send(Err(down))),
                Request::Record { reply, .. } => drop(reply.send(Err(down))),
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
            Request::Record { key, reply } => {
                let answer = within(read_one(c, &key)).await;
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

async fn read_one(
    client: &Client,
    (tenant, kind, id): &(String, String, String),
) -> Result<Option<Record>, tokio_postgres::Error> {
    let row = client
        .query_opt(
            "SELECT tenant, kind, id, owner, body, data FROM kyc_records
             WHERE tenant = $1 AND kind = $2 AND id = $3",
            &[tenant, kind, id],
        )
        .await?;
    Ok(row.map(|r| record(&r, 0)))
}

/// A reader connection listening on `kyc_changes`.
async fn listen(
    config: &tokio_postgres::Config,
    announce: &watch::Sender<i64>,
) -> Result<Client, String> {
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
    match tokio::time::timeout(IO_TIMEOUT, client.batch_execute("LISTEN kyc_changes")).await {
        Ok(Ok(())) => Ok(client),
        Ok(Err(e)) => Err(describe(&e)),
        Err(_) => Err("the database did not answer in time".into()),
    }
}
