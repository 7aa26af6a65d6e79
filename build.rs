//! Link settings for the cdylib, which CMake installs as libh2o-evloop.so.0.13.0.
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
//! This script reads no files, so it only reruns when it changes itself.

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    let os = std::env::var("CARGO_CFG_TARGET_OS").unwrap_or_default();
    let family = std::env::var("CARGO_CFG_TARGET_FAMILY").unwrap_or_default();
    // ELF platforms with a GNU-compatible linker driver (Linux, the BSDs).
    if family == "unix" && os != "macos" && os != "ios" {
        println!("cargo:rustc-cdylib-link-arg=-Wl,-soname,libh2o-evloop.so.0.13");
    }
}
