"""Crash trials: SIGKILL at random moments, then check what is on disk.

  keys      `oxen-sn-keys-snapshot restore|restore-bls --overwrite` over an old key
  daemon    oxend-stagenet's first start (creates key_ed25519 and key_bls)
  l2        oxend-stagenet syncing ServiceNodeRewards logs from anvil

Prints one summary line per campaign and exits 1 when any trial failed."""

import argparse
import json
import os
import random
import re
import shutil
import signal
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import rel  # noqa: E402

KEY_SIZE = {"key_ed25519": 131, "key_bls": 67}
KEY_TEXT = {"key_ed25519": re.compile(rb"^0x[0-9a-f]{128}\n$"), "key_bls": re.compile(rb"^0x[0-9a-f]{64}\n$")}


def mode(path):
    return os.stat(path).st_mode & 0o7777


class Span:
    """How long an unkilled run takes, learnt as the trials go (the machine's
    load changes): the median of the last 25 runs that ended before their kill."""

    def __init__(self, first):
        self.recent = [first]

    def ended(self, seconds):
        self.recent = (self.recent + [seconds])[-25:]

    def value(self):
        return statistics.median(self.recent)


def delay(rng, span, late=1.0):
    """A kill moment: a third spread over the whole run, two thirds over its
    second half (where the files are written). `late` stretches both for a
    process whose writes are not at its end (the daemon goes on running)."""
    t = span.value()
    if rng.random() < 1 / 3:
        return rng.uniform(0, t * late)
    return rng.uniform(t * 0.5, t * late)


def run_killed(argv, stdin_bytes, wait_s):
    p = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.DEVNULL,
                         stderr=subprocess.DEVNULL)
    if stdin_bytes is not None:
        try:
            p.stdin.write(stdin_bytes)
            p.stdin.close()
        except BrokenPipeError:
            pass
    t0 = time.monotonic()
    try:
        p.wait(wait_s)
        return time.monotonic() - t0  # finished before the kill
    except subprocess.TimeoutExpired:
        p.send_signal(signal.SIGKILL)
        p.wait()
        return None


class Tally:
    def __init__(self, name):
        self.name, self.trials, self.killed, self.failures = name, 0, 0, []
        self.outcomes = {}

    def note(self, outcome):
        self.outcomes[outcome] = self.outcomes.get(outcome, 0) + 1

    def fail(self, trial, why):
        self.failures.append(f"trial {trial}: {why}")

    def report(self, extra=None):
        out = {"campaign": self.name, "trials": self.trials, "killed": self.killed,
               "failures": len(self.failures), "outcomes": dict(sorted(self.outcomes.items()))}
        out.update(extra or {})
        print(json.dumps(out), flush=True)
        for f in self.failures[:20]:
            print("  FAIL " + f, flush=True)
        return not self.failures


# ------------------------------------------------------------------ keys ---
def keys_campaign(work, trials, rng):
    conf = os.path.join(work, "guard.conf")
    # The guard asks the L2 provider (nothing listens: it cannot check, so
    # --replace-registered-key) and the admin RPC (nothing listens: no daemon).
    rel.write_config(conf, os.path.join(work, "unused"), rel.refused_url(), rel.free_port())
    tally = Tally("keys restore/restore-bls --overwrite")
    kinds = [("restore", "key_ed25519", "ed25519"), ("restore-bls", "key_bls", "bls")]
    old, new, span = {}, {}, {}
    for cmd, name, gen in kinds:
        d = tempfile.mkdtemp(dir=work)
        path = os.path.join(d, name)
        subprocess.run([rel.KEYS, gen, path], check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        old[name] = open(path, "rb").read()
        times = []
        for _ in range(5):
            os.chmod(path, 0o600)
            for f in os.listdir(d):
                if f != name:
                    os.remove(os.path.join(d, f))
            with open(path, "wb") as f:
                f.write(old[name])
            t0 = time.monotonic()
            subprocess.run([rel.KEYS, cmd, "--overwrite", "--replace-registered-key", "--config-file",
                            conf, path], input=b"5a" * 32 + b"\n", check=True,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            times.append(time.monotonic() - t0)
        new[name] = open(path, "rb").read()
        span[name] = statistics.median(times)
        shutil.rmtree(d)
    span = {k: Span(v) for k, v in span.items()}
    t = -1
    while tally.killed < trials:
        t += 1
        cmd, name, _ = kinds[t % 2]
        d = os.path.join(work, f"k{t}")
        os.mkdir(d)
        path = os.path.join(d, name)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o400)
        os.write(fd, old[name])
        os.close(fd)
        tally.trials += 1
        ended = run_killed([rel.KEYS, cmd, "--overwrite", "--replace-registered-key",
                            "--config-file", conf, path], b"5a" * 32 + b"\n", delay(rng, span[name]))
        if ended is None:
            tally.killed += 1
        else:
            span[name].ended(ended)
        check_key_dir(tally, t, d, name, old[name], new[name])
        shutil.rmtree(d)
    return tally.report({"median_run_s": {k: round(v.value(), 3) for k, v in span.items()}})


def check_key_dir(tally, t, d, name, old, new):
    names = os.listdir(d)
    if name not in names:
        tally.fail(t, f"{name} is missing (left: {names})")
        tally.note("KEY MISSING")
        return
    data = open(os.path.join(d, name), "rb").read()
    state = "old" if data == old else "new" if data == new else None
    if state is None:
        tally.fail(t, f"{name} holds {len(data)} bytes that are neither the old nor the new key")
        tally.note("KEY DAMAGED")
        return
    if mode(os.path.join(d, name)) != 0o400:
        tally.fail(t, f"{name} has mode {mode(os.path.join(d, name)):o}")
    extras = []
    baks = [n for n in names if n.startswith(name + ".") and n.endswith(".bak")]
    tmps = [n for n in names if n.startswith(f".{name}.tmp-")]
    other = set(names) - {name} - set(baks) - set(tmps)
    if other:
        tally.fail(t, f"unexpected files {sorted(other)}")
    if len(baks) > 1:
        tally.fail(t, f"more than one backup: {baks}")
    for b in baks:
        bdata = open(os.path.join(d, b), "rb").read()
        if bdata == old:
            extras.append("bak")
        elif state == "old" and old.startswith(bdata):
            extras.append("partial bak (old key still in place)")
        else:
            tally.fail(t, f"backup {b} is damaged while the key is {state}")
        if mode(os.path.join(d, b)) != 0o400:
            tally.fail(t, f"{b} has mode {mode(os.path.join(d, b)):o}")
    if state == "new" and not any(e == "bak" for e in extras):
        tally.fail(t, "the new key is in place but the old one was not kept as .bak")
    for tmp in tmps:
        tdata = open(os.path.join(d, tmp), "rb").read()
        extras.append("leftover temp file" + (" (complete new key)" if tdata == new else " (partial)"))
    tally.note(" + ".join([state + " key"] + sorted(extras)))


# ---------------------------------------------------------------- daemon ---
def daemon_campaign(work, trials, rng):
    tally = Tally("daemon first-start key creation")
    conf = os.path.join(work, "daemon.conf")
    port = rel.free_port()
    data = os.path.join(work, "data")
    rel.write_config(conf, data, rel.refused_url(), port)
    log = open(os.path.join(work, "daemon-stdout.log"), "ab")
    times = []
    for _ in range(7):
        shutil.rmtree(data, ignore_errors=True)
        t0 = time.monotonic()
        p = rel.start_daemon(conf, log)
        while not all(os.path.exists(os.path.join(data, k)) for k in KEY_SIZE):
            if p.poll() is not None:
                raise SystemExit("daemon: calibration run ended early; see " + log.name)
            time.sleep(0.002)
        times.append(time.monotonic() - t0)
        rel.wait_rpc(port, p)
        rel.stop(p)
    span = Span(statistics.median(times))
    restart_fail = 0
    t = -1
    while tally.killed < trials:
        t += 1
        shutil.rmtree(data, ignore_errors=True)
        tally.trials += 1
        p = rel.start_daemon(conf, log)
        t0 = time.monotonic()
        try:
            p.wait(delay(rng, span, late=1.6))
            span.ended(time.monotonic() - t0)  # cannot happen: the daemon runs until stopped
        except subprocess.TimeoutExpired:
            p.send_signal(signal.SIGKILL)
            p.wait()
            tally.killed += 1
        names = os.listdir(data) if os.path.isdir(data) else []
        kept = {}
        states = []
        for k in KEY_SIZE:
            path = os.path.join(data, k)
            if k not in names:
                states.append(f"no {k}")
                continue
            b = open(path, "rb").read()
            if not KEY_TEXT[k].match(b):
                tally.fail(t, f"{k} is damaged ({len(b)} bytes)")
                states.append(f"DAMAGED {k}")
            elif mode(path) != 0o400:
                tally.fail(t, f"{k} has mode {mode(path):o}")
            else:
                states.append(k)
            kept[k] = b
        tmps = [n for n in names if ".tmp-" in n]
        other = set(names) - set(KEY_SIZE) - set(tmps) - {"l2"}
        if other:
            tally.fail(t, f"unexpected files {sorted(other)}")
        if tmps:
            states.append("leftover temp file")
        tally.note(" + ".join(states))
        # The next start must come up, keep the keys it finds and create the rest.
        p = rel.start_daemon(conf, log)
        if not rel.wait_rpc(port, p):
            restart_fail += 1
            tally.fail(t, f"restart after the kill failed (exit {p.returncode}); see {log.name}")
            continue
        pub = rel.rpc(port, "get_service_keys")["result"]
        rel.stop(p)
        for k, b in kept.items():
            if open(os.path.join(data, k), "rb").read() != b:
                tally.fail(t, f"restart replaced the {k} it found")
        if not pub.get("service_node_ed25519_pubkey"):
            tally.fail(t, f"restart: get_service_keys gave {pub}")
    log.close()
    return tally.report({"median_s_to_keys": round(span.value(), 3), "restart_failures": restart_fail})


# -------------------------------------------------------------------- l2 ---
def registry(port, data):
    st = rel.rpc(port, "get_l2_status")["result"]["l2"]
    view = {k: st.get(k) for k in ("synced_height", "registered_nodes", "events_stored",
                                   "staking_requirement")}
    db = sqlite3.connect(f"file:{os.path.join(data, 'l2', 'l2-state.sqlite')}?mode=ro", uri=True)
    events = db.execute("SELECT block, tx_index, log_index, tx_hash, name, body FROM events "
                        "ORDER BY block, tx_index, log_index").fetchall()
    nodes = db.execute("SELECT id, bls, ed25519, state, body FROM nodes ORDER BY id").fetchall()
    db.close()
    return view, events, nodes


def wait_synced(port, proc, head, within=300):
    end = time.monotonic() + within
    while time.monotonic() < end:
        if proc.poll() is not None:
            return False
        try:
            st = rel.rpc(port, "get_l2_status", timeout=5).get("result", {}).get("l2", {})
            if (st.get("synced_height") or 0) >= head:
                return True
        except OSError:
            pass
        time.sleep(0.05)
    return False


def l2_campaign(work, trials, rng, anvil, nodes, max_logs):
    tally = Tally("L2 store: kill during sync")
    l2 = rel.L2(anvil, work)
    try:
        head = l2.emit_nodes(nodes)
        port = rel.free_port()
        data = os.path.join(work, "l2data")
        conf = os.path.join(work, "l2.conf")
        # Small batches (l2-max-logs is the block range of one eth_getLogs, and each
        # range is committed in one transaction): many commits per sync, so kills
        # land between and inside them.
        rel.write_config(conf, data, l2.url, port, f"l2-max-logs={max_logs}\nl2-refresh=1\n")
        log = open(os.path.join(work, "l2-daemon.log"), "ab")

        def run_to_head():
            p = rel.start_daemon(conf, log)
            ok = rel.wait_rpc(port, p) and wait_synced(port, p, head)
            snap = registry(port, data) if ok else None
            rel.stop(p)
            return snap

        shutil.rmtree(data, ignore_errors=True)
        t0 = time.monotonic()
        clean = run_to_head()
        span = time.monotonic() - t0
        if clean is None:
            raise SystemExit("l2: the clean sync did not reach the head; see " + log.name)
        mid = {}
        for t in range(trials):
            shutil.rmtree(data, ignore_errors=True)
            tally.trials += 1
            p = rel.start_daemon(conf, log)
            try:
                p.wait(rng.uniform(0.05, span))
            except subprocess.TimeoutExpired:
                p.send_signal(signal.SIGKILL)
                p.wait()
                tally.killed += 1
            # How far the killed run got (read from the store, as the restart will).
            try:
                db = sqlite3.connect(f"file:{os.path.join(data, 'l2', 'l2-state.sqlite')}?mode=ro",
                                     uri=True)
                n = db.execute("SELECT count(*) FROM events").fetchone()[0]
                db.close()
            except sqlite3.Error:
                n = -1
            part = "no store" if n < 0 else "0 events" if n == 0 else \
                "all events" if n == len(clean[1]) else "part of the events"
            mid[part] = mid.get(part, 0) + 1
            snap = run_to_head()
            if snap is None:
                tally.fail(t, "the restart did not converge to the head")
                tally.note("no convergence")
            elif snap != clean:
                tally.fail(t, f"registry differs from the clean sync: {snap[0]} vs {clean[0]}")
                tally.note("different registry")
            else:
                tally.note("same registry as the clean sync")
        log.close()
        return tally.report({"l2_head": head, "l2_max_logs": max_logs, "events": len(clean[1]), "nodes": len(clean[2]),
                             "clean_view": clean[0], "clean_sync_s": round(span, 2),
                             "store_at_kill": mid})
    finally:
        l2.close()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("campaign", choices=["keys", "daemon", "l2", "all"])
    ap.add_argument("--key-trials", type=int, default=1000)
    ap.add_argument("--daemon-trials", type=int, default=1000)
    ap.add_argument("--l2-trials", type=int, default=200)
    ap.add_argument("--l2-nodes", type=int, default=2000)
    ap.add_argument("--l2-max-logs", type=int, default=2, help="the daemon's l2-max-logs (blocks per batch)")
    ap.add_argument("--seed", type=int, default=None)
    ap.add_argument("--anvil", default=os.environ.get("SNODE_ANVIL"))
    a = ap.parse_args()
    seed = a.seed if a.seed is not None else random.randrange(1 << 32)
    print(f"seed {seed} (reproduce this run's kill moments with --seed {seed})", flush=True)
    rng = random.Random(seed)
    work = tempfile.mkdtemp(prefix="crash-trials-")
    ok = True
    try:
        t0 = time.monotonic()
        if a.campaign in ("keys", "all"):
            ok &= keys_campaign(work, a.key_trials, rng)
        if a.campaign in ("daemon", "all"):
            ok &= daemon_campaign(work, a.daemon_trials, rng)
        if a.campaign in ("l2", "all"):
            if not a.anvil:
                raise SystemExit("l2: set SNODE_ANVIL or pass --anvil (scripts/install-anvil)")
            ok &= l2_campaign(work, a.l2_trials, rng, a.anvil, a.l2_nodes, a.l2_max_logs)
        print(f"done in {time.monotonic() - t0:.0f} s", flush=True)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
