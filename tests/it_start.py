"""Integration: the static bootstrap's own entry point (src/start.c).

For ./bootstrap (x86_64) and ./bootstrap-arm64, whichever are built:
  - the ELF entry point is tw_start, not musl's _start (symbols from the
    unstripped build/static-ARCH/bootstrap, which the shipped file is a
    stripped copy of: same layout);
  - x86_64 is linked with packed relocations: a DT_RELR table and an empty
    DT_RELA (musl 1.2.3 would not apply DT_RELR: tw_start does, so every
    other test that runs the binary depends on it); aarch64 keeps DT_RELA;
  - run under qemu-user's -strace (qemu-user-static, which `make test`
    installs for the arm64 tests), its first system calls are
    madvise(MADV_POPULATE_WRITE) over exactly the file-backed pages of the
    writable PT_LOAD segment and, where there is a DT_RELA table,
    madvise(MADV_POPULATE_READ) over exactly that table's pages; then the
    program runs as usual (--version prints the version and exits 0).
The time it saves is measured by `make bench` (the "usual static-pie link"
row), never by a test.

Kernels before Linux 5.14 (the ones Lambda has documented among them) refuse
MADV_POPULATE_*. RefusedMadvise runs ./bootstrap natively under a seccomp
filter that answers every madvise with EINVAL, as such a kernel does: it must
still relocate itself and serve a whole compliant audit against the fake AWS.

Skips a binary that is not built, or the run when qemu-user is missing. Run
from the repo root:
    /usr/bin/python3 -m unittest -v tests.it_start
"""

import ctypes
import json
import os
import pathlib
import platform
import re
import shutil
import struct
import subprocess
import sys
import unittest

ROOT = pathlib.Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from tests.fake_aws import FakeAws, account_key, compliant_account, fixture  # noqa: E402
PAGE = 4096
BINARIES = {
    "x86_64": (ROOT / "bootstrap", ROOT / "build" / "static-x86_64" / "bootstrap",
               "qemu-x86_64-static", "readelf", "nm"),
    "arm64": (ROOT / "bootstrap-arm64", ROOT / "build" / "static-arm64" / "bootstrap",
              "qemu-aarch64-static", "aarch64-linux-gnu-readelf", "aarch64-linux-gnu-nm"),
}


def _out(*argv):
    return subprocess.run(argv, capture_output=True, text=True, check=True, timeout=60).stdout


def _writable_load(readelf, binary):
    """(p_vaddr, p_filesz) of each writable PT_LOAD."""
    loads = []
    for line in _out(readelf, "-lW", str(binary)).splitlines():
        f = line.split()
        if f and f[0] == "LOAD" and "W" in "".join(f[6:-1]):
            loads.append((int(f[2], 16), int(f[4], 16)))
    return loads


def _dynamic(readelf, binary):
    """{tag name: value} of the dynamic section."""
    tags = {}
    for line in _out(readelf, "-dW", str(binary)).splitlines():
        m = re.match(r"\s*0x[0-9a-f]+ \((\w+)\)\s+(0x[0-9a-f]+|\d+)", line)
        if m:
            tags[m.group(1)] = int(m.group(2), 0)
    return tags


def _pages(start, length):
    """(first page, length in whole pages) covering [start, start + length)."""
    first = start // PAGE * PAGE
    return first, (start + length + PAGE - 1) // PAGE * PAGE - first


class _StartTests:
    ARCH = None

    def setUp(self):
        self.shipped, self.unstripped, self.qemu, self.readelf, self.nm = BINARIES[self.ARCH]
        if not self.shipped.is_file():
            self.skipTest("%s is not built" % self.shipped.name)
        if not shutil.which(self.readelf):
            self.skipTest("%s is not installed" % self.readelf)

    def test_entry_point_is_tw_start(self):
        if not self.unstripped.is_file() or not shutil.which(self.nm):
            self.skipTest("%s (unstripped) or %s missing" % (self.unstripped, self.nm))
        symbols = {}
        for line in _out(self.nm, str(self.unstripped)).splitlines():
            f = line.split()
            if len(f) == 3:
                symbols[f[2]] = int(f[0], 16)
        entry = int(re.search(r"Entry point address:\s+(0x[0-9a-f]+)",
                              _out(self.readelf, "-hW", str(self.shipped))).group(1), 16)
        for name in ("tw_start", "_start"):
            self.assertTrue(name in symbols, "%s: no symbol %s" % (self.unstripped, name))
        self.assertEqual(entry, symbols["tw_start"])
        self.assertNotEqual(entry, symbols["_start"])

    def test_relocation_format(self):
        dyn = _dynamic(self.readelf, self.shipped)
        if self.ARCH == "x86_64":
            self.assertGreater(dyn.get("RELRSZ", 0), 0, dyn)
            self.assertEqual(dyn.get("RELRENT"), 8, dyn)
            self.assertEqual(dyn.get("RELASZ", 0), 0, dyn)
        else:
            self.assertNotIn("RELR", dyn)
            self.assertGreater(dyn.get("RELASZ", 0), 0, dyn)

    def test_populates_then_runs(self):
        if not shutil.which(self.qemu):
            self.skipTest("%s is not installed (scripts/install-packages.sh --arm64)" % self.qemu)
        loads = _writable_load(self.readelf, self.shipped)
        self.assertEqual(len(loads), 1, loads)
        expected = [("MADV_POPULATE_WRITE",) + _pages(*loads[0])]
        dyn = _dynamic(self.readelf, self.shipped)
        if dyn.get("RELASZ", 0) > 0:
            first = dyn["RELA"] // PAGE * PAGE
            expected.append(("MADV_POPULATE_READ", first, dyn["RELA"] + dyn["RELASZ"] - first))

        p = subprocess.run([self.qemu, "-strace", str(self.shipped), "--version"],
                           capture_output=True, text=True, timeout=60)
        self.assertEqual(p.returncode, 0, p.stderr[-2000:])
        self.assertIn("trailwatch ", p.stdout)
        # qemu -strace: "PID name(args) = result", one per line, on stderr.
        calls = [l.split(" ", 1)[1] for l in p.stderr.splitlines() if re.match(r"^\d+ \w+\(", l)]
        self.assertGreater(len(calls), len(expected), p.stderr[-2000:])
        got = []
        for call in calls[:len(expected)]:
            m = re.match(r"madvise\((0x[0-9a-f]+),(\d+),(\w+)\) = (\S+)", call)
            self.assertIsNotNone(m, "system calls: %r" % calls[:5])
            self.assertEqual(m.group(4), "0", call)
            got.append((m.group(3), int(m.group(1), 16), int(m.group(2))))
        self.assertEqual(sum(c.startswith("madvise(") for c in calls), len(expected), calls[:20])
        # Addresses are the link-time ones plus the load bias, the same for all.
        bias = got[0][1] - expected[0][1]
        self.assertEqual(bias % PAGE, 0)
        self.assertEqual(got, [(advice, addr + bias, size) for advice, addr, size in expected])


class StartX86_64(_StartTests, unittest.TestCase):
    ARCH = "x86_64"


class StartArm64(_StartTests, unittest.TestCase):
    ARCH = "arm64"



# ---- madvise refused, as before Linux 5.14 ------------------------------------

EINVAL = 22
SYS_MADVISE_X86_64 = 28
AUDIT_ARCH_X86_64 = 0xC000003E
PR_SET_NO_NEW_PRIVS = 38
PR_SET_SECCOMP = 22
SECCOMP_MODE_FILTER = 2
SECCOMP_RET_ALLOW = 0x7FFF0000
SECCOMP_RET_ERRNO = 0x00050000
SECCOMP_RET_KILL_PROCESS = 0x80000000


def _bpf(code, jt, jf, k):
    return struct.pack("HBBI", code, jt, jf, k)


def _refuse_madvise():
    """preexec_fn: from here on, madvise fails with EINVAL in this process
    and what it execs (seccomp filters are inherited and survive exec)."""
    ld_w_abs, jeq_k, ret_k = 0x20, 0x15, 0x06
    prog = b"".join([
        _bpf(ld_w_abs, 0, 0, 4),                           # seccomp_data.arch
        _bpf(jeq_k, 1, 0, AUDIT_ARCH_X86_64),
        _bpf(ret_k, 0, 0, SECCOMP_RET_KILL_PROCESS),       # another ABI: refuse to run
        _bpf(ld_w_abs, 0, 0, 0),                           # seccomp_data.nr
        _bpf(jeq_k, 0, 1, SYS_MADVISE_X86_64),
        _bpf(ret_k, 0, 0, SECCOMP_RET_ERRNO | EINVAL),
        _bpf(ret_k, 0, 0, SECCOMP_RET_ALLOW),
    ])
    buf = ctypes.create_string_buffer(prog, len(prog))

    class SockFprog(ctypes.Structure):
        _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.c_void_p)]

    fprog = SockFprog(len(prog) // 8, ctypes.cast(buf, ctypes.c_void_p))
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl.argtypes = [ctypes.c_int, ctypes.c_ulong, ctypes.c_void_p, ctypes.c_ulong, ctypes.c_ulong]
    if libc.prctl(PR_SET_NO_NEW_PRIVS, 1, None, 0, 0) != 0 or \
            libc.prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, ctypes.addressof(fprog), 0, 0) != 0:
        os._exit(126)


@unittest.skipUnless(platform.machine() == "x86_64", "the filter is written for x86_64")
class RefusedMadvise(unittest.TestCase):
    SHIPPED = ROOT / "bootstrap"

    def setUp(self):
        if not self.SHIPPED.is_file():
            self.skipTest("./bootstrap is not built")

    def test_the_filter_refuses_madvise(self):
        # The control: without this, the test below would prove nothing.
        probe = ("import mmap\nm = mmap.mmap(-1, 4096)\ntry:\n    m.madvise(mmap.MADV_WILLNEED)\n"
                 "except OSError as e:\n    print(e.errno)\nelse:\n    print('allowed')\n")
        p = subprocess.run([sys.executable, "-c", probe], preexec_fn=_refuse_madvise,
                           capture_output=True, text=True, timeout=30)
        self.assertEqual((p.returncode, p.stdout.strip()), (0, str(EINVAL)), p.stderr)

    def test_compliant_audit_without_madvise(self):
        fake = FakeAws(fixture(compliant_account("111111111111", "us-east-1"))).start()
        self.addCleanup(fake.stop)
        key_id, secret = account_key("111111111111")
        env = {"PATH": "/usr/bin:/bin", "HOME": "/nonexistent", "AWS_REGION": "us-east-1",
               "AWS_ACCESS_KEY_ID": key_id, "AWS_SECRET_ACCESS_KEY": secret,
               "AWS_ENDPOINT_URL": fake.url}
        p = subprocess.run([str(self.SHIPPED), "--event", str(ROOT / "events" / "config-periodic.json")],
                           env=env, preexec_fn=_refuse_madvise, capture_output=True, text=True,
                           timeout=60)
        self.assertEqual(p.returncode, 0, p.stderr[-2000:])
        doc = json.loads(p.stdout)
        self.assertEqual(doc.get("complianceType"), "COMPLIANT", doc)
        st = fake.stats()
        self.assertEqual(st["by_operation"].get("PutEvaluations"), 1, st["by_operation"])
        self.assertEqual(st["rejected_signatures"], 0, st.get("auth_failures"))


if __name__ == "__main__":
    unittest.main()
