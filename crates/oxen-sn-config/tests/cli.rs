//! `oxen-sn-config render|set|validate|show` on real files.

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;

use crate::support::run;

const OPERATOR: &str = include_str!("../../conf/tests/data/operator-edited.conf");
const TEMPLATE: &str = include_str!("../../../debian/stagenet.conf");
const KEY: &str = "abcdEFGH1234ijklMNOP5678qrst";

fn p(path: &Path) -> &str {
    path.to_str().unwrap()
}

const HARD: [&str; 4] = [
    "https://arb-sepolia.g.alchemy.com/v2/key&more",
    "https://rpc.example/path?a=1&b=2",
    "https://rpc.example/a%2Fb?x=%2F",
    "https://user:pass@rpc.example:8443/rpc",
];

#[test]
fn set_creates_the_file_from_the_template_with_mode_0640() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("stagenet.conf");
    let mut args = vec!["set", "--public-ip", "51.15.0.7"];
    for u in HARD {
        args.extend(["--l2-provider", u]);
    }
    args.push(p(&file));
    let (code, out, err) = run(&args);
    assert_eq!(code, 0, "{out}{err}");
    let text = fs::read_to_string(&file).unwrap();
    let (_, rendered, _) = run(&[
        "render",
        "--public-ip",
        "51.15.0.7",
        "--l2-provider",
        &HARD.join(", "),
    ]);
    assert_eq!(text, rendered, "set on a new file = render");
    for u in HARD {
        assert!(
            text.lines().any(|l| l == format!("l2-provider={u}")),
            "{u}\n{text}"
        );
    }
    assert_eq!(
        fs::metadata(&file).unwrap().permissions().mode() & 0o777,
        0o640
    );
    let (code, out, _) = run(&["validate", p(&file)]);
    assert_eq!(code, 0, "{out}");

    // Again: same bytes.
    let (code, _, _) = run(&args);
    assert_eq!(code, 0);
    assert_eq!(fs::read_to_string(&file).unwrap(), text);
}

#[test]
fn set_edits_in_place_keeping_other_lines() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("stagenet.conf");
    let crlf = OPERATOR.replace('\n', "\r\n");
    fs::write(&file, &crlf).unwrap();
    let (code, out, err) = run(&["set", "--l2-provider", HARD[1], p(&file)]);
    assert_eq!(code, 0, "{out}{err}");
    let text = fs::read_to_string(&file).unwrap();
    let want = crlf
        .replace(
            &format!("l2-provider=https://arb-sepolia.g.alchemy.com/v2/{KEY}\r\n"),
            "l2-provider=https://rpc.example/path?a=1&b=2\r\n",
        )
        .replace("l2-provider = https://sepolia-rollup.arbitrum.io/rpc, https://arbitrum-sepolia.infura.io/v3/0123456789abcdef0123456789abcdef\r\n", "")
        .replace("l2-provider=https://one.example/rpc\thttps://two.example/rpc\r\n", "");
    assert_eq!(text, want);
}

#[test]
fn set_refuses_bad_values_and_leaves_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("stagenet.conf");
    fs::write(&file, TEMPLATE).unwrap();
    for (args, why) in [
        (vec!["--public-ip", "10.0.0.5"], "is not public: 10.0.0.5"),
        (vec!["--public-ip", "100.64.3.4"], "carrier-grade NAT"),
        (vec!["--l2-provider", "https://rpc.example/#x"], "'#'"),
        (
            vec!["--l2-provider", "wss://rpc.example/"],
            "only http:// and https://",
        ),
    ] {
        let mut a = vec!["set"];
        a.extend(args.iter().copied());
        a.push(p(&file));
        let (code, out, err) = run(&a);
        assert_eq!(code, 1, "{args:?}: {out}{err}");
        assert!(err.contains(why), "{args:?}: {err}");
        assert!(
            err.contains("not changed") || err.contains("refusing"),
            "{err}"
        );
        assert_eq!(fs::read_to_string(&file).unwrap(), TEMPLATE);
    }
    // A private address is accepted when the file says dev-allow-local-ips.
    fs::write(&file, format!("{TEMPLATE}dev-allow-local-ips=1\n")).unwrap();
    let (code, _, err) = run(&["set", "--public-ip", "10.0.0.5", p(&file)]);
    assert_eq!(code, 0, "{err}");
}

#[test]
fn set_and_validate_report_unknown_options_with_their_line() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("stagenet.conf");
    fs::write(&file, "service-node=1\n\nl2-provdier=https://a.example\n").unwrap();
    let (code, _, err) = run(&["set", "--public-ip", "51.15.0.7", p(&file)]);
    assert_eq!(code, 1);
    assert!(
        err.contains(&format!(
            "{}:3: unrecognised option 'l2-provdier'",
            p(&file)
        )),
        "{err}"
    );
    // The misspelt option is named with what was meant, and the missing provider it
    // causes is not reported a second time (issue 12 point 10).
    assert!(err.contains("(did you mean 'l2-provider'?)"), "{err}");
    let (code, out, err) = run(&["validate", p(&file)]);
    assert_eq!(code, 1);
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 2, "{out}");
    assert!(lines[0].starts_with(&format!("{}:3: unrecognised option", p(&file))));
    assert!(lines[0].ends_with("(did you mean 'l2-provider'?)"), "{out}");
    assert!(
        lines[1].starts_with("error: Please specify an IPv4 public address"),
        "{out}"
    );
    assert!(!out.contains("At least one ethereum L2 provider"), "{out}");
    assert!(err.contains("2 error(s)"), "{err}");
    // An option nothing resembles gets no guess, and the knock-on stays.
    fs::write(&file, "service-node=1\nfrobnicate=1\n").unwrap();
    let (code, out, _) = run(&["validate", p(&file)]);
    assert_eq!(code, 1);
    assert!(!out.contains("did you mean"), "{out}");
    assert!(out.contains("At least one ethereum L2 provider"), "{out}");
}

#[test]
fn validate_lists_every_problem_with_its_line() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("stagenet.conf");
    fs::write(
        &file,
        format!("service-node=1\nservice-node-public-ip=192.168.1.4\nl2-provider=ftp://x/v2/{KEY}\nl2-max-logs=0\n"),
    )
    .unwrap();
    let (code, out, err) = run(&["validate", p(&file)]);
    assert_eq!(code, 1, "{out}{err}");
    let f = p(&file);
    for want in [
        format!("{f}:2: error: Address given"),
        format!("{f}:3: error: Invalid l2-provider"),
        format!("{f}:4: error: l2-max-logs"),
    ] {
        assert!(out.contains(&want), "missing {want}\n{out}");
    }
    assert!(!out.contains(KEY), "{out}");
    assert!(err.contains("3 error(s)"), "{err}");
}

#[test]
fn show_redacts_unless_revealed() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("stagenet.conf");
    fs::write(&file, OPERATOR).unwrap();
    let f = p(&file);
    let (code, out, _) = run(&["show", f]);
    assert_eq!(code, 0);
    assert!(
        !out.contains(KEY) && !out.contains("0123456789abcdef0123456789abcdef"),
        "{out}"
    );
    assert!(
        out.contains(&format!(
            "l2-provider=https://arb-sepolia.g.alchemy.com/…  # {f}:10\n"
        )),
        "{out}"
    );
    assert!(
        out.contains(&format!("l2-provider=https://two.example/…  # {f}:12\n")),
        "{out}"
    );
    assert!(
        out.contains(&format!("l2-max-logs=500  # {f}:13\n")),
        "{out}"
    );
    assert!(
        !out.contains("l2-timeout"),
        "defaults only with --effective:\n{out}"
    );
    let (_, out, _) = run(&["show", "--effective", f]);
    assert!(out.contains("l2-timeout=5  # default\n"), "{out}");
    assert!(
        out.contains("l2-rewards-contract=0x9d8aB00880CBBdc2Dcd29C179779469A82E7be35  # default\n")
    );
    assert!(!out.contains(KEY));
    let (_, out, _) = run(&["show", "--effective", "--reveal", f]);
    assert!(out.contains(KEY));
}

#[test]
fn missing_file_is_an_io_error() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("nope.conf");
    let (code, _, err) = run(&["validate", p(&missing)]);
    assert_eq!(code, 3);
    assert!(
        err.contains("cannot read") && err.contains("nope.conf"),
        "{err}"
    );
    let (code, _, _) = run(&[
        "set",
        "--public-ip",
        "51.15.0.7",
        p(&dir.path().join("no/dir.conf")),
    ]);
    assert_eq!(code, 3);
    let (code, _, _) = run(&["frobnicate"]);
    assert_eq!(code, 2);
}

#[test]
fn help_documents_exit_statuses() {
    let (code, out, _) = run(&["--help"]);
    assert_eq!(code, 0);
    assert!(
        out.contains("Exit status:") && out.contains("4  probe-l2"),
        "{out}"
    );
    assert_eq!(oxen_sn_config::command().get_name(), "oxen-sn-config");
}

#[test]
fn usage_errors_print_their_message() {
    // The URL is never contacted: the timeout is checked first.
    for t in [
        "--timeout=0",
        "--timeout=-1",
        "--timeout=NaN",
        "--timeout=inf",
    ] {
        let (code, out, err) = run(&["probe-l2", t, "http://127.0.0.1:9/"]);
        assert_eq!(code, 2, "{t}: {out}{err}");
        assert!(
            err.contains("error: --timeout must be a positive number of seconds"),
            "{t}: {err:?}"
        );
        assert!(out.is_empty(), "{t}: {out}");
    }
    // clap's own usage errors say what is wrong too.
    let (code, _, err) = run(&["set", "--public-ip", "not-an-ip", "x.conf"]);
    assert_eq!(code, 2);
    assert!(err.contains("--public-ip"), "{err}");
}

#[test]
fn an_l2_provider_argument_without_a_url_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("stagenet.conf");
    let before = format!("{TEMPLATE}l2-provider=https://kept.example/rpc\n");
    fs::write(&file, &before).unwrap();
    for empty in ["", ",", " , \t", ",,"] {
        for args in [
            vec!["--l2-provider", empty],
            vec![
                "--l2-provider",
                "https://new.example/rpc",
                "--l2-provider",
                empty,
            ],
        ] {
            let mut a = vec!["set", "--public-ip", "51.15.0.7"];
            a.extend(args.iter().copied());
            a.push(p(&file));
            let (code, out, err) = run(&a);
            assert_eq!(code, 1, "{args:?}: {out}{err}");
            assert!(
                err.contains(&format!("--l2-provider {empty:?} holds no URL")),
                "{args:?}: {err}"
            );
            assert!(err.contains("was not changed"), "{err}");
            assert_eq!(fs::read_to_string(&file).unwrap(), before, "{args:?}");
        }
        let (code, out, err) = run(&["render", "--l2-provider", empty]);
        assert_eq!((code, out.as_str()), (1, ""), "{err}");
        assert!(err.contains("holds no URL"), "{err}");
        let (code, out, err) = run(&["probe-l2", empty]);
        assert_eq!((code, out.as_str()), (1, ""), "{err}");
        assert!(err.contains("holds no URL"), "{err}");
    }
}

#[test]
fn short_keys_are_hidden_too() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("stagenet.conf");
    fs::write(
        &file,
        "service-node=1\nservice-node-public-ip=51.15.0.7\n\
         l2-provider=https://rpc.example/rpc/mysecretkey\nl2-provider=wss://h.example/k?t=s3cr\n",
    )
    .unwrap();
    let (_, out, err) = run(&["show", p(&file)]);
    assert!(
        out.contains("l2-provider=https://rpc.example/…  # "),
        "{out}"
    );
    let (code, vout, verr) = run(&["validate", p(&file)]);
    assert_eq!(code, 1, "{vout}{verr}");
    assert!(vout.contains("'wss://h.example/…'"), "{vout}");
    for text in [out, err, vout, verr] {
        assert!(
            !text.contains("mysecretkey") && !text.contains("s3cr"),
            "{text}"
        );
    }
}
