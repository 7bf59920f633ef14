//! Leadership: exactly one replica raises due check events and delivers
//! webhooks. It is the one holding a session-level advisory lock on a
//! connection of its own; the others try every second. When the leader
//! dies, PostgreSQL ends its session and releases the lock, and another
//! replica takes over (resuming the outbox, which lives in the database).

use std::time::Duration;

use tokio::sync::watch;
use tokio_postgres::Client;

use super::{IO_TIMEOUT, connect_client, describe};

/// The advisory lock the leader holds ("kycs" + 3).
const LEADER_LOCK: i64 = 0x6B79_6373_0003;

/// How often leadership is tried for, and a held lock's connection checked.
const EVERY: Duration = Duration::from_secs(1);

/// Keeps `leader` true exactly while this replica holds the lock.
pub(super) async fn run(config: tokio_postgres::Config, leader: watch::Sender<bool>) {
    let mut client: Option<Client> = None;
    loop {
        if client.as_ref().is_none_or(Client::is_closed) {
            leader.send_replace(false);
            client = connect_client(&config).await.ok();
        }
        if let Some(c) = &client {
            let held = if *leader.borrow() {
                tokio::time::timeout(IO_TIMEOUT, c.simple_query("SELECT 1"))
                    .await
                    .is_ok_and(|r| r.is_ok())
            } else {
                match tokio::time::timeout(
                    IO_TIMEOUT,
                    c.query_one("SELECT pg_try_advisory_lock($1)", &[&LEADER_LOCK]),
                )
                .await
                {
                    Ok(Ok(row)) => row.get::<_, bool>(0),
                    Ok(Err(e)) => {
                        tracing::debug!(error = %describe(&e), "cannot try for leadership");
                        false
                    }
                    Err(_) => false,
                }
            };
            if !held && *leader.borrow() {
                // The lock's session is gone or unknown: start afresh.
                client = None;
            }
            leader.send_if_modified(|l| {
                let changed = *l != held;
                if changed {
                    tracing::info!(leader = held, "leadership changed");
                }
                *l = held;
                changed
            });
        }
        tokio::time::sleep(EVERY).await;
    }
}
