//! The bottom layer: the C data model of `include/` as `#[repr(C)]` Rust types, one module per
//! header, each with its 2.2.5 x86_64 layout checked at compile time (`const _: () = assert!(...)`;
//! the C side of the same check is `tests/abi`). Data only: structs, type aliases, constants,
//! callback typedefs, and the few exported data objects the engine itself refers to by address
//! (the scheme objects, the socket error strings, `h2o_mime_attributes_as_is`,
//! `h2o_connection_id`). No function here does work, and nothing here depends on any other module
//! of the crate; the engine modules build on these types and `crate::ffi` exports over them.
//!
//! [`panic`] is the one piece of code: the boundary every C entry point (an exported function, or
//! an engine callback C code calls directly) runs inside, so that no panic unwinds into C.

/// `h2o/cache_digests.h`: the digests of the `cache-digest` request header.
/// cbindgen:ignore
pub mod cache_digests;
/// `h2o.h`: configuration, context, handlers, header lists.
/// cbindgen:ignore
pub mod core;
/// `h2o/linklist.h`, `h2o/timeout.h`, `h2o/socket/evloop.h`.
/// cbindgen:ignore
pub mod evloop;
/// `h2o/hpack.h`: the HPACK header table.
/// cbindgen:ignore
pub mod hpack;
/// `h2o/http2.h`: SETTINGS values, priorities, the debug state.
/// cbindgen:ignore
pub mod http2;
/// `h2o/http2.h`'s frame codec section (2.2.5's `h2o/http2_internal.h`): frames and payloads.
/// cbindgen:ignore
pub mod http2_frame;
/// `h2o/http2_scheduler.h`: the caller-allocated scheduler nodes.
/// cbindgen:ignore
pub mod http2_scheduler;
/// `h2o/memory.h`: iovecs, pools, shared entries, buffers, vectors.
/// cbindgen:ignore
pub mod memory;
/// `h2o.h`: MIME attributes and types.
/// cbindgen:ignore
pub mod mimemap;
/// The panic boundary of every C entry point.
/// cbindgen:ignore
pub mod panic;
/// `picohttpparser.h` (read by cbindgen for `include/picohttpparser.h`).
pub mod picohttpparser;
/// `h2o.h`: connections, requests, responses, generators, output streams.
/// cbindgen:ignore
pub mod request;
/// `h2o/socket.h`: sockets and their error strings.
/// cbindgen:ignore
pub mod socket;
/// `h2o/token.h`: `h2o_token_t`.
/// cbindgen:ignore
pub mod token;
/// `h2o/url.h`: `h2o_url_t`, the scheme objects.
/// cbindgen:ignore
pub mod url;
