//! Verifik `/v2/face-recognition` emulation.

use axum::Router;

use crate::app::AppState;

/// Per-tenant Verifik state (expired-token marks).
#[derive(Default)]
pub struct Store {}

impl crate::store::TenantData for Store {
    fn reset_tenant(&self, _tenant: &str) {}
    fn reset_all(&self) {}
}

pub fn router() -> Router<AppState> {
    Router::new()
}
