//! Link settings for the cdylib, which CMake installs as libh2o-evloop.so.0.13.0, and the one C file.
//!
//! - SONAME: `libh2o-evloop.so.0.13`, the one Debian's libh2o-evloop 2.2.5 has, so a program linked
//!   against Debian's library loads ours (see COMPAT.md, "Install names").
//!
//! - Exported symbols: rustc already links every cdylib with its own generated version script
//!   (`{ global: <the #[no_mangle] extern items>; local: *; }`), so the .so exports exactly the
//!   public C API and no Rust internals or allocator shims. We deliberately do NOT pass
//!   capi/libh2o-evloop.map as a second `--version-script`: rust-lld (rustc's default linker on
//!   x86_64 Linux since 1.90) would merge the two, but GNU ld (bfd), which packagers often use,
//!   fails with "anonymous version tag cannot be combined with other version tags". The .map file is
//!   the reviewed export list instead; the ctest `exports` checks the installed .so against it and
//!   against capi/exports.txt with `nm -D --defined-only`.
//!
//! - capi/tls.c: `h2o_socket_buffer_prototype` is a thread-local (`__thread`) data object in 2.2.5,
//!   which stable Rust cannot define; this C file defines it, compiled into the static library
//!   `h2o_rs_tls` (linked through the `#[link(kind = "static")]` block in src/ffi/memory.rs). rustc's
//!   version script does not list C symbols, so it would stay local: `--undefined` pulls it into the
//!   link and capi/tls-export.map (a second version script with just that name) exports it.
//!   rust-lld (the default linker) merges the two scripts. GNU ld cannot (see above): when RUSTFLAGS
//!   select it, the extra script is left out with a warning and the .so lacks that one symbol.

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-changed=capi/tls.c");
    println!("cargo:rerun-if-changed=capi/tls-export.map");
    println!("cargo:rerun-if-env-changed=CARGO_ENCODED_RUSTFLAGS");
    println!("cargo:rerun-if-changed=include/h2o/memory.h");
    let os = std::env::var("CARGO_CFG_TARGET_OS").unwrap_or_default();
    let family = std::env::var("CARGO_CFG_TARGET_FAMILY").unwrap_or_default();
    // ELF platforms with a GNU-compatible linker driver (Linux, the BSDs).
    if family == "unix" && os != "macos" && os != "ios" {
        println!("cargo:rustc-cdylib-link-arg=-Wl,-soname,libh2o-evloop.so.0.13");
        println!("cargo:rustc-cdylib-link-arg=-Wl,--undefined=h2o_socket_buffer_prototype");
        let flags = std::env::var("CARGO_ENCODED_RUSTFLAGS").unwrap_or_default();
        if flags.contains("fuse-ld=bfd") || flags.contains("linker-features=-lld") {
            println!(
                "cargo:warning=GNU ld selected: h2o_socket_buffer_prototype (TLS) will not be exported \
                 (GNU ld cannot merge capi/tls-export.map with rustc's version script)"
            );
        } else {
            let dir = std::env::var("CARGO_MANIFEST_DIR").unwrap();
            println!("cargo:rustc-cdylib-link-arg=-Wl,--version-script={dir}/capi/tls-export.map");
        }
    }
    // The link line comes from the #[link] attribute; cc only says where the archive is.
    cc::Build::new()
        .file("capi/tls.c")
        .include("include")
        .std("c99")
        .warnings(true)
        .extra_warnings(true)
        .warnings_into_errors(true)
        .cargo_metadata(false)
        .compile("h2o_rs_tls");
    println!("cargo:rustc-link-search=native={}", std::env::var("OUT_DIR").unwrap());
}
