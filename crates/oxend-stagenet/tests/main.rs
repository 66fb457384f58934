//! The integration tests of `oxend-stagenet`, one test binary: the real
//! binary end to end ([`daemon`], [`register`], [`l2`], [`chain`]) and the daemon run
//! in-process through the `snode-node` library ([`embedded`], parts of
//! [`l2`]); [`metrics`] scrapes `/metrics` with promtool and a real Prometheus.

mod chain;
mod common;
mod daemon;
mod doctor;
mod embedded;
mod l2;
mod metrics;
mod register;
mod rpc_limits;
