"""The shipped ./bootstrap is fully static and runs where nothing is installed.

provided.al2023 has none of our libraries (and another libc): the binary is
copied alone into an empty directory and run there with chroot(2), so no
shared object, CA file or NSS module of this machine can be found.
"""

import json
import os
import pathlib
import shutil
import subprocess
import tempfile
import unittest

ROOT = pathlib.Path(__file__).resolve().parent.parent
BOOTSTRAP = pathlib.Path(os.environ.get("TW_BOOTSTRAP", str(ROOT / "bootstrap")))
SHIPPED = ROOT / "bootstrap"


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
            # Without a CA bundle HTTPS is refused, never sent unverified.
            self.assertIn("no CA bundle", p.stderr)


if __name__ == "__main__":
    unittest.main()
