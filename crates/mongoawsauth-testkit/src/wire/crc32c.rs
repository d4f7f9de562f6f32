//! CRC-32C (Castagnoli), the OP_MSG checksum. Bitwise: messages here are small, and a table or
//! a crate would be more code than this.

/// CRC-32C of `data`.
pub(super) fn crc32c(data: &[u8]) -> u32 {
    let mut crc = !0u32;
    for &b in data {
        crc ^= u32::from(b);
        for _ in 0..8 {
            let mask = (crc & 1).wrapping_neg();
            crc = (crc >> 1) ^ (0x82F6_3B78 & mask);
        }
    }
    !crc
}

#[cfg(test)]
mod tests {
    #[test]
    fn known_value() {
        // The standard check value for CRC-32C (RFC 3720 appendix B.4).
        assert_eq!(super::crc32c(b"123456789"), 0xE306_9283);
    }
}
