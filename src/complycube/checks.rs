//! `/v1/checks`.

use axum::Router;

use crate::app::AppState;

#[derive(Debug, Clone)]
pub struct Check {}

pub fn routes() -> Router<AppState> {
    Router::new()
}
