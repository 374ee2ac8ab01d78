"""The shipped ./bootstrap is fully static and runs where nothing is installed.

provided.al2023 has none of our libraries (and another libc): the binary is
copied alone into an empty directory and run there with chroot(2), so no
shared object, CA file or NSS module of this machine can be found.

EmbeddedAmazonRoots runs the same empty root against the fake AWS over TLS
(a throwaway CA, a server certificate for a host under amazonaws.com, named in
the root's /etc/hosts): with no CA bundle and no proxy the *.amazonaws.com
endpoint is verified against the 5 embedded Amazon roots only (so the test CA
is refused by certificate verification, not for want of a bundle), a named
bundle overrides them, and any other host gets no HTTPS at all.
"""

import json
import os
import pathlib
import shutil
import subprocess
import sys
import tempfile
import unittest

ROOT = pathlib.Path(__file__).resolve().parent.parent
BOOTSTRAP = pathlib.Path(os.environ.get("TW_BOOTSTRAP", str(ROOT / "bootstrap")))
SHIPPED = ROOT / "bootstrap"

if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
from tests.fake_aws import FakeAws, account_key, compliant_account, fixture  # noqa: E402

ACCOUNT = "111111111111"          # events/config-periodic.json
# What AWS_ENDPOINT_URL names is the URL http.c gets: this host is in the aws
# partition for s_is_aws_commercial (*.amazonaws.com, no "us-gov-").
AWS_HOST = "trailwatch-test.us-east-1.amazonaws.com"
OTHER_HOST = "trailwatch-test.example"
NO_BUNDLE = "no CA bundle to verify"
AMAZON_ONLY = "only the Amazon Trust Services roots are trusted for AWS endpoints"


def make_ca_and_server_cert(directory, dns_names):
    """A throwaway CA and a server certificate it signs for `dns_names` (openssl
    CLI). tests/it_security.make_cert is self-signed only and bench's make_tls
    is for 127.0.0.1 only. Returns (ca.pem, server.pem, server.key) paths."""
    d = pathlib.Path(directory)

    def ossl(*args):
        subprocess.run(["openssl"] + list(args), check=True, capture_output=True, cwd=d, timeout=30)

    ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes"]
    ossl("req", "-x509", *ec, "-days", "2", "-subj", "/CN=trailwatch test CA", "-keyout", "ca.key",
         "-out", "ca.pem", "-addext", "basicConstraints=critical,CA:TRUE",
         "-addext", "keyUsage=critical,keyCertSign")
    ossl("req", *ec, "-subj", "/CN=" + dns_names[0], "-keyout", "server.key", "-out", "server.csr")
    (d / "ext.cnf").write_text("subjectAltName=%s\nbasicConstraints=CA:FALSE\n"
                               "extendedKeyUsage=serverAuth\n"
                               % ",".join("DNS:" + n for n in dns_names))
    ossl("x509", "-req", "-in", "server.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial",
         "-days", "2", "-extfile", "ext.cnf", "-out", "server.pem")
    return d / "ca.pem", d / "server.pem", d / "server.key"


@unittest.skipUnless(SHIPPED.exists(), "./bootstrap not built")
class StaticBinary(unittest.TestCase):
    def test_no_interpreter_and_no_dynamic_libraries(self):
        out = subprocess.run(["readelf", "-lW", str(SHIPPED)], capture_output=True, text=True,
                             check=True).stdout
        self.assertNotIn("INTERP", out)
        self.assertNotIn("Requesting program interpreter", out)
        dyn = subprocess.run(["readelf", "-dW", str(SHIPPED)], capture_output=True, text=True).stdout
        self.assertNotIn("(NEEDED)", dyn)
        kind = subprocess.run(["file", "-b", str(SHIPPED)], capture_output=True, text=True).stdout
        self.assertRegex(kind, r"static(-pie)? linked")
        self.assertIn("x86-64", kind)

    @unittest.skipUnless(os.geteuid() == 0 and shutil.which("chroot"), "needs root for chroot")
    def test_runs_in_an_empty_root(self):
        with tempfile.TemporaryDirectory() as root:
            shutil.copy2(SHIPPED, os.path.join(root, "bootstrap"))
            shutil.copy2(ROOT / "events" / "config-left-scope.json", os.path.join(root, "e.json"))
            self.assertEqual(sorted(os.listdir(root)), ["bootstrap", "e.json"])
            env = {"AWS_REGION": "us-east-1", "TRAILWATCH_DRY_RUN": "true"}
            p = subprocess.run([shutil.which("chroot"), root, "/bootstrap", "--version"], env=env,
                               capture_output=True, text=True, timeout=30)
            self.assertEqual(p.returncode, 0, p.stderr)
            self.assertIn("OpenSSL/3", p.stdout)
            p = subprocess.run([shutil.which("chroot"), root, "/bootstrap", "--event", "/e.json"], env=env,
                               capture_output=True, text=True, timeout=30)
            self.assertEqual(p.returncode, 0, p.stderr)
            self.assertEqual(json.loads(p.stdout)["complianceType"], "NOT_APPLICABLE")
            # The start-up says no CA bundle exists here (that HTTPS is then
            # refused, or verified against the embedded roots, is tested by
            # EmbeddedAmazonRoots below).
            self.assertIn("no CA bundle found (set AWS_CA_BUNDLE): HTTPS requests will be refused, "
                          "except to AWS endpoints (embedded roots)", p.stderr)


@unittest.skipUnless(SHIPPED.exists(), "./bootstrap not built")
@unittest.skipUnless(os.geteuid() == 0 and shutil.which("chroot"), "needs root for chroot")
@unittest.skipUnless(shutil.which("openssl"), "needs the openssl command")
class EmbeddedAmazonRoots(unittest.TestCase):
    """The shipped bootstrap in an empty root (no /etc/ssl, no /etc/pki): only
    itself, the event and an /etc/hosts naming AWS_HOST and OTHER_HOST."""

    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory(prefix="tw-roots-")
        certs = pathlib.Path(cls.tmp.name) / "certs"
        certs.mkdir()
        cls.ca, cls.cert, cls.key = make_ca_and_server_cert(certs, [AWS_HOST, OTHER_HOST])
        cls.root = pathlib.Path(cls.tmp.name) / "root"
        (cls.root / "etc").mkdir(parents=True)
        shutil.copy2(SHIPPED, cls.root / "bootstrap")
        shutil.copy2(ROOT / "events" / "config-periodic.json", cls.root / "e.json")
        # musl's resolver reads /etc/hosts; there is no resolv.conf to fall back on.
        (cls.root / "etc" / "hosts").write_text("127.0.0.1 %s %s\n" % (AWS_HOST, OTHER_HOST))
        cls.chroot = shutil.which("chroot")

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def setUp(self):
        self.assertEqual(sorted(p.relative_to(self.root).as_posix() for p in self.root.rglob("*")),
                         ["bootstrap", "e.json", "etc", "etc/hosts"], "the root is not empty")
        self.fake = FakeAws(fixture(compliant_account(ACCOUNT, "us-east-1")), tls_cert=str(self.cert),
                            tls_key=str(self.key))
        # Every TLS handshake that reached the fake, by the SNI name it asked for
        # (the callback runs on the ClientHello, before the client sees a certificate).
        self.handshakes = []
        self.fake._ssl_context.sni_callback = lambda sock, name, ctx: self.handshakes.append(name)
        self.fake.start()
        self.addCleanup(self.fake.stop)

    def with_ca_in_root(self):
        shutil.copy2(self.ca, self.root / "ca.pem")
        self.addCleanup(os.unlink, self.root / "ca.pem")
        return "/ca.pem"

    def run_in_root(self, host, extra_env=None):
        key_id, secret = account_key(ACCOUNT)
        # A fresh environment: no AWS_CA_BUNDLE, SSL_CERT_FILE or proxy variable
        # unless extra_env has one. One attempt: a refused certificate is retried.
        env = {"AWS_REGION": "us-east-1", "AWS_ACCESS_KEY_ID": key_id, "AWS_SECRET_ACCESS_KEY": secret,
               "AWS_ENDPOINT_URL": "https://%s:%d" % (host, self.fake.port)}
        env.update(extra_env or {})
        p = subprocess.run([self.chroot, str(self.root), "/bootstrap", "--event", "/e.json"], env=env,
                           capture_output=True, text=True, timeout=30)
        self.assertGreaterEqual(p.returncode, 0, p.stderr[-2000:])
        try:
            doc = json.loads(p.stdout)
        except ValueError:
            self.fail("no JSON document on stdout: %r / %r" % (p.stdout[-500:], p.stderr[-2000:]))
        return p, doc

    def assert_error(self, p, doc, error_type):
        self.assertEqual(p.returncode, 1, p.stderr[-2000:])
        self.assertNotIn("complianceType", doc)
        self.assertEqual(doc.get("errorType"), error_type, doc)

    def assert_nothing_reached_aws(self):
        st = self.fake.stats()
        self.assertEqual(st["requests"], 0, "a request got through: %r" % st["by_operation"])
        self.assertEqual(st["connections"], 0)
        self.assertEqual(st["put_evaluations"], [])

    def assert_compliant_and_delivered(self, p, doc, host):
        self.assertEqual(p.returncode, 0, p.stderr[-2000:])
        self.assertEqual(doc.get("complianceType"), "COMPLIANT", doc)
        self.assertTrue(doc["delivery"]["sent"], doc)
        st = self.fake.stats()
        self.assertEqual(len(st["put_evaluations"]), 1, st["by_operation"])
        self.assertEqual(st["by_operation"].get("PutEvaluations"), 1, st["by_operation"])
        self.assertEqual(st["rejected_signatures"], 0, st["auth_failures"])
        self.assertEqual(st["fake_bugs"], [])
        self.assertTrue(self.handshakes)
        self.assertEqual(set(self.handshakes), {host})

    def test_aws_endpoint_trusts_only_the_embedded_amazon_roots(self):
        p, doc = self.run_in_root(AWS_HOST)
        # An untrusted certificate is not a network blip: no retry, not transient.
        self.assert_error(p, doc, "AWS.RequestFailed")
        msg = doc["errorMessage"]
        # Certificate verification ran, against a store without the test CA ...
        self.assertIn("SSL certificate problem: unable to get local issuer certificate", msg)
        self.assertIn(AMAZON_ONLY, msg)
        # ... not the refusal of a binary without the embedded roots (see
        # test_control_without_the_embedded_roots_the_same_endpoint_is_refused).
        self.assertNotIn(NO_BUNDLE, msg)
        self.assertNotIn("refusing to send", msg)
        # The handshake did reach the fake, for the name from /etc/hosts ...
        self.assertEqual(self.handshakes, [AWS_HOST], "one handshake, for the name from /etc/hosts, not retried")
        # ... and no request got through it.
        self.assert_nothing_reached_aws()
        self.assertIn("except to AWS endpoints (embedded roots)", p.stderr)

    def test_control_without_the_embedded_roots_the_same_endpoint_is_refused(self):
        # A proxy variable switches the embedded roots off (a proxy may re-sign
        # TLS): this is the same endpoint on the system-bundle path, which is what
        # a build without the roots would take. NO_PROXY keeps libcurl off the proxy.
        p, doc = self.run_in_root(AWS_HOST, {"HTTPS_PROXY": "http://127.0.0.1:9", "NO_PROXY": AWS_HOST})
        self.assert_error(p, doc, "AWS.RequestFailed")
        self.assertIn("%s https://%s:%d/ (set AWS_CA_BUNDLE); refusing to send"
                      % (NO_BUNDLE, AWS_HOST, self.fake.port), doc["errorMessage"])
        self.assertNotIn(AMAZON_ONLY, doc["errorMessage"])
        self.assertEqual(self.handshakes, [])
        self.assert_nothing_reached_aws()

    def test_named_bundle_overrides_the_embedded_roots(self):
        ca = self.with_ca_in_root()
        for name in ("AWS_CA_BUNDLE", "SSL_CERT_FILE"):
            with self.subTest(name):
                self.fake.reset_stats()
                self.handshakes.clear()
                p, doc = self.run_in_root(AWS_HOST, {name: ca})
                self.assert_compliant_and_delivered(p, doc, AWS_HOST)

    def test_system_bundle_is_not_used_for_aws_endpoints(self):
        # Even a system bundle that trusts the test CA is not consulted for the
        # aws partition (no bundle is named): only the embedded roots are.
        system = self.root / "etc" / "ssl" / "certs" / "ca-certificates.crt"
        system.parent.mkdir(parents=True)
        self.addCleanup(shutil.rmtree, self.root / "etc" / "ssl")
        shutil.copy2(self.ca, system)
        p, doc = self.run_in_root(AWS_HOST)
        self.assert_error(p, doc, "AWS.RequestFailed")
        self.assertIn("unable to get local issuer certificate", doc["errorMessage"])
        self.assertIn(AMAZON_ONLY, doc["errorMessage"])
        self.assert_nothing_reached_aws()
        # The same bundle is what any other endpoint is verified against.
        self.handshakes.clear()
        p, doc = self.run_in_root(OTHER_HOST)
        self.assert_compliant_and_delivered(p, doc, OTHER_HOST)

    def test_other_endpoint_without_a_bundle_is_refused(self):
        p, doc = self.run_in_root(OTHER_HOST)
        self.assert_error(p, doc, "AWS.RequestFailed")
        self.assertIn("%s https://%s:%d/ (set AWS_CA_BUNDLE); refusing to send"
                      % (NO_BUNDLE, OTHER_HOST, self.fake.port), doc["errorMessage"])
        self.assertEqual(self.handshakes, [], "a connection was opened without a trust store")
        self.assert_nothing_reached_aws()
        # The certificate is good for that name: only the trust store was missing.
        p, doc = self.run_in_root(OTHER_HOST, {"AWS_CA_BUNDLE": self.with_ca_in_root()})
        self.assert_compliant_and_delivered(p, doc, OTHER_HOST)


if __name__ == "__main__":
    unittest.main()
