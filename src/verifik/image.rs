//! Images as Verifik accepts them: base64 (raw or as a `data:` URI, whitespace
//! tolerated) or, where allowed, an `https://` URL.
//!
//! An image is only ever needed as its SHA-256: base64 is decoded in small
//! chunks straight into the hasher, so a 1 MB image never exists decoded in
//! memory and the request's string is never copied.
//!
//! Test suites send the same few images again and again, so each decoded
//! image is remembered by a 128-bit XXH3 of its base64 text (about 20 GB/s,
//! against about 1 GB/s for decoding and SHA-256): the same text is decoded
//! and hashed once per process. The memory is bounded ([`SEEN_MAX`] images,
//! oldest forgotten first) and holds digests only.

use std::collections::{HashMap, VecDeque};
use std::io::Read;
use std::sync::{LazyLock, Mutex};

use base64::engine::DecodePaddingMode;
use base64::engine::general_purpose::{GeneralPurpose, GeneralPurposeConfig};
use sha2::{Digest, Sha256};

use super::error::VerifikError;

/// Strings shorter than this (after any `data:` prefix) are refused with 412,
/// as Verifik documents for "images" of about 100 characters.
pub(crate) const MIN_BASE64_CHARS: usize = 100;

const STANDARD: GeneralPurpose = GeneralPurpose::new(
    &base64::alphabet::STANDARD,
    GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent),
);
const URL_SAFE: GeneralPurpose = GeneralPurpose::new(
    &base64::alphabet::URL_SAFE,
    GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent),
);

/// How many decoded images are remembered (about 80 bytes each).
const SEEN_MAX: usize = 4096;

/// A decoded image: its SHA-256 and its decoded length.
#[derive(Debug, Clone, Copy)]
struct Decoded {
    sha256: [u8; 32],
    #[cfg_attr(not(test), expect(dead_code, reason = "kept for reports and tests"))]
    bytes: usize,
}

/// Decoded images by the XXH3-128 of their base64 text.
#[derive(Default)]
struct Seen {
    by_text: HashMap<u128, Decoded, foldhash::fast::RandomState>,
    order: VecDeque<u128>,
}

static SEEN: LazyLock<Mutex<Seen>> = LazyLock::new(Mutex::default);

fn seen() -> std::sync::MutexGuard<'static, Seen> {
    SEEN.lock().unwrap_or_else(|e| e.into_inner())
}

/// The SHA-256 of an image: of its decoded bytes, or of the URL string for an
/// `https://` URL when `urls` allows one. Anything else is Verifik's 412.
pub(crate) fn sha256(image: &str, urls: bool) -> Result<[u8; 32], VerifikError> {
    let trimmed = image.trim();
    if urls && is_https_url(trimmed) {
        return Ok(Sha256::digest(trimmed.as_bytes()).into());
    }
    let payload = strip_data_uri(trimmed);
    let key = xxhash_rust::xxh3::xxh3_128(payload.as_bytes());
    if let Some(d) = seen().by_text.get(&key) {
        return Ok(d.sha256);
    }
    let d = decode(payload).ok_or_else(VerifikError::only_images_in_base64)?;
    let mut seen = seen();
    if seen.by_text.insert(key, d).is_none() {
        seen.order.push_back(key);
        while seen.order.len() > SEEN_MAX {
            if let Some(old) = seen.order.pop_front() {
                seen.by_text.remove(&old);
            }
        }
    }
    Ok(d.sha256)
}

/// Decodes and hashes base64 text (`None`: too short or not base64).
fn decode(payload: &str) -> Option<Decoded> {
    // One pass learns all three facts the decoder needs, a block at a time
    // so it compiles to vector compares.
    let (mut whitespace, mut url_safe) = (0usize, 0u8);
    for block in payload.as_bytes().chunks(64) {
        let mut ws = 0u8;
        for &b in block {
            ws += u8::from(matches!(b, b' ' | b'\t' | b'\n' | b'\x0C' | b'\r'));
            url_safe |= u8::from(b == b'-') | u8::from(b == b'_');
        }
        whitespace += usize::from(ws);
    }
    if payload.len() - whitespace < MIN_BASE64_CHARS {
        return None;
    }
    let engine = if url_safe != 0 { &URL_SAFE } else { &STANDARD };
    if whitespace > 0 {
        hash_decoded_streaming(payload, engine)
    } else {
        hash_decoded(payload, engine)
    }
}

fn is_https_url(s: &str) -> bool {
    s.get(..8)
        .is_some_and(|p| p.eq_ignore_ascii_case("https://"))
        && s.len() > 8
        && !s.bytes().any(|b| b.is_ascii_whitespace())
}

/// `data:image/jpeg;base64,AAAA` → `AAAA`.
fn strip_data_uri(s: &str) -> &str {
    if s.get(..5).is_some_and(|p| p.eq_ignore_ascii_case("data:")) {
        if let Some(i) = s.find(',') {
            return &s[i + 1..];
        }
    }
    s
}

fn hash_decoded(payload: &str, engine: &GeneralPurpose) -> Option<Decoded> {
    use base64::Engine as _;
    let bytes = payload.as_bytes();
    // One unbroken base64 string (the caller checked). Decode it in aligned
    // blocks (a multiple of 4 characters) straight into the hasher.
    const BLOCK_CHARS: usize = 4 * 4096;
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; BLOCK_CHARS / 4 * 3];
    let mut total = 0usize;
    for chunk in bytes.chunks(BLOCK_CHARS) {
        let n = engine.decode_slice(chunk, &mut buf).ok()?;
        total += n;
        hasher.update(&buf[..n]);
    }
    (total > 0).then(|| Decoded {
        sha256: hasher.finalize().into(),
        bytes: total,
    })
}

/// Line-wrapped base64: decoded through a reader that skips whitespace.
fn hash_decoded_streaming(payload: &str, engine: &GeneralPurpose) -> Option<Decoded> {
    let mut src = SkipWhitespace(payload.as_bytes());
    let mut decoder = base64::read::DecoderReader::new(&mut src, engine);
    let mut hasher = Sha256::new();
    let mut buf = [0u8; 16 * 1024];
    let mut total = 0usize;
    loop {
        match decoder.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => {
                total += n;
                hasher.update(&buf[..n]);
            }
            Err(_) => return None,
        }
    }
    (total > 0).then(|| Decoded {
        sha256: hasher.finalize().into(),
        bytes: total,
    })
}

/// A reader over bytes that skips ASCII whitespace (line-wrapped base64).
struct SkipWhitespace<'a>(&'a [u8]);

impl Read for SkipWhitespace<'_> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let mut n = 0;
        let mut used = 0;
        for &b in self.0 {
            if n == buf.len() {
                break;
            }
            used += 1;
            if !b.is_ascii_whitespace() {
                buf[n] = b;
                n += 1;
            }
        }
        self.0 = &self.0[used..];
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn encode(bytes: &[u8]) -> String {
        use base64::Engine;
        base64::engine::general_purpose::STANDARD.encode(bytes)
    }

    fn digest(bytes: &[u8]) -> [u8; 32] {
        Sha256::digest(bytes).into()
    }

    #[test]
    fn data_uri_and_whitespace_do_not_change_the_hash() {
        let bytes: Vec<u8> = (0..=255u8).collect();
        let b64 = encode(&bytes);
        let wrapped: String = b64
            .as_bytes()
            .chunks(76)
            .map(|c| std::str::from_utf8(c).unwrap())
            .collect::<Vec<_>>()
            .join("\n");
        let uri = format!("data:image/png;base64,{wrapped}");
        assert_eq!(sha256(&b64, false).unwrap(), digest(&bytes));
        assert_eq!(sha256(&uri, false).unwrap(), digest(&bytes));
        assert_eq!(
            sha256(b64.trim_end_matches('='), false).unwrap(),
            digest(&bytes)
        );
    }

    #[test]
    fn large_images_hash_the_same_across_decode_blocks() {
        let bytes: Vec<u8> = (0..100_001u32).map(|i| (i * 7 % 251) as u8).collect();
        let b64 = encode(&bytes);
        assert_eq!(sha256(&b64, false).unwrap(), digest(&bytes));
        assert_eq!(
            sha256(b64.trim_end_matches('='), false).unwrap(),
            digest(&bytes)
        );
    }

    #[test]
    fn a_text_seen_before_gives_the_same_digest_without_decoding() {
        let bytes: Vec<u8> = (0..50_000u32).map(|i| (i * 13 % 241) as u8).collect();
        let b64 = encode(&bytes);
        let first = sha256(&b64, false).unwrap();
        let key = xxhash_rust::xxh3::xxh3_128(b64.as_bytes());
        let kept = seen().by_text.get(&key).copied().unwrap();
        assert_eq!((kept.sha256, kept.bytes), (digest(&bytes), bytes.len()));
        assert_eq!(
            sha256(&format!(" data:image/png;base64,{b64}\n"), false).unwrap(),
            first
        );
        // Invalid text is never remembered: it is refused every time.
        let bad = format!("{}!", &b64[..200]);
        assert!(sha256(&bad, false).is_err());
        assert!(sha256(&bad, false).is_err());
    }

    #[test]
    fn short_or_invalid_strings_are_refused() {
        assert!(sha256("aGVsbG8=", false).is_err());
        let bad = "!".repeat(200);
        assert!(sha256(&bad, false).is_err());
        assert!(sha256("https://example.com/face.jpg", false).is_err());
        assert!(sha256("https://example.com/face.jpg", true).is_ok());
    }
}
