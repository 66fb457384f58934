//! Command dispatch, argument rules and output layout (docs/compat/keys.md).

use std::ffi::OsString;
use std::path::{Path, PathBuf};

use snode_keys::format::AnyKey;
use snode_keys::write::{write_key, WriteOptions, Written};
use snode_keys::{BlsSecret, Ed25519Secret, KeyError, KeyKind, LegacySecret, SecretKey};
use zeroize::Zeroizing;

use crate::{input, output};

/// Exit codes (docs/compat/keys.md).
pub mod exit {
    pub const OK: i32 = 0;
    pub const USAGE: i32 = 1;
    pub const FAILED: i32 = 2;
    pub const BAD_INPUT: i32 = 7;
    pub const SELF_CHECK: i32 = 11;
    pub const EMBEDDED_MISMATCH: i32 = 13;
    pub const X25519: i32 = 14;
    pub const REGISTERED: i32 = 15;
    pub const DAEMON_RUNNING: i32 = 16;
    pub const ABORTED: i32 = 99;
}

/// An error that ends the program with `code` after printing `message`.
struct Failure {
    code: i32,
    message: String,
}

impl Failure {
    fn new(code: i32, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
        }
    }
}

impl From<KeyError> for Failure {
    fn from(err: KeyError) -> Self {
        let code = match err {
            KeyError::EmbeddedPubkeyMismatch { .. } => exit::EMBEDDED_MISMATCH,
            KeyError::InvalidInput { .. } => exit::BAD_INPUT,
            KeyError::X25519Conversion => exit::X25519,
            KeyError::SelfCheck => exit::SELF_CHECK,
            _ => exit::FAILED,
        };
        Failure::new(code, err.to_string())
    }
}

type Outcome = Result<(), Failure>;

const EXIT_CODES: &str = "\
Exit codes:
  0   success
  1   no command or unknown command
  2   bad arguments, file exists, I/O error, unrecognised or corrupt key file,
      pubkey mismatch in restore input
  7   invalid restore input
  11  internal pubkey self-check failed
  13  show: the pubkey embedded in an Ed25519 key file is not the derived one
  14  the Ed25519 pubkey cannot be converted to X25519
  15  --overwrite refused: the key belongs to a node the ServiceNodeRewards
      contract lists as registered, or that cannot be checked (see
      --replace-registered-key)
  16  --overwrite refused: the running oxend-stagenet uses this key
  99  restore aborted at a confirmation";

/// The usage text, for `argv0` as invoked.
pub fn usage(argv0: &str) -> String {
    format!(
        "Usage: {argv0} COMMAND [OPTIONS...] where support COMMANDs are:

ed25519 [--overwrite] FILENAME

    Generates a new Ed25519 service node keypair and writes the secret key to
    FILENAME (0x + 128 hex digits + newline, mode 0400). If FILENAME contains
    the string \"PUBKEY\" it is replaced with the generated public key value;
    such a name cannot already hold another key, so --overwrite is implied.
    An existing file is only replaced with --overwrite, and is then kept as
    FILENAME.<UTC time>.bak. (`generate` is an old name for this command.)
    Oxen 11 and later need both key_ed25519 and key_bls.

bls [--overwrite] FILENAME

    Generates a new BLS (BN254) secret key for service node registration and
    writes it to FILENAME (0x + 64 hex digits + newline). Same options.

legacy [--overwrite] FILENAME

    Generates a legacy primary secret key (32 raw bytes). As of Oxen 11 the
    legacy `key` file is no longer used; this exists for old setups.

show [--ed25519|--bls|--legacy] FILENAME

    Reads FILENAME and shows the secret and public keys it holds. The key type
    is detected from the file size unless one of the type options is given.

restore [--overwrite] FILENAME
restore-bls [--overwrite] FILENAME
restore-legacy [--overwrite] FILENAME

    Reads a secret key (64 hex digits, or for Ed25519 and legacy keys also 128
    hex digits: secret followed by public key, which is checked), shows the
    public keys it gives and writes it to FILENAME. On a terminal the secret
    is not echoed and you are asked to confirm before anything is written;
    otherwise it is read from standard input, e.g.
        printf %s \"$HEX\" | {argv0} restore-bls key_bls
    `restore` (alias `restore-ed25519`) is for key_ed25519, `restore-bls` for
    key_bls and `restore-legacy` for the legacy key. The file is written
    atomically and read back before success is reported; an existing file is
    only replaced with --overwrite and is kept as FILENAME.<UTC time>.bak.

Key guard: before --overwrite replaces an Ed25519 or BLS key, the tool reads
the node's config (--config-file FILE, default {cfg}) and refuses when the
running daemon uses the key, or when the ServiceNodeRewards contract lists the
node as registered (replacing its key deregisters it), or when that cannot be
checked; --replace-registered-key overrides the last two.

{EXIT_CODES}
",
        cfg = crate::guard::DEFAULT_CONFIG
    )
}

/// The command line described for clap_mangen and clap_complete; parsing is
/// done by [`run`].
pub fn command() -> clap::Command {
    use clap::{Arg, ArgAction, Command};
    let file = || {
        Arg::new("FILENAME")
            .required(true)
            .value_hint(clap::ValueHint::FilePath)
    };
    let overwrite = || {
        Arg::new("overwrite")
            .long("overwrite")
            .action(ArgAction::SetTrue)
            .help("Replace an existing file (the old one is kept as FILENAME.<UTC time>.bak)")
    };
    let gen = |name: &'static str, about: &'static str| {
        Command::new(name)
            .about(about)
            .arg(overwrite())
            .arg(
                Arg::new("replace-registered-key")
                    .long("replace-registered-key")
                    .action(ArgAction::SetTrue)
                    .help(
                        "With --overwrite: replace the key even when the node is registered \
                         (this deregisters it) or when that cannot be checked",
                    ),
            )
            .arg(
                Arg::new("config-file")
                    .long("config-file")
                    .value_name("FILE")
                    .value_hint(clap::ValueHint::FilePath)
                    .help("The node's config, for the key guard (default /etc/oxen/stagenet.conf)"),
            )
            .arg(file())
    };
    Command::new("oxen-sn-keys-snapshot")
        .version(env!("CARGO_PKG_VERSION"))
        .about("Generate, show and restore Session service node key files")
        .long_about(
            "Generate, show and restore the key files of a Session service node \
             (key_ed25519, key_bls and the legacy key), byte-compatible with oxen-core's \
             oxen-sn-keys. Files are written atomically with mode 0400; an existing key is \
             only replaced with --overwrite and is then kept as a .bak copy.",
        )
        .after_help(EXIT_CODES)
        .subcommand_required(true)
        .subcommand(gen("ed25519", "Generate an Ed25519 service node key").alias("generate"))
        .subcommand(gen("bls", "Generate a BLS (BN254) key"))
        .subcommand(gen("legacy", "Generate a legacy primary key"))
        .subcommand(
            Command::new("show")
                .about("Show the secret and public keys in a key file")
                .arg(
                    Arg::new("ed25519")
                        .long("ed25519")
                        .action(ArgAction::SetTrue),
                )
                .arg(Arg::new("bls").long("bls").action(ArgAction::SetTrue))
                .arg(Arg::new("legacy").long("legacy").action(ArgAction::SetTrue))
                .arg(file()),
        )
        .subcommand(
            gen("restore", "Restore an Ed25519 key from its hex secret").alias("restore-ed25519"),
        )
        .subcommand(gen("restore-bls", "Restore a BLS key from its hex secret"))
        .subcommand(gen(
            "restore-legacy",
            "Restore a legacy key from its hex secret",
        ))
}

fn is_help(arg: &str) -> bool {
    matches!(arg, "--help" | "-h" | "-?")
}

/// Runs the tool on `argv` (including argv[0]) and returns the exit code.
pub fn run(argv: &[OsString]) -> i32 {
    let argv0 = argv
        .first()
        .map(|a| a.to_string_lossy().into_owned())
        .unwrap_or_else(|| "oxen-sn-keys-snapshot".into());
    let Some(cmd) = argv.get(1) else {
        output::error("No command specified!");
        output::out(&usage(&argv0));
        return exit::USAGE;
    };
    let cmd = cmd.to_string_lossy();
    let args: Vec<String> = argv[2..]
        .iter()
        .map(|a| a.to_string_lossy().into_owned())
        .collect();
    if is_help(&cmd) || args.iter().any(|a| is_help(a)) {
        output::out(&usage(&argv0));
        return exit::OK;
    }
    if cmd == "--version" || cmd == "-V" || cmd == "version" {
        output::out(&format!(
            "oxen-sn-keys-snapshot {}\n",
            env!("CARGO_PKG_VERSION")
        ));
        return exit::OK;
    }
    let result = match cmd.as_ref() {
        "ed25519" | "generate" => generate::<Ed25519Secret>(args, Ed25519Secret::generate),
        "bls" => generate::<BlsSecret>(args, BlsSecret::generate),
        "legacy" => generate::<LegacySecret>(args, LegacySecret::generate),
        "show" => show(args),
        "restore" | "restore-ed25519" => restore(&cmd, KeyKind::Ed25519, args),
        "restore-bls" => restore(&cmd, KeyKind::Bls, args),
        "restore-legacy" => restore(&cmd, KeyKind::Legacy, args),
        other => {
            output::error(&format!("Unknown command `{other}'"));
            output::out(&usage(&argv0));
            return exit::USAGE;
        }
    };
    match result {
        Ok(()) => exit::OK,
        Err(failure) => {
            output::error(&failure.message);
            failure.code
        }
    }
}

/// Removes one `flag` if it is the first or the last argument.
fn take_flag(args: &mut Vec<String>, flag: &str) -> bool {
    if args.first().is_some_and(|a| a == flag) {
        args.remove(0);
        true
    } else if args.last().is_some_and(|a| a == flag) {
        args.pop();
        true
    } else {
        false
    }
}

/// Options of the commands that write a key.
#[derive(Default)]
struct WriteFlags {
    overwrite: bool,
    replace_registered: bool,
    config: Option<PathBuf>,
}

/// Takes `--overwrite`, `--replace-registered-key` and `--config-file FILE`
/// (or `--config-file=FILE`) from the start or the end of `args`, as
/// upstream does for `--overwrite`.
fn take_write_flags(args: &mut Vec<String>) -> Result<WriteFlags, Failure> {
    let mut flags = WriteFlags::default();
    // Each option is taken once, as upstream removes only one `--overwrite`:
    // a repeated one is left over and reported as an unknown argument.
    loop {
        if !flags.overwrite && take_flag(args, "--overwrite") {
            flags.overwrite = true;
        } else if !flags.replace_registered && take_flag(args, crate::guard::REPLACE_FLAG) {
            flags.replace_registered = true;
        } else if flags.config.is_some() {
            return Ok(flags);
        } else if args.first().is_some_and(|a| a == "--config-file") {
            if args.len() < 2 {
                return Err(Failure::new(exit::FAILED, "--config-file needs a FILE"));
            }
            flags.config = Some(PathBuf::from(args.remove(1)));
            args.remove(0);
        } else if args.len() >= 3 && args[args.len() - 2] == "--config-file" {
            flags.config = args.pop().map(PathBuf::from);
            args.pop();
        } else if let Some(v) = args.first().and_then(|a| a.strip_prefix("--config-file=")) {
            flags.config = Some(PathBuf::from(v));
            args.remove(0);
        } else if let Some(v) = args.last().and_then(|a| a.strip_prefix("--config-file=")) {
            flags.config = Some(PathBuf::from(v));
            args.pop();
        } else {
            return Ok(flags);
        }
    }
}

/// Runs the key guard before `path` (holding a `kind` key) is replaced by a
/// key whose public key is `new_pubkey` (when already known). Writing back
/// the key the file already holds replaces nothing and is not guarded.
fn guard_replacement(
    path: &Path,
    kind: KeyKind,
    flags: &WriteFlags,
    new_pubkey: Option<&str>,
) -> Outcome {
    use crate::guard::{inspect, Verdict};
    if !flags.overwrite || kind == KeyKind::Legacy || !path.exists() {
        return Ok(());
    }
    if let Some(new) = new_pubkey {
        if AnyKey::load(path, Some(kind)).is_ok_and(|current| current.public_hex() == new) {
            return Ok(());
        }
    }
    let shown = path.display();
    match inspect(path, kind, flags.config.as_deref()) {
        Verdict::NotRegistered => Ok(()),
        Verdict::DaemonRunning(addr) => Err(Failure::new(
            exit::DAEMON_RUNNING,
            format!(
                "Refusing to replace {shown}: oxend-stagenet is running (admin RPC {addr}) and \
                 uses the keys in this directory. Stop it first and start it again afterwards:\n  \
                 sudo systemctl stop oxen-stagenet-node\n  (run this command again)\n  \
                 sudo systemctl start oxen-stagenet-node"
            ),
        )),
        Verdict::Registered { id, pubkey } => {
            let what = format!(
                "{shown} is the {kind} key of the service node with {kind} pubkey {pubkey}, \
                 which the ServiceNodeRewards contract lists as registered (id {id}). Replacing \
                 it deregisters that node: the network treats it as an imposter and its stake \
                 stops earning."
            );
            allow_or_refuse(
                flags,
                &what,
                &format!("Refusing to replace {what} If that is really what you want, run again"),
            )
        }
        Verdict::Unknown(why) => {
            let what = format!(
                "cannot tell whether {shown} belongs to a registered service node: {why}. \
                 Replacing the key of a registered node deregisters it."
            );
            allow_or_refuse(
                flags,
                &what,
                &format!(
                    "Refusing to replace the key: {what} Check the node with `oxend-stagenet \
                     print_sn_status` (or pass --config-file FILE), and if you are sure run again"
                ),
            )
        }
    }
}

/// With `--replace-registered-key`: warn about `what` and go on; without:
/// fail with `refusal` followed by how to override.
fn allow_or_refuse(flags: &WriteFlags, what: &str, refusal: &str) -> Outcome {
    use crate::guard::REPLACE_FLAG;
    if flags.replace_registered {
        output::error(&format!(
            "Warning: {what} Replacing it as you asked ({REPLACE_FLAG})."
        ));
        Ok(())
    } else {
        Err(Failure::new(
            exit::REGISTERED,
            format!("{refusal} with {REPLACE_FLAG}."),
        ))
    }
}

/// The single FILENAME left after options, or upstream's messages.
fn single_file(mut args: Vec<String>, what: &str) -> Result<String, Failure> {
    match args.len() {
        1 => Ok(args.remove(0)),
        0 => Err(Failure::new(
            exit::FAILED,
            format!("{what} requires a FILENAME; see --help"),
        )),
        _ => Err(Failure::new(
            exit::FAILED,
            format!(
                "unknown arguments to '{what}': {}; pass one FILENAME (see --help)",
                args.join(" ")
            ),
        )),
    }
}

fn substitute_pubkey(filename: &str, pubkey_hex: &str) -> String {
    filename.replacen("PUBKEY", pubkey_hex, 1)
}

fn ed25519_block(key: &Ed25519Secret) -> Result<String, Failure> {
    let x25519 = key.x25519_public()?;
    Ok(format!(
        "\nPublic key:      {}\nX25519 pubkey:   {}\nLokinet address: {}\n",
        key.public_hex(),
        hex::encode(x25519),
        key.lokinet_address()
    ))
}

fn public_block(kind: KeyKind, key: &AnyKey) -> Result<String, Failure> {
    match key {
        AnyKey::Ed25519(k) => ed25519_block(k),
        _ => {
            debug_assert_eq!(kind, key.kind());
            Ok(format!("\nPublic key: {}\n", key.public_hex()))
        }
    }
}

fn report_written(written: &Written) {
    if let Some(backup) = &written.backup {
        output::note(&format!(
            "The previous key was kept in {}",
            backup.display()
        ));
    }
    if let Some((uid, gid)) = written.owner {
        let dir = match written.path.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.display().to_string(),
            _ => ".".into(),
        };
        let file = written.path.display();
        if (uid, gid) == (0, 0) {
            output::note(&format!(
                "Running as root: {file} is owned by root, as {dir} is. oxend-stagenet runs as \
                 _loki and cannot read it there; if this key is for the node, move it into its \
                 data directory or run: sudo chown _loki:_loki {file}"
            ));
        } else {
            output::note(&format!(
                "Running as root: {file} is owned by uid {uid} gid {gid}, the owner of {dir}"
            ));
        }
    }
}

fn generate<K: SecretKey + IntoAny>(
    mut args: Vec<String>,
    make: fn() -> Result<K, KeyError>,
) -> Outcome {
    let flags = take_write_flags(&mut args)?;
    let mut overwrite = flags.overwrite;
    let filename = single_file(args, "generate")?;
    if filename.contains("PUBKEY") {
        overwrite = true;
    } else {
        guard_replacement(Path::new(&filename), K::KIND, &flags, None)?;
    }
    if !overwrite && Path::new(&filename).symlink_metadata().is_ok() {
        return Err(Failure::new(
            exit::FAILED,
            format!(
                "{filename} to generate already exists, pass `--overwrite' if you want to \
                 overwrite it (the old key is then kept as a .bak copy)"
            ),
        ));
    }
    let key = make()?;
    let any = key.into_any();
    // Every check (the X25519 conversion included) runs before the file is
    // written: a failure never leaves a new key behind.
    let block = public_block(K::KIND, &any)?;
    let path = PathBuf::from(substitute_pubkey(&filename, &any.public_hex()));
    let written = write_any(
        &path,
        &any,
        WriteOptions {
            overwrite,
            ..WriteOptions::default()
        },
    )?;
    let kind = K::KIND;
    output::out(&block);
    let label = match kind {
        KeyKind::Ed25519 => "Ed25519",
        KeyKind::Bls => "BLS",
        KeyKind::Legacy => "legacy",
    };
    output::success(&format!(
        "Generated SN {label} secret key in {}",
        path.display()
    ));
    report_written(&written);
    Ok(())
}

/// Writes any kind of key with [`write_key`].
fn write_any(path: &Path, key: &AnyKey, opts: WriteOptions<'_>) -> Result<Written, KeyError> {
    match key {
        AnyKey::Ed25519(k) => write_key(path, k, opts),
        AnyKey::Bls(k) => write_key(path, k, opts),
        AnyKey::Legacy(k) => write_key(path, k, opts),
    }
}

/// Wraps a typed key as an [`AnyKey`].
trait IntoAny {
    fn into_any(self) -> AnyKey;
}

impl IntoAny for Ed25519Secret {
    fn into_any(self) -> AnyKey {
        AnyKey::Ed25519(self)
    }
}

impl IntoAny for BlsSecret {
    fn into_any(self) -> AnyKey {
        AnyKey::Bls(self)
    }
}

impl IntoAny for LegacySecret {
    fn into_any(self) -> AnyKey {
        AnyKey::Legacy(self)
    }
}

fn show(mut args: Vec<String>) -> Outcome {
    let kind = if take_flag(&mut args, "--legacy") {
        Some(KeyKind::Legacy)
    } else if take_flag(&mut args, "--ed25519") {
        Some(KeyKind::Ed25519)
    } else if take_flag(&mut args, "--bls") {
        Some(KeyKind::Bls)
    } else {
        None
    };
    let filename = single_file(args, "show")?;
    let path = Path::new(&filename);
    let key = AnyKey::load(path, kind)?;
    let text = match &key {
        AnyKey::Ed25519(k) => {
            let seed = Zeroizing::new(hex::encode(k.seed()));
            format!(
                "\n{} (Ed25519 SN keypair)\n==========\nSecret key:      {}\nPublic key:      {}\n\
                 X25519 pubkey:   {}\nLokinet address: {}\n\n",
                path.display(),
                seed.as_str(),
                k.public_hex(),
                hex::encode(k.x25519_public()?),
                k.lokinet_address()
            )
        }
        AnyKey::Bls(k) => {
            let secret = Zeroizing::new(hex::encode(k.expose_bytes()));
            format!(
                "\n{} (BLS SN keypair)\n==========\nSecret key: 0x{}\nPublic key: 0x{}\n\n",
                path.display(),
                secret.as_str(),
                k.public_hex()
            )
        }
        AnyKey::Legacy(k) => {
            let secret = Zeroizing::new(hex::encode(k.expose_bytes()));
            format!(
                "\n{} (legacy SN keypair)\n==========\nPrivate key: {}\nPublic key:  {}\n\n",
                path.display(),
                secret.as_str(),
                k.public_hex()
            )
        }
    };
    output::out(&Zeroizing::new(text));
    Ok(())
}

/// Parses the restore input (`0x` optional) into a key of `kind`, checking
/// an appended public key.
fn parse_restore_input(kind: KeyKind, line: &[u8]) -> Result<AnyKey, Failure> {
    let text = line.trim_ascii();
    let text = text.strip_prefix(b"0x").unwrap_or(text);
    let expected = match kind {
        KeyKind::Bls => "64 hex characters",
        _ => "64 hex characters (or 128: secret key followed by public key)",
    };
    let bad = || Failure::from(KeyError::InvalidInput { expected });
    let allowed = match kind {
        KeyKind::Bls => text.len() == 64,
        _ => text.len() == 64 || text.len() == 128,
    };
    if !allowed {
        return Err(bad());
    }
    let mut bytes = Zeroizing::new(vec![0u8; text.len() / 2]);
    hex::decode_to_slice(text, &mut bytes[..]).map_err(|_| bad())?;
    let secret: &[u8; 32] = bytes[..32].try_into().map_err(|_| bad())?;
    let key = match kind {
        KeyKind::Ed25519 => AnyKey::Ed25519(Ed25519Secret::from_seed(secret)),
        KeyKind::Bls => AnyKey::Bls(BlsSecret::from_bytes(secret)),
        KeyKind::Legacy => AnyKey::Legacy(LegacySecret::from_bytes(secret)),
    };
    if degenerate(&key) {
        return Err(Failure::new(
            exit::BAD_INPUT,
            "Invalid input: this secret key is degenerate (zero, or its public key is the \
             identity point) and cannot be a node's key; provide the secret key you saved",
        ));
    }
    if bytes.len() == 64 {
        let provided = hex::encode(&bytes[32..]);
        if provided != key.public_hex() {
            return Err(KeyError::ProvidedPubkeyMismatch {
                derived: key.public_hex(),
                provided,
            }
            .into());
        }
    }
    Ok(key)
}

/// A key no node can have: an all-zero secret, a BLS public key at infinity
/// (all zeros: the secret is a multiple of the group order) or a legacy
/// public key that is the Ed25519 identity point.
fn degenerate(key: &AnyKey) -> bool {
    const ED_IDENTITY: &str = "0100000000000000000000000000000000000000000000000000000000000000";
    match key {
        AnyKey::Ed25519(k) => k.seed().iter().all(|&b| b == 0),
        AnyKey::Bls(k) => k.public_key().iter().all(|&b| b == 0),
        AnyKey::Legacy(k) => {
            k.expose_bytes().iter().all(|&b| b == 0) || k.public_hex() == ED_IDENTITY
        }
    }
}

/// The command meant for a file named like an oxend key file, if any.
fn command_for_file_name(filename: &str) -> Option<(&'static str, KeyKind)> {
    let base = filename.rsplit('/').next().unwrap_or(filename);
    match base {
        "key" => Some(("restore-legacy", KeyKind::Legacy)),
        "key_ed25519" => Some(("restore", KeyKind::Ed25519)),
        "key_bls" => Some(("restore-bls", KeyKind::Bls)),
        _ => None,
    }
}

fn restore(cmd: &str, kind: KeyKind, mut args: Vec<String>) -> Outcome {
    let flags = take_write_flags(&mut args)?;
    let overwrite = flags.overwrite;
    // Upstream uses the same messages for all three restore commands.
    let filename = single_file(args, "restore")?;
    let exists_error = |name: &str| {
        Failure::new(
            exit::FAILED,
            format!(
                "{name} already exists, pass `--overwrite' if you want to overwrite it \
                 (the old key is then kept as a .bak copy)"
            ),
        )
    };
    if !overwrite && !filename.contains("PUBKEY") && Path::new(&filename).exists() {
        return Err(exists_error(&filename));
    }
    let tty = input::stdin_is_terminal();
    let prompt = match kind {
        KeyKind::Ed25519 => "Enter the Ed25519 secret key:\n",
        KeyKind::Bls => "Enter the BLS secret key:\n",
        KeyKind::Legacy => "Enter the legacy SN secret key:\n",
    };
    let line = input::read_secret(prompt)
        .ok_or_else(|| Failure::new(exit::BAD_INPUT, "Invalid input, aborting!"))?;
    let key = parse_restore_input(kind, &line)?;
    drop(line);
    output::out(&public_block(kind, &key)?);

    if let Some((right_cmd, file_kind)) = command_for_file_name(&filename) {
        if file_kind != kind {
            output::error(&format!(
                "\nWarning: You are trying to restore a file named '{filename}' using the \
                 '{cmd}'\ncommand, which is intended for the '{}' key file.  You may have \
                 intended\nto use the '{right_cmd}' command instead.",
                kind.file_name()
            ));
            output::out("\nIs this correct?  Press Enter to continue, Ctrl-C to cancel.\n");
            if !input::wait_for_enter() {
                return Err(Failure::new(exit::ABORTED, "Aborted"));
            }
        }
    }
    if !filename.contains("PUBKEY") {
        guard_replacement(Path::new(&filename), kind, &flags, Some(&key.public_hex()))?;
    }
    let path = PathBuf::from(substitute_pubkey(&filename, &key.public_hex()));
    if !overwrite && path.exists() {
        return Err(exists_error(&path.display().to_string()));
    }
    if tty {
        output::out(&format!("\nWrite this key to {}? [y/N] ", path.display()));
        if !input::confirm() {
            return Err(Failure::new(exit::ABORTED, "Aborted; nothing was written"));
        }
    }
    let opts = WriteOptions {
        overwrite,
        ..WriteOptions::default()
    };
    let written = write_any(&path, &key, opts)?;
    output::success_line(&format!("Saved secret key to {}", path.display()));
    report_written(&written);
    Ok(())
}
