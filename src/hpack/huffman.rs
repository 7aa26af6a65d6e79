//! The HPACK Huffman code (RFC 7541 Appendix B).
#![forbid(unsafe_code)]

/// Length in bytes of the Huffman encoding of `s`.
pub fn encoded_len(s: &[u8]) -> usize {
    let _ = s;
    todo!()
}

/// Appends the Huffman encoding of `s` (padded with the EOS prefix) to `out`.
pub fn encode(s: &[u8], out: &mut Vec<u8>) {
    let _ = (s, out);
    todo!()
}

/// Appends the decoding of `src` to `out`; `Err(())` on an EOS symbol or bad padding.
pub fn decode(src: &[u8], out: &mut Vec<u8>) -> Result<(), ()> {
    let _ = (src, out);
    todo!()
}
