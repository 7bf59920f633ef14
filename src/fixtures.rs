//! Loading scenario fixtures from a directory.
//!
//! Every `*.json` file holds one scenario object or an array of them. Files
//! are read in file-name order, scenarios in file order: that is the catalog
//! order in which fixture match rules are tried. A file that does not parse
//! or validate is an error naming the file and the reason (with line and
//! column for JSON syntax).

use std::path::{Path, PathBuf};
use std::sync::Mutex;

use serde::Serialize;

use crate::scenario::{Catalog, Scenario};

/// What the health endpoint reports about fixtures.
#[derive(Default)]
pub struct Status {
    inner: Mutex<StatusView>,
}

#[derive(Debug, Clone, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct StatusView {
    pub dir: String,
    pub files: usize,
    pub scenarios: usize,
    /// The last reload's error; the previous catalog stays in force.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_error: Option<String>,
    pub reloads: u64,
}

impl Status {
    pub fn view(&self) -> StatusView {
        self.inner.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }

    pub fn update(&self, f: impl FnOnce(&mut StatusView)) {
        f(&mut self.inner.lock().unwrap_or_else(|e| e.into_inner()));
    }
}

/// The `*.json` files of `dir`, sorted by name.
pub fn files(dir: &Path) -> Result<Vec<PathBuf>, String> {
    let rd =
        std::fs::read_dir(dir).map_err(|e| format!("fixtures directory {}: {e}", dir.display()))?;
    let mut files: Vec<PathBuf> = rd
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "json") && p.is_file())
        .collect();
    files.sort();
    Ok(files)
}

/// Parses one fixture file's text.
pub fn parse_file(name: &str, text: &str) -> Result<Vec<Scenario>, String> {
    let value: serde_json::Value = serde_json::from_str(text).map_err(|e| {
        format!(
            "{name}: invalid JSON at line {} column {}: {e}",
            e.line(),
            e.column()
        )
    })?;
    let list = match value {
        serde_json::Value::Array(items) => items,
        other => vec![other],
    };
    list.into_iter()
        .enumerate()
        .map(|(i, v)| {
            let s: Scenario = serde_path_to_error::deserialize(v).map_err(|e| {
                let path = e.path().to_string();
                let at = if path == "." {
                    String::new()
                } else {
                    format!(" at '{path}'")
                };
                format!("{name}: scenario #{}{at}: {}", i + 1, e.into_inner())
            })?;
            validate(&s).map_err(|why| format!("{name}: scenario '{}': {why}", s.name))?;
            Ok(s)
        })
        .collect()
}

/// Checks a scenario beyond its JSON shape.
pub fn validate(s: &Scenario) -> Result<(), String> {
    if s.name.trim().is_empty() {
        return Err("'name' must not be empty".into());
    }
    if !s
        .name
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_' || c == '.')
    {
        return Err("'name' may only contain letters, digits, '-', '_' and '.'".into());
    }
    if let Some(err) = &s.effect.error {
        if !(400..=599).contains(&err.status) {
            return Err(format!(
                "effect.error.status {} is not a 4xx or 5xx status",
                err.status
            ));
        }
    }
    if let Some(b) = &s.effect.breakdown {
        if !b.is_object() {
            return Err("effect.breakdown must be an object".into());
        }
    }
    if let Some(hashes) = &s.rules.image_sha256 {
        for h in hashes.values() {
            if h.len() != 64 || !h.chars().all(|c| c.is_ascii_hexdigit()) {
                return Err(format!("match.imageSha256 '{h}' is not 64 hex characters"));
            }
        }
    }
    Ok(())
}

/// Loads the whole directory into a catalog.
pub fn load(dir: &Path) -> Result<(Catalog, Status), String> {
    let (catalog, files) = load_catalog(dir)?;
    let status = Status::default();
    status.update(|v| {
        v.dir = dir.display().to_string();
        v.files = files;
        v.scenarios = catalog.scenarios.len();
    });
    Ok((catalog, status))
}

/// Reads and validates every file; returns the catalog and the file count.
pub fn load_catalog(dir: &Path) -> Result<(Catalog, usize), String> {
    let files = files(dir)?;
    let mut all = Vec::new();
    for path in &files {
        let name = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|e| format!("{name}: {e}"))?;
        all.extend(parse_file(&name, &text)?);
    }
    let catalog = Catalog::new(all)?;
    Ok((catalog, files.len()))
}

/// A sentence saying how a scenario is triggered, derived from its rules.
pub fn describe_trigger(s: &Scenario) -> String {
    let r = &s.rules;
    let mut parts = Vec::new();
    if let Some(v) = r.vendor {
        parts.push(format!(
            "vendor {}",
            serde_json::to_value(v)
                .unwrap_or_default()
                .as_str()
                .unwrap_or("")
        ));
    }
    if let Some(e) = &r.endpoint {
        parts.push(format!("endpoint {}", e.values().join(" or ")));
    }
    if let Some(t) = &r.check_type {
        parts.push(format!("check type {}", t.values().join(" or ")));
    }
    if let Some(c) = &r.client {
        for (label, v) in [
            ("first name", &c.first_name),
            ("middle name", &c.middle_name),
            ("last name", &c.last_name),
            ("email", &c.email),
            ("externalId", &c.external_id),
        ] {
            if let Some(v) = v {
                parts.push(format!("client {label} '{v}'"));
            }
        }
        if let Some(m) = &c.metadata {
            for (k, v) in m {
                parts.push(format!("client metadata {k}='{v}'"));
            }
        }
    }
    if let Some(h) = &r.header {
        for (k, v) in h {
            parts.push(format!("header {k}: {v}"));
        }
    }
    if let Some(h) = &r.image_sha256 {
        parts.push(format!("an image with SHA-256 {}", h.values().join(" or ")));
    }
    let rules = if parts.is_empty() {
        "no match rules".to_owned()
    } else {
        parts.join(", ")
    };
    format!("{rules}; or header X-Sandbox-Scenario: {}", s.name)
}
