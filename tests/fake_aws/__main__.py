"""CLI: serve a fixture until SIGTERM.

    /usr/bin/python3 -m tests.fake_aws --fixture tests/fixtures/accounts/compliant.json \
        [--port N] [--port-file F] [--latency-ms N] [--tls-cert C --tls-key K] \
        [--stats-file F] [--fault JSON]... [--no-clock-skew-check]

Prints the URL on stdout once listening; writes the port to --port-file
(atomically); on SIGTERM/SIGINT stops and writes stats JSON to --stats-file.
"""
import argparse
import json
import os
import signal
import sys
import threading

from .server import FakeAws
from .state import State


def _parse_fault(text):
    """JSON object, or the short form service:operation:fault[:times]."""
    text = text.strip()
    if text.startswith("{"):
        return json.loads(text)
    parts = text.split(":")
    if len(parts) < 3:
        raise argparse.ArgumentTypeError("fault: JSON or service:operation:fault[:times]")
    rule = {"service": parts[0] or None, "operation": parts[1] or None, "fault": parts[2]}
    rest = parts[3:]
    if rule["fault"] in ("delay_ms", "oversize") and rest:
        rule["fault"] += ":" + rest.pop(0)
    if rest:
        rule["times"] = int(rest[0])
    return rule


def main(argv=None):
    ap = argparse.ArgumentParser(prog="python3 -m tests.fake_aws", description=__doc__.split("\n\n")[0])
    ap.add_argument("--fixture", help="fixture JSON file (default: empty world)")
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, default=0, help="0 = ephemeral")
    ap.add_argument("--port-file", help="write the port here once listening")
    ap.add_argument("--latency-ms", type=int, default=0, help="added to every answer")
    ap.add_argument("--tls-cert")
    ap.add_argument("--tls-key")
    ap.add_argument("--stats-file", help="write stats JSON here on exit")
    ap.add_argument("--fault", action="append", default=[], type=_parse_fault,
                    help='repeatable: JSON rule or service:operation:fault[:times], e.g. "logs::throttle:2"')
    ap.add_argument("--no-clock-skew-check", action="store_true")
    args = ap.parse_args(argv)
    if bool(args.tls_cert) != bool(args.tls_key):
        ap.error("--tls-cert and --tls-key go together")

    state = State.from_file(args.fixture) if args.fixture else State()
    fake = FakeAws(state, host=args.host, port=args.port, latency_ms=args.latency_ms,
                   tls_cert=args.tls_cert, tls_key=args.tls_key,
                   check_clock_skew=False if args.no_clock_skew_check else None)
    for rule in args.fault:
        fake.inject(**rule)

    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    fake.start()
    if args.port_file:
        tmp = args.port_file + ".tmp"
        with open(tmp, "w") as f:
            f.write("%d\n" % fake.port)
        os.replace(tmp, args.port_file)
    print(fake.url, flush=True)
    while not stop.wait(0.2):
        pass
    fake.stop()
    if args.stats_file:
        stats = fake.stats()
        stats["request_log"] = fake.request_log()
        tmp = args.stats_file + ".tmp"
        with open(tmp, "w") as f:
            json.dump(stats, f, indent=1, default=str)
        os.replace(tmp, args.stats_file)
    return 0


if __name__ == "__main__":
    sys.exit(main())
