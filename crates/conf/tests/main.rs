//! The integration tests of snode-conf, one binary.

mod document;
