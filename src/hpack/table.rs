//! The static table (RFC 7541 Appendix A) and the dynamic table.
#![forbid(unsafe_code)]
