"""Admin RPC under load and abuse, on loopback: what the daemon does today.

Starts oxend-stagenet (a temp data dir, an L2 provider on loopback where nothing
listens, admin RPC on 127.0.0.1) and runs, in order:
  load       CLIENTS threads x REQUESTS get_info calls, one connection per call
             (as the client commands do): all answered? latency p50/p99/max
  big-body   a 10 MB JSON body: status, how much the server read, time
  endless    a body that never ends (Content-Length 10 MB, then silence; and a
             chunked body that never ends) while another client calls get_info
  malformed  broken HTTP and JSON-RPC; the daemon must stay up and answer
  idle       IDLE connections opened and held (no bytes sent), then get_info
             from another client, during and after; RSS, threads, descriptors
Prints one JSON line per test. Exits 1 when a well-formed request of the load
test or a get_info beside the idle connections or after a malformed request went
unanswered, or the daemon died."""

import argparse
import http.client
import json
import os
import resource
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import rel  # noqa: E402

GET_INFO = b'{"jsonrpc":"2.0","id":1,"method":"get_info"}'


def post(port, body=GET_INFO, timeout=10, headers=None):
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        h = {"Content-Type": "application/json"}
        h.update(headers or {})
        c.request("POST", "/json_rpc", body, h)
        r = c.getresponse()
        return r.status, r.read()
    finally:
        c.close()


def probe(port, timeout):
    """One get_info from a fresh client: (answered, seconds)."""
    t0 = time.monotonic()
    try:
        status, body = post(port, timeout=timeout)
        return status == 200 and b'"result"' in body, time.monotonic() - t0
    except OSError:
        return False, time.monotonic() - t0


def pct(values, p):
    s = sorted(values)
    return s[min(len(s) - 1, int(round(p / 100 * (len(s) - 1))))]


def proc_stat(pid):
    out = {}
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            k, _, v = line.partition(":")
            if k in ("VmRSS", "VmHWM", "Threads"):
                out[k] = int(v.split()[0])
    out["fds"] = len(os.listdir(f"/proc/{pid}/fd"))
    return out


def emit(name, **kw):
    print(json.dumps({"test": name, **kw}), flush=True)


def load(port, clients, requests):
    lat, errors = [], []
    lock = threading.Lock()
    start = threading.Barrier(clients)

    def client():
        mine, errs = [], []
        start.wait()
        for _ in range(requests):
            t0 = time.monotonic()
            try:
                status, body = post(port, timeout=60)
                if status != 200 or b'"result"' not in body:
                    errs.append(f"status {status}")
                else:
                    mine.append(time.monotonic() - t0)
            except OSError as e:
                errs.append(type(e).__name__ + ": " + str(e))
        with lock:
            lat.extend(mine)
            errors.extend(errs)

    threads = [threading.Thread(target=client) for _ in range(clients)]
    t0 = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.monotonic() - t0
    ms = [x * 1000 for x in lat]
    emit("load", clients=clients, requests_each=requests, sent=clients * requests,
         answered=len(lat), failed=len(errors), first_errors=sorted(set(errors))[:5],
         wall_s=round(wall, 2), per_s=round(len(lat) / wall, 1),
         p50_ms=round(pct(ms, 50), 1) if ms else None, p99_ms=round(pct(ms, 99), 1) if ms else None,
         max_ms=round(max(ms), 1) if ms else None, mean_ms=round(statistics.mean(ms), 1) if ms else None)
    return len(errors) == 0


def big_body(port, size):
    s = socket.create_connection(("127.0.0.1", port))
    s.settimeout(30)
    head = (f"POST /json_rpc HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            f"Content-Length: {size}\r\n\r\n").encode()
    s.sendall(head)
    sent, chunk = 0, b" " * 65536
    t0 = time.monotonic()
    s.setblocking(False)
    answer = b""
    # Send until the server stops reading (or everything is sent); collect any answer.
    while sent < size and time.monotonic() - t0 < 30:
        try:
            sent += s.send(chunk[: size - sent])
        except BlockingIOError:
            try:
                answer += s.recv(65536)
                if answer:
                    break
            except BlockingIOError:
                time.sleep(0.01)
        except OSError:
            break
    s.setblocking(True)
    try:
        while b"\r\n\r\n" not in answer:
            more = s.recv(65536)
            if not more:
                break
            answer += more
    except OSError:
        pass
    s.close()
    status = answer.split(b"\r\n", 1)[0].decode(errors="replace")
    emit("big-body", body_bytes=size, bytes_sent_before_answer=sent, answer=status,
         seconds=round(time.monotonic() - t0, 2))


def endless(port, hold, chunked):
    s = socket.create_connection(("127.0.0.1", port))
    te = "Transfer-Encoding: chunked" if chunked else "Content-Length: 10000000"
    s.sendall(f"POST /json_rpc HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n{te}\r\n\r\n"
              .encode() + (b"10\r\n{\"jsonrpc\":\"2.0\"\r\n" if chunked else b'{"jsonrpc":"2.0",'))
    time.sleep(0.3)
    # While the endless body is held: can another client get an answer?
    answered, waited = probe(port, timeout=min(10, hold))
    t0 = time.monotonic()
    s.settimeout(hold)
    closed_after = None
    try:
        # Trickle a byte every second; see whether the server gives up on us.
        while time.monotonic() - t0 < hold:
            s.sendall(b" " if not chunked else b"1\r\n \r\n")
            s.settimeout(1)
            try:
                if s.recv(1024) == b"":
                    closed_after = time.monotonic() - t0
                    break
            except socket.timeout:
                pass
    except OSError:
        closed_after = time.monotonic() - t0
    s.close()
    after, after_s = probe(port, timeout=30)
    emit("endless-body-chunked" if chunked else "endless-body", other_client_answered_while_held=answered,
         other_client_waited_s=round(waited, 2), held_s=hold,
         server_closed_after_s=None if closed_after is None else round(closed_after, 1),
         answered_after_release=after, after_release_s=round(after_s, 2))


def idle(port, pid, count, hold):
    before = proc_stat(pid)
    socks, refused = [], 0
    for _ in range(count):
        try:
            socks.append(socket.create_connection(("127.0.0.1", port), timeout=5))
        except OSError:
            refused += 1
    time.sleep(1)
    during = proc_stat(pid)
    answers = [probe(port, timeout=10) for _ in range(5)]
    time.sleep(max(0, hold - 1))
    late = proc_stat(pid)
    open_after = 0
    for s in socks:  # which idle connections did the server close meanwhile?
        s.setblocking(False)
        try:
            open_after += s.recv(1) != b""
        except BlockingIOError:
            open_after += 1
        except OSError:
            pass
    for s in socks:
        s.close()
    time.sleep(1)
    after = proc_stat(pid)
    released = [probe(port, timeout=10) for _ in range(3)]
    emit("idle-connections", opened=len(socks), refused=refused, held_s=hold,
         still_open_at_end=open_after,
         probes_answered=sum(a for a, _ in answers), probes=len(answers),
         probe_max_s=round(max(w for _, w in answers), 3),
         probes_answered_after_release=sum(a for a, _ in released), probes_after_release=len(released),
         rss_kib={"before": before["VmRSS"], "held": during["VmRSS"], "late": late["VmRSS"],
                  "after": after["VmRSS"], "peak": after["VmHWM"]},
         threads={"before": before["Threads"], "held": during["Threads"], "after": after["Threads"]},
         fds={"before": before["fds"], "held": during["fds"], "after": after["fds"]})
    return all(a for a, _ in answers + released)


MALFORMED = [
    ("garbage request line", b"\x00\x01\x02 garbage\r\n\r\n"),
    ("HTTP/0.9", b"GET /json_rpc\r\n\r\n"),
    ("no Host, HTTP/1.1", b"POST /json_rpc HTTP/1.1\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}"),
    ("bad Content-Length", b"POST /json_rpc HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: abc\r\n\r\n{}"),
    ("negative Content-Length", b"POST /json_rpc HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: -5\r\n\r\n{}"),
    ("huge Content-Length, short body", b"POST /json_rpc HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 99999999999999999999\r\n\r\n{}"),
    ("Content-Length and chunked", b"POST /json_rpc HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n"),
    ("bad chunk size", b"POST /json_rpc HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n{}\r\n0\r\n\r\n"),
    ("header line without colon", b"POST /json_rpc HTTP/1.1\r\nHost: x\r\nthis is not a header\r\n\r\n"),
    ("100 KB header", b"POST /json_rpc HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 100_000 + b"\r\n\r\n"),
    ("1 MB URL", b"GET /" + b"a" * 1_000_000 + b" HTTP/1.1\r\nHost: x\r\n\r\n"),
    ("10,000 headers", b"POST /json_rpc HTTP/1.1\r\nHost: x\r\n" + b"X-A: b\r\n" * 10_000 + b"\r\n"),
    ("unknown method", b"BREW /json_rpc HTTP/1.1\r\nHost: x\r\n\r\n"),
    ("GET", b"GET /json_rpc HTTP/1.1\r\nHost: x\r\n\r\n"),
    ("invalid JSON", b"POST /json_rpc HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 5\r\n\r\n{\"a\":"),
    ("not UTF-8 JSON", b"POST /json_rpc HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 4\r\n\r\n\xff\xfe\xfd\xfc"),
    ("100,000-deep JSON", None),
    ("empty batch", b"POST /json_rpc HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n[]"),
    ("20,000-call batch", None),
    ("half a request, then close", b"POST /json_rpc HTTP/1.1\r\nHost: x\r\nContent-Le"),
]


def malformed(port, pid):
    results = []
    for name, raw in MALFORMED:
        if name == "100,000-deep JSON":
            body = b"[" * 100_000 + b"]" * 100_000
            raw = (b"POST /json_rpc HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                   b"Content-Length: %d\r\n\r\n" % len(body)) + body
        elif name == "20,000-call batch":
            body = b"[" + b",".join(b'{"jsonrpc":"2.0","id":%d,"method":"get_info"}' % i
                                    for i in range(20_000)) + b"]"
            raw = (b"POST /json_rpc HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                   b"Content-Length: %d\r\n\r\n" % len(body)) + body
        t0 = time.monotonic()
        answer = b""
        try:
            s = socket.create_connection(("127.0.0.1", port), timeout=10)
            s.sendall(raw)
            if name.startswith("half a request"):
                s.shutdown(socket.SHUT_WR)
            while True:
                more = s.recv(65536)
                if not more:
                    break
                answer += more
                if b"\r\n\r\n" in answer and len(answer) > 2_000_000:
                    break
                head, _, rest = answer.partition(b"\r\n\r\n")
                if b"\r\n\r\n" in answer:
                    # A complete answer: stop reading (the server keeps the connection).
                    length = [int(v) for k, _, v in (h.partition(b":") for h in head.split(b"\r\n"))
                              if k.strip().lower() == b"content-length" and v.strip().isdigit()]
                    if length and len(rest) >= length[0]:
                        break
                    s.settimeout(0.5)
            s.close()
        except socket.timeout:
            pass
        except OSError as e:
            answer = answer or f"({type(e).__name__})".encode()
        status = answer.split(b"\r\n", 1)[0].decode(errors="replace") or "(closed, no answer)"
        ok, _ = probe(port, timeout=10)
        alive = os.path.exists(f"/proc/{pid}")
        results.append({"case": name, "answer": status[:60], "answer_bytes": len(answer),
                        "seconds": round(time.monotonic() - t0, 2), "daemon_answers_after": ok and alive,
                        "rss_kib_after": proc_stat(pid)["VmRSS"] if alive else None})
    emit("malformed", cases=results)
    return all(r["daemon_answers_after"] for r in results)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--clients", type=int, default=200)
    ap.add_argument("--requests", type=int, default=50)
    ap.add_argument("--idle", type=int, default=1000)
    ap.add_argument("--hold", type=int, default=30, help="seconds to hold endless bodies and idle connections")
    ap.add_argument("--nofile", type=int, default=1024,
                    help="the daemon's open-files limit (systemd's default soft limit is 1024)")
    ap.add_argument("--only", default="load,big-body,endless,idle,malformed")
    a = ap.parse_args()
    want = a.only.split(",")
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (max(soft, min(hard, a.idle + 4096)), hard))
    work = tempfile.mkdtemp(prefix="load-rpc-")
    port = rel.free_port()
    conf = os.path.join(work, "node.conf")
    rel.write_config(conf, os.path.join(work, "data"), rel.refused_url(), port)
    log = open(os.path.join(work, "daemon.log"), "wb")

    def limit():
        resource.setrlimit(resource.RLIMIT_NOFILE, (min(a.nofile, hard), hard))
    p = subprocess.Popen([rel.DAEMON, "--config-file", conf, "--non-interactive"], stdin=subprocess.DEVNULL,
                         stdout=log, stderr=log, preexec_fn=limit)
    ok = True
    try:
        if not rel.wait_rpc(port, p):
            raise SystemExit("the daemon did not start; see " + log.name)
        emit("daemon", pid=p.pid, nofile=a.nofile, **proc_stat(p.pid))
        if "load" in want:
            ok &= load(port, a.clients, a.requests)
            emit("after-load", **proc_stat(p.pid))
        if "big-body" in want:
            big_body(port, 10 * 1024 * 1024)
        if "endless" in want:
            endless(port, a.hold, chunked=False)
            endless(port, a.hold, chunked=True)
        if "malformed" in want:
            ok &= malformed(port, p.pid)
        if "idle" in want:  # last: running out of descriptors can end the admin RPC
            ok &= idle(port, p.pid, a.idle, a.hold)
        alive = p.poll() is None
        emit("end", daemon_running=alive, **(proc_stat(p.pid) if alive else {}))
        ok &= alive
    finally:
        rel.stop(p, within=10)
        log.close()
        shutil.rmtree(work, ignore_errors=True)
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
