# Print an optspec for argparse to handle cmd's options that are independent of any subcommand.
function __fish_oxen_sn_keys_snapshot_global_optspecs
    string join \n h/help V/version
end

function __fish_oxen_sn_keys_snapshot_needs_command
    # Figure out if the current invocation already has a command.
    set -l cmd (commandline -opc)
    set -e cmd[1]
    argparse -s (__fish_oxen_sn_keys_snapshot_global_optspecs) -- $cmd 2>/dev/null
    or return
    if set -q argv[1]
        # Also print the command, so this can be used to figure out what it is.
        echo $argv[1]
        return 1
    end
    return 0
end

function __fish_oxen_sn_keys_snapshot_using_subcommand
    set -l cmd (__fish_oxen_sn_keys_snapshot_needs_command)
    test -z "$cmd"
    and return 1
    contains -- $cmd[1] $argv
end

complete -c oxen-sn-keys-snapshot -n "__fish_oxen_sn_keys_snapshot_needs_command" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c oxen-sn-keys-snapshot -n "__fish_oxen_sn_keys_snapshot_needs_command" -s V -l version -d 'Print version'
complete -c oxen-sn-keys-snapshot -n "__fish_oxen_sn_keys_snapshot_needs_command" -f -a "ed25519" -d 'Generate an Ed25519 service node key'
complete -c oxen-sn-keys-snapshot -n "__fish_oxen_sn_keys_snapshot_needs_command" -f -a "bls" -d 'Generate a BLS (BN254) key'
complete -c oxen-sn-keys-snapshot -n "__fish_oxen_sn_keys_snapshot_needs_command" -f -a "legacy" -d 'Generate a legacy primary key'
complete -c oxen-sn-keys-snapshot -n "__fish_oxen_sn_keys_snapshot_needs_command" -f -a "show" -d 'Show the secret and public keys in a key file'
complete -c oxen-sn-keys-snapshot -n "__fish_oxen_sn_keys_snapshot_needs_command" -f -a "restore" -d 'Restore an Ed25519 key from its hex secret'
complete -c oxen-sn-keys-snapshot -n "__fish_oxen_sn_keys_snapshot_needs_command" -f -a "restore-bls" -d 'Restore a BLS key from its hex secret'
complete -c oxen-sn-keys-snapshot -n "__fish_oxen_sn_keys_snapshot_needs_command" -f -a "restore-legacy" -d 'Restore a legacy key from its hex secret'
complete -c oxen-sn-keys-snapshot -n "__fish_oxen_sn_keys_snapshot_needs_command" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c oxen-sn-keys-snapshot -n "__fish_oxen_sn_keys_snapshot_using_subcommand ed25519" -l config-file -d 'The node\'s config, for the key guard (default /etc/oxen/stagenet.conf)' -r -F
complete -c oxen-sn-keys-snapshot -n "__fish_oxen_sn_keys_snapshot_using_subcommand ed25519" -l overwrite -d 'Replace an existing file (the old one is kept as FILENAME.<UTC time>.bak)'
complete -c oxen-sn-keys-snapshot -n "__fish_oxen_sn_keys_snapshot_using_subcommand ed25519" -l replace-registered-key -d 'With --overwrite: replace the key even when the node is registered (this deregisters it) or when that cannot be checked'
complete -c oxen-sn-keys-snapshot -n "__fish_oxen_sn_keys_snapshot_using_subcommand ed25519" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c oxen-sn-keys-snapshot -n "__fish_oxen_sn_keys_snapshot_using_subcommand bls" -l config-file -d 'The node\'s config, for the key guard (default /etc/oxen/stagenet.conf)' -r -F
complete -c oxen-sn-keys-snapshot -n "__fish_oxen_sn_keys_snapshot_using_subcommand bls" -l overwrite -d 'Replace an existing file (the old one is kept as FILENAME.<UTC time>.bak)'
complete -c oxen-sn-keys-snapshot -n "__fish_oxen_sn_keys_snapshot_using_subcommand bls" -l replace-registered-key -d 'With --overwrite: replace the key even when the node is registered (this deregisters it) or when that cannot be checked'
complete -c oxen-sn-keys-snapshot -n "__fish_oxen_sn_keys_snapshot_using_subcommand bls" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c oxen-sn-keys-snapshot -n "__fish_oxen_sn_keys_snapshot_using_subcommand legacy" -l config-file -d 'The node\'s config, for the key guard (default /etc/oxen/stagenet.conf)' -r -F
complete -c oxen-sn-keys-snapshot -n "__fish_oxen_sn_keys_snapshot_using_subcommand legacy" -l overwrite -d 'Replace an existing file (the old one is kept as FILENAME.<UTC time>.bak)'
complete -c oxen-sn-keys-snapshot -n "__fish_oxen_sn_keys_snapshot_using_subcommand legacy" -l replace-registered-key -d 'With --overwrite: replace the key even when the node is registered (this deregisters it) or when that cannot be checked'
complete -c oxen-sn-keys-snapshot -n "__fish_oxen_sn_keys_snapshot_using_subcommand legacy" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c oxen-sn-keys-snapshot -n "__fish_oxen_sn_keys_snapshot_using_subcommand show" -l ed25519 -d 'Read FILENAME as an Ed25519 key file'
complete -c oxen-sn-keys-snapshot -n "__fish_oxen_sn_keys_snapshot_using_subcommand show" -l bls -d 'Read FILENAME as a BLS key file'
complete -c oxen-sn-keys-snapshot -n "__fish_oxen_sn_keys_snapshot_using_subcommand show" -l legacy -d 'Read FILENAME as a legacy key file'
complete -c oxen-sn-keys-snapshot -n "__fish_oxen_sn_keys_snapshot_using_subcommand show" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c oxen-sn-keys-snapshot -n "__fish_oxen_sn_keys_snapshot_using_subcommand restore" -l config-file -d 'The node\'s config, for the key guard (default /etc/oxen/stagenet.conf)' -r -F
complete -c oxen-sn-keys-snapshot -n "__fish_oxen_sn_keys_snapshot_using_subcommand restore" -l overwrite -d 'Replace an existing file (the old one is kept as FILENAME.<UTC time>.bak)'
complete -c oxen-sn-keys-snapshot -n "__fish_oxen_sn_keys_snapshot_using_subcommand restore" -l replace-registered-key -d 'With --overwrite: replace the key even when the node is registered (this deregisters it) or when that cannot be checked'
complete -c oxen-sn-keys-snapshot -n "__fish_oxen_sn_keys_snapshot_using_subcommand restore" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c oxen-sn-keys-snapshot -n "__fish_oxen_sn_keys_snapshot_using_subcommand restore-bls" -l config-file -d 'The node\'s config, for the key guard (default /etc/oxen/stagenet.conf)' -r -F
complete -c oxen-sn-keys-snapshot -n "__fish_oxen_sn_keys_snapshot_using_subcommand restore-bls" -l overwrite -d 'Replace an existing file (the old one is kept as FILENAME.<UTC time>.bak)'
complete -c oxen-sn-keys-snapshot -n "__fish_oxen_sn_keys_snapshot_using_subcommand restore-bls" -l replace-registered-key -d 'With --overwrite: replace the key even when the node is registered (this deregisters it) or when that cannot be checked'
complete -c oxen-sn-keys-snapshot -n "__fish_oxen_sn_keys_snapshot_using_subcommand restore-bls" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c oxen-sn-keys-snapshot -n "__fish_oxen_sn_keys_snapshot_using_subcommand restore-legacy" -l config-file -d 'The node\'s config, for the key guard (default /etc/oxen/stagenet.conf)' -r -F
complete -c oxen-sn-keys-snapshot -n "__fish_oxen_sn_keys_snapshot_using_subcommand restore-legacy" -l overwrite -d 'Replace an existing file (the old one is kept as FILENAME.<UTC time>.bak)'
complete -c oxen-sn-keys-snapshot -n "__fish_oxen_sn_keys_snapshot_using_subcommand restore-legacy" -l replace-registered-key -d 'With --overwrite: replace the key even when the node is registered (this deregisters it) or when that cannot be checked'
complete -c oxen-sn-keys-snapshot -n "__fish_oxen_sn_keys_snapshot_using_subcommand restore-legacy" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c oxen-sn-keys-snapshot -n "__fish_oxen_sn_keys_snapshot_using_subcommand help; and not __fish_seen_subcommand_from ed25519 bls legacy show restore restore-bls restore-legacy help" -f -a "ed25519" -d 'Generate an Ed25519 service node key'
complete -c oxen-sn-keys-snapshot -n "__fish_oxen_sn_keys_snapshot_using_subcommand help; and not __fish_seen_subcommand_from ed25519 bls legacy show restore restore-bls restore-legacy help" -f -a "bls" -d 'Generate a BLS (BN254) key'
complete -c oxen-sn-keys-snapshot -n "__fish_oxen_sn_keys_snapshot_using_subcommand help; and not __fish_seen_subcommand_from ed25519 bls legacy show restore restore-bls restore-legacy help" -f -a "legacy" -d 'Generate a legacy primary key'
complete -c oxen-sn-keys-snapshot -n "__fish_oxen_sn_keys_snapshot_using_subcommand help; and not __fish_seen_subcommand_from ed25519 bls legacy show restore restore-bls restore-legacy help" -f -a "show" -d 'Show the secret and public keys in a key file'
complete -c oxen-sn-keys-snapshot -n "__fish_oxen_sn_keys_snapshot_using_subcommand help; and not __fish_seen_subcommand_from ed25519 bls legacy show restore restore-bls restore-legacy help" -f -a "restore" -d 'Restore an Ed25519 key from its hex secret'
complete -c oxen-sn-keys-snapshot -n "__fish_oxen_sn_keys_snapshot_using_subcommand help; and not __fish_seen_subcommand_from ed25519 bls legacy show restore restore-bls restore-legacy help" -f -a "restore-bls" -d 'Restore a BLS key from its hex secret'
complete -c oxen-sn-keys-snapshot -n "__fish_oxen_sn_keys_snapshot_using_subcommand help; and not __fish_seen_subcommand_from ed25519 bls legacy show restore restore-bls restore-legacy help" -f -a "restore-legacy" -d 'Restore a legacy key from its hex secret'
complete -c oxen-sn-keys-snapshot -n "__fish_oxen_sn_keys_snapshot_using_subcommand help; and not __fish_seen_subcommand_from ed25519 bls legacy show restore restore-bls restore-legacy help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
