//! Downloads of stored image bytes, base64-encoded as ComplyCube returns them.

use base64::Engine as _;
use serde::Serialize;

use super::model::{Blob, DocumentImage};

/// An attachment download: the stored bytes, base64-encoded.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Download {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) file_name: Option<String>,
    pub(crate) content_type: String,
    pub(crate) data: String,
}

impl Download {
    /// A live photo's bytes (no file name).
    pub(crate) fn of_blob(content_type: &str, blob: &Blob) -> Self {
        Download {
            file_name: None,
            content_type: content_type.to_owned(),
            data: base64::engine::general_purpose::STANDARD.encode(&blob.bytes),
        }
    }

    pub(crate) fn of_image(image: &DocumentImage) -> Self {
        Download {
            file_name: Some(image.file_name.clone()),
            content_type: image.content_type.clone(),
            data: base64::engine::general_purpose::STANDARD.encode(&image.blob.bytes),
        }
    }
}
