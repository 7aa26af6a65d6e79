//! The access log (`h2o_access_log_register`): Apache-style log formats written to a file or pipe.
