//! Loading scenario fixtures from a directory.
//!
//! Every `*.json` file holds one scenario object or an array of them. Files
//! are read in file-name order, scenarios in file order: that is the catalog
//! order in which fixture match rules are tried. A file that does not parse
//! or validate is an error naming the file and the reason (with line and
//! column for JSON syntax).
//!
//! While the server runs, [`watch`] polls the directory and swaps the whole
//! catalog when a file changes; a broken change keeps the previous catalog
//! and is reported (health turns `degraded`) until it is fixed.

use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::{Duration, SystemTime};

use serde::Serialize;

use crate::scenario::{Catalog, DEFAULT_NAME, Engine, OneOrMany, Scenario};

/// What the health endpoint reports about fixtures.
pub struct Status {
    inner: Mutex<StatusView>,
    /// The directory as last loaded (or last tried).
    seen: Mutex<Fingerprint>,
}

impl Default for Status {
    fn default() -> Self {
        Status {
            inner: Mutex::default(),
            seen: Mutex::new(Ok(Vec::new())),
        }
    }
}

/// Every `*.json` file's path, size and modification time, sorted by path;
/// or why the directory could not be listed.
pub type Fingerprint = Result<Vec<(PathBuf, u64, Option<SystemTime>)>, String>;

/// Takes the directory's [`Fingerprint`].
pub fn fingerprint(dir: &Path) -> Fingerprint {
    files(dir).map(|files| {
        files
            .into_iter()
            .map(|p| {
                let meta = std::fs::metadata(&p).ok();
                let len = meta.as_ref().map_or(0, std::fs::Metadata::len);
                let modified = meta.and_then(|m| m.modified().ok());
                (p, len, modified)
            })
            .collect()
    })
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
    /// Reloads after a change since startup, successful or not.
    pub reloads: u64,
    /// How many of those failed (the previous catalog was kept).
    pub failed_reloads: u64,
    /// Poll interval of the watcher; 0 when the directory is not watched.
    pub watch_interval_ms: u64,
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
        let at = format!(" at line {} column {}", e.line(), e.column());
        let why = e.to_string();
        let why = why.strip_suffix(&at).unwrap_or(&why);
        format!("{name}: invalid JSON{at}: {why}")
    })?;
    let is_array = value.is_array();
    let mut de = serde_json::Deserializer::from_str(text);
    let parsed: Result<Vec<Scenario>, _> = if is_array {
        serde_path_to_error::deserialize(&mut de)
    } else {
        serde_path_to_error::deserialize(&mut de).map(|s| vec![s])
    };
    let list = parsed.map_err(|e| shape_error(name, is_array, &e))?;
    list.into_iter()
        .map(|s| {
            validate(&s).map_err(|why| format!("{name}: scenario '{}': {why}", s.name))?;
            Ok(Scenario {
                file: Some(name.to_owned()),
                ..s
            })
        })
        .collect()
}

/// `f.json: line 3 column 7: scenario #2 at 'match.client.lastname': unknown field …`.
fn shape_error(
    name: &str,
    is_array: bool,
    e: &serde_path_to_error::Error<serde_json::Error>,
) -> String {
    use serde_path_to_error::Segment;
    let inner = e.inner();
    let at = format!(" at line {} column {}", inner.line(), inner.column());
    let why = inner.to_string();
    let why = why.strip_suffix(&at).unwrap_or(&why);
    let mut segments = e.path().iter().peekable();
    let mut index = 1;
    if is_array {
        if let Some(Segment::Seq { index: i }) = segments.peek() {
            index = i + 1;
            segments.next();
        }
    }
    let mut path = String::new();
    for seg in segments {
        match seg {
            Segment::Seq { index } => path.push_str(&format!("[{index}]")),
            Segment::Map { key } | Segment::Enum { variant: key } => {
                if !path.is_empty() {
                    path.push('.');
                }
                path.push_str(key);
            }
            Segment::Unknown => {}
        }
    }
    let field = if path.is_empty() {
        String::new()
    } else {
        format!(" at '{path}'")
    };
    format!(
        "{name}: line {} column {}: scenario #{index}{field}: {why}",
        inner.line(),
        inner.column()
    )
}

/// Checks a scenario beyond its JSON shape. Fixture files and scenarios
/// defined through the admin API go through the same checks.
pub fn validate(s: &Scenario) -> Result<(), String> {
    if s.name.trim().is_empty() {
        return Err("'name' must not be empty".into());
    }
    if s.name.len() > 100 {
        return Err("'name' must be at most 100 characters".into());
    }
    if !s
        .name
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_' || c == '.')
    {
        return Err("'name' may only contain letters, digits, '-', '_' and '.'".into());
    }
    if s.name.eq_ignore_ascii_case(DEFAULT_NAME) {
        return Err(format!(
            "'name' must not be '{DEFAULT_NAME}': it stands for \"no scenario\""
        ));
    }
    if s.description.trim().is_empty() {
        return Err("'description' must say what the scenario is for".into());
    }
    if s.trigger.as_ref().is_some_and(|t| t.trim().is_empty()) {
        return Err("'trigger' must not be empty when present".into());
    }
    validate_rules(s)?;
    validate_effect(s)
}

fn validate_rules(s: &Scenario) -> Result<(), String> {
    let r = &s.rules;
    for (key, list) in [
        ("endpoint", &r.endpoint),
        ("checkType", &r.check_type),
        ("imageSha256", &r.image_sha256),
    ] {
        if let Some(list) = list {
            if matches!(list, OneOrMany::Many(v) if v.is_empty())
                || list.values().iter().any(|v| v.trim().is_empty())
            {
                return Err(format!("match.{key} must not be empty"));
            }
        }
    }
    if let Some(c) = &r.client {
        if *c == crate::scenario::ClientRule::default() {
            return Err("match.client must name at least one client field".into());
        }
    }
    if let Some(headers) = &r.header {
        for name in headers.keys() {
            if axum::http::HeaderName::from_bytes(name.as_bytes()).is_err() {
                return Err(format!("match.header '{name}' is not a valid header name"));
            }
        }
    }
    if let Some(hashes) = &r.image_sha256 {
        for h in hashes.values() {
            if h.len() != 64 || !h.chars().all(|c| c.is_ascii_hexdigit()) {
                return Err(format!("match.imageSha256 '{h}' is not 64 hex characters"));
            }
        }
    }
    Ok(())
}

fn validate_effect(s: &Scenario) -> Result<(), String> {
    let e = &s.effect;
    if e.outcome.as_ref().is_some_and(|o| o.trim().is_empty()) {
        return Err("effect.outcome must not be empty".into());
    }
    if let Some(err) = &e.error {
        if !(400..=599).contains(&err.status) {
            return Err(format!(
                "effect.error.status {} is not a 4xx or 5xx status",
                err.status
            ));
        }
    }
    if let Some(b) = &e.breakdown {
        if !b.is_object() {
            return Err("effect.breakdown must be an object".into());
        }
    }
    if let Some(risk) = &e.risk {
        if !["low", "medium", "high"].contains(&risk.as_str()) {
            return Err(format!(
                "effect.risk '{risk}' must be one of low, medium, high"
            ));
        }
    }
    let sc = &e.scores;
    for (key, value, max) in [
        ("facialSimilarityScore", sc.facial_similarity_score, 100.0),
        ("livenessCheckScore", sc.liveness_check_score, 100.0),
        ("comparison", sc.comparison, 1.0),
        ("liveness", sc.liveness, 1.0),
    ] {
        if let Some(v) = value {
            if !(0.0..=max).contains(&v) {
                return Err(format!(
                    "effect.scores.{key} {v} must be between 0 and {max}"
                ));
            }
        }
    }
    for (key, value) in [
        ("latencyMs", e.latency_ms),
        ("completionDelayMs", e.completion_delay_ms),
    ] {
        if value.is_some_and(|v| v > MAX_DELAY_MS) {
            return Err(format!(
                "effect.{key} must be at most {MAX_DELAY_MS} (one hour)"
            ));
        }
    }
    Ok(())
}

/// The longest latency or completion delay a scenario may ask for.
const MAX_DELAY_MS: u64 = 3_600_000;

/// Loads the whole directory into a catalog.
pub fn load(dir: &Path) -> Result<(Catalog, Status), String> {
    let seen = fingerprint(dir);
    let (catalog, files) = load_catalog(dir)?;
    let status = Status::default();
    status.update(|v| {
        v.dir = dir.display().to_string();
        v.files = files;
        v.scenarios = catalog.scenarios.len();
    });
    *status.seen.lock().unwrap_or_else(|e| e.into_inner()) = seen;
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

/// Reloads the directory if it changed since it was last seen: a good
/// catalog replaces the engine's at once; a broken one is logged and
/// reported, and the engine keeps the previous catalog. Returns whether
/// anything changed.
pub fn reload_if_changed(dir: &Path, engine: &Engine, status: &Status) -> bool {
    let now = fingerprint(dir);
    {
        let mut seen = status.seen.lock().unwrap_or_else(|e| e.into_inner());
        if *seen == now {
            return false;
        }
        *seen = now;
    }
    match load_catalog(dir) {
        Ok((catalog, files)) => {
            let scenarios = catalog.scenarios.len();
            engine.replace_catalog(catalog);
            status.update(|v| {
                v.files = files;
                v.scenarios = scenarios;
                v.last_error = None;
                v.reloads += 1;
            });
            tracing::info!(files, scenarios, "fixtures reloaded");
        }
        Err(error) => {
            tracing::warn!(%error, "fixtures changed but do not load; keeping the previous catalog");
            status.update(|v| {
                v.last_error = Some(error);
                v.reloads += 1;
                v.failed_reloads += 1;
            });
        }
    }
    true
}

/// Polls `dir` every `every` and reloads on change, until the task is
/// dropped. Directory reads run on the blocking pool.
pub async fn watch(dir: PathBuf, every: Duration, core: std::sync::Arc<crate::app::Core>) {
    core.fixtures.update(|v| {
        v.watch_interval_ms = u64::try_from(every.as_millis()).unwrap_or(u64::MAX);
    });
    let mut tick = tokio::time::interval(every);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tick.tick().await;
        let (dir, core) = (dir.clone(), core.clone());
        let polled = tokio::task::spawn_blocking(move || {
            reload_if_changed(&dir, &core.scenarios, &core.fixtures)
        })
        .await;
        if let Err(e) = polled {
            tracing::warn!(error = %e, "fixture watcher poll failed");
        }
    }
}

/// A sentence saying how a scenario is triggered, derived from its rules.
pub fn describe_trigger(s: &Scenario) -> String {
    format!(
        "{}; or header X-Sandbox-Scenario: {}",
        describe_rules(s),
        s.name
    )
}

/// The match rules in words (`no match rules` when there are none).
pub fn describe_rules(s: &Scenario) -> String {
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
    if parts.is_empty() {
        "no match rules".to_owned()
    } else {
        parts.join(", ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = r#"{"name":"a","description":"d","match":{"client":{"lastName":"a"}}}"#;

    fn dir_with(files: &[(&str, &str)]) -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        for (name, text) in files {
            std::fs::write(dir.path().join(name), text).unwrap();
        }
        dir
    }

    fn load_err(files: &[(&str, &str)]) -> String {
        let dir = dir_with(files);
        let err = load(dir.path()).err().expect("load fails");
        let prefix = format!("{}/", dir.path().display());
        err.replace(&prefix, "")
    }

    #[test]
    fn startup_errors_name_the_file_and_the_reason() {
        let cases: &[(&[(&str, &str)], &str)] = &[
            (
                &[("bad.json", "[\n  {\"name\": \"x\",\n  }\n]")],
                "bad.json: invalid JSON at line 3 column 3: trailing comma",
            ),
            (
                &[("k.json", r#"{"name":"x","description":"d","efect":{}}"#)],
                "k.json: line 1 column 37: scenario #1 at 'efect': unknown field `efect`, expected one of `name`, `description`, `trigger`, `match`, `effect`",
            ),
            (
                &[(
                    "k.json",
                    r#"[{"name":"ok","description":"d"},{"name":"x","description":"d","match":{"client":{"lastname":"x"}}}]"#,
                )],
                "k.json: line 1 column 92: scenario #2 at 'match.client.lastname': unknown field `lastname`, expected one of `firstName`, `middleName`, `lastName`, `email`, `externalId`, `metadata`",
            ),
            (
                &[("a.json", GOOD), ("b.json", GOOD)],
                "b.json: scenario name 'a' is already defined in a.json",
            ),
            (
                &[(
                    "s.json",
                    r#"{"name":"x","description":"d","effect":{"status":"done"}}"#,
                )],
                "s.json: line 1 column 55: scenario #1 at 'effect.status': unknown variant `done`, expected `complete` or `failed`",
            ),
            (
                &[(
                    "e.json",
                    r#"{"name":"x","description":"d","effect":{"error":{"status":200}}}"#,
                )],
                "e.json: scenario 'x': effect.error.status 200 is not a 4xx or 5xx status",
            ),
            (
                &[(
                    "h.json",
                    r#"{"name":"x","description":"d","match":{"imageSha256":"abc"}}"#,
                )],
                "h.json: scenario 'x': match.imageSha256 'abc' is not 64 hex characters",
            ),
            (
                &[(
                    "t.json",
                    r#"{"name":"x","description":"d","effect":{"latencyMs":"slow"}}"#,
                )],
                "t.json: line 1 column 58: scenario #1 at 'effect.latencyMs': invalid type: string \"slow\", expected u64",
            ),
            (
                &[("m.json", r#"{"description":"d"}"#)],
                "m.json: line 1 column 19: scenario #1: missing field `name`",
            ),
        ];
        for (files, want) in cases {
            assert_eq!(load_err(files), *want);
        }
    }

    #[test]
    fn validation_rejects_what_could_never_work() {
        let cases = [
            (
                r#"{"name":"","description":"d"}"#,
                "'name' must not be empty",
            ),
            (
                r#"{"name":"a b","description":"d"}"#,
                "'name' may only contain",
            ),
            (
                r#"{"name":"Default","description":"d"}"#,
                "must not be 'default'",
            ),
            (
                r#"{"name":"x","description":" "}"#,
                "'description' must say",
            ),
            (
                r#"{"name":"x","description":"d","trigger":""}"#,
                "'trigger' must not be empty",
            ),
            (
                r#"{"name":"x","description":"d","match":{"endpoint":[]}}"#,
                "match.endpoint must not be empty",
            ),
            (
                r#"{"name":"x","description":"d","match":{"client":{}}}"#,
                "match.client must name",
            ),
            (
                r#"{"name":"x","description":"d","match":{"header":{"bad header":"1"}}}"#,
                "not a valid header name",
            ),
            (
                r#"{"name":"x","description":"d","effect":{"breakdown":[1]}}"#,
                "effect.breakdown must be an object",
            ),
            (
                r#"{"name":"x","description":"d","effect":{"risk":"extreme"}}"#,
                "effect.risk 'extreme'",
            ),
            (
                r#"{"name":"x","description":"d","effect":{"outcome":""}}"#,
                "effect.outcome must not be empty",
            ),
            (
                r#"{"name":"x","description":"d","effect":{"scores":{"facialSimilarityScore":101}}}"#,
                "between 0 and 100",
            ),
            (
                r#"{"name":"x","description":"d","effect":{"scores":{"comparison":1.5}}}"#,
                "between 0 and 1",
            ),
            (
                r#"{"name":"x","description":"d","effect":{"latencyMs":3600001}}"#,
                "at most 3600000",
            ),
        ];
        for (text, want) in cases {
            let err = parse_file("f.json", text).unwrap_err();
            assert!(err.contains(want), "{text}: {err}");
            assert!(err.starts_with("f.json: "), "{err}");
        }
    }

    #[test]
    fn a_file_holds_one_scenario_or_an_array_in_catalog_order() {
        let dir = dir_with(&[
            ("b.json", r#"{"name":"third","description":"d"}"#),
            (
                "a.json",
                r#"[{"name":"first","description":"d"},{"name":"second","description":"d"}]"#,
            ),
            ("notes.txt", "not a fixture"),
        ]);
        let (catalog, status) = load(dir.path()).unwrap();
        let names: Vec<&str> = catalog.scenarios.iter().map(|s| s.name.as_str()).collect();
        assert_eq!(names, ["first", "second", "third"]);
        assert_eq!((status.view().files, status.view().scenarios), (2, 3));
        assert!(
            catalog.scenarios[2]
                .file
                .as_deref()
                .unwrap()
                .ends_with("b.json")
        );
    }

    #[test]
    fn reload_swaps_good_changes_and_keeps_the_catalog_on_broken_ones() {
        let dir = dir_with(&[("a.json", GOOD)]);
        let (catalog, status) = load(dir.path()).unwrap();
        let engine = Engine::new(catalog);
        assert!(
            !reload_if_changed(dir.path(), &engine, &status),
            "nothing changed"
        );

        std::fs::write(
            dir.path().join("b.json"),
            r#"{"name":"b","description":"d"}"#,
        )
        .unwrap();
        assert!(reload_if_changed(dir.path(), &engine, &status));
        assert!(engine.catalog().get("b").is_some());
        assert_eq!(status.view().reloads, 1);

        std::fs::write(dir.path().join("b.json"), "{").unwrap();
        assert!(reload_if_changed(dir.path(), &engine, &status));
        let v = status.view();
        assert!(
            v.last_error
                .as_deref()
                .unwrap()
                .contains("b.json: invalid JSON"),
            "{v:?}"
        );
        assert_eq!((v.reloads, v.failed_reloads, v.scenarios), (2, 1, 2));
        assert!(engine.catalog().get("b").is_some(), "previous catalog kept");

        std::fs::remove_file(dir.path().join("b.json")).unwrap();
        assert!(reload_if_changed(dir.path(), &engine, &status));
        let v = status.view();
        assert_eq!((v.last_error, v.scenarios, v.files), (None, 1, 1));
        assert!(engine.catalog().get("b").is_none());
    }

    #[test]
    fn derived_triggers_read_as_a_sentence() {
        let s = &parse_file(
            "f.json",
            r#"{"name":"x","description":"d","match":{"vendor":"complycube","checkType":"identity_check","client":{"lastName":"face-mismatch"}}}"#,
        )
        .unwrap()[0];
        assert_eq!(
            describe_trigger(s),
            "vendor complycube, check type identity_check, client last name 'face-mismatch'; or header X-Sandbox-Scenario: x"
        );
    }
}
