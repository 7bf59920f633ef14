//! Verifik's flat error bodies `{code, message}` and the JSON body extractor
//! that reports every body problem in them.
//!
//! Key order follows each documented example: validation errors are
//! `{code, message}`, the `ERROR`/`UNAUTHORIZED` family `{message, code}`.

use axum::extract::{FromRequest, Request};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use crate::body::{self, BodyError};
use crate::config::VerifikExpiredBody;
use crate::reply::Replies;

/// A Verifik error response: a status and its exact JSON body.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct VerifikError {
    pub(crate) status: StatusCode,
    pub(crate) body: Value,
}

impl VerifikError {
    /// `{"code": code, "message": message}`.
    pub(crate) fn coded(status: StatusCode, code: &str, message: impl Into<String>) -> Self {
        VerifikError {
            status,
            body: json!({"code": code, "message": message.into()}),
        }
    }

    /// `{"message": message, "code": code}` (the `ERROR` family).
    pub(crate) fn messaged(status: StatusCode, message: &str, code: &str) -> Self {
        VerifikError {
            status,
            body: json!({"message": message, "code": code}),
        }
    }

    /// 409 `MissingParameter`: every body-validation failure, as Joi reports it.
    pub(crate) fn missing_parameter(message: impl Into<String>) -> Self {
        Self::coded(StatusCode::CONFLICT, "MissingParameter", message)
    }

    /// 412: an image that is not base64 or is too short.
    pub(crate) fn only_images_in_base64() -> Self {
        Self::messaged(
            StatusCode::PRECONDITION_FAILED,
            "only_images_in_base64",
            "ERROR",
        )
    }

    /// 401: no (or an unknown) token.
    pub(crate) fn unauthorized() -> Self {
        Self::messaged(
            StatusCode::UNAUTHORIZED,
            "Authentication required",
            "UNAUTHORIZED",
        )
    }

    /// 403: a token the tenant marked expired.
    pub(crate) fn expired(style: VerifikExpiredBody) -> Self {
        match style {
            VerifikExpiredBody::Docs => {
                Self::messaged(StatusCode::FORBIDDEN, "token_expired", "FORBIDDEN")
            }
            VerifikExpiredBody::App => {
                Self::coded(StatusCode::FORBIDDEN, "Forbidden", "expired_token")
            }
        }
    }

    pub(crate) fn internal() -> Self {
        Self::messaged(StatusCode::INTERNAL_SERVER_ERROR, "internal_error", "ERROR")
    }

    /// 404 for a route Verifik does not have (restify's `ResourceNotFound`).
    pub(crate) fn unknown_route(path: &str) -> Self {
        Self::coded(
            StatusCode::NOT_FOUND,
            "ResourceNotFound",
            format!("{path} does not exist"),
        )
    }

    /// 405 for a known route called with another method (restify's wording).
    pub(crate) fn method_not_allowed(method: &str) -> Self {
        Self::coded(
            StatusCode::METHOD_NOT_ALLOWED,
            "MethodNotAllowed",
            format!("{method} is not allowed"),
        )
    }

    /// 404 on the person routes: `{"error":"Person not found","message":"PERSON_NOT_FOUND"}`.
    pub(crate) fn person_not_found() -> Self {
        VerifikError {
            status: StatusCode::NOT_FOUND,
            body: json!({"error": "Person not found", "message": "PERSON_NOT_FOUND"}),
        }
    }

    /// 404 for an unknown collection id or code.
    pub(crate) fn invalid_collection() -> Self {
        Self::messaged(StatusCode::NOT_FOUND, "invalid_collection", "ERROR")
    }

    /// 412: name and date of birth already enrolled in the collection;
    /// `data` is the existing person.
    pub(crate) fn person_already_set(existing: Value) -> Self {
        VerifikError {
            status: StatusCode::PRECONDITION_FAILED,
            body: json!({"message": "person_already_set", "code": "PreconditionFailed", "data": existing}),
        }
    }

    /// 409: a face-engine outcome in `{message, code: "ERROR"}`
    /// (`409:duplicated_person`, `liveness_failed`).
    pub(crate) fn engine(message: &str) -> Self {
        Self::messaged(StatusCode::CONFLICT, message, "ERROR")
    }

    /// 409 for a list query Verifik refuses.
    pub(crate) fn invalid_parameters() -> Self {
        Self::messaged(
            StatusCode::CONFLICT,
            "Invalid query parameters",
            "INVALID_PARAMETERS",
        )
    }

    /// 409 `MissingParameter` with Verifik's key order for the person
    /// lookup (`{message, code}`).
    pub(crate) fn lookup_parameter(message: &str) -> Self {
        Self::messaged(StatusCode::CONFLICT, message, "MissingParameter")
    }

    /// The collection routes' 401/403: `{"message":"Access forbidden","code":"Forbidden"}`.
    pub(crate) fn access_forbidden(status: StatusCode) -> Self {
        Self::messaged(status, "Access forbidden", "Forbidden")
    }

    /// The collection routes' 400: `{"error":"Invalid request"}`.
    pub(crate) fn invalid_request() -> Self {
        VerifikError {
            status: StatusCode::BAD_REQUEST,
            body: json!({"error": "Invalid request"}),
        }
    }

    /// The standard body for a status a scenario asks for without a body.
    pub(crate) fn for_status(status: u16, expired: VerifikExpiredBody) -> Self {
        let code = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        match code.as_u16() {
            401 => Self::unauthorized(),
            403 => Self::expired(expired),
            404 => Self::coded(code, "NotFound", "Record not found."),
            412 => Self::only_images_in_base64(),
            429 => Self::coded(code, "RequestThrottled", "Too many requests"),
            500..=599 => VerifikError {
                status: code,
                ..Self::internal()
            },
            _ => {
                let reason = code
                    .canonical_reason()
                    .unwrap_or("error")
                    .to_ascii_lowercase()
                    .replace(' ', "_");
                Self::messaged(code, &reason, "ERROR")
            }
        }
    }
}

impl IntoResponse for VerifikError {
    fn into_response(self) -> Response {
        if self.status.is_server_error() {
            tracing::error!(status = %self.status, body = %self.body, "verifik error");
        }
        (self.status, axum::Json(self.body)).into_response()
    }
}

impl From<BodyError> for VerifikError {
    fn from(e: BodyError) -> Self {
        match &e {
            BodyError::TooLarge { limit } => Self::coded(
                StatusCode::PAYLOAD_TOO_LARGE,
                "RequestEntityTooLarge",
                format!("Request body size exceeds {limit}"),
            ),
            BodyError::NotJson { content_type } => Self::coded(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "UnsupportedMediaType",
                content_type.clone(),
            ),
            BodyError::Syntax { message, .. } => Self::coded(
                StatusCode::BAD_REQUEST,
                "InvalidContent",
                format!("Invalid JSON: {message}"),
            ),
            // The body is read as a `Value`, so the only type error is a
            // non-object body, which Joi words as below.
            BodyError::Type { path, .. } if path.is_empty() => {
                Self::missing_parameter("\"value\" must be of type object")
            }
            BodyError::Type { .. } => Self::missing_parameter(e.describe()),
            BodyError::Io(_) => Self::coded(StatusCode::BAD_REQUEST, "BadRequest", e.describe()),
        }
    }
}

/// Verifik's envelope for the answers the core gives on its behalf.
pub(crate) struct VerifikReplies {
    pub(crate) expired: VerifikExpiredBody,
}

impl Replies for VerifikReplies {
    fn status(&self, status: u16) -> Response {
        VerifikError::for_status(status, self.expired).into_response()
    }

    fn unknown_scenario(&self, message: String) -> Response {
        VerifikError::coded(StatusCode::BAD_REQUEST, "BadRequest", message).into_response()
    }

    /// restify's `{code, message}` with its error class for the status.
    fn rejected(&self, status: u16, message: String) -> Response {
        let code = StatusCode::from_u16(status).unwrap_or(StatusCode::BAD_REQUEST);
        let class = match status {
            404 => "ResourceNotFound",
            405 => "MethodNotAllowed",
            413 => "RequestEntityTooLarge",
            415 => "UnsupportedMediaType",
            429 => "RequestThrottled",
            503 => "ServiceUnavailable",
            500..=599 => "InternalServer",
            _ => "BadRequest",
        };
        VerifikError::coded(code, class, message).into_response()
    }
}

/// The raw request body (JSON content type checked, size bounded); every
/// rejection is a Verifik error.
pub(crate) struct VBytes(pub(crate) axum::body::Bytes);

impl<S: Send + Sync> FromRequest<S> for VBytes {
    type Rejection = VerifikError;

    async fn from_request(req: Request, _: &S) -> Result<Self, VerifikError> {
        Ok(VBytes(body::read_bytes(req).await?))
    }
}

/// The request body as JSON; every rejection is a Verifik error. For
/// handlers that want a `Value` (the biometrics endpoints read [`VBytes`]).
pub(crate) struct VJson(pub(crate) Value);

impl<S: Send + Sync> FromRequest<S> for VJson {
    type Rejection = VerifikError;

    async fn from_request(req: Request, _: &S) -> Result<Self, VerifikError> {
        Ok(VJson(body::read_json::<Value>(req).await?))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    proptest::proptest! {
        /// Whatever a client sends as a body, a refusal is Verifik's
        /// 4xx `{code, message}`, and the one-pass reader never panics.
        #[test]
        fn any_bad_body_is_a_verifik_error(bytes in crate::arbitrary::body()) {
            let _ = super::super::wire::Fields::scan(&bytes);
            if let Err(e) = body::parse_json::<Value>(&bytes) {
                let e = VerifikError::from(e);
                proptest::prop_assert!(e.status.is_client_error());
                proptest::prop_assert!(e.body["code"].is_string(), "{}", e.body);
                proptest::prop_assert!(e.body["message"].is_string(), "{}", e.body);
            }
        }
    }
}
