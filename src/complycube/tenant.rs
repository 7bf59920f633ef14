//! One API key's ComplyCube data: its tables, the face sightings derived
//! from uploaded images, and what deleting a client takes with it.

use std::collections::HashMap;

use super::audit::AuditEntry;
use super::check::Check;
use super::check_type::CheckType;
use super::flow_session::FlowSession;
use super::model::{Address, Client, Document, LivePhoto, LiveVideo};
use super::rendered::Rendered;
use super::webhook::Webhook;
use super::workflow_session::WorkflowSession;
use crate::delivery::NewDelivery;
use crate::ids::{Millis, ObjectId};
use crate::store::Table;

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
    pub(crate) flow_sessions: Table<FlowSession>,
    pub(crate) workflow_sessions: Table<WorkflowSession>,
    /// The key's own changes, newest last, bounded ([`super::audit`]).
    pub(crate) audit_log: Table<AuditEntry>,
    /// Image SHA-256 → the places those bytes were uploaded.
    pub(crate) faces: HashMap<[u8; 32], Vec<FaceSighting>>,
    /// Checks as last rendered, for reads.
    pub(crate) rendered: Rendered,
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

    /// Called with a write's changes not yet drained: forgets every kept
    /// rendering the write may have changed. A check renders from itself,
    /// its client, document and address (or the client's latest address),
    /// and a face authentication from the client's identity checks; so a
    /// change to a client, document or address, to an identity check, or a
    /// removed check forgets all of them; a change to any other check
    /// forgets that check's.
    pub(crate) fn forget_renderings(&self) {
        let checks = self.checks.touched();
        let shared = !self.clients.touched().is_empty()
            || !self.addresses.touched().is_empty()
            || !self.documents.touched().is_empty();
        if (!shared && checks.is_empty()) || self.rendered.is_empty() {
            return;
        }
        if shared {
            self.rendered.clear();
            return;
        }
        for id in checks {
            match self.checks.get(id) {
                Some(c) if !matches!(c.kind, CheckType::Identity | CheckType::EnhancedIdentity) => {
                    self.rendered.forget(id);
                }
                _ => {
                    self.rendered.clear();
                    return;
                }
            }
        }
    }

    /// Forgets which rows changed (after a restore, which writes nothing),
    /// and every rendering, which the restored rows may change.
    pub(crate) fn clear_dirty(&mut self) {
        self.rendered.clear();
        self.clients.take_dirty();
        self.addresses.take_dirty();
        self.documents.take_dirty();
        self.live_photos.take_dirty();
        self.live_videos.take_dirty();
        self.checks.take_dirty();
        self.webhooks.take_dirty();
        self.flow_sessions.take_dirty();
        self.workflow_sessions.take_dirty();
        self.audit_log.take_dirty();
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
        for id in self.flow_sessions.ids_of_owner(client) {
            self.flow_sessions.remove(&id);
        }
        for id in self.workflow_sessions.ids_of_owner(client) {
            self.workflow_sessions.remove(&id);
        }
        for list in self.faces.values_mut() {
            list.retain(|s| s.client_id != *client);
        }
        self.faces.retain(|_, l| !l.is_empty());
    }
}

impl Tenant {
    /// Every enabled webhook subscribed to `event_type` (or to `*`), only
    /// those created by `at_or_before` when given.
    pub(crate) fn targets(
        &self,
        event_type: &str,
        at_or_before: Option<Millis>,
    ) -> Vec<NewDelivery> {
        if self.webhooks.is_empty() {
            return Vec::new();
        }
        self.webhooks
            .iter_newest()
            .filter(|w| w.wants(event_type))
            .filter(|w| at_or_before.is_none_or(|at| w.created_at <= at))
            .map(|w| NewDelivery {
                webhook_id: w.id.to_string(),
                url: w.url.clone(),
            })
            .collect()
    }
}
