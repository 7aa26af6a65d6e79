//! The per-loop server context (`h2o_context_t`) of 2.2.5: its timeouts on the loop, the
//! per-module config slots, the pathconf contexts (each handler's, filter's and logger's
//! `on_context_init` / `on_context_dispose`, once per pathconf), the storage slots and the
//! timestamp cache (the Date-header and access-log strings of the current second).
//!
//! Not yet (later pieces): the multithread queue and the hostinfo receiver (`queue` stays NULL),
//! the HTTP/1 and HTTP/2 connection lists' users. `filecache` is the file handler's
//! (`crate::handler::filecache`, made on first use, freed here).

use std::ffi::c_void;
use std::ptr::null_mut;

use crate::abi::core::{h2o_context_t, h2o_globalconf_t, h2o_handler_t, h2o_pathconf_t, h2o_timestamp_string_t, Vector};
use crate::abi::evloop::{h2o_evloop_t, h2o_linklist_t, h2o_timeout_t};
use crate::evloop::timeout;
use crate::abi::memory::st_h2o_mem_pool_shared_entry_t;
use crate::mem;

use super::time::{log_time, rfc1123};

fn init_list(l: &mut h2o_linklist_t) {
    l.next = l;
    l.prev = l;
}

/// Drops the caller's reference of a shared allocation (`h2o_mem_release_shared`).
///
/// # Safety
/// `p` was returned by `h2o_mem_alloc_shared` and the caller owns one reference.
pub(crate) unsafe fn release_shared(p: *mut c_void) {
    let off = std::mem::offset_of!(st_h2o_mem_pool_shared_entry_t, bytes);
    // SAFETY: the entry header precedes the bytes (memory.h layout); the caller's reference.
    unsafe { mem::pool::release(p.cast::<u8>().sub(off).cast()) };
}

/// Initializes `ctx` (overwritten) for `loop_` and `config`, then every pathconf context.
///
/// # Safety
/// `ctx` is writable; `loop_` is a live loop; `config` was initialized by `h2o_config_init` and
/// outlives the context.
pub unsafe fn init(ctx: *mut h2o_context_t, loop_: *mut h2o_evloop_t, config: *mut h2o_globalconf_t) {
    // SAFETY: the caller's contract; all-zero is a valid h2o_context_t.
    let c = unsafe {
        std::ptr::write_bytes(ctx, 0, 1);
        &mut *ctx
    };
    // SAFETY: the caller's contract.
    let g = unsafe { &*config };
    c.loop_ = loop_;
    c.globalconf = config;
    let timeouts: [(*mut h2o_timeout_t, u64); 8] = [
        (&raw mut c.zero_timeout, 0),
        (&raw mut c.one_sec_timeout, 1000),
        (&raw mut c.hundred_ms_timeout, 100),
        (&raw mut c.handshake_timeout, g.handshake_timeout),
        (&raw mut c.http1_req_timeout, g.http1.req_timeout),
        (&raw mut c.http2_idle_timeout, g.http2.idle_timeout),
        (&raw mut c.http2_graceful_shutdown_timeout, g.http2.graceful_shutdown_timeout),
        (&raw mut c.proxy_io_timeout, g.proxy.io_timeout),
    ];
    for (t, ms) in timeouts {
        // SAFETY: `t` is inside the context, which stays in place while initialized.
        unsafe { timeout::init(loop_, t, ms) };
    }
    init_list(&mut c.http1_conns);
    init_list(&mut c.http2_conns);
    c.proxy_client_ctx.loop_ = loop_;
    c.proxy_client_ctx.getaddr_receiver = (&raw mut c.receivers).cast();
    c.proxy_client_ctx.io_timeout = &raw mut c.proxy_io_timeout;
    c.proxy_client_ctx.ssl_ctx = g.proxy.ssl_ctx;
    c._module_configs = config_slots(g._num_config_slots);
    let mut i = 0;
    // SAFETY: the hosts list is NULL-terminated; each host's paths vector holds `size` pathconfs.
    while let Some(h) = unsafe { g.hosts.add(i).read().as_mut() } {
        for j in 0..h.paths.size {
            // SAFETY: `j < size`.
            unsafe { init_pathconf_context(ctx, h.paths.entries.add(j)) };
        }
        // SAFETY: the host's fallback pathconf.
        unsafe { init_pathconf_context(ctx, &raw mut h.fallback_path) };
        i += 1;
    }
}

fn config_slots(n: usize) -> *mut *mut c_void {
    super::config::zalloc(n.max(1) * size_of::<*mut c_void>()).cast()
}

/// The handlers, filters and loggers of a pathconf, in that order (all share the module header).
///
/// # Safety
/// `p` is an initialized pathconf.
unsafe fn modules(p: &h2o_pathconf_t) -> Vec<*mut h2o_handler_t> {
    let mut all = Vec::new();
    for v in [&p.handlers, &p.filters, &p.loggers] {
        let v: &Vector<*mut h2o_handler_t> = v;
        for k in 0..v.size {
            // SAFETY: `k < size`.
            all.push(unsafe { *v.entries.add(k) });
        }
    }
    all
}

/// Calls `on_context_init` of the pathconf's handlers, filters and loggers, once per context.
///
/// # Safety
/// `ctx` was initialized by `init`; `pathconf` is initialized and outlives the context.
pub unsafe fn init_pathconf_context(ctx: *mut h2o_context_t, pathconf: *mut h2o_pathconf_t) {
    // SAFETY: the caller's contract.
    let c = unsafe { &mut *ctx };
    if c._pathconfs_inited.size != 0 {
        // SAFETY: malloc'ed storage holding `size` (> 0, so non-NULL) pathconf pointers; a slice
        // from a NULL pointer is undefined behaviour even when empty (debug builds abort on it).
        let inited = unsafe { std::slice::from_raw_parts(c._pathconfs_inited.entries, c._pathconfs_inited.size) };
        if inited.contains(&pathconf) {
            return;
        }
    }
    let wanted = c._pathconfs_inited.size + 1;
    // SAFETY: malloc'ed (or empty) vector of pointers.
    unsafe {
        mem::vector::expand(None, c._pathconfs_inited.as_raw(), size_of::<*mut h2o_pathconf_t>(), wanted);
        c._pathconfs_inited.entries.add(c._pathconfs_inited.size).write(pathconf);
    }
    c._pathconfs_inited.size += 1;
    // SAFETY: initialized pathconf; the callbacks are the embedder's (void (*)(self, ctx)).
    for m in unsafe { modules(&*pathconf) } {
        // SAFETY: live module.
        let cb = unsafe { (*m).on_context_init };
        if !cb.is_null() {
            // SAFETY: a non-NULL `on_context_init` of the module's type: void (*)(self, ctx).
            let f: unsafe extern "C" fn(*mut h2o_handler_t, *mut h2o_context_t) = unsafe { std::mem::transmute(cb) };
            // SAFETY: as above.
            unsafe { f(m, ctx) };
        }
    }
}

/// Calls `on_context_dispose` of the pathconf's handlers, filters and loggers, once: the pathconf
/// leaves the context's list of initialized ones (2.2.5 marks its entry NULL); a pathconf not on
/// it (never initialized, or disposed of already) is left alone.
///
/// # Safety
/// As `init_pathconf_context`.
pub unsafe fn dispose_pathconf_context(ctx: *mut h2o_context_t, pathconf: *mut h2o_pathconf_t) {
    // SAFETY: the caller's contract.
    let c = unsafe { &mut *ctx };
    // SAFETY: `size` entries of malloc'ed storage.
    let Some(i) = (0..c._pathconfs_inited.size).find(|&i| unsafe { *c._pathconfs_inited.entries.add(i) } == pathconf) else {
        return;
    };
    // SAFETY: `i < size`.
    unsafe { *c._pathconfs_inited.entries.add(i) = null_mut() };
    // SAFETY: the caller's contract.
    for m in unsafe { modules(&*pathconf) } {
        // SAFETY: live module.
        let cb = unsafe { (*m).on_context_dispose };
        if !cb.is_null() {
            // SAFETY: a non-NULL `on_context_dispose`: void (*)(self, ctx).
            let f: unsafe extern "C" fn(*mut h2o_handler_t, *mut h2o_context_t) = unsafe { std::mem::transmute(cb) };
            // SAFETY: as above.
            unsafe { f(m, ctx) };
        }
    }
}

/// Disposes of what `init` set up: the pathconf contexts still initialized (in init order: the
/// hosts' paths and any initialized later, such as dynamic MIME types' not disposed of by
/// `h2o_mimemap_on_context_dispose`), storage slots (their `dispose`), the timestamp cache, the
/// timeouts; `ctx` is left zeroed.
///
/// # Safety
/// `ctx` was initialized by `init` and no timeout entry is linked to its timeouts.
pub unsafe fn dispose(ctx: *mut h2o_context_t) {
    // SAFETY: the caller's contract.
    let c = unsafe { &mut *ctx };
    for k in 0..c._pathconfs_inited.size {
        // SAFETY: `k < size`; each entry an initialized pathconf, or NULL once disposed of.
        let p = unsafe { *c._pathconfs_inited.entries.add(k) };
        if !p.is_null() {
            // SAFETY: as above.
            unsafe { dispose_pathconf_context(ctx, p) };
        }
    }
    for k in 0..c.storage.size {
        // SAFETY: `k < size`; slots the inline h2o_context_get_storage filled.
        let item = unsafe { &*c.storage.entries.add(k) };
        if let Some(d) = item.dispose {
            // SAFETY: the embedder's callback with its data.
            unsafe { d(item.data) };
        }
    }
    if !c._timestamp_cache.value.is_null() {
        // SAFETY: the context owns one reference of the cached strings.
        unsafe { release_shared(c._timestamp_cache.value.cast()) };
    }
    // SAFETY: `filecache` is NULL or the file handler's cache of this context.
    unsafe { crate::handler::filecache::dispose(ctx) };
    let loop_ = c.loop_;
    for t in [
        &raw mut c.zero_timeout,
        &raw mut c.one_sec_timeout,
        &raw mut c.hundred_ms_timeout,
        &raw mut c.handshake_timeout,
        &raw mut c.http1_req_timeout,
        &raw mut c.http2_idle_timeout,
        &raw mut c.http2_graceful_shutdown_timeout,
        &raw mut c.proxy_io_timeout,
    ] {
        // SAFETY: initialized by `init` on this loop.
        unsafe { timeout::dispose(loop_, t) };
    }
    // SAFETY: malloc'ed blocks (or NULL) owned by the context.
    unsafe {
        libc::free(c._pathconfs_inited.entries.cast());
        libc::free(c.storage.entries.cast());
        libc::free(c._module_configs.cast());
        std::ptr::write_bytes(ctx, 0, 1);
    }
}

/// The context's cached time and its strings, refreshed first when the loop's clock moved since
/// (what `h2o_get_timestamp` and the connections use for `connected_at`, Date and the log).
///
/// # Safety
/// `ctx` was initialized by `init`; its loop is alive.
pub unsafe fn cached_timestamp(ctx: *mut h2o_context_t) -> (libc::timeval, *mut h2o_timestamp_string_t) {
    // SAFETY: the caller's contract.
    unsafe {
        let c = &mut *ctx;
        if c._timestamp_cache.uv_now_at != (*c.loop_)._now || c._timestamp_cache.value.is_null() {
            update_timestamp_cache(ctx);
        }
        (c._timestamp_cache.tv_at, c._timestamp_cache.value)
    }
}

/// Refreshes the cached time for the loop's current time (`h2o_now`); the time strings are
/// rebuilt only when the second changed (as 2.2.5: they have one-second resolution, and the loop's
/// clock moves every millisecond under load).
///
/// # Safety
/// `ctx` was initialized by `init`; its loop is alive.
pub unsafe fn update_timestamp_cache(ctx: *mut h2o_context_t) {
    // SAFETY: the caller's contract.
    let c = unsafe { &mut *ctx };
    // SAFETY: live loop (the caller's contract).
    c._timestamp_cache.uv_now_at = unsafe { (*c.loop_)._now };
    let mut tv = libc::timeval { tv_sec: 0, tv_usec: 0 };
    // SAFETY: valid out-pointer.
    unsafe { libc::gettimeofday(&mut tv, null_mut()) };
    let same_second = tv.tv_sec == c._timestamp_cache.tv_at.tv_sec;
    c._timestamp_cache.tv_at = tv;
    if same_second && !c._timestamp_cache.value.is_null() {
        return;
    }
    // SAFETY: all-zero is a valid tm; valid pointers.
    let (mut gmt, mut local): (libc::tm, libc::tm) = unsafe { (std::mem::zeroed(), std::mem::zeroed()) };
    // SAFETY: valid pointers.
    unsafe {
        libc::gmtime_r(&tv.tv_sec, &mut gmt);
        libc::localtime_r(&tv.tv_sec, &mut local);
    }
    // SAFETY: a fresh shared allocation of the struct's size, owned by the context.
    let v = unsafe { crate::mem::pool::alloc_shared(None, size_of::<h2o_timestamp_string_t>(), None) }.cast::<h2o_timestamp_string_t>();
    // SAFETY: fresh, writable.
    let s = unsafe { &mut *v };
    *s = h2o_timestamp_string_t { rfc1123: [0; 30], log: [0; 27] };
    let a = rfc1123(&gmt);
    let b = log_time(&local);
    s.rfc1123[..a.len().min(29)].copy_from_slice(&a.as_bytes()[..a.len().min(29)]);
    s.log[..b.len().min(26)].copy_from_slice(&b.as_bytes()[..b.len().min(26)]);
    if !c._timestamp_cache.value.is_null() {
        // SAFETY: the context's reference of the previous strings.
        unsafe { release_shared(c._timestamp_cache.value.cast()) };
    }
    c._timestamp_cache.value = v;
}
