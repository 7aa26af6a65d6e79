//! The C-layout types (and the few exported data objects) the HTTP/2 glue uses, in one place:
//! the glue imports them only from here, so that moving the C mirrors between modules touches
//! this file alone.

pub use crate::ffi::core::{h2o_context_t, h2o_handler_t, h2o_header_t, h2o_hostconf_t, Vector};
pub use crate::ffi::evloop::{h2o_linklist_t, h2o_timeout_entry_t};
pub use crate::ffi::memory::h2o_iovec_t;
pub use crate::ffi::mimemap::h2o_mime_attributes_t;
pub use crate::ffi::request::{
    h2o_conn_callbacks_t, h2o_conn_t, h2o_generator_t, h2o_ostream_t, h2o_req_t, SEND_STATE_ERROR, SEND_STATE_FINAL,
    SEND_STATE_IN_PROGRESS,
};
pub use crate::ffi::socket::{h2o_socket_latency_optimization_conditions_t, h2o_socket_t};
pub use crate::ffi::token::{h2o_iovec_is_token, h2o_token_t};
pub use crate::ffi::url::{H2O_URL_SCHEME_HTTP, H2O_URL_SCHEME_HTTPS};

/// The process-wide connection id counter (`h2o_connection_id`).
pub use crate::ffi::core::h2o_connection_id;
