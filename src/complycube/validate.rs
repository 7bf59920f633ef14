//! Field rules shared by ComplyCube resources.

use super::ApiError;

/// ISO 3166-1 alpha-2: two uppercase ASCII letters.
pub fn alpha2(param: &str, v: &Option<String>) -> Result<(), ApiError> {
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
pub fn date(param: &str, v: &Option<String>) -> Result<(), ApiError> {
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
pub fn one_of(param: &str, v: &Option<String>, allowed: &[&str]) -> Result<(), ApiError> {
    match v {
        Some(s) if !allowed.contains(&s.as_str()) => Err(ApiError::not_allowed(param, allowed)),
        _ => Ok(()),
    }
}

/// Present and not blank.
pub fn required<'a>(param: &str, v: &'a Option<String>) -> Result<&'a str, ApiError> {
    match v.as_deref().map(str::trim) {
        Some(s) if !s.is_empty() => Ok(s),
        _ => Err(ApiError::missing(param)),
    }
}

/// A plausible email address.
pub fn email(param: &str, v: &str) -> Result<(), ApiError> {
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
pub fn id(resource: &str, raw: &str) -> Result<crate::ids::ObjectId, ApiError> {
    crate::ids::ObjectId::parse(raw).ok_or_else(|| ApiError::not_found(resource, raw))
}
