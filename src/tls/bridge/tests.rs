//! The bridge on real `SSL_CTX`s: libssl.so.3 is dlopen()ed (RTLD_GLOBAL, as a program linking it
//! has it), contexts are prepared the way 2.2.5 embedders do, with certificates and keys the
//! `openssl` command makes in a temporary directory, and what comes back is compared with the DER
//! that `openssl x509 -outform DER` / `openssl pkcs8 -topk8 -outform DER` write for the same files.
//! Skipped (with a message) where libssl.so.3 or the openssl command is missing.

use super::*;
use std::path::{Path, PathBuf};
use std::process::Command;

type NewFn = unsafe extern "C" fn(*const c_void) -> *mut c_void;
type MethodFn = unsafe extern "C" fn() -> *const c_void;
type FileFn = unsafe extern "C" fn(*mut c_void, *const c_char, c_int) -> c_int;
type ChainFileFn = unsafe extern "C" fn(*mut c_void, *const c_char) -> c_int;
type D2iFn = unsafe extern "C" fn(*mut *mut c_void, *mut *const c_uchar, c_long) -> *mut c_void;

const SSL_FILETYPE_PEM: c_int = 1;
const SSL_CTRL_EXTRA_CHAIN_CERT: c_int = 14;
const SSL_CTRL_CHAIN_CERT: c_int = 89;

/// The libssl functions a test embedder calls.
struct Lib {
    method: MethodFn,
    new: NewFn,
    free: FreeFn,
    use_chain_file: ChainFileFn,
    use_cert_file: FileFn,
    use_key_file: FileFn,
    ctrl: CtxCtrlFn,
    d2i_x509: D2iFn,
}

fn lib() -> Option<&'static Lib> {
    static LIB: OnceLock<Option<Lib>> = OnceLock::new();
    LIB.get_or_init(|| {
        // SAFETY: loading the system's libssl (global scope, as a program linking it has it); the
        // handle is kept for the life of the test process.
        let h = unsafe { libc::dlopen(c"libssl.so.3".as_ptr(), libc::RTLD_NOW | libc::RTLD_GLOBAL) };
        if h.is_null() {
            return None;
        }
        let sym = |name: &CStr| {
            // SAFETY: a live handle and a NUL-terminated name.
            let p = unsafe { libc::dlsym(h, name.as_ptr()) };
            assert!(!p.is_null(), "libssl.so.3 lacks {name:?}");
            p
        };
        // SAFETY: each symbol has the C signature (ssl.h, x509.h) of the type it becomes.
        unsafe {
            Some(Lib {
                method: std::mem::transmute::<*mut c_void, MethodFn>(sym(c"TLS_server_method")),
                new: std::mem::transmute::<*mut c_void, NewFn>(sym(c"SSL_CTX_new")),
                free: std::mem::transmute::<*mut c_void, FreeFn>(sym(c"SSL_CTX_free")),
                use_chain_file: std::mem::transmute::<*mut c_void, ChainFileFn>(sym(c"SSL_CTX_use_certificate_chain_file")),
                use_cert_file: std::mem::transmute::<*mut c_void, FileFn>(sym(c"SSL_CTX_use_certificate_file")),
                use_key_file: std::mem::transmute::<*mut c_void, FileFn>(sym(c"SSL_CTX_use_PrivateKey_file")),
                ctrl: std::mem::transmute::<*mut c_void, CtxCtrlFn>(sym(c"SSL_CTX_ctrl")),
                d2i_x509: std::mem::transmute::<*mut c_void, D2iFn>(sym(c"d2i_X509")),
            })
        }
    })
    .as_ref()
}

/// An SSL_CTX freed when dropped.
struct Ctx(*mut c_void, &'static Lib);

impl Ctx {
    fn new(lib: &'static Lib) -> Ctx {
        // SAFETY: plain OpenSSL calls.
        let ctx = unsafe { (lib.new)((lib.method)()) };
        assert!(!ctx.is_null(), "SSL_CTX_new");
        Ctx(ctx, lib)
    }
    fn path(p: &Path) -> std::ffi::CString {
        std::ffi::CString::new(p.to_str().unwrap()).unwrap()
    }
    fn chain_file(&self, p: &Path) {
        // SAFETY: a live context, a NUL-terminated path.
        assert_eq!(unsafe { (self.1.use_chain_file)(self.0, Self::path(p).as_ptr()) }, 1, "chain file {p:?}");
    }
    fn cert_file(&self, p: &Path) {
        // SAFETY: as above.
        assert_eq!(unsafe { (self.1.use_cert_file)(self.0, Self::path(p).as_ptr(), SSL_FILETYPE_PEM) }, 1, "cert {p:?}");
    }
    fn key_file(&self, p: &Path) -> bool {
        // SAFETY: as above.
        unsafe { (self.1.use_key_file)(self.0, Self::path(p).as_ptr(), SSL_FILETYPE_PEM) == 1 }
    }
    /// SSL_CTX_add_extra_chain_cert / SSL_CTX_add0_chain_cert (`cmd`) of a certificate given as DER
    /// (the context takes the X509 over).
    fn add_cert(&self, cmd: c_int, der: &[u8]) {
        let mut p = der.as_ptr();
        // SAFETY: d2i_X509 reads at most der.len() bytes and allocates a new X509, which the
        // context owns once the ctrl call succeeded.
        unsafe {
            let x = (self.1.d2i_x509)(std::ptr::null_mut(), &mut p, der.len() as c_long);
            assert!(!x.is_null(), "d2i_X509");
            assert_eq!((self.1.ctrl)(self.0, cmd, 0, x), 1, "SSL_CTX_ctrl({cmd})");
        }
    }
    fn bridged(&self) -> Result<Bridged, String> {
        // SAFETY: a live context, used by this thread only.
        unsafe { from_ssl_ctx(self.0) }
    }
}

impl Drop for Ctx {
    fn drop(&mut self) {
        // SAFETY: created by SSL_CTX_new, freed once.
        unsafe { (self.1.free)(self.0) };
    }
}

/// A temporary directory removed when dropped.
struct Dir(PathBuf);

impl Dir {
    fn new(tag: &str) -> Dir {
        static N: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
        let n = N.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let d = std::env::temp_dir().join(format!("h2o-rs-bridge-{}-{tag}-{n}", std::process::id()));
        let _ = std::fs::remove_dir_all(&d);
        std::fs::create_dir_all(&d).unwrap();
        Dir(d)
    }
    fn p(&self, name: &str) -> PathBuf {
        self.0.join(name)
    }
}

impl Drop for Dir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn openssl(dir: &Dir, args: &[&str]) -> Vec<u8> {
    let out = Command::new("openssl").args(args).current_dir(&dir.0).output().expect("run openssl");
    assert!(out.status.success(), "openssl {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    out.stdout
}

/// None (after saying why) when the test cannot run here.
fn setup(tag: &str) -> Option<(&'static Lib, Dir)> {
    let Some(lib) = lib() else {
        eprintln!("SKIPPED: libssl.so.3 cannot be loaded (apt-get install libssl3)");
        return None;
    };
    if Command::new("openssl").arg("version").output().map(|o| !o.status.success()).unwrap_or(true) {
        eprintln!("SKIPPED: the openssl command is missing (apt-get install openssl)");
        return None;
    }
    Some((lib, Dir::new(tag)))
}

/// The genpkey arguments of a key kind.
fn keyargs(kind: &str) -> Vec<&'static str> {
    match kind {
        "rsa" => vec!["-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048"],
        "ec" => vec!["-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256"],
        "ed25519" => vec!["-algorithm", "ED25519"],
        _ => unreachable!(),
    }
}

/// Makes `name.key` (PKCS#8 PEM) and `name.crt` (PEM): self-signed when `issuer` is None, else
/// signed by `issuer`'s key; `ca` marks a CA certificate.
fn make_cert(dir: &Dir, name: &str, kind: &str, issuer: Option<&str>, ca: bool) {
    let key = format!("{name}.key");
    let mut a = vec!["genpkey", "-out", &key];
    a.extend(keyargs(kind));
    openssl(dir, &a);
    let subj = format!("/CN={name}.test");
    let crt = format!("{name}.crt");
    let ext = if ca { "basicConstraints=critical,CA:TRUE" } else { "subjectAltName=DNS:localhost,IP:127.0.0.1" };
    match issuer {
        None => {
            openssl(dir, &["req", "-x509", "-new", "-key", &key, "-subj", &subj, "-days", "2", "-addext", ext, "-out", &crt]);
        }
        Some(iss) => {
            let csr = format!("{name}.csr");
            openssl(dir, &["req", "-new", "-key", &key, "-subj", &subj, "-out", &csr]);
            std::fs::write(dir.p("ext.cnf"), format!("{ext}\n")).unwrap();
            let (ic, ik) = (format!("{iss}.crt"), format!("{iss}.key"));
            openssl(dir, &[
                "x509", "-req", "-in", &csr, "-CA", &ic, "-CAkey", &ik, "-CAcreateserial", "-days", "2", "-extfile",
                "ext.cnf", "-out", &crt,
            ]);
        }
    }
}

fn cert_der(dir: &Dir, name: &str) -> Vec<u8> {
    openssl(dir, &["x509", "-in", &format!("{name}.crt"), "-outform", "DER"])
}

fn key_der(dir: &Dir, name: &str) -> Vec<u8> {
    openssl(dir, &["pkcs8", "-topk8", "-nocrypt", "-in", &format!("{name}.key"), "-outform", "DER"])
}

fn cat(dir: &Dir, out: &str, names: &[&str]) {
    let mut all = Vec::new();
    for n in names {
        all.extend(std::fs::read(dir.p(&format!("{n}.crt"))).unwrap());
    }
    std::fs::write(dir.p(out), all).unwrap();
}

#[test]
fn self_signed_rsa_ec_ed25519_from_a_chain_file() {
    let Some((lib, dir)) = setup("self") else { return };
    for kind in ["rsa", "ec", "ed25519"] {
        make_cert(&dir, kind, kind, None, false);
        let ctx = Ctx::new(lib);
        ctx.chain_file(&dir.p(&format!("{kind}.crt")));
        assert!(ctx.key_file(&dir.p(&format!("{kind}.key"))), "{kind} key");
        let b = ctx.bridged().unwrap_or_else(|e| panic!("{kind}: {e}"));
        assert_eq!(b.chain, vec![cert_der(&dir, kind)], "{kind}: the leaf alone");
        assert_eq!(b.key_pkcs8, key_der(&dir, kind), "{kind}: the key, PKCS#8");
        assert_eq!(b.alpn, None, "{kind}: nothing registered");
    }
}

#[test]
fn traditional_rsa_key_file_comes_back_as_pkcs8() {
    let Some((lib, dir)) = setup("trad") else { return };
    make_cert(&dir, "leaf", "rsa", None, false);
    openssl(&dir, &["rsa", "-in", "leaf.key", "-traditional", "-out", "trad.key"]);
    assert!(std::fs::read_to_string(dir.p("trad.key")).unwrap().starts_with("-----BEGIN RSA PRIVATE KEY-----"));
    let ctx = Ctx::new(lib);
    ctx.cert_file(&dir.p("leaf.crt"));
    assert!(ctx.key_file(&dir.p("trad.key")));
    let b = ctx.bridged().unwrap();
    assert_eq!(b.chain, vec![cert_der(&dir, "leaf")]);
    assert_eq!(b.key_pkcs8, key_der(&dir, "leaf"));
}

#[test]
fn intermediate_ca_chain_in_order_from_each_way_of_loading_it() {
    let Some((lib, dir)) = setup("chain") else { return };
    make_cert(&dir, "root", "rsa", None, true);
    make_cert(&dir, "inter", "ec", Some("root"), true);
    make_cert(&dir, "leaf", "ec", Some("inter"), false);
    let (leaf, inter, root) = (cert_der(&dir, "leaf"), cert_der(&dir, "inter"), cert_der(&dir, "root"));
    let key = key_der(&dir, "leaf");

    // SSL_CTX_use_certificate_chain_file: leaf, intermediate, root in one file
    cat(&dir, "fullchain.pem", &["leaf", "inter", "root"]);
    let ctx = Ctx::new(lib);
    ctx.chain_file(&dir.p("fullchain.pem"));
    assert!(ctx.key_file(&dir.p("leaf.key")));
    let b = ctx.bridged().unwrap();
    assert_eq!(b.chain, vec![leaf.clone(), inter.clone(), root.clone()], "chain file");
    assert_eq!(b.key_pkcs8, key);

    // SSL_CTX_use_certificate_file + SSL_CTX_add_extra_chain_cert (the 1.0-era way)
    let ctx = Ctx::new(lib);
    ctx.cert_file(&dir.p("leaf.crt"));
    assert!(ctx.key_file(&dir.p("leaf.key")));
    ctx.add_cert(SSL_CTRL_EXTRA_CHAIN_CERT, &inter);
    let b = ctx.bridged().unwrap();
    assert_eq!(b.chain, vec![leaf.clone(), inter.clone()], "extra chain certs");

    // the certificate's own chain (SSL_CTX_add0_chain_cert) wins over extra chain certs, as in
    // OpenSSL's handshake
    ctx.add_cert(SSL_CTRL_CHAIN_CERT, &root);
    let b = ctx.bridged().unwrap();
    assert_eq!(b.chain, vec![leaf.clone(), root.clone()], "own chain first");
}

#[test]
fn missing_or_mismatched_pieces_are_errors() {
    let Some((lib, dir)) = setup("err") else { return };
    // SAFETY: NULL is allowed.
    assert!(unsafe { from_ssl_ctx(std::ptr::null_mut()) }.is_err());
    let ctx = Ctx::new(lib);
    let e = ctx.bridged().unwrap_err();
    assert!(e.contains("no certificate"), "{e}");

    make_cert(&dir, "a", "ec", None, false);
    make_cert(&dir, "b", "ec", None, false);
    ctx.cert_file(&dir.p("a.crt"));
    let e = ctx.bridged().unwrap_err();
    assert!(e.contains("no private key"), "{e}");
    // OpenSSL refuses a key that does not match; whatever state that leaves, the bridge says no
    let _ = ctx.key_file(&dir.p("b.key"));
    assert!(ctx.bridged().is_err());
}

#[test]
fn registered_protocol_lists_live_as_long_as_their_context() {
    let Some((lib, dir)) = setup("alpn") else { return };
    let names = |l: &[&str]| l.iter().map(|s| s.as_bytes().to_vec()).collect::<Vec<_>>();
    let (a, b, c) = (Ctx::new(lib), Ctx::new(lib), Ctx::new(lib));
    // SAFETY (register_*): live contexts.
    unsafe {
        register_alpn(a.0, names(&["h2", "http/1.1"]));
        register_npn(a.0, names(&["spdy/3"]));
    }
    assert_eq!(registered_alpn(a.0 as usize), Some(names(&["h2", "http/1.1"])), "ALPN wins over NPN");
    unsafe { register_alpn(a.0, names(&["h2"])) };
    assert_eq!(registered_alpn(a.0 as usize), Some(names(&["h2"])), "registering again replaces");
    unsafe { register_npn(b.0, parse_npn_wire(b"\x02h2\x08http/1.1")) };
    assert_eq!(registered_alpn(b.0 as usize), Some(names(&["h2", "http/1.1"])), "NPN alone is used");
    assert_eq!(registered_alpn(c.0 as usize), None);

    make_cert(&dir, "leaf", "ec", None, false);
    a.chain_file(&dir.p("leaf.crt"));
    assert!(a.key_file(&dir.p("leaf.key")));
    assert_eq!(a.bridged().unwrap().alpn, Some(names(&["h2"])), "from_ssl_ctx reports the list");

    // SSL_CTX_free drops the entry (OpenSSL may give the next context the same address) and tells
    // the hooks
    static FREED: Mutex<Vec<usize>> = Mutex::new(Vec::new());
    add_free_hook(|addr| FREED.lock().unwrap().push(addr));
    let (addr_a, addr_b) = (a.0 as usize, b.0 as usize);
    drop(a);
    drop(b);
    let freed = FREED.lock().unwrap().clone();
    assert!(freed.contains(&addr_a) && freed.contains(&addr_b), "hooks told: {freed:x?}");
    assert_eq!(registered_alpn(addr_a), None, "freed: forgotten");
    assert_eq!(registered_alpn(addr_b), None, "freed: forgotten");
    assert!(!registry().contains_key(&addr_a));
    assert!(!registry().contains_key(&addr_b));
}

#[test]
fn npn_wire_form() {
    assert_eq!(parse_npn_wire(b"\x02h2\x05h2-16\x08http/1.1"), vec![b"h2".to_vec(), b"h2-16".to_vec(), b"http/1.1".to_vec()]);
    assert_eq!(parse_npn_wire(b""), Vec::<Vec<u8>>::new());
    assert_eq!(parse_npn_wire(b"\x00\x02h2"), vec![b"h2".to_vec()], "empty names dropped");
    assert_eq!(parse_npn_wire(b"\x02h2\x09short"), vec![b"h2".to_vec()], "a length past the end ends it");
}
