//! `uniqueString()`: ARM hashes its arguments joined by `-` (UTF-8) with a
//! 64-bit MurmurHash variant (two 32-bit lanes, MurmurHash3-style mixing)
//! and prints the top 65 bits as 13 lower-case base-32 letters
//! (`a-z2-7`). The construction is described in public reimplementations
//! that check themselves against Bicep's output; the test vectors below
//! are those published values, so a mistake here fails the tests instead
//! of inventing resource names.

const C1: u32 = 0x239b_961b; // 597399067
const C2: u32 = 0xab0e_9789; // 2869860233
const F1: u32 = 0x85eb_ca6b;
const F2: u32 = 0xc2b2_ae35;

fn le32(b: &[u8]) -> u32 {
    b.iter().enumerate().fold(0u32, |acc, (k, &x)| acc | (x as u32) << (8 * k))
}

fn fmix(mut h: u32) -> u32 {
    h = (h ^ (h >> 16)).wrapping_mul(F1);
    h = (h ^ (h >> 13)).wrapping_mul(F2);
    h ^ (h >> 16)
}

fn hash64(data: &[u8]) -> u64 {
    let (mut h1, mut h2) = (0u32, 0u32);
    let mut blocks = data.chunks_exact(8);
    for b in blocks.by_ref() {
        let k1 = le32(&b[..4]).wrapping_mul(C1).rotate_left(15).wrapping_mul(C2);
        let k2 = le32(&b[4..]).wrapping_mul(C2).rotate_left(17).wrapping_mul(C1);
        h1 = (h1 ^ k1).rotate_left(19).wrapping_add(h2).wrapping_mul(5).wrapping_add(0x561c_cd1b);
        h2 = (h2 ^ k2).rotate_left(13).wrapping_add(h1).wrapping_mul(5).wrapping_add(0x0bca_a747);
    }
    let rest = blocks.remainder();
    if !rest.is_empty() {
        h1 ^= le32(&rest[..rest.len().min(4)]).wrapping_mul(C1).rotate_left(15).wrapping_mul(C2);
        if rest.len() > 4 {
            h2 ^= le32(&rest[4..]).wrapping_mul(C2).rotate_left(17).wrapping_mul(C1);
        }
    }
    let len = data.len() as u32;
    let r0 = h2 ^ len;
    let mut a = (h1 ^ len).wrapping_add(r0);
    let mut b = r0.wrapping_add(a);
    a = fmix(a);
    b = fmix(b);
    a = a.wrapping_add(b);
    b = b.wrapping_add(a);
    (b as u64) << 32 | a as u64
}

/// The 13-character value of `uniqueString(parts joined by '-')`.
pub fn unique_string(joined: &str) -> String {
    const ALPHA: &[u8; 32] = b"abcdefghijklmnopqrstuvwxyz234567";
    let mut h = hash64(joined.as_bytes());
    let mut out = String::with_capacity(13);
    for _ in 0..13 {
        out.push(ALPHA[(h >> 59) as usize & 31] as char);
        h <<= 5;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::unique_string;

    #[test]
    fn matches_published_bicep_outputs() {
        assert_eq!(unique_string("test"), "rbgf3xv4ufgzg");
        assert_eq!(unique_string("hello-world"), "a7wkljktk6wne");
        assert_eq!(unique_string("abc"), "cgtzqvhu4i23s");
        assert_eq!(
            unique_string("/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/my-rg"),
            "bmg7c6xu4tw46"
        );
        assert_eq!(unique_string("foo-bar-baz"), "xzi4ioaxtmth4");
    }
}
