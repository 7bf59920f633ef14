//! The sandbox's own sample images: what a hosted Flow or a capture SDK
//! "photographs" when it is completed headlessly. Each is a valid greyscale
//! PNG (a pale card with a darker oval where a face would be), distinct per
//! seed so two clients' captures never look like the same face, and over
//! ComplyCube's 34 KB lower bound like a real capture.

use sha2::{Digest, Sha256};

/// Width and height in pixels (192 × 192 one-byte pixels ≈ 37 KB raw).
const SIDE: u32 = 192;

/// A PNG for `seed` (e.g. a session id and the capture's role).
pub(crate) fn png(seed: &[u8]) -> Vec<u8> {
    let noise = Sha256::digest(seed);
    let mut raw = Vec::with_capacity(((SIDE + 1) * SIDE) as usize);
    for y in 0..SIDE {
        raw.push(0); // filter: none
        for x in 0..SIDE {
            raw.push(pixel(x, y, &noise));
        }
    }
    let mut out = b"\x89PNG\r\n\x1a\n".to_vec();
    let mut header = Vec::with_capacity(13);
    header.extend_from_slice(&SIDE.to_be_bytes());
    header.extend_from_slice(&SIDE.to_be_bytes());
    header.extend_from_slice(&[8, 0, 0, 0, 0]); // 8-bit greyscale
    chunk(&mut out, b"IHDR", &header);
    chunk(&mut out, b"IDAT", &zlib_stored(&raw));
    chunk(&mut out, b"IEND", &[]);
    out
}

/// A pale background with seeded grain, a darker oval "face" in the middle.
fn pixel(x: u32, y: u32, noise: &[u8]) -> u8 {
    let (cx, cy) = (SIDE as i64 / 2, SIDE as i64 / 2);
    let (dx, dy) = (x as i64 - cx, y as i64 - cy);
    // Ellipse with semi-axes 52 × 68 pixels.
    let inside = dx * dx * 68 * 68 + dy * dy * 52 * 52 <= 52 * 52 * 68 * 68;
    let grain = noise[((x * 7 + y * 13) % 32) as usize] ^ (x.wrapping_mul(y) as u8);
    let base: u8 = if inside { 120 } else { 220 };
    base.wrapping_add(grain % 24)
}

fn chunk(out: &mut Vec<u8>, kind: &[u8; 4], data: &[u8]) {
    let len = u32::try_from(data.len()).unwrap_or(u32::MAX);
    out.extend_from_slice(&len.to_be_bytes());
    let start = out.len();
    out.extend_from_slice(kind);
    out.extend_from_slice(data);
    let crc = crc32(&out[start..]);
    out.extend_from_slice(&crc.to_be_bytes());
}

/// A zlib stream of stored (uncompressed) deflate blocks.
fn zlib_stored(data: &[u8]) -> Vec<u8> {
    let mut out = vec![0x78, 0x01];
    let blocks: Vec<&[u8]> = data.chunks(65_535).collect();
    for (i, block) in blocks.iter().enumerate() {
        let last = u8::from(i + 1 == blocks.len());
        out.push(last);
        let len = u16::try_from(block.len()).unwrap_or(u16::MAX);
        out.extend_from_slice(&len.to_le_bytes());
        out.extend_from_slice(&(!len).to_le_bytes());
        out.extend_from_slice(block);
    }
    out.extend_from_slice(&adler32(data).to_be_bytes());
    out
}

fn adler32(data: &[u8]) -> u32 {
    let (mut a, mut b) = (1u32, 0u32);
    for &byte in data {
        a = (a + u32::from(byte)) % 65_521;
        b = (b + a) % 65_521;
    }
    (b << 16) | a
}

fn crc32(data: &[u8]) -> u32 {
    let mut crc = 0xFFFF_FFFFu32;
    for &byte in data {
        crc ^= u32::from(byte);
        for _ in 0..8 {
            let mask = (crc & 1).wrapping_neg();
            crc = (crc >> 1) ^ (0xEDB8_8320 & mask);
        }
    }
    !crc
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pngs_are_well_formed_distinct_and_large_enough() {
        let a = png(b"a");
        assert!(a.starts_with(b"\x89PNG\r\n\x1a\n"));
        assert!(a.len() > 34 * 1024, "{}", a.len());
        assert_eq!(a, png(b"a"));
        assert_ne!(a, png(b"b"));
        // The check values of a known input.
        assert_eq!(crc32(b"IEND"), 0xAE42_6082);
        assert_eq!(adler32(b"Wikipedia"), 0x11E6_0398);
    }
}
