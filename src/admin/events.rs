//! `GET /__admin/events?tenant=<key>`: a Server-Sent Events stream that
//! says when something of the tenant changed (a request was journaled, a
//! webhook delivery moved, the clock jumped, a scenario was armed), so the
//! console redraws without polling each page. Each `change` event carries
//! `{seq, deliveries, clock, armed}`; the `id` is the journal's newest
//! sequence number, which `GET /__admin/requests?afterSeq=` continues from.
//!
//! The tenant may come in the query because `EventSource` cannot send
//! headers. The stream samples the tenant's state a few times a second and
//! only while someone listens, so API requests never pay for it; it ends
//! when the server shuts down.

use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::State;
use axum::response::sse::{Event, KeepAlive, Sse};
use futures_util::Stream;
use serde::Deserialize;
use serde_json::{Value, json};

use super::{Admin, AdminError, AdminQuery};
use crate::core::Core;

/// How often the stream samples the tenant's state.
const SAMPLE: Duration = Duration::from_millis(400);

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct EventsQuery {
    tenant: Option<String>,
}

/// What the console redraws on: changes when any part changes.
fn snapshot(core: &Core, tenant: &str) -> Value {
    let clock = core.clocks.view(tenant);
    json!({
        "seq": core.journal.last_seq(tenant),
        "deliveries": core.outbox.version(),
        "clock": {"offsetMs": clock.offset_ms, "frozen": clock.frozen},
        "armed": core.scenarios.armed(tenant).iter()
            .map(|(s, n)| json!([s.name, n])).collect::<Vec<_>>(),
    })
}

struct Feed {
    core: Arc<Core>,
    tenant: String,
    last: Option<Value>,
    stopping: tokio::sync::watch::Receiver<bool>,
}

pub(super) async fn events(
    admin: Admin,
    State(core): State<Arc<Core>>,
    AdminQuery(q): AdminQuery<EventsQuery>,
) -> Result<Sse<impl Stream<Item = Result<Event, Infallible>>>, AdminError> {
    let tenant = match q.tenant.filter(|t| !t.is_empty()) {
        Some(t) => t,
        None => admin.tenant()?.to_owned(),
    };
    let feed = Feed {
        stopping: core.stopping.subscribe(),
        core,
        tenant,
        last: None,
    };
    let stream = futures_util::stream::unfold(feed, |mut feed| async move {
        loop {
            if *feed.stopping.borrow() {
                return None;
            }
            let now = snapshot(&feed.core, &feed.tenant);
            if feed.last.as_ref() != Some(&now) {
                let seq = now["seq"].as_u64().unwrap_or(0);
                let event = Event::default()
                    .event("change")
                    .id(seq.to_string())
                    .data(now.to_string());
                feed.last = Some(now);
                return Some((Ok(event), feed));
            }
            tokio::select! {
                _ = tokio::time::sleep(SAMPLE) => {}
                _ = feed.stopping.changed() => return None,
            }
        }
    });
    Ok(Sse::new(stream).keep_alive(KeepAlive::default()))
}
