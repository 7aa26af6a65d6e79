//! The hpack-test-case stories (`../shared/testdata/hpack-test-case`): loading for the tests
//! and for `benches/hpack.rs` (which includes this file with `#[path]`).
#![allow(dead_code)]

use std::path::{Path, PathBuf};

/// One header block of a story.
pub struct Case {
    /// The encoded block (empty in `raw-data`).
    pub wire: Vec<u8>,
    pub headers: Vec<(Vec<u8>, Vec<u8>)>,
    /// SETTINGS_HEADER_TABLE_SIZE as of this block, when the story says (absent or null: as
    /// before, 4096 at first).
    pub table_size: Option<usize>,
}

/// The test-case directory, if present.
pub fn root() -> Option<PathBuf> {
    let p = Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/testdata/hpack-test-case"));
    p.is_dir().then(|| p.to_path_buf())
}

/// Bytes from hex digits (whitespace ignored).
pub fn hex(s: &str) -> Vec<u8> {
    let s: Vec<u8> = s.bytes().filter(|c| !c.is_ascii_whitespace()).collect();
    s.chunks(2).map(|d| u8::from_str_radix(std::str::from_utf8(d).unwrap(), 16).unwrap()).collect()
}

/// The implementations' directories (every one but `raw-data`), sorted.
pub fn encoded_dirs(root: &Path) -> Vec<PathBuf> {
    let mut dirs: Vec<_> = std::fs::read_dir(root)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir() && !p.ends_with("raw-data"))
        .collect();
    dirs.sort();
    dirs
}

/// Where the headers to encode come from: `raw-data` if present, else nghttp2's stories.
pub fn raw_dir(root: &Path) -> PathBuf {
    if root.join("raw-data").is_dir() { root.join("raw-data") } else { root.join("nghttp2") }
}

/// The story files of a directory, sorted.
pub fn story_files(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    files.sort();
    files
}

/// The blocks of one story, in order.
pub fn load_story(path: &Path) -> Vec<Case> {
    let json: serde_json::Value = serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap();
    json["cases"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| Case {
            wire: c.get("wire").and_then(|w| w.as_str()).map(hex).unwrap_or_default(),
            headers: c["headers"]
                .as_array()
                .unwrap()
                .iter()
                .flat_map(|h| h.as_object().unwrap().iter())
                .map(|(n, v)| (n.as_bytes().to_vec(), v.as_str().unwrap().as_bytes().to_vec()))
                .collect(),
            table_size: c.get("header_table_size").and_then(|s| s.as_u64()).map(|s| s as usize),
        })
        .collect()
}

/// Every story of every file in `dir`.
pub fn load_dir(dir: &Path) -> Vec<Vec<Case>> {
    story_files(dir).iter().map(|f| load_story(f)).collect()
}
