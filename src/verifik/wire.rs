//! Verifik request bodies as top-level fields whose strings are borrowed
//! from the request, read in one pass.
//!
//! The biometrics bodies are flat objects holding a few short fields and a
//! few very long base64 strings. [`Fields::scan`] reads such a body in one
//! pass: each string is found by a scan that looks at 64 bytes at a time for
//! its closing quote (and for what JSON forbids in a string), and is then a
//! slice of the body. Bodies it does not handle (an escape in a string, a
//! nested object, anything it would have to second-guess) are read by
//! serde_json into a `Value` instead ([`Fields::of_value`]), so every body
//! means exactly what it always meant and every error reads as before.

use serde_json::Value;

/// A top-level field's value.
#[derive(Debug, Clone)]
pub(crate) enum Val<'a> {
    Null,
    /// `true` or `false` (which one is never needed).
    Bool,
    Num(f64),
    Str(Text<'a>),
    Arr(Vec<Val<'a>>),
    /// An object: its content when it came from a parsed `Value` (one
    /// pass reading never yields objects).
    Obj(Option<&'a serde_json::Map<String, Value>>),
}

/// A JSON string's content, valid UTF-8 with no escapes left.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Text<'a> {
    raw: &'a str,
}

impl<'a> Text<'a> {
    pub(crate) fn as_str(&self) -> &'a str {
        self.raw
    }
}

impl<'a> Val<'a> {
    /// The same value seen through a parsed `Value` (strings borrowed).
    pub(crate) fn of(v: &'a Value) -> Val<'a> {
        match v {
            Value::Null => Val::Null,
            Value::Bool(_) => Val::Bool,
            Value::Number(n) => Val::Num(n.as_f64().unwrap_or(f64::NAN)),
            Value::String(s) => Val::Str(Text { raw: s }),
            Value::Array(items) => Val::Arr(items.iter().map(Val::of).collect()),
            Value::Object(o) => Val::Obj(Some(o)),
        }
    }

    pub(crate) fn as_str(&self) -> Option<&'a str> {
        match self {
            Val::Str(t) => Some(t.as_str()),
            _ => None,
        }
    }
}

/// A body's top-level fields, in order; a repeated key means its last value.
#[derive(Debug, Default)]
pub(crate) struct Fields<'a> {
    items: Vec<(&'a str, Val<'a>)>,
}

impl<'a> Fields<'a> {
    pub(crate) fn get(&self, name: &str) -> Option<&Val<'a>> {
        self.items
            .iter()
            .rev()
            .find(|(k, _)| *k == name)
            .map(|(_, v)| v)
    }

    /// The fields of a parsed body; `None` when it is not an object.
    pub(crate) fn of_value(v: &'a Value) -> Option<Fields<'a>> {
        let obj = v.as_object()?;
        Some(Fields {
            items: obj.iter().map(|(k, v)| (k.as_str(), Val::of(v))).collect(),
        })
    }

    /// The fields of a flat JSON object, its strings borrowed from `body`;
    /// `None` for anything else, valid or not (read it as a `Value` then).
    pub(crate) fn scan(body: &'a [u8]) -> Option<Fields<'a>> {
        let mut i = skip_ws(body, 0);
        if body.get(i) != Some(&b'{') {
            return None;
        }
        i = skip_ws(body, i + 1);
        let mut items = Vec::with_capacity(8);
        if body.get(i) == Some(&b'}') {
            i += 1;
        } else {
            loop {
                if body.get(i) != Some(&b'"') {
                    return None;
                }
                let (key, next) = string(body, i + 1)?;
                i = skip_ws(body, next);
                if body.get(i) != Some(&b':') {
                    return None;
                }
                i = skip_ws(body, i + 1);
                let (value, next) = value(body, i, true)?;
                items.push((key.as_str(), value));
                i = skip_ws(body, next);
                match body.get(i) {
                    Some(b',') => i = skip_ws(body, i + 1),
                    Some(b'}') => {
                        i += 1;
                        break;
                    }
                    _ => return None,
                }
            }
        }
        (skip_ws(body, i) == body.len()).then_some(Fields { items })
    }
}

/// JSON's whitespace (serde_json's: space, tab, line feed, carriage return).
fn skip_ws(b: &[u8], mut i: usize) -> usize {
    while matches!(b.get(i), Some(b' ' | b'\t' | b'\n' | b'\r')) {
        i += 1;
    }
    i
}

/// A value at `i` and where it ends: strings, numbers, literals and (at the
/// top level) arrays of those.
fn value(b: &[u8], i: usize, top: bool) -> Option<(Val<'_>, usize)> {
    match *b.get(i)? {
        b'"' => string(b, i + 1).map(|(t, end)| (Val::Str(t), end)),
        b'[' if top => {
            let mut items = Vec::new();
            let mut j = skip_ws(b, i + 1);
            if b.get(j) == Some(&b']') {
                return Some((Val::Arr(items), j + 1));
            }
            loop {
                let (v, end) = value(b, j, false)?;
                items.push(v);
                j = skip_ws(b, end);
                match b.get(j) {
                    Some(b',') => j = skip_ws(b, j + 1),
                    Some(b']') => return Some((Val::Arr(items), j + 1)),
                    _ => return None,
                }
            }
        }
        b't' => literal(b, i, b"true", Val::Bool),
        b'f' => literal(b, i, b"false", Val::Bool),
        b'n' => literal(b, i, b"null", Val::Null),
        b'-' | b'0'..=b'9' => {
            let end = number_end(b, i)?;
            // serde_json reads the number exactly as a `Value` would.
            let n: serde_json::Number = serde_json::from_slice(b.get(i..end)?).ok()?;
            Some((Val::Num(n.as_f64()?), end))
        }
        _ => None,
    }
}

/// Where JSON's number grammar ends: `-?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?`.
fn number_end(b: &[u8], mut i: usize) -> Option<usize> {
    let digits = |b: &[u8], mut i: usize| {
        let start = i;
        while b.get(i).is_some_and(u8::is_ascii_digit) {
            i += 1;
        }
        (i > start).then_some(i)
    };
    if b.get(i) == Some(&b'-') {
        i += 1;
    }
    i = match b.get(i)? {
        b'0' => i + 1,
        b'1'..=b'9' => digits(b, i)?,
        _ => return None,
    };
    if b.get(i) == Some(&b'.') {
        i = digits(b, i + 1)?;
    }
    if matches!(b.get(i), Some(b'e' | b'E')) {
        i += 1;
        if matches!(b.get(i), Some(b'+' | b'-')) {
            i += 1;
        }
        i = digits(b, i)?;
    }
    Some(i)
}

fn literal<'a>(b: &[u8], i: usize, word: &[u8], v: Val<'a>) -> Option<(Val<'a>, usize)> {
    let end = i + word.len();
    (b.get(i..end) == Some(word)).then_some((v, end))
}

/// The string whose content starts at `start`, and the index after its
/// closing quote. `None` when it holds an escape or a control character
/// (serde_json handles those) or is not closed.
fn string(b: &[u8], start: usize) -> Option<(Text<'_>, usize)> {
    const BLOCK: usize = 64;
    let rest = b.get(start..)?;
    let mut i = 0;
    // Whole blocks with nothing to stop at: a branch-free test per block.
    while let Some(block) = rest.get(i..i + BLOCK) {
        let mut stop = 0u8;
        for &c in block {
            stop |= u8::from(c == b'"') | u8::from(c == b'\\') | u8::from(c < 0x20);
        }
        if stop != 0 {
            break;
        }
        i += BLOCK;
    }
    while let Some(&c) = rest.get(i) {
        match c {
            b'"' => {
                let raw = std::str::from_utf8(&rest[..i]).ok()?;
                return Some((Text { raw }, start + i + 1));
            }
            b'\\' => return None,
            c if c < 0x20 => return None,
            _ => i += 1,
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scanned(body: &str) -> Option<Vec<(String, String)>> {
        Fields::scan(body.as_bytes()).map(|f| {
            f.items
                .iter()
                .map(|(k, v)| ((*k).to_owned(), format!("{v:?}")))
                .collect()
        })
    }

    #[test]
    fn flat_bodies_are_read_with_borrowed_strings() {
        let long = "A".repeat(1000);
        let body = format!(
            " {{\"probe\" : \"{long}\",\n\"gallery\":[\"b\", \"c\"],\"n\":-0.6e1,\"t\":true,\"z\":null,\"e\":[]}} "
        );
        let f = Fields::scan(body.as_bytes()).unwrap();
        assert_eq!(f.get("probe").and_then(Val::as_str), Some(long.as_str()));
        assert!(matches!(f.get("gallery"), Some(Val::Arr(items)) if items.len() == 2));
        assert!(matches!(f.get("n"), Some(Val::Num(n)) if *n == -6.0));
        assert!(matches!(f.get("t"), Some(Val::Bool)));
        assert!(matches!(f.get("z"), Some(Val::Null)));
        assert!(matches!(f.get("e"), Some(Val::Arr(items)) if items.is_empty()));
        assert_eq!(scanned("{}"), Some(vec![]));
        // The last of a repeated key wins, as in a parsed `Value`.
        let f = Fields::scan(br#"{"a":"1","a":"2"}"#).unwrap();
        assert_eq!(f.get("a").and_then(Val::as_str), Some("2"));
    }

    #[test]
    fn anything_else_is_left_to_serde_json() {
        for body in [
            r#"{"a":"x\"y"}"#,
            r#"{"a":"\u0041"}"#,
            "{\"a\":\"line\nbreak\"}",
            r#"{"a":{"b":1}}"#,
            r#"{"a":[["b"]]}"#,
            r#"{"a":"b",}"#,
            r#"{"a":"b"} x"#,
            r#"{"a":01}"#,
            r#"{"a":tru}"#,
            r#"{"a":"unclosed"#,
            r#"["a"]"#,
            "",
        ] {
            assert!(scanned(body).is_none(), "{body:?}");
        }
    }

    #[test]
    fn strings_across_blocks_stop_at_the_first_quote() {
        for n in [0, 1, 63, 64, 65, 127, 128, 200] {
            let s = "x".repeat(n);
            let body = format!("{{\"k\":\"{s}\",\"q\":\"é\"}}");
            let f = Fields::scan(body.as_bytes()).unwrap();
            assert_eq!(f.get("k").and_then(Val::as_str), Some(s.as_str()), "{n}");
            assert_eq!(f.get("q").and_then(Val::as_str), Some("é"));
            let with_escape = format!("{{\"k\":\"{s}\\n\"}}");
            assert!(Fields::scan(with_escape.as_bytes()).is_none(), "{n}");
        }
    }

    #[test]
    fn invalid_utf8_is_left_to_serde_json() {
        assert!(Fields::scan(b"{\"a\":\"\xff\"}").is_none());
    }
}
