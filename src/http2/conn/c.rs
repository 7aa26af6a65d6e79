//! The C-layout types (and the few exported data objects) the HTTP/2 glue uses, in one place:
//! the glue imports them only from here, so that moving the C mirrors between modules touches
//! this file alone.

pub use crate::abi::core::{h2o_context_t, h2o_handler_t, h2o_header_t, h2o_hostconf_t, Vector};
pub use crate::abi::evloop::{h2o_linklist_t, h2o_timeout_entry_t};
pub use crate::abi::http2::h2o_http2_debug_state_t;
pub use crate::abi::memory::h2o_iovec_t;
pub use crate::abi::mimemap::h2o_mime_attributes_t;
pub use crate::abi::request::{
    h2o_conn_callbacks_t, h2o_conn_t, h2o_generator_t, h2o_ostream_t, h2o_protocol_callbacks_t, h2o_req_t, SEND_STATE_ERROR,
    SEND_STATE_FINAL, SEND_STATE_IN_PROGRESS,
};
pub use crate::abi::socket::{h2o_socket_latency_optimization_conditions_t, h2o_socket_t};
pub use crate::abi::token::h2o_token_t;
pub use crate::abi::url::{H2O_URL_SCHEME_HTTP, H2O_URL_SCHEME_HTTPS};

/// The process-wide connection id counter (`h2o_connection_id`).
pub use crate::abi::core::h2o_connection_id;

/// Whether `name` is the `buf` of an element of the token table, answered as the exported
/// `h2o_iovec_is_token` does (1 or 0; a pointer comparison only, `name` is not dereferenced).
pub fn h2o_iovec_is_token(name: *const h2o_iovec_t) -> std::ffi::c_int {
    crate::token::is_token_ptr(name) as std::ffi::c_int
}
