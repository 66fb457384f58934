//! Parser, settings, validation and editor tests on real files (docs/compat/config.md, §6.8).

use std::net::Ipv4Addr;

use snode_conf::{
    check_text, parse, parse_collect, render, ConfError, Document, Origin, Settings, Severity,
    TEMPLATE,
};

const OPERATOR: &str = include_str!("data/operator-edited.conf");
const NO_FINAL_NEWLINE: &str = include_str!("data/no-final-newline.conf");
const IP: Ipv4Addr = Ipv4Addr::new(51, 15, 0, 7);

fn urls(list: &[&str]) -> Vec<String> {
    list.iter().map(|s| s.to_string()).collect()
}

/// URLs that sed-based editing mangles or that look like parser hazards.
fn hard_urls() -> Vec<String> {
    urls(&[
        "https://arb-sepolia.g.alchemy.com/v2/key&more",
        "https://rpc.example/path?a=1&b=2",
        "https://rpc.example/a%2Fb/c%20d?x=%2F",
        "https://user:pa$s@rpc.example:8443/rpc",
        "http://[::1]:8545/\\1&\\0",
    ])
}

fn settings(text: &str) -> Settings {
    let doc = parse(text, "test.conf").unwrap();
    Settings::from_sources(Some(&doc), &[]).unwrap()
}

fn edit(text: &str, ip: Ipv4Addr, providers: &[String]) -> String {
    let mut doc = parse(text, "test.conf").unwrap();
    doc.set_service_node(true).unwrap();
    doc.set_public_ip(ip).unwrap();
    doc.set_l2_providers(providers).unwrap();
    doc.to_text()
}

#[test]
fn template_is_the_upstream_file_with_a_header() {
    let upstream =
        "data-dir=/var/lib/oxen/stagenet\nlog-file=/var/log/oxen/stagenet.log\nservice-node=1\n\
stagenet=1\n#service-node-public-ip=0.0.0.0\n#l2-provider=http://example.com\n\
#l2-provider=http://backup.example.com\n#l2-refresh=60\n#l2-timeout=5\n#l2-max-logs=1000\n";
    assert!(
        TEMPLATE.ends_with(upstream),
        "the docs/compat/config.md lines must close the template"
    );
    let s = settings(TEMPLATE);
    assert!(s.service_node && s.stagenet);
    assert_eq!(s.data_dir(), std::path::Path::new("/var/lib/oxen/stagenet"));
    assert_eq!(
        s.log_file(),
        std::path::Path::new("/var/log/oxen/stagenet.log")
    );
    assert_eq!(s.l2_refresh, 60.0, "commented examples must not count");
    let problems = s.validate();
    let options: Vec<_> = problems.iter().map(|p| p.option.unwrap()).collect();
    assert_eq!(
        options,
        ["service-node-public-ip", "l2-provider"],
        "{problems:?}"
    );
}

#[test]
fn render_fills_the_template_in_place() {
    let text = render(
        Some(IP),
        &urls(&["https://a.example/rpc", "https://b.example/rpc"]),
    )
    .unwrap();
    let want = TEMPLATE
        .replace("#service-node-public-ip=0.0.0.0\n", "service-node-public-ip=51.15.0.7\n")
        .replace(
            "#l2-provider=http://backup.example.com\n",
            "#l2-provider=http://backup.example.com\nl2-provider=https://a.example/rpc\nl2-provider=https://b.example/rpc\n",
        );
    assert_eq!(text, want);
    let s = settings(&text);
    assert!(s.validate().is_empty(), "{:?}", s.validate());
    assert_eq!(render(None, &[]).unwrap(), TEMPLATE);
}

#[test]
fn hard_urls_survive_byte_for_byte_and_read_back() {
    for base in [TEMPLATE, OPERATOR, NO_FINAL_NEWLINE, ""] {
        let out = edit(base, IP, &hard_urls());
        for url in hard_urls() {
            let line = format!("l2-provider={url}");
            assert!(out.lines().any(|l| l == line), "{url} in\n{out}");
        }
        let s = settings(&out);
        assert_eq!(s.l2_provider, hard_urls());
        assert_eq!(s.public_ip(), Some(IP));
    }
}

#[test]
fn operator_file_reads_as_oxend_reads_it() {
    let s = settings(OPERATOR);
    assert_eq!(
        s.l2_provider,
        [
            "https://arb-sepolia.g.alchemy.com/v2/abcdEFGH1234ijklMNOP5678qrst",
            "https://sepolia-rollup.arbitrum.io/rpc",
            "https://arbitrum-sepolia.infura.io/v3/0123456789abcdef0123456789abcdef",
            "https://one.example/rpc",
            "https://two.example/rpc",
        ]
    );
    assert_eq!(s.service_node_public_ip, "51.15.20.30");
    assert_eq!(
        s.log_file,
        Some("/var/log/oxen/stagenet.log".into()),
        "comment after a value is cut"
    );
    assert_eq!(s.l2_max_logs, 500);
    assert_eq!(s.l2_refresh, 30.0);
    assert_eq!(
        s.rpc_admin,
        ["127.0.0.1:11023"],
        "a file value replaces the vector default"
    );
    assert_eq!(
        s.origin("l2-max-logs"),
        Origin::File {
            source: "test.conf".into(),
            line: 13
        }
    );
    let lines: Vec<_> = s
        .values_with_origin("l2-provider")
        .iter()
        .map(|(_, o)| o.line().unwrap())
        .collect();
    assert_eq!(lines, [10, 11, 11, 12, 12]);
    assert!(s.validate().is_empty(), "{:?}", s.validate());
}

#[test]
fn editing_changes_only_owned_lines() {
    let new = urls(&["https://new.example/rpc?a=1&b=2"]);
    let out = edit(OPERATOR, IP, &new);
    let before: Vec<&str> = OPERATOR.lines().collect();
    let mut want: Vec<String> = before.iter().map(|s| s.to_string()).collect();
    want[7] = "service-node-public-ip=51.15.0.7".into();
    want[9] = "l2-provider=https://new.example/rpc?a=1&b=2".into();
    want.remove(11);
    want.remove(10);
    assert_eq!(out, want.join("\n") + "\n");
}

#[test]
fn unchanged_values_keep_the_operators_spelling() {
    let s = settings(OPERATOR);
    let out = edit(OPERATOR, s.public_ip().unwrap(), &s.l2_provider);
    assert_eq!(out, OPERATOR);
}

#[test]
fn crlf_files_stay_crlf() {
    let crlf = OPERATOR.replace('\n', "\r\n");
    let out = edit(&crlf, IP, &hard_urls());
    assert!(
        !out.replace("\r\n", "").contains('\n'),
        "a bare LF crept in:\n{out:?}"
    );
    assert_eq!(edit(&out, IP, &hard_urls()), out);
    assert_eq!(settings(&out).l2_provider, hard_urls());
    // Untouched lines are identical, CR included.
    assert!(out.starts_with(
        "# /etc/oxen/stagenet.conf as an operator left it after a year of hand edits.\r\n"
    ));
    assert!(out.ends_with("log-level=info\r\nrpc-admin=127.0.0.1:11023\r\n"));
}

#[test]
fn editing_twice_equals_editing_once() {
    for base in [TEMPLATE, OPERATOR, NO_FINAL_NEWLINE, "", "[extra]\n"] {
        let once = edit(base, IP, &hard_urls());
        assert_eq!(edit(&once, IP, &hard_urls()), once, "base:\n{base}");
    }
}

#[test]
fn file_without_final_newline() {
    let out = edit(NO_FINAL_NEWLINE, IP, &urls(&["https://b.example/rpc"]));
    assert_eq!(
        out,
        "service-node=1\nservice-node-public-ip=51.15.0.7\nl2-provider=https://b.example/rpc"
    );
    let mut doc = parse(NO_FINAL_NEWLINE, "x").unwrap();
    doc.set_scalar("l2-max-logs", "500").unwrap();
    assert_eq!(
        doc.to_text(),
        format!("{NO_FINAL_NEWLINE}\nl2-max-logs=500\n")
    );
}

#[test]
fn only_exact_placeholders_are_replaced() {
    // Operator prose about the option is a comment, not the template's placeholder.
    let text = "service-node=1\n\
                # service-node-public-ip = set by the package\n\
                #service-node-public-ip = 1.2.3.4\n\
                # service-node-public-ip=1.2.3.4\n\
                #l2-provider =http://example.com\n\
                #  l2-provider=http://example.com\n\
                \t#service-node-public-ip=0.0.0.0\n\
                log-level=info\n";
    let mut doc = parse(text, "x").unwrap();
    doc.set_public_ip(IP).unwrap();
    doc.set_l2_providers(&urls(&["https://b.example/rpc"]))
        .unwrap();
    assert_eq!(
        doc.to_text(),
        "service-node=1\n\
         # service-node-public-ip = set by the package\n\
         #service-node-public-ip = 1.2.3.4\n\
         # service-node-public-ip=1.2.3.4\n\
         #l2-provider =http://example.com\n\
         #  l2-provider=http://example.com\n\
         service-node-public-ip=51.15.0.7\n\
         log-level=info\n\
         l2-provider=https://b.example/rpc\n",
        "only the indented `#service-node-public-ip=` line is a placeholder; \
         with no `#l2-provider=` placeholder the provider goes at the end"
    );
}

#[test]
fn replacing_providers_keeps_the_files_terminators() {
    let two = urls(&["https://x.example/rpc", "https://y.example/rpc"]);
    let set = |text: &str, list: &[String]| {
        let mut doc = parse(text, "x").unwrap();
        doc.set_l2_providers(list).unwrap();
        doc.to_text()
    };
    // The removed provider was the last line, without a newline: the file still ends
    // without one.
    assert_eq!(
        set(
            "service-node=1\nl2-provider=https://a.example\nl2-provider=https://b.example",
            &two[..1]
        ),
        "service-node=1\nl2-provider=https://x.example/rpc"
    );
    assert_eq!(
        set(
            "l2-provider=https://a.example\r\nlog-level=info\r\nl2-provider=https://b.example",
            &two
        ),
        "l2-provider=https://x.example/rpc\r\nl2-provider=https://y.example/rpc\r\nlog-level=info"
    );
    // A CRLF line in a mostly-LF file: its replacements keep the CRLF.
    assert_eq!(
        set(
            "service-node=1\nlog-level=info\nl2-provider=https://a.example\r\nrpc-admin=127.0.0.1:11023\n",
            &two
        ),
        "service-node=1\nlog-level=info\nl2-provider=https://x.example/rpc\r\n\
         l2-provider=https://y.example/rpc\r\nrpc-admin=127.0.0.1:11023\n"
    );
    // A LF line in a CRLF file keeps its LF.
    assert_eq!(
        set(
            "service-node=1\r\nl2-provider=https://a.example\nlog-level=info\r\n",
            &two[..1]
        ),
        "service-node=1\r\nl2-provider=https://x.example/rpc\nlog-level=info\r\n"
    );
    // The replaced line was the unterminated last one of a CRLF file.
    assert_eq!(
        set("service-node=1\r\nl2-provider=https://a.example", &two),
        "service-node=1\r\nl2-provider=https://x.example/rpc\r\nl2-provider=https://y.example/rpc"
    );
    for text in [
        "l2-provider=https://a.example\r\nlog-level=info\r\nl2-provider=https://b.example",
        "service-node=1\nl2-provider=https://a.example\r\nl2-provider=https://b.example",
    ] {
        let once = set(text, &two);
        assert_eq!(set(&once, &two), once, "{text:?}");
        assert_eq!(settings(&once).l2_provider, two);
    }
}

#[test]
fn new_lines_go_before_sections() {
    let text = "service-node=1\n[other]\n";
    let mut doc = Document::empty("x");
    assert_eq!(doc.to_text(), "");
    doc = parse(text, "x").unwrap_or_else(|e| panic!("{e}"));
    doc.set_public_ip(IP).unwrap();
    assert_eq!(
        doc.to_text(),
        "service-node=1\nservice-node-public-ip=51.15.0.7\n[other]\n"
    );
}

#[test]
fn unsafe_values_are_refused_not_changed() {
    let cases = [
        ("https://rpc.example/#frag", "'#'"),
        ("https://rpc.example/\nservice-node=0", "line break"),
        ("https://a.example/rpc,https://b.example/rpc", "split"),
        ("https://a.example/r pc", "split"),
        (" https://a.example/rpc", "blanks"),
        ("", "empty"),
    ];
    for (url, why) in cases {
        let mut doc = parse(TEMPLATE, "x").unwrap();
        let err = doc.set_l2_providers(&urls(&[url])).unwrap_err();
        assert!(
            matches!(err, ConfError::UnsafeValue { .. }),
            "{url:?}: {err}"
        );
        assert!(err.to_string().contains(why), "{url:?}: {err}");
        assert_eq!(doc.to_text(), TEMPLATE, "nothing may change on refusal");
    }
    let mut doc = parse(TEMPLATE, "x").unwrap();
    let err = doc
        .set_l2_providers(&urls(&[
            "https://h.example/v2/abcdEFGH1234ijklMNOP5678qrst#x",
        ]))
        .unwrap_err();
    assert!(
        !err.to_string().contains("abcdEFGH1234"),
        "API key leaked: {err}"
    );
    assert!(doc.set_l2_providers(&[]).is_err());
}

#[test]
fn unknown_option_names_file_and_line() {
    let text = "service-node=1\n# comment\nl2-provdier=https://a.example/rpc\n";
    let err = parse(text, "/etc/oxen/stagenet.conf").unwrap_err();
    assert_eq!(err.line(), Some(3));
    let msg = err.to_string();
    assert!(
        msg.starts_with("/etc/oxen/stagenet.conf:3: unrecognised option 'l2-provdier'"),
        "{msg}"
    );
    assert!(!msg.contains("a.example"), "values are not echoed: {msg}");
}

#[test]
fn every_error_is_collected_with_its_line() {
    let text = "bogus=1\nservice-node\n[sec]\nl2-provider=x\nconfig-file=/x\n=3\n";
    let (_, errors) = parse_collect(text, "f");
    let lines: Vec<_> = errors.iter().map(|e| e.line().unwrap()).collect();
    assert_eq!(
        lines,
        [1, 2, 4, 5, 6],
        "inside [sec], config-file is sec.config-file"
    );
    assert!(errors[0].to_string().contains("'bogus'"));
    assert!(matches!(errors[1], ConfError::Syntax { .. }));
    assert!(
        errors[2].to_string().contains("'sec.l2-provider'"),
        "{}",
        errors[2]
    );
    let (_, errors2) = parse_collect("config-file=/x\nnon-interactive=1\n", "f");
    assert!(errors2
        .iter()
        .all(|e| matches!(e, ConfError::CommandLineOnly { .. })));
    assert_eq!(errors2.len(), 2);
}

#[test]
fn repeated_scalar_is_an_error_naming_both_lines() {
    let doc = parse("l2-max-logs=500\nl2-refresh=5\nl2-max-logs=100\n", "f").unwrap();
    let err = Settings::from_sources(Some(&doc), &[]).unwrap_err();
    assert_eq!(err.to_string(), "f:3: option 'l2-max-logs' cannot be specified more than once (already set at f:1); keep one of the two lines");
}

#[test]
fn command_line_replaces_file_values() {
    let doc = parse(
        "l2-provider=https://a.example\nl2-provider=https://b.example\nl2-max-logs=500\n",
        "f",
    )
    .unwrap();
    let cli = [
        (
            "--l2-provider".to_string(),
            "https://c.example, https://d.example".to_string(),
        ),
        ("service-node".to_string(), String::new()),
    ];
    let s = Settings::from_sources(Some(&doc), &cli).unwrap();
    assert_eq!(s.l2_provider, ["https://c.example", "https://d.example"]);
    assert!(s.service_node, "a bare flag is true");
    assert_eq!(s.l2_max_logs, 500);
    assert_eq!(s.origin("l2-provider"), Origin::CommandLine);
    let err = Settings::from_sources(None, &[("nope".into(), "1".into())]).unwrap_err();
    assert_eq!(err.to_string().split(':').next(), Some("command line"));
}

#[test]
fn flags_and_numbers() {
    let s = settings("service-node=\ndev-allow-local-ips=On\nl2-skip-chainid=no\n");
    assert!(s.service_node && s.dev_allow_local_ips && !s.l2_skip_chainid);
    let doc = parse(
        "service-node=maybe\nquorumnet-port=70000\nl2-timeout=abc\n",
        "f",
    )
    .unwrap();
    let mut errors = Vec::new();
    let s = Settings::from_sources_collect(Some(&doc), &[], &mut errors);
    let lines: Vec<_> = errors.iter().map(|e| e.line().unwrap()).collect();
    assert_eq!(lines, [1, 2, 3], "{errors:?}");
    assert_eq!(s.quorumnet_port, 11025, "a bad value leaves the default");
}

#[test]
fn secret_values_are_redacted_in_errors() {
    // Refused values of secret options are shown redacted (these errors quote values).
    let mut doc = parse("service-node=1\n", "f").unwrap();
    let err = doc.set_scalar("rpc-login", "admin:hunter22\n").unwrap_err();
    assert!(matches!(err, ConfError::UnsafeValue { .. }), "{err}");
    assert!(!err.to_string().contains("hunter22"), "{err}");
    let err = doc
        .set_l2_providers(&urls(&["https://h/v2/abcdEFGH1234ijklMNOP5678qrst#x"]))
        .unwrap_err();
    assert!(matches!(err, ConfError::UnsafeValue { .. }), "{err}");
    assert!(
        err.to_string().contains("https://h"),
        "names the provider: {err}"
    );
    assert!(!err.to_string().contains("abcdEFGH1234"), "{err}");
    // A non-secret option's value is quoted, so the checks above can fail.
    let err = doc.set_scalar("log-level", "info\n").unwrap_err();
    assert!(err.to_string().contains("info"), "{err}");
    let s = settings(
        "l2-provider=https://h/v2/abcdEFGH1234ijklMNOP5678qrst\nrpc-login=admin:hunter22\n",
    );
    let shown: Vec<String> = s
        .effective(false)
        .into_iter()
        .flat_map(|(_, v, _)| v)
        .collect();
    assert!(
        shown
            .iter()
            .all(|v| !v.contains("abcdEFGH1234") && !v.contains("hunter22")),
        "{shown:?}"
    );
    let revealed: Vec<String> = s
        .effective(true)
        .into_iter()
        .flat_map(|(_, v, _)| v)
        .collect();
    assert!(revealed.iter().any(|v| v.contains("abcdEFGH1234")));
}

fn problems(text: &str) -> Vec<(Severity, String)> {
    let (errors, problems) = check_text(text, "f", &[]);
    assert!(errors.is_empty(), "{errors:?}");
    problems
        .into_iter()
        .map(|p| (p.severity, p.to_string()))
        .collect()
}

#[test]
fn public_ip_rules() {
    let base = "service-node=1\nl2-provider=https://a.example/rpc\n";
    for ip in [
        "10.0.0.5",
        "192.168.1.2",
        "172.20.0.1",
        "127.0.0.1",
        "169.254.0.9",
        "100.64.1.1",
        "0.0.0.0",
        "224.0.0.5",
        "240.1.1.1",
        "192.0.2.1",
        "198.51.100.3",
        "203.0.113.7",
        "198.18.0.1",
    ] {
        let p = problems(&format!("{base}service-node-public-ip={ip}\n"));
        assert_eq!(p.len(), 1, "{ip}: {p:?}");
        assert_eq!(p[0].0, Severity::Error);
        assert!(
            p[0].1.starts_with(&format!(
                "f:3: error: Address given for public-ip is not public: {ip} ("
            )),
            "{}",
            p[0].1
        );
        let p = problems(&format!(
            "{base}service-node-public-ip={ip}\ndev-allow-local-ips=1\n"
        ));
        assert_eq!(p.len(), 1);
        assert_eq!(p[0].0, Severity::Warning);
        assert!(p[0].1.contains("WILL NOT WORK ON THE PUBLIC OXEN NETWORK!"));
    }
    let p = problems(&format!("{base}service-node-public-ip=1.2.3\n"));
    assert!(
        p[0].1
            .contains("Unable to parse IPv4 public address from: 1.2.3"),
        "{p:?}"
    );
    assert!(problems(&format!("{base}service-node-public-ip=51.15.0.7\n")).is_empty());
    let p = problems("service-node=1\nservice-node-public-ip=51.15.0.7\n");
    assert_eq!(p, [(Severity::Error, format!("error: {}; add l2-provider=<Arbitrum Sepolia JSON-RPC URL> (`oxen-sn-config set --l2-provider URL FILE`)", snode_conf::MSG_NO_PROVIDER))]);
    let p = problems("service-node=1\nservice-node-public-ip=51.15.0.7\nl2-provider=\n");
    assert_eq!(p.len(), 1, "an empty l2-provider= counts as none: {p:?}");
}

#[test]
fn providers_ports_and_numbers() {
    let p = problems(
        "l2-provider=ws://a.example/v2/abcdEFGH1234ijklMNOP5678qrst\nquorumnet-port=11022\nservice-node=1\n\
         service-node-public-ip=51.15.0.7\nl2-max-logs=0\nl2-timeout=0\nrpc-admin=localhost\n\
         l2-rewards-contract=0x123\ntestnet=1\n",
    );
    let text: Vec<&str> = p.iter().map(|(_, m)| m.as_str()).collect();
    let joined = text.join("\n");
    assert!(!joined.contains("abcdEFGH1234"), "{joined}");
    for want in [
        "f:1: error: Invalid l2-provider URL 'ws://a.example/…'",
        "f:2: error: quorumnet-port and p2p-bind-port are both 11022",
        "f:5: error: l2-max-logs must be at least 1",
        "f:6: error: l2-timeout must be a positive number",
        "f:7: error: rpc-admin 'localhost' is not IP:PORT",
        "f:8: error: l2-rewards-contract must be 0x followed by 40 hex digits",
        "f:9: error: this build serves stagenet only",
    ] {
        assert!(
            text.iter().any(|t| t.starts_with(want)),
            "missing {want:?} in\n{joined}"
        );
    }
    assert_eq!(p.len(), 7, "{joined}");
    assert!(problems("rpc-admin=none\n").is_empty());
    let p = problems("quorumnet-port=0\nservice-node=1\nservice-node-public-ip=51.15.0.7\nl2-provider=http://a\n");
    assert!(
        p[0].1.starts_with("f:1: error: Quorumnet port cannot be 0"),
        "{p:?}"
    );
}

#[test]
fn load_names_the_path_in_errors() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("stagenet.conf");
    std::fs::write(&path, "service-node=1\nrpc-admin=none\n").unwrap();
    let doc = Document::load(&path).unwrap();
    let s = Settings::from_sources(Some(&doc), &[]).unwrap();
    assert!(
        s.rpc_admin_addresses().is_empty(),
        "none disables the admin RPC"
    );
    std::fs::write(&path, "service-node=1\nwhat=1\n").unwrap();
    let err = Document::load(&path).unwrap_err();
    assert_eq!(
        err.to_string().split(": ").next().unwrap(),
        format!("{}:2", path.display())
    );
    std::fs::write(&path, b"service-node=1\n\xff\n").unwrap();
    assert!(matches!(
        Document::load(&path),
        Err(ConfError::NotUtf8 { .. })
    ));
    let missing = Document::load(&dir.path().join("missing.conf")).unwrap_err();
    assert!(
        matches!(missing, ConfError::Read { .. }) && missing.to_string().contains("missing.conf")
    );
}

#[test]
fn url_faults_are_named_with_the_redacted_host() {
    let text = "l2-provider=127.0.0.1:8545/v2/SECRETKEY\n\
                l2-provider=https://a_b.example/v2/SECRETKEY\n\
                staking-url=https://op:pa/ss@stake.example/base?key=SECRETKEY\n";
    let (errors, problems) = check_text(text, "f", &[]);
    assert!(errors.is_empty(), "{errors:?}");
    let all: Vec<String> = problems.iter().map(|p| p.to_string()).collect();
    let joined = all.join("\n");
    assert!(
        !joined.contains("SECRETKEY") && !joined.contains("pa/ss"),
        "{joined}"
    );
    assert!(
        joined.contains("Invalid l2-provider URL '127.0.0.1:8545/…': the URL has no scheme"),
        "{joined}"
    );
    assert!(
        joined.contains("the host is not a host name or IP address"),
        "{joined}"
    );
    assert!(
        joined.contains("staking-url must be an http:// or https:// URL, not 'https://stake.example/…': a staking URL cannot have a ?query"),
        "{joined}"
    );
}
