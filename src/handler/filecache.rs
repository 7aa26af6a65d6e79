//! The per-context cache of opened files behind the file handler (`ctx->filecache`).
//!
//! 2.2.5 keeps open descriptors in `ctx->filecache`, an LRU of `globalconf.filecache.capacity`
//! entries that only an embedder calling `h2o_filecache_clear` ever empties; libh2o's default
//! capacity is 0, so 2.2.5 opens, stats and closes every file on every request. Here instead every
//! successful open is remembered for the rest of the current second of the loop's clock (the
//! cache empties itself when `h2o_now(loop) / 1000` moves on), so a busy file costs its open, stat,
//! read and close once a second, not once a request:
//!
//! - a directory keeps only its stat (no descriptor);
//! - a regular file of at most [`SMALL_MAX`] bytes is read once and kept in memory (no descriptor),
//!   so its responses take no file system call at all;
//! - a larger regular file keeps its descriptor; bodies are read with `pread` as they are sent.
//!
//! What the cache holds is at most a second old: a file changed, replaced or removed is seen at
//! the next second at the latest (2.2.5: at once, but with the stat of the open it reused, so a file
//! modified in place could be sent with its old length; a snapshot is never inconsistent). Failed
//! opens are not remembered. Limits per context: [`MAX_ENTRIES`] entries, [`MAX_SMALL_BYTES`] bytes
//! of kept contents, [`MAX_OPEN_FDS`] kept descriptors; past them a file is still served, only not
//! kept.
//!
//! Ownership: entries are reference counted; a response in progress holds its entry (so a
//! descriptor stays open, and kept bytes stay valid, until the response is done even when the cache
//! has moved on). The cache itself belongs to the context and is freed by `h2o_context_dispose`
//! ([`dispose`]).

use std::collections::HashMap;
use std::ffi::{c_int, CStr};
use std::hash::{BuildHasherDefault, Hasher};
use std::rc::Rc;

use crate::abi::core::h2o_context_t;

/// Files up to this size are kept in memory.
pub const SMALL_MAX: u64 = 64 * 1024;
/// At most this many entries per context.
pub const MAX_ENTRIES: usize = 4096;
/// At most this many bytes of file contents per context.
pub const MAX_SMALL_BYTES: usize = 16 * 1024 * 1024;
/// At most this many descriptors of large files kept open per context.
pub const MAX_OPEN_FDS: usize = 64;

/// What an opened path is.
pub enum Kind {
    Dir,
    /// A regular file's whole contents.
    Small(Box<[u8]>),
    /// A regular file's descriptor (closed when the entry is dropped).
    Large(c_int),
}

/// An opened file and its validators.
pub struct Entry {
    pub kind: Kind,
    pub size: u64,
    pub mtime: i64,
    /// The ETag value (2.2.5's format, quoted).
    pub etag: Vec<u8>,
    /// The Last-Modified value and its broken-down form.
    pub last_modified: [u8; 29],
    pub last_modified_tm: crate::core::time::Tm,
}

impl Drop for Entry {
    fn drop(&mut self) {
        if let Kind::Large(fd) = self.kind {
            // SAFETY: the descriptor is owned by this entry and closed once.
            unsafe { libc::close(fd) };
        }
    }
}

impl Entry {
    pub fn is_dir(&self) -> bool {
        matches!(self.kind, Kind::Dir)
    }

    /// Reads up to `buf.len()` bytes at `off` (kept contents or `pread`); the count, 0 at the end of
    /// the file, or the errno.
    pub fn read_at(&self, off: u64, buf: &mut [u8]) -> Result<usize, c_int> {
        match &self.kind {
            Kind::Dir => Err(libc::EISDIR),
            Kind::Small(bytes) => {
                let start = (off as usize).min(bytes.len());
                let n = buf.len().min(bytes.len() - start);
                buf[..n].copy_from_slice(&bytes[start..start + n]);
                Ok(n)
            }
            Kind::Large(fd) => loop {
                // SAFETY: `buf` is writable for its length; the descriptor is open while `self` lives.
                let r = unsafe { libc::pread(*fd, buf.as_mut_ptr().cast(), buf.len(), off as libc::off_t) };
                if r >= 0 {
                    return Ok(r as usize);
                }
                let e = errno();
                if e != libc::EINTR {
                    return Err(e);
                }
            },
        }
    }
}

fn errno() -> c_int {
    std::io::Error::last_os_error().raw_os_error().unwrap_or(libc::EIO)
}

/// FNV-1a: paths are short and trusted to be spread well enough; SipHash costs more than the lookup.
#[derive(Default)]
pub struct Fnv(u64);

impl Hasher for Fnv {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        let mut h = if self.0 == 0 { 0xcbf2_9ce4_8422_2325 } else { self.0 };
        for &b in bytes {
            h = (h ^ b as u64).wrapping_mul(0x0000_0100_0000_01b3);
        }
        self.0 = h;
    }
}

/// The cache of one context.
#[derive(Default)]
pub struct FileCache {
    /// The second of the loop's clock the entries were opened in.
    second: u64,
    entries: HashMap<Box<[u8]>, Rc<Entry>, BuildHasherDefault<Fnv>>,
    small_bytes: usize,
    open_fds: usize,
}

impl FileCache {
    /// Forgets everything opened before `second`.
    fn refresh(&mut self, second: u64) {
        if second != self.second {
            self.second = second;
            self.entries.clear();
            self.small_bytes = 0;
            self.open_fds = 0;
        }
    }

    /// The entry for `path` (kept or opened now), or the errno of the failed open.
    pub fn open(&mut self, second: u64, path: &CStr) -> Result<Rc<Entry>, c_int> {
        self.refresh(second);
        let key = path.to_bytes();
        if let Some(e) = self.entries.get(key) {
            return Ok(e.clone());
        }
        let entry = Rc::new(open_entry(path)?);
        let fits = self.entries.len() < MAX_ENTRIES
            && match &entry.kind {
                Kind::Dir => true,
                Kind::Small(b) => self.small_bytes + b.len() <= MAX_SMALL_BYTES,
                Kind::Large(_) => self.open_fds < MAX_OPEN_FDS,
            };
        if fits {
            match &entry.kind {
                Kind::Dir => {}
                Kind::Small(b) => self.small_bytes += b.len(),
                Kind::Large(_) => self.open_fds += 1,
            }
            self.entries.insert(key.into(), entry.clone());
        }
        Ok(entry)
    }
}

/// Opens `path` (read-only, close-on-exec, non-blocking so that a FIFO cannot stall the loop),
/// stats it and, for a small regular file, reads it whole. Anything but a directory or a regular
/// file is refused with EACCES (2.2.5 would block on a FIFO and stream a device).
pub fn open_entry(path: &CStr) -> Result<Entry, c_int> {
    // SAFETY: a NUL-terminated path.
    let fd = unsafe { libc::open(path.as_ptr(), libc::O_RDONLY | libc::O_CLOEXEC | libc::O_NONBLOCK) };
    if fd == -1 {
        return Err(errno());
    }
    // SAFETY: all-zero is a valid stat; `fd` is open.
    let mut st: libc::stat = unsafe { std::mem::zeroed() };
    // SAFETY: as above.
    if unsafe { libc::fstat(fd, &mut st) } != 0 {
        let e = errno();
        // SAFETY: ours, closed once.
        unsafe { libc::close(fd) };
        return Err(e);
    }
    let close = |fd| {
        // SAFETY: ours, closed once.
        unsafe { libc::close(fd) };
    };
    let fmt = st.st_mode & libc::S_IFMT;
    let mut size = st.st_size.max(0) as u64;
    let kind = if fmt == libc::S_IFDIR {
        close(fd);
        Kind::Dir
    } else if fmt != libc::S_IFREG {
        close(fd);
        return Err(libc::EACCES);
    } else if size <= SMALL_MAX {
        let mut bytes = vec![0u8; size as usize];
        let mut got = 0;
        while got < bytes.len() {
            // SAFETY: the rest of `bytes` is writable; `fd` is open.
            let r = unsafe { libc::pread(fd, bytes[got..].as_mut_ptr().cast(), bytes.len() - got, got as libc::off_t) };
            if r == 0 {
                break; // shrank since the stat: keep what is there
            }
            if r < 0 {
                let e = errno();
                if e == libc::EINTR {
                    continue;
                }
                close(fd);
                return Err(e);
            }
            got += r as usize;
        }
        close(fd);
        bytes.truncate(got);
        size = got as u64;
        Kind::Small(bytes.into_boxed_slice())
    } else {
        Kind::Large(fd)
    };
    let mtime = st.st_mtime;
    let (last_modified_tm, last_modified) = crate::handler::file::cond::last_modified(mtime);
    Ok(Entry { kind, size, mtime, etag: crate::handler::file::cond::etag(mtime, size), last_modified, last_modified_tm })
}

/// The context's cache, created on first use.
///
/// # Safety
/// `ctx` is an initialized context used on this thread only; the returned reference is not kept
/// past the current call into the library.
pub unsafe fn of<'a>(ctx: *mut h2o_context_t) -> &'a mut FileCache {
    // SAFETY: the caller's contract; `filecache` is NULL or a cache made here.
    unsafe {
        if (*ctx).filecache.is_null() {
            (*ctx).filecache = Box::into_raw(Box::<FileCache>::default()).cast();
        }
        &mut *(*ctx).filecache.cast::<FileCache>()
    }
}

/// The current second of the context's loop clock.
///
/// # Safety
/// `ctx` is an initialized context with a live loop.
pub unsafe fn second(ctx: *mut h2o_context_t) -> u64 {
    // SAFETY: the caller's contract.
    unsafe { (*(*ctx).loop_)._now / 1000 }
}

/// Frees the context's cache (`h2o_context_dispose`); entries still held by responses live on
/// until those end.
///
/// # Safety
/// `ctx` is an initialized context; its `filecache` is NULL or was made by [`of`].
pub unsafe fn dispose(ctx: *mut h2o_context_t) {
    // SAFETY: the caller's contract.
    unsafe {
        let p = std::mem::replace(&mut (*ctx).filecache, std::ptr::null_mut());
        if !p.is_null() {
            drop(Box::from_raw(p.cast::<FileCache>()));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn tmpdir(name: &str) -> std::path::PathBuf {
        let d = std::env::temp_dir().join(format!("h2o-rs-filecache-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&d);
        std::fs::create_dir_all(&d).unwrap();
        d
    }

    fn cpath(p: &std::path::Path) -> std::ffi::CString {
        std::ffi::CString::new(p.as_os_str().as_encoded_bytes()).unwrap()
    }

    #[test]
    fn small_large_dir_and_errors() {
        let d = tmpdir("kinds");
        std::fs::write(d.join("s"), b"hello").unwrap();
        let mut big = std::fs::File::create(d.join("b")).unwrap();
        big.write_all(&vec![7u8; (SMALL_MAX + 1) as usize]).unwrap();
        drop(big);
        let mut c = FileCache::default();
        let s = c.open(1, &cpath(&d.join("s"))).unwrap();
        assert!(matches!(&s.kind, Kind::Small(b) if &b[..] == b"hello"));
        assert_eq!(s.size, 5);
        let mut buf = [0u8; 3];
        assert_eq!(s.read_at(3, &mut buf), Ok(2));
        assert_eq!(&buf[..2], b"lo");
        let b = c.open(1, &cpath(&d.join("b"))).unwrap();
        assert!(matches!(b.kind, Kind::Large(_)));
        assert_eq!(b.read_at(SMALL_MAX, &mut buf), Ok(1));
        assert_eq!(buf[0], 7);
        assert!(c.open(1, &cpath(&d)).unwrap().is_dir());
        assert_eq!(c.open(1, &cpath(&d.join("none"))).err(), Some(libc::ENOENT));
        assert_eq!(c.open(1, &cpath(&d.join("s/x"))).err(), Some(libc::ENOTDIR));
        assert_eq!(c.open(1, c"/dev/null").err(), Some(libc::EACCES));
        std::fs::remove_dir_all(&d).unwrap();
    }

    #[test]
    fn entries_live_for_a_second() {
        let d = tmpdir("second");
        let p = d.join("f");
        std::fs::write(&p, b"one").unwrap();
        let mut c = FileCache::default();
        let first = c.open(10, &cpath(&p)).unwrap();
        std::fs::write(&p, b"two!").unwrap();
        // same second: the same entry
        assert!(Rc::ptr_eq(&first, &c.open(10, &cpath(&p)).unwrap()));
        // next second: opened again, the old entry still valid for whoever holds it
        let second = c.open(11, &cpath(&p)).unwrap();
        assert!(matches!(&second.kind, Kind::Small(b) if &b[..] == b"two!"));
        assert!(matches!(&first.kind, Kind::Small(b) if &b[..] == b"one"));
        std::fs::remove_dir_all(&d).unwrap();
    }
}
