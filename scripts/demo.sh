#!/usr/bin/env bash
# make demo: run the real ./bootstrap on a sample Config event against the
# bundled fake AWS, once per sample account, and show each verdict.
set -euo pipefail
cd "$(dirname "$0")/.."
BOOTSTRAP=${TW_BOOTSTRAP:-./bootstrap}
work=$(mktemp -d)
fake_pid=
cleanup() {
    [ -n "$fake_pid" ] && kill "$fake_pid" 2>/dev/null && wait "$fake_pid" 2>/dev/null
    rm -rf "$work"
}
trap cleanup EXIT

for fixture in compliant restrictive-filter wrong-namespace no-alarm pending-subscription org-member; do
    rm -f "$work/port"
    /usr/bin/python3 -m tests.fake_aws --fixture "tests/fixtures/accounts/$fixture.json" \
        --port-file "$work/port" >/dev/null 2>&1 &
    fake_pid=$!
    for _ in $(seq 100); do [ -s "$work/port" ] && break; sleep 0.05; done
    port=$(cat "$work/port")
    # The account is the fixture's last one (a member, where there are two);
    # the event is the periodic sample with that account id.
    read -r key secret account < <(/usr/bin/python3 - "tests/fixtures/accounts/$fixture.json" \
        events/config-periodic.json "$work/event.json" <<'PY'
import json, sys
fx = json.load(open(sys.argv[1]))
key, info = list(fx["keys"].items())[-1]
ev = json.load(open(sys.argv[2]))
ev["accountId"] = info["account"]
json.dump(ev, open(sys.argv[3], "w"))
print(key, info["secret"], info["account"])
PY
)
    printf '\n== account %s "%s" (fake AWS on 127.0.0.1:%s)\n' "$account" "$fixture" "$port"
    env -i PATH="$PATH" HOME="$work" AWS_REGION=us-east-1 \
        AWS_ACCESS_KEY_ID="$key" AWS_SECRET_ACCESS_KEY="$secret" \
        AWS_ENDPOINT_URL="http://127.0.0.1:$port" \
        "$BOOTSTRAP" --event "$work/event.json" --format text 2>"$work/log" || {
            echo "  the invocation failed:"; sed 's/^/    /' "$work/log" | tail -3; }
    kill "$fake_pid"; wait "$fake_pid" 2>/dev/null || true; fake_pid=
done
