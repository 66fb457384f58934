//! The admin JSON-RPC server (docs/compat/rpc-and-client.md): the method
//! registry ([`methods`]), the HTTP side ([`http`]) and the methods, one
//! module per area: [`info`] (`get_info`, `get_service_node_status`,
//! `stop_daemon`), [`keys`] (`get_service_keys`), [`register`]
//! (`bls_registration_request`) and [`l2`] (`get_l2_status`, added by the
//! L2 tracker plug-in). Every method answers with a reply type of
//! [`crate::api`].

pub mod http;
pub mod info;
pub mod keys;
pub mod l2;
pub mod methods;
pub mod register;

pub use http::{AdminServer, ServeError};
pub use methods::{reply, Ctx, Handler, Methods, RpcError};

impl Methods {
    /// The daemon's own methods, with oxend's names and aliases: `get_info`
    /// (alias `getinfo`), `get_service_keys` (alias `get_service_node_key`),
    /// `get_service_node_status`, `stop_daemon`, `bls_registration_request`.
    pub fn standard() -> Methods {
        let mut m = Methods::new();
        m.add("get_info", info::get_info);
        m.alias("getinfo", "get_info");
        m.add("get_service_keys", keys::get_service_keys);
        m.alias("get_service_node_key", "get_service_keys");
        m.add("get_service_node_status", info::get_service_node_status);
        m.add("stop_daemon", info::stop_daemon);
        m.add(
            "bls_registration_request",
            register::bls_registration_request,
        );
        m
    }
}
