"""Integration: security properties of the binary.

TLS verification is always on (the binary under test, TW_BOOTSTRAP or
./bootstrap, against the fake AWS served over HTTPS with a throwaway
self-signed certificate):
  - without AWS_CA_BUNDLE the certificate is refused: the invocation fails with
    an error document, no verdict, and no AWS request got through;
  - with AWS_CA_BUNDLE naming the certificate the same audit succeeds;
  - a certificate that is trusted but names another host is refused (the host
    name is checked, not only the chain).

Hardening of the shipped static ./bootstrap (symbol checks fall back to the
unstripped build/static-x86_64/bootstrap if ./bootstrap is stripped):
  - PIE (ELF type DYN), no executable stack (GNU_STACK RW), RELRO (GNU_RELRO)
    and BIND_NOW (FLAGS BIND_NOW or FLAGS_1 NOW);
  - RELRO in force: the running bootstrap, waiting on its first GET /next,
    has every whole page of the GNU_RELRO range mapped read-only (musl's
    static-pie start leaves it writable; src/start.c protects it);
  - stack protector: __stack_chk_fail is linked in and our own code calls it
    (tw_err_prefix, which has a stack buffer, is disassembled). A symbol alone
    proves little in a static binary: musl or a library could bring it;
  - no shell-outs: no object of ours (build/native/obj/*.o) has an undefined
    reference to system, popen, the exec family, fork, vfork or posix_spawn,
    and the static binary defines none of them (so no library brings one in).
Run from the repo root:
    /usr/bin/python3 -m unittest -v tests.it_security
"""

import json
import os
import pathlib
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import unittest

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent.parent))
from tests.fake_aws import FakeAws, account_key, compliant_account, fixture  # noqa: E402

ROOT = pathlib.Path(__file__).resolve().parent.parent
BOOTSTRAP = os.environ.get("TW_BOOTSTRAP", str(ROOT / "bootstrap"))
SHIPPED = ROOT / "bootstrap"
SHIPPED_UNSTRIPPED = ROOT / "build" / "static-x86_64" / "bootstrap"
NATIVE_OBJ = ROOT / "build" / "native" / "obj"
ACCOUNT = "111111111111"
SHELL_OUTS = {"system", "popen", "execl", "execle", "execlp", "execv", "execve", "execvp",
              "execvpe", "fexecve", "execveat", "fork", "vfork", "posix_spawn", "posix_spawnp",
              "wordexp"}


def make_cert(directory, name, cn, san):
    """A throwaway self-signed P-256 certificate; returns (cert, key) paths."""
    cert, key = os.path.join(directory, name + ".crt"), os.path.join(directory, name + ".key")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
                    "ec_paramgen_curve:P-256", "-nodes", "-days", "2", "-subj", "/CN=" + cn,
                    "-addext", "subjectAltName=" + san, "-keyout", key, "-out", cert],
                   check=True, capture_output=True, timeout=30)
    return cert, key


@unittest.skipUnless(shutil.which("openssl"), "needs the openssl command")
class TlsVerification(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory()
        cls.cert, cls.key = make_cert(cls.tmp.name, "local", "127.0.0.1", "IP:127.0.0.1")
        cls.other_cert, cls.other_key = make_cert(cls.tmp.name, "other", "aws.example",
                                                  "DNS:aws.example")

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def audit(self, cert, key, extra_env):
        key_id, secret = account_key(ACCOUNT)
        with FakeAws(fixture(compliant_account(ACCOUNT, "us-east-1")), tls_cert=cert,
                     tls_key=key) as fake:
            self.assertTrue(fake.url.startswith("https://127.0.0.1:"))
            env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": self.tmp.name,
                   "AWS_REGION": "us-east-1", "AWS_ACCESS_KEY_ID": key_id,
                   "AWS_SECRET_ACCESS_KEY": secret, "AWS_ENDPOINT_URL": fake.url,
                   "AWS_MAX_ATTEMPTS": "1"}
            env.update(extra_env)
            p = subprocess.run([BOOTSTRAP, "--event", str(ROOT / "events" / "config-periodic.json")],
                               env=env, capture_output=True, timeout=120)
            return p, fake.stats()

    def assert_refused(self, p, stats):
        self.assertEqual(p.returncode, 1, p.stderr[-2000:])
        doc = json.loads(p.stdout)
        self.assertIn("errorType", doc)
        self.assertNotIn("complianceType", doc)
        self.assertRegex(doc["errorMessage"], r"(?i)ssl|tls|certificate")
        self.assertEqual(stats["requests"], 0, "a request got through an unverified TLS session")

    def test_self_signed_refused_without_ca_bundle(self):
        p, stats = self.audit(self.cert, self.key, {})
        self.assert_refused(p, stats)

    def test_self_signed_accepted_with_aws_ca_bundle(self):
        p, stats = self.audit(self.cert, self.key, {"AWS_CA_BUNDLE": self.cert})
        self.assertEqual(p.returncode, 0, p.stderr[-2000:])
        doc = json.loads(p.stdout)
        self.assertEqual(doc["complianceType"], "COMPLIANT")
        self.assertTrue(doc["delivery"]["sent"])
        self.assertGreater(stats["requests"], 0)
        self.assertEqual(stats["rejected_signatures"], 0)

    def test_trusted_certificate_for_another_host_refused(self):
        p, stats = self.audit(self.other_cert, self.other_key, {"AWS_CA_BUNDLE": self.other_cert})
        self.assert_refused(p, stats)

    def test_unrelated_ca_bundle_refused(self):
        # Trusting some other certificate does not make ours acceptable.
        p, stats = self.audit(self.cert, self.key, {"AWS_CA_BUNDLE": self.other_cert})
        self.assert_refused(p, stats)


def _run(*args):
    return subprocess.run(args, capture_output=True, text=True, check=True, timeout=120).stdout


@unittest.skipUnless(SHIPPED.exists(), "the shipped ./bootstrap is not built")
@unittest.skipUnless(shutil.which("readelf") and shutil.which("nm") and shutil.which("objdump"),
                     "needs binutils")
class Hardening(unittest.TestCase):
    def symbol_binary(self):
        """The shipped binary if it has a symbol table, else the unstripped one it was copied from."""
        if "no symbols" not in subprocess.run(["nm", str(SHIPPED)], capture_output=True,
                                              text=True).stderr:
            return SHIPPED
        if SHIPPED_UNSTRIPPED.exists():
            return SHIPPED_UNSTRIPPED
        self.skipTest("./bootstrap is stripped and build/static-x86_64/bootstrap is missing")

    def test_pie(self):
        header = _run("readelf", "-hW", str(SHIPPED))
        self.assertRegex(header, r"Type:\s+DYN\b")

    def test_no_executable_stack(self):
        phdrs = _run("readelf", "-lW", str(SHIPPED))
        stack = [l for l in phdrs.splitlines() if l.strip().startswith("GNU_STACK")]
        self.assertEqual(len(stack), 1, phdrs)
        self.assertEqual(stack[0].split()[-2], "RW", stack[0])

    def test_relro_and_bind_now(self):
        phdrs = _run("readelf", "-lW", str(SHIPPED))
        self.assertIn("GNU_RELRO", phdrs)
        dyn = _run("readelf", "-dW", str(SHIPPED))
        self.assertTrue(re.search(r"\(FLAGS\)\s+.*\bBIND_NOW\b", dyn) or
                        re.search(r"\(FLAGS_1\)\s+Flags:.*\bNOW\b", dyn), dyn)

    def test_relro_is_read_only_at_run_time(self):
        # musl's static-pie start code leaves PT_GNU_RELRO writable; start.c
        # protects it. Checked on the running process, waiting on GET /next
        # (after start-up, before any input).
        phdrs = _run("readelf", "-lW", str(SHIPPED))
        relro = [l.split() for l in phdrs.splitlines() if l.strip().startswith("GNU_RELRO")]
        self.assertEqual(len(relro), 1, phdrs)
        vaddr, memsz = int(relro[0][2], 16), int(relro[0][5], 16)
        page = os.sysconf("SC_PAGESIZE")
        first, end = vaddr // page * page, (vaddr + memsz) // page * page
        self.assertGreater(end, first)
        with socket.socket() as listener:
            listener.bind(("127.0.0.1", 0))
            listener.listen(1)
            listener.settimeout(30)
            proc = subprocess.Popen([str(SHIPPED)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                    env={"PATH": "/usr/bin:/bin", "AWS_LAMBDA_RUNTIME_API":
                                         "127.0.0.1:%d" % listener.getsockname()[1]})
            try:
                conn, _ = listener.accept()
                with conn:
                    conn.settimeout(30)
                    head = b""
                    while b"\r\n\r\n" not in head:
                        chunk = conn.recv(4096)
                        self.assertTrue(chunk, "connection closed before GET /next")
                        head += chunk
                    self.assertTrue(head.startswith(b"GET /2018-06-01/runtime/invocation/next"), head)
                    maps = pathlib.Path("/proc/%d/maps" % proc.pid).read_text()
            finally:
                proc.kill()
                proc.wait()
        exe = str(SHIPPED.resolve())
        mine = []
        for line in maps.splitlines():
            f = line.split()
            if len(f) >= 6 and f[5] == exe:
                lo, hi = (int(x, 16) for x in f[0].split("-"))
                mine.append((lo, hi, f[1], int(f[2], 16)))
        bias = min(lo - off for lo, hi, perms, off in mine if off == 0)
        first, end = first + bias, end + bias
        at = first
        for lo, hi, perms, _ in sorted(mine):
            if at >= end:
                break
            if lo <= at < hi:
                self.assertEqual(perms, "r--p", "RELRO page %#x is %s:\n%s" % (at, perms, maps))
                at = hi
        self.assertGreaterEqual(at, end, "RELRO %#x-%#x not all mapped:\n%s" % (first, end, maps))

    def test_stack_protector(self):
        binary = self.symbol_binary()
        defined = _run("nm", "--defined-only", str(binary))
        self.assertRegex(defined, r"\b__stack_chk_fail\b")
        # Our own code calls it: tw_err_prefix has a char array on its stack,
        # so -fstack-protector-strong must have instrumented it.
        asm = _run("objdump", "-d", "--no-show-raw-insn", "--disassemble=tw_err_prefix", str(binary))
        self.assertIn("<tw_err_prefix>:", asm)
        self.assertRegex(asm, r"call\s+\S+\s+<__stack_chk_fail")

    def test_no_shell_out_symbols_in_static_binary(self):
        binary = self.symbol_binary()
        names = {l.split()[-1] for l in _run("nm", str(binary)).splitlines() if l.strip()}
        self.assertEqual(names & SHELL_OUTS, set())

    @unittest.skipUnless(NATIVE_OBJ.is_dir() and any(NATIVE_OBJ.glob("*.o")),
                         "build/native/obj is not built (make native)")
    def test_no_shell_out_references_in_our_objects(self):
        found = {}
        for obj in sorted(NATIVE_OBJ.glob("*.o")):
            undefined = {l.split()[-1] for l in _run("nm", "-u", str(obj)).splitlines() if l.strip()}
            bad = undefined & SHELL_OUTS
            if bad:
                found[obj.name] = sorted(bad)
        self.assertEqual(found, {})


if __name__ == "__main__":
    unittest.main()
