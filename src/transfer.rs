//! Tenant export and import: one JSON document holding everything a tenant
//! owns (resources with their ids, images as base64, webhooks, clock, armed
//! scenarios, fault profile), loadable into any tenant of any sandbox —
//! with or without durable storage. `--seed FILE` imports one at startup.

use base64::Engine as _;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::core::Core;
use crate::persist::{Ack, Change, Record};
use crate::scenario::stored as stored_scenarios;

/// What the document calls itself.
const FORMAT: &str = "kyc-sandbox.tenant";
const VERSION: u32 = 1;

#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub(crate) struct Document {
    format: String,
    version: u32,
    /// The tenant it was exported from (where `--seed` imports it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) tenant: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    exported_at: Option<String>,
    records: Vec<StoredRecord>,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct StoredRecord {
    kind: String,
    id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    owner: Option<String>,
    body: Value,
    /// Raw bytes (image data), base64.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    data: Option<String>,
}

impl Document {
    /// How many records it holds.
    pub(crate) fn len(&self) -> usize {
        self.records.len()
    }
}

/// The tenant as one document.
pub(crate) fn export(core: &Core, tenant: &str, at: String) -> Document {
    let records = core
        .export(tenant)
        .into_iter()
        .map(|r| StoredRecord {
            body: serde_json::from_slice(&r.body).unwrap_or(Value::Null),
            data: r
                .data
                .map(|d| base64::engine::general_purpose::STANDARD.encode(d)),
            kind: r.kind,
            id: r.id,
            owner: r.owner,
        })
        .collect();
    Document {
        format: FORMAT.to_owned(),
        version: VERSION,
        tenant: Some(tenant.to_owned()),
        exported_at: Some(at),
        records,
    }
}

/// Why an import was refused.
#[derive(Debug)]
pub(crate) enum ImportError {
    /// The document is not an export (or a record in it does not load).
    Invalid(String),
    /// These records exist already and `replace` was not asked for.
    Collision(Vec<String>),
}

/// Records of `doc` re-homed to `tenant`.
fn records(doc: Document, tenant: &str) -> Result<Vec<Record>, ImportError> {
    if doc.format != FORMAT {
        return Err(ImportError::Invalid(format!(
            "'format' must be '{FORMAT}', not '{}'",
            doc.format
        )));
    }
    if doc.version != VERSION {
        return Err(ImportError::Invalid(format!(
            "'version' {} is not one this sandbox reads ({VERSION})",
            doc.version
        )));
    }
    doc.records
        .into_iter()
        .enumerate()
        .map(|(i, r)| {
            let data = match r.data {
                Some(d) => Some(
                    base64::engine::general_purpose::STANDARD
                        .decode(d)
                        .map_err(|e| {
                            ImportError::Invalid(format!("'records[{i}].data' is not base64: {e}"))
                        })?
                        .into(),
                ),
                None => None,
            };
            let shared = r.kind == stored_scenarios::KIND;
            Ok(Record {
                tenant: if shared {
                    stored_scenarios::SHARED.to_owned()
                } else {
                    tenant.to_owned()
                },
                body: serde_json::to_vec(&r.body).unwrap_or_default(),
                kind: r.kind,
                id: r.id,
                owner: r.owner,
                data,
            })
        })
        .collect()
}

/// Loads a document into `tenant`. Ids that exist already are a collision
/// unless `replace`, which first forgets the tenant. The document is tried
/// on a scratch tenant first, so a document that does not load changes
/// nothing. Returns the commit to wait for.
pub(crate) fn import(
    core: &Core,
    tenant: &str,
    doc: Document,
    replace: bool,
) -> Result<Ack, ImportError> {
    let scratch = format!("\u{0}import-check-{}", uuid::Uuid::new_v4().simple());
    let trial = records(doc_clone(&doc), &scratch)?;
    let tried = core.restore(&trial);
    for part in core.parts() {
        part.reset_tenant(&scratch);
    }
    tried.map_err(ImportError::Invalid)?;

    let incoming = records(doc, tenant)?;
    if !replace {
        let taken: Vec<String> = core
            .collisions(&incoming)
            .iter()
            .map(|r| format!("{} {}", r.kind, r.id))
            .collect();
        if !taken.is_empty() {
            return Err(ImportError::Collision(taken));
        }
    }
    let mut batch = core.durable.batch();
    if replace {
        batch.push(Change::DeleteTenant(tenant.to_owned()));
        for part in core.parts() {
            part.reset_tenant(tenant);
        }
    }
    core.restore(&incoming).map_err(ImportError::Invalid)?;
    for r in incoming {
        batch.push(Change::Put(r));
    }
    Ok(core.durable.submit(batch))
}

fn doc_clone(d: &Document) -> Document {
    Document {
        format: d.format.clone(),
        version: d.version,
        tenant: d.tenant.clone(),
        exported_at: d.exported_at.clone(),
        records: d
            .records
            .iter()
            .map(|r| StoredRecord {
                kind: r.kind.clone(),
                id: r.id.clone(),
                owner: r.owner.clone(),
                body: r.body.clone(),
                data: r.data.clone(),
            })
            .collect(),
    }
}

/// `--seed FILE`: a document imported at startup into the tenant it names,
/// replacing what that tenant held.
pub(crate) fn seed(core: &Core, path: &std::path::Path) -> Result<(String, Ack), String> {
    let name = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|e| format!("{name}: {e}"))?;
    let doc: Document = serde_json::from_str(&text).map_err(|e| format!("{name}: {e}"))?;
    let tenant = doc
        .tenant
        .clone()
        .filter(|t| !t.trim().is_empty())
        .ok_or_else(|| format!("{name}: 'tenant' must name the tenant to seed"))?;
    match import(core, &tenant, doc, true) {
        Ok(ack) => Ok((tenant, ack)),
        Err(ImportError::Invalid(why)) => Err(format!("{name}: {why}")),
        Err(ImportError::Collision(_)) => Err(format!("{name}: ids collide")),
    }
}
