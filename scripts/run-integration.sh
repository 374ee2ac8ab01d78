#!/usr/bin/env bash
# Runs the Python integration suites (tests/it_*.py and the fake AWS's own
# tests) with Debian's python3, which has python3-botocore.
set -u
cd "$(dirname "$0")/.."
/usr/bin/python3 tests/run_integration.py "$@"
