//! The integration tests of `oxend-stagenet`, one test binary: the real
//! binary end to end ([`daemon`], [`register`], [`l2`]) and the daemon run
//! in-process through the `snode-node` library ([`embedded`], parts of
//! [`l2`]).

mod common;
mod daemon;
mod embedded;
mod l2;
mod register;
mod rpc_limits;
