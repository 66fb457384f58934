"""Drives `oxen-sn-keys-snapshot restore` on a pseudo-terminal, as an operator
would type at it, for tests/tty.rs.

Usage: tty_restore.py BIN DIR SECRET ANSWER
Prints the whole terminal transcript to stdout, then `EXIT <code>`.
"""
import os
import pty
import select
import sys
import time

bin_path, workdir, secret, answer = sys.argv[1:5]
pid, fd = pty.fork()
if pid == 0:
    os.chdir(workdir)
    os.execv(bin_path, [bin_path, "restore", "key_ed25519"])

transcript = b""


def read_until(marker, limit=20.0):
    """Reads terminal output until `marker` shows up (or the child exits)."""
    global transcript
    deadline = time.monotonic() + limit
    while marker not in transcript and time.monotonic() < deadline:
        ready, _, _ = select.select([fd], [], [], 0.1)
        if ready:
            try:
                chunk = os.read(fd, 4096)
            except OSError:
                return
            if not chunk:
                return
            transcript += chunk


read_until(b"secret key:")
# The tool switches echo off before it prints the prompt, so typing now is safe.
os.write(fd, secret.encode() + b"\n")
read_until(b"[y/N]")
os.write(fd, answer.encode() + b"\n")
read_until(b"\x00never")
_, status = os.waitpid(pid, 0)
sys.stdout.write(transcript.decode("utf-8", "replace"))
sys.stdout.write("\nEXIT %d\n" % os.waitstatus_to_exitcode(status))
