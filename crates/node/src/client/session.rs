//! What a command handler gets ([`Session`]: the lazily made daemon
//! connection and the output) and what a command is ([`Command`]).

use serde::de::DeserializeOwned;
use serde_json::Value;

use super::output::Out;
use super::transport::ClientError;

/// Calls an admin RPC method: `(method, params) -> result`.
pub type Call<'a> = dyn FnMut(&str, Option<Value>) -> Result<Value, ClientError> + 'a;

/// What a command handler gets.
pub struct Session<'a> {
    /// The daemon connection (made only when a command needs it).
    pub client: &'a mut Call<'a>,
    /// Output.
    pub out: &'a Out,
}

impl Session<'_> {
    /// Calls `method` and reads its result as the reply type `T`.
    pub fn call<T: DeserializeOwned>(
        &mut self,
        method: &str,
        params: Option<Value>,
    ) -> Result<T, ClientError> {
        let result = (self.client)(method, params)?;
        serde_json::from_value(result).map_err(|e| ClientError::BadReply(e.to_string()))
    }

    /// Calls `method` (no params) as oxend's commands do: a failure says what
    /// the command was doing first (`Failed to retrieve node info: …`). "Not
    /// running" and setup errors are left as they are: no request was
    /// answered, and their message says what to do.
    pub fn call_for<T: DeserializeOwned>(
        &mut self,
        method: &str,
        what: &'static str,
    ) -> Result<T, ClientError> {
        self.call(method, None).map_err(|e| match e {
            e @ (ClientError::NotRunning { .. } | ClientError::Setup(_)) => e,
            e => ClientError::Failed {
                what,
                source: Box::new(e),
            },
        })
    }
}

/// A command: its usage and description (for `help`), and its handler, which
/// returns whether it succeeded.
pub struct Command {
    /// Name.
    pub name: &'static str,
    /// Usage line, e.g. `print_sn_status [+json|+detail]`.
    pub usage: &'static str,
    /// Description for `help <command>`.
    pub description: &'static str,
    /// Whether it runs without the daemon.
    pub local: bool,
    /// The handler.
    pub run: fn(&mut Session<'_>, &[String]) -> Result<bool, ClientError>,
}

/// What oxend's commands say when `get_info` fails.
pub const NODE_INFO: &str = "Failed to retrieve node info";

/// What oxend's commands say when `get_service_keys` fails.
pub const SN_KEYS: &str = "Failed to retrieve service node keys";
