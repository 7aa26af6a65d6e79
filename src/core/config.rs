//! The configuration tree of 2.2.5: a globalconf owns a NULL-terminated array of hostconfs, each
//! owning a vector of pathconfs (stored by value, so registering a path may move the earlier ones
//! of the same host, as in 2.2.5) and a fallback pathconf; each pathconf owns its handlers,
//! filters and loggers (malloc'ed, zero-filled, `dispose` called before they are freed), holds a
//! reference to its MIME map and to its envconf (if any), and starts with 2.2.5's chunked filter.
//! Envconfs (`h2o_config_create_envconf`) are shared allocations whose names and values are
//! shared strings.
//!
//! Everything else is allocated with libc `malloc` (embedders may read it all directly).

use std::ffi::{c_char, c_void};
use std::ptr::null_mut;

use crate::abi::core::{h2o_envconf_t, h2o_globalconf_t, h2o_handler_t, h2o_hostconf_t, h2o_pathconf_t, Vector};
use crate::abi::memory::h2o_iovec_t;
use crate::mem;

/// The Server header value: honest about the implementation, in 2.2.5's "name/version" format.
pub static SERVER_NAME: &[u8] = concat!("libh2o-rs/", env!("CARGO_PKG_VERSION"), "\0").as_bytes();

/// 2.2.5's defaults (milliseconds for timeouts).
pub mod defaults {
    pub const MAX_REQUEST_ENTITY_SIZE: usize = 1024 * 1024 * 1024;
    pub const MAX_DELEGATIONS: u32 = 5;
    pub const HANDSHAKE_TIMEOUT: u64 = 10_000;
    pub const HTTP1_REQ_TIMEOUT: u64 = 10_000;
    pub const HTTP1_UPGRADE_TO_HTTP2: i32 = 1;
    pub const HTTP2_IDLE_TIMEOUT: u64 = 10_000;
    pub const HTTP2_GRACEFUL_SHUTDOWN_TIMEOUT: u64 = 0;
    pub const HTTP2_MAX_CONCURRENT_REQUESTS_PER_CONNECTION: usize = 100;
    pub const HTTP2_MAX_STREAMS_FOR_PRIORITY: usize = 16;
    /// min_rtt (ms), max_additional_delay (percent), max_cwnd (packets)
    pub const HTTP2_LATENCY_OPTIMIZATION: [u32; 3] = [50, 10, 65535];
    pub const PROXY_IO_TIMEOUT: u64 = 30_000;
}

/// Bits of `h2o_globalconf_t.proxy` flags (C bit-fields, first declared = bit 0).
pub const PROXY_EMIT_X_FORWARDED_HEADERS: u32 = 1 << 2;
pub const PROXY_EMIT_VIA_HEADER: u32 = 1 << 3;
/// Bits of `h2o_hostconf_t.http2` flags.
pub const HOST_HTTP2_PUSH_PRELOAD: u32 = 1 << 1;
/// Bit of `h2o_pathconf_t.error_log`.
pub const PATH_EMIT_REQUEST_ERRORS: u32 = 1;

/// The host part of a hostconf's authority: lower case.
pub fn normalize_host(host: &[u8]) -> Vec<u8> {
    host.to_ascii_lowercase()
}

/// "host" when `port` is 65535 (none), else "host:port".
pub fn hostport(host: &[u8], port: u16) -> Option<Vec<u8>> {
    (port != 65535).then(|| {
        let mut v = host.to_vec();
        v.extend_from_slice(format!(":{port}").as_bytes());
        v
    })
}

/// A malloc'ed NUL-terminated copy of `s` (never NULL).
pub fn c_strdup(s: &[u8]) -> h2o_iovec_t {
    let p = mem::malloc_or_die(s.len() + 1).cast::<u8>();
    // SAFETY: `p` has `s.len() + 1` writable bytes, distinct from `s`.
    unsafe {
        std::ptr::copy_nonoverlapping(s.as_ptr(), p, s.len());
        *p.add(s.len()) = 0;
    }
    h2o_iovec_t { base: p.cast::<c_char>(), len: s.len() }
}

/// `size` zero bytes from malloc (at least one).
pub fn zalloc(size: usize) -> *mut c_void {
    let p = mem::malloc_or_die(size);
    // SAFETY: `p` has `size.max(1)` writable bytes.
    unsafe { std::ptr::write_bytes(p.cast::<u8>(), 0, size) };
    p
}

/// Fills `config` with the defaults (the whole struct is overwritten).
///
/// # Safety
/// `config` points to 240 writable bytes; nothing it held before is freed.
pub unsafe fn init(config: *mut h2o_globalconf_t) {
    // SAFETY: the caller's contract; all-zero is a valid h2o_globalconf_t.
    let c = unsafe {
        std::ptr::write_bytes(config, 0, 1);
        &mut *config
    };
    c.hosts = zalloc(size_of::<*mut h2o_hostconf_t>()).cast();
    c.configurators.next = &raw mut c.configurators;
    c.configurators.prev = &raw mut c.configurators;
    c.server_name = h2o_iovec_t { base: SERVER_NAME.as_ptr() as *mut c_char, len: SERVER_NAME.len() - 1 };
    c.max_request_entity_size = defaults::MAX_REQUEST_ENTITY_SIZE;
    c.max_delegations = defaults::MAX_DELEGATIONS;
    c.handshake_timeout = defaults::HANDSHAKE_TIMEOUT;
    c.http1.req_timeout = defaults::HTTP1_REQ_TIMEOUT;
    c.http1.upgrade_to_http2 = defaults::HTTP1_UPGRADE_TO_HTTP2;
    let h1 = &crate::http1::conn::PROTOCOL_CALLBACKS;
    c.http1.callbacks.request_shutdown = h1.request_shutdown.map_or(std::ptr::null_mut(), |f| f as *mut c_void);
    c.http1.callbacks.foreach_request = h1.foreach_request.map_or(std::ptr::null_mut(), |f| f as *mut c_void);
    c.http2.idle_timeout = defaults::HTTP2_IDLE_TIMEOUT;
    c.http2.graceful_shutdown_timeout = defaults::HTTP2_GRACEFUL_SHUTDOWN_TIMEOUT;
    c.http2.max_concurrent_requests_per_connection = defaults::HTTP2_MAX_CONCURRENT_REQUESTS_PER_CONNECTION;
    c.http2.max_streams_for_priority = defaults::HTTP2_MAX_STREAMS_FOR_PRIORITY;
    c.http2.latency_optimization = defaults::HTTP2_LATENCY_OPTIMIZATION;
    let h2 = &crate::http2::conn::PROTOCOL_CALLBACKS;
    c.http2.callbacks.request_shutdown = h2.request_shutdown.map_or(std::ptr::null_mut(), |f| f as *mut c_void);
    c.http2.callbacks.foreach_request = h2.foreach_request.map_or(std::ptr::null_mut(), |f| f as *mut c_void);
    c.proxy.io_timeout = defaults::PROXY_IO_TIMEOUT;
    c.proxy.flags = PROXY_EMIT_X_FORWARDED_HEADERS | PROXY_EMIT_VIA_HEADER;
    c.mimemap = crate::core::mimemap::create().cast();
}

/// Initializes `pathconf` (overwritten) for `path` (copied; NULL: none, as a host's fallback);
/// the pathconf takes a reference to `mimemap` (NULL: none), dropped by `dispose_pathconf`. As in
/// 2.2.5, the chunked filter is registered first (taking a config slot), so every path has it.
///
/// # Safety
/// `pathconf` points to 120 writable bytes; `path` is NULL or a NUL-terminated string; `mimemap`
/// is NULL or a live map; `global` is NULL or initialized.
pub unsafe fn init_pathconf(pathconf: *mut h2o_pathconf_t, global: *mut h2o_globalconf_t, path: *const c_char, mimemap: *mut c_void) {
    // SAFETY: the caller's contract; all-zero is a valid pathconf.
    let p = unsafe {
        std::ptr::write_bytes(pathconf, 0, 1);
        &mut *pathconf
    };
    p.global = global;
    if !global.is_null() {
        // SAFETY: an initialized pathconf of a live globalconf.
        unsafe { super::filters::chunked_register(pathconf) };
    }
    if !path.is_null() {
        // SAFETY: NUL-terminated (the caller's contract).
        p.path = c_strdup(unsafe { std::ffi::CStr::from_ptr(path) }.to_bytes());
    }
    // SAFETY: NULL or a live map (the caller's contract); the pathconf holds a reference.
    unsafe { crate::core::mimemap::map_addref(mimemap) };
    p.mimemap = mimemap;
    p.error_log = PATH_EMIT_REQUEST_ERRORS;
}

/// Calls `dispose` of each element (if set) and frees it, then the vector's storage.
///
/// # Safety
/// The vector is malloc'ed and holds live modules created by `create_module`.
unsafe fn dispose_modules(v: &mut Vector<*mut h2o_handler_t>) {
    for i in 0..v.size {
        // SAFETY: `i < size`, a live element.
        let m = unsafe { *v.entries.add(i) };
        // SAFETY: `m` is live; its `dispose` takes it (the embedder's callback).
        if let Some(dispose) = unsafe { (*m).dispose } {
            // SAFETY: the callback's contract is the embedder's: called once, before the free.
            unsafe { dispose(m) };
        }
        // SAFETY: malloc'ed by create_module, not used again.
        unsafe { libc::free(m.cast()) };
    }
    // SAFETY: malloc'ed storage (or NULL).
    unsafe { libc::free(v.entries.cast()) };
    *v = Vector::EMPTY;
}

/// Frees what `init_pathconf` and the `create_*` calls allocated; the pathconf is left zeroed.
///
/// # Safety
/// `pathconf` was initialized by `init_pathconf` and not disposed of since.
pub unsafe fn dispose_pathconf(pathconf: *mut h2o_pathconf_t) {
    // SAFETY: the caller's contract.
    let p = unsafe { &mut *pathconf };
    // SAFETY: the three vectors hold modules created by create_module (their layouts agree).
    unsafe {
        dispose_modules(&mut p.handlers);
        dispose_modules(&mut *(&raw mut p.filters).cast());
        dispose_modules(&mut *(&raw mut p.loggers).cast());
        libc::free(p.path.base.cast());
        crate::core::mimemap::map_release(p.mimemap);
        if !p.env.is_null() {
            super::context::release_shared(p.env.cast());
        }
        std::ptr::write_bytes(pathconf, 0, 1);
    }
}

/// Registers host `host`:`port`; NULL when that host and port are registered already (2.2.5).
///
/// # Safety
/// `config` was initialized by `init`.
pub unsafe fn register_host(config: *mut h2o_globalconf_t, host: &[u8], port: u16) -> *mut h2o_hostconf_t {
    let lower = normalize_host(host);
    // SAFETY: the caller's contract.
    let c = unsafe { &mut *config };
    let mut i = 0;
    // SAFETY: `hosts` is NULL-terminated, each entry a live hostconf.
    while let Some(h) = unsafe { c.hosts.add(i).read().as_ref() } {
        // SAFETY: a registered host's name is a live malloc'ed string of `len` bytes.
        let name = unsafe { std::slice::from_raw_parts(h.authority.host.base.cast::<u8>(), h.authority.host.len) };
        if name == lower.as_slice() && h.authority.port == port {
            return null_mut();
        }
        i += 1;
    }
    let hc = zalloc(size_of::<h2o_hostconf_t>()).cast::<h2o_hostconf_t>();
    // SAFETY: fresh zeroed memory; all-zero is a valid hostconf.
    let h = unsafe { &mut *hc };
    h.global = config;
    h.authority.host = c_strdup(&lower);
    h.authority.hostport = match hostport(&lower, port) {
        Some(hp) => c_strdup(&hp),
        None => h.authority.host,
    };
    h.authority.port = port;
    h.mimemap = c.mimemap;
    // SAFETY: the globalconf's live map (or NULL); the host holds a reference.
    unsafe { crate::core::mimemap::map_addref(h.mimemap) };
    h.http2.flags = HOST_HTTP2_PUSH_PRELOAD;
    // SAFETY: the fallback pathconf is inside the fresh hostconf.
    unsafe { init_pathconf(&raw mut h.fallback_path, config, std::ptr::null(), c.mimemap) };
    // SAFETY: `hosts` is the NULL-terminated malloc'ed array `init` created.
    unsafe { mem::append_to_null_terminated_list(&mut *(&raw mut c.hosts).cast(), hc.cast()) };
    hc
}

/// Appends a pathconf for `path` to the host's paths and returns it.
///
/// # Safety
/// `hostconf` came from `register_host`; `path` is a NUL-terminated string.
pub unsafe fn register_path(hostconf: *mut h2o_hostconf_t, path: *const c_char) -> *mut h2o_pathconf_t {
    // SAFETY: the caller's contract.
    let h = unsafe { &mut *hostconf };
    let wanted = h.paths.size + 1;
    // SAFETY: the paths vector is malloc'ed (or empty).
    unsafe { mem::vector::expand(None, h.paths.as_raw(), size_of::<h2o_pathconf_t>(), wanted) };
    // SAFETY: capacity > size after expand.
    let p = unsafe { h.paths.entries.add(h.paths.size) };
    h.paths.size += 1;
    // SAFETY: `p` is writable storage for one pathconf; `path` per the caller's contract.
    unsafe { init_pathconf(p, h.global, path, h.mimemap) };
    p
}

/// Which list of a pathconf a new module goes to, and where.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum ModuleKind {
    /// appended (asked in registration order)
    Handler,
    /// prepended (2.2.5: the filter registered last sees the response first)
    Filter,
    /// appended
    Logger,
}

/// Allocates `sz` zeroed bytes (at least the 40 of a module header), gives them the next config
/// slot and adds them to the pathconf's list of `kind`.
///
/// # Safety
/// `pathconf` was initialized by `init_pathconf` with a live globalconf.
pub unsafe fn create_module(pathconf: *mut h2o_pathconf_t, sz: usize, kind: ModuleKind) -> *mut h2o_handler_t {
    // SAFETY: the caller's contract.
    let p = unsafe { &mut *pathconf };
    let m = zalloc(sz.max(size_of::<h2o_handler_t>())).cast::<h2o_handler_t>();
    // SAFETY: the globalconf is live (the caller's contract); `m` is fresh.
    unsafe {
        (*m)._config_slot = (*p.global)._num_config_slots;
        (*p.global)._num_config_slots += 1;
    }
    let v: &mut Vector<*mut h2o_handler_t> = match kind {
        ModuleKind::Handler => &mut p.handlers,
        // SAFETY: the three vectors have the same layout (pointers to 40-byte module headers).
        ModuleKind::Filter => unsafe { &mut *(&raw mut p.filters).cast() },
        // SAFETY: as above.
        ModuleKind::Logger => unsafe { &mut *(&raw mut p.loggers).cast() },
    };
    let wanted = v.size + 1;
    // SAFETY: malloc'ed storage (or empty).
    unsafe { mem::vector::expand(None, v.as_raw(), size_of::<*mut h2o_handler_t>(), wanted) };
    let at = if kind == ModuleKind::Filter { 0 } else { v.size };
    // SAFETY: capacity > size; entries [at, size) move up by one inside the storage.
    unsafe {
        std::ptr::copy(v.entries.add(at), v.entries.add(at + 1), v.size - at);
        v.entries.add(at).write(m);
    }
    v.size += 1;
    m
}

/// Disposes of every host (its paths, then its fallback path) and of the hosts array; `config`
/// is left zeroed.
///
/// # Safety
/// `config` was initialized by `init` and not disposed of since.
pub unsafe fn dispose(config: *mut h2o_globalconf_t) {
    // SAFETY: the caller's contract.
    let c = unsafe { &mut *config };
    if !c.hosts.is_null() {
        let mut i = 0;
        // SAFETY: NULL-terminated array of live hostconfs.
        while let Some(hc) = unsafe { c.hosts.add(i).read().as_mut() } {
            for j in 0..hc.paths.size {
                // SAFETY: `j < size`, a pathconf initialized by register_path.
                unsafe { dispose_pathconf(hc.paths.entries.add(j)) };
            }
            // SAFETY: malloc'ed strings and storage, freed once (hostport shares host's buffer when
            // no port was given).
            unsafe {
                libc::free(hc.paths.entries.cast());
                dispose_pathconf(&raw mut hc.fallback_path);
                if hc.authority.hostport.base != hc.authority.host.base {
                    libc::free(hc.authority.hostport.base.cast());
                }
                libc::free(hc.authority.host.base.cast());
                crate::core::mimemap::map_release(hc.mimemap);
                libc::free((hc as *mut h2o_hostconf_t).cast());
            }
            i += 1;
        }
        // SAFETY: malloc'ed by init / append_to_null_terminated_list.
        unsafe { libc::free(c.hosts.cast()) };
    }
    // SAFETY: the reference `init` took (or NULL).
    unsafe { crate::core::mimemap::map_release(c.mimemap) };
    // SAFETY: all-zero is a valid (empty) globalconf.
    unsafe { std::ptr::write_bytes(config, 0, 1) };
}

// --- environment configurations ---------------------------------------------------------------------

/// A shared, NUL-terminated copy of `s` (one reference, the caller's).
fn shared_strdup(s: &[u8]) -> h2o_iovec_t {
    // SAFETY: no pool; the block has room for the bytes and the NUL.
    let p = unsafe { mem::pool::alloc_shared(None, s.len() + 1, None) }.cast::<u8>();
    // SAFETY: `p` has `s.len() + 1` writable bytes, distinct from `s`.
    unsafe {
        std::ptr::copy_nonoverlapping(s.as_ptr(), p, s.len());
        *p.add(s.len()) = 0;
    }
    h2o_iovec_t { base: p.cast(), len: s.len() }
}

/// # Safety
/// `v` holds `size` valid iovecs.
unsafe fn position(v: &Vector<h2o_iovec_t>, name: &[u8], step: usize) -> Option<usize> {
    // SAFETY: the caller's contract.
    (0..v.size).step_by(step).find(|&i| unsafe { super::request::bytes(*v.entries.add(i)) } == name)
}

/// Appends to a malloc'ed vector of iovecs.
///
/// # Safety
/// `v` is malloc'ed (or empty).
unsafe fn push(v: &mut Vector<h2o_iovec_t>, item: h2o_iovec_t) {
    let need = v.size + 1;
    // SAFETY: the caller's contract; capacity > size afterwards.
    unsafe {
        mem::vector::expand(None, v.as_raw(), size_of::<h2o_iovec_t>(), need);
        v.entries.add(v.size).write(item);
    }
    v.size += 1;
}

/// Drops the references an envconf holds (its parent, its strings) and frees its vectors; the
/// shared allocation's dispose callback.
unsafe extern "C" fn dispose_envconf(p: *mut c_void) {
    // SAFETY: `p` is an envconf created by create_envconf, at its last reference.
    unsafe {
        let e = &mut *p.cast::<h2o_envconf_t>();
        if !e.parent.is_null() {
            super::context::release_shared(e.parent.cast());
        }
        for v in [&mut e.unsets, &mut e.sets] {
            for i in 0..v.size {
                super::context::release_shared((*v.entries.add(i)).base.cast());
            }
            libc::free(v.entries.cast());
            *v = Vector::EMPTY;
        }
    }
}

/// `h2o_config_create_envconf`: a new, empty envconf (a shared allocation, one reference, the
/// caller's) inheriting from `parent` (NULL: none), which it holds a reference to.
///
/// # Safety
/// `parent` is NULL or a live envconf.
pub unsafe fn create_envconf(parent: *mut h2o_envconf_t) -> *mut h2o_envconf_t {
    // SAFETY: no pool; room for the struct.
    let e = unsafe { mem::pool::alloc_shared(None, size_of::<h2o_envconf_t>(), Some(dispose_envconf)) }.cast::<h2o_envconf_t>();
    // SAFETY: fresh; the parent is live (the caller's contract) and gets a reference.
    unsafe {
        e.write(h2o_envconf_t { parent, unsets: Vector::EMPTY, sets: Vector::EMPTY });
        if !parent.is_null() {
            crate::core::mimemap::map_addref(parent.cast());
        }
    }
    e
}

/// `h2o_config_setenv`: `name` (no longer unset by this envconf) is set to `value` (both copied).
///
/// # Safety
/// `envconf` is live.
pub unsafe fn setenv(envconf: *mut h2o_envconf_t, name: &[u8], value: &[u8]) {
    // SAFETY: the caller's contract; the strings are the envconf's references.
    unsafe {
        let e = &mut *envconf;
        if let Some(i) = position(&e.unsets, name, 1) {
            super::context::release_shared((*e.unsets.entries.add(i)).base.cast());
            std::ptr::copy(e.unsets.entries.add(i + 1), e.unsets.entries.add(i), e.unsets.size - i - 1);
            e.unsets.size -= 1;
        }
        let value = shared_strdup(value);
        match position(&e.sets, name, 2) {
            Some(i) => {
                let slot = &mut *e.sets.entries.add(i + 1);
                super::context::release_shared(slot.base.cast());
                *slot = value;
            }
            None => {
                push(&mut e.sets, shared_strdup(name));
                push(&mut e.sets, value);
            }
        }
    }
}

/// `h2o_config_unsetenv`: `name` (copied) is removed from the requests' environment. As in 2.2.5,
/// a value this envconf sets for the name stays (sets apply after unsets).
///
/// # Safety
/// `envconf` is live.
pub unsafe fn unsetenv(envconf: *mut h2o_envconf_t, name: &[u8]) {
    // SAFETY: the caller's contract.
    unsafe {
        let e = &mut *envconf;
        if position(&e.unsets, name, 1).is_none() {
            push(&mut e.unsets, shared_strdup(name));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn authority_strings() {
        assert_eq!(normalize_host(b"Example.COM"), b"example.com");
        assert_eq!(hostport(b"a.b", 8080).unwrap(), b"a.b:8080");
        assert!(hostport(b"a.b", 65535).is_none());
        assert!(SERVER_NAME.starts_with(b"libh2o-rs/") && SERVER_NAME.ends_with(b"\0"));
    }

    unsafe extern "C" fn count_dispose(m: *mut h2o_handler_t) {
        // SAFETY: the test module is at least 48 bytes; the counter pointer is at 40.
        unsafe {
            let counter = *m.cast::<u8>().add(40).cast::<*mut usize>();
            *counter += 1;
        }
    }

    #[test]
    fn tree_of_hosts_paths_and_modules() {
        let mut c = std::mem::MaybeUninit::<h2o_globalconf_t>::uninit();
        let c = c.as_mut_ptr();
        let mut disposed = 0usize;
        // SAFETY: the tree is built and disposed of through this module only.
        unsafe {
            init(c);
            assert_eq!((*c).http2.idle_timeout, 10_000);
            let h = register_host(c, b"Example.com", 65535);
            assert!(register_host(c, b"EXAMPLE.com", 65535).is_null());
            let h2 = register_host(c, b"example.com", 80);
            assert!(!h2.is_null());
            assert_eq!(*(*c).hosts.add(0), h);
            assert_eq!(*(*c).hosts.add(1), h2);
            assert!((*(*c).hosts.add(2)).is_null());
            for k in 0..6 {
                let p = register_path(h, c"/a".as_ptr());
                let m = create_module(p, 48, ModuleKind::Handler);
                // as 2.2.5: each pathconf's chunked filter takes a slot first (the two hosts'
                // fallback paths took 0 and 1)
                assert_eq!((*m)._config_slot, 3 + 2 * k);
                (*m).dispose = Some(count_dispose);
                *m.cast::<u8>().add(40).cast::<*mut usize>() = &mut disposed;
            }
            let p = (*h).paths.entries;
            let f1 = create_module(p, 40, ModuleKind::Filter);
            let f2 = create_module(p, 40, ModuleKind::Filter);
            assert_eq!(*(*p).filters.entries, f2.cast());
            assert_eq!(*(*p).filters.entries.add(1), f1.cast());
            assert_eq!((*p).filters.size, 3, "the chunked filter stays last");
            dispose(c);
            assert!((*c).hosts.is_null());
        }
        assert_eq!(disposed, 6);
    }
}
