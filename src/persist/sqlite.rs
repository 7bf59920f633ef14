//! The SQLite backend: one file, WAL mode, one writer thread that groups
//! whatever batches arrive while the previous commit runs into a single
//! transaction.
//!
//! The file records its schema version (`PRAGMA user_version`) and that it
//! is ours (`PRAGMA application_id`); migrations are embedded and run at
//! startup. The connection takes an exclusive lock, so a second process on
//! the same file is refused at startup instead of corrupting it.
//!
//! Durability: WAL with `synchronous=NORMAL` makes every committed
//! transaction survive a crash of this process (`kill -9`); a power loss
//! may lose the last commits (see the README).

use std::path::Path;
use std::sync::mpsc;
use std::sync::{Arc, Mutex};

use axum::body::Bytes;
use rusqlite::{Connection, ErrorCode, OpenFlags, params};

use super::{Ack, Change, CommitError, Job, Record, StoreStatus, lock};

/// `PRAGMA application_id` of a kyc-sandbox store ("kycs").
const APPLICATION_ID: i32 = 0x6B79_6373;

/// Schema migrations, in order; the file's `user_version` counts those applied.
const MIGRATIONS: &[&str] = &["CREATE TABLE records (
        seq INTEGER PRIMARY KEY,
        tenant TEXT NOT NULL,
        kind TEXT NOT NULL,
        id TEXT NOT NULL,
        owner TEXT,
        body BLOB NOT NULL,
        data BLOB
    );
    CREATE UNIQUE INDEX records_key ON records (tenant, kind, id);
    CREATE INDEX records_owned ON records (tenant, owner) WHERE data IS NOT NULL;"];

/// Most batches one transaction groups.
const GROUP_MAX: usize = 1024;

/// How long a commit that already groups several batches waits for more.
const GROUP_WAIT: std::time::Duration = std::time::Duration::from_micros(200);

/// Hands batches to the writer thread, in order. Dropping it lets the
/// thread finish what is queued and close the file (which checkpoints the
/// WAL into it).
pub(super) struct Writer {
    tx: Mutex<Option<mpsc::Sender<Job>>>,
    thread: Mutex<Option<std::thread::JoinHandle<()>>>,
}

impl Writer {
    pub(super) fn submit(&self, changes: Vec<Change>) -> Ack {
        let (done, rx) = tokio::sync::oneshot::channel();
        let sent = match lock(&self.tx).as_ref() {
            Some(tx) => tx
                .send((changes, done))
                .map_err(|mpsc::SendError((_, d))| d),
            None => Err(done),
        };
        if let Err(done) = sent {
            let _ = done.send(Err(CommitError("the store writer stopped".into())));
        }
        Ack::one(rx)
    }
}

impl Drop for Writer {
    fn drop(&mut self) {
        lock(&self.tx).take();
        if let Some(t) = lock(&self.thread).take() {
            let _ = t.join();
        }
    }
}

/// Opens (creating if missing) and checks the file, migrates it, loads
/// every record and starts the writer thread. Every refusal is one line
/// naming the file and the problem; nothing is written to a file refused.
pub(super) fn open(
    path: &Path,
    status: Arc<Mutex<StoreStatus>>,
) -> Result<(Writer, Vec<Record>), String> {
    let name = path.display().to_string();
    let fail = |why: String| format!("{name}: {why}");
    let conn = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_WRITE
            | OpenFlags::SQLITE_OPEN_CREATE
            | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .map_err(|e| fail(format!("cannot open for writing: {}", describe(&e))))?;
    conn.busy_timeout(std::time::Duration::ZERO)
        .map_err(|e| fail(describe(&e)))?;
    // Reading the header first: a file that is not SQLite, or not ours, or
    // from a newer version, is refused before anything is written to it.
    let read = |sql: &str| -> Result<i64, String> {
        conn.query_row(sql, [], |r| r.get::<_, i64>(0))
            .map_err(|e| match e.sqlite_error_code() {
                Some(ErrorCode::NotADatabase) => {
                    "is not a kyc-sandbox store (not an SQLite database, or corrupt)".to_owned()
                }
                Some(ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked) => {
                    "is in use by another running kyc-sandbox".to_owned()
                }
                _ => describe(&e),
            })
            .map_err(fail)
    };
    let app_id = read("PRAGMA application_id")?;
    let version = read("PRAGMA user_version")?;
    let tables = read("SELECT count(*) FROM sqlite_master")?;
    let fresh = app_id == 0 && version == 0 && tables == 0;
    if !fresh && app_id != i64::from(APPLICATION_ID) {
        return Err(fail(
            "is not a kyc-sandbox store (an SQLite database written by something else)".into(),
        ));
    }
    let known = MIGRATIONS.len() as i64;
    if version > known {
        return Err(fail(format!(
            "was written by a newer kyc-sandbox (schema version {version}; this build reads up to {known})"
        )));
    }
    // Exclusive: a second process on this file gets "busy" from here on.
    let lock_err = |e: rusqlite::Error| match e.sqlite_error_code() {
        Some(ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked) => {
            fail("is in use by another running kyc-sandbox".into())
        }
        Some(ErrorCode::ReadOnly | ErrorCode::CannotOpen | ErrorCode::PermissionDenied) => {
            fail(format!("cannot be written: {}", describe(&e)))
        }
        _ => fail(describe(&e)),
    };
    conn.pragma_update(None, "locking_mode", "EXCLUSIVE")
        .map_err(lock_err)?;
    conn.query_row("PRAGMA journal_mode = WAL", [], |r| r.get::<_, String>(0))
        .map_err(lock_err)?;
    conn.pragma_update(None, "synchronous", "NORMAL")
        .map_err(lock_err)?;
    // A larger page cache and fewer, larger checkpoints keep inserts cheap
    // under sustained load.
    conn.pragma_update(None, "cache_size", -32_768)
        .map_err(lock_err)?;
    conn.pragma_update(None, "wal_autocheckpoint", 8_192)
        .map_err(lock_err)?;
    conn.execute_batch("BEGIN EXCLUSIVE; COMMIT;")
        .map_err(lock_err)?;
    migrate(&conn, version).map_err(lock_err)?;
    let records = load(&conn).map_err(|e| fail(format!("cannot be read: {}", describe(&e))))?;

    let (tx, rx) = mpsc::channel::<Job>();
    let thread = std::thread::Builder::new()
        .name("kyc-sandbox-store".into())
        .spawn(move || write_loop(conn, rx, status))
        .map_err(|e| fail(format!("cannot start the writer: {e}")))?;
    Ok((
        Writer {
            tx: Mutex::new(Some(tx)),
            thread: Mutex::new(Some(thread)),
        },
        records,
    ))
}

fn describe(e: &rusqlite::Error) -> String {
    match e {
        rusqlite::Error::SqliteFailure(err, Some(msg)) => format!("{msg} ({:?})", err.code),
        other => other.to_string(),
    }
}

fn migrate(conn: &Connection, from: i64) -> rusqlite::Result<()> {
    let from = usize::try_from(from).unwrap_or(0);
    for (i, sql) in MIGRATIONS.iter().enumerate().skip(from) {
        conn.execute_batch(&format!(
            "BEGIN; {sql}; PRAGMA application_id = {APPLICATION_ID}; PRAGMA user_version = {}; COMMIT;",
            i + 1
        ))?;
    }
    Ok(())
}

fn load(conn: &Connection) -> rusqlite::Result<Vec<Record>> {
    let mut stmt =
        conn.prepare("SELECT tenant, kind, id, owner, body, data FROM records ORDER BY seq")?;
    let rows = stmt.query_map([], |r| {
        Ok(Record {
            tenant: r.get(0)?,
            kind: r.get(1)?,
            id: r.get(2)?,
            owner: r.get(3)?,
            body: r.get(4)?,
            data: r.get::<_, Option<Vec<u8>>>(5)?.map(Bytes::from),
        })
    })?;
    rows.collect()
}

/// Waits for a batch, takes whatever else is already queued, commits them
/// as one transaction and answers each.
fn write_loop(mut conn: Connection, rx: mpsc::Receiver<Job>, status: Arc<Mutex<StoreStatus>>) {
    while let Ok(first) = rx.recv() {
        let mut jobs = vec![first];
        let drain = |jobs: &mut Vec<Job>| {
            while jobs.len() < GROUP_MAX {
                match rx.try_recv() {
                    Ok(job) => jobs.push(job),
                    Err(_) => break,
                }
            }
        };
        drain(&mut jobs);
        // Under load, let the writes that are on their way join this
        // commit: one transaction and one round of wake-ups for all of them.
        if jobs.len() > 1 && jobs.len() < GROUP_MAX {
            std::thread::sleep(GROUP_WAIT);
            drain(&mut jobs);
        }
        let result = commit(&mut conn, &jobs).map_err(|e| CommitError(describe(&e)));
        {
            let mut s = lock(&status);
            match &result {
                Ok(()) => s.commits += 1,
                Err(e) => {
                    tracing::error!(error = %e.0, "the store could not commit");
                    s.last_error = Some(e.0.clone());
                }
            }
        }
        for (_, done) in jobs {
            let _ = done.send(result.clone());
        }
    }
}

fn commit(conn: &mut Connection, jobs: &[Job]) -> rusqlite::Result<()> {
    let tx = conn.transaction()?;
    {
        let mut put = tx.prepare_cached(
            "INSERT INTO records (tenant, kind, id, owner, body, data) VALUES (?1, ?2, ?3, ?4, ?5, ?6)
             ON CONFLICT (tenant, kind, id) DO UPDATE
             SET owner = excluded.owner, body = excluded.body, data = excluded.data",
        )?;
        let mut delete =
            tx.prepare_cached("DELETE FROM records WHERE tenant = ?1 AND kind = ?2 AND id = ?3")?;
        let mut delete_owned = tx
            .prepare_cached("DELETE FROM records WHERE tenant = ?1 AND kind = ?2 AND owner = ?3")?;
        let mut delete_tenant = tx.prepare_cached("DELETE FROM records WHERE tenant = ?1")?;
        for (changes, _) in jobs {
            for change in changes {
                match change {
                    // A countdown use: one writer, so nothing can have
                    // changed the record meanwhile.
                    Change::Put(r) | Change::Consume { after: Some(r), .. } => {
                        put.execute(params![
                            r.tenant,
                            r.kind,
                            r.id,
                            r.owner,
                            r.body,
                            r.data.as_deref()
                        ])?;
                    }
                    Change::Delete { tenant, kind, id } => {
                        delete.execute(params![tenant, kind, id])?;
                    }
                    Change::DeleteOwned {
                        tenant,
                        kind,
                        owner,
                    } => {
                        delete_owned.execute(params![tenant, kind, owner])?;
                    }
                    Change::Consume {
                        tenant,
                        kind,
                        id,
                        after: None,
                        ..
                    } => {
                        delete.execute(params![tenant, kind, id])?;
                    }
                    Change::DeleteTenant(tenant) => {
                        delete_tenant.execute(params![tenant])?;
                    }
                    Change::DeleteAll => {
                        tx.execute("DELETE FROM records", [])?;
                    }
                }
            }
        }
    }
    tx.commit()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::persist::{Durable, StoreSpec};

    fn status() -> Arc<Mutex<StoreStatus>> {
        Arc::new(Mutex::new(StoreStatus::default()))
    }

    #[tokio::test]
    async fn records_round_trip_in_order_and_updates_keep_their_place() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("s.db");
        {
            let (d, loaded) = Durable::open(
                &StoreSpec::Sqlite(path.clone()),
                std::time::Duration::ZERO,
                0,
            )
            .unwrap();
            assert!(loaded.is_empty());
            let mut b = d.batch();
            b.put("t", "k", "1", None, &serde_json::json!({"v": 1}), None);
            b.put(
                "t",
                "k",
                "2",
                Some("o"),
                &serde_json::json!({"v": 2}),
                Some(Bytes::from_static(b"\0img")),
            );
            d.submit(b).wait().await.unwrap();
            let mut b = d.batch();
            b.put("t", "k", "1", None, &serde_json::json!({"v": 3}), None);
            b.put("u", "k", "9", None, &serde_json::json!({}), None);
            d.submit(b).wait().await.unwrap();
            let mut b = d.batch();
            b.push(Change::DeleteTenant("u".into()));
            d.submit(b).wait().await.unwrap();
        }
        // The writer thread closes the file once every handle is gone.
        let (_, loaded) = loop {
            match Durable::open(
                &StoreSpec::Sqlite(path.clone()),
                std::time::Duration::ZERO,
                0,
            ) {
                Ok(x) => break x,
                Err(e) if e.contains("in use") => {
                    tokio::time::sleep(std::time::Duration::from_millis(10)).await
                }
                Err(e) => panic!("{e}"),
            }
        };
        let ids: Vec<&str> = loaded.iter().map(|r| r.id.as_str()).collect();
        assert_eq!(
            ids,
            ["1", "2"],
            "updates keep their place; the reset tenant is gone"
        );
        assert_eq!(loaded[0].body, br#"{"v":3}"#);
        assert_eq!(loaded[1].data.as_deref(), Some(b"\0img".as_slice()));
        assert_eq!(loaded[1].owner.as_deref(), Some("o"));
    }

    #[test]
    fn refused_files_name_the_problem_and_stay_untouched() {
        let dir = tempfile::tempdir().unwrap();
        let junk = dir.path().join("junk.db");
        std::fs::write(
            &junk,
            b"this is not a database at all, just some bytes .....",
        )
        .unwrap();
        let before = std::fs::read(&junk).unwrap();
        let err = open(&junk, status()).err().unwrap();
        assert!(
            err.starts_with(&format!("{}: is not a kyc-sandbox store", junk.display())),
            "{err}"
        );
        assert_eq!(std::fs::read(&junk).unwrap(), before);

        let other = dir.path().join("other.db");
        Connection::open(&other)
            .unwrap()
            .execute_batch("CREATE TABLE t (x)")
            .unwrap();
        let err = open(&other, status()).err().unwrap();
        assert!(err.contains("written by something else"), "{err}");

        let newer = dir.path().join("newer.db");
        let c = Connection::open(&newer).unwrap();
        c.execute_batch(&format!(
            "PRAGMA application_id = {APPLICATION_ID}; PRAGMA user_version = 99; CREATE TABLE t (x);"
        ))
        .unwrap();
        drop(c);
        let err = open(&newer, status()).err().unwrap();
        assert!(
            err.contains("newer kyc-sandbox (schema version 99"),
            "{err}"
        );
    }
}
