//! Per-tenant Verifik state: which tokens are marked expired, each token's
//! face gallery (collections and persons) and its recent calls (in memory
//! only, bounded, like the journal). A gallery is reached
//! only through [`Store::read`] and [`Store::write`], whose closures cannot
//! `.await`; a write's records go to the durable store in the same critical
//! section and the write returns once they are committed. A token that
//! never wrote reads an empty gallery.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, LazyLock, Mutex, RwLock};

use serde::de::DeserializeOwned;

use super::calls::CallLog;
use super::error::VerifikError;
use super::gallery::{Collection, Gallery, Person};
use crate::ids::ObjectId;
use crate::persist::{Ack, Batch, Change, Durable, Record};
use crate::tenant::{Census, RestoreContext, TenantData};

/// The record kind of a token marked expired.
const EXPIRED: &str = "verifik.expired";
const COLLECTION: &str = "verifik.collection";
const PERSON: &str = "verifik.person";

/// What a read of a token that never wrote anything sees.
static EMPTY: LazyLock<Gallery> = LazyLock::new(Gallery::default);

pub(crate) struct Store {
    /// A token is its own tenant, so the mark lives under the token it concerns.
    expired: Mutex<HashSet<String>>,
    galleries: RwLock<HashMap<String, Arc<Mutex<Gallery>>>>,
    durable: Arc<Durable>,
    pub(crate) calls: CallLog,
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

fn record<T: serde::Serialize>(tenant: &str, kind: &str, id: ObjectId, v: &T) -> Record {
    Record {
        tenant: tenant.to_owned(),
        kind: kind.to_owned(),
        id: id.to_string(),
        owner: None,
        body: serde_json::to_vec(v).unwrap_or_default(),
        data: None,
    }
}

/// Every row a write touched, as record puts and deletes.
fn drain(g: &mut Gallery, tenant: &str, batch: &mut Batch) {
    let on = batch.enabled();
    for id in g.collections.take_dirty() {
        match g.collections.get(&id) {
            Some(c) if on => batch.push(Change::Put(record(tenant, COLLECTION, id, c))),
            None if on => batch.delete(tenant, COLLECTION, &id.to_string()),
            _ => {}
        }
    }
    for id in g.persons.take_dirty() {
        match g.persons.get(&id) {
            Some(p) if on => batch.push(Change::Put(record(tenant, PERSON, id, p))),
            None if on => batch.delete(tenant, PERSON, &id.to_string()),
            _ => {}
        }
    }
}

fn parse<T: DeserializeOwned>(r: &Record) -> Result<T, String> {
    serde_json::from_slice(&r.body).map_err(|e| format!("{} {}: {e}", r.kind, r.id))
}

impl Store {
    pub(crate) fn new(durable: Arc<Durable>) -> Self {
        Store {
            expired: Mutex::default(),
            galleries: RwLock::default(),
            durable,
            calls: CallLog::default(),
        }
    }

    /// Marks the token expired; returns the commit to wait for.
    pub(crate) fn expire(&self, token: &str) -> Ack {
        let mut set = lock(&self.expired);
        set.insert(token.to_owned());
        let mut batch = self.durable.batch();
        batch.put(token, EXPIRED, token, None, &true, None);
        self.durable.submit(batch)
    }

    /// Lifts the mark: whether the token was marked, and the commit.
    pub(crate) fn unexpire(&self, token: &str) -> (bool, Ack) {
        let mut set = lock(&self.expired);
        let was = set.remove(token);
        let mut batch = self.durable.batch();
        batch.delete(token, EXPIRED, token);
        (was, self.durable.submit(batch))
    }

    pub(crate) fn is_expired(&self, token: &str) -> bool {
        lock(&self.expired).contains(token)
    }

    fn existing(&self, token: &str) -> Option<Arc<Mutex<Gallery>>> {
        self.galleries
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .get(token)
            .cloned()
    }

    /// Runs `f` on the token's gallery (an empty one when it never wrote).
    pub(crate) fn read<R>(&self, token: &str, f: impl FnOnce(&Gallery) -> R) -> R {
        match self.existing(token) {
            Some(g) => f(&lock(&g)),
            None => f(&EMPTY),
        }
    }

    /// Changes the token's gallery and returns once the change is durable.
    pub(crate) async fn write<R>(
        &self,
        token: &str,
        f: impl FnOnce(&mut Gallery) -> Result<R, VerifikError>,
    ) -> Result<R, VerifikError> {
        let (out, ack) = {
            let g = match self.existing(token) {
                Some(g) => g,
                None => {
                    let mut map = self.galleries.write().unwrap_or_else(|e| e.into_inner());
                    map.entry(token.to_owned()).or_default().clone()
                }
            };
            let mut guard = lock(&g);
            let out = f(&mut guard);
            // A token's gallery exists only once a write to it succeeded.
            if out.is_err() && guard.collections.is_empty() && guard.persons.is_empty() {
                let mut map = self.galleries.write().unwrap_or_else(|e| e.into_inner());
                if map.get(token).is_some_and(|kept| Arc::ptr_eq(kept, &g)) {
                    map.remove(token);
                }
            }
            let mut batch = self.durable.batch();
            drain(&mut guard, token, &mut batch);
            (out, self.durable.submit(batch))
        };
        let r = out?;
        ack.wait().await.map_err(|e| {
            tracing::error!(error = %e, "a change could not be stored");
            VerifikError::internal()
        })?;
        Ok(r)
    }
}

impl TenantData for Store {
    fn reset_tenant(&self, tenant: &str) {
        lock(&self.expired).remove(tenant);
        self.galleries
            .write()
            .unwrap_or_else(|e| e.into_inner())
            .remove(tenant);
        self.calls.forget(tenant);
    }

    fn reset_all(&self) {
        lock(&self.expired).clear();
        self.galleries
            .write()
            .unwrap_or_else(|e| e.into_inner())
            .clear();
        self.calls.forget_all();
    }

    fn census(&self) -> Census {
        let mut out: Census = self
            .calls
            .counts()
            .into_iter()
            .map(|(t, n)| (t, vec![("face-recognition calls", n)]))
            .collect();
        let mut add = |tenant: &str, kind: &'static str, n: usize| {
            if n == 0 {
                return;
            }
            match out.iter_mut().find(|(t, _)| t == tenant) {
                Some((_, counts)) => counts.push((kind, n)),
                None => out.push((tenant.to_owned(), vec![(kind, n)])),
            }
        };
        for token in lock(&self.expired).iter() {
            add(token, "expired token", 1);
        }
        let galleries: Vec<_> = self
            .galleries
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .iter()
            .map(|(t, g)| (t.clone(), g.clone()))
            .collect();
        for (token, g) in galleries {
            let g = lock(&g);
            add(&token, "collections", g.collections.len());
            add(&token, "persons", g.persons.len());
        }
        out
    }

    fn owns(&self, kind: &str) -> bool {
        kind.starts_with("verifik.")
    }

    fn restore(&self, records: &[&Record], _: &RestoreContext<'_>) -> Result<(), String> {
        let mut map = self.galleries.write().unwrap_or_else(|e| e.into_inner());
        for r in records {
            match r.kind.as_str() {
                EXPIRED => {
                    lock(&self.expired).insert(r.id.clone());
                }
                COLLECTION => {
                    let c: Collection = parse(r)?;
                    let g = map.entry(r.tenant.clone()).or_default().clone();
                    lock(&g).collections.upsert(c.id, None, c);
                }
                PERSON => {
                    let p: Person = parse(r)?;
                    let g = map.entry(r.tenant.clone()).or_default().clone();
                    lock(&g).persons.upsert(p.id, None, p);
                }
                other => return Err(format!("unknown record kind '{other}'")),
            }
        }
        for g in map.values() {
            lock(g).clear_dirty();
        }
        Ok(())
    }

    fn forget(&self, tenant: &str, kind: &str, id: &str) {
        if kind == EXPIRED {
            lock(&self.expired).remove(id);
            return;
        }
        let Some(oid) = crate::ids::ObjectId::parse(id) else {
            return;
        };
        let g = self
            .galleries
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .get(tenant)
            .cloned();
        if let Some(g) = g {
            let mut g = lock(&g);
            match kind {
                COLLECTION => drop(g.collections.remove(&oid)),
                PERSON => drop(g.persons.remove(&oid)),
                _ => {}
            }
            g.clear_dirty();
        }
    }

    fn export(&self, tenant: &str) -> Vec<Record> {
        let mut out = Vec::new();
        if self.is_expired(tenant) {
            out.push(Record {
                tenant: tenant.to_owned(),
                kind: EXPIRED.to_owned(),
                id: tenant.to_owned(),
                owner: None,
                body: b"true".to_vec(),
                data: None,
            });
        }
        self.read(tenant, |g| {
            for c in g.collections.iter_oldest() {
                out.push(record(tenant, COLLECTION, c.id, c));
            }
            for p in g.persons.iter_oldest() {
                out.push(record(tenant, PERSON, p.id, p));
            }
        });
        out
    }

    fn contains(&self, r: &Record) -> bool {
        match r.kind.as_str() {
            EXPIRED => self.is_expired(&r.id),
            COLLECTION | PERSON => {
                let Some(id) = ObjectId::parse(&r.id) else {
                    return false;
                };
                self.read(&r.tenant, |g| {
                    if r.kind == COLLECTION {
                        g.collections.contains(&id)
                    } else {
                        g.persons.contains(&id)
                    }
                })
            }
            _ => false,
        }
    }
}
