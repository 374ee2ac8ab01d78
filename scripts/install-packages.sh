#!/usr/bin/env bash
# scripts/install-packages.sh — install the Debian packages that the build and
# the tests need, only if some are missing (one dpkg-query call; apt-get only
# then). Idempotent: prints "packages ok" when there is nothing to do.
#
#   scripts/install-packages.sh [--arm64]
#
# --arm64 (or TW_ARM64=1) adds what the aarch64 bootstrap needs: the cross
# gcc and binutils, and qemu-user-static to run it (tests/it_arm64.py).
# musl for arm64 is not installed: scripts/deps.sh downloads its .debs.
set -euo pipefail

PACKAGES=(
    build-essential musl-tools dpkg-dev cmake file ca-certificates pkg-config
    autoconf automake libtool        # scripts/deps.sh: curl's autoreconf after Debian's patches
    libcurl4-openssl-dev libcjson-dev libexpat1-dev libssl-dev libcmocka-dev
    gcovr python3-yaml
    python3 python3-botocore clang valgrind zip binutils
)
ARM64_PACKAGES=(gcc-aarch64-linux-gnu binutils-aarch64-linux-gnu qemu-user-static)

arm64=${TW_ARM64:-0}
for arg in "$@"; do
    case "$arg" in
        --arm64) arm64=1 ;;
        -h|--help) sed -n '2,12s/^# \{0,1\}//p' "$0"; exit 0 ;;
        *) echo "install-packages: unknown argument '$arg' (--arm64)" >&2; exit 2 ;;
    esac
done
[ "$arm64" = 1 ] && PACKAGES+=("${ARM64_PACKAGES[@]}")

missing() {
    # Status-Abbrev "ii " = installed; anything else (or unknown) is missing.
    local installed
    installed=$(dpkg-query -W -f='${Package} ${db:Status-Abbrev}\n' "${PACKAGES[@]}" 2>/dev/null \
                | awk '$2 == "ii" { print $1 }' || true)
    local p
    for p in "${PACKAGES[@]}"; do
        grep -qx -- "$p" <<<"$installed" || echo "$p"
    done
}

mapfile -t MISSING < <(missing)
if [ ${#MISSING[@]} = 0 ]; then
    echo "packages ok"
    exit 0
fi

echo "install-packages: missing: ${MISSING[*]}"
if [ "$(id -u)" = 0 ]; then
    SUDO=()
elif command -v sudo >/dev/null 2>&1; then
    SUDO=(sudo)
else
    echo "install-packages: not root and no sudo; as root run:" >&2
    echo "  apt-get update && apt-get install -y --no-install-recommends ${MISSING[*]}" >&2
    exit 1
fi
"${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -q
"${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${MISSING[@]}"

mapfile -t STILL < <(missing)
if [ ${#STILL[@]} != 0 ]; then
    echo "install-packages: still missing after apt-get: ${STILL[*]}" >&2
    exit 1
fi
echo "packages ok (installed: ${MISSING[*]})"
