//! Buffer tests: the reserve plan, malloc growth, the switch to a temporary file and its growth,
//! consume, dispose, and the failure paths.

use super::*;
use crate::abi::memory::{h2o_buffer_mmap_settings_t, h2o_mem_recycle_t, FILENAME_MAX};

const INITIAL: usize = 8192;

/// A prototype (and its settings) for one test; boxed so its address is stable.
struct Proto {
    settings: Box<h2o_buffer_mmap_settings_t>,
    proto: Box<h2o_buffer_prototype_t>,
}

impl Proto {
    fn new(threshold: usize, template: &str) -> Proto {
        let mut settings = Box::new(h2o_buffer_mmap_settings_t { threshold, fn_template: [0; FILENAME_MAX] });
        for (d, s) in settings.fn_template.iter_mut().zip(template.bytes()) {
            *d = s as c_char;
        }
        let settings_ptr = &mut *settings as *mut h2o_buffer_mmap_settings_t;
        let proto = Box::new(h2o_buffer_prototype_t {
            allocator: h2o_mem_recycle_t { max: 16, cnt: 0, _link: std::ptr::null_mut() },
            _initial_buf: h2o_buffer_t {
                capacity: INITIAL,
                size: 0,
                bytes: std::ptr::null_mut(),
                _prototype: std::ptr::null_mut(),
                _fd: -1,
                _buf: [0],
            },
            mmap_settings: settings_ptr,
        });
        Proto { settings, proto }
    }
    fn empty(&mut self) -> *mut h2o_buffer_t {
        &raw mut self.proto._initial_buf
    }
}

impl Drop for Proto {
    fn drop(&mut self) {
        recycle::drain(&mut self.proto.allocator);
        let _ = &self.settings;
    }
}

/// A template in a directory of its own, so /proc/self/maps can be searched for this test's files.
fn template(tag: &str) -> (String, String) {
    let dir = std::env::temp_dir().join(format!("h2o-rs-buffer-{}-{tag}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let prefix = format!("{}/b.", dir.display());
    (format!("{prefix}XXXXXX"), prefix)
}

fn mappings_of(prefix: &str) -> Vec<String> {
    std::fs::read_to_string("/proc/self/maps")
        .unwrap()
        .lines()
        .filter(|l| l.contains(prefix))
        .map(str::to_owned)
        .collect()
}

/// Whether `fd` is open on one of this test's temporary files (other tests' threads may reuse the
/// number once it is closed, so "closed" means "no longer one of ours").
fn fd_is_ours(fd: i32, prefix: &str) -> bool {
    std::fs::read_link(format!("/proc/self/fd/{fd}")).is_ok_and(|t| t.to_string_lossy().contains(prefix))
}

fn append(buf: &mut *mut h2o_buffer_t, data: &[u8]) {
    // SAFETY: `buf` is a valid buffer pointer; the reserved space holds at least data.len() bytes.
    unsafe {
        let space = reserve(buf, data.len());
        assert!(!space.base.is_null() && space.len >= data.len());
        std::ptr::copy_nonoverlapping(data.as_ptr(), space.base.cast::<u8>(), data.len());
        (**buf).size += data.len();
    }
}

fn contents(buf: *mut h2o_buffer_t) -> Vec<u8> {
    // SAFETY: an allocated buffer: `size` bytes at `bytes`.
    unsafe { std::slice::from_raw_parts((*buf).bytes.cast::<u8>(), (*buf).size).to_vec() }
}

fn pattern(from: usize, len: usize) -> Vec<u8> {
    (from..from + len).map(|i| (i % 251) as u8).collect()
}

#[test]
fn plans() {
    assert_eq!(plan(100, 10, 0, 90), Plan::Fits);
    assert_eq!(plan(100, 10, 50, 40), Plan::Fits);
    assert_eq!(plan(100, 10, 70, 30), Plan::Compact);
    assert_eq!(plan(100, 10, 50, 41), Plan::Grow { capacity: 200 });
    assert_eq!(plan(100, 10, 85, 45), Plan::Grow { capacity: 200 });
    assert_eq!(plan(100, 90, 0, 500), Plan::Grow { capacity: 800 });
}

#[test]
fn first_reserve_then_consume_everything() {
    let mut p = Proto::new(usize::MAX, "/nonexistent/XXXXXX");
    let mut buf = p.empty();
    append(&mut buf, b"hello");
    // SAFETY: allocated by append.
    unsafe {
        assert_eq!((*buf).capacity, INITIAL);
        assert_eq!((*buf)._fd, -1);
        consume(&mut buf, 5);
    }
    assert_eq!(buf, p.empty());
    assert_eq!(p.proto.allocator.cnt, 1, "the initial-size block is recycled");
    // a big first request gets exactly that much
    // SAFETY: the prototype's empty buffer.
    let space = unsafe { reserve(&mut buf, 100_000) };
    assert_eq!(space.len, 100_000);
    // SAFETY: allocated.
    unsafe { dispose(&mut buf) };
    assert!(buf.is_null());
}

#[test]
fn partial_consume_then_append_keeps_order() {
    let mut p = Proto::new(usize::MAX, "/nonexistent/XXXXXX");
    let mut buf = p.empty();
    let mut expect = Vec::new();
    let mut next = 0;
    for round in 0..200 {
        let chunk = pattern(next, 1000 + round * 37);
        next += chunk.len();
        append(&mut buf, &chunk);
        expect.extend_from_slice(&chunk);
        let drop = expect.len() / 3;
        // SAFETY: drop <= size.
        unsafe { consume(&mut buf, drop) };
        expect.drain(..drop);
        assert_eq!(contents(buf), expect);
    }
    // SAFETY: allocated.
    unsafe { dispose(&mut buf) };
}

#[test]
fn growth_across_the_threshold_keeps_contents_and_maps_one_deleted_file() {
    let (tmpl, prefix) = template("grow");
    let mut p = Proto::new(1 << 20, &tmpl);
    let mut buf = p.empty();
    let mut written = 0;
    let mut fd = -1;
    while written < 8 << 20 {
        append(&mut buf, &pattern(written, 16384));
        written += 16384;
        // SAFETY: allocated.
        let (cap, f) = unsafe { ((*buf).capacity, (*buf)._fd) };
        if cap >= 1 << 20 {
            assert_ne!(f, -1, "capacity {cap} reached the threshold but the buffer is not file-backed");
            if fd == -1 {
                fd = f;
            }
            assert_eq!(f, fd, "the same file all along");
            assert!(fd_is_ours(fd, &prefix));
            let maps = mappings_of(&prefix);
            assert_eq!(maps.len(), 1, "{maps:?}");
            assert!(maps[0].ends_with("(deleted)"), "{maps:?}");
        } else {
            assert_eq!(f, -1);
        }
    }
    assert_eq!(contents(buf), pattern(0, written));
    // consume part, grow more, contents still right
    // SAFETY: 1000 <= size.
    unsafe { consume(&mut buf, 1000) };
    append(&mut buf, &pattern(written, 4 << 20));
    let mut expect = pattern(0, written + (4 << 20));
    expect.drain(..1000);
    assert_eq!(contents(buf), expect);
    assert_eq!(mappings_of(&prefix).len(), 1);
    // the directory holds no file (unlinked at once)
    assert_eq!(std::fs::read_dir(std::path::Path::new(&prefix).parent().unwrap()).unwrap().count(), 0);
    // SAFETY: allocated.
    unsafe { dispose(&mut buf) };
    assert!(mappings_of(&prefix).is_empty());
    assert!(!fd_is_ours(fd, &prefix), "fd closed after dispose");
}

#[test]
fn consume_everything_of_a_file_backed_buffer() {
    let (tmpl, prefix) = template("consume-all");
    let mut p = Proto::new(64 << 10, &tmpl);
    let mut buf = p.empty();
    append(&mut buf, &pattern(0, 200 << 10));
    // SAFETY: allocated.
    let (fd, size) = unsafe { ((*buf)._fd, (*buf).size) };
    assert_ne!(fd, -1);
    // SAFETY: size bytes of data.
    unsafe { consume(&mut buf, size) };
    assert_eq!(buf, p.empty());
    assert!(mappings_of(&prefix).is_empty());
    assert!(!fd_is_ours(fd, &prefix), "fd closed after consuming everything");
}

#[test]
fn unwritable_template_directory_fails_softly_and_keeps_the_data() {
    let mut p = Proto::new(64 << 10, "/nonexistent-h2o-rs-dir/b.XXXXXX");
    let mut buf = p.empty();
    append(&mut buf, &pattern(0, 40 << 10));
    let before = mmap_failures();
    // SAFETY: a valid buffer pointer.
    let space = unsafe { reserve(&mut buf, 100 << 10) };
    assert!(space.base.is_null() && space.len == 0);
    assert!(mmap_failures() > before);
    assert_eq!(contents(buf), pattern(0, 40 << 10), "contents intact");
    // still usable below the threshold
    // SAFETY: valid.
    unsafe { consume(&mut buf, 35 << 10) };
    append(&mut buf, &pattern(0, 1000));
    let mut expect = pattern(35 << 10, 5 << 10);
    expect.extend(pattern(0, 1000));
    assert_eq!(contents(buf), expect);
    // a first allocation at the threshold fails the same way
    let mut empty = p.empty();
    // SAFETY: the prototype's empty buffer.
    let space = unsafe { reserve(&mut empty, 1 << 20) };
    assert!(space.base.is_null());
    assert_eq!(empty, p.empty());
    // SAFETY: allocated.
    unsafe { dispose(&mut buf) };
}

#[test]
fn template_without_nul_fails_softly() {
    let mut p = Proto::new(0, "");
    p.settings.fn_template = [b'X' as c_char; FILENAME_MAX];
    let mut buf = p.empty();
    // SAFETY: the prototype's empty buffer.
    let space = unsafe { reserve(&mut buf, 10) };
    assert!(space.base.is_null());
    assert_eq!(buf, p.empty());
}
