//! Reading request bodies (JSON, or raw for forms) without axum's plain-text rejections.
//!
//! Each vendor module wraps [`read_json`] in its own extractor and renders
//! [`BodyError`] in its own error envelope, so a malformed, mistyped, oversized
//! or wrongly-typed body always gets the vendor's JSON error.

use axum::body::Body;
use axum::extract::Request;
use axum::http::header::CONTENT_TYPE;
use serde::de::DeserializeOwned;

/// The body limit of routes that take plain JSON (no images): far more
/// than any such request needs.
pub(crate) const JSON_BODY_BYTES: usize = 1024 * 1024;

/// The body limit of routes that take one base64 image in JSON: ComplyCube
/// accepts images of at most 4 MB, 5.6 MB once base64-encoded.
pub(crate) const IMAGE_BODY_BYTES: usize = 6 * 1024 * 1024;

/// The largest body a request may carry; inserted as a request extension by
/// the top-level router.
#[derive(Debug, Clone, Copy)]
pub(crate) struct BodyLimit(pub(crate) usize);

/// Marks a request whose body exceeded the limit; the body has been dropped.
#[derive(Debug, Clone, Copy)]
pub(crate) struct BodyTooLarge;

/// What went wrong while reading a JSON body.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum BodyError {
    /// The body exceeded [`BodyLimit`].
    TooLarge { limit: usize },
    /// A `Content-Type` other than JSON was sent with a body.
    NotJson { content_type: String },
    /// The body is not JSON. `line`/`column` are 1-based.
    Syntax {
        line: usize,
        column: usize,
        message: String,
    },
    /// The body is JSON but a field has the wrong type. `path` is dotted
    /// (`personDetails.firstName`, `gallery[1]`), empty for the whole body.
    Type { path: String, message: String },
    /// The body could not be read from the connection.
    Io(String),
}

impl BodyError {
    /// A sentence suitable for a vendor error's `message`.
    pub(crate) fn describe(&self) -> String {
        match self {
            BodyError::TooLarge { limit } => {
                format!("Request body is larger than the {limit} bytes allowed")
            }
            BodyError::NotJson { content_type } => format!(
                "Request body must be JSON sent with 'Content-Type: application/json', not '{content_type}'"
            ),
            BodyError::Syntax {
                line,
                column,
                message,
            } => {
                format!("Request body is not valid JSON: {message} at line {line} column {column}")
            }
            BodyError::Type { path, message } if path.is_empty() => {
                format!("Request body is invalid: {message}")
            }
            BodyError::Type { path, message } => format!("'{path}' is invalid: {message}"),
            BodyError::Io(e) => format!("Request body could not be read: {e}"),
        }
    }
}

/// Reads the whole body (up to the limit) and deserializes it as `T`.
///
/// An empty body reads as `{}` so that a POST without a body reports the
/// missing required fields, as the vendors do. A missing `Content-Type` is
/// accepted (curl users forget it); a non-JSON one is refused.
pub(crate) async fn read_json<T: DeserializeOwned>(req: Request) -> Result<T, BodyError> {
    let bytes = read_bytes(req).await?;
    parse_json(&bytes)
}

/// Reads the raw body under the request's [`BodyLimit`], checking the content type.
pub(crate) async fn read_bytes(req: Request) -> Result<axum::body::Bytes, BodyError> {
    if let Some(ct) = req.headers().get(CONTENT_TYPE) {
        let ct = ct.to_str().unwrap_or("").to_ascii_lowercase();
        let essence = ct.split(';').next().unwrap_or("").trim();
        let is_json =
            essence == "application/json" || essence.ends_with("+json") || essence.is_empty();
        if !is_json {
            return Err(BodyError::NotJson { content_type: ct });
        }
    }
    read_any(req).await
}

/// Reads the raw body under the request's [`BodyLimit`], whatever its type.
pub(crate) async fn read_any(req: Request) -> Result<axum::body::Bytes, BodyError> {
    let limit = req
        .extensions()
        .get::<BodyLimit>()
        .map_or(32 * 1024 * 1024, |l| l.0);
    if req.extensions().get::<BodyTooLarge>().is_some() {
        return Err(BodyError::TooLarge { limit });
    }
    let body: Body = req.into_body();
    axum::body::to_bytes(body, limit).await.map_err(|e| {
        if is_length_limit(&e) {
            BodyError::TooLarge { limit }
        } else {
            BodyError::Io(e.to_string())
        }
    })
}

fn is_length_limit(e: &axum::Error) -> bool {
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(e);
    while let Some(err) = source {
        if err.is::<http_body_util::LengthLimitError>() {
            return true;
        }
        source = err.source();
    }
    false
}

/// Deserializes bytes as `T`, reporting syntax errors with position and type
/// errors with the dotted path of the offending field.
pub(crate) fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, BodyError> {
    let bytes: &[u8] = if bytes.iter().all(u8::is_ascii_whitespace) {
        b"{}"
    } else {
        bytes
    };
    let first = bytes.iter().find(|b| !b.is_ascii_whitespace()).copied();
    if first != Some(b'{') && serde_json::from_slice::<serde::de::IgnoredAny>(bytes).is_ok() {
        return Err(BodyError::Type {
            path: String::new(),
            message: "the request body must be a JSON object".into(),
        });
    }
    let de = &mut serde_json::Deserializer::from_slice(bytes);
    // Anything after the document (`{} x`, `0:`) is a syntax error too.
    match serde_path_to_error::deserialize::<_, T>(&mut *de) {
        Ok(v) => match de.end() {
            Ok(()) => Ok(v),
            Err(e) => Err(BodyError::Syntax {
                line: e.line(),
                column: e.column(),
                message: strip_position(&e.to_string()),
            }),
        },
        Err(err) => {
            let path = dotted(err.path());
            let inner = err.into_inner();
            if inner.is_syntax() || inner.is_eof() {
                Err(BodyError::Syntax {
                    line: inner.line(),
                    column: inner.column(),
                    message: strip_position(&inner.to_string()),
                })
            } else {
                Err(BodyError::Type {
                    path,
                    message: strip_position(&inner.to_string()),
                })
            }
        }
    }
}

fn dotted(path: &serde_path_to_error::Path) -> String {
    use serde_path_to_error::Segment;
    let mut out = String::new();
    for seg in path.iter() {
        match seg {
            Segment::Seq { index } => out.push_str(&format!("[{index}]")),
            Segment::Map { key } => {
                if !out.is_empty() {
                    out.push('.');
                }
                out.push_str(key);
            }
            Segment::Enum { variant } => {
                if !out.is_empty() {
                    out.push('.');
                }
                out.push_str(variant);
            }
            Segment::Unknown => {}
        }
    }
    out
}

/// serde_json appends " at line L column C"; the structured fields carry that.
fn strip_position(msg: &str) -> String {
    match msg.rfind(" at line ") {
        Some(i) => msg[..i].to_owned(),
        None => msg.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, serde::Deserialize)]
    struct Person {
        name: Option<String>,
        #[serde(rename = "details")]
        _details: Option<Details>,
    }
    #[derive(Debug, serde::Deserialize)]
    struct Details {
        #[serde(rename = "age")]
        _age: Option<u32>,
    }

    #[test]
    fn type_errors_name_the_dotted_field() {
        let err = parse_json::<Person>(br#"{"details":{"age":"old"}}"#).unwrap_err();
        assert!(
            matches!(err, BodyError::Type { ref path, .. } if path == "details.age"),
            "{err:?}"
        );
    }

    #[test]
    fn syntax_errors_carry_line_and_column() {
        let err = parse_json::<Person>(b"{\n  \"name\": }").unwrap_err();
        assert!(matches!(err, BodyError::Syntax { line: 2, .. }), "{err:?}");
    }

    proptest::proptest! {
        /// Any bytes decode to an object or to an error the vendors can word.
        #[test]
        fn any_bytes_decode_or_explain(bytes in crate::arbitrary::body()) {
            match parse_json::<serde_json::Value>(&bytes) {
                Ok(v) => proptest::prop_assert!(v.is_object()),
                Err(e) => proptest::prop_assert!(!e.describe().is_empty()),
            }
            if let Err(BodyError::Type { path, .. }) = parse_json::<Person>(&bytes) {
                // A field path is dotted field names and indices, never garbage.
                proptest::prop_assert!(!path.starts_with('.'), "{path}");
            }
        }
    }

    #[test]
    fn trailing_bytes_are_a_syntax_error() {
        for text in [&b"0:"[..], b"{} x", b"{\"name\":\"a\"}}"] {
            let err = parse_json::<serde_json::Value>(text).unwrap_err();
            assert!(matches!(err, BodyError::Syntax { .. }), "{err:?}");
        }
    }

    #[test]
    fn empty_body_reads_as_empty_object() {
        let p = parse_json::<Person>(b"").unwrap();
        assert!(p.name.is_none());
    }
}
