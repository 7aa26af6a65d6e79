//! The file-backed storage of large buffers.
//!
//! Creation (seed 000's steps): `mkstemp` from the settings' template and `unlink` at once (the fd
//! keeps the file alive), size the file with `posix_fallocate` (`ftruncate` where it says EINVAL),
//! `mmap` the whole file `MAP_SHARED`, copy the header and the data in. Growth: extend the file the
//! same way and `mremap` the mapping (the kernel moves page tables; the bytes are not copied and the
//! old mapping is gone in the same step). Dispose: `munmap` + `close`.
//!
//! Every failure leaves the buffer untouched and returns None (the caller counts it).

use std::ffi::{c_char, CStr};

use super::HEADER;
use crate::abi::memory::{h2o_buffer_prototype_t, h2o_buffer_t};

/// Bytes mapped for a buffer of `capacity`: header + capacity, rounded up to pages.
pub fn mapping_len(capacity: usize) -> usize {
    let page = page_size();
    (HEADER + capacity).div_ceil(page) * page
}

fn page_size() -> usize {
    // SAFETY: sysconf has no preconditions.
    let p = unsafe { libc::sysconf(libc::_SC_PAGESIZE) };
    if p > 0 { p as usize } else { 4096 }
}

fn report(what: &str, detail: &str) {
    eprintln!("libh2o-rs: h2o_buffer_reserve: {what}{detail}: {}", std::io::Error::last_os_error());
}

/// Sets the file's size to `len`, allocating blocks from `from` on (so a full disk shows now as
/// ENOSPC, not later as SIGBUS).
fn size_file(fd: i32, from: usize, len: usize) -> bool {
    // SAFETY: plain syscalls on our fd.
    let r = unsafe { libc::posix_fallocate(fd, from as libc::off_t, (len - from) as libc::off_t) };
    if r == 0 {
        return true;
    }
    if r == libc::EINVAL {
        // SAFETY: as above.
        if unsafe { libc::ftruncate(fd, len as libc::off_t) } == 0 {
            return true;
        }
        report("failed to resize the temporary file", "");
        return false;
    }
    eprintln!(
        "libh2o-rs: h2o_buffer_reserve: failed to allocate the temporary file: {}",
        std::io::Error::from_raw_os_error(r)
    );
    false
}

/// Creates a file-backed buffer of `capacity` for `proto`, holding a copy of `old`'s data when
/// `old` is not NULL (`old` itself is left alone).
///
/// # Safety
/// `proto` is valid with non-NULL mmap settings; `old` is NULL or an allocated buffer.
pub unsafe fn create(proto: *mut h2o_buffer_prototype_t, capacity: usize, old: *mut h2o_buffer_t) -> Option<*mut h2o_buffer_t> {
    // SAFETY: valid settings per the contract.
    let template = unsafe { &(*(*proto).mmap_settings).fn_template };
    let Some(mut path) = template_bytes(template) else {
        eprintln!("libh2o-rs: h2o_buffer_reserve: the mmap file template is not NUL-terminated");
        return None;
    };
    // SAFETY: `path` is a writable NUL-terminated copy of the template.
    let fd = unsafe { libc::mkstemp(path.as_mut_ptr().cast()) };
    if fd == -1 {
        report("failed to create a temporary file from ", &String::from_utf8_lossy(&path[..path.len() - 1]));
        return None;
    }
    // SAFETY: the name mkstemp just filled in.
    unsafe { libc::unlink(path.as_ptr().cast()) };
    let len = mapping_len(capacity);
    let close = || {
        // SAFETY: our fd, closed once on this failure path.
        unsafe { libc::close(fd) };
    };
    if !size_file(fd, 0, len) {
        close();
        return None;
    }
    // SAFETY: a new shared mapping of our file; no existing memory is affected.
    let map = unsafe {
        libc::mmap(std::ptr::null_mut(), len, libc::PROT_READ | libc::PROT_WRITE, libc::MAP_SHARED, fd, 0)
    };
    if map == libc::MAP_FAILED {
        report("mmap failed", "");
        close();
        return None;
    }
    let buf = map.cast::<h2o_buffer_t>();
    // SAFETY: the mapping holds the header and `capacity` bytes; `old` (if any) is a distinct
    // allocated buffer whose data (`size <= capacity`) is copied in.
    unsafe {
        let size = if old.is_null() { 0 } else { (*old).size };
        super::init_header(buf, capacity, size, proto, fd);
        if size != 0 {
            std::ptr::copy_nonoverlapping((*old).bytes, (&raw mut (*buf)._buf).cast::<c_char>(), size);
        }
    }
    Some(buf)
}

/// The template as a NUL-terminated byte vector (None if the array holds no NUL).
fn template_bytes(template: &[c_char]) -> Option<Vec<u8>> {
    // SAFETY: reinterpreting c_char as u8 (same size and alignment).
    let bytes = unsafe { std::slice::from_raw_parts(template.as_ptr().cast::<u8>(), template.len()) };
    CStr::from_bytes_until_nul(bytes).ok().map(|c| c.to_bytes_with_nul().to_vec())
}

/// Grows a file-backed buffer to `capacity`: extends the file, then remaps.
///
/// # Safety
/// `buf` is an allocated file-backed buffer; on success it is invalid afterwards (use the result).
pub unsafe fn grow(buf: *mut h2o_buffer_t, capacity: usize) -> Option<*mut h2o_buffer_t> {
    // SAFETY: an allocated buffer.
    let (old_capacity, fd, consumed) = unsafe {
        ((*buf).capacity, (*buf)._fd, (*buf).bytes.offset_from((&raw const (*buf)._buf).cast::<c_char>()) as usize)
    };
    let (old_len, len) = (mapping_len(old_capacity), mapping_len(capacity));
    if !size_file(fd, old_len, len) {
        return None;
    }
    // SAFETY: `buf` starts our mapping of `old_len` bytes; on success the old range is unmapped and
    // nothing refers to it afterwards (the caller replaces its pointer); on failure it is intact.
    let map = unsafe { libc::mremap(buf.cast(), old_len, len, libc::MREMAP_MAYMOVE) };
    if map == libc::MAP_FAILED {
        report("mremap failed", "");
        return None;
    }
    let grown = map.cast::<h2o_buffer_t>();
    // SAFETY: the same header, now at `grown`; the data kept its offset from `_buf`.
    unsafe {
        (*grown).capacity = capacity;
        (*grown).bytes = (&raw mut (*grown)._buf).cast::<c_char>().add(consumed);
    }
    Some(grown)
}

/// Unmaps a file-backed buffer and closes its file.
///
/// # Safety
/// `buf` is a file-backed buffer of `capacity`, not used afterwards.
pub unsafe fn unmap(buf: *mut h2o_buffer_t, capacity: usize, fd: i32) {
    // SAFETY: our mapping and fd.
    unsafe {
        libc::munmap(buf.cast(), mapping_len(capacity));
        libc::close(fd);
    }
}
