//! The 2.2.5 OpenSSL compatibility bridge: reads the certificate chain and the private key out of an
//! OpenSSL `SSL_CTX *` that a 2.2.5 embedder prepared (`SSL_CTX_use_certificate_chain_file`,
//! `SSL_CTX_use_certificate_file`, `SSL_CTX_use_PrivateKey_file`, `SSL_CTX_add_extra_chain_cert`,
//! `SSL_CTX_add0_chain_cert`, ...) and stored in `h2o_accept_ctx_t.ssl_ctx`, so that the engine can
//! build its rustls configuration from them; and keeps the protocol lists the embedder registered on
//! that context with `h2o_ssl_register_alpn_protocols` / `_npn_protocols`. Only this module touches
//! libssl. The interface holds no rustls (and no OpenSSL) types: DER bytes and protocol names.
//!
//! # How libssl is reached: resolved at run time, not linked
//! The functions below are looked up with `dlsym` the first time they are needed, first in the
//! process' global scope (`RTLD_DEFAULT`: the libssl the embedder linked, whichever version), then
//! in an already loaded `libssl.so.3` / `libssl.so.1.1` (`dlopen(RTLD_NOLOAD)`: a libssl that was
//! itself `dlopen()`ed with `RTLD_LOCAL`). Never loaded by us: a process that hands us an `SSL_CTX *`
//! has the libssl that made it loaded already, and calling another copy on that context would be
//! wrong. Why not `-lssl -lcrypto`: libh2o-evloop.so would then load libssl (and its start-up cost
//! and version pin) into every embedder, including all that serve plain HTTP or use the native
//! rustls path, and would tie the library to one libssl SONAME; with run-time lookup the library has
//! no OpenSSL dependency at all and the bridge works with OpenSSL 1.1 and 3 (the names used exist in
//! both). When the functions cannot be found, [`from_ssl_ctx`] says so in its `Err`.
//!
//! # What is read, as OpenSSL itself would send it
//! - the certificate: `SSL_CTX_get0_certificate` (the context's *current* certificate: the last one
//!   loaded; a context holding an RSA and an ECDSA certificate at once gives the current one only);
//! - the chain behind it, as OpenSSL's handshake picks it: the current certificate's own chain
//!   (`SSL_CTX_get0_chain_certs`, which `SSL_CTX_use_certificate_chain_file` and
//!   `SSL_CTX_add0/1_chain_cert` fill) when it has one, else the context's extra chain certificates
//!   (`SSL_CTX_get_extra_chain_certs_only`, filled by `SSL_CTX_add_extra_chain_cert`). OpenSSL's
//!   automatic chain building from the verify store (neither list set) is not reproduced: the leaf
//!   alone is sent then;
//! - the private key: `SSL_CTX_get0_privatekey`, checked against the certificate
//!   (`SSL_CTX_check_private_key`), written as unencrypted PKCS#8 DER (`EVP_PKEY2PKCS8` +
//!   `i2d_PKCS8_PRIV_KEY_INFO`): RSA, ECDSA and Ed25519 keys alike.
//!
//! Every DER encoding is written into memory this module owns (`i2d_*` asked for the length first,
//! then given a buffer of that size); the one OpenSSL object allocated here (the
//! `PKCS8_PRIV_KEY_INFO`) is freed on every path; the key's DER ([`Bridged::key_pkcs8`]) is the
//! caller's to keep or wipe. OpenSSL's error
//! queue entries pushed by a failing call are read into the `Err` text, which also clears them from
//! the embedder's thread.
//!
//! # Protocol lists
//! [`register_alpn`] / [`register_npn`] record a list under the context's address (a process-global
//! map; registering again on the same context replaces it). The entry goes when OpenSSL frees the
//! context: the bridge hangs an ex_data slot with a free callback on every context it records or
//! reads (`SSL_CTX_get_ex_new_index` + `SSL_CTX_set_ex_data`), so a new context that OpenSSL
//! allocates at a freed one's address starts with nothing registered; [`add_free_hook`] lets the
//! engine drop what it cached for that address at the same moment.
//! They do not install OpenSSL's ALPN/NPN callbacks on the `SSL_CTX` as 2.2.5 does: OpenSSL never
//! runs a handshake for our library, so those callbacks would never be called. rustls has no NPN
//! (obsolete; no browser has offered it since 2016): an NPN list is used as the ALPN preference
//! order only when the embedder registered no ALPN list on that context, which keeps what an
//! NPN-only 2.2.5 embedder meant (offer these protocols) for today's clients.

use std::collections::HashMap;
use std::ffi::{CStr, c_char, c_int, c_long, c_uchar, c_ulong, c_void};
use std::sync::{Mutex, OnceLock};

/// What [`from_ssl_ctx`] reads out of an `SSL_CTX`.
#[derive(Clone, PartialEq, Eq)]
pub struct Bridged {
    /// DER certificates, the leaf first, then the chain in the order OpenSSL would send it.
    pub chain: Vec<Vec<u8>>,
    /// The private key as unencrypted PKCS#8 DER.
    pub key_pkcs8: Vec<u8>,
    /// The ALPN preference list registered on that context (h2o_ssl_register_alpn_protocols, or
    /// the NPN list when only that was registered); `None` when neither was called.
    pub alpn: Option<Vec<Vec<u8>>>,
}

impl std::fmt::Debug for Bridged {
    /// Never prints the key.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Bridged")
            .field("chain", &self.chain.iter().map(Vec::len).collect::<Vec<_>>())
            .field("key_pkcs8", &format_args!("<{} bytes>", self.key_pkcs8.len()))
            .field("alpn", &self.alpn.as_ref().map(|l| l.iter().map(|p| String::from_utf8_lossy(p).into_owned()).collect::<Vec<_>>()))
            .finish()
    }
}

// --- protocol lists --------------------------------------------------------------------------------

#[derive(Default)]
struct Registered {
    alpn: Option<Vec<Vec<u8>>>,
    npn: Option<Vec<Vec<u8>>>,
}

fn registry() -> std::sync::MutexGuard<'static, HashMap<usize, Registered>> {
    static MAP: OnceLock<Mutex<HashMap<usize, Registered>>> = OnceLock::new();
    // a panic while holding the lock cannot leave the map half-written (single inserts), so a
    // poisoned lock is taken over
    MAP.get_or_init(Default::default).lock().unwrap_or_else(|e| e.into_inner())
}

/// Records `protocols` as the ALPN list of the `SSL_CTX` `ssl_ctx` (NULL: ignored).
///
/// # Safety
/// `ssl_ctx` is NULL or a live `SSL_CTX *` of the libssl loaded in this process.
pub unsafe fn register_alpn(ssl_ctx: *mut c_void, protocols: Vec<Vec<u8>>) {
    if ssl_ctx.is_null() {
        return;
    }
    registry().entry(ssl_ctx as usize).or_default().alpn = Some(protocols);
    // SAFETY: a live SSL_CTX (the caller's contract).
    unsafe { watch_free(ssl_ctx) };
}

/// Records `protocols` as the NPN list of the `SSL_CTX` `ssl_ctx` (NULL: ignored).
///
/// # Safety
/// As [`register_alpn`].
pub unsafe fn register_npn(ssl_ctx: *mut c_void, protocols: Vec<Vec<u8>>) {
    if ssl_ctx.is_null() {
        return;
    }
    registry().entry(ssl_ctx as usize).or_default().npn = Some(protocols);
    // SAFETY: a live SSL_CTX (the caller's contract).
    unsafe { watch_free(ssl_ctx) };
}

fn free_hooks() -> std::sync::MutexGuard<'static, Vec<fn(usize)>> {
    static HOOKS: Mutex<Vec<fn(usize)>> = Mutex::new(Vec::new());
    HOOKS.lock().unwrap_or_else(|e| e.into_inner())
}

/// Adds a function called with a context's address when OpenSSL frees an `SSL_CTX` the bridge has
/// seen (registered a list on, or read with [`from_ssl_ctx`]): from inside `SSL_CTX_free`, on the
/// freeing thread, after the bridge dropped its own entry. For a cache of what was built from that
/// context. The hook must not call into OpenSSL for that context nor add hooks; a panic is caught
/// and reported.
pub fn add_free_hook(hook: fn(usize)) {
    free_hooks().push(hook);
}

/// OpenSSL's ex_data free callback (`CRYPTO_EX_free`) of the bridge's slot, run by `SSL_CTX_free`.
unsafe extern "C" fn on_ctx_free(
    parent: *mut c_void,
    _ptr: *mut c_void,
    _ad: *mut c_void,
    _idx: c_int,
    _argl: c_long,
    _argp: *mut c_void,
) {
    crate::abi::panic::boundary("SSL_CTX_free (libh2o-rs bridge)", (), || {
        let addr = parent as usize;
        registry().remove(&addr);
        let hooks = free_hooks().clone();
        for hook in hooks {
            hook(addr);
        }
    })
}

/// Hangs the bridge's ex_data slot (whose free callback is [`on_ctx_free`]) on `ssl_ctx`, when
/// libssl can be reached; without it, entries stay until the process ends (said once on stderr).
///
/// # Safety
/// `ssl_ctx` is a live `SSL_CTX *` of the libssl loaded in this process.
unsafe fn watch_free(ssl_ctx: *mut c_void) {
    static INDEX: OnceLock<c_int> = OnceLock::new();
    static WARNED: std::sync::Once = std::sync::Once::new();
    let set = ssl().map(|ssl| {
        // SAFETY: CRYPTO_get_ex_new_index(CRYPTO_EX_INDEX_SSL_CTX, ...) with only a free callback,
        // whose signature is CRYPTO_EX_free's; called once per process.
        let idx = *INDEX.get_or_init(|| unsafe { (ssl.get_ex_new_index)(CRYPTO_EX_INDEX_SSL_CTX, 0, std::ptr::null_mut(), None, None, Some(on_ctx_free)) });
        // SAFETY: a live SSL_CTX and an index of the SSL_CTX class; the value is a marker that
        // nothing dereferences.
        idx >= 0 && unsafe { (ssl.set_ex_data)(ssl_ctx, idx, (&raw const INDEX).cast_mut().cast()) } == 1
    });
    if !matches!(set, Ok(true)) {
        WARNED.call_once(|| {
            eprintln!(
                "libh2o-rs: cannot watch SSL_CTX_free ({}): protocol lists registered on a context stay until the process ends",
                set.err().unwrap_or_else(|| "SSL_CTX_set_ex_data failed".into())
            )
        });
    }
}

/// The ALPN preference list of the context at `ssl_ctx`: its ALPN list, else its NPN list, else None.
pub fn registered_alpn(ssl_ctx: usize) -> Option<Vec<Vec<u8>>> {
    registry().get(&ssl_ctx).and_then(|r| r.alpn.clone().or_else(|| r.npn.clone()))
}

/// The names of an NPN advertisement in wire form (each name preceded by its length byte), as
/// `h2o_npn_protocols` holds it. Zero-length names are dropped; a length running past the end
/// ends the list there.
pub fn parse_npn_wire(mut bytes: &[u8]) -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    while let Some((&n, rest)) = bytes.split_first() {
        let n = usize::from(n);
        if n > rest.len() {
            break;
        }
        if n != 0 {
            out.push(rest[..n].to_vec());
        }
        bytes = &rest[n..];
    }
    out
}

// --- libssl, resolved at run time --------------------------------------------------------------------

type CtxFn = unsafe extern "C" fn(*const c_void) -> *mut c_void;
type CtxIntFn = unsafe extern "C" fn(*const c_void) -> c_int;
type CtxCtrlFn = unsafe extern "C" fn(*mut c_void, c_int, c_long, *mut c_void) -> c_long;
type SkNumFn = unsafe extern "C" fn(*const c_void) -> c_int;
type SkValueFn = unsafe extern "C" fn(*const c_void, c_int) -> *mut c_void;
type I2dFn = unsafe extern "C" fn(*const c_void, *mut *mut c_uchar) -> c_int;
type ToPkcs8Fn = unsafe extern "C" fn(*const c_void) -> *mut c_void;
type FreeFn = unsafe extern "C" fn(*mut c_void);
type ErrGetFn = unsafe extern "C" fn() -> c_ulong;
type ErrStringFn = unsafe extern "C" fn(c_ulong, *mut c_char, usize);
type ExFreeFn = unsafe extern "C" fn(*mut c_void, *mut c_void, *mut c_void, c_int, c_long, *mut c_void);
type ExNewIndexFn = unsafe extern "C" fn(c_int, c_long, *mut c_void, Option<ExFreeFn>, Option<ExFreeFn>, Option<ExFreeFn>) -> c_int;
type SetExDataFn = unsafe extern "C" fn(*mut c_void, c_int, *mut c_void) -> c_int;

/// `CRYPTO_EX_INDEX_SSL_CTX` (crypto.h)
const CRYPTO_EX_INDEX_SSL_CTX: c_int = 1;

/// `SSL_CTRL_GET_EXTRA_CHAIN_CERTS` (ssl.h); larg 1 = "only the extra certificates"
const SSL_CTRL_GET_EXTRA_CHAIN_CERTS: c_int = 82;
/// `SSL_CTRL_GET_CHAIN_CERTS` (ssl.h): the current certificate's chain
const SSL_CTRL_GET_CHAIN_CERTS: c_int = 115;

/// The libssl / libcrypto functions the bridge calls.
struct Ssl {
    get0_certificate: CtxFn,
    get0_privatekey: CtxFn,
    check_private_key: CtxIntFn,
    ctrl: CtxCtrlFn,
    sk_num: SkNumFn,
    sk_value: SkValueFn,
    i2d_x509: I2dFn,
    pkey2pkcs8: ToPkcs8Fn,
    i2d_pkcs8: I2dFn,
    pkcs8_free: FreeFn,
    err_get: ErrGetFn,
    err_string: ErrStringFn,
    get_ex_new_index: ExNewIndexFn,
    set_ex_data: SetExDataFn,
}

const NSYM: usize = 14;
const SYMBOLS: [&CStr; NSYM] = [
    c"SSL_CTX_get0_certificate",
    c"SSL_CTX_get0_privatekey",
    c"SSL_CTX_check_private_key",
    c"SSL_CTX_ctrl",
    c"OPENSSL_sk_num",
    c"OPENSSL_sk_value",
    c"i2d_X509",
    c"EVP_PKEY2PKCS8",
    c"i2d_PKCS8_PRIV_KEY_INFO",
    c"PKCS8_PRIV_KEY_INFO_free",
    c"ERR_get_error",
    c"ERR_error_string_n",
    c"CRYPTO_get_ex_new_index",
    c"SSL_CTX_set_ex_data",
];

/// Every symbol of [`SYMBOLS`] from `handle`, or the first one missing.
fn resolve_in(handle: *mut c_void) -> Result<[*mut c_void; NSYM], &'static CStr> {
    let mut out = [std::ptr::null_mut(); NSYM];
    for (slot, name) in out.iter_mut().zip(SYMBOLS) {
        // SAFETY: `handle` is RTLD_DEFAULT or a handle dlopen returned; `name` is NUL-terminated.
        *slot = unsafe { libc::dlsym(handle, name.as_ptr()) };
        if slot.is_null() {
            return Err(name);
        }
    }
    Ok(out)
}

/// The functions, resolved once (a failure is not cached: libssl may be loaded later).
fn ssl() -> Result<&'static Ssl, String> {
    static SSL: OnceLock<Ssl> = OnceLock::new();
    if let Some(s) = SSL.get() {
        return Ok(s);
    }
    let mut missing = match resolve_in(libc::RTLD_DEFAULT) {
        Ok(p) => return Ok(SSL.get_or_init(|| make(p))),
        Err(name) => name,
    };
    for soname in [c"libssl.so.3", c"libssl.so.1.1"] {
        // SAFETY: RTLD_NOLOAD only returns a handle to a library already loaded (it never runs
        // initializers of a new one); the handle is kept for the life of the process.
        let handle = unsafe { libc::dlopen(soname.as_ptr(), libc::RTLD_NOW | libc::RTLD_NOLOAD) };
        if handle.is_null() {
            continue;
        }
        match resolve_in(handle) {
            Ok(p) => return Ok(SSL.get_or_init(|| make(p))),
            Err(name) => missing = name,
        }
    }
    Err(format!(
        "OpenSSL's {} is not loaded in this process (the SSL_CTX bridge uses the libssl the program \
         linked, version 1.1 or 3, and loads none itself)",
        missing.to_string_lossy()
    ))
}

fn make(p: [*mut c_void; NSYM]) -> Ssl {
    // SAFETY: each pointer is the address of the OpenSSL function of that name (dlsym), whose C
    // signature (ssl.h, stack.h, x509.h, err.h of OpenSSL 1.1 and 3) is the type it is cast to.
    unsafe {
        Ssl {
            get0_certificate: std::mem::transmute::<*mut c_void, CtxFn>(p[0]),
            get0_privatekey: std::mem::transmute::<*mut c_void, CtxFn>(p[1]),
            check_private_key: std::mem::transmute::<*mut c_void, CtxIntFn>(p[2]),
            ctrl: std::mem::transmute::<*mut c_void, CtxCtrlFn>(p[3]),
            sk_num: std::mem::transmute::<*mut c_void, SkNumFn>(p[4]),
            sk_value: std::mem::transmute::<*mut c_void, SkValueFn>(p[5]),
            i2d_x509: std::mem::transmute::<*mut c_void, I2dFn>(p[6]),
            pkey2pkcs8: std::mem::transmute::<*mut c_void, ToPkcs8Fn>(p[7]),
            i2d_pkcs8: std::mem::transmute::<*mut c_void, I2dFn>(p[8]),
            pkcs8_free: std::mem::transmute::<*mut c_void, FreeFn>(p[9]),
            err_get: std::mem::transmute::<*mut c_void, ErrGetFn>(p[10]),
            err_string: std::mem::transmute::<*mut c_void, ErrStringFn>(p[11]),
            get_ex_new_index: std::mem::transmute::<*mut c_void, ExNewIndexFn>(p[12]),
            set_ex_data: std::mem::transmute::<*mut c_void, SetExDataFn>(p[13]),
        }
    }
}

impl Ssl {
    /// `what` failed, with the reasons OpenSSL queued on this thread (which are taken off the queue).
    fn error(&self, what: &str) -> String {
        let mut msg = format!("{what} failed");
        // bounded: OpenSSL's per-thread queue holds at most 16 entries
        for _ in 0..16 {
            // SAFETY: ERR_get_error takes no arguments and pops one entry (0: none left).
            let code = unsafe { (self.err_get)() };
            if code == 0 {
                break;
            }
            let mut buf = [0 as c_char; 256];
            // SAFETY: ERR_error_string_n writes at most buf.len() bytes, NUL-terminated.
            unsafe { (self.err_string)(code, buf.as_mut_ptr(), buf.len()) };
            // SAFETY: NUL-terminated by ERR_error_string_n within buf.
            let text = unsafe { CStr::from_ptr(buf.as_ptr()) };
            msg.push_str(if msg.ends_with("failed") { ": " } else { "; " });
            msg.push_str(&text.to_string_lossy());
        }
        msg
    }

    /// The DER encoding of `obj` by `i2d` (i2d_X509 or i2d_PKCS8_PRIV_KEY_INFO).
    ///
    /// # Safety
    /// `obj` is a live object of the type `i2d` encodes.
    unsafe fn der(&self, i2d: I2dFn, obj: *const c_void, what: &str) -> Result<Vec<u8>, String> {
        // SAFETY: a NULL output pointer asks for the length only (i2d's documented contract).
        let len = unsafe { i2d(obj, std::ptr::null_mut()) };
        if len <= 0 {
            return Err(self.error(what));
        }
        let mut buf = vec![0u8; len as usize];
        let mut p = buf.as_mut_ptr();
        // SAFETY: `p` points to `len` writable bytes, the size i2d just reported for `obj`; i2d
        // writes there and advances `p` (a local).
        let wrote = unsafe { i2d(obj, &mut p) };
        if wrote != len {
            return Err(self.error(what));
        }
        Ok(buf)
    }

    /// The certificates of an OpenSSL `STACK_OF(X509)` (NULL: none), DER.
    ///
    /// # Safety
    /// `stack` is NULL or a live `STACK_OF(X509)`.
    unsafe fn certs(&self, stack: *const c_void, out: &mut Vec<Vec<u8>>) -> Result<(), String> {
        if stack.is_null() {
            return Ok(());
        }
        // SAFETY: a live stack (the caller's contract).
        let n = unsafe { (self.sk_num)(stack) };
        for i in 0..n.max(0) {
            // SAFETY: 0 <= i < n, the stack's length.
            let x509 = unsafe { (self.sk_value)(stack, i) };
            if x509.is_null() {
                return Err(format!("chain certificate {i} is NULL"));
            }
            // SAFETY: an X509 held by the stack.
            out.push(unsafe { self.der(self.i2d_x509, x509, "i2d_X509 (chain certificate)") }?);
        }
        Ok(())
    }

    /// The stack a `SSL_CTX_ctrl` getter stores through its `parg` (NULL when it has none).
    ///
    /// # Safety
    /// `ctx` is a live `SSL_CTX`; `cmd` is a getter whose parg is a `STACK_OF(X509) **`.
    unsafe fn ctrl_stack(&self, ctx: *mut c_void, cmd: c_int, larg: c_long) -> *const c_void {
        let mut stack: *mut c_void = std::ptr::null_mut();
        // SAFETY: the getter writes one pointer to `stack` (and returns 1).
        let ok = unsafe { (self.ctrl)(ctx, cmd, larg, (&raw mut stack).cast()) };
        if ok == 1 { stack } else { std::ptr::null() }
    }
}

/// Reads the certificate chain and the private key out of the OpenSSL `SSL_CTX` at `ssl_ctx`, with
/// the protocol list registered on it (see the module's documentation for what is read and how).
/// Nothing is kept: the caller may cache the result per context.
///
/// Errors (text for a log line): NULL, libssl not loaded, no certificate, no key, a key that does
/// not match the certificate, or an encoding that fails.
///
/// # Safety
/// `ssl_ctx` is NULL or a live `SSL_CTX *` of the libssl loaded in this process, not freed nor
/// changed by another thread during the call.
pub unsafe fn from_ssl_ctx(ssl_ctx: *mut c_void) -> Result<Bridged, String> {
    if ssl_ctx.is_null() {
        return Err("the SSL_CTX is NULL".into());
    }
    let ssl = ssl()?;
    // SAFETY: a live SSL_CTX (the caller's contract).
    unsafe { watch_free(ssl_ctx) };
    // SAFETY (all the calls below): `ssl_ctx` is a live SSL_CTX (the caller's contract) and every
    // function is the libssl function of that name.
    let cert = unsafe { (ssl.get0_certificate)(ssl_ctx) };
    if cert.is_null() {
        return Err("the SSL_CTX has no certificate (no SSL_CTX_use_certificate* call)".into());
    }
    let key = unsafe { (ssl.get0_privatekey)(ssl_ctx) };
    if key.is_null() {
        return Err("the SSL_CTX has no private key (no SSL_CTX_use_PrivateKey* call)".into());
    }
    if unsafe { (ssl.check_private_key)(ssl_ctx) } != 1 {
        return Err(ssl.error("SSL_CTX_check_private_key (the key does not match the certificate)"));
    }
    let mut chain = vec![unsafe { ssl.der(ssl.i2d_x509, cert, "i2d_X509 (certificate)") }?];
    // OpenSSL sends the current certificate's chain when it has one, else the extra certificates
    let own = unsafe { ssl.ctrl_stack(ssl_ctx, SSL_CTRL_GET_CHAIN_CERTS, 0) };
    let stack = if own.is_null() { unsafe { ssl.ctrl_stack(ssl_ctx, SSL_CTRL_GET_EXTRA_CHAIN_CERTS, 1) } } else { own };
    unsafe { ssl.certs(stack, &mut chain) }?;

    let p8 = unsafe { (ssl.pkey2pkcs8)(key) };
    if p8.is_null() {
        return Err(ssl.error("EVP_PKEY2PKCS8 (the private key)"));
    }
    let key_pkcs8 = unsafe { ssl.der(ssl.i2d_pkcs8, p8, "i2d_PKCS8_PRIV_KEY_INFO") };
    // SAFETY: p8 was allocated by EVP_PKEY2PKCS8 above and is not used after this.
    unsafe { (ssl.pkcs8_free)(p8) };
    Ok(Bridged { chain, key_pkcs8: key_pkcs8?, alpn: registered_alpn(ssl_ctx as usize) })
}

#[cfg(test)]
mod tests;
