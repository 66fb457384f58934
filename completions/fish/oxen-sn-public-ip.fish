complete -c oxen-sn-public-ip -l source -d 'A source URL answering the caller\'s IPv4 address as text (repeatable; replaces the defaults and $OXEN_SN_PUBLIC_IP_SOURCES)' -r
complete -c oxen-sn-public-ip -l timeout -d 'Seconds each source may take' -r
complete -c oxen-sn-public-ip -l interface-address -d 'Treat these as the host\'s interface addresses instead of reading /proc/net/fib_trie (repeatable; for containers and tests)' -r
complete -c oxen-sn-public-ip -l json -d 'Print a JSON report on stdout'
complete -c oxen-sn-public-ip -s v -l verbose -d 'Also print each source\'s answer on stderr'
complete -c oxen-sn-public-ip -l brief -d 'For the installer: stderr gets one line only, the reason on failure or the NAT / floating-IP warning on success (no per-source details, no prefix)'
complete -c oxen-sn-public-ip -s h -l help -d 'Print help (see more with \'--help\')'
complete -c oxen-sn-public-ip -s V -l version -d 'Print version'
