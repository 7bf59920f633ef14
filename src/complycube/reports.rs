//! `GET /v1/reports?clientId=` / `?checkId=`: a PDF snapshot of a client or
//! check, returned as `{contentType: "application/pdf", data: <base64>}`.

use std::collections::HashMap;

use axum::Router;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::routing::get;
use base64::Engine as _;
use serde::Serialize;

use super::api::Api;
use super::api::Key;
use super::error::ApiError;
use super::error::ApiResult;
use super::validate;
use crate::ids::iso_millis;

pub(crate) fn routes() -> Router<Api> {
    Router::new().route("/reports", get(generate_report))
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Report {
    pub(crate) content_type: &'static str,
    pub(crate) data: String,
}

async fn generate_report(
    State(api): State<Api>,
    Key(key): Key,
    Query(q): Query<HashMap<String, String>>,
) -> ApiResult<Report> {
    let now = api.core.clocks.now(&key);
    let lines = match (q.get("clientId"), q.get("checkId")) {
        (Some(raw), _) => {
            let oid = validate::id("client", raw)?;
            let client = api
                .store
                .read(&key, |t| t.clients.get(&oid).cloned())
                .ok_or_else(|| ApiError::not_found("client", raw))?;
            vec![
                "ComplyCube client report (sandbox)".to_owned(),
                format!("Client: {}", client.id),
                format!("Name: {}", client.entity_name),
                format!("Email: {}", client.email),
                format!("Generated: {}", iso_millis(now)),
            ]
        }
        (None, Some(raw)) => {
            let oid = validate::id("check", raw)?;
            if !api.store.read(&key, |t| t.checks.contains(&oid)) {
                return Err(ApiError::not_found("check", raw));
            }
            vec![
                "ComplyCube check report (sandbox)".to_owned(),
                format!("Check: {oid}"),
                format!("Generated: {}", iso_millis(now)),
            ]
        }
        (None, None) => {
            return Err(ApiError::new(
                StatusCode::BAD_REQUEST,
                "invalid_request",
                "Either 'clientId' or 'checkId' must be provided",
            )
            .with_param("clientId"));
        }
    };
    Ok(axum::Json(Report {
        content_type: "application/pdf",
        data: base64::engine::general_purpose::STANDARD.encode(pdf(&lines)),
    }))
}

/// A one-page PDF 1.4 document showing `lines` (with a correct xref table,
/// so PDF readers open it).
pub(crate) fn pdf(lines: &[String]) -> Vec<u8> {
    let escape = |s: &str| {
        s.chars()
            .filter(|c| c.is_ascii() && !c.is_ascii_control())
            .flat_map(|c| match c {
                '(' | ')' | '\\' => vec!['\\', c],
                _ => vec![c],
            })
            .collect::<String>()
    };
    let mut text = String::from("BT /F1 12 Tf 72 760 Td 16 TL\n");
    for l in lines {
        text.push_str(&format!("({}) Tj T*\n", escape(l)));
    }
    text.push_str("ET");
    let objects = [
        "<< /Type /Catalog /Pages 2 0 R >>".to_owned(),
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_owned(),
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>".to_owned(),
        format!("<< /Length {} >>\nstream\n{text}\nendstream", text.len()),
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>".to_owned(),
    ];
    let mut out = b"%PDF-1.4\n".to_vec();
    let mut offsets = Vec::with_capacity(objects.len());
    for (i, o) in objects.iter().enumerate() {
        offsets.push(out.len());
        out.extend_from_slice(format!("{} 0 obj\n{o}\nendobj\n", i + 1).as_bytes());
    }
    let xref = out.len();
    out.extend_from_slice(
        format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1).as_bytes(),
    );
    for off in offsets {
        out.extend_from_slice(format!("{off:010} 00000 n \n").as_bytes());
    }
    out.extend_from_slice(
        format!(
            "trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n",
            objects.len() + 1
        )
        .as_bytes(),
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn xref_offsets_point_at_their_objects() {
        let doc = pdf(&["Name: A (B) \\ C".to_owned()]);
        let text = String::from_utf8(doc).unwrap();
        let xref = text.find("xref\n").unwrap();
        let start: usize = text
            .rsplit("startxref\n")
            .next()
            .and_then(|t| t.lines().next())
            .and_then(|l| l.parse().ok())
            .unwrap();
        assert_eq!(start, xref);
        let entries: Vec<usize> = text[xref..]
            .lines()
            .skip(3)
            .take(5)
            .map(|l| l[..10].parse().unwrap())
            .collect();
        for (i, off) in entries.iter().enumerate() {
            assert!(text[*off..].starts_with(&format!("{} 0 obj", i + 1)));
        }
        assert!(text.contains(r"(Name: A \(B\) \\ C) Tj"));
    }
}
