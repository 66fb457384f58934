//! The integration tests of snode-l2, one binary: the tracker against
//! snode-testkit's fault-injecting provider and against anvil.

mod common;

mod anvil;
mod crash;
mod faults;
mod progress;
