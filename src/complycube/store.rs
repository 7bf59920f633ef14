//! Per-tenant ComplyCube data. Each API key owns one [`Tenant`] behind its own
//! mutex; handlers reach it only through [`Store::with`], a closure that
//! cannot `.await`, so no lock is ever held across one.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, RwLock};

use super::checks::Check;
use super::model::{Address, Client, Document, LivePhoto, LiveVideo};
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
    /// Image SHA-256 → the places those bytes were uploaded.
    pub faces: HashMap<[u8; 32], Vec<FaceSighting>>,
}

impl Tenant {
    pub fn record_face(&mut self, sha: [u8; 32], sighting: FaceSighting) {
        let list = self.faces.entry(sha).or_default();
        if !list.contains(&sighting) {
            list.push(sighting);
        }
    }

    /// Removes everything owned by a client (client deletion).
    pub fn remove_client_data(&mut self, client: &ObjectId) {
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
