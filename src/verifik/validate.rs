//! Body validation the way Verifik's Joi schemas report it.
//!
//! Every problem becomes part of one 409 `MissingParameter` message; several
//! problems are joined with `". "` (Joi with `abortEarly: false`). Missing
//! fields are worded per `--verifik-messages`; type, range and enum problems
//! always use Joi's default English. Numbers sent as numeric strings are
//! accepted, as Joi's `convert` does. Unknown fields are ignored.
//!
//! Works on a body's top-level [`Fields`], whether they were scanned from the
//! raw body or taken from a parsed `Value`.

use serde_json::Value;

use super::error::VerifikError;
use super::wire::{Fields, Val};
use crate::config::VerifikMessages;
use crate::number::js_text;

pub(crate) const OS: &[&str] = &["DESKTOP", "IOS", "ANDROID"];
pub(crate) const SEARCH_MODE: &[&str] = &["FAST", "ACCURATE"];

/// What a field must hold.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Kind {
    /// A non-empty string.
    Str,
    /// A non-empty array of non-empty strings.
    StrArray,
    /// A string or a non-empty array of strings (`/compare`'s `probe`).
    StrOrArray,
    /// An array of non-empty strings, possibly empty (`collections`).
    StrList,
    /// A date `YYYY-MM-DD`, or the `{year, month, day}` object form.
    Date,
    /// A number in `min..=max`.
    Num {
        min: f64,
        max: f64,
    },
    /// One of the listed strings, case-sensitive.
    Enum(&'static [&'static str]),
    Bool,
}

#[derive(Debug, Clone, Copy)]
pub(crate) struct Field {
    pub(crate) name: &'static str,
    pub(crate) kind: Kind,
    pub(crate) required: bool,
}

impl Field {
    pub(crate) const fn required(name: &'static str, kind: Kind) -> Self {
        Field {
            name,
            kind,
            required: true,
        }
    }

    pub(crate) const fn optional(name: &'static str, kind: Kind) -> Self {
        Field {
            name,
            kind,
            required: false,
        }
    }
}

/// Checks a parsed `body` against `fields`, in schema order, reporting
/// every problem.
pub(crate) fn check(
    body: &Value,
    fields: &[Field],
    style: VerifikMessages,
) -> Result<(), VerifikError> {
    let Some(body) = Fields::of_value(body) else {
        return Err(not_an_object());
    };
    check_fields(&body, fields, style)
}

/// The problem of a body that is not a JSON object.
pub(crate) fn not_an_object() -> VerifikError {
    VerifikError::missing_parameter("\"value\" must be of type object")
}

/// Checks a body's top-level `body` fields against `fields`, in schema
/// order, reporting every problem.
pub(crate) fn check_fields(
    body: &Fields<'_>,
    fields: &[Field],
    style: VerifikMessages,
) -> Result<(), VerifikError> {
    let mut problems: Vec<String> = Vec::new();
    for f in fields {
        match body.get(f.name) {
            None if f.required => problems.push(match style {
                VerifikMessages::Joi => format!("\"{}\" is required", f.name),
                VerifikMessages::Legacy => format!("missing {}\n", f.name),
            }),
            None => {}
            Some(v) => check_value(f.name, f.kind, v, &mut problems),
        }
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(VerifikError::missing_parameter(problems.join(". ")))
    }
}

fn check_value(name: &str, kind: Kind, v: &Val<'_>, out: &mut Vec<String>) {
    match kind {
        Kind::Str => check_str(name, v, out),
        Kind::StrArray => check_array(name, v, out),
        Kind::StrOrArray => match v {
            Val::Str(_) => check_str(name, v, out),
            Val::Arr(_) => check_array(name, v, out),
            _ => out.push(format!("\"{name}\" must be one of [array, string]")),
        },
        Kind::StrList => match v {
            Val::Arr(items) => {
                for (i, item) in items.iter().enumerate() {
                    check_str(&format!("{name}[{i}]"), item, out);
                }
            }
            _ => out.push(format!("\"{name}\" must be an array")),
        },
        Kind::Date => {
            if date(v).is_none() {
                out.push(format!(
                    "\"{name}\" must be a valid date in the format YYYY-MM-DD"
                ));
            }
        }
        Kind::Num { min, max } => match number(v) {
            None => out.push(format!("\"{name}\" must be a number")),
            Some(n) if n < min => out.push(format!(
                "\"{name}\" must be greater than or equal to {}",
                js_text(min)
            )),
            Some(n) if n > max => out.push(format!(
                "\"{name}\" must be less than or equal to {}",
                js_text(max)
            )),
            Some(_) => {}
        },
        Kind::Enum(allowed) => {
            if !v.as_str().is_some_and(|s| allowed.contains(&s)) {
                out.push(format!(
                    "\"{name}\" must be one of [{}]",
                    allowed.join(", ")
                ));
            }
        }
        Kind::Bool => {
            let ok = matches!(v, Val::Bool) || matches!(v.as_str(), Some("true" | "false"));
            if !ok {
                out.push(format!("\"{name}\" must be a boolean"));
            }
        }
    }
}

fn check_str(name: &str, v: &Val<'_>, out: &mut Vec<String>) {
    match v.as_str() {
        None => out.push(format!("\"{name}\" must be a string")),
        Some("") => out.push(format!("\"{name}\" is not allowed to be empty")),
        Some(_) => {}
    }
}

fn check_array(name: &str, v: &Val<'_>, out: &mut Vec<String>) {
    let Val::Arr(items) = v else {
        out.push(format!("\"{name}\" must be an array"));
        return;
    };
    if items.is_empty() {
        out.push(format!("\"{name}\" must contain at least 1 items"));
    }
    for (i, item) in items.iter().enumerate() {
        check_str(&format!("{name}[{i}]"), item, out);
    }
}

/// A JSON number, or a string holding one (Joi converts those).
pub(crate) fn number(v: &Val<'_>) -> Option<f64> {
    match v {
        Val::Num(n) => Some(*n),
        Val::Str(s) => s
            .as_str()
            .trim()
            .parse::<f64>()
            .ok()
            .filter(|n| n.is_finite()),
        _ => None,
    }
}

/// A date as `YYYY-MM-DD`: from that string (an ISO timestamp's date part
/// too) or from `{year, month, day}`. `None` when it is not a real date.
pub(crate) fn date(v: &Val<'_>) -> Option<String> {
    let (y, m, d) = match v {
        Val::Str(s) => {
            let day = s.as_str().get(..10)?;
            let parsed = chrono::NaiveDate::parse_from_str(day, "%Y-%m-%d").ok()?;
            return Some(parsed.format("%Y-%m-%d").to_string());
        }
        Val::Obj(Some(o)) => {
            let part = |k: &str| o.get(k).and_then(|v| number(&Val::of(v)));
            (part("year")?, part("month")?, part("day")?)
        }
        _ => return None,
    };
    let parsed = chrono::NaiveDate::from_ymd_opt(y as i32, m as u32, d as u32)?;
    Some(parsed.format("%Y-%m-%d").to_string())
}

/// [`date`] of a value read as a `Value`.
pub(crate) fn date_value(v: &Value) -> Option<String> {
    date(&Val::of(v))
}

/// [`strings`] of a body read as a `Value`.
pub(crate) fn value_strings<'a>(body: &'a Value, name: &str) -> Vec<&'a str> {
    Fields::of_value(body)
        .map(|f| strings(&f, name))
        .unwrap_or_default()
}

/// The strings of a validated string-or-array field.
pub(crate) fn strings<'a>(body: &Fields<'a>, name: &str) -> Vec<&'a str> {
    match body.get(name) {
        Some(Val::Str(s)) => vec![s.as_str()],
        Some(Val::Arr(items)) => items.iter().filter_map(Val::as_str).collect(),
        _ => Vec::new(),
    }
}

/// Base64 image text as `image::sha256` decodes it: standard or URL-safe
/// alphabet, at least [`super::image::MIN_BASE64_CHARS`] characters, padded
/// or not, with a canonical last symbol. Anything else is Verifik's 412.
pub(crate) fn image_schema() -> Value {
    let groups = super::image::MIN_BASE64_CHARS / 4;
    let alt = |a: &str| {
        format!("(?:[{a}]{{4}}){{{groups},}}(?:[{a}][AQgw](?:==)?|[{a}]{{2}}[AEIMQUYcgkosw048]=?)?")
    };
    serde_json::json!({
        "type": "string",
        "contentEncoding": "base64",
        "pattern": format!("^(?:{}|{})$", alt("A-Za-z0-9+/"), alt("A-Za-z0-9_-")),
    })
}

/// The JSON Schema of what [`check_fields`] accepts for `fields`: Joi's
/// types, ranges and enums, numbers and booleans as strings too (Joi's
/// `convert`), unknown fields allowed. Fields named in `images` hold
/// base64 images.
pub(crate) fn schema(fields: &[Field], images: &[&str]) -> Value {
    use serde_json::json;
    let text = json!({"type": "string", "minLength": 1});
    let mut props = serde_json::Map::new();
    let mut required = Vec::new();
    for f in fields {
        let item = if images.contains(&f.name) {
            image_schema()
        } else {
            text.clone()
        };
        let s = match f.kind {
            Kind::Str => item,
            Kind::StrArray => json!({"type": "array", "minItems": 1, "items": item}),
            Kind::StrOrArray => {
                json!({"anyOf": [item, {"type": "array", "minItems": 1, "items": item}]})
            }
            Kind::StrList => json!({"type": "array", "items": item}),
            Kind::Date => json!({"anyOf": [
                {"type": "string", "format": "date"},
                {"type": "object", "required": ["year", "month", "day"], "description": "Numbers (or numeric text) making a real date"},
            ]}),
            Kind::Num { min, max } => json!({"anyOf": [
                {"type": "number", "minimum": min, "maximum": max},
                {"type": "string", "pattern": "^\\s*[-+]?(?:[0-9]+\\.?[0-9]*|\\.[0-9]+)(?:[eE][-+]?[0-9]+)?\\s*$", "description": "A number as text, in range"},
            ]}),
            Kind::Enum(allowed) => json!({"type": "string", "enum": allowed}),
            Kind::Bool => {
                json!({"anyOf": [{"type": "boolean"}, {"type": "string", "enum": ["true", "false"]}]})
            }
        };
        props.insert(f.name.to_owned(), s);
        if f.required {
            required.push(f.name);
        }
    }
    let mut s = json!({"type": "object", "properties": props});
    if !required.is_empty() {
        s["required"] = json!(required);
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const FIELDS: &[Field] = &[
        Field::required("probe", Kind::Str),
        Field::required("gallery", Kind::StrArray),
        Field::optional(
            "liveness_min_score",
            Kind::Num {
                min: 0.52,
                max: 1.0,
            },
        ),
    ];

    fn message(body: Value, style: VerifikMessages) -> String {
        let err = check(&body, FIELDS, style).unwrap_err();
        err.body["message"].as_str().unwrap().to_owned()
    }

    #[test]
    fn every_missing_field_is_reported_in_either_style() {
        assert_eq!(
            message(json!({}), VerifikMessages::Joi),
            "\"probe\" is required. \"gallery\" is required"
        );
        assert_eq!(
            message(json!({}), VerifikMessages::Legacy),
            "missing probe\n. missing gallery\n"
        );
    }

    #[test]
    fn types_ranges_and_items_use_joi_wording() {
        assert_eq!(
            message(
                json!({"probe": 1, "gallery": ["a", 2], "liveness_min_score": 0.5}),
                VerifikMessages::Legacy
            ),
            "\"probe\" must be a string. \"gallery[1]\" must be a string. \
             \"liveness_min_score\" must be greater than or equal to 0.52"
        );
        assert!(
            check(
                &json!({"probe":"a","gallery":["b"],"liveness_min_score":"0.7"}),
                FIELDS,
                VerifikMessages::Joi
            )
            .is_ok()
        );
    }
}
