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

Skips a binary that is not built, or the run when qemu-user is missing. Run
from the repo root:
    /usr/bin/python3 -m unittest -v tests.it_start
"""

import pathlib
import re
import shutil
import subprocess
import unittest

ROOT = pathlib.Path(__file__).resolve().parent.parent
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


if __name__ == "__main__":
    unittest.main()
