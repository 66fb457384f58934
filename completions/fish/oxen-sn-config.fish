# Print an optspec for argparse to handle cmd's options that are independent of any subcommand.
function __fish_oxen_sn_config_global_optspecs
    string join \n config-file= h/help V/version
end

function __fish_oxen_sn_config_needs_command
    # Figure out if the current invocation already has a command.
    set -l cmd (commandline -opc)
    set -e cmd[1]
    argparse -s (__fish_oxen_sn_config_global_optspecs) -- $cmd 2>/dev/null
    or return
    if set -q argv[1]
        # Also print the command, so this can be used to figure out what it is.
        echo $argv[1]
        return 1
    end
    return 0
end

function __fish_oxen_sn_config_using_subcommand
    set -l cmd (__fish_oxen_sn_config_needs_command)
    test -z "$cmd"
    and return 1
    contains -- $cmd[1] $argv
end

complete -c oxen-sn-config -n "__fish_oxen_sn_config_needs_command" -l config-file -d 'The config file (default /etc/oxen/stagenet.conf); the same as giving FILE' -r -F
complete -c oxen-sn-config -n "__fish_oxen_sn_config_needs_command" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c oxen-sn-config -n "__fish_oxen_sn_config_needs_command" -s V -l version -d 'Print version'
complete -c oxen-sn-config -n "__fish_oxen_sn_config_needs_command" -f -a "render" -d 'Print the packaged config (debian/stagenet.conf) with the IP and providers filled in'
complete -c oxen-sn-config -n "__fish_oxen_sn_config_needs_command" -f -a "set" -d 'Create FILE from the template, or edit it in place: set service-node=1 and the given public IP and providers, keeping every other line byte for byte. Writes atomically with mode 0640 and group _loki (when that group exists)'
complete -c oxen-sn-config -n "__fish_oxen_sn_config_needs_command" -f -a "validate" -d 'Check FILE as the daemon does at startup; print every problem with its line'
complete -c oxen-sn-config -n "__fish_oxen_sn_config_needs_command" -f -a "show" -d 'Print the settings of FILE, each with the file and line (or default) it comes from'
complete -c oxen-sn-config -n "__fish_oxen_sn_config_needs_command" -f -a "get" -d 'For scripts: print the value the daemon uses for OPTION (a list on one line, separated by single spaces; the default when FILE does not set it), in full. Exit 1 when FILE is not a valid config, 2 for an unknown OPTION, 3 when FILE cannot be read'
complete -c oxen-sn-config -n "__fish_oxen_sn_config_needs_command" -f -a "normalize" -d 'For scripts: print VALUE as `get` prints a list (split on commas and blanks, joined by single spaces), or with --digest its SHA-256 as `get --digest` does'
complete -c oxen-sn-config -n "__fish_oxen_sn_config_needs_command" -f -a "check-ip" -d 'For scripts: exit 0 when IP can be this node\'s public address; otherwise print why (one line) and exit 1'
complete -c oxen-sn-config -n "__fish_oxen_sn_config_needs_command" -f -a "check-providers" -d 'For scripts: check provider URLs as the installer writes them. A URL that can never work (no http:// or https:// scheme, quotes, \'#\', blanks inside) is named with its fault and redacted host, one line each, and the status is 1 (nothing is probed); otherwise each is probed as probe-l2 does, the reports of those that fail are printed and the status is 4'
complete -c oxen-sn-config -n "__fish_oxen_sn_config_needs_command" -f -a "probe-l2" -d 'Check L2 providers: chain id (must be 0x66eee), head and its age, latency, the largest eth_getLogs range served, and the l2-max-logs to use'
complete -c oxen-sn-config -n "__fish_oxen_sn_config_needs_command" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c oxen-sn-config -n "__fish_oxen_sn_config_using_subcommand render" -l public-ip -d 'The node\'s public IPv4 address' -r
complete -c oxen-sn-config -n "__fish_oxen_sn_config_using_subcommand render" -l l2-provider -d 'Arbitrum Sepolia JSON-RPC URL (repeat, or separate with commas/blanks; primary first)' -r
complete -c oxen-sn-config -n "__fish_oxen_sn_config_using_subcommand render" -l config-file -d 'The config file (default /etc/oxen/stagenet.conf); the same as giving FILE' -r -F
complete -c oxen-sn-config -n "__fish_oxen_sn_config_using_subcommand render" -s h -l help -d 'Print help'
complete -c oxen-sn-config -n "__fish_oxen_sn_config_using_subcommand set" -l public-ip -d 'The node\'s public IPv4 address (must be public unless the file sets dev-allow-local-ips)' -r
complete -c oxen-sn-config -n "__fish_oxen_sn_config_using_subcommand set" -l l2-provider -d 'Arbitrum Sepolia JSON-RPC URL (repeat, or separate with commas/blanks; primary first). Replaces the file\'s whole l2-provider list' -r
complete -c oxen-sn-config -n "__fish_oxen_sn_config_using_subcommand set" -l config-file -d 'The config file (default /etc/oxen/stagenet.conf); the same as giving FILE' -r -F
complete -c oxen-sn-config -n "__fish_oxen_sn_config_using_subcommand set" -s h -l help -d 'Print help'
complete -c oxen-sn-config -n "__fish_oxen_sn_config_using_subcommand validate" -l config-file -d 'The config file (default /etc/oxen/stagenet.conf); the same as giving FILE' -r -F
complete -c oxen-sn-config -n "__fish_oxen_sn_config_using_subcommand validate" -s h -l help -d 'Print help'
complete -c oxen-sn-config -n "__fish_oxen_sn_config_using_subcommand show" -l config-file -d 'The config file (default /etc/oxen/stagenet.conf); the same as giving FILE' -r -F
complete -c oxen-sn-config -n "__fish_oxen_sn_config_using_subcommand show" -l effective -d 'Include every option, defaults too'
complete -c oxen-sn-config -n "__fish_oxen_sn_config_using_subcommand show" -l reveal -d 'Show provider URLs and rpc-login in full (they may contain secrets)'
complete -c oxen-sn-config -n "__fish_oxen_sn_config_using_subcommand show" -s h -l help -d 'Print help'
complete -c oxen-sn-config -n "__fish_oxen_sn_config_using_subcommand get" -l config-file -d 'The config file (default /etc/oxen/stagenet.conf); the same as giving FILE' -r -F
complete -c oxen-sn-config -n "__fish_oxen_sn_config_using_subcommand get" -l digest -d 'Print the SHA-256 (hex) of that line instead; nothing for an empty value'
complete -c oxen-sn-config -n "__fish_oxen_sn_config_using_subcommand get" -s h -l help -d 'Print help'
complete -c oxen-sn-config -n "__fish_oxen_sn_config_using_subcommand normalize" -l config-file -d 'The config file (default /etc/oxen/stagenet.conf); the same as giving FILE' -r -F
complete -c oxen-sn-config -n "__fish_oxen_sn_config_using_subcommand normalize" -l digest -d 'Print the SHA-256 (hex); nothing for an empty value'
complete -c oxen-sn-config -n "__fish_oxen_sn_config_using_subcommand normalize" -s h -l help -d 'Print help'
complete -c oxen-sn-config -n "__fish_oxen_sn_config_using_subcommand check-ip" -l config-file -d 'The config file (default /etc/oxen/stagenet.conf); the same as giving FILE' -r -F
complete -c oxen-sn-config -n "__fish_oxen_sn_config_using_subcommand check-ip" -s h -l help -d 'Print help'
complete -c oxen-sn-config -n "__fish_oxen_sn_config_using_subcommand check-providers" -l timeout -d 'Seconds before each request gives up' -r
complete -c oxen-sn-config -n "__fish_oxen_sn_config_using_subcommand check-providers" -l config-file -d 'The config file (default /etc/oxen/stagenet.conf); the same as giving FILE' -r -F
complete -c oxen-sn-config -n "__fish_oxen_sn_config_using_subcommand check-providers" -l no-probe -d 'Only check the URLs\' form; do not contact them'
complete -c oxen-sn-config -n "__fish_oxen_sn_config_using_subcommand check-providers" -s h -l help -d 'Print help'
complete -c oxen-sn-config -n "__fish_oxen_sn_config_using_subcommand probe-l2" -l timeout -d 'Seconds before each request gives up' -r
complete -c oxen-sn-config -n "__fish_oxen_sn_config_using_subcommand probe-l2" -l contract -d 'Address whose logs are requested (default: l2-rewards-contract of --config, or the current stagenet ServiceNodeRewards contract)' -r
complete -c oxen-sn-config -n "__fish_oxen_sn_config_using_subcommand probe-l2" -l config -d 'Also probe the l2-provider entries of this config file' -r -F
complete -c oxen-sn-config -n "__fish_oxen_sn_config_using_subcommand probe-l2" -l config-file -d 'The config file (default /etc/oxen/stagenet.conf); the same as giving FILE' -r -F
complete -c oxen-sn-config -n "__fish_oxen_sn_config_using_subcommand probe-l2" -l json -d 'Machine-readable output'
complete -c oxen-sn-config -n "__fish_oxen_sn_config_using_subcommand probe-l2" -s h -l help -d 'Print help'
complete -c oxen-sn-config -n "__fish_oxen_sn_config_using_subcommand help; and not __fish_seen_subcommand_from render set validate show get normalize check-ip check-providers probe-l2 help" -f -a "render" -d 'Print the packaged config (debian/stagenet.conf) with the IP and providers filled in'
complete -c oxen-sn-config -n "__fish_oxen_sn_config_using_subcommand help; and not __fish_seen_subcommand_from render set validate show get normalize check-ip check-providers probe-l2 help" -f -a "set" -d 'Create FILE from the template, or edit it in place: set service-node=1 and the given public IP and providers, keeping every other line byte for byte. Writes atomically with mode 0640 and group _loki (when that group exists)'
complete -c oxen-sn-config -n "__fish_oxen_sn_config_using_subcommand help; and not __fish_seen_subcommand_from render set validate show get normalize check-ip check-providers probe-l2 help" -f -a "validate" -d 'Check FILE as the daemon does at startup; print every problem with its line'
complete -c oxen-sn-config -n "__fish_oxen_sn_config_using_subcommand help; and not __fish_seen_subcommand_from render set validate show get normalize check-ip check-providers probe-l2 help" -f -a "show" -d 'Print the settings of FILE, each with the file and line (or default) it comes from'
complete -c oxen-sn-config -n "__fish_oxen_sn_config_using_subcommand help; and not __fish_seen_subcommand_from render set validate show get normalize check-ip check-providers probe-l2 help" -f -a "get" -d 'For scripts: print the value the daemon uses for OPTION (a list on one line, separated by single spaces; the default when FILE does not set it), in full. Exit 1 when FILE is not a valid config, 2 for an unknown OPTION, 3 when FILE cannot be read'
complete -c oxen-sn-config -n "__fish_oxen_sn_config_using_subcommand help; and not __fish_seen_subcommand_from render set validate show get normalize check-ip check-providers probe-l2 help" -f -a "normalize" -d 'For scripts: print VALUE as `get` prints a list (split on commas and blanks, joined by single spaces), or with --digest its SHA-256 as `get --digest` does'
complete -c oxen-sn-config -n "__fish_oxen_sn_config_using_subcommand help; and not __fish_seen_subcommand_from render set validate show get normalize check-ip check-providers probe-l2 help" -f -a "check-ip" -d 'For scripts: exit 0 when IP can be this node\'s public address; otherwise print why (one line) and exit 1'
complete -c oxen-sn-config -n "__fish_oxen_sn_config_using_subcommand help; and not __fish_seen_subcommand_from render set validate show get normalize check-ip check-providers probe-l2 help" -f -a "check-providers" -d 'For scripts: check provider URLs as the installer writes them. A URL that can never work (no http:// or https:// scheme, quotes, \'#\', blanks inside) is named with its fault and redacted host, one line each, and the status is 1 (nothing is probed); otherwise each is probed as probe-l2 does, the reports of those that fail are printed and the status is 4'
complete -c oxen-sn-config -n "__fish_oxen_sn_config_using_subcommand help; and not __fish_seen_subcommand_from render set validate show get normalize check-ip check-providers probe-l2 help" -f -a "probe-l2" -d 'Check L2 providers: chain id (must be 0x66eee), head and its age, latency, the largest eth_getLogs range served, and the l2-max-logs to use'
complete -c oxen-sn-config -n "__fish_oxen_sn_config_using_subcommand help; and not __fish_seen_subcommand_from render set validate show get normalize check-ip check-providers probe-l2 help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
