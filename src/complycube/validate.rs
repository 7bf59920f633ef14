//! Field rules shared by ComplyCube resources.

use super::error::ApiError;

/// ISO 3166-1 alpha-2: two uppercase ASCII letters.
pub(crate) fn alpha2(param: &str, v: &Option<String>) -> Result<(), ApiError> {
    match v {
        Some(s) if !(s.len() == 2 && s.bytes().all(|b| b.is_ascii_uppercase())) => {
            Err(ApiError::invalid(
                param,
                format!("'{param}' must be a valid ISO 3166-1 alpha-2 country code"),
            ))
        }
        _ => Ok(()),
    }
}

/// `YYYY-MM-DD`, a real calendar date.
pub(crate) fn date(param: &str, v: &Option<String>) -> Result<(), ApiError> {
    match v {
        Some(s) if chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").is_err() || s.len() != 10 => {
            Err(ApiError::invalid(
                param,
                format!("'{param}' must be a valid date in the format YYYY-MM-DD"),
            ))
        }
        _ => Ok(()),
    }
}

/// One of the allowed values.
pub(crate) fn one_of(param: &str, v: &Option<String>, allowed: &[&str]) -> Result<(), ApiError> {
    match v {
        Some(s) if !allowed.contains(&s.as_str()) => Err(ApiError::not_allowed(param, allowed)),
        _ => Ok(()),
    }
}

/// Present and not blank.
pub(crate) fn required<'a>(param: &str, v: &'a Option<String>) -> Result<&'a str, ApiError> {
    match v.as_deref().map(str::trim) {
        Some(s) if !s.is_empty() => Ok(s),
        _ => Err(ApiError::missing(param)),
    }
}

/// A plausible email address.
pub(crate) fn email(param: &str, v: &str) -> Result<(), ApiError> {
    let ok = v.split_once('@').is_some_and(|(local, domain)| {
        !local.is_empty()
            && domain.contains('.')
            && !domain.starts_with('.')
            && !domain.ends_with('.')
    }) && !v.contains(char::is_whitespace);
    if ok {
        Ok(())
    } else {
        Err(ApiError::invalid(
            param,
            format!("'{param}' must be a valid email"),
        ))
    }
}

/// Parses an id path or body parameter; a malformed id is "not found", as for an unknown one.
pub(crate) fn id(resource: &str, raw: &str) -> Result<crate::ids::ObjectId, ApiError> {
    crate::ids::ObjectId::parse(raw).ok_or_else(|| ApiError::not_found(resource, raw))
}

/// Smallest and largest decoded image ComplyCube accepts (34 KB–4 MB).
pub(crate) const IMAGE_MIN_BYTES: usize = 34 * 1024;
pub(crate) const IMAGE_MAX_BYTES: usize = 4 * 1024 * 1024;

/// ComplyCube's image size rule (34 KB to 4 MB) unless relaxed.
pub(crate) fn image_size(param: &str, len: usize, relax: bool) -> Result<(), ApiError> {
    if !relax && !(IMAGE_MIN_BYTES..=IMAGE_MAX_BYTES).contains(&len) {
        return Err(ApiError::invalid(
            param,
            "Image file size should be between 34KB and 4MB",
        ));
    }
    Ok(())
}

/// Decodes a required base64 image field (`data`) into a [`Blob`], enforcing
/// ComplyCube's 34 KB–4 MB rule unless `relax` is set. A `data:…;base64,`
/// prefix and embedded whitespace are tolerated; the bytes themselves are
/// not inspected, so any content counts as an image.
pub(crate) fn image(
    param: &str,
    v: &Option<String>,
    relax: bool,
) -> Result<super::model::Blob, ApiError> {
    use base64::Engine as _;
    use sha2::Digest as _;
    let raw = required(param, v)?;
    let raw = match raw.split_once(";base64,") {
        Some((prefix, rest)) if prefix.starts_with("data:") => rest,
        _ => raw,
    };
    let cleaned: String = raw.chars().filter(|c| !c.is_ascii_whitespace()).collect();
    let engines = [
        base64::engine::general_purpose::STANDARD,
        base64::engine::general_purpose::STANDARD_NO_PAD,
        base64::engine::general_purpose::URL_SAFE,
        base64::engine::general_purpose::URL_SAFE_NO_PAD,
    ];
    let bytes = engines
        .iter()
        .find_map(|e| e.decode(cleaned.as_bytes()).ok())
        .ok_or_else(|| {
            ApiError::invalid(param, format!("'{param}' must be a valid base64 string"))
        })?;
    image_size(param, bytes.len(), relax)?;
    let sha256: [u8; 32] = sha2::Sha256::digest(&bytes).into();
    Ok(super::model::Blob {
        bytes: bytes.into(),
        sha256,
    })
}

/// USPS state, district, territory and military abbreviations.
pub(crate) const USPS_STATES: &[&str] = &[
    "AL", "AK", "AZ", "AR", "CA", "CO", "CT", "DE", "DC", "FL", "GA", "HI", "ID", "IL", "IN", "IA",
    "KS", "KY", "LA", "ME", "MD", "MA", "MI", "MN", "MS", "MO", "MT", "NE", "NV", "NH", "NJ", "NM",
    "NY", "NC", "ND", "OH", "OK", "OR", "PA", "RI", "SC", "SD", "TN", "TX", "UT", "VT", "VA", "WA",
    "WV", "WI", "WY", "AS", "GU", "MP", "PR", "VI", "UM", "FM", "MH", "PW", "AA", "AE", "AP",
];

/// A required field an update may omit must not be blanked when it is sent.
pub(crate) fn non_blank(param: &str, v: &Option<String>) -> Result<(), ApiError> {
    match v {
        Some(s) if s.trim().is_empty() => Err(ApiError::missing(param)),
        _ => Ok(()),
    }
}
