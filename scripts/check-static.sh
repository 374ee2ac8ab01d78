#!/usr/bin/env bash
# scripts/check-static.sh [--stripped] BINARY [ARCH] — fail unless BINARY is a
# fully static ELF for ARCH (default: $ARCH or x86_64): `file` says statically /
# static-pie linked, no INTERP segment, no NEEDED entry, and the ELF machine
# matches; with --stripped also no symbol table and no debug info.
# (ldd is no help: it exits 1 on static binaries.) Prints a one-line summary.
set -euo pipefail

want_stripped=0
if [ "${1:-}" = --stripped ]; then want_stripped=1; shift; fi
bin=${1:?usage: check-static.sh [--stripped] BINARY [ARCH]}
arch=${2:-${ARCH:-x86_64}}
fail() { echo "check-static: FAIL: $bin: $*" >&2; exit 1; }

[ -f "$bin" ] || fail "no such file"
case "$arch" in
    x86_64|amd64)  want_machine="Advanced Micro Devices X86-64" ;;
    arm64|aarch64) want_machine="AArch64" ;;
    *) fail "unknown ARCH '$arch'" ;;
esac

desc=$(file -b "$bin")
case "$desc" in
    ELF*) ;;
    *) fail "not an ELF file: $desc" ;;
esac
case "$desc" in
    *"dynamically linked"*) fail "file says dynamically linked: $desc" ;;
    *"static-pie linked"*) kind=static-pie ;;
    *"statically linked"*) kind="static (not PIE)" ;;
    *) fail "file does not say statically linked: $desc" ;;
esac

# (whole outputs in variables: "readelf | grep -q" under pipefail can fail by SIGPIPE)
phdrs=$(readelf -lW "$bin") || fail "readelf -l failed"
case "$phdrs" in
    *INTERP*) fail "has an INTERP segment: $(grep -o 'interpreter: [^]]*' <<<"$phdrs")" ;;
esac
dyn=$(readelf -dW "$bin" 2>/dev/null) || true
case "$dyn" in
    *"(NEEDED)"*) fail "needs shared libraries: $(grep '(NEEDED)' <<<"$dyn" | grep -o '\[.*\]' | tr '\n' ' ')" ;;
esac
machine=$(readelf -hW "$bin" | sed -n 's/^ *Machine: *//p')
[ "$machine" = "$want_machine" ] || fail "ELF machine is '$machine', expected '$want_machine' for $arch"

size=$(stat -c %s "$bin")
case "$desc" in *"not stripped"*) strip_state="not stripped" ;; *) strip_state=stripped ;; esac
if [ $want_stripped = 1 ]; then
    sections=$(readelf -SW "$bin") || fail "readelf -S failed"
    case "$sections" in
        *" .symtab "*|*" .debug_"*) fail "not stripped (has .symtab or .debug_* sections)" ;;
    esac
fi
printf 'check-static: ok: %s: %s %s, %s bytes (%s KiB), %s\n' \
    "$bin" "$arch" "$kind" "$size" "$((size / 1024))" "$strip_state"
