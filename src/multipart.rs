//! Reading `multipart/form-data` bodies, what a browser's file-upload form
//! posts. The body is already read whole (under the request's body limit);
//! parts are slices of it, so nothing is copied, and their number is
//! bounded.

use axum::body::Bytes;

/// The most parts a form may have.
pub(crate) const MAX_PARTS: usize = 32;

/// One form field: its name, the file name when it is a file, its bytes.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Part {
    pub(crate) name: String,
    pub(crate) file_name: Option<String>,
    pub(crate) data: Bytes,
}

/// The boundary a `Content-Type` names, if it is `multipart/form-data`.
pub(crate) fn boundary(content_type: &str) -> Option<String> {
    let mut params = content_type.split(';');
    let essence = params.next()?.trim();
    if !essence.eq_ignore_ascii_case("multipart/form-data") {
        return None;
    }
    params
        .filter_map(|p| p.trim().split_once('='))
        .find(|(k, _)| k.trim().eq_ignore_ascii_case("boundary"))
        .map(|(_, v)| v.trim().trim_matches('"').to_owned())
        .filter(|b| !b.is_empty() && b.len() <= 200)
}

/// Where `needle` first occurs in `hay` at or after `from`: a scan for its
/// first byte, then a comparison of the rest (a boundary's first byte is
/// rare in file data).
fn find(hay: &[u8], needle: &[u8], from: usize) -> Option<usize> {
    let (&first, rest) = needle.split_first()?;
    let last_start = hay.len().checked_sub(needle.len())?;
    let mut at = from;
    while at <= last_start {
        let i = at + hay[at..=last_start].iter().position(|&b| b == first)?;
        if &hay[i + 1..i + needle.len()] == rest {
            return Some(i);
        }
        at = i + 1;
    }
    None
}

/// A header parameter (`name="front"`) from a `Content-Disposition` value.
fn param(disposition: &str, key: &str) -> Option<String> {
    disposition
        .split(';')
        .skip(1)
        .filter_map(|p| p.trim().split_once('='))
        .find(|(k, _)| k.trim().eq_ignore_ascii_case(key))
        .map(|(_, v)| {
            let v = v.trim();
            v.strip_prefix('"')
                .and_then(|v| v.strip_suffix('"'))
                .unwrap_or(v)
                .replace("\\\"", "\"")
        })
}

/// The parts of `body`, or what is wrong with it.
pub(crate) fn parse(body: &Bytes, boundary: &str) -> Result<Vec<Part>, String> {
    let delimiter = format!("--{boundary}");
    let d = delimiter.as_bytes();
    let mut at = find(body, d, 0).ok_or("the form has no parts")? + d.len();
    let mut parts = Vec::new();
    loop {
        if body[at..].starts_with(b"--") {
            return Ok(parts);
        }
        if !body[at..].starts_with(b"\r\n") {
            return Err("a part boundary is malformed".into());
        }
        at += 2;
        let head_end = find(body, b"\r\n\r\n", at).ok_or("a part has no header end")?;
        let head = std::str::from_utf8(&body[at..head_end])
            .map_err(|_| "a part's headers are not UTF-8")?;
        let disposition = head
            .split("\r\n")
            .filter_map(|l| l.split_once(':'))
            .find(|(k, _)| k.trim().eq_ignore_ascii_case("content-disposition"))
            .map(|(_, v)| v.trim().to_owned())
            .ok_or("a part has no Content-Disposition")?;
        let name = param(&disposition, "name").ok_or("a part has no name")?;
        let start = head_end + 4;
        let closing = format!("\r\n{delimiter}");
        let end = find(body, closing.as_bytes(), start).ok_or("the form is not terminated")?;
        if parts.len() == MAX_PARTS {
            return Err(format!("the form has more than {MAX_PARTS} parts"));
        }
        parts.push(Part {
            name,
            file_name: param(&disposition, "filename"),
            data: body.slice(start..end),
        });
        at = end + closing.len();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_and_files_are_read_and_bad_forms_refused() {
        let body = Bytes::from_static(
            b"--XyZ\r\nContent-Disposition: form-data; name=\"token\"\r\n\r\nabc\r\n\
              --XyZ\r\nContent-Disposition: form-data; name=\"front\"; filename=\"a \\\"b\\\".png\"\r\n\
              Content-Type: image/png\r\n\r\n\x89PNG\r\n--X\r\n--XyZ--\r\n",
        );
        let parts = parse(&body, "XyZ").unwrap();
        assert_eq!(parts.len(), 2);
        assert_eq!(
            (parts[0].name.as_str(), parts[0].file_name.as_deref()),
            ("token", None)
        );
        assert_eq!(&parts[0].data[..], b"abc");
        assert_eq!(parts[1].file_name.as_deref(), Some("a \"b\".png"));
        assert_eq!(&parts[1].data[..], b"\x89PNG\r\n--X");
        for bad in [
            &b""[..],
            b"--XyZ\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nno end",
            b"--XyZ\r\nX-Other: 1\r\n\r\nv\r\n--XyZ--",
            b"--XyZjunk",
        ] {
            assert!(
                parse(&Bytes::copy_from_slice(bad), "XyZ").is_err(),
                "{bad:?}"
            );
        }
        let many: String = (0..=MAX_PARTS)
            .map(|i| format!("--B\r\nContent-Disposition: form-data; name=\"f{i}\"\r\n\r\nv\r\n"))
            .collect::<String>()
            + "--B--";
        assert!(parse(&Bytes::from(many), "B").is_err());
    }

    #[test]
    fn the_boundary_comes_from_a_multipart_content_type_only() {
        assert_eq!(
            boundary("multipart/form-data; boundary=----WebKitFormBoundaryA1").as_deref(),
            Some("----WebKitFormBoundaryA1")
        );
        assert_eq!(
            boundary("Multipart/Form-Data; charset=utf-8; boundary=\"q b\"").as_deref(),
            Some("q b")
        );
        assert_eq!(boundary("application/x-www-form-urlencoded"), None);
        assert_eq!(boundary("multipart/form-data"), None);
    }
}
