//! The text of an input file from its bytes: UTF-8, or UTF-16 when a
//! byte-order mark says so. Windows PowerShell's `>` redirection (Out-File)
//! writes UTF-16LE with a BOM ("about_Redirection",
//! learn.microsoft.com/powershell), so `az ... > vnets.json` there gives a
//! file that is not UTF-8. A UTF-8 BOM is dropped too. No other guessing:
//! text without a BOM must be UTF-8.

/// Decodes a file's bytes; the error says what the bytes are not.
pub fn decode(bytes: Vec<u8>) -> Result<String, String> {
    let utf16 = |rest: &[u8], unit: fn([u8; 2]) -> u16| {
        let pairs = rest.chunks_exact(2);
        if !pairs.remainder().is_empty() {
            return Err("UTF-16 (by its byte-order mark) with an odd number of bytes".to_string());
        }
        let units: Vec<u16> = pairs.map(|c| unit([c[0], c[1]])).collect();
        String::from_utf16(&units).map_err(|_| "not valid UTF-16 (by its byte-order mark)".to_string())
    };
    match bytes.as_slice() {
        [0xFF, 0xFE, rest @ ..] => utf16(rest, u16::from_le_bytes),
        [0xFE, 0xFF, rest @ ..] => utf16(rest, u16::from_be_bytes),
        [0xEF, 0xBB, 0xBF, rest @ ..] => String::from_utf8(rest.to_vec()).map_err(|_| not_utf8()),
        _ => String::from_utf8(bytes).map_err(|_| not_utf8()),
    }
}

fn not_utf8() -> String {
    "not UTF-8 (nor UTF-16 with a byte-order mark)".to_string()
}

#[cfg(test)]
mod tests {
    use super::decode;

    fn utf16le_with_bom(s: &str) -> Vec<u8> {
        let mut b = vec![0xFF, 0xFE];
        b.extend(s.encode_utf16().flat_map(u16::to_le_bytes));
        b
    }

    #[test]
    fn utf16_with_a_bom_decodes_and_utf8_passes_through() {
        assert_eq!(decode(utf16le_with_bom("[{\"a\": \"é\"}]")).unwrap(), "[{\"a\": \"é\"}]");
        let mut be = vec![0xFE, 0xFF];
        be.extend("{}".encode_utf16().flat_map(u16::to_be_bytes));
        assert_eq!(decode(be).unwrap(), "{}");
        assert_eq!(decode(b"\xEF\xBB\xBFa: 1".to_vec()).unwrap(), "a: 1");
        assert_eq!(decode(b"a: 1".to_vec()).unwrap(), "a: 1");
        assert!(decode(vec![0xFF, 0xFE, 0x41]).unwrap_err().contains("odd"));
        assert!(decode(vec![0xC3, 0x28]).unwrap_err().contains("not UTF-8"));
    }
}
