//! Random values for generated identities, nonces and request ids, all from the OS generator.

/// Fills `buf` from the operating system's cryptographically secure generator.
///
/// The OS generator failing is not something a test rig can recover from, so this panics with a
/// message naming the cause instead of returning an error every caller would have to unwrap.
pub(crate) fn fill(buf: &mut [u8]) {
    getrandom::fill(buf).expect("the OS random generator failed; the stand-ins cannot generate keys");
}

/// Returns `n` random bytes.
pub(crate) fn bytes(n: usize) -> Vec<u8> {
    let mut buf = vec![0u8; n];
    fill(&mut buf);
    buf
}

/// Returns `n` characters drawn uniformly from `alphabet` (which must be shorter than 256).
pub(crate) fn string_from(alphabet: &[u8], n: usize) -> String {
    let len = alphabet.len();
    debug_assert!(len > 0 && len < 256);
    // Rejection sampling keeps the distribution uniform: a plain `% len` would favour the first
    // `256 % len` characters.
    let limit = 256 - (256 % len);
    let mut out = String::with_capacity(n);
    let mut buf = [0u8; 64];
    while out.len() < n {
        fill(&mut buf);
        for &b in &buf {
            if usize::from(b) < limit && out.len() < n {
                out.push(char::from(alphabet[usize::from(b) % len]));
            }
        }
    }
    out
}

/// Upper-case letters and digits, the alphabet of AWS access key ids and unique ids.
pub(crate) const UPPER_ALNUM: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";

/// The alphabet of AWS secret access keys.
pub(crate) const SECRET_ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/// A request id shaped like the UUIDs AWS returns in `RequestId`.
pub(crate) fn request_id() -> String {
    let b = bytes(16);
    let h = hex::encode(b);
    format!("{}-{}-{}-{}-{}", &h[0..8], &h[8..12], &h[12..16], &h[16..20], &h[20..32])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strings_have_the_requested_length_and_alphabet() {
        let s = string_from(UPPER_ALNUM, 100);
        assert_eq!(s.len(), 100);
        assert!(s.bytes().all(|b| UPPER_ALNUM.contains(&b)));
        assert_ne!(string_from(UPPER_ALNUM, 16), string_from(UPPER_ALNUM, 16));
    }

    #[test]
    fn request_ids_look_like_uuids() {
        let id = request_id();
        assert_eq!(id.len(), 36);
        assert_eq!(id.matches('-').count(), 4);
    }
}
