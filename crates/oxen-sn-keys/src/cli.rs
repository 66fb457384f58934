//! Command dispatch, argument rules and output layout (docs/compat/keys.md).

use std::ffi::OsString;
use std::path::{Path, PathBuf};

use snode_keys::format::AnyKey;
use snode_keys::write::{write_key, WriteOptions, Written};
use snode_keys::{BlsSecret, Ed25519Secret, KeyError, KeyKind, LegacySecret, SecretKey};
use zeroize::Zeroizing;

use crate::guard::{inspect, Verdict};
use crate::{input, output};

/// The exit codes (docs/compat/keys.md): upstream's values, each with its
/// meaning as `--help` and the man page list it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub enum Exit {
    Ok = 0,
    Usage = 1,
    Failed = 2,
    BadInput = 7,
    SelfCheck = 11,
    EmbeddedMismatch = 13,
    X25519 = 14,
    Registered = 15,
    DaemonRunning = 16,
    Aborted = 99,
}

impl Exit {
    /// Every code, in the order of the table.
    pub const ALL: [Exit; 10] = [
        Exit::Ok,
        Exit::Usage,
        Exit::Failed,
        Exit::BadInput,
        Exit::SelfCheck,
        Exit::EmbeddedMismatch,
        Exit::X25519,
        Exit::Registered,
        Exit::DaemonRunning,
        Exit::Aborted,
    ];

    /// The process exit status.
    pub const fn code(self) -> i32 {
        self as i32
    }

    /// What the code means (continuation lines indented for the table).
    pub const fn meaning(self) -> &'static str {
        match self {
            Exit::Ok => "success",
            Exit::Usage => "no command or unknown command",
            Exit::Failed => {
                "bad arguments, file exists, I/O error (run this with sudo when\n      \
                 a file cannot be read or written), unrecognised or corrupt key file,\n      \
                 pubkey mismatch in restore input"
            }
            Exit::BadInput => "invalid restore input",
            Exit::SelfCheck => "internal pubkey self-check failed",
            Exit::EmbeddedMismatch => {
                "show: the pubkey embedded in an Ed25519 key file is not the derived one"
            }
            Exit::X25519 => "the Ed25519 pubkey cannot be converted to X25519",
            Exit::Registered => {
                "--overwrite refused: the key belongs to a node the ServiceNodeRewards\n      \
                 contract lists as registered, or that cannot be checked (see\n      \
                 --replace-registered-key)"
            }
            Exit::DaemonRunning => "--overwrite refused: the running oxend-stagenet uses this key",
            Exit::Aborted => "restore aborted at a confirmation",
        }
    }

    /// The table of every code, as `--help` and the man page show it.
    pub fn table() -> String {
        Exit::ALL.iter().fold(String::from("Exit codes:"), |t, e| {
            t + &format!("\n  {:<3} {}", e.code(), e.meaning())
        })
    }
}

/// An error that ends the program with `code` after printing `message`.
struct Failure {
    code: i32,
    message: String,
}

impl Failure {
    fn new(code: Exit, message: impl Into<String>) -> Self {
        Self {
            code: code.code(),
            message: message.into(),
        }
    }
}

impl From<KeyError> for Failure {
    fn from(err: KeyError) -> Self {
        let code = match err {
            KeyError::EmbeddedPubkeyMismatch { .. } => Exit::EmbeddedMismatch,
            KeyError::InvalidInput { .. } => Exit::BadInput,
            KeyError::X25519Conversion => Exit::X25519,
            KeyError::SelfCheck => Exit::SelfCheck,
            _ => Exit::Failed,
        };
        Failure::new(code, err.to_string())
    }
}

type Outcome = Result<(), Failure>;

/// The flags the hand-written parser below accepts, each declared in
/// [`command`] too (a unit test checks both ways).
const OVERWRITE: &str = "--overwrite";
const CONFIG_FILE: &str = "--config-file";

const GENERATE_ABOUT: &str = "\
Generates a new Ed25519 service node keypair and writes the secret key to \
FILENAME (0x + 128 hex digits + newline, mode 0400). If FILENAME contains \
the string \"PUBKEY\" it is replaced with the generated public key value; \
such a name cannot already hold another key, so --overwrite is implied. \
An existing file is only replaced with --overwrite, and is then kept as \
FILENAME.<UTC time>.bak. (`generate` is an old name for this command.) \
Oxen 11 and later need both key_ed25519 and key_bls.";

const BLS_ABOUT: &str = "\
Generates a new BLS (BN254) secret key for service node registration and \
writes it to FILENAME (0x + 64 hex digits + newline). Same options.";

const LEGACY_ABOUT: &str = "\
Generates a legacy primary secret key (32 raw bytes, a scalar reduced mod l, \
as oxend requires). As of Oxen 11 the legacy `key` file is no longer used; \
this exists for old setups.";

const SHOW_ABOUT: &str = "\
Reads FILENAME and shows the secret and public keys it holds. The key type \
is detected from the file size unless one of the type options is given.";

const RESTORE_ABOUT: &str = "\
Reads a secret key (64 hex digits, or for Ed25519 and legacy keys also 128 \
hex digits: secret followed by public key, which is checked), shows the \
public keys it gives and writes it to FILENAME. On a terminal the secret \
is not echoed and you are asked to confirm before anything is written; \
otherwise it is read from standard input, e.g.\n\
\x20   printf %s \"$HEX\" | oxen-sn-keys-snapshot restore-bls key_bls\n\
`restore` (alias `restore-ed25519`) is for key_ed25519, `restore-bls` for \
key_bls and `restore-legacy` for the legacy key. The file is written \
atomically and read back before success is reported; an existing file is \
only replaced with --overwrite and is kept as FILENAME.<UTC time>.bak.";

const GUARD_ABOUT: &str = "\
Key guard: before --overwrite replaces an Ed25519 or BLS key, the tool reads \
the node's config (--config-file FILE, default /etc/oxen/stagenet.conf) and refuses when the \
running daemon uses the key, or when the ServiceNodeRewards contract lists the \
node as registered (replacing its key deregisters it), or when that cannot be \
checked; --replace-registered-key overrides the last two.";

/// `text` wrapped at `width` columns, each line indented by `indent`;
/// a line break in `text` is kept (lines that start with blanks are examples
/// and are kept as they are).
fn wrap(text: &str, indent: &str, width: usize) -> String {
    let mut out = String::new();
    for line in text.lines() {
        if line.starts_with(' ') {
            out += &format!("{indent}{line}\n");
            continue;
        }
        let mut cur = String::new();
        for word in line.split(' ') {
            if !cur.is_empty() && indent.len() + cur.len() + 1 + word.len() > width {
                out += &format!("{indent}{cur}\n");
                cur.clear();
            }
            if !cur.is_empty() {
                cur.push(' ');
            }
            cur += word;
        }
        out += &format!("{indent}{cur}\n");
    }
    out
}

/// One synopsis line of `sub`: its name, its options (those of a group as
/// `[--a|--b]`; the key guard's, hidden from the short help, left to the
/// guard paragraph) and FILENAME.
fn synopsis(sub: &clap::Command) -> String {
    let mut line = sub.get_name().to_string();
    let mut grouped = Vec::new();
    for group in sub.get_groups() {
        let longs: Vec<String> = group
            .get_args()
            .filter_map(|id| sub.get_arguments().find(|a| a.get_id() == id))
            .filter_map(|a| a.get_long().map(|l| format!("--{l}")))
            .collect();
        line += &format!(" [{}]", longs.join("|"));
        grouped.extend(group.get_args().cloned());
    }
    for arg in sub.get_arguments() {
        if arg.is_hide_short_help_set() || grouped.contains(arg.get_id()) {
            continue;
        }
        match arg.get_long() {
            Some(long) => line += &format!(" [--{long}]"),
            None => line += &format!(" {}", arg.get_id()),
        }
    }
    line
}

/// The usage text, for `argv0` as invoked: upstream's layout, rendered from
/// [`command`] (the source of the man page and completions too).
pub fn usage(argv0: &str) -> String {
    let cmd = command();
    let mut text = format!("Usage: {argv0} COMMAND [OPTIONS...] where support COMMANDs are:\n\n");
    let subs: Vec<&clap::Command> = cmd.get_subcommands().collect();
    for (i, sub) in subs.iter().enumerate() {
        text += &synopsis(sub);
        text.push('\n');
        let about = sub.get_long_about().map(ToString::to_string);
        // Commands sharing one description (the restores) show it once, after the last.
        let next = subs
            .get(i + 1)
            .and_then(|n| n.get_long_about())
            .map(ToString::to_string);
        if about.is_some() && about != next {
            text.push('\n');
            text += &wrap(&about.unwrap_or_default(), "    ", 78);
            text.push('\n');
        }
    }
    text += &wrap(GUARD_ABOUT, "", 78);
    text.push('\n');
    text += &Exit::table();
    text.push('\n');
    text
}

/// The command line: the source of [`usage`], the man page and the
/// completions. Parsing is done by [`run`], by hand, because upstream's
/// rules (`--overwrite` only first or last, `PUBKEY` substitution, exit
/// codes) are not clap's; a unit test checks that every flag [`run`]
/// accepts is declared here.
pub fn command() -> clap::Command {
    use clap::{Arg, ArgAction, ArgGroup, Command};
    let file = || {
        Arg::new("FILENAME")
            .required(true)
            .value_hint(clap::ValueHint::FilePath)
    };
    let write = |name: &'static str, about: &'static str, long: &'static str| {
        Command::new(name)
            .about(about)
            .long_about(long)
            .arg(
                Arg::new("overwrite")
                    .long(&OVERWRITE[2..])
                    .action(ArgAction::SetTrue)
                    .help(
                        "Replace an existing file (the old one is kept as FILENAME.<UTC time>.bak)",
                    ),
            )
            .arg(
                Arg::new("replace-registered-key")
                    .long(&crate::guard::REPLACE_FLAG[2..])
                    .action(ArgAction::SetTrue)
                    .hide_short_help(true)
                    .help(
                        "With --overwrite: replace the key even when the node is registered \
                         (this deregisters it) or when that cannot be checked",
                    ),
            )
            .arg(
                Arg::new("config-file")
                    .long(&CONFIG_FILE[2..])
                    .value_name("FILE")
                    .value_hint(clap::ValueHint::FilePath)
                    .hide_short_help(true)
                    .help("The node's config, for the key guard (default /etc/oxen/stagenet.conf)"),
            )
            .arg(file())
    };
    let kind_flag = |name: &'static str, help: &'static str| {
        Arg::new(name)
            .long(name)
            .action(ArgAction::SetTrue)
            .help(help)
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
        .after_help(format!("{GUARD_ABOUT}\n\n{}", Exit::table()))
        .subcommand_required(true)
        .subcommand(
            write(
                "ed25519",
                "Generate an Ed25519 service node key",
                GENERATE_ABOUT,
            )
            .alias("generate"),
        )
        .subcommand(write("bls", "Generate a BLS (BN254) key", BLS_ABOUT))
        .subcommand(write(
            "legacy",
            "Generate a legacy primary key",
            LEGACY_ABOUT,
        ))
        .subcommand(
            Command::new("show")
                .about("Show the secret and public keys in a key file")
                .long_about(SHOW_ABOUT)
                .arg(kind_flag("ed25519", "Read FILENAME as an Ed25519 key file"))
                .arg(kind_flag("bls", "Read FILENAME as a BLS key file"))
                .arg(kind_flag("legacy", "Read FILENAME as a legacy key file"))
                .group(ArgGroup::new("kind").args(["ed25519", "bls", "legacy"]))
                .arg(file()),
        )
        .subcommand(
            write(
                "restore",
                "Restore an Ed25519 key from its hex secret",
                RESTORE_ABOUT,
            )
            .alias("restore-ed25519"),
        )
        .subcommand(write(
            "restore-bls",
            "Restore a BLS key from its hex secret",
            RESTORE_ABOUT,
        ))
        .subcommand(write(
            "restore-legacy",
            "Restore a legacy key from its hex secret",
            RESTORE_ABOUT,
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
        return Exit::Usage.code();
    };
    let cmd = cmd.to_string_lossy();
    let args: Vec<String> = argv[2..]
        .iter()
        .map(|a| a.to_string_lossy().into_owned())
        .collect();
    if is_help(&cmd) || args.iter().any(|a| is_help(a)) {
        output::out(&usage(&argv0));
        return Exit::Ok.code();
    }
    if cmd == "--version" || cmd == "-V" || cmd == "version" {
        output::out(&format!(
            "oxen-sn-keys-snapshot {}\n",
            env!("CARGO_PKG_VERSION")
        ));
        return Exit::Ok.code();
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
            return Exit::Usage.code();
        }
    };
    match result {
        Ok(()) => Exit::Ok.code(),
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
        if !flags.overwrite && take_flag(args, OVERWRITE) {
            flags.overwrite = true;
        } else if !flags.replace_registered && take_flag(args, crate::guard::REPLACE_FLAG) {
            flags.replace_registered = true;
        } else if flags.config.is_some() {
            return Ok(flags);
        } else if args.first().is_some_and(|a| a == CONFIG_FILE) {
            if args.len() < 2 {
                return Err(Failure::new(Exit::Failed, "--config-file needs a FILE"));
            }
            flags.config = Some(PathBuf::from(args.remove(1)));
            args.remove(0);
        } else if args.len() >= 3 && args[args.len() - 2] == CONFIG_FILE {
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

/// Fails, before anything is asked or generated, when the directory of
/// `path` cannot take a new file (permission denied: run this with sudo;
/// missing; read-only), in the words of the write that would fail.
fn check_writable_dir(path: &Path) -> Outcome {
    use rustix::fs::{access, Access};
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    access(dir, Access::WRITE_OK).map_err(|errno| {
        Failure::from(KeyError::Write {
            path: path.to_path_buf(),
            source: std::io::Error::from_raw_os_error(errno.raw_os_error()),
        })
    })
}

/// The key guard's findings on replacing `path` (a `kind` key), before the
/// new key is asked for or made: a running daemon (exit 16) or a file this
/// user cannot read (exit 2, run this with sudo) end the command at once; a
/// registration, or one that cannot be checked, is returned, to be decided by
/// [`guard_decide`] once the new key is known. `None` when nothing is
/// replaced or no guard applies.
fn guard_inspect(
    path: &Path,
    kind: KeyKind,
    flags: &WriteFlags,
) -> Result<Option<Verdict>, Failure> {
    if !flags.overwrite || kind == KeyKind::Legacy || !path.exists() {
        return Ok(None);
    }
    let shown = path.display();
    match inspect(path, kind, flags.config.as_deref()) {
        Verdict::NotRegistered => Ok(None),
        Verdict::DaemonRunning(addr) => Err(Failure::new(
            Exit::DaemonRunning,
            format!(
                "Refusing to replace {shown}: oxend-stagenet is running (admin RPC {addr}) and \
                 uses the keys in this directory. Stop it first and start it again afterwards:\n  \
                 sudo systemctl stop oxen-stagenet-node\n  (run this command again)\n  \
                 sudo systemctl start oxen-stagenet-node"
            ),
        )),
        Verdict::Denied(denied) => Err(Failure::new(Exit::Failed, denied.to_string())),
        pending => Ok(Some(pending)),
    }
}

/// Decides a verdict of [`guard_inspect`] once the new key's public key is
/// known (`new_pubkey`; `None` for a generated key): writing back the key
/// the file already holds replaces nothing and is allowed.
fn guard_decide(
    path: &Path,
    kind: KeyKind,
    flags: &WriteFlags,
    verdict: Option<Verdict>,
    new_pubkey: Option<&str>,
) -> Outcome {
    let Some(verdict) = verdict else {
        return Ok(());
    };
    if let Some(new) = new_pubkey {
        if AnyKey::load(path, Some(kind)).is_ok_and(|current| current.public_hex() == new) {
            return Ok(());
        }
    }
    let shown = path.display();
    match verdict {
        Verdict::Registered { id, pubkey } => {
            let fact = format!(
                "it is the {kind} key of the service node with {kind} pubkey {pubkey}, which the \
                 ServiceNodeRewards contract lists as registered (id {id}). Replacing it \
                 deregisters that node: the network treats it as an imposter and its stake stops \
                 earning."
            );
            allow_or_refuse(
                flags,
                &format!("{shown}: {fact}"),
                &format!(
                    "Refusing to replace {shown}: {fact} If that is really what you want, run again"
                ),
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
        _ => Ok(()),
    }
}

/// Before the secret is asked for: says that the replacement will be refused
/// unless the key entered is the one the file already holds.
fn announce_pending(path: &Path, flags: &WriteFlags, verdict: &Option<Verdict>) {
    if flags.replace_registered {
        return;
    }
    let shown = path.display();
    let why = match verdict {
        Some(Verdict::Registered { id, .. }) => {
            format!("{shown} is the key of a registered service node (id {id})")
        }
        Some(Verdict::Unknown(_)) => {
            format!("whether {shown} belongs to a registered service node cannot be checked")
        }
        _ => return,
    };
    output::error(&format!(
        "Note: {why}; unless you enter the key it already holds, it will not be replaced \
         ({} overrides this).",
        crate::guard::REPLACE_FLAG
    ));
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
            Exit::Registered,
            format!("{refusal} with {REPLACE_FLAG}."),
        ))
    }
}

/// The single FILENAME left after options, or upstream's messages.
fn single_file(mut args: Vec<String>, what: &str) -> Result<String, Failure> {
    match args.len() {
        1 => Ok(args.remove(0)),
        0 => Err(Failure::new(
            Exit::Failed,
            format!("{what} requires a FILENAME; see --help"),
        )),
        _ => Err(Failure::new(
            Exit::Failed,
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
    check_writable_dir(Path::new(&filename))?;
    if filename.contains("PUBKEY") {
        overwrite = true;
    } else {
        let verdict = guard_inspect(Path::new(&filename), K::KIND, &flags)?;
        guard_decide(Path::new(&filename), K::KIND, &flags, verdict, None)?;
    }
    if !overwrite && Path::new(&filename).symlink_metadata().is_ok() {
        return Err(Failure::new(
            Exit::Failed,
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

/// Parses the restore input into a key of `kind`, checking an appended
/// public key. Accepted: the hex secret (`0x` optional), or a whole
/// `Secret key:` / `Private key:` line as `show` prints it. Anything else is
/// refused with what was given (how many hex digits, blanks inside, a public
/// key line, an Ed25519 key given to restore-bls), never echoing it.
fn parse_restore_input(kind: KeyKind, line: &[u8]) -> Result<AnyKey, Failure> {
    let text = Zeroizing::new(String::from_utf8_lossy(line.trim_ascii()).into_owned());
    let expected = match kind {
        KeyKind::Bls => "64 hex digits",
        _ => "64 hex digits (or 128: secret key followed by public key)",
    };
    let invalid = |what: String| {
        Failure::new(
            Exit::BadInput,
            format!(
                "Invalid input: {what}; provide the secret key as {expected}. Nothing was written."
            ),
        )
    };
    // A whole line of `show`, label included.
    let value = match text.split_once(':') {
        None => text.as_str(),
        Some((label, value)) => match label.trim().to_ascii_lowercase().as_str() {
            "secret key" | "private key" => value,
            "public key" | "x25519 pubkey" | "lokinet address" => {
                return Err(invalid(format!(
                    "this is the `{}:` line of `show`, a public value; restore needs the \
                     secret key (the `Secret key:` line, `Private key:` for a legacy key)",
                    label.trim()
                )))
            }
            _ => return Err(invalid("this is not a hex key".to_string())),
        },
    };
    let value = value.trim();
    let value = value.strip_prefix("0x").unwrap_or(value);
    let digits = value.chars().filter(char::is_ascii_hexdigit).count();
    let blanks = value.chars().any(char::is_whitespace);
    let others = value
        .chars()
        .filter(|c| !c.is_ascii_hexdigit() && !c.is_whitespace())
        .count();
    if blanks || others > 0 {
        let mut what = format!("{digits} hex digits given");
        if blanks {
            what += ", with blanks between them (paste the key as one word)";
        }
        if others > 0 {
            what += &format!(", and {others} other characters");
        }
        return Err(invalid(what));
    }
    if kind == KeyKind::Bls && digits == 128 {
        let mut bytes = Zeroizing::new([0u8; 64]);
        hex::decode_to_slice(value, &mut bytes[..]).map_err(|_| invalid("not hex".into()))?;
        let seed: &[u8; 32] = bytes[..32]
            .try_into()
            .map_err(|_| invalid("not hex".into()))?;
        let ed = Ed25519Secret::from_seed(seed);
        let what = if ed.public_key()[..] == bytes[32..] {
            "128 hex digits given: that is an Ed25519 key (secret followed by its public key), \
             which belongs in key_ed25519 (`restore key_ed25519`), not a BLS key"
        } else {
            "128 hex digits given: that is the length of a BLS public key, not of its secret key"
        };
        return Err(invalid(what.to_string()));
    }
    let allowed = match kind {
        KeyKind::Bls => digits == 64,
        _ => digits == 64 || digits == 128,
    };
    if !allowed {
        return Err(invalid(format!("{digits} hex digits given")));
    }
    let mut bytes = Zeroizing::new(vec![0u8; digits / 2]);
    hex::decode_to_slice(value, &mut bytes[..]).map_err(|_| invalid("not hex".into()))?;
    let secret: &[u8; 32] = bytes[..32]
        .try_into()
        .map_err(|_| invalid(format!("{digits} hex digits given")))?;
    let key = match kind {
        KeyKind::Ed25519 => AnyKey::Ed25519(Ed25519Secret::from_seed(secret)),
        KeyKind::Bls => AnyKey::Bls(BlsSecret::from_bytes(secret)),
        KeyKind::Legacy => AnyKey::Legacy(LegacySecret::from_bytes(secret)),
    };
    if degenerate(&key) {
        return Err(Failure::new(
            Exit::BadInput,
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
            Exit::Failed,
            format!(
                "{name} already exists, pass `--overwrite' if you want to overwrite it \
                 (the old key is then kept as a .bak copy)"
            ),
        )
    };
    if !overwrite && !filename.contains("PUBKEY") && Path::new(&filename).exists() {
        return Err(exists_error(&filename));
    }
    // Everything that can be checked is checked before the secret is asked for.
    check_writable_dir(Path::new(&filename))?;
    let verdict = if filename.contains("PUBKEY") {
        None
    } else {
        guard_inspect(Path::new(&filename), kind, &flags)?
    };
    announce_pending(Path::new(&filename), &flags, &verdict);
    let tty = input::stdin_is_terminal();
    let prompt = match kind {
        KeyKind::Ed25519 => "Enter the Ed25519 secret key:\n",
        KeyKind::Bls => "Enter the BLS secret key:\n",
        KeyKind::Legacy => "Enter the legacy SN secret key:\n",
    };
    let line = input::read_secret(prompt)
        .ok_or_else(|| Failure::new(Exit::BadInput, "Invalid input, aborting!"))?;
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
                return Err(Failure::new(Exit::Aborted, "Aborted"));
            }
        }
    }
    guard_decide(
        Path::new(&filename),
        kind,
        &flags,
        verdict,
        Some(&key.public_hex()),
    )?;
    let path = PathBuf::from(substitute_pubkey(&filename, &key.public_hex()));
    if !overwrite && path.exists() {
        return Err(exists_error(&path.display().to_string()));
    }
    if tty {
        output::out(&format!("\nWrite this key to {}? [y/N] ", path.display()));
        if !input::confirm() {
            return Err(Failure::new(Exit::Aborted, "Aborted; nothing was written"));
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

#[cfg(test)]
mod tests {
    use super::*;

    /// Every `--flag` written in the hand-written parser (this file and the
    /// guard), as the source spells it.
    fn flags_in_source() -> Vec<String> {
        let source = [include_str!("cli.rs"), include_str!("guard.rs")].concat();
        // Each string literal that starts with `--` and is a whole flag
        // (closed by `"`, or by `="` for `--config-file=`).
        let mut flags: Vec<String> = source
            .match_indices("\"--")
            .filter_map(|(at, _)| {
                let rest = &source[at + 3..];
                let len = rest
                    .find(|c: char| !(c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-'))
                    .unwrap_or(rest.len());
                let closed = rest[len..].starts_with('"') || rest[len..].starts_with("=\"");
                (len > 0 && closed).then(|| rest[..len].to_string())
            })
            .collect();
        flags.sort();
        flags.dedup();
        flags
    }

    /// Every long option the clap definition declares, on any command.
    fn declared() -> Vec<String> {
        let cmd = command();
        let mut longs: Vec<String> = std::iter::once(&cmd)
            .chain(cmd.get_subcommands())
            .flat_map(|c| c.get_arguments())
            .filter_map(|a| a.get_long().map(str::to_string))
            .collect();
        // clap's own, which `run` handles by hand as upstream does.
        longs.extend(["help".to_string(), "version".to_string()]);
        longs.sort();
        longs.dedup();
        longs
    }

    #[test]
    fn every_accepted_flag_is_declared_and_every_declared_one_is_accepted() {
        let source = flags_in_source();
        assert!(source.contains(&"overwrite".to_string()), "{source:?}");
        assert!(source.contains(&"config-file".to_string()), "{source:?}");
        assert_eq!(source, declared());
    }

    #[test]
    fn usage_is_rendered_from_the_definition() {
        let text = usage("oxen-sn-keys-snapshot");
        for line in [
            "ed25519 [--overwrite] FILENAME",
            "bls [--overwrite] FILENAME",
            "legacy [--overwrite] FILENAME",
            "show [--ed25519|--bls|--legacy] FILENAME",
            "restore [--overwrite] FILENAME",
            "restore-bls [--overwrite] FILENAME",
            "restore-legacy [--overwrite] FILENAME",
        ] {
            assert!(text.lines().any(|l| l == line), "{line} missing:\n{text}");
        }
        // The restores share one description, shown once.
        assert_eq!(
            text.matches("`restore` (alias `restore-ed25519`)").count(),
            1
        );
        for e in Exit::ALL {
            assert!(
                text.contains(&format!("\n  {:<3} {}", e.code(), e.meaning())),
                "{e:?}"
            );
        }
        assert!(text.contains("--replace-registered-key overrides"));
        assert!(text.lines().all(|l| l.len() <= 80), "{text}");
        // The man page carries the same table.
        let after = command().get_after_help().map(ToString::to_string);
        assert!(after.is_some_and(|a| a.contains(&Exit::table())));
    }
}
