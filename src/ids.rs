//! Identifiers and timestamps in the shapes the emulated vendors use.
//!
//! ComplyCube and Verifik both hand out MongoDB-style ObjectIds: 24 lowercase hex
//! characters made of a 4-byte creation time, 5 random bytes and a 3-byte counter.
//! Keeping them as 12 raw bytes (not `String`) is what keeps a stored check small.

use std::fmt;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicU32, Ordering};

use chrono::{DateTime, SecondsFormat, TimeZone, Utc};

/// A 12-byte ObjectId, rendered as 24 lowercase hex characters.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) struct ObjectId([u8; 12]);

static COUNTER: AtomicU32 = AtomicU32::new(0);
static PROCESS_RANDOM: OnceLock<[u8; 5]> = OnceLock::new();

impl ObjectId {
    /// A fresh id stamped with `now_ms` (the tenant's clock, so ids sort like `createdAt`).
    pub(crate) fn new(now_ms: i64) -> Self {
        let random = PROCESS_RANDOM.get_or_init(rand::random);
        let secs = (now_ms / 1000).clamp(0, u32::MAX as i64) as u32;
        let count = COUNTER.fetch_add(1, Ordering::Relaxed);
        let mut b = [0u8; 12];
        b[0..4].copy_from_slice(&secs.to_be_bytes());
        b[4..9].copy_from_slice(random);
        b[9..12].copy_from_slice(&count.to_be_bytes()[1..4]);
        ObjectId(b)
    }

    /// Parses 24 hex characters (either case). Anything else is `None`, which
    /// callers turn into the vendor's "not found" answer, exactly as for an
    /// unknown but well-formed id.
    pub(crate) fn parse(s: &str) -> Option<Self> {
        if s.len() != 24 {
            return None;
        }
        let mut b = [0u8; 12];
        hex::decode_to_slice(s, &mut b).ok()?;
        Some(ObjectId(b))
    }

    pub(crate) fn bytes(&self) -> &[u8; 12] {
        &self.0
    }
}

impl fmt::Display for ObjectId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut buf = [0u8; 24];
        // Cannot fail: the buffer is exactly twice the input length.
        let _ = hex::encode_to_slice(self.0, &mut buf);
        f.write_str(std::str::from_utf8(&buf).unwrap_or_default())
    }
}

impl fmt::Debug for ObjectId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ObjectId({self})")
    }
}

impl serde::Serialize for ObjectId {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> serde::Deserialize<'de> for ObjectId {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        ObjectId::parse(&s).ok_or_else(|| serde::de::Error::custom("not a 24-hex id"))
    }
}

/// Milliseconds since the Unix epoch, the unit every clock in the sandbox speaks.
pub(crate) type Millis = i64;

/// `2020-01-04T17:24:29.146Z`: ISO-8601 UTC with milliseconds.
pub(crate) fn iso_millis(ms: Millis) -> String {
    to_datetime(ms).to_rfc3339_opts(SecondsFormat::Millis, true)
}

pub(crate) fn to_datetime(ms: Millis) -> DateTime<Utc> {
    Utc.timestamp_millis_opt(ms)
        .single()
        .unwrap_or(DateTime::<Utc>::UNIX_EPOCH)
}

/// Parses an ISO-8601 / RFC 3339 timestamp or a plain `YYYY-MM-DD` date into millis.
pub(crate) fn parse_time(s: &str) -> Option<Millis> {
    if let Ok(dt) = DateTime::parse_from_rfc3339(s) {
        return Some(dt.timestamp_millis());
    }
    let d = chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").ok()?;
    Some(d.and_hms_opt(0, 0, 0)?.and_utc().timestamp_millis())
}

/// A short request id like Verifik's (`ABRCB`): 5 characters of `[A-Z0-9]`.
pub(crate) fn short_id() -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
    (0..5)
        .map(|_| ALPHABET[rand::random::<usize>() % ALPHABET.len()] as char)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn object_ids_are_24_hex_and_round_trip() {
        let id = ObjectId::new(1_700_000_000_000);
        let s = id.to_string();
        assert_eq!(s.len(), 24);
        assert!(
            s.chars()
                .all(|c| c.is_ascii_hexdigit() && !c.is_ascii_uppercase())
        );
        assert_eq!(ObjectId::parse(&s), Some(id));
        assert_eq!(ObjectId::parse("nothex"), None);
        assert_ne!(ObjectId::new(0), ObjectId::new(0));
    }

    #[test]
    fn timestamps_have_milliseconds_and_z() {
        assert_eq!(iso_millis(1_578_158_669_146), "2020-01-04T17:24:29.146Z");
        assert_eq!(
            parse_time("2020-01-04T17:24:29.146Z"),
            Some(1_578_158_669_146)
        );
        assert_eq!(parse_time("2020-01-04"), Some(1_578_096_000_000));
    }
}
