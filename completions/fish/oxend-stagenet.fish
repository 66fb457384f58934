# Print an optspec for argparse to handle cmd's options that are independent of any subcommand.
function __fish_oxend_stagenet_global_optspecs
    string join \n config-file= non-interactive version rpc-address-file= watchdog-interval= data-dir= log-file= log-level= max-log-file-size= max-log-files= max-concurrency= stagenet= testnet= devnet= regtest= localdev= detach= service-node= service-node-public-ip= quorumnet-port= storage-server-port= lmq-public-quorumnet= dev-allow-local-ips= disable-ip-check= l2-provider= l2-refresh= l2-timeout= l2-max-logs= l2-check-interval= l2-check-threshold= l2-skip-chainid= l2-skip-proof-check= l2-rewards-contract= l2-pool-contract= staking-url= p2p-bind-ip= p2p-bind-port= p2p-bind-ipv6-address= p2p-bind-port-ipv6= p2p-use-ipv6= p2p-ignore-ipv4= p2p-external-port= allow-local-ip= add-peer= add-priority-node= add-exclusive-node= seed-node= hide-my-port= no-sync= out-peers= in-peers= limit-rate-up= limit-rate-down= limit-rate= tos-flag= offline= chain-follower= rpc-admin= rpc-public= rpc-login= rpc-bind-ip= rpc-bind-ipv6-address= rpc-use-ipv6= rpc-ignore-ipv4= confirm-external-bind= rpc-access-control-origins= rpc-bind-port= rpc-restricted-bind-port= restricted-rpc= public-node= lmq-public= lmq-curve-public= lmq-curve= lmq-admin= lmq-user= lmq-local-control= lmq-umask= db-sync-mode= db-salvage= fast-block-sync= prep-blocks-threads= block-sync-size= block-download-max-size= max-txpool-weight= pad-transactions= keep-alt-blocks= show-time-stats= block-notify= reorg-notify= store-quorum-history= start-mining= mining-threads= h/help
end

function __fish_oxend_stagenet_needs_command
    # Figure out if the current invocation already has a command.
    set -l cmd (commandline -opc)
    set -e cmd[1]
    argparse -s (__fish_oxend_stagenet_global_optspecs) -- $cmd 2>/dev/null
    or return
    if set -q argv[1]
        # Also print the command, so this can be used to figure out what it is.
        echo $argv[1]
        return 1
    end
    return 0
end

function __fish_oxend_stagenet_using_subcommand
    set -l cmd (__fish_oxend_stagenet_needs_command)
    test -z "$cmd"
    and return 1
    contains -- $cmd[1] $argv
end

complete -c oxend-stagenet -n "__fish_oxend_stagenet_needs_command" -l config-file -d 'Config file (oxend format). Daemon default: <data-dir>/oxen.conf when present; client default: /etc/oxen/stagenet.conf when present' -r -F
complete -c oxend-stagenet -n "__fish_oxend_stagenet_needs_command" -l rpc-address-file -d 'Testing: write the bound admin RPC addresses (one per line) to FILE once the daemon listens' -r -F
complete -c oxend-stagenet -n "__fish_oxend_stagenet_needs_command" -l watchdog-interval -d 'Testing: seconds between WATCHDOG=1/STATUS= notifications (default 10)' -r
complete -c oxend-stagenet -n "__fish_oxend_stagenet_needs_command" -l data-dir -d ' Data directory. Unset means `~/.oxen/stagenet3`. [default: ~/.oxen/stagenet3]' -r
complete -c oxend-stagenet -n "__fish_oxend_stagenet_needs_command" -l log-file -d ' Log file; relative paths are relative to the data directory. [default: <data-dir>/oxen.log]' -r
complete -c oxend-stagenet -n "__fish_oxend_stagenet_needs_command" -l log-level -d ' Log level: critical/error/warning/info/debug/trace or 0-4, plus `cat=level` lists. [default: warning]' -r
complete -c oxend-stagenet -n "__fish_oxend_stagenet_needs_command" -l max-log-file-size -d ' Size in bytes at which the log file rotates. [default: 104850000]' -r
complete -c oxend-stagenet -n "__fish_oxend_stagenet_needs_command" -l max-log-files -d ' Rotated log files kept. [default: 50]' -r
complete -c oxend-stagenet -n "__fish_oxend_stagenet_needs_command" -l max-concurrency -d ' Worker threads (0 = automatic). [default: 0]' -r
complete -c oxend-stagenet -n "__fish_oxend_stagenet_needs_command" -l stagenet -d ' Run on stagenet (the only network this build serves). [default: 0]' -r
complete -c oxend-stagenet -n "__fish_oxend_stagenet_needs_command" -l testnet -d ' Run on testnet (not supported by this build). [default: 0]' -r
complete -c oxend-stagenet -n "__fish_oxend_stagenet_needs_command" -l devnet -d ' Run on devnet (not supported by this build). [default: 0]' -r
complete -c oxend-stagenet -n "__fish_oxend_stagenet_needs_command" -l regtest -d ' Run on regtest (not supported by this build). [default: 0]' -r
complete -c oxend-stagenet -n "__fish_oxend_stagenet_needs_command" -l localdev -d ' Run on localdev (not supported by this build). [default: 0]' -r
complete -c oxend-stagenet -n "__fish_oxend_stagenet_needs_command" -l detach -d ' Hidden and refused: detaching is no longer supported. [default: 0]' -r
complete -c oxend-stagenet -n "__fish_oxend_stagenet_needs_command" -l service-node -d ' Run as a service node. [default: 0]' -r
complete -c oxend-stagenet -n "__fish_oxend_stagenet_needs_command" -l service-node-public-ip -d ' The public IPv4 address the node is reachable at.' -r
complete -c oxend-stagenet -n "__fish_oxend_stagenet_needs_command" -l quorumnet-port -d ' Quorumnet (OxenMQ over TCP) port. [default: 11025]' -r
complete -c oxend-stagenet -n "__fish_oxend_stagenet_needs_command" -l storage-server-port -d ' Deprecated and ignored. [default: 0]' -r
complete -c oxend-stagenet -n "__fish_oxend_stagenet_needs_command" -l lmq-public-quorumnet -d ' Allow public connections to the quorumnet port. [default: 0]' -r
complete -c oxend-stagenet -n "__fish_oxend_stagenet_needs_command" -l dev-allow-local-ips -d ' Accept a non-public `service-node-public-ip` (testing only; the node will not work on stagenet). [default: 0]' -r
complete -c oxend-stagenet -n "__fish_oxend_stagenet_needs_command" -l disable-ip-check -d ' Skip the periodic reachability self-check. [default: 0]' -r
complete -c oxend-stagenet -n "__fish_oxend_stagenet_needs_command" -l l2-provider -d ' Arbitrum Sepolia JSON-RPC URLs, primary first. Repeatable; each value is also split on commas and blanks.' -r
complete -c oxend-stagenet -n "__fish_oxend_stagenet_needs_command" -l l2-refresh -d ' Seconds between L2 polls. [default: 60]' -r
complete -c oxend-stagenet -n "__fish_oxend_stagenet_needs_command" -l l2-timeout -d ' Seconds to wait for an L2 provider\'s answer to one request; after that the request counts as timed out and the next provider, if any, is tried. [default: 5]' -r
complete -c oxend-stagenet -n "__fish_oxend_stagenet_needs_command" -l l2-max-logs -d ' Largest block range per eth_getLogs request. [default: 1000]' -r
complete -c oxend-stagenet -n "__fish_oxend_stagenet_needs_command" -l l2-check-interval -d ' Seconds between comparisons of all providers\' heights. [default: 170]' -r
complete -c oxend-stagenet -n "__fish_oxend_stagenet_needs_command" -l l2-check-threshold -d ' Blocks a provider may lag behind the best one before it is demoted. [default: 120]' -r
complete -c oxend-stagenet -n "__fish_oxend_stagenet_needs_command" -l l2-skip-chainid -d ' Do not check the providers\' chain id at startup. [default: 0]' -r
complete -c oxend-stagenet -n "__fish_oxend_stagenet_needs_command" -l l2-skip-proof-check -d ' Temporary HF20 option: send uptime proofs without a recent L2 height. [default: 0]' -r
complete -c oxend-stagenet -n "__fish_oxend_stagenet_needs_command" -l l2-rewards-contract -d ' Extension (not in upstream oxend): ServiceNodeRewards contract address. [default: 0x9d8aB00880CBBdc2Dcd29C179779469A82E7be35]' -r
complete -c oxend-stagenet -n "__fish_oxend_stagenet_needs_command" -l l2-pool-contract -d ' Extension (not in upstream oxend): RewardRatePool contract address. [default: 0xaAD853fE7091728dac0DAa7b69990ee68abFC636]' -r
complete -c oxend-stagenet -n "__fish_oxend_stagenet_needs_command" -l staking-url -d ' Extension (not in upstream oxend): staking backend base URL used by `register`. [default: https://testnet.stake.getsession.org]' -r
complete -c oxend-stagenet -n "__fish_oxend_stagenet_needs_command" -l p2p-bind-ip -d ' IPv4 address the P2P listener binds to. [default: 0.0.0.0]' -r
complete -c oxend-stagenet -n "__fish_oxend_stagenet_needs_command" -l p2p-bind-port -d ' P2P port. [default: 11022]' -r
complete -c oxend-stagenet -n "__fish_oxend_stagenet_needs_command" -l p2p-bind-ipv6-address -d ' IPv6 address the P2P listener binds to. [default: ::]' -r
complete -c oxend-stagenet -n "__fish_oxend_stagenet_needs_command" -l p2p-bind-port-ipv6 -d ' IPv6 P2P port. [default: 11022]' -r
complete -c oxend-stagenet -n "__fish_oxend_stagenet_needs_command" -l p2p-use-ipv6 -d ' Also listen on IPv6. [default: 0]' -r
complete -c oxend-stagenet -n "__fish_oxend_stagenet_needs_command" -l p2p-ignore-ipv4 -d ' Do not listen on IPv4. [default: 0]' -r
complete -c oxend-stagenet -n "__fish_oxend_stagenet_needs_command" -l p2p-external-port -d ' P2P port as seen from outside (0 = same as the bind port). [default: 0]' -r
complete -c oxend-stagenet -n "__fish_oxend_stagenet_needs_command" -l allow-local-ip -d ' Allow peers on local addresses. [default: 0]' -r
complete -c oxend-stagenet -n "__fish_oxend_stagenet_needs_command" -l add-peer -d ' Extra peers.' -r
complete -c oxend-stagenet -n "__fish_oxend_stagenet_needs_command" -l add-priority-node -d ' Peers to keep connected.' -r
complete -c oxend-stagenet -n "__fish_oxend_stagenet_needs_command" -l add-exclusive-node -d ' The only peers to connect to.' -r
complete -c oxend-stagenet -n "__fish_oxend_stagenet_needs_command" -l seed-node -d ' Seed nodes.' -r
complete -c oxend-stagenet -n "__fish_oxend_stagenet_needs_command" -l hide-my-port -d ' Do not advertise the P2P port. [default: 0]' -r
complete -c oxend-stagenet -n "__fish_oxend_stagenet_needs_command" -l no-sync -d ' Do not sync the chain. [default: 0]' -r
complete -c oxend-stagenet -n "__fish_oxend_stagenet_needs_command" -l out-peers -d ' Outgoing peer limit (-1 = default). [default: -1]' -r
complete -c oxend-stagenet -n "__fish_oxend_stagenet_needs_command" -l in-peers -d ' Incoming peer limit (-1 = default). [default: -1]' -r
complete -c oxend-stagenet -n "__fish_oxend_stagenet_needs_command" -l limit-rate-up -d ' Upload limit, kB/s. [default: 2048]' -r
complete -c oxend-stagenet -n "__fish_oxend_stagenet_needs_command" -l limit-rate-down -d ' Download limit, kB/s. [default: 8192]' -r
complete -c oxend-stagenet -n "__fish_oxend_stagenet_needs_command" -l limit-rate -d ' Both limits, kB/s (-1 = unset). [default: -1]' -r
complete -c oxend-stagenet -n "__fish_oxend_stagenet_needs_command" -l tos-flag -d ' IP type-of-service flag for P2P (-1 = unset). [default: -1]' -r
complete -c oxend-stagenet -n "__fish_oxend_stagenet_needs_command" -l offline -d ' No network at all. [default: 0]' -r
complete -c oxend-stagenet -n "__fish_oxend_stagenet_needs_command" -l chain-follower -d ' Extension (not in upstream oxend): run the Oxen chain follower (stage 1: joins the stagenet P2P network on p2p-bind-ip/p2p-bind-port with the peer options above and keeps a header chain in <data-dir>/chain; no RingCT verification, service-node list, uptime proofs or quorums). 0 turns it off. [default: 1]' -r
complete -c oxend-stagenet -n "__fish_oxend_stagenet_needs_command" -l rpc-admin -d ' Admin RPC listen addresses (`IP:PORT`, `[IPv6]:PORT`, or `none`). [default: 127.0.0.1:11023 [::1]:11023]' -r
complete -c oxend-stagenet -n "__fish_oxend_stagenet_needs_command" -l rpc-public -d ' Public RPC listen addresses.' -r
complete -c oxend-stagenet -n "__fish_oxend_stagenet_needs_command" -l rpc-login -d ' `user:password` required by the RPC.' -r
complete -c oxend-stagenet -n "__fish_oxend_stagenet_needs_command" -l rpc-bind-ip -d ' Deprecated RPC bind address. [default: 127.0.0.1]' -r
complete -c oxend-stagenet -n "__fish_oxend_stagenet_needs_command" -l rpc-bind-ipv6-address -d ' Deprecated RPC IPv6 bind address. [default: ::1]' -r
complete -c oxend-stagenet -n "__fish_oxend_stagenet_needs_command" -l rpc-use-ipv6 -d ' Also serve RPC on IPv6. [default: 0]' -r
complete -c oxend-stagenet -n "__fish_oxend_stagenet_needs_command" -l rpc-ignore-ipv4 -d ' Do not serve RPC on IPv4. [default: 0]' -r
complete -c oxend-stagenet -n "__fish_oxend_stagenet_needs_command" -l confirm-external-bind -d ' Confirm that a non-local RPC bind is intended. [default: 0]' -r
complete -c oxend-stagenet -n "__fish_oxend_stagenet_needs_command" -l rpc-access-control-origins -d ' CORS origins for the RPC.' -r
complete -c oxend-stagenet -n "__fish_oxend_stagenet_needs_command" -l rpc-bind-port -d ' Hidden, deprecated; cannot be combined with rpc-admin/rpc-public.' -r
complete -c oxend-stagenet -n "__fish_oxend_stagenet_needs_command" -l rpc-restricted-bind-port -d ' Hidden, deprecated; cannot be combined with rpc-admin/rpc-public.' -r
complete -c oxend-stagenet -n "__fish_oxend_stagenet_needs_command" -l restricted-rpc -d ' Hidden, deprecated; cannot be combined with rpc-admin/rpc-public. [default: 0]' -r
complete -c oxend-stagenet -n "__fish_oxend_stagenet_needs_command" -l public-node -d ' Hidden, deprecated; cannot be combined with rpc-admin/rpc-public. [default: 0]' -r
complete -c oxend-stagenet -n "__fish_oxend_stagenet_needs_command" -l lmq-public -d ' Public OxenMQ listeners.' -r
complete -c oxend-stagenet -n "__fish_oxend_stagenet_needs_command" -l lmq-curve-public -d ' Public CurveZMQ listeners.' -r
complete -c oxend-stagenet -n "__fish_oxend_stagenet_needs_command" -l lmq-curve -d ' CurveZMQ listeners.' -r
complete -c oxend-stagenet -n "__fish_oxend_stagenet_needs_command" -l lmq-admin -d ' Admin OxenMQ pubkeys.' -r
complete -c oxend-stagenet -n "__fish_oxend_stagenet_needs_command" -l lmq-user -d ' User OxenMQ pubkeys.' -r
complete -c oxend-stagenet -n "__fish_oxend_stagenet_needs_command" -l lmq-local-control -d ' Local control sockets (`none` disables). [default: ipc://<data-dir>/oxend.sock]' -r
complete -c oxend-stagenet -n "__fish_oxend_stagenet_needs_command" -l lmq-umask -d ' Umask of the local control socket. [default: 0007]' -r
complete -c oxend-stagenet -n "__fish_oxend_stagenet_needs_command" -l db-sync-mode -d ' LMDB sync mode. [default: fast:async:250000000bytes]' -r
complete -c oxend-stagenet -n "__fish_oxend_stagenet_needs_command" -l db-salvage -d ' Try to salvage a damaged database. [default: 0]' -r
complete -c oxend-stagenet -n "__fish_oxend_stagenet_needs_command" -l fast-block-sync -d ' Fast block sync. [default: 1]' -r
complete -c oxend-stagenet -n "__fish_oxend_stagenet_needs_command" -l prep-blocks-threads -d ' Block preparation threads. [default: 4]' -r
complete -c oxend-stagenet -n "__fish_oxend_stagenet_needs_command" -l block-sync-size -d ' Blocks per sync request (0 = automatic). [default: 0]' -r
complete -c oxend-stagenet -n "__fish_oxend_stagenet_needs_command" -l block-download-max-size -d ' Download size limit (0 = automatic). [default: 0]' -r
complete -c oxend-stagenet -n "__fish_oxend_stagenet_needs_command" -l max-txpool-weight -d ' Transaction pool weight limit. [default: 648000000]' -r
complete -c oxend-stagenet -n "__fish_oxend_stagenet_needs_command" -l pad-transactions -d ' Pad transactions. [default: 0]' -r
complete -c oxend-stagenet -n "__fish_oxend_stagenet_needs_command" -l keep-alt-blocks -d ' Keep alternative blocks. [default: 0]' -r
complete -c oxend-stagenet -n "__fish_oxend_stagenet_needs_command" -l show-time-stats -d ' Show timing statistics. [default: 0]' -r
complete -c oxend-stagenet -n "__fish_oxend_stagenet_needs_command" -l block-notify -d ' Command run for each new block.' -r
complete -c oxend-stagenet -n "__fish_oxend_stagenet_needs_command" -l reorg-notify -d ' Command run on a reorganisation.' -r
complete -c oxend-stagenet -n "__fish_oxend_stagenet_needs_command" -l store-quorum-history -d ' Quorum history kept. [default: 0]' -r
complete -c oxend-stagenet -n "__fish_oxend_stagenet_needs_command" -l start-mining -d ' Miner: start mining to this address.' -r
complete -c oxend-stagenet -n "__fish_oxend_stagenet_needs_command" -l mining-threads -d ' Miner threads. [default: 0]' -r
complete -c oxend-stagenet -n "__fish_oxend_stagenet_needs_command" -l non-interactive -d 'Run without an interactive console (as the systemd unit does)'
complete -c oxend-stagenet -n "__fish_oxend_stagenet_needs_command" -l version -d 'Print the version and exit'
complete -c oxend-stagenet -n "__fish_oxend_stagenet_needs_command" -s h -l help -d 'Print help'
complete -c oxend-stagenet -n "__fish_oxend_stagenet_needs_command" -a "doctor" -d 'Check this node: config, key files, the systemd unit, the admin RPC, each L2 provider, the public IP, the ufw profile, the clock, free disk and the node\'s state in the contract; one line per check with its fix. Works with the daemon stopped'
complete -c oxend-stagenet -n "__fish_oxend_stagenet_using_subcommand doctor" -l ufw-dir -d 'ufw\'s configuration directory: the profile is <DIR>/applications.d/oxend-stagenet, the state <DIR>/ufw.conf' -r -F
complete -c oxend-stagenet -n "__fish_oxend_stagenet_using_subcommand doctor" -l unit -d 'The systemd unit of the node' -r
complete -c oxend-stagenet -n "__fish_oxend_stagenet_using_subcommand doctor" -l key-owner -d 'The user (name or uid) the daemon runs as, who must own the key files' -r
complete -c oxend-stagenet -n "__fish_oxend_stagenet_using_subcommand doctor" -l ip-source -d 'A source answering this host\'s IPv4 address as text (repeatable; default $OXEN_SN_PUBLIC_IP_SOURCES, else oxen-sn-public-ip\'s sources)' -r
complete -c oxend-stagenet -n "__fish_oxend_stagenet_using_subcommand doctor" -l min-free -d 'Warn when less than this many MiB are free under the data directory (below 256 MiB is a problem)' -r
complete -c oxend-stagenet -n "__fish_oxend_stagenet_using_subcommand doctor" -l timeout -d 'Seconds each provider request and IP source may take' -r
complete -c oxend-stagenet -n "__fish_oxend_stagenet_using_subcommand doctor" -l config-file -d 'Config file (oxend format). Daemon default: <data-dir>/oxen.conf when present; client default: /etc/oxen/stagenet.conf when present' -r -F
complete -c oxend-stagenet -n "__fish_oxend_stagenet_using_subcommand doctor" -l json -d 'Print a JSON report ({worst, exit_status, findings: [{id, level, what, fix}]})'
complete -c oxend-stagenet -n "__fish_oxend_stagenet_using_subcommand doctor" -l offline -d 'Skip the checks that leave this host (L2 providers, public IP sources)'
complete -c oxend-stagenet -n "__fish_oxend_stagenet_using_subcommand doctor" -s h -l help -d 'Print help'
