//! The PostgreSQL schema: embedded, versioned migrations run at startup.
//!
//! `kyc_schema` holds the version reached. Migrating takes a transaction-
//! scoped advisory lock first, so replicas starting together migrate once:
//! the second waits, then finds nothing left to do.

use tokio_postgres::Client;

/// The advisory lock key migrations hold ("kycs" + 1).
const MIGRATION_LOCK: i64 = 0x6B79_6373_0001;

/// Schema migrations, in order; `kyc_schema.version` counts those applied.
///
/// `kyc_records` holds every record with the change that first wrote it
/// (`pos`, which orders records as SQLite's rowid does) and the last one
/// (`seq`); `kyc_changes` logs the changes that remove records (`delete`,
/// `reset` of a tenant, `reset_all`). One sequence numbers both, so the
/// records written and the removals logged after a number are everything
/// other replicas have to apply (see the second migration).
const MIGRATIONS: &[&str] = &[
    "CREATE TABLE kyc_changes (
        seq bigserial PRIMARY KEY,
        tenant text,
        kind text,
        id text,
        op text NOT NULL,
        origin text NOT NULL
    );
    CREATE TABLE kyc_records (
        tenant text NOT NULL,
        kind text NOT NULL,
        id text NOT NULL,
        owner text,
        body bytea NOT NULL,
        data bytea,
        pos bigint NOT NULL,
        seq bigint NOT NULL,
        origin text NOT NULL,
        PRIMARY KEY (tenant, kind, id)
    );
    CREATE INDEX kyc_records_pos ON kyc_records (pos);
    CREATE INDEX kyc_records_owned ON kyc_records (tenant, kind, owner) WHERE owner IS NOT NULL;",
    // A put is found by its record's own sequence number (no log entry:
    // one row and two index entries less per write); the log keeps what
    // leaves no record behind (deletes and resets), and `kyc_log_floor`
    // says below which sequence number it was trimmed (finding the log's
    // first entry would walk past every index entry trimming left dead).
    // Records load in `pos` order sorted by the loader, not by an index.
    // Keys compare bytewise (the database's locale would make every index
    // comparison a locale-aware one), and only records carrying bytes are
    // found by owner (a deleted document's images).
    "CREATE TABLE kyc_log_floor (below bigint NOT NULL);
    INSERT INTO kyc_log_floor SELECT coalesce(min(seq), 0) FROM kyc_changes;
    DELETE FROM kyc_changes WHERE op = 'put';
    ALTER TABLE kyc_records
        ALTER COLUMN tenant TYPE text COLLATE \"C\",
        ALTER COLUMN kind TYPE text COLLATE \"C\",
        ALTER COLUMN id TYPE text COLLATE \"C\",
        ALTER COLUMN owner TYPE text COLLATE \"C\",
        ALTER COLUMN origin TYPE text COLLATE \"C\";
    ALTER TABLE kyc_changes
        ALTER COLUMN tenant TYPE text COLLATE \"C\",
        ALTER COLUMN kind TYPE text COLLATE \"C\",
        ALTER COLUMN id TYPE text COLLATE \"C\",
        ALTER COLUMN origin TYPE text COLLATE \"C\";
    DROP INDEX kyc_records_pos;
    CREATE INDEX kyc_records_seq ON kyc_records (seq);
    DROP INDEX kyc_records_owned;
    CREATE INDEX kyc_records_owned ON kyc_records (tenant, owner) WHERE data IS NOT NULL;",
];

/// Brings the schema up to this build's version; refuses a database a
/// newer build migrated further.
pub(super) async fn migrate(client: &mut Client) -> Result<(), String> {
    let describe = |e: tokio_postgres::Error| super::describe(&e);
    let tx = client.transaction().await.map_err(describe)?;
    tx.execute("SELECT pg_advisory_xact_lock($1)", &[&MIGRATION_LOCK])
        .await
        .map_err(describe)?;
    tx.batch_execute("CREATE TABLE IF NOT EXISTS kyc_schema (version integer NOT NULL)")
        .await
        .map_err(describe)?;
    let row = tx
        .query_opt("SELECT version FROM kyc_schema", &[])
        .await
        .map_err(describe)?;
    let version = match row {
        Some(r) => r.get::<_, i32>(0),
        None => {
            tx.execute("INSERT INTO kyc_schema (version) VALUES (0)", &[])
                .await
                .map_err(describe)?;
            0
        }
    };
    let known = MIGRATIONS.len() as i32;
    if version > known {
        return Err(format!(
            "was migrated by a newer kyc-sandbox (schema version {version}; this build reads up to {known})"
        ));
    }
    for (i, sql) in MIGRATIONS.iter().enumerate().skip(version as usize) {
        tx.batch_execute(sql).await.map_err(describe)?;
        tx.execute("UPDATE kyc_schema SET version = $1", &[&(i as i32 + 1)])
            .await
            .map_err(describe)?;
    }
    tx.commit().await.map_err(describe)
}
