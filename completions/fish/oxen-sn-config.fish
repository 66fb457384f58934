# Print an optspec for argparse to handle cmd's options that are independent of any subcommand.
function __fish_oxen_sn_config_global_optspecs
    string join \n h/help V/version
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

complete -c oxen-sn-config -n "__fish_oxen_sn_config_needs_command" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c oxen-sn-config -n "__fish_oxen_sn_config_needs_command" -s V -l version -d 'Print version'
complete -c oxen-sn-config -n "__fish_oxen_sn_config_needs_command" -f -a "render" -d 'Print the packaged config (debian/stagenet.conf) with the IP and providers filled in'
complete -c oxen-sn-config -n "__fish_oxen_sn_config_needs_command" -f -a "set" -d 'Create FILE from the template, or edit it in place: set service-node=1 and the given public IP and providers, keeping every other line byte for byte. Writes atomically with mode 0640 and group _loki (when that group exists)'
complete -c oxen-sn-config -n "__fish_oxen_sn_config_needs_command" -f -a "validate" -d 'Check FILE as the daemon does at startup; print every problem with its line'
complete -c oxen-sn-config -n "__fish_oxen_sn_config_needs_command" -f -a "show" -d 'Print the settings of FILE, each with the file and line (or default) it comes from'
complete -c oxen-sn-config -n "__fish_oxen_sn_config_needs_command" -f -a "probe-l2" -d 'Check L2 providers: chain id (must be 0x66eee), head and its age, latency, the largest eth_getLogs range served, and the l2-max-logs to use'
complete -c oxen-sn-config -n "__fish_oxen_sn_config_needs_command" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c oxen-sn-config -n "__fish_oxen_sn_config_using_subcommand render" -l public-ip -d 'The node\'s public IPv4 address' -r
complete -c oxen-sn-config -n "__fish_oxen_sn_config_using_subcommand render" -l l2-provider -d 'Arbitrum Sepolia JSON-RPC URL (repeat, or separate with commas/blanks; primary first)' -r
complete -c oxen-sn-config -n "__fish_oxen_sn_config_using_subcommand render" -s h -l help -d 'Print help'
complete -c oxen-sn-config -n "__fish_oxen_sn_config_using_subcommand set" -l public-ip -d 'The node\'s public IPv4 address (must be public unless the file sets dev-allow-local-ips)' -r
complete -c oxen-sn-config -n "__fish_oxen_sn_config_using_subcommand set" -l l2-provider -d 'Arbitrum Sepolia JSON-RPC URL (repeat, or separate with commas/blanks; primary first). Replaces the file\'s whole l2-provider list' -r
complete -c oxen-sn-config -n "__fish_oxen_sn_config_using_subcommand set" -s h -l help -d 'Print help'
complete -c oxen-sn-config -n "__fish_oxen_sn_config_using_subcommand validate" -s h -l help -d 'Print help'
complete -c oxen-sn-config -n "__fish_oxen_sn_config_using_subcommand show" -l effective -d 'Include every option, defaults too'
complete -c oxen-sn-config -n "__fish_oxen_sn_config_using_subcommand show" -l reveal -d 'Show provider URLs and rpc-login in full (they may contain secrets)'
complete -c oxen-sn-config -n "__fish_oxen_sn_config_using_subcommand show" -s h -l help -d 'Print help'
complete -c oxen-sn-config -n "__fish_oxen_sn_config_using_subcommand probe-l2" -l timeout -d 'Seconds before each request gives up' -r
complete -c oxen-sn-config -n "__fish_oxen_sn_config_using_subcommand probe-l2" -l contract -d 'Address whose logs are requested (default: l2-rewards-contract of --config, or the current stagenet ServiceNodeRewards contract)' -r
complete -c oxen-sn-config -n "__fish_oxen_sn_config_using_subcommand probe-l2" -l config -d 'Also probe the l2-provider entries of this config file' -r -F
complete -c oxen-sn-config -n "__fish_oxen_sn_config_using_subcommand probe-l2" -l json -d 'Machine-readable output'
complete -c oxen-sn-config -n "__fish_oxen_sn_config_using_subcommand probe-l2" -s h -l help -d 'Print help'
complete -c oxen-sn-config -n "__fish_oxen_sn_config_using_subcommand help; and not __fish_seen_subcommand_from render set validate show probe-l2 help" -f -a "render" -d 'Print the packaged config (debian/stagenet.conf) with the IP and providers filled in'
complete -c oxen-sn-config -n "__fish_oxen_sn_config_using_subcommand help; and not __fish_seen_subcommand_from render set validate show probe-l2 help" -f -a "set" -d 'Create FILE from the template, or edit it in place: set service-node=1 and the given public IP and providers, keeping every other line byte for byte. Writes atomically with mode 0640 and group _loki (when that group exists)'
complete -c oxen-sn-config -n "__fish_oxen_sn_config_using_subcommand help; and not __fish_seen_subcommand_from render set validate show probe-l2 help" -f -a "validate" -d 'Check FILE as the daemon does at startup; print every problem with its line'
complete -c oxen-sn-config -n "__fish_oxen_sn_config_using_subcommand help; and not __fish_seen_subcommand_from render set validate show probe-l2 help" -f -a "show" -d 'Print the settings of FILE, each with the file and line (or default) it comes from'
complete -c oxen-sn-config -n "__fish_oxen_sn_config_using_subcommand help; and not __fish_seen_subcommand_from render set validate show probe-l2 help" -f -a "probe-l2" -d 'Check L2 providers: chain id (must be 0x66eee), head and its age, latency, the largest eth_getLogs range served, and the l2-max-logs to use'
complete -c oxen-sn-config -n "__fish_oxen_sn_config_using_subcommand help; and not __fish_seen_subcommand_from render set validate show probe-l2 help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
