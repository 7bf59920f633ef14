//! This replica's recent writes, against which other replicas' changes
//! are weighed before they reach memory.
//!
//! Two replicas may change one record at once, each before the other's
//! change committed (an update through A, a delete through B). Commits are
//! serialised, so the database keeps the change that committed last, and
//! memory must keep it too. A change fetched from another replica carries
//! its sequence number; a write of this replica gets the head its commit
//! reached. So every record this replica wrote lately has a **mark**: a
//! version (that head) or a write still pending, and a fetched change to
//! the record is
//! - applied when it is newer than the version (or the record has no mark),
//! - dropped when the version is newer (this replica's write came last),
//! - held back while a write of the record is pending (which of the two
//!   commits last is not known yet): the record is then **reread** from the
//!   store once nothing pending covers it, and memory takes what the
//!   database kept.
//!
//! Deletes by owner, tenant resets and resets of everything mark scopes
//! covering many records: a fetched put under one is weighed the same way,
//! and a fetched reset keeps the records this replica wrote after it or is
//! still writing. A write that lands in memory while fetched changes are
//! being applied there may be overwritten by them: each write is stamped
//! with a tick, and a record written during an application is reread too.
//!
//! Marks are forgotten once the replica has caught up past their version,
//! so only the writes of the last moments are held here. Catching up runs
//! before every request: its work here is proportional to what it fetched
//! and to the marks it forgets, never to every mark held.

use std::collections::{HashSet, VecDeque};
use std::sync::Mutex;

use super::{Applied, Change, lock};

/// A record's key: tenant, kind, id.
pub(crate) type Key = (String, String, String);

/// Hashed on every write and every fetched change: foldhash, not SipHash.
type HashMap<K, V> = std::collections::HashMap<K, V, foldhash::fast::RandomState>;

/// What this replica wrote to one record (or one scope) lately.
#[derive(Debug, Default, Clone, Copy)]
struct Mark {
    /// Writes submitted and not yet committed (or failed).
    pending: u32,
    /// Those of them that leave the record in place (not deletes).
    keeping: u32,
    /// The newest version of the record this replica knows it holds: the
    /// head of its last commit that wrote it, or the sequence number a
    /// reread found.
    version: i64,
    /// The tick of the last write submitted.
    touched: u64,
    /// Read the record again once nothing pending covers it.
    reread: bool,
}

impl Mark {
    fn idle(&self, applied: i64) -> bool {
        self.pending == 0 && !self.reread && self.version <= applied
    }
}

/// What several marks covering one record say together.
#[derive(Debug, Default)]
struct Cover {
    pending: bool,
    version: i64,
    touched: u64,
}

impl Cover {
    fn add(&mut self, m: Option<&Mark>) {
        if let Some(m) = m {
            self.pending |= m.pending > 0;
            self.version = self.version.max(m.version);
            self.touched = self.touched.max(m.touched);
        }
    }
}

/// One tenant's marks.
#[derive(Debug, Default)]
struct Tenant {
    /// By kind, then id.
    keys: HashMap<String, HashMap<String, Mark>>,
    /// Deletes of what one owner holds, by kind, then owner.
    owned: HashMap<String, HashMap<String, Mark>>,
    /// Resets of the whole tenant.
    whole: Mark,
}

impl Tenant {
    fn idle(&self, applied: i64) -> bool {
        self.keys.is_empty() && self.owned.is_empty() && self.whole.idle(applied)
    }

    /// Whether a delete by owner of this kind is pending.
    fn owned_pending(&self, kind: &str) -> bool {
        self.owned
            .get(kind)
            .is_some_and(|o| o.values().any(|m| m.pending > 0))
    }
}

#[derive(Debug, Default)]
struct Inner {
    /// Writes submitted so far.
    tick: u64,
    tenants: HashMap<String, Tenant>,
    /// Resets of everything.
    all: Mark,
    /// The records marked for a reread.
    rereading: HashSet<Key, foldhash::fast::RandomState>,
    /// Marks that may have become forgettable, with the version they had
    /// then: [`OwnWrites::settle`] looks at those the replica caught up past.
    settling: VecDeque<(i64, Scope<String>)>,
}

/// What one change marks.
#[derive(Debug)]
enum Scope<S> {
    Key(S, S, S),
    Owned(S, S, S),
    Tenant(S),
    All,
}

impl Scope<&str> {
    fn to_owned(&self) -> Scope<String> {
        match *self {
            Scope::Key(t, k, id) => Scope::Key(t.into(), k.into(), id.into()),
            Scope::Owned(t, k, o) => Scope::Owned(t.into(), k.into(), o.into()),
            Scope::Tenant(t) => Scope::Tenant(t.into()),
            Scope::All => Scope::All,
        }
    }
}

/// Whether the change leaves a record behind (a delete does not; neither
/// may a use counting down, conservatively counted as one that does).
fn keeps(change: &Change) -> bool {
    !matches!(change, Change::Delete { .. })
}

fn scope(change: &Change) -> Scope<&str> {
    match change {
        Change::Put(r) => Scope::Key(&r.tenant, &r.kind, &r.id),
        Change::Delete { tenant, kind, id }
        | Change::Consume {
            tenant, kind, id, ..
        } => Scope::Key(tenant, kind, id),
        Change::DeleteOwned {
            tenant,
            kind,
            owner,
        } => Scope::Owned(tenant, kind, owner),
        Change::DeleteTenant(tenant) => Scope::Tenant(tenant),
        Change::DeleteAll => Scope::All,
    }
}

fn entry<'m>(
    map: &'m mut HashMap<String, HashMap<String, Mark>>,
    a: &str,
    b: &str,
) -> &'m mut Mark {
    if !map.contains_key(a) {
        map.insert(a.to_owned(), HashMap::default());
    }
    let inner = map.get_mut(a).expect("inserted above");
    if !inner.contains_key(b) {
        inner.insert(b.to_owned(), Mark::default());
    }
    inner.get_mut(b).expect("inserted above")
}

impl Inner {
    fn tenant(&mut self, tenant: &str) -> &mut Tenant {
        if !self.tenants.contains_key(tenant) {
            self.tenants.insert(tenant.to_owned(), Tenant::default());
        }
        self.tenants.get_mut(tenant).expect("inserted above")
    }

    fn mark_mut(&mut self, scope: &Scope<&str>) -> &mut Mark {
        match *scope {
            Scope::Key(t, k, id) => entry(&mut self.tenant(t).keys, k, id),
            Scope::Owned(t, k, o) => entry(&mut self.tenant(t).owned, k, o),
            Scope::Tenant(t) => &mut self.tenant(t).whole,
            Scope::All => &mut self.all,
        }
    }

    /// Forgets the mark if nothing can cross it any more (and the maps
    /// left empty).
    fn forget_idle(&mut self, scope: &Scope<String>, applied: i64) {
        let tenant = match scope {
            Scope::Key(t, ..) | Scope::Owned(t, ..) | Scope::Tenant(t) => t,
            Scope::All => return,
        };
        let Some(marks) = self.tenants.get_mut(tenant) else {
            return;
        };
        let (map, a, b) = match scope {
            Scope::Key(_, k, id) => (&mut marks.keys, k, id),
            Scope::Owned(_, k, o) => (&mut marks.owned, k, o),
            _ => {
                if marks.idle(applied) {
                    self.tenants.remove(tenant);
                }
                return;
            }
        };
        if let Some(inner) = map.get_mut(a.as_str()) {
            if inner.get(b.as_str()).is_some_and(|m| m.idle(applied)) {
                inner.remove(b.as_str());
                if inner.is_empty() {
                    map.remove(a.as_str());
                }
            }
        }
        if marks.idle(applied) {
            self.tenants.remove(tenant);
        }
    }

    fn key(&self, t: &str, k: &str, id: &str) -> Option<&Mark> {
        self.tenants.get(t)?.keys.get(k)?.get(id)
    }

    /// The marks covering one record (`owner`: the owner of a record
    /// carrying bytes, which a delete by owner removes).
    fn cover(&self, t: &str, k: &str, id: &str, owner: Option<&str>) -> Cover {
        let mut c = Cover::default();
        c.add(Some(&self.all));
        if let Some(tenant) = self.tenants.get(t) {
            c.add(Some(&tenant.whole));
            c.add(tenant.keys.get(k).and_then(|m| m.get(id)));
            if let Some(o) = owner {
                c.add(tenant.owned.get(k).and_then(|m| m.get(o)));
            }
        }
        c
    }

    /// Whether any write covering the record is pending (a delete by owner
    /// of its kind counts, whoever the owner).
    fn covered_pending(&self, (t, k, id): &Key) -> bool {
        self.all.pending > 0
            || self.tenants.get(t).is_some_and(|tenant| {
                tenant.whole.pending > 0
                    || tenant.owned_pending(k)
                    || tenant
                        .keys
                        .get(k)
                        .and_then(|m| m.get(id))
                        .is_some_and(|m| m.pending > 0)
            })
    }

    fn reread(&mut self, t: &str, k: &str, id: &str) {
        let m = entry(&mut self.tenant(t).keys, k, id);
        if !m.reread {
            m.reread = true;
            self.rereading
                .insert((t.to_owned(), k.to_owned(), id.to_owned()));
        }
    }

    /// The records a reset of `tenant` (every tenant: `None`) at `seq`
    /// must keep: those this replica wrote after it, or is writing (reread
    /// once written).
    fn keep(&mut self, tenant: Option<&str>, seq: i64) -> Vec<Key> {
        let mut keep = Vec::new();
        let mut pending = Vec::new();
        for (t, marks) in &self.tenants {
            if tenant.is_some_and(|only| only != t) {
                continue;
            }
            for (k, ids) in &marks.keys {
                for (id, m) in ids {
                    if m.pending > 0 || m.version > seq {
                        keep.push((t.clone(), k.clone(), id.clone()));
                        if m.pending > 0 {
                            pending.push(keep.len() - 1);
                        }
                    }
                }
            }
        }
        for i in pending {
            let (t, k, id) = &keep[i];
            self.reread(t, k, id);
        }
        keep
    }

    /// Marks for rereading the records of `tenant` (every tenant: `None`)
    /// written after tick `since`.
    fn reread_touched(&mut self, tenant: Option<&str>, since: u64) {
        let mut touched = Vec::new();
        for (t, marks) in &self.tenants {
            if tenant.is_some_and(|only| only != t) {
                continue;
            }
            for (k, ids) in &marks.keys {
                for (id, m) in ids {
                    if m.touched > since {
                        touched.push((t.clone(), k.clone(), id.clone()));
                    }
                }
            }
        }
        for (t, k, id) in touched {
            self.reread(&t, &k, &id);
        }
    }
}

/// This replica's recent writes (see the module's documentation).
#[derive(Debug, Default)]
pub(crate) struct OwnWrites {
    inner: Mutex<Inner>,
}

impl OwnWrites {
    /// A batch was submitted (its changes are in memory already).
    pub(crate) fn submitted(&self, changes: &[Change]) {
        let mut i = lock(&self.inner);
        i.tick += 1;
        let tick = i.tick;
        for c in changes {
            let m = i.mark_mut(&scope(c));
            m.pending += 1;
            m.keeping += u32::from(keeps(c));
            m.touched = tick;
        }
    }

    /// A batch committed with `head` (`None`: it did not commit).
    pub(crate) fn finished(&self, changes: &[Change], head: Option<i64>) {
        let mut i = lock(&self.inner);
        for c in changes {
            let s = scope(c);
            let m = i.mark_mut(&s);
            m.pending = m.pending.saturating_sub(1);
            m.keeping = m.keeping.saturating_sub(u32::from(keeps(c)));
            if let Some(h) = head {
                m.version = m.version.max(h);
            }
            if m.pending == 0 {
                let version = m.version;
                i.settling.push_back((version, s.to_owned()));
            }
        }
    }

    /// Writes submitted so far: taken before changes are applied, to find
    /// the writes that landed meanwhile ([`OwnWrites::collided`]).
    pub(crate) fn tick(&self) -> u64 {
        lock(&self.inner).tick
    }

    /// Weighs fetched changes: keeps those memory must apply (resets with
    /// the records they must keep), drops those older than this replica's
    /// own write, and holds back (for a reread) those a pending write of
    /// this replica covers.
    pub(crate) fn weigh(&self, items: Vec<(i64, Applied)>) -> Vec<Applied> {
        let mut i = lock(&self.inner);
        let i = &mut *i;
        let mut out = Vec::with_capacity(items.len());
        for (seq, item) in items {
            match item {
                Applied::Put(r) => {
                    let owner = r.data.as_ref().and(r.owner.as_deref());
                    let c = i.cover(&r.tenant, &r.kind, &r.id, owner);
                    if c.pending {
                        i.reread(&r.tenant, &r.kind, &r.id);
                    } else if c.version <= seq {
                        out.push(Applied::Put(r));
                    }
                }
                Applied::Delete { tenant, kind, id } => match i.key(&tenant, &kind, &id) {
                    // Deleted here too, whichever commits last.
                    Some(m) if m.pending > 0 && m.keeping == 0 => {}
                    Some(m) if m.pending > 0 => i.reread(&tenant, &kind, &id),
                    Some(m) if m.version > seq => {}
                    _ => out.push(Applied::Delete { tenant, kind, id }),
                },
                Applied::Reset { tenant, .. } => {
                    let keep = i.keep(Some(&tenant), seq);
                    out.push(Applied::Reset { tenant, keep });
                }
                Applied::ResetAll { .. } => {
                    let keep = i.keep(None, seq);
                    out.push(Applied::ResetAll { keep });
                }
            }
        }
        out
    }

    /// After `items` were applied to memory: marks for rereading the
    /// records they touched that this replica wrote after tick `since`
    /// (the write may have landed before the change it crossed).
    pub(crate) fn collided(&self, since: u64, items: &[Applied]) {
        let mut i = lock(&self.inner);
        if i.tick == since {
            return;
        }
        for item in items {
            match item {
                Applied::Put(r) => {
                    let owner = r.data.as_ref().and(r.owner.as_deref());
                    if i.cover(&r.tenant, &r.kind, &r.id, owner).touched > since {
                        i.reread(&r.tenant, &r.kind, &r.id);
                    }
                }
                Applied::Delete { tenant, kind, id } => {
                    if i.key(tenant, kind, id).is_some_and(|m| m.touched > since) {
                        i.reread(tenant, kind, id);
                    }
                }
                Applied::Reset { tenant, .. } => i.reread_touched(Some(tenant), since),
                Applied::ResetAll { .. } => i.reread_touched(None, since),
            }
        }
    }

    /// The records to read again now: marked, and no write covering them
    /// pending.
    pub(crate) fn rereads(&self) -> Vec<Key> {
        let i = lock(&self.inner);
        i.rereading
            .iter()
            .filter(|key| !i.covered_pending(key))
            .cloned()
            .collect()
    }

    /// A reread taken after tick `since` reached memory; `version`: the
    /// record's sequence number (`None`: not stored). A write of the record
    /// since then leaves it marked for the next reread.
    pub(crate) fn reread_done(&self, (t, k, id): &Key, since: u64, version: Option<i64>) {
        let mut i = lock(&self.inner);
        let m = entry(&mut i.tenant(t).keys, k, id);
        if m.touched > since {
            return;
        }
        m.reread = false;
        if let Some(v) = version {
            m.version = m.version.max(v);
        }
        let version = m.version;
        let key = (t.clone(), k.clone(), id.clone());
        i.rereading.remove(&key);
        i.settling
            .push_back((version, Scope::Key(key.0, key.1, key.2)));
    }

    /// Forgets the marks no fetched change can cross any more: nothing
    /// pending, no reread, and a version the replica has caught up past.
    pub(crate) fn settle(&self, applied: i64) {
        let mut i = lock(&self.inner);
        while i.settling.front().is_some_and(|(v, _)| *v <= applied) {
            if let Some((_, scope)) = i.settling.pop_front() {
                i.forget_idle(&scope, applied);
            }
        }
    }

    /// How many records and scopes are marked (for tests).
    #[cfg(test)]
    fn len(&self) -> usize {
        let i = lock(&self.inner);
        i.tenants
            .values()
            .map(|t| {
                t.keys.values().map(HashMap::len).sum::<usize>()
                    + t.owned.values().map(HashMap::len).sum::<usize>()
                    + usize::from(t.whole.pending > 0 || t.whole.version > 0)
            })
            .sum()
    }
}

#[cfg(test)]
mod tests {
    use super::super::Record;
    use super::*;

    fn put(id: &str) -> Change {
        Change::Put(record(id))
    }

    fn record(id: &str) -> Record {
        Record {
            tenant: "t".into(),
            kind: "k".into(),
            id: id.into(),
            owner: None,
            body: b"{}".to_vec(),
            data: None,
        }
    }

    fn delete(id: &str) -> Applied {
        Applied::Delete {
            tenant: "t".into(),
            kind: "k".into(),
            id: id.into(),
        }
    }

    fn ids(items: &[Applied]) -> Vec<String> {
        items
            .iter()
            .map(|a| match a {
                Applied::Put(r) => format!("put {}", r.id),
                Applied::Delete { id, .. } => format!("delete {id}"),
                Applied::Reset { keep, .. } => format!("reset keeping {}", keep.len()),
                Applied::ResetAll { keep } => format!("reset all keeping {}", keep.len()),
            })
            .collect()
    }

    #[test]
    fn changes_older_than_an_own_commit_are_dropped_and_newer_ones_applied() {
        let own = OwnWrites::default();
        let batch = [put("a")];
        own.submitted(&batch);
        own.finished(&batch, Some(10));
        let out = own.weigh(vec![
            (9, delete("a")),
            (9, Applied::Put(record("a"))),
            (9, delete("b")),
        ]);
        assert_eq!(ids(&out), ["delete b"]);
        let out = own.weigh(vec![(11, delete("a"))]);
        assert_eq!(ids(&out), ["delete a"]);
        assert!(own.rereads().is_empty());
        own.settle(11);
        assert_eq!(own.len(), 0);
    }

    #[test]
    fn a_change_crossing_a_pending_write_is_held_for_a_reread_once_committed() {
        let own = OwnWrites::default();
        let batch = [put("a")];
        own.submitted(&batch);
        assert!(own.weigh(vec![(5, delete("a"))]).is_empty());
        assert!(own.rereads().is_empty(), "the write is still pending");
        own.finished(&batch, Some(6));
        let key: Key = ("t".into(), "k".into(), "a".into());
        assert_eq!(own.rereads(), std::slice::from_ref(&key));
        let since = own.tick();
        own.reread_done(&key, since, Some(6));
        assert!(own.rereads().is_empty());
        own.settle(6);
        assert_eq!(own.len(), 0);
    }

    #[test]
    fn a_delete_crossing_a_pending_delete_needs_no_reread() {
        let own = OwnWrites::default();
        let gone = [Change::Delete {
            tenant: "t".into(),
            kind: "k",
            id: "a".into(),
        }];
        own.submitted(&gone);
        assert!(own.weigh(vec![(5, delete("a"))]).is_empty());
        own.finished(&gone, Some(6));
        assert!(own.rereads().is_empty());
    }

    #[test]
    fn resets_keep_what_this_replica_wrote_after_them_or_is_writing() {
        let own = OwnWrites::default();
        let (a, b, c) = ([put("a")], [put("b")], [put("c")]);
        for batch in [&a, &b, &c] {
            own.submitted(batch);
        }
        own.finished(&a, Some(3));
        own.finished(&b, Some(8));
        let out = own.weigh(vec![(
            5,
            Applied::Reset {
                tenant: "t".into(),
                keep: Vec::new(),
            },
        )]);
        let Applied::Reset { keep, .. } = &out[0] else {
            panic!("{out:?}");
        };
        let mut kept: Vec<&str> = keep.iter().map(|k| k.2.as_str()).collect();
        kept.sort_unstable();
        assert_eq!(kept, ["b", "c"], "a came before the reset");
        own.finished(&c, Some(9));
        assert_eq!(own.rereads(), [("t".into(), "k".into(), "c".into())]);
    }

    #[test]
    fn puts_under_a_pending_reset_or_delete_by_owner_are_held() {
        let own = OwnWrites::default();
        let reset = [Change::DeleteTenant("t".into())];
        own.submitted(&reset);
        assert!(own.weigh(vec![(4, Applied::Put(record("x")))]).is_empty());
        own.finished(&reset, Some(7));
        assert_eq!(own.rereads().len(), 1);
        assert!(own.weigh(vec![(6, Applied::Put(record("y")))]).is_empty());
        assert_eq!(
            ids(&own.weigh(vec![(8, Applied::Put(record("z")))])),
            ["put z"]
        );

        let own = OwnWrites::default();
        let gone = [Change::DeleteOwned {
            tenant: "t".into(),
            kind: "k",
            owner: "o".into(),
        }];
        own.submitted(&gone);
        let mut image = record("img");
        image.owner = Some("o".into());
        let mut other = image.clone();
        other.owner = Some("p".into());
        image.data = Some(axum::body::Bytes::from_static(b"x"));
        other.data = image.data.clone();
        let out = own.weigh(vec![(1, Applied::Put(image)), (2, Applied::Put(other))]);
        assert_eq!(ids(&out), ["put img"], "only the owner's are held");
    }

    #[test]
    fn a_write_landing_while_changes_apply_is_reread() {
        let own = OwnWrites::default();
        let since = own.tick();
        let applied = own.weigh(vec![(3, delete("a"))]);
        own.submitted(&[put("a")]);
        own.collided(since, &applied);
        assert!(own.rereads().is_empty(), "pending");
        own.finished(&[put("a")], Some(4));
        assert_eq!(own.rereads().len(), 1);
        let since = own.tick();
        let key: Key = ("t".into(), "k".into(), "a".into());
        own.submitted(&[put("a")]);
        own.reread_done(&key, since, None);
        own.finished(&[put("a")], Some(5));
        assert_eq!(own.rereads(), [key], "written during the reread: again");
    }
}
