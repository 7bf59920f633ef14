//! Deterministic stand-ins for Verifik's face engine.
//!
//! A probe compared with a byte-identical gallery image scores 1. Any other
//! pair scores a stable value derived from both images' SHA-256, in a range
//! that passes the default thresholds; liveness likewise from the probe's hash.
//! Scenarios override both.

use sha2::{Digest, Sha256};

/// Comparison scores for different images fall in this range.
pub(crate) const COMPARE_RANGE: (f64, f64) = (0.86, 0.99);
/// Liveness scores fall in this range.
pub(crate) const LIVENESS_RANGE: (f64, f64) = (0.70, 0.99);

/// Faces that are not the same image score in this range in a 1:N search
/// or a verify: below the lowest `min_score` Verifik accepts (0.2), so only
/// the enrolled image itself is found.
pub(crate) const SEARCH_MISS_RANGE: (f64, f64) = (0.02, 0.19);

/// The similarity of a probe to an enrolled person's faces: 1 for the same
/// image, a stable low score otherwise.
pub(crate) fn similarity(probes: &[[u8; 32]], enrolled: &[[u8; 32]]) -> f64 {
    let mut best: f64 = 0.0;
    for p in probes {
        for e in enrolled {
            if p == e {
                return 1.0;
            }
            let h = Sha256::new()
                .chain_update(b"verifik-search")
                .chain_update(p)
                .chain_update(e)
                .finalize();
            best = best.max(in_range(SEARCH_MISS_RANGE, &h));
        }
    }
    best
}

/// The best score of any probe against any gallery image (1:N), 1 when a pair is identical.
pub(crate) fn comparison(probes: &[[u8; 32]], gallery: &[[u8; 32]]) -> f64 {
    let mut best: f64 = 0.0;
    for p in probes {
        for g in gallery {
            if p == g {
                return 1.0;
            }
            let h = Sha256::new()
                .chain_update(b"verifik-compare")
                .chain_update(p)
                .chain_update(g)
                .finalize();
            best = best.max(in_range(COMPARE_RANGE, &h));
        }
    }
    best
}

/// The liveness score of a probe.
pub(crate) fn liveness(probe: &[u8; 32]) -> f64 {
    let h = Sha256::new()
        .chain_update(b"verifik-liveness")
        .chain_update(probe)
        .finalize();
    in_range(LIVENESS_RANGE, &h)
}

/// Maps a hash onto `lo..=hi`, rounded to two decimals like Verifik's examples.
fn in_range((lo, hi): (f64, f64), hash: &[u8]) -> f64 {
    let mut first = [0u8; 8];
    first.copy_from_slice(&hash[..8]);
    let unit = u64::from_be_bytes(first) as f64 / u64::MAX as f64;
    round2(lo + (hi - lo) * unit)
}

pub(crate) fn round2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identical_images_score_one_and_others_stay_in_range() {
        let a = [1u8; 32];
        let b = [2u8; 32];
        assert_eq!(comparison(&[a], &[b, a]), 1.0);
        let s = comparison(&[a], &[b]);
        assert!((COMPARE_RANGE.0..=COMPARE_RANGE.1).contains(&s), "{s}");
        assert_eq!(s, comparison(&[a], &[b]));
        assert_eq!(similarity(&[a], &[b, a]), 1.0);
        let miss = similarity(&[a], &[b]);
        assert!(
            (SEARCH_MISS_RANGE.0..=SEARCH_MISS_RANGE.1).contains(&miss),
            "{miss}"
        );
        let l = liveness(&a);
        assert!((LIVENESS_RANGE.0..=LIVENESS_RANGE.1).contains(&l), "{l}");
    }
}
