//! The file handler (`h2o_file_register`): static files with MIME types, index files, ranges,
//! validators and HEAD.
