"""Full disk and read-only media (needs root: mounts tmpfs and bind mounts).

Key writes (`oxen-sn-keys-snapshot restore|restore-bls --overwrite`, `ed25519`,
`bls`) and the daemon (first start, start with keys, the L2 store while syncing
from anvil) on a 300 KB tmpfs filled up, and on a read-only bind mount. For each:
exit status, the message, whether it names the path, the old key intact, files
left behind. Prints one JSON line per case; exits 1 when a key was lost or damaged
or the daemon crashed (signal) instead of reporting."""

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import rel  # noqa: E402

PAGE = 4096
bad = []


def sh(*argv):
    subprocess.run(argv, check=True)


class Tmpfs:
    def __init__(self, path, size="300k"):
        os.makedirs(path, exist_ok=True)
        sh("mount", "-t", "tmpfs", "-o", f"size={size},mode=0755", "tmpfs", path)
        self.path = path

    def fill(self, leave_pages=0):
        """Fills the filesystem, then frees `leave_pages` pages."""
        filler = os.path.join(self.path, "filler")
        fd = os.open(filler, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        try:
            while True:
                os.write(fd, b"\0" * PAGE)
        except OSError:
            pass
        os.close(fd)
        if leave_pages:
            size = os.path.getsize(filler)
            os.truncate(filler, max(0, size - leave_pages * PAGE))
        return filler

    def free_kib(self):
        st = os.statvfs(self.path)
        return st.f_bavail * st.f_frsize // 1024

    def close(self):
        subprocess.run(["umount", "-l", self.path])


def ro_bind(src, dst):
    os.makedirs(dst, exist_ok=True)
    sh("mount", "--bind", src, dst)
    sh("mount", "-o", "remount,bind,ro", dst)


def first_lines(text, n=3):
    lines = [ln for ln in text.decode(errors="replace").splitlines() if ln.strip()]
    return lines[:n]


def emit(**kw):
    print(json.dumps(kw), flush=True)


def listing(d):
    return sorted(n for n in os.listdir(d) if n not in ("filler",))


def key_case(label, fs_dir, cmd, name, old, conf):
    path = os.path.join(fs_dir, name)
    argv = [rel.KEYS] + cmd + ([path] if cmd[0] in ("ed25519", "bls") else
                               ["--overwrite", "--replace-registered-key", "--config-file", conf, path])
    r = subprocess.run(argv, input=b"5a" * 32 + b"\n", capture_output=True)
    msg = first_lines(r.stderr, 2)
    after = open(path, "rb").read() if os.path.exists(path) else None
    intact = after == old
    out = {"case": label, "exit": r.returncode, "message": msg,
           "names_path": any(path in m for m in msg), "old_key_intact": intact,
           "mode": oct(os.stat(path).st_mode & 0o777) if after is not None else None,
           "files": listing(fs_dir)}
    if old is not None and not intact and r.returncode != 0:
        bad.append(label + ": old key changed on failure")
    if old is None and after is not None and r.returncode != 0:
        bad.append(label + ": a file was left after the failure")
    emit(**out)


def daemon_run(conf, port, within):
    """Starts the daemon; returns (exit status or 'running', stderr lines)."""
    log = tempfile.TemporaryFile()
    p = subprocess.Popen([rel.DAEMON, "--config-file", conf, "--non-interactive"],
                         stdin=subprocess.DEVNULL, stdout=log, stderr=log)
    up = rel.wait_rpc(port, p, within)
    state = "running (admin RPC answers)" if up else p.returncode
    if up:
        rel.stop(p)
    else:
        rel.stop(p, within=5)
        state = p.returncode
    log.seek(0)
    lines = [ln for ln in log.read().decode(errors="replace").splitlines()
             if ":error]" in ln or ":critical]" in ln]
    log.close()
    if isinstance(state, int) and state < 0:
        bad.append(f"daemon killed by signal {-state}")
    return state, lines[:4]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--anvil", default=os.environ.get("SNODE_ANVIL"))
    ap.add_argument("--l2-nodes", type=int, default=1500)
    a = ap.parse_args()
    if os.geteuid() != 0:
        raise SystemExit("full-disk: needs root (mounts a tmpfs and a read-only bind mount)")
    work = tempfile.mkdtemp(prefix="full-disk-")
    mounts = []
    try:
        conf = os.path.join(work, "guard.conf")
        rel.write_config(conf, os.path.join(work, "unused"), rel.refused_url(), rel.free_port())
        src = os.path.join(work, "keys")
        os.mkdir(src)
        olds = {}
        for gen, name in (("ed25519", "key_ed25519"), ("bls", "key_bls")):
            subprocess.run([rel.KEYS, gen, os.path.join(src, name)], check=True, capture_output=True)
            olds[name] = open(os.path.join(src, name), "rb").read()

        # 1. key writes on a full 300 KB tmpfs, with 0-2 pages left free
        for leave in (0, 1, 2):
            for cmd, name in ((["restore"], "key_ed25519"), (["restore-bls"], "key_bls")):
                fs = Tmpfs(os.path.join(work, "tiny"))
                mounts.append(fs)
                shutil.copy2(os.path.join(src, name), os.path.join(fs.path, name))
                fs.fill(leave)
                key_case(f"{cmd[0]} --overwrite, full tmpfs, {leave} page(s) free ({fs.free_kib()} KiB)",
                         fs.path, cmd, name, olds[name], conf)
                fs.close()
                mounts.pop()
        for gen in ("ed25519", "bls"):
            fs = Tmpfs(os.path.join(work, "tiny"))
            mounts.append(fs)
            fs.fill(0)
            key_case(f"{gen} (new key), full tmpfs", fs.path, [gen], "key_" + gen, None, conf)
            fs.close()
            mounts.pop()

        # 2. key writes on a read-only bind mount
        ro = os.path.join(work, "ro")
        ro_bind(src, ro)
        mounts.append(ro)
        for cmd, name in ((["restore"], "key_ed25519"), (["restore-bls"], "key_bls")):
            key_case(f"{cmd[0]} --overwrite, read-only bind mount", ro, cmd, name, olds[name], conf)
        subprocess.run(["umount", ro])
        mounts.pop()

        # 3. the daemon: first start on a full tmpfs; start with keys on a full
        #    tmpfs; start on a read-only data dir (keys present)
        port = rel.free_port()
        dconf = os.path.join(work, "daemon.conf")
        fs = Tmpfs(os.path.join(work, "tiny"))
        mounts.append(fs)
        data = os.path.join(fs.path, "data")
        os.mkdir(data)
        rel.write_config(dconf, data, rel.refused_url(), port)
        fs.fill(0)
        runs = [daemon_run(dconf, port, 20) for _ in range(3)]
        emit(case="daemon first start, full tmpfs (3 starts, as systemd would restart it)",
             results=[r[0] for r in runs], log=runs[0][1], files=listing(data))
        os.remove(os.path.join(fs.path, "filler"))
        # The L2 store on its own roomy tmpfs (data/l2), the data dir full: the
        # key creation itself meets the full disk.
        shutil.rmtree(os.path.join(data, "l2"), ignore_errors=True)
        inner = Tmpfs(os.path.join(data, "l2"), size="5m")
        mounts.append(inner)
        fs.fill(0)
        runs = [daemon_run(dconf, port, 20) for _ in range(2)]
        emit(case="daemon first start, data dir full (L2 store on its own tmpfs): key creation",
             results=[r[0] for r in runs], log=runs[0][1], files=listing(data))
        inner.close()
        mounts.pop()
        os.remove(os.path.join(fs.path, "filler"))
        for name in olds:
            shutil.copy2(os.path.join(src, name), os.path.join(data, name))
        shutil.rmtree(os.path.join(data, "l2"), ignore_errors=True)
        fs.fill(0)
        state, lines = daemon_run(dconf, port, 20)
        emit(case="daemon start with its keys, full tmpfs (the L2 store cannot be created)",
             result=state, log=lines, files=listing(data),
             keys_intact=all(open(os.path.join(data, n), "rb").read() == b for n, b in olds.items()))
        fs.close()
        mounts.pop()

        rodata = os.path.join(work, "rodata")
        ro_bind(src, rodata)
        mounts.append(rodata)
        rel.write_config(dconf, rodata, rel.refused_url(), port)
        state, lines = daemon_run(dconf, port, 20)
        emit(case="daemon start with its keys, read-only data dir", result=state, log=lines,
             files=listing(rodata))
        subprocess.run(["umount", rodata])
        mounts.pop()

        # 4. the L2 store filling a 300 KB tmpfs while it syncs from anvil, then
        #    room again (remount to 20 MB): does it keep answering, and converge?
        if a.anvil:
            l2 = rel.L2(a.anvil, work)
            try:
                head = l2.emit_nodes(a.l2_nodes)
                ref = os.path.join(work, "ref")
                rel.write_config(dconf, ref, l2.url, port, "l2-max-logs=5\nl2-refresh=1\n")
                p = rel.start_daemon(dconf, subprocess.DEVNULL)
                rel.wait_rpc(port, p)
                import crash_trials
                crash_trials.wait_synced(port, p, head)
                clean = crash_trials.registry(port, ref)
                rel.stop(p)
                fs = Tmpfs(os.path.join(work, "tiny"))
                mounts.append(fs)
                data = os.path.join(fs.path, "data")
                os.mkdir(data)
                for name in olds:
                    shutil.copy2(os.path.join(src, name), os.path.join(data, name))
                rel.write_config(dconf, data, l2.url, port, "l2-max-logs=5\nl2-refresh=1\n")
                logpath = os.path.join(work, "l2-full.log")
                log = open(logpath, "wb")
                p = rel.start_daemon(dconf, log)
                up = rel.wait_rpc(port, p)
                time.sleep(8)
                st = {}
                try:
                    st = rel.rpc(port, "get_l2_status", timeout=5).get("result", {}).get("l2", {})
                    answering = True
                except OSError:
                    answering = False
                full = {"daemon_up": up, "running": p.poll() is None, "rpc_answers_when_full": answering,
                        "synced_height": st.get("synced_height"), "head": head,
                        "events_stored": st.get("events_stored"), "free_kib": fs.free_kib()}
                sh("mount", "-o", "remount,size=20m", fs.path)
                converged = crash_trials.wait_synced(port, p, head, within=120)
                same = converged and crash_trials.registry(port, data) == clean
                rel.stop(p)
                log.close()
                errs = [ln for ln in open(logpath, errors="replace").read().splitlines()
                        if "error" in ln.lower()][:3]
                emit(case=f"L2 store syncing {a.l2_nodes} nodes into a 300 KB tmpfs, then 20 MB",
                     when_full=full, log=errs, converged_after_room=converged,
                     same_registry_as_clean_sync=same)
                if not same:
                    bad.append("L2 store did not converge after the disk had room again")
                fs.close()
                mounts.pop()
            finally:
                l2.close()
    finally:
        for m in reversed(mounts):
            subprocess.run(["umount", "-l", m.path if isinstance(m, Tmpfs) else m])
        shutil.rmtree(work, ignore_errors=True)
    for b in bad:
        print("FAIL " + b)
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
