//! `/v1/static`: ComplyCube's static data — the screening lists (alphabetical,
//! a bare array of names, as documented) and the documents Document Checks
//! support (undocumented shape: one object per issuing country with its
//! document types). Shipped with the sandbox (`data/`).

use std::sync::LazyLock;

use axum::Router;
use axum::routing::get;
use serde_json::Value;

use super::api::{Api, Key};
use super::error::ApiResult;

pub(crate) fn routes() -> Router<Api> {
    Router::new()
        .route("/static/screeningLists", get(screening_lists))
        .route("/static/supportedDocuments", get(supported_documents))
}

static SCREENING_LISTS: LazyLock<Value> = LazyLock::new(|| {
    let mut names: Vec<String> =
        serde_json::from_str(include_str!("data/screening_lists.json")).unwrap_or_default();
    names.sort_by_key(|n| n.to_lowercase());
    Value::from(names)
});

static SUPPORTED_DOCUMENTS: LazyLock<Value> = LazyLock::new(|| {
    serde_json::from_str(include_str!("data/supported_documents.json"))
        .unwrap_or(Value::Array(Vec::new()))
});

async fn screening_lists(Key(_key): Key) -> ApiResult<Value> {
    Ok(axum::Json(SCREENING_LISTS.clone()))
}

async fn supported_documents(Key(_key): Key) -> ApiResult<Value> {
    Ok(axum::Json(SUPPORTED_DOCUMENTS.clone()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shipped_data_loads() {
        let lists = SCREENING_LISTS.as_array().map_or(0, Vec::len);
        assert!(lists > 10, "{lists}");
        let names: Vec<&str> = SCREENING_LISTS
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .collect();
        let mut sorted = names.clone();
        sorted.sort_by_key(|n| n.to_lowercase());
        assert_eq!(names, sorted);
        assert!(
            SUPPORTED_DOCUMENTS
                .as_array()
                .is_some_and(|a| !a.is_empty())
        );
    }
}
