"""Discovers and runs the integration suites; prints one closing line.

    /usr/bin/python3 tests/run_integration.py [-k PATTERN]
The binary under test is ./bootstrap unless TW_BOOTSTRAP names another.
"""

import os
import pathlib
import sys
import unittest

ROOT = pathlib.Path(__file__).resolve().parent.parent


def main():
    os.chdir(ROOT)
    sys.path.insert(0, str(ROOT))
    loader = unittest.TestLoader()
    if "-k" in sys.argv:
        loader.testNamePatterns = ["*%s*" % sys.argv[sys.argv.index("-k") + 1]]
    suite = unittest.TestSuite()
    for pattern in ("test_fake_aws.py", "it_*.py"):
        suite.addTests(loader.discover(str(ROOT / "tests"), pattern=pattern,
                                       top_level_dir=str(ROOT)))
    result = unittest.TextTestRunner(verbosity=2, stream=sys.stdout).run(suite)
    failed = len(result.failures) + len(result.errors) + len(result.unexpectedSuccesses)
    passed = result.testsRun - failed - len(result.skipped)
    unit = ROOT / "build" / "unit.summary"
    print("integration: %d passed, %d failed" % (passed, failed))
    if unit.exists():
        up, uf = (int(x) for x in unit.read_text().split())
        print("tests: %d passed, %d failed" % (passed + up, failed + uf))
    sys.exit(0 if result.wasSuccessful() and result.testsRun > 0 else 1)


if __name__ == "__main__":
    main()
