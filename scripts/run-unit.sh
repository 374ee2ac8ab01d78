#!/usr/bin/env bash
# Runs each cmocka test binary from the repo root (fixtures are found by
# relative path) and sums the results. Writes the totals to build/unit.summary.
set -u
cd "$(dirname "$0")/.."
passed=0 failed=0 bad=()
for t in "$@"; do
    out=$("$t" 2>&1)
    rc=$?
    printf '%s\n' "$out" | sed "s|^|$(basename "$t"): |" | grep -E 'PASSED|FAILED|ERROR|RUN' | grep -v '\[ RUN' || true
    p=$(printf '%s\n' "$out" | sed -n 's/^\[  PASSED  \] \([0-9]*\) test.*/\1/p' | tail -1)
    f=$(printf '%s\n' "$out" | sed -n 's/^\[  FAILED  \] \([0-9]*\) test.*/\1/p' | tail -1)
    passed=$((passed + ${p:-0}))
    failed=$((failed + ${f:-0}))
    if [ "$rc" -ne 0 ]; then
        bad+=("$(basename "$t")")
        [ -z "$f" ] && failed=$((failed + 1))
        printf '%s\n' "$out" | tail -40
    fi
done
mkdir -p build
echo "$passed $failed" > build/unit.summary
echo "unit: $passed passed, $failed failed"
[ ${#bad[@]} -eq 0 ] || { echo "failing: ${bad[*]}"; exit 1; }
