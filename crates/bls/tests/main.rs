//! The integration tests of this crate, as one test binary (one link, one run).

mod common;

mod behaviour;
mod decoders_proptest;
mod independent_py_ecc;
mod vectors;
