//! How deliveries are signed and how often they are retried.

use hmac::{Hmac, Mac};
use sha2::Sha256;

use crate::ids::Millis;

/// Attempts per delivery before it fails and its webhook is disabled.
pub(crate) const MAX_ATTEMPTS: u32 = 10;

/// Longest wait between two attempts: one day of tenant time.
const MAX_RETRY_MS: Millis = 86_400_000;

/// Wait after the `failures`-th failed attempt (1-based), in tenant ms:
/// 60 s, 120 s, 480 s, 1,920 s, 7,680 s, 30,720 s, then one day.
pub(crate) fn retry_delay_ms(failures: u32) -> Millis {
    match failures {
        0 | 1 => 60_000,
        n => {
            let exp = (n - 2).min(10);
            (120_000 * 4_i64.pow(exp)).min(MAX_RETRY_MS)
        }
    }
}

/// Lowercase hex HMAC-SHA256 of `body` keyed with `secret`.
pub(crate) fn sign(secret: &[u8], body: &[u8]) -> String {
    // HMAC accepts keys of any length.
    let mut mac = match Hmac::<Sha256>::new_from_slice(secret) {
        Ok(m) => m,
        Err(_) => return String::new(),
    };
    mac.update(body);
    hex::encode(mac.finalize().into_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signature_matches_the_published_test_vector() {
        assert_eq!(
            sign(b"a_webhook_signature", br#"{"id":"value"}"#),
            "bc00414fa4d54277a3ed01e5ee258d9800a918a7791c7cda16d38b82f38f2150"
        );
    }

    #[test]
    fn retry_schedule_is_60_120_480_then_x4_capped_at_a_day() {
        let s: Vec<i64> = (1..MAX_ATTEMPTS)
            .map(|n| retry_delay_ms(n) / 1000)
            .collect();
        assert_eq!(
            s,
            vec![60, 120, 480, 1920, 7680, 30720, 86400, 86400, 86400]
        );
    }
}
