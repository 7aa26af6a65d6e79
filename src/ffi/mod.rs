//! The top layer: the exported C functions (and the exported data objects no engine code refers
//! to), one module per header, over the types of `crate::abi`. Each export checks and converts its
//! arguments and calls into the engine; nothing below this module calls up into it.
//!
//! Conventions (as in rustls-ffi and hyper's C API):
//! - every exported function runs its body inside [`crate::abi::panic::boundary`]: a panic never
//!   unwinds into C; it is reported on stderr and turned into the function's error value;
//! - pointers are checked for NULL where the C contract allows a caller to get it wrong cheaply;
//! - who owns what is written on each function. Nothing in this module allocates memory that the
//!   caller must free unless the function says so.

/// `h2o.h` access log (hand-written header).
/// cbindgen:ignore
pub mod access_log;
/// `h2o/cache_digests.h`: the `cache-digest` request header's digests (hand-written header).
/// cbindgen:ignore
pub mod cache_digests;
/// `h2o.h`: configuration and header lists (hand-written header).
/// cbindgen:ignore
pub mod core;
/// `h2o.h` file handler (hand-written header).
/// cbindgen:ignore
pub mod file;
/// `h2o/hpack.h`: the HPACK exports (hand-written header).
/// cbindgen:ignore
pub mod hpack;
/// `h2o/http1.h`: h2o_http1_upgrade (hand-written header).
/// cbindgen:ignore
pub mod http1;
/// `h2o/http2.h`: the HTTP/2 server's entry points and data objects (hand-written header).
/// cbindgen:ignore
pub mod http2;
/// `h2o/http2.h`'s frame codec section (hand-written header).
/// cbindgen:ignore
pub mod http2_frame;
/// `h2o/http2_scheduler.h` (hand-written header).
/// cbindgen:ignore
pub mod http2_scheduler;
/// `h2o/http2_casper.h`: CASPer (hand-written header).
/// cbindgen:ignore
pub mod http2_casper;
/// `h2o/memory.h` (hand-written header; not part of cbindgen's picohttpparser.h).
/// cbindgen:ignore
pub mod memory;
/// `h2o.h` MIME maps (hand-written header).
/// cbindgen:ignore
pub mod mimemap;
/// `h2o/linklist.h`, `h2o/timeout.h`, `h2o/socket/evloop.h` (hand-written headers).
/// cbindgen:ignore
pub mod evloop;
pub mod picohttpparser;
/// `h2o.h` requests, responses and `h2o_accept` (hand-written header).
/// cbindgen:ignore
pub mod request;
/// `h2o/socket.h` sockets (hand-written header).
/// cbindgen:ignore
pub mod socket;
/// `h2o.h` / `h2o/socket.h` TLS surface: the ALPN/NPN protocol lists and h2o_ssl_register_* (hand-written headers).
/// cbindgen:ignore
pub mod ssl;

// TLS getters and the native TLS API (h2o/rs_tls.h).
pub mod tls;
/// `h2o/string_.h` (hand-written header; not part of cbindgen's picohttpparser.h).
/// cbindgen:ignore
pub mod string;
/// `h2o/url.h` (hand-written header): the scheme objects.
/// cbindgen:ignore
pub mod url;
/// `h2o/time_.h`: dates (hand-written header).
/// cbindgen:ignore
pub mod time;
/// `h2o/token.h` (hand-written header; not part of cbindgen's picohttpparser.h).
/// cbindgen:ignore
pub mod token;
