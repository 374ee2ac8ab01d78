"""Integration: a long warm loop — 1,000 invocations in one bootstrap process.

Lambda keeps a process warm for hours; anything an invocation forgets to free
accumulates. Each test serves N (default 1,000) invocations through the fake
Runtime API, in a fixed mix that repeats every 10:

    6 x config-periodic against a compliant fake AWS account (the full audit,
        PutEvaluations included),
    3 x malformed events (not JSON, a bad account id, invokingEvent not JSON),
    1 x config-left-scope (NOT_APPLICABLE, PutEvaluations only),

then one more invocation whose response the runtime answers with HTTP 500, so
the bootstrap leaves its loop and exits through its normal cleanup.

Tests:
  test_rss_steady            the binary under test (TW_BOOTSTRAP, default the
                             shipped static ./bootstrap): every invocation is
                             answered as expected, no sanitizer report,
                             VmRSS after invocation N is within RSS_SLACK_KB of
                             VmRSS after invocation 10 and within RSS_STEADY_KB
                             of VmRSS after invocation N/2 (no growth once
                             warm). Runs in `make test` (about 100 s).
  test_rss_steady_native     the same on build/native/bootstrap
                             (TW_WARM_LOOP_NATIVE=1; `make warm-loop`).
  test_valgrind_no_leaks     build/native/bootstrap under valgrind memcheck:
                             0 errors, 0 bytes definitely or indirectly lost
                             (TW_WARM_LOOP_VALGRIND=1; `make warm-loop`: about
                             0.2 s per audit, minutes in all).

Environment: TW_WARM_LOOP_N (invocations), TW_WARM_LOOP_RSS=0 (skip the RSS
comparison: set for sanitizer and coverage builds, whose allocators keep
quarantines and counters that grow on purpose), TW_WARM_LOOP_REPORT=FILE
(append one JSON line per run: binary, seconds, RSS figures).
Run from the repo root:
    /usr/bin/python3 -m unittest -v tests.it_warm_loop
"""

import json
import os
import pathlib
import re
import subprocess
import sys
import tempfile
import time
import unittest

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent.parent))
from fake_runtime import FakeRuntime  # noqa: E402
from tests.fake_aws import FakeAws, account_key, compliant_account, fixture  # noqa: E402

ROOT = pathlib.Path(__file__).resolve().parent.parent
BOOTSTRAP = os.environ.get("TW_BOOTSTRAP", str(ROOT / "bootstrap"))
NATIVE = str(ROOT / "build" / "native" / "bootstrap")
N = int(os.environ.get("TW_WARM_LOOP_N", "1000"))
CHECK_RSS = os.environ.get("TW_WARM_LOOP_RSS", "1") != "0"
REPORT = os.environ.get("TW_WARM_LOOP_REPORT")
ACCOUNT = "111111111111"
BASELINE = 10          # the RSS reference point: after invocation 10
RSS_SLACK_KB = 64      # invocation N vs 10: 16 pages (measured: 36 kB static, 56 kB native)
RSS_STEADY_KB = 8      # invocation N vs N/2: 2 pages (measured: 0 to 4 kB)
DEADLINE_MS = 3600_000  # generous: valgrind is slow and the whole run is queued up front

MALFORMED = ["not-json.json", "bad-account.json", "invoking-event-not-json.json"]
SANITIZER_RE = re.compile(rb"ERROR: (AddressSanitizer|LeakSanitizer)|runtime error:|"
                          rb"UndefinedBehaviorSanitizer")


def _read(path):
    return (ROOT / path).read_bytes()


def plan(n):
    """[(kind, event bytes, expected)] for invocations 0..n-1."""
    periodic = _read("events/config-periodic.json")
    left = _read("events/config-left-scope.json")
    expected = json.loads(_read("tests/events-bad/expected.json"))
    bad = [(name, _read("tests/events-bad/" + name), expected[name]) for name in MALFORMED]
    out, k = [], 0
    for i in range(n):
        slot = i % 10
        if slot in (2, 5, 7):
            name, body, etype = bad[k % len(bad)]
            k += 1
            out.append(("malformed", body, etype))
        elif slot == 9:
            out.append(("left-scope", left, "NOT_APPLICABLE"))
        else:
            out.append(("periodic", periodic, "COMPLIANT"))
    return out


def rss_kb(pid):
    """(VmRSS, RssAnon, RssFile) in kB from /proc/<pid>/status."""
    got = {}
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            key, _, rest = line.partition(":")
            if key in ("VmRSS", "RssAnon", "RssFile"):
                got[key] = int(rest.split()[0])
    return got["VmRSS"], got.get("RssAnon", 0), got.get("RssFile", 0)


class WarmLoop(unittest.TestCase):
    def run_loop(self, binary, wrapper=(), n=N, check_rss=CHECK_RSS):
        if not os.access(binary, os.X_OK):
            self.skipTest("%s is not built" % binary)
        self.assertGreater(n, BASELINE)
        steps = plan(n)
        key, secret = account_key(ACCOUNT)
        work = tempfile.TemporaryDirectory()
        self.addCleanup(work.cleanup)
        err_path = pathlib.Path(work.name) / "stderr"
        with FakeAws(fixture(compliant_account(ACCOUNT, "us-east-1"))) as fake, FakeRuntime() as rt:
            # A killed or exiting bootstrap resets its kept-alive connection;
            # that is expected here, not worth a traceback on the console.
            rt._server.handle_error = lambda request, address: None
            env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"),
                   "AWS_LAMBDA_RUNTIME_API": rt.address,
                   "AWS_REGION": "us-east-1",
                   "AWS_ACCESS_KEY_ID": key, "AWS_SECRET_ACCESS_KEY": secret,
                   "AWS_ENDPOINT_URL": fake.url,
                   "AWS_LAMBDA_LOG_FORMAT": "JSON", "AWS_LAMBDA_LOG_LEVEL": "WARN",
                   "HOME": work.name}
            started = time.monotonic()
            with open(err_path, "wb") as err:
                proc = subprocess.Popen(list(wrapper) + [binary], env=env,
                                        stdout=subprocess.DEVNULL, stderr=err)
            self.addCleanup(lambda: proc.poll() is None and (proc.kill(), proc.wait()))

            def queue(i):
                kind, body, _ = steps[i]
                return rt.queue(body, request_id="warm-%04d-%s" % (i, kind),
                                deadline_ms=int(time.time() * 1000) + DEADLINE_MS)

            # Queued in chunks; VmRSS is read at each checkpoint, while the
            # bootstrap waits for the next invocation (its heap is quiet).
            checkpoints = [BASELINE] + list(range(100, n, 100)) + [n]
            ids, curve = [], []

            def wait(rid, limit):
                # In slices, so a bootstrap that died is reported at once
                # rather than after the whole time limit.
                end = time.monotonic() + limit
                while True:
                    try:
                        return rt.wait_post(rid, timeout=2.0)
                    except TimeoutError:
                        if proc.poll() is not None:
                            self.fail("bootstrap exited with %s before answering %s:\n%s" % (
                                proc.returncode, rid,
                                err_path.read_bytes()[-4000:].decode(errors="replace")))
                        if time.monotonic() > end:
                            raise

            for stop in sorted(set(checkpoints)):
                ids += [queue(i).request_id for i in range(len(ids), stop)]
                wait(ids[-1], 600)
                curve.append((stop,) + rss_kb(proc.pid))
            rss_base, rss_end = curve[0][1], curve[-1][1]
            elapsed = time.monotonic() - started
            # The last invocation: the runtime refuses its response with a
            # 500, which ends the loop (exit through main's cleanup).
            rt.queue(_read("events/config-left-scope.json"), request_id="warm-stop",
                     response_status=500, deadline_ms=int(time.time() * 1000) + DEADLINE_MS)
            proc.wait(timeout=600)
            stats = fake.stats()

            for i, rid in enumerate(ids):
                kind, _, want = steps[i]
                posts = [p for p in rt.posts_for(rid)]
                self.assertEqual(len(posts), 1, "invocation %s answered %d times" % (rid, len(posts)))
                post = posts[0]
                if kind == "malformed":
                    self.assertEqual((post.kind, post.json().get("errorType")), ("error", want), rid)
                else:
                    doc = post.json()
                    self.assertEqual((post.kind, doc.get("complianceType")), ("response", want), rid)
                    self.assertTrue(doc["delivery"]["sent"], rid)
        audits = sum(1 for kind, _, _ in steps if kind != "malformed")
        self.assertEqual(stats["rejected_signatures"], 0)
        self.assertEqual(stats["fake_bugs"], [])
        self.assertEqual(len(stats["put_evaluations"]) if isinstance(stats["put_evaluations"], list)
                         else stats["put_evaluations"], audits + 1)  # + the stop invocation's
        stderr = err_path.read_bytes()
        self.assertIsNone(SANITIZER_RE.search(stderr), stderr[-4000:].decode(errors="replace"))
        result = {"binary": binary, "wrapper": wrapper[0] if wrapper else None, "invocations": n,
                  "seconds": round(elapsed, 1), "rss_kb_at_%d" % BASELINE: rss_base,
                  "rss_kb_at_%d" % n: rss_end, "rss_curve": curve, "returncode": proc.returncode}
        if REPORT:
            with open(REPORT, "a") as f:
                f.write(json.dumps(result) + "\n")
        if check_rss and not wrapper:
            # (1) invocation n against invocation 10, within a few pages;
            # (2) no growth at all over the second half: the warm-up (the
            # heap reaching its working set, seen over the first ~100-400
            # invocations) is over, and what a leak would add is not.
            half = min(curve, key=lambda c: abs(c[0] - n // 2))
            why = "VmRSS %d kB after invocation %d, %d kB after invocation %d, %d kB after " \
                  "invocation %d (invocation, VmRSS, RssAnon, RssFile kB: %s)" % (
                      rss_base, BASELINE, half[1], half[0], rss_end, n, curve)
            self.assertLessEqual(rss_end - rss_base, RSS_SLACK_KB, why)
            self.assertLessEqual(rss_end - half[1], RSS_STEADY_KB, why)
        return result, stderr

    def test_rss_steady(self):
        self.run_loop(BOOTSTRAP)

    @unittest.skipUnless(os.environ.get("TW_WARM_LOOP_NATIVE") == "1",
                         "TW_WARM_LOOP_NATIVE=1 (make warm-loop)")
    def test_rss_steady_native(self):
        self.run_loop(NATIVE)

    @unittest.skipUnless(os.environ.get("TW_WARM_LOOP_VALGRIND") == "1",
                         "TW_WARM_LOOP_VALGRIND=1 (make warm-loop)")
    def test_valgrind_no_leaks(self):
        log = tempfile.NamedTemporaryFile(prefix="tw-valgrind-", suffix=".log", delete=False)
        log.close()
        self.addCleanup(os.unlink, log.name)
        wrapper = ("valgrind", "--tool=memcheck", "--leak-check=full",
                   "--errors-for-leak-kinds=definite,indirect", "--error-exitcode=99",
                   "--track-fds=no", "--log-file=" + log.name)
        result, _ = self.run_loop(NATIVE, wrapper=wrapper)
        text = pathlib.Path(log.name).read_text(errors="replace")
        summary = re.search(r"ERROR SUMMARY: (\d+) errors", text)
        definite = re.search(r"definitely lost: ([\d,]+) bytes", text)
        indirect = re.search(r"indirectly lost: ([\d,]+) bytes", text)
        self.assertIsNotNone(summary, text[-3000:])
        self.assertNotEqual(result["returncode"], 99, text[-6000:])
        self.assertEqual(summary.group(1), "0", text[-6000:])
        # No LEAK SUMMARY at all means "All heap blocks were freed".
        for m in (definite, indirect):
            if m:
                self.assertEqual(m.group(1), "0", text[-6000:])


if __name__ == "__main__":
    unittest.main()
