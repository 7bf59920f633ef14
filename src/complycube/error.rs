//! ComplyCube's error envelope `{type, message, param?}` and the JSON body
//! extractor that reports every body problem in it.

use axum::extract::{FromRequest, Request};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::body::{self, BodyError};
use crate::persist::CommitError;
use crate::reply::Replies;

/// A ComplyCube error response.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct ApiError {
    pub(crate) status: StatusCode,
    pub(crate) kind: String,
    pub(crate) message: String,
    pub(crate) param: Option<String>,
}

#[derive(Serialize)]
struct Envelope<'a> {
    #[serde(rename = "type")]
    kind: &'a str,
    message: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    param: Option<&'a str>,
}

impl ApiError {
    pub(crate) fn new(status: StatusCode, kind: &str, message: impl Into<String>) -> Self {
        ApiError {
            status,
            kind: kind.to_owned(),
            message: message.into(),
            param: None,
        }
    }

    /// 400 `invalid_request` naming `param`.
    pub(crate) fn invalid(param: &str, message: impl Into<String>) -> Self {
        ApiError {
            status: StatusCode::BAD_REQUEST,
            kind: "invalid_request".into(),
            message: message.into(),
            param: Some(param.to_owned()),
        }
    }

    /// 400: `'param' must be provided`.
    pub(crate) fn missing(param: &str) -> Self {
        Self::invalid(param, format!("'{param}' must be provided"))
    }

    /// 400: `'param' should be equal to one of the allowed values: …`.
    pub(crate) fn not_allowed(param: &str, allowed: &[&str]) -> Self {
        Self::invalid(
            param,
            format!(
                "'{param}' should be equal to one of the allowed values: {}",
                allowed.join(", ")
            ),
        )
    }

    /// 404 `resource_not_found`: `Invalid <resource> id '<id>'`.
    pub(crate) fn not_found(resource: &str, id: &str) -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            "resource_not_found",
            format!("Invalid {resource} id '{id}'"),
        )
    }

    pub(crate) fn unauthorized() -> Self {
        Self::new(
            StatusCode::UNAUTHORIZED,
            "unauthorized",
            "The 'Authorization' header is invalid",
        )
    }

    /// 422 processing error; `type` is the processing code.
    pub(crate) fn processing(code: &str, message: impl Into<String>) -> Self {
        Self::new(StatusCode::UNPROCESSABLE_ENTITY, code, message)
    }

    /// 422 `resource_in_use`: a check used it, so it cannot be deleted.
    pub(crate) fn in_use(resource: &str, id: &str) -> Self {
        Self::processing(
            "resource_in_use",
            format!("The {resource} '{id}' has been used by a check and cannot be deleted"),
        )
    }

    pub(crate) fn rate_limited() -> Self {
        Self::new(
            StatusCode::TOO_MANY_REQUESTS,
            "rate_limit_exceeded",
            "You have exceeded the rate limit prescribed to your plan",
        )
    }

    pub(crate) fn internal() -> Self {
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal_server_error",
            "An error has occurred, try your request again",
        )
    }

    /// The standard body for a status a scenario asks for.
    pub(crate) fn for_status(status: u16) -> Self {
        let code = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        match code.as_u16() {
            401 => Self::unauthorized(),
            403 => Self::new(
                code,
                "unauthorized",
                "Your current plan does not include access to this service",
            ),
            404 => Self::new(
                code,
                "resource_not_found",
                "The requested resource does not exist",
            ),
            429 => Self::rate_limited(),
            500..=599 => ApiError {
                status: code,
                ..Self::internal()
            },
            _ => Self::new(
                code,
                "invalid_request",
                code.canonical_reason().unwrap_or("Error"),
            ),
        }
    }

    pub(crate) fn with_param(mut self, param: &str) -> Self {
        self.param = Some(param.to_owned());
        self
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = Envelope {
            kind: &self.kind,
            message: &self.message,
            param: self.param.as_deref(),
        };
        if self.status.is_server_error() {
            tracing::error!(status = %self.status, kind = %self.kind, "{}", self.message);
        }
        (self.status, axum::Json(body)).into_response()
    }
}

impl From<BodyError> for ApiError {
    fn from(e: BodyError) -> Self {
        match &e {
            BodyError::TooLarge { .. } => Self::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                "request_too_large",
                e.describe(),
            ),
            BodyError::Type { path, .. } if !path.is_empty() => Self::invalid(path, e.describe()),
            _ => Self::new(StatusCode::BAD_REQUEST, "invalid_request", e.describe()),
        }
    }
}

impl From<CommitError> for ApiError {
    fn from(e: CommitError) -> Self {
        tracing::error!(error = %e, "a change could not be stored");
        ApiError {
            message: "The change could not be stored; try your request again".into(),
            ..Self::for_status(503)
        }
    }
}

/// ComplyCube's envelope for the answers the core gives on its behalf.
pub(crate) struct CcReplies;

impl Replies for CcReplies {
    fn status(&self, status: u16) -> Response {
        ApiError::for_status(status).into_response()
    }

    fn unknown_scenario(&self, message: String) -> Response {
        ApiError::invalid("X-Sandbox-Scenario", message).into_response()
    }

    fn rejected(&self, status: u16, message: String) -> Response {
        let standard = ApiError::for_status(status);
        let kind = match status {
            413 => "request_too_large",
            _ => &standard.kind,
        };
        ApiError::new(standard.status, kind, message).into_response()
    }
}

/// ComplyCube's JSON body extractor: every rejection is a ComplyCube error.
pub(crate) struct Json<T>(pub(crate) T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for Json<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, _: &S) -> Result<Self, ApiError> {
        Ok(Json(body::read_json(req).await?))
    }
}

/// A JSON response body, ComplyCube-style (nulls dropped by the types themselves).
pub(crate) type ApiResult<T> = Result<axum::Json<T>, ApiError>;
