"""Shared helpers of the reliability scripts (scripts/crash-trials, scripts/full-disk,
scripts/load-rpc): they drive the built binaries through their command lines and the
admin JSON-RPC over loopback HTTP only. Standard library only."""

import json
import os
import signal
import socket
import subprocess
import time
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BIN = os.environ.get("SNODE_BIN", os.path.join(ROOT, "target", "debug"))
KEYS = os.path.join(BIN, "oxen-sn-keys-snapshot")
DAEMON = os.path.join(BIN, "oxend-stagenet")
CONFIG = os.path.join(BIN, "oxen-sn-config")
# The current stagenet ServiceNodeRewards address (the daemon's default).
CONTRACT = "0x9d8aB00880CBBdc2Dcd29C179779469A82E7be35"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def refused_url():
    """A loopback URL where nothing listens (the port was just free)."""
    return f"http://127.0.0.1:{free_port()}/"


def write_config(path, data_dir, provider, rpc_port, extra=""):
    """A node config made by `oxen-sn-config set`, pointed at `data_dir` and a
    loopback admin RPC port."""
    if os.path.exists(path):
        os.remove(path)
    subprocess.run([CONFIG, "set", "--public-ip", "1.2.3.4", "--l2-provider", provider, path],
                   check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    with open(path) as f:
        lines = f.read().splitlines()
    out = []
    for line in lines:
        if line.startswith("data-dir="):
            line = "data-dir=" + data_dir
        elif line.startswith("log-file="):
            line = "log-file=" + os.path.join(os.path.dirname(path), "oxend.log")
        out.append(line)
    out.append(f"rpc-admin=127.0.0.1:{rpc_port}")
    with open(path, "w") as f:
        f.write("\n".join(out) + "\n" + extra)


def rpc(port, method, params=None, timeout=10):
    body = {"jsonrpc": "2.0", "id": 0, "method": method}
    if params is not None:
        body["params"] = params
    rq = urllib.request.Request(f"http://127.0.0.1:{port}/json_rpc", json.dumps(body).encode(),
                                {"Content-Type": "application/json"})
    with urllib.request.urlopen(rq, timeout=timeout) as r:
        return json.load(r)


def start_daemon(conf, log):
    return subprocess.Popen([DAEMON, "--config-file", conf, "--non-interactive"],
                            stdin=subprocess.DEVNULL, stdout=log, stderr=log)


def wait_rpc(port, proc, within=60.0):
    """Waits until the admin RPC answers; False when the daemon ended first."""
    end = time.monotonic() + within
    while time.monotonic() < end:
        if proc.poll() is not None:
            return False
        try:
            rpc(port, "get_info", timeout=2)
            return True
        except OSError:
            time.sleep(0.02)
    return False


def stop(proc, sig=signal.SIGTERM, within=30):
    if proc.poll() is None:
        proc.send_signal(sig)
    try:
        proc.wait(within)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
    return proc.returncode


def rss_kib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


# --- a local L2: anvil plus a log-emitting stand-in for the rewards contract ---

# EVM code: calldata shorter than 0x60 bytes (a view call) answers empty; longer
# calldata = [pad word][topic0][topic1][data...] emits LOG2(topic0, topic1, data).
#   CALLDATASIZE PUSH1 60 GT PUSH1 1b JUMPI  CALLDATASIZE PUSH1 0 PUSH1 0 CALLDATACOPY
#   PUSH1 40 MLOAD PUSH1 20 MLOAD PUSH1 60 CALLDATASIZE SUB PUSH1 60 LOG2 STOP
#   1b: JUMPDEST STOP
EMITTER = "0x3660601160" + "1b57" + "3660006000376040516020516060360360" + "60a2005b00"
T_NEW = "533c16cb4158fe7c77021b90e9290bbefa457dd392bd8abc1eab59747834fd5b"
T_EXIT_REQUEST = "8600c0145511b317ae0189933fa71eb57a32d74891804c7993ef74ec63a5e804"
OPERATOR = bytes(12) + bytes([0x70] * 20)
STAKE = 20_000_000_000_000


def word(n):
    return n.to_bytes(32, "big")


class L2:
    """anvil on 127.0.0.1 with the emitter at the rewards contract's address."""

    def __init__(self, anvil, workdir):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = open(os.path.join(workdir, "anvil.log"), "wb")
        self.proc = subprocess.Popen([anvil, "--host", "127.0.0.1", "--port", str(self.port),
                                      "--chain-id", "421614", "--silent"],
                                     stdin=subprocess.DEVNULL, stdout=self.log, stderr=self.log)
        for _ in range(600):
            try:
                self.call("eth_chainId", [])
                break
            except OSError:
                time.sleep(0.05)
        self.call("anvil_setCode", [CONTRACT, EMITTER])
        self.sender = self.call("eth_accounts", [])[0]

    def call(self, method, params):
        return self.batch([(method, params)])[0]

    def batch(self, calls):
        body = [{"jsonrpc": "2.0", "id": i, "method": m, "params": p}
                for i, (m, p) in enumerate(calls)]
        rq = urllib.request.Request(self.url, json.dumps(body).encode(),
                                    {"Content-Type": "application/json"})
        with urllib.request.urlopen(rq, timeout=60) as r:
            answers = sorted(json.load(r), key=lambda a: a["id"])
        for a in answers:
            if "error" in a:
                raise RuntimeError(f"anvil: {a['error']}")
        return [a["result"] for a in answers]

    def emit_nodes(self, count, exit_every=4, per_block=20):
        """`count` NewServiceNodeV2 logs (contract ids 1..count) and a
        ServiceNodeExitRequest for every `exit_every`-th node, `per_block` logs a block."""
        txs = []
        for i in range(1, count + 1):
            bls = word(0x1000 + i) + word(0x2000 + i)
            ed = word(0xED000000 + i)
            data = OPERATOR + bls + ed + bytes([0x44] * 64) + word(0) + word(0x100) + word(1)
            data += OPERATOR + OPERATOR + word(STAKE)
            txs.append(word(0) + bytes.fromhex(T_NEW) + word(i) + data)
            if exit_every and i % exit_every == 0:
                txs.append(word(0) + bytes.fromhex(T_EXIT_REQUEST) + word(i) + OPERATOR + bls)
        # Automine off: each chunk of transactions goes into one block by evm_mine
        # (sent as a batch with automine on, anvil drops some under load).
        self.call("evm_setAutomine", [False])
        nonce = int(self.call("eth_getTransactionCount", [self.sender, "latest"]), 16)
        for k in range(0, len(txs), per_block):
            self.batch([("eth_sendTransaction", [{"from": self.sender, "to": CONTRACT,
                                                  "nonce": hex(nonce + k + j),
                                                  "data": "0x" + t.hex(), "gas": "0x100000"}])
                        for j, t in enumerate(txs[k:k + per_block])])
            self.call("evm_mine", [])
        mined = int(self.call("eth_getTransactionCount", [self.sender, "latest"]), 16) - nonce
        if mined != len(txs):
            raise RuntimeError(f"anvil mined {mined} of {len(txs)} transactions")
        self.call("evm_setAutomine", [True])
        return int(self.call("eth_blockNumber", []), 16)

    def close(self):
        stop(self.proc)
        self.log.close()
