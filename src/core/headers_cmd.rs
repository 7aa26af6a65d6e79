//! Header rewrite commands, as 2.2.5's `lib/handler/headers_util.c`: `h2o_rewrite_headers` applies
//! one command (ADD, APPEND, MERGE, SET, SETIFEMPTY, UNSET) to a header list, and
//! `h2o_headers_append_command` grows a NULL-terminated command list (a shared allocation).
//!
//! Names: a command's name is a token (compared by pointer) or a string (compared byte for byte
//! with every entry's name, token entries included). Values are borrowed from the command (ADD,
//! SET, SETIFEMPTY and APPEND/MERGE to an absent or empty header) or joined into the pool.

use std::ffi::{c_int, c_void};

use crate::abi::core::h2o_headers_t;
use crate::abi::memory::{h2o_iovec_t, h2o_mem_pool_t};
use crate::mem;

pub use crate::abi::core::h2o_headers_command_t;

use super::headers;
use super::request::bytes;

/// `H2O_HEADERS_CMD_*`.
pub const CMD_NULL: c_int = 0;
pub const CMD_ADD: c_int = 1;
pub const CMD_APPEND: c_int = 2;
pub const CMD_MERGE: c_int = 3;
pub const CMD_SET: c_int = 4;
pub const CMD_SETIFEMPTY: c_int = 5;
pub const CMD_UNSET: c_int = 6;

fn is_token(name: *const h2o_iovec_t) -> bool {
    crate::token::is_token_ptr(name)
}

/// Whether entry name `entry` matches the command's `name`.
///
/// # Safety
/// Both point to valid iovecs.
unsafe fn name_matches(entry: *const h2o_iovec_t, name: *const h2o_iovec_t) -> bool {
    if is_token(name) {
        return std::ptr::eq(entry, name);
    }
    // SAFETY: the caller's contract.
    unsafe { bytes(*entry) == bytes(*name) }
}

/// Index of the first entry named as the command.
///
/// # Safety
/// `list` is a valid header list; `name` a valid iovec.
unsafe fn find(list: &h2o_headers_t, name: *const h2o_iovec_t) -> Option<usize> {
    // SAFETY: the caller's contract.
    unsafe { headers::entries(list).iter().position(|h| name_matches(h.name, name)) }
}

/// Removes every entry named as the command, keeping the order of the others.
///
/// # Safety
/// As [`find`].
unsafe fn remove_all(list: &mut h2o_headers_t, name: *const h2o_iovec_t) {
    let mut kept = 0;
    for i in 0..list.size {
        // SAFETY: `i < size`; entries are valid.
        unsafe {
            let e = *list.entries.add(i);
            if name_matches(e.name, name) {
                continue;
            }
            list.entries.add(kept).write(e);
        }
        kept += 1;
    }
    list.size = kept;
}

/// `h2o_rewrite_headers`: applies `cmd` to `list` (new entries and joined values from `pool`).
/// An unknown command changes nothing.
///
/// # Safety
/// `pool` is initialized; `list` is a header list in `pool`; the command's name and value are
/// valid and outlive the list.
pub unsafe fn rewrite(pool: &mut h2o_mem_pool_t, list: &mut h2o_headers_t, cmd: &h2o_headers_command_t) {
    // SAFETY: the caller's contract.
    unsafe {
        let target = match cmd.cmd {
            CMD_ADD => None,
            CMD_APPEND => find(list, cmd.name),
            CMD_MERGE => match find(list, cmd.name) {
                Some(i) if crate::strings::contains_token(bytes((*list.entries.add(i)).value), bytes(cmd.value), b',') => return,
                found => found,
            },
            CMD_SET => {
                remove_all(list, cmd.name);
                None
            }
            CMD_SETIFEMPTY => {
                if find(list, cmd.name).is_some() {
                    return;
                }
                None
            }
            CMD_UNSET => return remove_all(list, cmd.name),
            _ => return,
        };
        match target {
            Some(i) => {
                let e = &mut *list.entries.add(i);
                e.value = if e.value.len == 0 {
                    cmd.value
                } else {
                    let mut v = bytes(e.value).to_vec();
                    v.extend_from_slice(b", ");
                    v.extend_from_slice(bytes(cmd.value));
                    headers::pool_strdup(pool, &v)
                };
            }
            None => {
                // a string name is stored as given (borrowed), as h2o_add_header_by_str does
                let name = if is_token(cmd.name) { cmd.name } else { headers::pool_name(pool, (*cmd.name).base, (*cmd.name).len) };
                headers::add(pool, list, name, std::ptr::null(), cmd.value);
            }
        }
    }
}

/// `h2o_headers_append_command`: replaces `*cmds` (NULL or a terminated list from this function)
/// by a new shared allocation with `{cmd, name, value}` appended and the terminator after it; the
/// old list is released.
///
/// # Safety
/// `cmds` is writable; `*cmds` NULL or a list this function returned.
pub unsafe fn append_command(cmds: *mut *mut h2o_headers_command_t, cmd: c_int, name: *mut h2o_iovec_t, value: h2o_iovec_t) {
    // SAFETY: the caller's contract; the new block has room for cnt + 2 commands.
    unsafe {
        let old = *cmds;
        let mut cnt = 0;
        if !old.is_null() {
            while (*old.add(cnt)).cmd != CMD_NULL {
                cnt += 1;
            }
        }
        let size = (cnt + 2) * size_of::<h2o_headers_command_t>();
        let new = mem::pool::alloc_shared(None, size, None).cast::<h2o_headers_command_t>();
        if cnt != 0 {
            std::ptr::copy_nonoverlapping(old, new, cnt);
        }
        new.add(cnt).write(h2o_headers_command_t { cmd, name, value });
        new.add(cnt + 1).write(h2o_headers_command_t { cmd: CMD_NULL, name: std::ptr::null_mut(), value: h2o_iovec_t { base: std::ptr::null_mut(), len: 0 } });
        if !old.is_null() {
            super::context::release_shared(old.cast::<c_void>());
        }
        *cmds = new;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tok(n: &[u8]) -> *mut h2o_iovec_t {
        headers::lookup_token(n).unwrap().cast_mut().cast()
    }

    fn iov(s: &'static [u8]) -> h2o_iovec_t {
        h2o_iovec_t { base: s.as_ptr() as *mut _, len: s.len() }
    }

    fn dump(list: &h2o_headers_t) -> String {
        // SAFETY: the tests' lists hold static or pool strings.
        unsafe {
            headers::entries(list)
                .iter()
                .map(|h| format!("{}={}", String::from_utf8_lossy(bytes(*h.name)), String::from_utf8_lossy(bytes(h.value))))
                .collect::<Vec<_>>()
                .join(";")
        }
    }

    #[test]
    fn each_command() {
        let mut pool = mem::pool::EMPTY;
        let mut list = h2o_headers_t::EMPTY;
        let mut xname = iov(b"x-a");
        let vary = tok(b"vary");
        let run = |pool: &mut h2o_mem_pool_t, list: &mut h2o_headers_t, cmd, name, value| {
            // SAFETY: static names and values, a pool-backed list.
            unsafe { rewrite(pool, list, &h2o_headers_command_t { cmd, name, value }) }
        };
        run(&mut pool, &mut list, CMD_ADD, vary, iov(b"a"));
        run(&mut pool, &mut list, CMD_ADD, vary, iov(b"b"));
        run(&mut pool, &mut list, CMD_APPEND, vary, iov(b"c"));
        assert_eq!(dump(&list), "vary=a, c;vary=b");
        run(&mut pool, &mut list, CMD_MERGE, vary, iov(b"c"));
        assert_eq!(dump(&list), "vary=a, c;vary=b");
        run(&mut pool, &mut list, CMD_MERGE, vary, iov(b"d"));
        assert_eq!(dump(&list), "vary=a, c, d;vary=b");
        run(&mut pool, &mut list, CMD_SETIFEMPTY, vary, iov(b"z"));
        run(&mut pool, &mut list, CMD_SETIFEMPTY, &mut xname, iov(b"1"));
        assert_eq!(dump(&list), "vary=a, c, d;vary=b;x-a=1");
        run(&mut pool, &mut list, CMD_SET, vary, iov(b"e"));
        assert_eq!(dump(&list), "x-a=1;vary=e");
        // a string name matches token entries by their bytes too
        let mut vary_str = iov(b"vary");
        run(&mut pool, &mut list, CMD_UNSET, &mut vary_str, iov(b""));
        assert_eq!(dump(&list), "x-a=1");
        run(&mut pool, &mut list, 99, vary, iov(b"q"));
        assert_eq!(dump(&list), "x-a=1");
        // SAFETY: nothing from the pool is used afterwards.
        unsafe { mem::pool::clear(&mut pool) };
    }

    #[test]
    fn appended_lists_are_terminated() {
        let mut cmds: *mut h2o_headers_command_t = std::ptr::null_mut();
        let vary = tok(b"vary");
        // SAFETY: the list is only used through append_command and freed here.
        unsafe {
            append_command(&mut cmds, CMD_ADD, vary, iov(b"a"));
            append_command(&mut cmds, CMD_UNSET, vary, iov(b""));
            assert_eq!((*cmds).cmd, CMD_ADD);
            assert_eq!((*cmds.add(1)).cmd, CMD_UNSET);
            assert_eq!((*cmds.add(2)).cmd, CMD_NULL);
            super::super::context::release_shared(cmds.cast());
        }
    }
}
