//! Differential test of our picohttpparser C ABI against current upstream picohttpparser.
//!
//! The oracle is upstream's `picohttpparser.c`, which is NOT part of this repository. It is found,
//! in this order:
//! 1. `$H2O_RS_PICO_SRC`, a directory holding `picohttpparser.c` and `picohttpparser.h`;
//! 2. the cache `<target>/pico-oracle/src/` (filled by step 3 of an earlier run);
//! 3. the PyPI sdist `gunicorn-h1c==0.6.9` (hash-pinned), which vendors current upstream, fetched
//!    with `python3 -m pip download` and unpacked with `tar`.
//!
//! When none works (no network, no python3, no C compiler), the test prints
//! `SKIPPED: upstream picohttpparser oracle unavailable (...)` and passes.
//!
//! The source is compiled twice with `cc -O1 -shared -fPIC` (as is, and with `-msse4.2`, upstream's
//! SSE4.2 path), with every `phr_*` symbol renamed to `oracle_phr_*`, into `<target>/pico-oracle/`,
//! and loaded with `dlopen(RTLD_LOCAL)`. Then, for a large deterministic set of generated inputs,
//! our exported functions, under every SIMD level this CPU supports, must give what upstream
//! gives: the return value and every output, including what is left filled in after an error.
//!
//! `H2O_RS_ORACLE_SCALE=<n>` multiplies the number of generated inputs (default 1; debug builds
//! run an eighth of the release amount). `H2O_RS_ORACLE_SEED=<n>` changes the seed.

use std::ffi::{CString, c_char, c_int, c_void};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, Once};

use h2o_rs::ffi::picohttpparser as ours;
use h2o_rs::abi::picohttpparser::{phr_chunked_decoder, phr_chunked_decoder_2_2_5, phr_header};
use h2o_rs::http1::parser::{SimdLevel, set_simd_level};

const SDIST: &str = "gunicorn-h1c==0.6.9";
const SDIST_SHA256: &str = "1847ff14fe6354a0808785dbcab25c7fbf5e621a1593bc1456c2fadf018103b1";
/// sha256 of the `picohttpparser.c` in that sdist (checked only to say which upstream was used).
const SRC_SHA256: &str = "ddada2e27e9010f678a68a93a08fc13dee32178cc497b602322d80900eb94044";

// ---------------------------------------------------------------------------------------------
// Locating, building and loading the oracle.

type ParseRequestFn = unsafe extern "C" fn(
    *const c_char,
    usize,
    *mut *const c_char,
    *mut usize,
    *mut *const c_char,
    *mut usize,
    *mut c_int,
    *mut phr_header,
    *mut usize,
    usize,
) -> c_int;
type ParseResponseFn = unsafe extern "C" fn(
    *const c_char,
    usize,
    *mut c_int,
    *mut c_int,
    *mut *const c_char,
    *mut usize,
    *mut phr_header,
    *mut usize,
    usize,
) -> c_int;
type ParseHeadersFn = unsafe extern "C" fn(*const c_char, usize, *mut phr_header, *mut usize, usize) -> c_int;
type DecodeChunkedFn = unsafe extern "C" fn(*mut phr_chunked_decoder, *mut c_char, *mut usize) -> isize;
type IsInDataFn = unsafe extern "C" fn(*mut phr_chunked_decoder) -> c_int;

/// One implementation of the picohttpparser API.
#[derive(Clone, Copy)]
struct Impl {
    name: &'static str,
    /// For ours: the SIMD level to force before each call.
    level: Option<SimdLevel>,
    parse_request: ParseRequestFn,
    parse_response: ParseResponseFn,
    parse_headers: ParseHeadersFn,
    decode_chunked: DecodeChunkedFn,
    is_in_data: IsInDataFn,
}

impl Impl {
    fn enter(&self) {
        if let Some(l) = self.level {
            assert!(set_simd_level(l));
        }
    }
}

const RENAMED: [&str; 5] =
    ["phr_parse_request", "phr_parse_response", "phr_parse_headers", "phr_decode_chunked", "phr_decode_chunked_is_in_data"];

/// `<target>` (the directory holding `debug/` or `release/`), from the test binary's path.
fn target_dir() -> PathBuf {
    if let Some(d) = std::env::var_os("CARGO_TARGET_DIR") {
        return PathBuf::from(d);
    }
    let exe = std::env::current_exe().expect("current_exe");
    // <target>/<profile>/deps/upstream_oracle-<hash>
    match exe.parent().and_then(Path::parent).and_then(Path::parent) {
        Some(t) => t.to_path_buf(),
        None => PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target"),
    }
}

fn has_source(dir: &Path) -> bool {
    dir.join("picohttpparser.c").is_file() && dir.join("picohttpparser.h").is_file()
}

fn sha256_of(path: &Path) -> Option<String> {
    let out = Command::new("sha256sum").arg(path).output().ok()?;
    if !out.status.success() {
        return None;
    }
    String::from_utf8_lossy(&out.stdout).split_whitespace().next().map(str::to_owned)
}

/// Downloads the sdist into `<work>/` and copies the vendored sources into `cache`.
fn fetch_sdist(work: &Path, cache: &Path) -> Result<(), String> {
    let _ = std::fs::remove_dir_all(work);
    std::fs::create_dir_all(work).map_err(|e| format!("mkdir {}: {e}", work.display()))?;
    let req = work.join("requirements.txt");
    std::fs::write(&req, format!("{SDIST} --hash=sha256:{SDIST_SHA256}\n")).map_err(|e| e.to_string())?;
    let out = Command::new("python3")
        .args(["-m", "pip", "download", "--no-deps", "--no-binary", ":all:", "--disable-pip-version-check"])
        .args(["--timeout", "15", "--retries", "1", "-r"])
        .arg(&req)
        .arg("-d")
        .arg(work)
        .output()
        .map_err(|e| format!("cannot run python3 -m pip: {e}"))?;
    if !out.status.success() {
        let err = String::from_utf8_lossy(&out.stderr);
        let last = err.lines().rev().find(|l| !l.trim().is_empty()).unwrap_or("").trim().to_owned();
        return Err(format!("pip download {SDIST} failed: {last}"));
    }
    let tarball = std::fs::read_dir(work)
        .map_err(|e| e.to_string())?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .find(|p| p.to_string_lossy().ends_with(".tar.gz"))
        .ok_or("pip download produced no .tar.gz")?;
    let st = Command::new("tar").arg("-xzf").arg(&tarball).arg("-C").arg(work).status().map_err(|e| format!("cannot run tar: {e}"))?;
    if !st.success() {
        return Err(format!("tar -xzf {} failed", tarball.display()));
    }
    let vendored = work.join("gunicorn_h1c-0.6.9/src/gunicorn_h1c/picohttpparser");
    if !has_source(&vendored) {
        return Err(format!("{} lacks picohttpparser.c/.h", vendored.display()));
    }
    // Copy into a fresh directory, then rename it into place (other test processes may race).
    let tmp = cache.with_extension(format!("tmp{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&tmp);
    std::fs::create_dir_all(&tmp).map_err(|e| e.to_string())?;
    for f in ["picohttpparser.c", "picohttpparser.h"] {
        std::fs::copy(vendored.join(f), tmp.join(f)).map_err(|e| format!("copy {f}: {e}"))?;
    }
    if std::fs::rename(&tmp, cache).is_err() && !has_source(cache) {
        return Err(format!("cannot move the sources to {}", cache.display()));
    }
    let _ = std::fs::remove_dir_all(&tmp);
    let _ = std::fs::remove_dir_all(work);
    Ok(())
}

fn oracle_source(base: &Path) -> Result<PathBuf, String> {
    let mut notes = Vec::new();
    if let Some(d) = std::env::var_os("H2O_RS_PICO_SRC") {
        let d = PathBuf::from(d);
        if has_source(&d) {
            return Ok(d);
        }
        notes.push(format!("H2O_RS_PICO_SRC={} has no picohttpparser.c/.h", d.display()));
    }
    let cache = base.join("src");
    if has_source(&cache) {
        return Ok(cache);
    }
    match fetch_sdist(&base.join(format!("download{}", std::process::id())), &cache) {
        Ok(()) => Ok(cache),
        Err(e) => {
            notes.push(e);
            Err(notes.join("; "))
        }
    }
}

/// Compiles `src/picohttpparser.c` into `<base>/<name>.so` with the symbols renamed.
fn compile(src: &Path, base: &Path, name: &str, extra: &[&str]) -> Result<PathBuf, String> {
    let out = base.join(format!("{name}.so"));
    let tmp = base.join(format!("{name}.so.{}.tmp", std::process::id()));
    let cc = std::env::var("CC").unwrap_or_else(|_| "cc".into());
    let mut cmd = Command::new(&cc);
    cmd.args(["-O1", "-shared", "-fPIC", "-w"]).args(extra);
    for s in RENAMED {
        cmd.arg(format!("-D{s}=oracle_{s}"));
    }
    cmd.arg("-I").arg(src).arg(src.join("picohttpparser.c")).arg("-o").arg(&tmp);
    let o = cmd.output().map_err(|e| format!("cannot run {cc}: {e}"))?;
    if !o.status.success() {
        return Err(format!("{cc} failed: {}", String::from_utf8_lossy(&o.stderr).trim()));
    }
    std::fs::rename(&tmp, &out).map_err(|e| e.to_string())?;
    Ok(out)
}

fn load(path: &Path, name: &'static str) -> Result<Impl, String> {
    let c = CString::new(path.as_os_str().as_encoded_bytes()).unwrap();
    // SAFETY: dlopen of a library we just built; RTLD_LOCAL keeps its symbols out of the global scope.
    let h = unsafe { libc::dlopen(c.as_ptr(), libc::RTLD_NOW | libc::RTLD_LOCAL) };
    if h.is_null() {
        return Err(format!("dlopen {} failed", path.display()));
    }
    let sym = |s: &str| -> Result<*mut c_void, String> {
        let cs = CString::new(format!("oracle_{s}")).unwrap();
        // SAFETY: `h` is a live handle.
        let p = unsafe { libc::dlsym(h, cs.as_ptr()) };
        if p.is_null() { Err(format!("{}: no symbol oracle_{s}", path.display())) } else { Ok(p) }
    };
    // SAFETY: each symbol is the upstream function of that name, whose C signature the type spells.
    unsafe {
        Ok(Impl {
            name,
            level: None,
            parse_request: std::mem::transmute::<*mut c_void, ParseRequestFn>(sym(RENAMED[0])?),
            parse_response: std::mem::transmute::<*mut c_void, ParseResponseFn>(sym(RENAMED[1])?),
            parse_headers: std::mem::transmute::<*mut c_void, ParseHeadersFn>(sym(RENAMED[2])?),
            decode_chunked: std::mem::transmute::<*mut c_void, DecodeChunkedFn>(sym(RENAMED[3])?),
            is_in_data: std::mem::transmute::<*mut c_void, IsInDataFn>(sym(RENAMED[4])?),
        })
    }
}

/// The oracle builds: `[plain]` or `[plain, sse42]`. Err(reason) when unavailable.
fn oracles() -> Result<Vec<Impl>, String> {
    static CELL: Mutex<Option<Result<Vec<Impl>, String>>> = Mutex::new(None);
    let mut g = CELL.lock().unwrap_or_else(|e| e.into_inner());
    if g.is_none() {
        *g = Some(build_oracles());
    }
    g.as_ref().unwrap().clone()
}

fn build_oracles() -> Result<Vec<Impl>, String> {
    let base = target_dir().join("pico-oracle");
    std::fs::create_dir_all(&base).map_err(|e| format!("mkdir {}: {e}", base.display()))?;
    let src = oracle_source(&base)?;
    let sum = sha256_of(&src.join("picohttpparser.c")).unwrap_or_else(|| "?".into());
    let which = if sum == SRC_SHA256 { "the one vendored by gunicorn-h1c 0.6.9" } else { "NOT the pinned one" };
    eprintln!("upstream oracle: {}/picohttpparser.c sha256 {sum} ({which})", src.display());
    let plain_flags: &[&str] = if cfg!(target_arch = "x86_64") { &["-mno-sse4.2"] } else { &[] };
    let mut v = vec![load(&compile(&src, &base, "oracle-plain", plain_flags)?, "upstream")?];
    #[cfg(target_arch = "x86_64")]
    if std::is_x86_feature_detected!("sse4.2") {
        v.push(load(&compile(&src, &base, "oracle-sse42", &["-msse4.2"])?, "upstream-sse4.2")?);
    }
    Ok(v)
}

fn ours_at(level: SimdLevel) -> Impl {
    Impl {
        name: match level {
            SimdLevel::Scalar => "ours/scalar",
            SimdLevel::Sse42 => "ours/sse42",
            SimdLevel::Avx2 => "ours/avx2",
            SimdLevel::Avx512 => "ours/avx512",
        },
        level: Some(level),
        parse_request: ours::phr_parse_request,
        parse_response: ours::phr_parse_response,
        parse_headers: ours::phr_parse_headers,
        decode_chunked: ours::phr_decode_chunked_v2,
        is_in_data: ours::phr_decode_chunked_is_in_data,
    }
}

/// The SIMD level is process-global: tests that force levels take this lock.
static LEVEL_LOCK: Mutex<()> = Mutex::new(());

/// Counts panics caught by our panic boundary (which would otherwise turn a bug into a quiet -1).
static PANICS: AtomicUsize = AtomicUsize::new(0);

fn count_panics() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        let prev = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            PANICS.fetch_add(1, Ordering::SeqCst);
            prev(info);
        }));
    });
}

macro_rules! oracle_or_skip {
    () => {
        match oracles() {
            Ok(v) => v,
            Err(why) => {
                eprintln!("SKIPPED: upstream picohttpparser oracle unavailable ({why})");
                return;
            }
        }
    };
}

fn scale() -> usize {
    let base = if cfg!(debug_assertions) { 1 } else { 40 };
    base * std::env::var("H2O_RS_ORACLE_SCALE").ok().and_then(|s| s.parse().ok()).unwrap_or(1usize)
}

fn seed() -> u64 {
    std::env::var("H2O_RS_ORACLE_SEED").ok().and_then(|s| s.parse().ok()).unwrap_or(0x5eed_0fac_1e00)
}

// ---------------------------------------------------------------------------------------------
// Deterministic input generation.

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        // splitmix64
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
    /// Uniform in `0..n` (`n > 0`).
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    /// Uniform in `lo..=hi`.
    fn range(&mut self, lo: usize, hi: usize) -> usize {
        lo + self.below(hi - lo + 1)
    }
    /// True with probability `1/n`.
    fn one_in(&mut self, n: usize) -> bool {
        self.below(n) == 0
    }
    fn pick<'a, T>(&mut self, xs: &'a [T]) -> &'a T {
        &xs[self.below(xs.len())]
    }
}

const TCHARS: &[u8] = b"!#$%&'*+-.^_`|~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
/// Bytes that sit on a class boundary somewhere in the parser.
const SPECIAL: &[u8] = b"\r\n \t\0\x7f\x80\xff\xc3:;\x01\x08\x0b\x1f\x20\x21\"(),/@[]{}|~aZ0";

fn tokens(rng: &mut Rng, len: usize) -> Vec<u8> {
    (0..len).map(|_| *rng.pick(TCHARS)).collect()
}

fn eol(rng: &mut Rng) -> &'static [u8] {
    match rng.below(80) {
        0..=71 => b"\r\n",
        72..=78 => b"\n",
        _ => b"\r",
    }
}

fn spaces(rng: &mut Rng) -> Vec<u8> {
    match rng.below(20) {
        0..=15 => b" ".to_vec(),
        16 | 17 => b"  ".to_vec(),
        18 => vec![b' '; rng.range(3, 40)],
        _ => b"\t".to_vec(),
    }
}

/// A header value's bytes: printable ASCII, HTAB, and bytes >= 0x80.
fn value_bytes(rng: &mut Rng, len: usize) -> Vec<u8> {
    (0..len)
        .map(|_| match rng.below(30) {
            0 => b'\t',
            1 => rng.range(0x80, 0xff) as u8,
            2 => b' ',
            _ => rng.range(0x21, 0x7e) as u8,
        })
        .collect()
}

fn len_class(rng: &mut Rng) -> usize {
    match rng.below(10) {
        0 => 0,
        1..=5 => rng.range(1, 20),
        6..=8 => rng.range(15, 70),
        _ => rng.range(60, 300),
    }
}

fn method(rng: &mut Rng) -> Vec<u8> {
    const M: &[&[u8]] = &[
        b"GET",
        b"GET",
        b"GET",
        b"POST",
        b"HEAD",
        b"PUT",
        b"DELETE",
        b"OPTIONS",
        b"PATCH",
        b"CONNECT",
        b"TRACE",
        b"M-SEARCH",
        b"PROPFIND",
        b"X|~!#$%&'*+-.^_`",
        b"",
    ];
    if rng.one_in(8) {
        {
            let n = len_class(rng);
            tokens(rng, n)
        }
    } else {
        rng.pick(M).to_vec()
    }
}

fn target(rng: &mut Rng) -> Vec<u8> {
    const P: &[&[u8]] = &[
        b"/",
        b"*",
        b"/index.html",
        b"/search?q=rust+http&lang=en&page=2",
        b"http://example.com:8080/a/b;c?d#e",
        b"/%E3%81%82/\xe3\x81\x82",
        b"example.com:443",
    ];
    if rng.one_in(3) {
        rng.pick(P).to_vec()
    } else {
        let n = len_class(rng).max(1);
        let mut v = vec![b'/'];
        v.extend((1..n).map(|_| if rng.one_in(25) { rng.range(0x80, 0xff) as u8 } else { rng.range(0x21, 0x7e) as u8 }));
        v
    }
}

fn version(rng: &mut Rng) -> Vec<u8> {
    const BAD: &[&[u8]] = &[
        b"HTTP/1.",
        b"HTTP/1.a",
        b"HTTP/2.0",
        b"http/1.1",
        b"HTTP/1.10",
        b"HTTP/1",
        b"HTTP/11.1",
        b"HTTP/1.1 ",
        b"HTTP/1,1",
        b"HTTQ/1.1",
        b"HTTP/1.1\t",
        b"",
        b"HTTP/0.9",
    ];
    match rng.below(24) {
        0..=16 => b"HTTP/1.1".to_vec(),
        17 | 18 => b"HTTP/1.0".to_vec(),
        19..=21 => format!("HTTP/1.{}", rng.below(10)).into_bytes(),
        _ => rng.pick(BAD).to_vec(),
    }
}

fn header_name(rng: &mut Rng) -> Vec<u8> {
    const N: &[&[u8]] = &[
        b"Host",
        b"User-Agent",
        b"Accept",
        b"Accept-Encoding",
        b"Cookie",
        b"Content-Length",
        b"Content-Type",
        b"Authorization",
        b"sec-ch-ua-platform",
        b"X-Forwarded-For",
        b"x",
        b"X-A-Header-Name-That-Is-Longer-Than-Sixty-Four-Bytes-For-The-Vector-Loops",
    ];
    if rng.one_in(3) {
        {
            let n = len_class(rng);
            tokens(rng, n)
        }
    } else {
        rng.pick(N).to_vec()
    }
}

fn ows(rng: &mut Rng) -> Vec<u8> {
    const W: &[&[u8]] = &[b"", b" ", b" ", b" ", b"  ", b"\t", b" \t ", b"\t\t"];
    if rng.one_in(30) { vec![b' '; rng.range(10, 80)] } else { rng.pick(W).to_vec() }
}

fn headers_block(rng: &mut Rng, out: &mut Vec<u8>) {
    let n = match rng.below(10) {
        0 => 0,
        1..=7 => rng.range(1, 8),
        8 => rng.range(8, 20),
        _ => rng.range(20, 70),
    };
    for i in 0..n {
        if i > 0 && rng.one_in(12) {
            // obs-fold continuation line
            const FOLD: &[&[u8]] = &[b" ", b"\t", b"  ", b" \t"];
            let f = rng.pick::<&[u8]>(FOLD);
            out.extend_from_slice(f);
            let n = len_class(rng);
            out.extend(value_bytes(rng, n));
        } else {
            out.extend(header_name(rng));
            if rng.one_in(80) {
                out.push(b' '); // SP before the colon: invalid
            }
            out.push(b':');
            out.extend(ows(rng));
            let n = len_class(rng);
            out.extend(value_bytes(rng, n));
            out.extend(ows(rng));
        }
        out.extend_from_slice(eol(rng));
    }
    out.extend_from_slice(eol(rng));
}

fn gen_request(rng: &mut Rng) -> Vec<u8> {
    let mut v = Vec::new();
    if rng.one_in(15) {
        v.extend_from_slice(eol(rng));
    }
    v.extend(method(rng));
    v.extend(spaces(rng));
    v.extend(target(rng));
    v.extend(spaces(rng));
    v.extend(version(rng));
    v.extend_from_slice(eol(rng));
    headers_block(rng, &mut v);
    if rng.one_in(4) {
        let n = len_class(rng);
        v.extend(value_bytes(rng, n));
    }
    v
}

fn gen_response(rng: &mut Rng) -> Vec<u8> {
    let mut v = version(rng);
    v.extend(spaces(rng));
    match rng.below(12) {
        0 => {
            let n = rng.range(0, 5);
            v.extend(tokens(rng, n))
        }
        1 => v.extend(format!("{}", rng.below(100)).into_bytes()),
        _ => v.extend(format!("{:03}", rng.range(100, 599)).into_bytes()),
    }
    match rng.below(8) {
        0 => {}
        1 => {
            v.extend(vec![b' '; rng.range(2, 20)]);
            let n = len_class(rng);
            v.extend(value_bytes(rng, n));
        }
        2 => v.extend(value_bytes(rng, 5)), // garbage right after the code
        3 => v.extend(vec![b' '; rng.range(1, 30)]),
        _ => {
            v.push(b' ');
            const R: &[&[u8]] = &[b"OK", b"Not Found", b"Internal Server Error", b"No Content", b"\xe3\x81\x82 ok"];
            let r = rng.pick::<&[u8]>(R);
            v.extend_from_slice(r);
        }
    }
    v.extend_from_slice(eol(rng));
    headers_block(rng, &mut v);
    v
}

fn gen_headers(rng: &mut Rng) -> Vec<u8> {
    let mut v = Vec::new();
    headers_block(rng, &mut v);
    v
}

/// Random mutations: byte flips, special-byte writes and insertions, deletions, duplications,
/// truncations.
fn mutate(rng: &mut Rng, v: &mut Vec<u8>) {
    let n = rng.range(1, 4);
    for _ in 0..n {
        let len = v.len();
        match rng.below(7) {
            0 if len > 0 => {
                let i = rng.below(len);
                v[i] ^= 1 << rng.below(8);
            }
            1 if len > 0 => {
                let i = rng.below(len);
                v[i] = *rng.pick(SPECIAL);
            }
            2 => {
                let i = rng.below(len + 1);
                let b = *rng.pick(SPECIAL);
                v.insert(i, b);
            }
            3 if len > 0 => {
                let i = rng.below(len);
                v.remove(i);
            }
            4 if len > 0 => {
                let i = rng.below(len);
                let j = rng.range(i, len.min(i + 40));
                let seg = v[i..j].to_vec();
                let at = rng.below(len + 1);
                v.splice(at..at, seg);
            }
            5 if len > 0 => v.truncate(rng.below(len)),
            _ if len > 0 => {
                let i = rng.below(len);
                v[i] = rng.below(256) as u8;
            }
            _ => v.push(*rng.pick(SPECIAL)),
        }
    }
}

fn escape(b: &[u8]) -> String {
    let mut s = String::from("b\"");
    for &c in b {
        match c {
            b'\r' => s.push_str("\\r"),
            b'\n' => s.push_str("\\n"),
            b'\t' => s.push_str("\\t"),
            b'"' => s.push_str("\\\""),
            b'\\' => s.push_str("\\\\"),
            0x20..=0x7e => s.push(c as char),
            _ => {
                let _ = write!(s, "\\x{c:02x}");
            }
        }
    }
    s.push('"');
    s
}

// ---------------------------------------------------------------------------------------------
// Running one parse on one implementation and capturing every output.

/// A pointer output, as an offset from `buf` when it points into the test allocation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Ptr {
    Null,
    Sentinel,
    At(isize),
    Wild(usize),
}

const SENT_PTR: usize = 0x5a5a_5a5a_5a5a_5a50;
const SENT_LEN: usize = 0xa5a5_a5a5_a5a5_a5a5;
const SENT_INT: c_int = 0x3c3c_3c3c;

/// The input placed at a chosen alignment, with bytes around it that would change answers if read.
struct Placed {
    mem: Vec<u8>,
    start: usize,
    len: usize,
}

impl Placed {
    fn new(input: &[u8], align: usize) -> Placed {
        let mut mem = b"\r\n\r\n".repeat((input.len() + 256) / 4 + 1);
        let base = mem.as_ptr() as usize;
        let start = 64 + ((align + 64 - base % 64) % 64);
        mem[start..start + input.len()].copy_from_slice(input);
        Placed { mem, start, len: input.len() }
    }
    fn buf(&self) -> *const c_char {
        self.mem[self.start..].as_ptr().cast()
    }
    fn ptr(&self, p: *const c_char) -> Ptr {
        let (p, b) = (p as usize, self.buf() as usize);
        let lo = self.mem.as_ptr() as usize;
        if p == 0 {
            Ptr::Null
        } else if p == SENT_PTR {
            Ptr::Sentinel
        } else if p >= lo && p <= lo + self.mem.len() {
            Ptr::At(p as isize - b as isize)
        } else {
            Ptr::Wild(p)
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Func {
    Request,
    Response,
    Headers,
}

#[derive(Clone, Debug, PartialEq, Eq)]
struct Outcome {
    ret: c_int,
    /// request: method, path; response: msg in `b`.
    a: (Ptr, usize),
    b: (Ptr, usize),
    minor_version: c_int,
    status: c_int,
    num_headers: usize,
    /// Every slot of the header array, `cap + 2` of them (the last two must stay untouched).
    headers: Vec<(Ptr, usize, Ptr, usize)>,
}

fn run(imp: &Impl, f: Func, input: &Placed, last_len: usize, cap: usize) -> Outcome {
    let sent = phr_header { name: SENT_PTR as *const c_char, name_len: SENT_LEN, value: SENT_PTR as *const c_char, value_len: SENT_LEN };
    let mut hdrs = vec![sent; cap + 2];
    let mut num_headers = cap;
    let (mut a, mut a_len, mut b, mut b_len) = (SENT_PTR as *const c_char, SENT_LEN, SENT_PTR as *const c_char, SENT_LEN);
    let (mut minor, mut status) = (SENT_INT, SENT_INT);
    imp.enter();
    // SAFETY: every pointer is valid; `buf` is readable for `len` bytes (and beyond, so that a read
    // past the end is not a crash but a wrong answer the comparison catches).
    let ret = unsafe {
        match f {
            Func::Request => (imp.parse_request)(
                input.buf(),
                input.len,
                &mut a,
                &mut a_len,
                &mut b,
                &mut b_len,
                &mut minor,
                hdrs.as_mut_ptr(),
                &mut num_headers,
                last_len,
            ),
            Func::Response => (imp.parse_response)(
                input.buf(),
                input.len,
                &mut minor,
                &mut status,
                &mut b,
                &mut b_len,
                hdrs.as_mut_ptr(),
                &mut num_headers,
                last_len,
            ),
            Func::Headers => (imp.parse_headers)(input.buf(), input.len, hdrs.as_mut_ptr(), &mut num_headers, last_len),
        }
    };
    Outcome {
        ret,
        a: (input.ptr(a), a_len),
        b: (input.ptr(b), b_len),
        minor_version: minor,
        status,
        num_headers,
        headers: hdrs.iter().map(|h| (input.ptr(h.name), h.name_len, input.ptr(h.value), h.value_len)).collect(),
    }
}

struct Checker {
    impls: Vec<Impl>,
    calls: usize,
    /// Upstream's answers: complete, -1, -2.
    answers: [usize; 3],
    mismatches: usize,
    report: String,
}

impl Checker {
    fn new(oracles: &[Impl]) -> Checker {
        let mut impls = oracles.to_vec();
        impls.extend(SimdLevel::supported().into_iter().map(ours_at));
        Checker { impls, calls: 0, answers: [0; 3], mismatches: 0, report: String::new() }
    }

    fn check(&mut self, f: Func, input: &[u8], align: usize, last_len: usize, cap: usize) {
        let placed = Placed::new(input, align);
        let want = run(&self.impls[0], f, &placed, last_len, cap);
        self.answers[match want.ret {
            -1 => 1,
            -2 => 2,
            _ => 0,
        }] += 1;
        let sent = (Ptr::Sentinel, SENT_LEN, Ptr::Sentinel, SENT_LEN);
        assert!(want.headers[cap..].iter().all(|h| *h == sent), "upstream wrote past the header capacity");
        for imp in &self.impls[1..] {
            self.calls += 1;
            let got = run(imp, f, &placed, last_len, cap);
            if got != want {
                self.mismatches += 1;
                if self.mismatches <= 10 {
                    let _ = writeln!(
                        self.report,
                        "MISMATCH {f:?} {} vs {}: input {} (len {}, last_len {last_len}, header capacity {cap}, align {align})\n  upstream: {}\n  {:>8}: {}",
                        imp.name,
                        self.impls[0].name,
                        escape(input),
                        input.len(),
                        brief(&want, cap),
                        imp.name,
                        brief(&got, cap),
                    );
                }
            }
        }
    }
}

fn brief(o: &Outcome, cap: usize) -> String {
    let mut s =
        format!("ret {} a {:?} b {:?} minor {} status {} num_headers {}", o.ret, o.a, o.b, o.minor_version, o.status, o.num_headers);
    let shown = (o.num_headers.min(cap) + 1).min(o.headers.len());
    for (i, h) in o.headers[..shown].iter().enumerate() {
        let _ = write!(s, "\n      h[{i}] {h:?}");
    }
    s
}

fn funcs_for(rng: &mut Rng, primary: Func) -> Vec<Func> {
    // The matching function always; the other two now and then (they mostly fail early).
    let mut v = vec![primary];
    for f in [Func::Request, Func::Response, Func::Headers] {
        if f != primary && rng.one_in(4) {
            v.push(f);
        }
    }
    v
}

fn capacity(rng: &mut Rng) -> usize {
    match rng.below(16) {
        0 => 0,
        1 => 1,
        2 => 2,
        3 => rng.range(3, 10),
        4 => rng.range(10, 30),
        _ => 100,
    }
}

/// A `last_len` for a buffer of `len` bytes: 0, an earlier length, or up to 3 past the end
/// (upstream reads before the buffer's end for larger values; see `last_len_far_beyond_the_end`).
fn last_len_for(rng: &mut Rng, len: usize) -> usize {
    match rng.below(6) {
        0 | 1 => 0,
        2 => len.saturating_sub(rng.below(4)),
        3 => len + rng.range(1, 3),
        _ => rng.range(1, len + 3),
    }
}

#[test]
fn parsers_match_upstream() {
    let oracles = oracle_or_skip!();
    count_panics();
    let _level = LEVEL_LOCK.lock().unwrap_or_else(|e| e.into_inner());
    let mut c = Checker::new(&oracles);
    eprintln!(
        "comparing {} against {}",
        c.impls[oracles.len()..].iter().map(|i| i.name).collect::<Vec<_>>().join(", "),
        oracles.iter().map(|i| i.name).collect::<Vec<_>>().join(", ")
    );
    let mut rng = Rng(seed());
    let n = 1500 * scale();

    // Fixed inputs: every prefix, first parse and incremental re-parse.
    let mut fixed: Vec<(Func, Vec<u8>)> = vec![
        (Func::Request, b"GET / HTTP/1.1\r\nHost: a\r\n\r\n".to_vec()),
        (Func::Request, b"\r\nGET /hoge HTTP/1.1\r\nHost: example.com\r\nCookie: \r\n\r\n".to_vec()),
        (Func::Request, b"GET   /a   HTTP/1.1\r\nx: \t a b \t \r\n y\r\n\r\n".to_vec()),
        (Func::Request, b"GET / HTTP/1.1\nx: \x80\xff\t\n\tfold\n\n".to_vec()),
        (Func::Response, b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello".to_vec()),
        (Func::Response, b"HTTP/1.0 500   Internal Server Error  \r\n\r\n".to_vec()),
        (Func::Response, b"HTTP/1.1    404\r\nA: b\r\n\r\n".to_vec()),
        (Func::Headers, b"Host: example.com\r\nCookie: a=b; c=d\r\n\r\n".to_vec()),
    ];
    for i in 0..40 {
        let f = [Func::Request, Func::Response, Func::Headers][i % 3];
        let v = match f {
            Func::Request => gen_request(&mut rng),
            Func::Response => gen_response(&mut rng),
            Func::Headers => gen_headers(&mut rng),
        };
        fixed.push((f, v));
    }
    for (f, input) in &fixed {
        for k in 0..=input.len() {
            let align = rng.below(64);
            let prefix = &input[..k];
            c.check(*f, prefix, align, 0, 100);
            c.check(*f, prefix, align, k.saturating_sub(rng.range(1, 8)), capacity(&mut rng));
            c.check(*f, prefix, align, k.saturating_sub(1), 2);
        }
    }

    // Generated inputs, mutated most of the time.
    for i in 0..n {
        let primary = [Func::Request, Func::Response, Func::Headers][i % 3];
        let mut input = match primary {
            Func::Request => gen_request(&mut rng),
            Func::Response => gen_response(&mut rng),
            Func::Headers => gen_headers(&mut rng),
        };
        if rng.below(5) < 3 {
            mutate(&mut rng, &mut input);
        }
        for f in funcs_for(&mut rng, primary) {
            let align = rng.below(64);
            let cap = capacity(&mut rng);
            c.check(f, &input, align, 0, cap);
            let last_len = last_len_for(&mut rng, input.len());
            c.check(f, &input, align, last_len, cap);
            // a few truncations
            for _ in 0..3 {
                let k = rng.below(input.len() + 1);
                let last_len = last_len_for(&mut rng, k);
                c.check(f, &input[..k], rng.below(64), last_len, capacity(&mut rng));
            }
        }
    }
    let panics = PANICS.load(Ordering::SeqCst);
    eprintln!(
        "parsers: {} comparisons of {} inputs (upstream: {} complete, {} invalid, {} partial), {} mismatches, {} panics",
        c.calls,
        c.answers.iter().sum::<usize>(),
        c.answers[0],
        c.answers[1],
        c.answers[2],
        c.mismatches,
        panics
    );
    assert!(c.mismatches == 0 && panics == 0, "{} mismatches, {panics} panics:\n{}", c.mismatches, c.report);
}

/// Upstream starts its completeness check at `buf + last_len - 3`, before the end of the buffer
/// when `last_len > len + 3` (undefined behaviour, so it cannot be compared); ours starts at the
/// end and answers -2 (more bytes needed), without reading outside the buffer.
#[test]
fn last_len_far_beyond_the_end() {
    let _level = LEVEL_LOCK.lock().unwrap_or_else(|e| e.into_inner());
    for level in SimdLevel::supported() {
        let imp = ours_at(level);
        for input in [&b""[..], b"GET / HTTP/1.1\r\n\r\n", b"HTTP/1.1 200 OK\r\n\r\n", b"a: b\r\n\r\n"] {
            let placed = Placed::new(input, 3);
            for f in [Func::Request, Func::Response, Func::Headers] {
                for extra in [4, 5, 100, usize::MAX / 2] {
                    let o = run(&imp, f, &placed, input.len() + extra, 4);
                    assert_eq!((o.ret, o.num_headers), (-2, 0), "{f:?} {} {}", imp.name, escape(input));
                }
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// The chunked decoder.

fn gen_chunked(rng: &mut Rng) -> Vec<u8> {
    let mut v = Vec::new();
    let n = match rng.below(10) {
        0 => 0,
        1..=7 => rng.range(1, 6),
        _ => rng.range(6, 40),
    };
    let hex = |rng: &mut Rng, size: usize| -> Vec<u8> {
        let mut s = match rng.below(3) {
            0 => format!("{size:x}"),
            1 => format!("{size:X}"),
            _ => format!("{size:x}").chars().map(|c| if rng.one_in(2) { c.to_ascii_uppercase() } else { c }).collect(),
        };
        if rng.one_in(10) {
            s = "0".repeat(rng.range(1, 16)) + &s;
        }
        s.into_bytes()
    };
    const EXT: &[&[u8]] = &[b"", b"", b"", b"", b" ", b"\t", b";ext", b";a=b;c=\"d e\"", b" ; x", b";\x80\xff", b";a\rb"];
    let ext = |rng: &mut Rng| -> &'static [u8] { rng.pick::<&[u8]>(EXT) };
    for _ in 0..n {
        let size = match rng.below(10) {
            0..=3 => rng.range(1, 8),
            4..=7 => rng.range(8, 200),
            8 => rng.range(200, 3000),
            _ => rng.range(1, 20),
        };
        v.extend(hex(rng, size));
        v.extend_from_slice(ext(rng));
        v.extend_from_slice(if rng.one_in(30) { b"\n" } else { b"\r\n" });
        v.extend((0..size).map(|_| if rng.one_in(20) { *rng.pick(b"\r\n\0") } else { rng.below(256) as u8 }));
        v.extend_from_slice(if rng.one_in(40) { b"\n" } else { b"\r\n" });
    }
    match rng.below(30) {
        0 => v.extend_from_slice(b"10000000000000000\r\n"), // 17 digits
        1 => v.extend_from_slice(b"ffffffffffffffff\r\n"),
        2 => v.extend_from_slice(b"fffffffffffffffff0\r\n"),
        _ => {}
    }
    v.extend(hex(rng, 0));
    v.extend_from_slice(ext(rng));
    v.extend_from_slice(b"\r\n");
    for _ in 0..rng.below(4) {
        v.extend(header_name(rng));
        v.extend_from_slice(b": ");
        let n = len_class(rng);
        v.extend(value_bytes(rng, n));
        v.extend_from_slice(eol(rng));
    }
    match rng.below(6) {
        0 => {}
        1 => v.extend_from_slice(b"\n"),
        _ => v.extend_from_slice(b"\r\n"),
    }
    if rng.one_in(3) {
        v.extend_from_slice(b"GET /next HTTP/1.1\r\n\r\n");
    }
    v
}

/// Many tiny chunks (overhead > 80%) or long extensions, to trip upstream's flood check.
fn gen_flood(rng: &mut Rng) -> Vec<u8> {
    let mut v = Vec::new();
    let target = rng.range(90 * 1024, 200 * 1024);
    while v.len() < target {
        match rng.below(3) {
            0 => v.extend_from_slice(b"1\r\nx\r\n"),
            1 => {
                v.extend_from_slice(b"2;");
                v.extend(std::iter::repeat_n(b'e', rng.range(0, 200)));
                v.extend_from_slice(b"\r\nxy\r\n");
            }
            _ => {
                let n = rng.range(1, 40);
                v.extend(format!("{n:x}\r\n").into_bytes());
                v.extend(std::iter::repeat_n(b'd', n));
                v.extend_from_slice(b"\r\n");
            }
        }
    }
    v.extend_from_slice(b"0\r\n\r\n");
    v
}

/// Split points: 1..6 pieces, or many small ones.
fn splits(rng: &mut Rng, len: usize) -> Vec<usize> {
    let mut cuts: Vec<usize> = match rng.below(8) {
        0 if len < 400 => (1..len).collect(),
        1 => (0..rng.range(10, 60)).map(|_| rng.below(len + 1)).collect(),
        _ => (0..rng.below(6)).map(|_| rng.below(len + 1)).collect(),
    };
    cuts.push(0);
    cuts.push(len);
    cuts.sort_unstable();
    cuts
}

#[derive(Clone, Debug, PartialEq, Eq)]
struct Step {
    ret: isize,
    bufsz: usize,
    /// The whole piece buffer after the call (decoded bytes, then what the decoder moved after them).
    buf: Vec<u8>,
    bytes_left_in_chunk: usize,
    consume_trailer: u8,
    hex_count: u8,
    state: u8,
    total_read: u64,
    total_overhead: u64,
    in_data: c_int,
}

enum Flavor {
    /// The 32-byte struct as is.
    V2,
    /// The 32-byte struct with the counters reset before each call so that the flood check never
    /// fires (what the 2.2.5 16-byte decoder must match).
    NoFlood,
}

fn decode_32(imp: &Impl, input: &[u8], cuts: &[usize], consume_trailer: bool, flavor: Flavor) -> Vec<Step> {
    // SAFETY: the struct is plain data; all-zero is its documented initial state.
    let mut d: phr_chunked_decoder = unsafe { std::mem::zeroed() };
    d.consume_trailer = consume_trailer as c_char;
    let mut steps = Vec::new();
    for w in cuts.windows(2) {
        let mut piece = input[w[0]..w[1]].to_vec();
        let mut bufsz = piece.len();
        if let Flavor::NoFlood = flavor {
            d._total_read = 1 << 62;
            d._total_overhead = 0;
        }
        // SAFETY: valid decoder, buffer writable for bufsz bytes.
        let ret = unsafe { (imp.decode_chunked)(&mut d, piece.as_mut_ptr().cast(), &mut bufsz) };
        let in_data = unsafe { (imp.is_in_data)(&mut d) };
        let (total_read, total_overhead) = match flavor {
            Flavor::V2 => (d._total_read, d._total_overhead),
            Flavor::NoFlood => (0, 0),
        };
        steps.push(Step {
            ret,
            bufsz,
            buf: piece,
            bytes_left_in_chunk: d.bytes_left_in_chunk,
            consume_trailer: d.consume_trailer as u8,
            hex_count: d._hex_count as u8,
            state: d._state as u8,
            total_read,
            total_overhead,
            in_data,
        });
        if ret != -2 {
            break;
        }
    }
    steps
}

/// Our exported 16-byte (2.2.5) decoder; checks that it never writes past 16 bytes.
fn decode_16(input: &[u8], cuts: &[usize], consume_trailer: bool) -> Vec<Step> {
    #[repr(C, align(8))]
    struct Guarded([u8; 32]);
    let mut mem = Guarded([0u8; 32]);
    mem.0[16..].fill(0xee);
    mem.0[8] = consume_trailer as u8;
    let d = mem.0.as_mut_ptr().cast::<phr_chunked_decoder_2_2_5>();
    let mut steps = Vec::new();
    for w in cuts.windows(2) {
        let mut piece = input[w[0]..w[1]].to_vec();
        let mut bufsz = piece.len();
        // SAFETY: `d` points to 16 valid bytes (of 32), aligned; buffer writable for bufsz bytes.
        let ret = unsafe { ours::phr_decode_chunked(d, piece.as_mut_ptr().cast(), &mut bufsz) };
        let in_data = unsafe { ours::phr_decode_chunked_is_in_data(d.cast()) };
        assert!(mem.0[16..].iter().all(|&b| b == 0xee), "phr_decode_chunked wrote past 16 bytes");
        // SAFETY: `d` is valid.
        let dd = unsafe { *d };
        steps.push(Step {
            ret,
            bufsz,
            buf: piece,
            bytes_left_in_chunk: dd.bytes_left_in_chunk,
            consume_trailer: dd.consume_trailer as u8,
            hex_count: dd._hex_count as u8,
            state: dd._state as u8,
            total_read: 0,
            total_overhead: 0,
            in_data,
        });
        if ret != -2 {
            break;
        }
    }
    steps
}

fn first_diff(a: &[Step], b: &[Step]) -> String {
    for (i, (x, y)) in a.iter().zip(b).enumerate() {
        if x != y {
            let short = |s: &Step| {
                format!(
                    "ret {} bufsz {} left {} trailer {} hex {} state {} read {} overhead {} in_data {} buf {}",
                    s.ret,
                    s.bufsz,
                    s.bytes_left_in_chunk,
                    s.consume_trailer,
                    s.hex_count,
                    s.state,
                    s.total_read,
                    s.total_overhead,
                    s.in_data,
                    escape(&s.buf[..s.buf.len().min(200)])
                )
            };
            return format!("call {i}:\n    upstream: {}\n    ours:     {}", short(x), short(y));
        }
    }
    format!("number of calls: upstream {}, ours {}", a.len(), b.len())
}

#[test]
fn chunked_decoder_matches_upstream() {
    let oracles = oracle_or_skip!();
    count_panics();
    let mine = ours_at(SimdLevel::Scalar);
    let mut rng = Rng(seed() ^ 0xc4u64);
    let (mut runs, mut calls, mut mismatches, mut floods) = (0usize, 0usize, 0usize, 0usize);
    let mut report = String::new();
    let n = 800 * scale();
    for i in 0..n + 6 {
        let flood = i >= n;
        let mut input = if flood { gen_flood(&mut rng) } else { gen_chunked(&mut rng) };
        if !flood && !rng.one_in(3) {
            mutate(&mut rng, &mut input);
        }
        let cuts = if flood {
            let mut c: Vec<usize> = (0..input.len()).step_by(rng.range(1000, 9000)).collect();
            c.push(input.len());
            c
        } else {
            splits(&mut rng, input.len())
        };
        let consume_trailer = rng.one_in(2);
        let want = decode_32(&oracles[0], &input, &cuts, consume_trailer, Flavor::V2);
        if want.last().is_some_and(|s| s.ret == -1) && want.len() > 1 && flood {
            floods += 1;
        }
        let mut compare = |what: &str, want: &[Step], got: &[Step]| {
            calls += got.len();
            if want != got {
                mismatches += 1;
                if mismatches <= 10 {
                    let _ = writeln!(
                        report,
                        "MISMATCH chunked {what}: input {} (len {}), consume_trailer {consume_trailer}, cuts {cuts:?}\n  {}",
                        escape(&input[..input.len().min(2000)]),
                        input.len(),
                        first_diff(want, got)
                    );
                }
            }
        };
        for imp in oracles[1..].iter().chain([&mine]) {
            let got = decode_32(imp, &input, &cuts, consume_trailer, Flavor::V2);
            compare(imp.name, &want, &got);
        }
        let want16 = decode_32(&oracles[0], &input, &cuts, consume_trailer, Flavor::NoFlood);
        let got16 = decode_16(&input, &cuts, consume_trailer);
        compare("phr_decode_chunked (2.2.5 struct) vs upstream without the flood check", &want16, &got16);
        runs += 1;
    }
    let panics = PANICS.load(Ordering::SeqCst);
    eprintln!("chunked: {runs} inputs, {calls} calls compared, {floods} flood rejections, {mismatches} mismatches, {panics} panics");
    assert!(floods > 0, "the flood inputs never tripped upstream's flood check");
    assert!(mismatches == 0 && panics == 0, "{mismatches} mismatches, {panics} panics:\n{report}");
}
