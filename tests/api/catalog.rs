//! The shipped fixture catalog read as users write it: the fixture files'
//! JSON, in the documented format (the sandbox itself validates them when
//! it starts, which every test does).

use std::path::PathBuf;

use serde::Deserialize;
use serde_json::Value;

#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub(crate) enum OneOrMany {
    One(String),
    Many(Vec<String>),
}

impl OneOrMany {
    pub(crate) fn values(&self) -> Vec<String> {
        match self {
            OneOrMany::One(s) => vec![s.clone()],
            OneOrMany::Many(v) => v.clone(),
        }
    }
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct ClientRule {
    pub(crate) first_name: Option<String>,
    pub(crate) middle_name: Option<String>,
    pub(crate) last_name: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Rules {
    pub(crate) vendor: Option<String>,
    pub(crate) endpoint: Option<OneOrMany>,
    pub(crate) check_type: Option<OneOrMany>,
    pub(crate) client: Option<ClientRule>,
    pub(crate) image_sha256: Option<OneOrMany>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Scores {
    pub(crate) facial_similarity_score: Option<f64>,
    pub(crate) liveness_check_score: Option<f64>,
    pub(crate) comparison: Option<f64>,
    pub(crate) liveness: Option<f64>,
}

#[derive(Debug, Clone, Deserialize)]
pub(crate) struct ErrorReply {
    pub(crate) status: u16,
    pub(crate) body: Option<Value>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Effect {
    pub(crate) outcome: Option<String>,
    pub(crate) breakdown: Option<Value>,
    #[serde(default)]
    pub(crate) scores: Scores,
    pub(crate) status: Option<String>,
    pub(crate) risk: Option<String>,
    pub(crate) error: Option<ErrorReply>,
    pub(crate) completion_delay_ms: Option<u64>,
    #[serde(default)]
    pub(crate) drop_connection: bool,
    pub(crate) face_count: Option<f64>,
}

#[derive(Debug, Clone, Deserialize)]
pub(crate) struct Scenario {
    pub(crate) name: String,
    pub(crate) trigger: Option<String>,
    #[serde(rename = "match", default)]
    pub(crate) rules: Rules,
    #[serde(default)]
    pub(crate) effect: Effect,
}

/// Every shipped scenario with its file name, in catalog order.
pub(crate) fn shipped() -> Vec<(String, Scenario)> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("fixtures");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("fixtures dir")
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    files.sort();
    let mut all = Vec::new();
    for path in files {
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let text = std::fs::read_to_string(&path).expect("read fixture");
        let v: Value = serde_json::from_str(&text).expect("fixture is JSON");
        let list = if v.is_array() {
            v
        } else {
            Value::Array(vec![v])
        };
        for s in serde_json::from_value::<Vec<Scenario>>(list).expect("fixture format") {
            all.push((name.clone(), s));
        }
    }
    assert!(all.len() >= 30, "the shipped catalog is complete");
    all
}
