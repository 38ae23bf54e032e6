//! Short fixed-length keys for texts of any length (a unique column holds at most so much).

use sha2::Digest;

/// 32 hexadecimal digits: the first half of the SHA-256 of `text`.
pub(crate) fn hex_key(text: &str) -> String {
    sha2::Sha256::digest(text)[..16]
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect()
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_key_is_32_hex_digits_of_any_text() {
        let key = super::hex_key(&"x".repeat(10_000));
        assert_eq!(key.len(), 32);
        assert!(key.chars().all(|c| c.is_ascii_hexdigit()));
        assert_ne!(key, super::hex_key("y"));
        assert_eq!(super::hex_key("abc"), "ba7816bf8f01cfea414140de5dae2223");
    }
}
