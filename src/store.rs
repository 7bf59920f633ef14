//! In-memory building blocks for vendor state.
//!
//! [`Table`] keeps records newest-first addressable by id, and indexes them by
//! owner (a ComplyCube client, say), so get-by-id is a hash lookup and
//! list-by-owner walks only that owner's rows. It also remembers which ids a
//! write touched ([`Table::take_dirty`]), so the vendor can hand exactly those
//! rows to the durable store. No locking here: vendors keep a table per
//! tenant behind a short-lived `std::sync::Mutex`, never held across an
//! `.await`.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use crate::ids::ObjectId;

/// Records in insertion order, indexed by id and by owner.
/// Ids are hashed on every request: foldhash, not SipHash.
type Hasher = foldhash::fast::RandomState;

#[derive(Debug)]
pub(crate) struct Table<T> {
    rows: BTreeMap<u64, (ObjectId, Option<ObjectId>, T)>,
    by_id: HashMap<ObjectId, u64, Hasher>,
    by_owner: HashMap<ObjectId, BTreeSet<u64>, Hasher>,
    next: u64,
    /// Ids inserted, changed or removed since the last [`Table::take_dirty`].
    dirty: Vec<ObjectId>,
}

impl<T> Default for Table<T> {
    fn default() -> Self {
        Table {
            rows: BTreeMap::new(),
            by_id: HashMap::default(),
            by_owner: HashMap::default(),
            next: 0,
            dirty: Vec::new(),
        }
    }
}

/// One page of a listing, newest first.
#[derive(Debug)]
pub(crate) struct Page<'a, T> {
    pub(crate) total: usize,
    pub(crate) items: Vec<&'a T>,
}

impl<T> Table<T> {
    pub(crate) fn len(&self) -> usize {
        self.rows.len()
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    pub(crate) fn insert(&mut self, id: ObjectId, owner: Option<ObjectId>, value: T) {
        self.remove(&id);
        self.dirty.push(id);
        self.next += 1;
        let seq = self.next;
        self.rows.insert(seq, (id, owner, value));
        self.by_id.insert(id, seq);
        if let Some(o) = owner {
            self.by_owner.entry(o).or_default().insert(seq);
        }
    }

    /// Inserts a row, or replaces the row with this id where it stands
    /// (another replica's change to a row keeps its place in lists).
    pub(crate) fn upsert(&mut self, id: ObjectId, owner: Option<ObjectId>, value: T) {
        let Some(&seq) = self.by_id.get(&id) else {
            return self.insert(id, owner, value);
        };
        self.dirty.push(id);
        let Some(row) = self.rows.get_mut(&seq) else {
            return;
        };
        if row.1 != owner {
            if let Some(old) = row.1 {
                if let Some(set) = self.by_owner.get_mut(&old) {
                    set.remove(&seq);
                    if set.is_empty() {
                        self.by_owner.remove(&old);
                    }
                }
            }
            if let Some(o) = owner {
                self.by_owner.entry(o).or_default().insert(seq);
            }
        }
        *row = (id, owner, value);
    }

    pub(crate) fn get(&self, id: &ObjectId) -> Option<&T> {
        let seq = self.by_id.get(id)?;
        self.rows.get(seq).map(|r| &r.2)
    }

    /// The row to change; marks it dirty.
    pub(crate) fn get_mut(&mut self, id: &ObjectId) -> Option<&mut T> {
        let seq = self.by_id.get(id)?;
        self.dirty.push(*id);
        self.rows.get_mut(seq).map(|r| &mut r.2)
    }

    pub(crate) fn contains(&self, id: &ObjectId) -> bool {
        self.by_id.contains_key(id)
    }

    pub(crate) fn owner_of(&self, id: &ObjectId) -> Option<ObjectId> {
        let seq = self.by_id.get(id)?;
        self.rows.get(seq).and_then(|r| r.1)
    }

    pub(crate) fn remove(&mut self, id: &ObjectId) -> Option<T> {
        let seq = self.by_id.remove(id)?;
        self.dirty.push(*id);
        let (_, owner, value) = self.rows.remove(&seq)?;
        if let Some(o) = owner {
            if let Some(set) = self.by_owner.get_mut(&o) {
                set.remove(&seq);
                if set.is_empty() {
                    self.by_owner.remove(&o);
                }
            }
        }
        Some(value)
    }

    /// The ids touched since the last [`Table::take_dirty`] (repeats possible).
    pub(crate) fn touched(&self) -> &[ObjectId] {
        &self.dirty
    }

    /// The ids touched since the last call, each once, in first-touch order.
    pub(crate) fn take_dirty(&mut self) -> Vec<ObjectId> {
        let mut ids = std::mem::take(&mut self.dirty);
        let mut seen = std::collections::HashSet::with_capacity(ids.len());
        ids.retain(|id| seen.insert(*id));
        ids
    }

    /// The owner's rows, oldest first.
    pub(crate) fn of_owner(&self, owner: &ObjectId) -> impl Iterator<Item = &T> {
        self.by_owner
            .get(owner)
            .into_iter()
            .flatten()
            .filter_map(|s| self.rows.get(s).map(|r| &r.2))
    }

    /// Ids of the owner's rows, oldest first.
    pub(crate) fn ids_of_owner(&self, owner: &ObjectId) -> Vec<ObjectId> {
        self.by_owner
            .get(owner)
            .map(|set| {
                set.iter()
                    .filter_map(|s| self.rows.get(s).map(|r| r.0))
                    .collect()
            })
            .unwrap_or_default()
    }

    /// Every row, oldest first.
    pub(crate) fn iter_oldest(&self) -> impl Iterator<Item = &T> {
        self.rows.values().map(|r| &r.2)
    }

    /// Every row, newest first.
    pub(crate) fn iter_newest(&self) -> impl Iterator<Item = &T> {
        self.rows.values().rev().map(|r| &r.2)
    }

    /// A page (1-based) of rows, newest first, optionally only one owner's,
    /// keeping those `keep` accepts. Without a filter the total is known
    /// without visiting the rows and only the page itself is walked.
    pub(crate) fn page(
        &self,
        owner: Option<&ObjectId>,
        keep: Option<&dyn Fn(&T) -> bool>,
        page: usize,
        page_size: usize,
    ) -> Page<'_, T> {
        let skip = page.saturating_sub(1).saturating_mul(page_size);
        let rows: Box<dyn DoubleEndedIterator<Item = &T>> = match owner {
            Some(o) => match self.by_owner.get(o) {
                Some(set) => Box::new(set.iter().filter_map(|s| self.rows.get(s).map(|r| &r.2))),
                None => Box::new(std::iter::empty()),
            },
            None => Box::new(self.rows.values().map(|r| &r.2)),
        };
        match keep {
            None => {
                let total = match owner {
                    Some(o) => self.by_owner.get(o).map_or(0, BTreeSet::len),
                    None => self.rows.len(),
                };
                let items = rows.rev().skip(skip).take(page_size).collect();
                Page { total, items }
            }
            Some(keep) => {
                let mut total = 0;
                let mut items = Vec::new();
                for row in rows.rev() {
                    if keep(row) {
                        if total >= skip && items.len() < page_size {
                            items.push(row);
                        }
                        total += 1;
                    }
                }
                Page { total, items }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_are_newest_first_and_owner_scoped() {
        let mut t = Table::default();
        let a = ObjectId::new(0);
        let b = ObjectId::new(0);
        let mut ids = Vec::new();
        for i in 0..5 {
            let id = ObjectId::new(0);
            ids.push(id);
            t.insert(id, Some(if i % 2 == 0 { a } else { b }), i);
        }
        let p = t.page(None, None, 1, 2);
        assert_eq!((p.total, p.items), (5, vec![&4, &3]));
        let p = t.page(Some(&a), None, 2, 2);
        assert_eq!((p.total, p.items), (3, vec![&0]));
        let even = |v: &i32| *v % 2 == 0;
        let p = t.page(None, Some(&even), 1, 10);
        assert_eq!((p.total, p.items), (3, vec![&4, &2, &0]));
        assert_eq!(t.remove(&ids[4]), Some(4));
        assert_eq!(t.page(Some(&a), None, 1, 10).total, 2);
        assert!(t.get(&ids[4]).is_none());
    }

    #[test]
    fn writes_mark_ids_dirty_once() {
        let mut t = Table::default();
        let (a, b) = (ObjectId::new(0), ObjectId::new(0));
        t.insert(a, None, 1);
        t.insert(b, None, 2);
        if let Some(v) = t.get_mut(&a) {
            *v = 3;
        }
        assert_eq!(t.take_dirty(), vec![a, b]);
        assert!(t.take_dirty().is_empty());
        t.remove(&b);
        let _ = t.get(&a);
        assert_eq!(t.take_dirty(), vec![b]);
    }

    #[test]
    fn upserts_replace_in_place_and_move_owners() {
        let mut t = Table::default();
        let (a, b, o1, o2) = (
            ObjectId::new(0),
            ObjectId::new(0),
            ObjectId::new(0),
            ObjectId::new(0),
        );
        t.upsert(a, Some(o1), 1);
        t.upsert(b, Some(o1), 2);
        t.upsert(a, Some(o2), 3);
        assert_eq!(t.page(None, None, 1, 10).items, vec![&2, &3]);
        assert_eq!(t.page(Some(&o1), None, 1, 10).items, vec![&2]);
        assert_eq!(t.page(Some(&o2), None, 1, 10).items, vec![&3]);
    }
}
