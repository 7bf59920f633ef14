//! Numbers as the emulated vendors' JavaScript back-ends print them: whole
//! numbers without a fraction (`1`, not `1.0`), others as they are (`0.52`).

use serde_json::Value;

/// Whether `n` prints without a fraction.
fn is_whole(n: f64) -> bool {
    n.fract() == 0.0 && n.abs() < 1e15
}

/// `n` as a JSON number: `1`, `0.52`.
pub(crate) fn js_value(n: f64) -> Value {
    if is_whole(n) {
        Value::from(n as i64)
    } else {
        Value::from(n)
    }
}

/// `n` as text: `1`, `0.52`.
pub(crate) fn js_text(n: f64) -> String {
    if is_whole(n) {
        format!("{}", n as i64)
    } else {
        format!("{n}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn whole_numbers_have_no_fraction() {
        assert_eq!(js_value(1.0).to_string(), "1");
        assert_eq!(js_value(0.77).to_string(), "0.77");
        assert_eq!(js_text(1.0), "1");
        assert_eq!(js_text(0.52), "0.52");
    }
}
