//! Per-tenant ComplyCube data. Each API key owns one [`Tenant`] behind its own
//! mutex; handlers reach it only through [`Store::with`], a closure that
//! cannot `.await`, so no lock is ever held across one.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex, RwLock};

use super::ApiError;
use super::checks::Check;
use super::list::{ListQuery, ListResponse, json_matches};
use super::model::{Address, Client, Document, LivePhoto, LiveVideo, Stamped};
use super::webhooks::Webhook;
use crate::ids::ObjectId;
use crate::store::{Table, TenantData};

/// Where an image was seen before: used to flag previously enrolled faces.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FaceSighting {
    pub client_id: ObjectId,
    pub live_photo_id: Option<ObjectId>,
    pub document_id: Option<ObjectId>,
}

#[derive(Default)]
pub struct Tenant {
    pub clients: Table<Client>,
    pub addresses: Table<Address>,
    pub documents: Table<Document>,
    pub live_photos: Table<LivePhoto>,
    pub live_videos: Table<LiveVideo>,
    pub checks: Table<Check>,
    pub webhooks: Table<Webhook>,
    /// Image SHA-256 → the places those bytes were uploaded.
    pub faces: HashMap<[u8; 32], Vec<FaceSighting>>,
    /// Documents, live photos, live videos and addresses a check has used:
    /// ComplyCube refuses to delete those (or a used document's images).
    pub used_by_checks: HashSet<ObjectId>,
}

impl Tenant {
    pub fn record_face(&mut self, sha: [u8; 32], sighting: FaceSighting) {
        let list = self.faces.entry(sha).or_default();
        if !list.contains(&sighting) {
            list.push(sighting);
        }
    }

    /// Marks a resource as used by a check, so it can no longer be deleted.
    pub fn mark_used_by_check(&mut self, id: ObjectId) {
        self.used_by_checks.insert(id);
    }

    pub fn is_used_by_check(&self, id: &ObjectId) -> bool {
        self.used_by_checks.contains(id)
    }

    /// Drops the face sightings `gone` matches (a deleted image's).
    pub fn forget_faces(&mut self, gone: impl Fn(&FaceSighting) -> bool) {
        for list in self.faces.values_mut() {
            list.retain(|s| !gone(s));
        }
        self.faces.retain(|_, l| !l.is_empty());
    }

    /// Removes everything owned by a client (client deletion).
    pub fn remove_client_data(&mut self, client: &ObjectId) {
        for id in self.addresses.ids_of_owner(client) {
            self.addresses.remove(&id);
            self.used_by_checks.remove(&id);
        }
        for id in self.documents.ids_of_owner(client) {
            self.documents.remove(&id);
            self.used_by_checks.remove(&id);
        }
        for id in self.live_photos.ids_of_owner(client) {
            self.live_photos.remove(&id);
            self.used_by_checks.remove(&id);
        }
        for id in self.live_videos.ids_of_owner(client) {
            self.live_videos.remove(&id);
            self.used_by_checks.remove(&id);
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
pub fn client_page<T: Stamped + Clone>(
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
pub fn list_by_client<T: Stamped + Clone>(
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

#[derive(Default)]
pub struct Store {
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
    pub fn with<R>(&self, key: &str, f: impl FnOnce(&mut Tenant) -> R) -> R {
        let tenant = self.tenant(key);
        let mut guard = tenant.lock().unwrap_or_else(|e| e.into_inner());
        f(&mut guard)
    }

    /// Every tenant key (for background work such as lifecycle sweeps).
    pub fn tenant_keys(&self) -> Vec<String> {
        self.tenants
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .keys()
            .cloned()
            .collect()
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
}
