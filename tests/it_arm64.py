"""Integration: the aarch64 bootstrap (make ARCH=arm64 -> ./bootstrap-arm64),
run under qemu-user against the fake AWS.

Checks that it is a static aarch64 ELF without an interpreter, then runs it
with `qemu-aarch64-static` (called explicitly: binfmt_misc may not be
registered) on events/config-periodic.json against a compliant account, over
HTTP and over HTTPS (the aarch64 OpenSSL assembler: ECDHE, AES-GCM, SHA-2),
and expects COMPLIANT, the evaluation delivered, and no rejected signature.

Skips when bootstrap-arm64 has not been built or qemu-user-static is missing
(`make test` builds it and installs qemu unless TEST_ARM64=0). Run from the
repo root:
    /usr/bin/python3 -m unittest tests.it_arm64 -v
TW_BOOTSTRAP_ARM64 names another binary; TW_QEMU_AARCH64 another qemu.
"""

import json
import os
import pathlib
import shutil
import subprocess
import sys
import tempfile
import time
import unittest

ROOT = pathlib.Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
from tests.fake_aws import FakeAws, account_key, compliant_account, fixture  # noqa: E402

BINARY = pathlib.Path(os.environ.get("TW_BOOTSTRAP_ARM64", str(ROOT / "bootstrap-arm64")))
QEMU = os.environ.get("TW_QEMU_AARCH64", "qemu-aarch64-static")
EVENT = ROOT / "events" / "config-periodic.json"
ACCOUNT = "111111111111"
REGION = "us-east-1"
# Emulated: TLS and SigV4 run a few times slower than natively.
TIMEOUT_S = 60


def _skip_reason():
    if not BINARY.is_file():
        return ("%s not built: `make ARCH=arm64` (or `make test`, unless TEST_ARM64=0) builds it"
                % BINARY.name)
    if not shutil.which(QEMU):
        return "%s not installed: scripts/install-packages.sh --arm64 (qemu-user-static)" % QEMU
    return None


SKIP = _skip_reason()


def _run(argv, **kw):
    return subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **kw)


@unittest.skipIf(SKIP, SKIP)
class TestArm64Binary(unittest.TestCase):
    def test_static_aarch64_elf(self):
        desc = _run(["file", "-b", str(BINARY)]).stdout
        self.assertIn("ELF 64-bit LSB", desc)
        self.assertIn("ARM aarch64", desc)
        self.assertRegex(desc, r"static-pie linked|statically linked")
        self.assertNotIn("dynamically linked", desc)
        self.assertNotIn("interpreter", desc)
        header = _run(["readelf", "-hW", str(BINARY)]).stdout
        self.assertRegex(header, r"Machine:\s+AArch64")
        phdrs = _run(["readelf", "-lW", str(BINARY)]).stdout
        self.assertIn("LOAD", phdrs)
        self.assertNotIn("INTERP", phdrs)
        self.assertNotIn("(NEEDED)", _run(["readelf", "-dW", str(BINARY)]).stdout)
        # the shipped file is stripped (build/static-arm64/bootstrap keeps the symbols)
        sections = _run(["readelf", "-SW", str(BINARY)]).stdout
        self.assertFalse(" .symtab " in sections or " .debug_" in sections,
                         "%s is not stripped (has .symtab / .debug_*)" % BINARY)
        check = _run([str(ROOT / "scripts" / "check-static.sh"), "--stripped", str(BINARY), "arm64"])
        self.assertEqual(check.returncode, 0, check.stderr)


@unittest.skipIf(SKIP, SKIP)
class TestArm64UnderQemu(unittest.TestCase):
    def setUp(self):
        self._tmp = tempfile.TemporaryDirectory(prefix="tw-it-arm64-")
        self.addCleanup(self._tmp.cleanup)
        self.tmp = pathlib.Path(self._tmp.name)

    def run_bootstrap(self, fake, extra_env=None):
        home = self.tmp / "home"
        home.mkdir(exist_ok=True)
        key_id, secret = account_key(ACCOUNT)
        env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(home),
               "AWS_REGION": REGION, "AWS_ENDPOINT_URL": fake.url,
               "AWS_ACCESS_KEY_ID": key_id, "AWS_SECRET_ACCESS_KEY": secret}
        env.update(extra_env or {})
        argv = [QEMU, str(BINARY), "--event", str(EVENT), "--timeout", str(TIMEOUT_S)]
        t0 = time.monotonic()
        proc = _run(argv, env=env, timeout=TIMEOUT_S + 30)
        wall = time.monotonic() - t0
        info = "rc=%d wall=%.1fs stdout=%r stderr tail=%r" % (
            proc.returncode, wall, proc.stdout[:2000], proc.stderr[-2000:])
        self.assertEqual(proc.returncode, 0, info)
        try:
            doc = json.loads(proc.stdout)
        except ValueError:
            self.fail("stdout is not one JSON document: " + info)
        return doc, info

    def assert_compliant(self, fake, doc, info):
        self.assertEqual(doc["complianceType"], "COMPLIANT", info)
        self.assertEqual(doc["accountId"], ACCOUNT)
        self.assertEqual(doc["delivery"]["sent"], True, info)
        st = fake.stats()
        self.assertEqual(st["rejected_signatures"], 0, "auth failures %r; %s" % (st["auth_failures"], info))
        self.assertEqual(st["fake_bugs"], [])
        self.assertEqual(len(st["put_evaluations"]), 1, st["put_evaluations"])
        self.assertEqual(st["put_evaluations"][0]["evaluations"], doc["evaluations"])
        self.assertEqual(doc["evaluations"][0]["ComplianceType"], "COMPLIANT")

    def test_compliant_http(self):
        with FakeAws(fixture(compliant_account(ACCOUNT, REGION))) as fake:
            doc, info = self.run_bootstrap(fake)
            self.assert_compliant(fake, doc, info)

    @unittest.skipUnless(shutil.which("openssl"), "openssl CLI not installed (for a test certificate)")
    def test_compliant_https(self):
        cert, key = self.tmp / "cert.pem", self.tmp / "key.pem"
        subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes",
                        "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
                        "-days", "1", "-keyout", str(key), "-out", str(cert)],
                       check=True, capture_output=True)
        with FakeAws(fixture(compliant_account(ACCOUNT, REGION)), tls_cert=str(cert), tls_key=str(key)) as fake:
            self.assertTrue(fake.url.startswith("https://"))
            doc, info = self.run_bootstrap(fake, {"AWS_CA_BUNDLE": str(cert)})
            self.assert_compliant(fake, doc, info)


if __name__ == "__main__":
    unittest.main()


@unittest.skipIf(SKIP, SKIP)
class TestSamBuildTarget(unittest.TestCase):
    """`sam build` runs `make build-TrailwatchFunction ARTIFACTS_DIR=...` and
    passes no architecture: the target must package the template's default
    Architecture (arm64), or ARCH when it is given, and warn on a mismatch."""

    def build(self, env_arch=None):
        out = pathlib.Path(tempfile.mkdtemp(prefix="tw-sam-"))
        self.addCleanup(shutil.rmtree, out, True)
        env = {k: v for k, v in os.environ.items() if k not in ("ARCH", "MAKEFLAGS", "MAKELEVEL", "MFLAGS")}
        if env_arch:
            env["ARCH"] = env_arch
        run = _run(["make", "--no-print-directory", "build-TrailwatchFunction", "ARTIFACTS_DIR=%s" % out],
                   cwd=str(ROOT), env=env, timeout=1800)
        self.assertEqual(run.returncode, 0, run.stdout[-2000:] + run.stderr[-2000:])
        artifact = out / "bootstrap"
        self.assertTrue(artifact.is_file())
        self.assertEqual(artifact.stat().st_mode & 0o777, 0o755)
        return artifact, run.stderr

    def test_default_is_the_templates_architecture(self):
        template = (ROOT / "template.yaml").read_text()
        self.assertRegex(template, r"\n  Architecture:\n    Type: String\n    Default: arm64\n")
        artifact, stderr = self.build()
        self.assertIn("ARM aarch64", _run(["file", "-b", str(artifact)]).stdout)
        self.assertEqual(artifact.read_bytes(), BINARY.read_bytes(), "the tested bootstrap-arm64")
        self.assertNotIn("WARNING", stderr)

    def test_arch_from_the_environment_wins_and_warns(self):
        artifact, stderr = self.build("x86_64")
        self.assertIn("x86-64", _run(["file", "-b", str(artifact)]).stdout)
        self.assertIn("WARNING: packaged the x86_64 bootstrap", stderr)
        self.assertIn("Architecture=x86_64", stderr)
