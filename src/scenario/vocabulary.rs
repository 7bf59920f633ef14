//! What a vendor lets scenarios say: its endpoints, the facts its requests
//! can be matched on and the effects it knows how to apply, each key with
//! the kind of value it takes.

use serde_json::Value;

/// The longest latency or completion delay a scenario may ask for.
pub(crate) const MAX_DELAY_MS: u64 = 3_600_000;

/// A vendor's scenario vocabulary.
#[derive(Debug)]
pub(crate) struct Vocabulary {
    /// The vendor's name as `match.vendor` spells it.
    pub(crate) vendor: &'static str,
    /// The operations `match.endpoint` may name.
    pub(crate) endpoints: &'static [&'static str],
    /// Match keys beyond the generic ones.
    pub(crate) facts: &'static [Key],
    /// Effect keys beyond the generic ones.
    pub(crate) effects: &'static [Key],
}

/// One key: a dotted path (a trailing `*` stands for any one segment).
#[derive(Debug)]
pub(crate) struct Key {
    pub(crate) path: &'static str,
    pub(crate) kind: Kind,
    /// How a fact reads in a trigger sentence (`client last name`).
    pub(crate) label: &'static str,
    /// A fact that says which requests (kept when armed), not which data.
    pub(crate) scope: bool,
}

impl Key {
    /// A fact compared exactly (`scope`: kept when the scenario is armed).
    pub(crate) const fn fact(path: &'static str, label: &'static str, scope: bool) -> Key {
        Key {
            path,
            kind: Kind::Text,
            label,
            scope,
        }
    }

    /// A data fact compared trimmed and ignoring ASCII case.
    pub(crate) const fn fact_ignoring_case(path: &'static str, label: &'static str) -> Key {
        Key {
            path,
            kind: Kind::TextIgnoreCase,
            label,
            scope: false,
        }
    }

    /// An effect of the given kind.
    pub(crate) const fn effect(path: &'static str, kind: Kind) -> Key {
        Key {
            path,
            kind,
            label: "",
            scope: false,
        }
    }

    pub(super) fn covers(&self, path: &str) -> bool {
        match self.path.strip_suffix('*') {
            Some(prefix) => path
                .strip_prefix(prefix)
                .is_some_and(|rest| !rest.is_empty() && !rest.contains('.')),
            None => self.path == path,
        }
    }

    /// Whether some key lies below `path` (so `path` is an object to walk).
    pub(super) fn below(&self, path: &str) -> bool {
        self.path
            .strip_prefix(path)
            .is_some_and(|rest| rest.starts_with('.'))
    }
}

/// What a key's value must be.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Kind {
    /// A non-empty string (for a fact: or a non-empty list of them).
    Text,
    /// Like `Text`, compared trimmed and ignoring ASCII case.
    TextIgnoreCase,
    /// One of these strings.
    OneOf(&'static [&'static str]),
    /// A number in this closed range.
    Number { min: f64, max: f64 },
    /// Milliseconds, at most [`MAX_DELAY_MS`].
    Millis,
    /// A JSON object, taken whole (deep-merged by the vendor).
    Object,
}

pub(super) fn check_kind(at: &str, kind: Kind, v: &Value, fact: bool) -> Result<(), String> {
    let text = |s: &Value| s.as_str().is_some_and(|s| !s.trim().is_empty());
    match kind {
        Kind::Text | Kind::TextIgnoreCase => {
            let ok = if fact {
                match v {
                    Value::Array(list) => !list.is_empty() && list.iter().all(text),
                    other => text(other),
                }
            } else {
                text(v)
            };
            if ok {
                Ok(())
            } else {
                Err(format!("{at} must be a non-empty string"))
            }
        }
        Kind::OneOf(allowed) => {
            let each = |s: &Value| s.as_str().is_some_and(|s| allowed.contains(&s));
            let ok = match v {
                Value::Array(list) if fact => !list.is_empty() && list.iter().all(each),
                other => each(other),
            };
            if ok {
                Ok(())
            } else {
                let got = match v {
                    Value::String(s) => format!("'{s}'"),
                    other => other.to_string(),
                };
                Err(format!("{at} {got} must be one of {}", allowed.join(", ")))
            }
        }
        Kind::Number { min, max } => match v.as_f64() {
            Some(n) if (min..=max).contains(&n) => Ok(()),
            Some(n) => Err(format!("{at} {n} must be between {min} and {max}")),
            None => Err(format!("{at} must be a number")),
        },
        Kind::Millis => match v.as_u64() {
            Some(n) if n <= MAX_DELAY_MS => Ok(()),
            Some(_) => Err(format!("{at} must be at most {MAX_DELAY_MS} (one hour)")),
            None => Err(format!("{at} must be a whole number of milliseconds")),
        },
        Kind::Object => {
            if v.is_object() {
                Ok(())
            } else {
                Err(format!("{at} must be an object"))
            }
        }
    }
}
