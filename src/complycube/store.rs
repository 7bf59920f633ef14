//! Per-tenant ComplyCube data. Each API key owns one [`Tenant`] behind its own
//! mutex; handlers reach it only through [`Store::with`], a closure that
//! cannot `.await`, so no lock is ever held across one.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, RwLock};

use super::check::Check;
use super::error::ApiError;
use super::list::{ListQuery, ListResponse, json_matches};
use super::model::{Address, Client, Document, LivePhoto, LiveVideo, Stamped};
use super::webhook::Webhook;
use crate::delivery::{Directory, NewDelivery, Target};
use crate::ids::ObjectId;
use crate::store::Table;
use crate::tenant::TenantData;

/// Where an image was seen before: used to flag previously enrolled faces.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct FaceSighting {
    pub(crate) client_id: ObjectId,
    pub(crate) live_photo_id: Option<ObjectId>,
    pub(crate) document_id: Option<ObjectId>,
}

#[derive(Default)]
pub(crate) struct Tenant {
    pub(crate) clients: Table<Client>,
    pub(crate) addresses: Table<Address>,
    pub(crate) documents: Table<Document>,
    pub(crate) live_photos: Table<LivePhoto>,
    pub(crate) live_videos: Table<LiveVideo>,
    pub(crate) checks: Table<Check>,
    pub(crate) webhooks: Table<Webhook>,
    /// Image SHA-256 → the places those bytes were uploaded.
    pub(crate) faces: HashMap<[u8; 32], Vec<FaceSighting>>,
}

impl Tenant {
    pub(crate) fn record_face(&mut self, sha: [u8; 32], sighting: FaceSighting) {
        let list = self.faces.entry(sha).or_default();
        if !list.contains(&sighting) {
            list.push(sighting);
        }
    }

    /// Whether a check of `owner` (the resource's client) uses `id` as its
    /// document, address, live photo or live video: ComplyCube refuses to
    /// delete those (or a used document's images).
    pub(crate) fn is_used_by_check(&self, owner: Option<ObjectId>, id: &ObjectId) -> bool {
        owner.is_some_and(|o| self.checks.of_owner(&o).any(|c| c.references(id)))
    }

    /// Drops the face sightings `gone` matches (a deleted image's).
    pub(crate) fn forget_faces(&mut self, gone: impl Fn(&FaceSighting) -> bool) {
        for list in self.faces.values_mut() {
            list.retain(|s| !gone(s));
        }
        self.faces.retain(|_, l| !l.is_empty());
    }

    /// Removes everything owned by a client (client deletion).
    pub(crate) fn remove_client_data(&mut self, client: &ObjectId) {
        for id in self.addresses.ids_of_owner(client) {
            self.addresses.remove(&id);
        }
        for id in self.documents.ids_of_owner(client) {
            self.documents.remove(&id);
        }
        for id in self.live_photos.ids_of_owner(client) {
            self.live_photos.remove(&id);
        }
        for id in self.live_videos.ids_of_owner(client) {
            self.live_videos.remove(&id);
        }
        for id in self.checks.ids_of_owner(client) {
            self.checks.remove(&id);
        }
        for list in self.faces.values_mut() {
            list.retain(|s| s.client_id != *client);
        }
        self.faces.retain(|_, l| !l.is_empty());
    }
}

/// One page of a client's records (`GET /v1/<resource>?clientId=`): the
/// owner index narrows the walk; time bounds and the remaining equality
/// filters apply to the rendered record.
pub(crate) fn client_page<T: Stamped + Clone>(
    table: &Table<T>,
    client: &ObjectId,
    q: &ListQuery,
) -> (usize, Vec<T>) {
    let keep = |r: &T| {
        if q.impossible || !q.in_time(r.created_at(), r.updated_at()) {
            return false;
        }
        if q.filters.is_empty() {
            return true;
        }
        let v = serde_json::to_value(r).unwrap_or_default();
        q.filters.iter().all(|(k, want)| json_matches(&v, k, want))
    };
    let keep_ref: &dyn Fn(&T) -> bool = &keep;
    let p = table.page(
        Some(client),
        q.has_conditions().then_some(keep_ref),
        q.page,
        q.page_size,
    );
    (p.total, p.items.into_iter().cloned().collect())
}

/// The list of one client's records: `clientId` is required (400 when
/// absent, 404 `Invalid client id` when malformed or unknown in the tenant).
pub(crate) fn list_by_client<T: Stamped + Clone>(
    store: &Store,
    key: &str,
    raw: &HashMap<String, String>,
    table: impl FnOnce(&Tenant) -> &Table<T>,
) -> Result<ListResponse<T>, ApiError> {
    let mut q = ListQuery::parse(raw)?;
    let raw_id = q
        .take("clientId")
        .ok_or_else(|| ApiError::missing("clientId"))?;
    let client = super::validate::id("client", &raw_id)?;
    let (total, items) = store.with(key, |t| {
        if !t.clients.contains(&client) {
            return Err(ApiError::not_found("client", &raw_id));
        }
        Ok(client_page(table(t), &client, &q))
    })?;
    Ok(ListResponse::new(&q, total, items))
}

impl Tenant {
    /// Every enabled webhook subscribed to `event_type` (or to `*`).
    pub(crate) fn targets(&self, event_type: &str) -> Vec<NewDelivery> {
        if self.webhooks.is_empty() {
            return Vec::new();
        }
        self.webhooks
            .iter_newest()
            .filter(|w| w.wants(event_type))
            .map(|w| NewDelivery {
                webhook_id: w.id.to_string(),
                url: w.url.clone(),
            })
            .collect()
    }
}

#[derive(Default)]
pub(crate) struct Store {
    tenants: RwLock<HashMap<String, Arc<Mutex<Tenant>>>>,
}

impl Store {
    fn tenant(&self, key: &str) -> Arc<Mutex<Tenant>> {
        if let Some(t) = self
            .tenants
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .get(key)
        {
            return t.clone();
        }
        self.tenants
            .write()
            .unwrap_or_else(|e| e.into_inner())
            .entry(key.to_owned())
            .or_default()
            .clone()
    }

    /// Runs `f` with the tenant's data locked.
    pub(crate) fn with<R>(&self, key: &str, f: impl FnOnce(&mut Tenant) -> R) -> R {
        let tenant = self.tenant(key);
        let mut guard = tenant.lock().unwrap_or_else(|e| e.into_inner());
        f(&mut guard)
    }
}

impl TenantData for Store {
    fn reset_tenant(&self, tenant: &str) {
        self.tenants
            .write()
            .unwrap_or_else(|e| e.into_inner())
            .remove(tenant);
    }

    fn reset_all(&self) {
        self.tenants
            .write()
            .unwrap_or_else(|e| e.into_inner())
            .clear();
    }

    fn census(&self) -> crate::tenant::Census {
        let tenants: Vec<(String, Arc<Mutex<Tenant>>)> = self
            .tenants
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .iter()
            .map(|(k, t)| (k.clone(), t.clone()))
            .collect();
        tenants
            .into_iter()
            .filter_map(|(key, t)| {
                let t = t.lock().unwrap_or_else(|e| e.into_inner());
                let counts: Vec<(&'static str, usize)> = [
                    ("clients", t.clients.len()),
                    ("checks", t.checks.len()),
                    ("documents", t.documents.len()),
                    ("live photos", t.live_photos.len()),
                    ("live videos", t.live_videos.len()),
                    ("webhooks", t.webhooks.len()),
                ]
                .into_iter()
                .filter(|(_, n)| *n > 0)
                .collect();
                (!counts.is_empty()).then_some((key, counts))
            })
            .collect()
    }
}

/// The outbox looks webhooks up here at each attempt.
impl Directory for Store {
    fn target(&self, tenant: &str, webhook_id: &str) -> Option<Target> {
        let id = ObjectId::parse(webhook_id)?;
        self.with(tenant, |t| {
            t.webhooks.get(&id).map(|w| Target {
                url: w.url.clone(),
                secret: w.secret.clone(),
                enabled: w.enabled,
            })
        })
    }

    fn disable(&self, tenant: &str, webhook_id: &str) {
        let Some(id) = ObjectId::parse(webhook_id) else {
            return;
        };
        self.with(tenant, |t| {
            if let Some(w) = t.webhooks.get_mut(&id) {
                w.enabled = false;
            }
        });
    }
}
