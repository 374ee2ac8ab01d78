#!/usr/bin/env bash
# scripts/deps.sh — static dependencies (OpenSSL, libcurl, cJSON, expat) of the
# shipped bootstrap, built with musl from Debian's own source packages and
# cached OUTSIDE the clone, shared by every clone / CI run on the machine.
#
#   scripts/deps.sh --build ARCH    build (idempotent; no-op when cached)
#   scripts/deps.sh --prefix ARCH   print the install prefix (never builds)
#   scripts/deps.sh --cc ARCH       print the compiler command for the static link
#   scripts/deps.sh --strip ARCH    print the strip command for ARCH's binaries
#   scripts/deps.sh --clean         remove the whole dependency cache
#
# ARCH: x86_64 (needs an x86_64 host and Debian's musl-tools) | arm64 (cross
# from x86_64 with gcc-aarch64-linux-gnu, or native on arm64; Debian's
# musl:arm64 + musl-dev:arm64 are fetched with apt-get download, enabling the
# arm64 dpkg architecture if needed, and unpacked into <prefix>/sysroot).
#
# Versions and flags live in scripts/deps.env. Cache layout:
#   ${XDG_CACHE_HOME:-$HOME/.cache}/trailwatch/
#     sources/<pkg>/<version>/       downloaded Debian source packages
#     sources/musl-<debarch>/<ver>/  Debian musl .debs for a sysroot (arm64)
#     deps-<key>/<arch>/             install prefix (include/, lib/, bin/musl-gcc,
#                                    sysroot/ for arm64)
#     deps-<key>/<arch>/.complete    written last; no stamp = not usable
#     deps-<key>/logs/<arch>/*.log   one log per step
# <key> hashes deps.env + deps.sh, so changing a flag rebuilds.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ENV_FILE=$HERE/deps.env
SELF=$HERE/deps.sh
# shellcheck source=deps.env
. "$ENV_FILE"

CACHE_ROOT=${XDG_CACHE_HOME:-$HOME/.cache}/trailwatch
TWIN_SOURCES=/etc/apt/sources.list.d/trailwatch-deb-src.sources

die() { echo "deps: error: $*" >&2; exit 1; }
msg() { echo "deps: $*"; }

cache_key() { cat "$ENV_FILE" "$SELF" | sha256sum | cut -c1-12; }

check_arch() {
    case "${1:-}" in
        x86_64|arm64) ;;
        "") die "missing ARCH (x86_64 or arm64)" ;;
        *) die "unknown ARCH '$1' (x86_64 or arm64)" ;;
    esac
}

KEYDIR=$CACHE_ROOT/deps-$(cache_key)
prefix_of() { echo "$KEYDIR/$1"; }

# --- small helpers -----------------------------------------------------------
as_root() {
    if [ "$(id -u)" = 0 ]; then "$@"
    elif command -v sudo >/dev/null 2>&1; then sudo "$@"
    else die "need root for: $* (run as root or install sudo)"; fi
}

# Run one build step with its output in a log file; one line on the terminal,
# the log tail on failure.
LOGDIR=
step() {
    local name=$1; shift
    local log=$LOGDIR/$name.log t0=$SECONDS rc
    printf 'deps: %-30s ' "$name"
    set +e
    ( set -e; "$@" ) >"$log" 2>&1
    rc=$?
    set -e
    if [ $rc = 0 ]; then
        echo "ok ($((SECONDS - t0))s)"
    else
        echo "FAILED after $((SECONDS - t0))s (exit $rc); log: $log"
        tail -n 40 "$log" | sed 's/^/  | /' >&2
        exit 1
    fi
}

# Newest first, by Debian version order.
sort_versions_desc() {
    local v out=() i j
    while read -r v; do
        [ -n "$v" ] || continue
        out+=("$v")
        i=$((${#out[@]} - 1))
        while [ "$i" -gt 0 ]; do
            j=$((i - 1))
            if dpkg --compare-versions "${out[$i]}" gt "${out[$j]}"; then
                v=${out[$i]}; out[$i]=${out[$j]}; out[$j]=$v; i=$j
            else break; fi
        done
    done
    [ ${#out[@]} = 0 ] || printf '%s\n' "${out[@]}"
}

upstream_of() { local v=${1#*:}; echo "${v%-*}"; }   # strip epoch and revision
noepoch() { echo "${1#*:}"; }

# --- deb-src entries ---------------------------------------------------------
# Print a deb822 file with a deb-src twin of every Debian (debian /
# debian-security) deb entry of this machine that has no deb-src yet.
# Hosts come from the machine's own files, never from this repo.
debian_src_twins() {
    local files=() f
    for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list \
             /etc/apt/sources.list.d/*.sources; do
        [ -f "$f" ] && [ "$f" != "$TWIN_SOURCES" ] && files+=("$f")
    done
    [ ${#files[@]} -gt 0 ] || return 0
    awk '
    function isdeb(u) {
        sub(/\/+$/, "", u)
        return u ~ /^[a-z+]+:\/\/[^ ]*\/debian(-security)?$/ ||
               u ~ /^[a-z+]+:\/\/[^ ]*\/archive\/debian(-security)?\/[0-9]+T[0-9]+Z$/
    }
    function norm(u) { sub(/\/+$/, "", u); return u }
    # remember a (type, uri, suite) triple; in pass 2 emit missing deb-src
    function stanza_end(   nt, t, nu, u, ns, s, i, j, k, uris, suites, sep, tlist, has_deb) {
        if (typ == "") { reset(); return }
        if (tolower(enabled) == "no") { reset(); return }
        nt = split(typ, t, /[ \t]+/); nu = split(uri, u, /[ \t]+/); ns = split(suite, s, /[ \t]+/)
        has_deb = 0
        for (i = 1; i <= nt; i++) {
            if (t[i] == "deb-src" && pass == 1)
                for (j = 1; j <= nu; j++) for (k = 1; k <= ns; k++) have[norm(u[j]) " " s[k]] = 1
            if (t[i] == "deb") has_deb = 1
        }
        if (pass == 2 && has_deb) {
            uris = ""; suites = ""
            for (j = 1; j <= nu; j++) {
                if (!isdeb(u[j])) continue
                for (k = 1; k <= ns; k++) if (!((norm(u[j]) " " s[k]) in have)) {
                    if (index(" " suites " ", " " s[k] " ") == 0) suites = suites (suites == "" ? "" : " ") s[k]
                    if (index(" " uris " ", " " u[j] " ") == 0) uris = uris (uris == "" ? "" : " ") u[j]
                    have[norm(u[j]) " " s[k]] = 1
                }
            }
            if (uris != "") {
                printf "%sTypes: deb-src\nURIs: %s\nSuites: %s\nComponents: %s\n", (emitted ? "\n" : ""), uris, suites, comp
                if (signed != "") printf "Signed-By:%s\n", signed
                emitted = 1
            }
        }
        reset()
    }
    function reset() { typ = uri = suite = comp = signed = enabled = ""; field = "" }
    FNR == 1 { if (prevfile != "" && prevfmt == "822") stanza_end(); reset()
               fmt = (FILENAME ~ /\.sources$/) ? "822" : "one"
               if (FILENAME == first && seen_first) pass = 2
               if (first == "") first = FILENAME; seen_first = 1
               prevfile = FILENAME; prevfmt = fmt }
    fmt == "822" && /^[ \t]*#/ { next }
    fmt == "822" && /^[ \t]*$/ { stanza_end(); next }
    fmt == "822" && /^[ \t]/ { if (field == "signed-by") signed = signed "\n" $0; next }
    fmt == "822" {
        n = index($0, ":"); if (n == 0) next
        field = tolower(substr($0, 1, n - 1)); val = substr($0, n + 1)
        v = val; gsub(/^[ \t]+|[ \t]+$/, "", v)
        if (field == "types") typ = v; else if (field == "uris") uri = v
        else if (field == "suites") suite = v; else if (field == "components") comp = v
        else if (field == "enabled") enabled = v; else if (field == "signed-by") signed = val
        next
    }
    fmt == "one" {
        line = $0; sub(/#.*/, "", line)
        n = split(line, w, /[ \t]+/); i = 1; while (i <= n && w[i] == "") i++
        if (i > n || (w[i] != "deb" && w[i] != "deb-src")) next
        reset(); typ = w[i]; i++
        if (w[i] ~ /^\[/) {                       # [ opt=val ... ]
            while (i <= n) {
                o = w[i]; gsub(/[\[\]]/, "", o)
                if (tolower(o) ~ /^signed-by=/) signed = " " substr(o, 11)
                if (w[i] ~ /\]$/) { i++; break }
                i++
            }
        }
        uri = w[i]; suite = w[i + 1]; comp = ""
        for (j = i + 2; j <= n; j++) if (w[j] != "") comp = comp (comp == "" ? "" : " ") w[j]
        stanza_end()
    }
    END { if (prevfmt == "822") stanza_end() }
    ' pass=1 "${files[@]}" "${files[@]}"
}

# apt-get update and the shared sources/ dir are used by every clone's build:
# serialise them (held until the step's subshell exits).
lock_sources() {
    mkdir -p "$CACHE_ROOT/sources"
    exec 8>"$CACHE_ROOT/sources/.lock"
    flock 8
}

ensure_deb_src() {
    local want have="" need_update=0
    lock_sources
    want=$(debian_src_twins)
    [ -f "$TWIN_SOURCES" ] && have=$(cat "$TWIN_SOURCES")
    if [ -n "$want" ]; then
        want="# Written by trailwatch scripts/deps.sh: deb-src twins of this machine's
# Debian entries (apt-get source for the static dependencies).
$want"
        if [ "$want" != "$have" ]; then
            printf '%s\n' "$want" | as_root tee "$TWIN_SOURCES" >/dev/null
            echo "wrote $TWIN_SOURCES:"; cat "$TWIN_SOURCES"
            need_update=1
        fi
    elif [ -n "$have" ]; then
        # every Debian entry already has a deb-src elsewhere: ours would duplicate it
        as_root rm -f "$TWIN_SOURCES"; echo "removed redundant $TWIN_SOURCES"; need_update=1
    else
        grep -rqsE '^[[:space:]]*(deb-src[[:space:]]|Types:.*deb-src)' /etc/apt/sources.list /etc/apt/sources.list.d/ \
            || { echo "no Debian apt entries found to mirror as deb-src"; return 1; }
    fi
    local p
    for p in $DEPS_PACKAGES; do
        has_source "$(pkgvar "$p" SRCPKG)" || need_update=1
    done
    if [ $need_update = 1 ]; then
        as_root apt-get update
    fi
    for p in $DEPS_PACKAGES; do
        has_source "$(pkgvar "$p" SRCPKG)" \
            || { echo "apt knows no source package $(pkgvar "$p" SRCPKG)"; return 1; }
    done
}

# (no "apt-cache | grep -q": grep exits early, apt-cache dies of SIGPIPE, pipefail)
has_source() { local out; out=$(apt-cache showsrc "$1" 2>/dev/null) || true; [[ $out == *"Package: $1"* ]]; }

# pkgvar curl SRCPKG -> $CURL_SRCPKG
pkgvar() { local n; n=$(echo "$1" | tr 'a-z' 'A-Z')_$2; echo "${!n:-}"; }

# --- sources -----------------------------------------------------------------
# Files a .dsc lists (Files: section), one name a line.
dsc_files() {
    awk '/^Files:/{f=1; next} f && /^[ \t]/{print $3; next} f{exit}' "$1"
}

# fetch_source PKG OUT: fills $CACHE_ROOT/sources/<srcpkg>/<version>/ and
# writes "dsc <path>" or, as a fallback, "orig <path>" to the file OUT.
fetch_source() {
    local pkg=$1 out=$2 src glob versions v dir tmp dsc f ok fallback=""
    src=$(pkgvar "$pkg" SRCPKG); glob=$(pkgvar "$pkg" UPSTREAM)
    lock_sources
    versions=$(apt-cache showsrc "$src" |
        awk -v p="$src" '/^Package: /{cur=$2} /^Version: /{if (cur == p) print $2}' |
        sort -u | sort_versions_desc)
    local candidates=()
    for v in $versions; do
        # shellcheck disable=SC2053
        [[ $(upstream_of "$v") == $glob ]] && candidates+=("$v")
    done
    echo "candidates for $src ($glob): ${candidates[*]:-none} (of: $(echo $versions))" >&2
    [ ${#candidates[@]} -gt 0 ] || { echo "no $src version matches $glob" >&2; return 1; }
    for v in "${candidates[@]}"; do
        dir=$CACHE_ROOT/sources/$src/$(noepoch "$v")
        dsc=$dir/${src}_$(noepoch "$v").dsc
        if [ -f "$dir/.ok" ]; then echo "cached: $dir"; echo "dsc $dsc" >"$out"; return 0; fi
        mkdir -p "$CACHE_ROOT/sources/$src"
        tmp=$(mktemp -d "$CACHE_ROOT/sources/$src/.dl.XXXXXX")
        chmod 755 "$tmp"
        echo "--- apt-get source --download-only $src=$v" >&2
        (cd "$tmp" && apt-get source -q --download-only "$src=$v") >&2 || true
        ok=0
        if [ -f "$tmp/$(basename "$dsc")" ]; then
            ok=1
            for f in $(dsc_files "$tmp/$(basename "$dsc")"); do
                [ -s "$tmp/$f" ] || { echo "missing $f" >&2; ok=0; }
            done
        else
            echo "missing $(basename "$dsc")" >&2
        fi
        if [ $ok = 1 ]; then
            rm -rf "$dir"; mv "$tmp" "$dir"; touch "$dir/.ok"
            echo "dsc $dsc" >"$out"; return 0
        fi
        echo "$src $v incomplete on the mirror, trying an older revision" >&2
        if [ -z "$fallback" ]; then
            for f in "$tmp"/*.orig.tar.*; do
                case "$f" in *.asc|*'*'*) continue ;; esac
                [ -s "$f" ] || continue
                mkdir -p "$dir.orig"; mv "$f" "$dir.orig/"; fallback=$dir.orig/$(basename "$f"); break
            done
        fi
        rm -rf "$tmp"
    done
    if [ -n "$fallback" ]; then
        echo "WARNING: no complete Debian source for $src; falling back to the upstream tarball $fallback (NO Debian patches)" >&2
        echo "orig $fallback" >"$out"; return 0
    fi
    echo "no usable source for $src" >&2; return 1
}

# --- musl for a sysroot (arm64) ---------------------------------------------
# Versions of musl-dev:<debarch> apt knows, newest first.
musl_versions() {
    local out
    out=$(apt-cache show "musl-dev:$DEBARCH" 2>/dev/null) || true
    awk '/^Version: /{print $2}' <<<"$out" | sort -u | sort_versions_desc
}

# fetch_musl_debs OUT: Debian's musl and musl-dev binary packages for
# $DEBARCH (newest version matching MUSL_UPSTREAM), downloaded once into
# $CACHE_ROOT/sources/musl-<debarch>/<version>/; writes that dir to OUT.
# A foreign architecture is added to dpkg (multiarch) so that apt sees its
# package lists; nothing is installed.
fetch_musl_debs() {
    local out=$1 versions v dir tmp candidates=() foreign
    lock_sources
    if [ "$DEBARCH" != "$(dpkg --print-architecture)" ]; then
        foreign=$(dpkg --print-foreign-architectures)
        if ! grep -qx "$DEBARCH" <<<"$foreign"; then
            echo "dpkg --add-architecture $DEBARCH (so that apt can download $DEBARCH packages)"
            as_root dpkg --add-architecture "$DEBARCH"
        fi
    fi
    versions=$(musl_versions)
    if [ -z "$versions" ]; then
        as_root apt-get update
        versions=$(musl_versions)
    fi
    for v in $versions; do
        # shellcheck disable=SC2053
        [[ $(upstream_of "$v") == $MUSL_UPSTREAM ]] && candidates+=("$v")
    done
    echo "candidates for musl-dev:$DEBARCH ($MUSL_UPSTREAM): ${candidates[*]:-none} (of: $(echo $versions))"
    [ ${#candidates[@]} -gt 0 ] || { echo "no musl-dev:$DEBARCH version matches $MUSL_UPSTREAM"; return 1; }
    for v in "${candidates[@]}"; do
        dir=$CACHE_ROOT/sources/musl-$DEBARCH/$(noepoch "$v")
        if [ -f "$dir/.ok" ]; then echo "cached: $dir"; echo "$dir" >"$out"; return 0; fi
        mkdir -p "$CACHE_ROOT/sources/musl-$DEBARCH"
        tmp=$(mktemp -d "$CACHE_ROOT/sources/musl-$DEBARCH/.dl.XXXXXX")
        chmod 755 "$tmp"
        echo "--- apt-get download musl:$DEBARCH=$v musl-dev:$DEBARCH=$v"
        (cd "$tmp" && apt-get download -q "musl:$DEBARCH=$v" "musl-dev:$DEBARCH=$v") || true
        if compgen -G "$tmp/musl_*_$DEBARCH.deb" >/dev/null && compgen -G "$tmp/musl-dev_*_$DEBARCH.deb" >/dev/null; then
            rm -rf "$dir"; mv "$tmp" "$dir"; touch "$dir/.ok"
            echo "$dir" >"$out"; return 0
        fi
        echo "musl $v for $DEBARCH not downloadable, trying an older one"
        rm -rf "$tmp"
    done
    return 1
}

# unpack_musl DEBDIR: the .debs into $MUSL_ROOT (headers, crt*.o, libc.a, specs).
unpack_musl() {
    local deb
    rm -rf "$MUSL_ROOT"; mkdir -p "$MUSL_ROOT"
    for deb in "$1"/*.deb; do
        echo "dpkg-deb -x $(basename "$deb")"
        dpkg-deb -x "$deb" "$MUSL_ROOT"
    done
    [ -f "$MUSL_ROOT/usr/lib/$TRIPLET/libc.a" ] || { echo "no usr/lib/$TRIPLET/libc.a in the .debs"; return 1; }
}

# unpack PKG KIND PATH DEST: Debian source without the skipped patches.
unpack_source() {
    local pkg=$1 kind=$2 path=$3 dest=$4 skip name opt touched
    rm -rf "$dest"
    if [ "$kind" = orig ]; then
        mkdir -p "$dest"; tar -xf "$path" -C "$dest" --strip-components=1
        return 0
    fi
    dpkg-source --skip-patches -x "$path" "$dest"
    skip=" $(pkgvar "$pkg" SKIP_PATCHES) "
    [ -f "$dest/debian/patches/series" ] || return 0
    while read -r name opt; do
        case "$name" in ''|'#'*) continue ;; esac
        if [[ $skip == *" $name "* ]]; then echo "skip patch $name"; continue; fi
        echo "apply patch $name"
        patch -d "$dest" ${opt:--p1} -N --no-backup-if-mismatch -s -i "debian/patches/$name"
        # note patches that change autotools inputs: configure must be regenerated
        touched=$(grep -E '^\+\+\+ ' "$dest/debian/patches/$name" || true)
        if grep -qE '(/|^)(configure\.ac|Makefile\.am|Makefile\.inc|[^/ ]*\.m4)([[:space:]]|$)' <<<"$touched"; then
            echo "$name" >>"$dest/.tw-buildsys-patches"
        fi
    done <"$dest/debian/patches/series"
    local s; for s in $skip; do
        grep -qE "^$s([[:space:]]|$)" "$dest/debian/patches/series" \
            || echo "note: skipped patch $s is not in the series (gone upstream?)"
    done
}

# --- builds ------------------------------------------------------------------
JOBS=$(nproc 2>/dev/null || echo 2)

build_openssl() {
    cd "$1"
    CC=$DEPS_CC AR=$DEPS_AR RANLIB=$DEPS_RANLIB ./Configure "$OPENSSL_TARGET" $OPENSSL_CONFIG_FLAGS $DEPS_CFLAGS \
        --prefix="$PREFIX" --libdir=lib
    make -j"$JOBS" build_libs $OPENSSL_MAKE_VARS
    make install_dev $OPENSSL_MAKE_VARS
}

build_curl() {
    cd "$1"
    # Debian regenerates configure (dh_autoreconf); do the same when a patch we
    # applied touched configure.ac / Makefile.am / *.m4, or when there is none.
    if [ ! -x configure ] || [ -s .tw-buildsys-patches ]; then
        echo "autoreconf -fi (configure: $([ -x configure ] && echo present || echo missing);" \
             "build-system patches: $(tr '\n' ' ' <.tw-buildsys-patches 2>/dev/null))"
        autoreconf -fi
    fi
    # Only our prefix is visible to pkg-config: nothing from the build host.
    env -u PKG_CONFIG_PATH PKG_CONFIG_LIBDIR="$PREFIX/lib/pkgconfig" \
        CC="$DEPS_CC" AR="$DEPS_AR" RANLIB="$DEPS_RANLIB" NM="$DEPS_NM" STRIP="$DEPS_STRIP" \
        CFLAGS="$DEPS_CFLAGS" CPPFLAGS="-I$PREFIX/include" LDFLAGS="-L$PREFIX/lib" \
        ./configure --host="$HOST_TRIPLET" --prefix="$PREFIX" $CURL_CONFIG_FLAGS --with-openssl="$PREFIX"
    # A CA path baked in at build time would point at the BUILD machine's store.
    if grep -E '^#define (CURL_CA_BUNDLE|CURL_CA_PATH|CURL_CA_FALLBACK)' lib/curl_config.h; then
        echo "configure baked in a CA location (see above)"; return 1
    fi
    grep -q '^#define USE_OPENSSL 1' lib/curl_config.h || { echo "curl configured without OpenSSL"; return 1; }
    make -j"$JOBS" -C lib
    make -C lib install
    make -C include install
    make install-binSCRIPTS install-pkgconfigDATA
    local ca; ca=$("$PREFIX/bin/curl-config" --ca)
    [ -z "$ca" ] || { echo "curl-config --ca says '$ca': a CA path leaked into the build"; return 1; }
}

build_cjson() {
    cd "$1"
    local f objs=()
    for f in $CJSON_SOURCES; do
        $DEPS_CC $DEPS_CFLAGS -c "$f" -o "${f%.c}.o"
        objs+=("${f%.c}.o")
    done
    rm -f libcjson.a; $DEPS_AR rcs libcjson.a "${objs[@]}"
    install -d "$PREFIX/include/cjson" "$PREFIX/lib"
    install -m 644 cJSON.h "$PREFIX/include/cjson/cJSON.h"
    install -m 644 libcjson.a "$PREFIX/lib/libcjson.a"
}

build_expat() {
    local dir=$1
    [ -f "$dir/CMakeLists.txt" ] || dir=$dir/expat       # upstream git layout
    cd "$dir"
    # Debian's CVE backports test "#if XML_DTD" / "#if XML_NS", which needs a
    # value; 2.5.0's template defines them empty.
    local uses
    uses=$(grep -hsE '^[[:space:]]*#[[:space:]]*(el)?if[[:space:]].*\bXML_(DTD|NS)\b' lib/*.c lib/*.h |
           grep -v 'defined' || true)
    if [ -n "$uses" ] \
       && grep -qE '^#cmakedefine XML_(DTD|NS)$' expat_config.h.cmake; then
        echo "patching expat_config.h.cmake: XML_DTD / XML_NS defined to 1"
        sed -i -E 's/^#cmakedefine XML_(DTD|NS)$/#cmakedefine XML_\1 1/' expat_config.h.cmake
    fi
    local cross=()
    if [ "$ARCH" != "$(host_arch)" ]; then
        cross=(-DCMAKE_SYSTEM_NAME=Linux -DCMAKE_SYSTEM_PROCESSOR="${TRIPLET%%-*}")
    fi
    cmake -S . -B build-musl -DCMAKE_C_COMPILER="$DEPS_CC" -DCMAKE_C_FLAGS="$DEPS_CFLAGS" \
        -DCMAKE_AR="$(command -v "$DEPS_AR")" -DCMAKE_RANLIB="$(command -v "$DEPS_RANLIB")" \
        "${cross[@]}" \
        -DCMAKE_INSTALL_PREFIX="$PREFIX" -DCMAKE_INSTALL_LIBDIR=lib $EXPAT_CMAKE_FLAGS
    cmake --build build-musl -j "$JOBS"
    cmake --install build-musl
}

# The static link compiler: Debian's musl-gcc specs cannot do -static-pie
# (musl-gcc -static-pie silently yields a DYNAMIC binary with interpreter
# /lib/ld-musl-*.so.1). Make a specs copy that uses rcrt1.o and passes
# -static -pie --no-dynamic-linker for -static-pie, and a musl-gcc wrapper on it.
# With a sysroot ($MUSL_ROOT non-empty: musl unpacked from .debs), the specs'
# /usr/include/<triplet> and /usr/lib/<triplet> point into it. The wrapper
# compiles the dependencies too.
make_cc_wrapper() {
    local sys=$MUSL_ROOT/usr/lib/$TRIPLET/musl-gcc.specs specs=$PREFIX/lib/musl-gcc.specs
    [ -f "$sys" ] || { echo "missing $sys (musl-tools / musl-dev)"; return 1; }
    case "$MUSL_ROOT" in *[[:space:]#]*) echo "sysroot path '$MUSL_ROOT' has a space or '#'"; return 1 ;; esac
    install -d "$PREFIX/bin" "$PREFIX/lib"
    sed -E \
      -e "s#/usr/(include|lib)/$TRIPLET#$MUSL_ROOT/usr/\\1/$TRIPLET#g" \
      -e 's#^%\{!shared: ([^ ]*/)Scrt1\.o\}#%{!shared:%{static-pie:\1rcrt1.o;:\1Scrt1.o}}#' \
      -e 's#^-dynamic-linker ([^ ]+) -nostdlib %\{shared:-shared\} %\{static:-static\}#-nostdlib %{shared:-shared} %{static:-static} %{static-pie:-static -pie --no-dynamic-linker -z text} %{!static:%{!static-pie:-dynamic-linker \1}}#' \
      "$sys" >"$specs"
    grep -q 'rcrt1.o' "$specs" && grep -q 'no-dynamic-linker' "$specs" \
        || { echo "could not adapt $sys for -static-pie:"; cat "$sys"; return 1; }
    if [ -n "$MUSL_ROOT" ] && grep -qE "(^|[ L])/usr/(include|lib)/$TRIPLET" "$specs"; then
        echo "specs still name the host's musl paths:"; cat "$specs"; return 1
    fi
    [ -f "$MUSL_ROOT/usr/lib/$TRIPLET/rcrt1.o" ] || { echo "no rcrt1.o for $TRIPLET"; return 1; }
    cat >"$PREFIX/bin/musl-gcc" <<EOF
#!/bin/sh
# trailwatch: Debian's musl-gcc for $ARCH, with specs that also handle -static-pie.
exec "\${REALGCC:-$REALGCC}" "\$@" -specs "$specs"
EOF
    chmod 755 "$PREFIX/bin/musl-gcc"
    echo "wrapper: $PREFIX/bin/musl-gcc"; diff "$sys" "$specs" || true
}

# Link a program using all four libraries exactly like the Makefile does,
# check it is static-pie without an interpreter, and run it.
selftest() {
    local d; d=$(mktemp -d "$WORK/selftest.XXXXXX"); cd "$d"
    cat >t.c <<'EOF'
#include <stdio.h>
#include <curl/curl.h>
#include <openssl/ssl.h>
#include <cjson/cJSON.h>
#include <expat.h>
int main(void) {
    curl_version_info_data *v = curl_version_info(CURLVERSION_NOW);
    SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());
    cJSON *j = cJSON_Parse("{\"a\":1}");
    XML_Parser x = XML_ParserCreate(NULL);
    CURL *h = curl_easy_init();
    char *ca = NULL, *capath = NULL;     /* built-in defaults: must be none */
    curl_easy_getinfo(h, CURLINFO_CAINFO, &ca);
    curl_easy_getinfo(h, CURLINFO_CAPATH, &capath);
    if (ca || capath) printf("built-in CA: %s %s\n", ca ? ca : "-", capath ? capath : "-");
    int ok = v && v->ssl_version && (v->features & CURL_VERSION_SSL) && ctx && j && x && h
             && !ca && !capath;
    printf("curl %s, %s, cJSON %s, %s: %s\n", v->version, v->ssl_version,
           cJSON_Version(), XML_ExpatVersion(), ok ? "ok" : "BROKEN");
    return ok ? 0 : 1;
}
EOF
    "$PREFIX/bin/musl-gcc" -O2 -fPIE -I"$PREFIX/include" t.c -static-pie -Wl,--gc-sections \
        -L"$PREFIX/lib" -lcurl -lssl -lcrypto -lcjson -lexpat -lpthread -o t
    file t
    [[ $(file -b t) == *"static-pie linked"* ]] || { echo "not static-pie"; return 1; }
    [[ $(readelf -lW t) != *INTERP* ]] || { echo "has an INTERP segment"; return 1; }
    if [ "$ARCH" = "$(host_arch)" ]; then ./t
    elif command -v "$QEMU" >/dev/null; then "$QEMU" ./t
    else echo "not run: $ARCH binary on a $(host_arch) host and no $QEMU"; fi
}

# Per-architecture settings from deps.env (<arch>_TRIPLET etc.).
arch_vars() {
    local a=$1 v
    for v in TRIPLET REALGCC OPENSSL_TARGET DEBARCH; do
        local n=${a}_$v
        [ -n "${!n:-}" ] || die "deps.env: $n is not set"
        printf -v "$v" '%s' "${!n}"
    done
    local tp=${REALGCC%-gcc}-
    DEPS_AR=${tp}ar DEPS_RANLIB=${tp}ranlib DEPS_NM=${tp}nm DEPS_STRIP=${tp}strip
    QEMU=qemu-${TRIPLET%%-*}-static
}

host_arch() { case "$(uname -m)" in x86_64) echo x86_64 ;; aarch64|arm64) echo arm64 ;; *) uname -m ;; esac; }

write_manifest() {
    install -d "$PREFIX/share/trailwatch"
    {
        echo "# trailwatch static deps for $ARCH, key $(cache_key), built $(date -u +%FT%TZ)"
        printf '%s\n' "${MANIFEST[@]}"
    } >"$PREFIX/share/trailwatch/deps.txt"
    cat "$PREFIX/share/trailwatch/deps.txt"
}

do_build() {
    ARCH=$1
    PREFIX=$(prefix_of "$ARCH")
    if [ -f "$PREFIX/.complete" ]; then
        msg "$ARCH up to date ($PREFIX)"; return 0
    fi
    arch_vars "$ARCH"
    local musl_src=${ARCH}_MUSL
    case "${!musl_src}" in
        system)
            [ "$(host_arch)" = "$ARCH" ] || die "building $ARCH deps needs an $ARCH host"
            MUSL_ROOT= ;;
        sysroot) MUSL_ROOT=$PREFIX/sysroot ;;
        *) die "deps.env: ${musl_src} must be 'system' or 'sysroot'" ;;
    esac
    HOST_TRIPLET=$TRIPLET
    DEPS_CC=$PREFIX/bin/musl-gcc          # written by make_cc_wrapper, first step
    local t hint="run scripts/install-packages.sh"
    [ "$ARCH" = "$(host_arch)" ] || hint="run scripts/install-packages.sh --$ARCH"
    for t in "$REALGCC" "$DEPS_AR" "$DEPS_RANLIB" "$DEPS_NM" "$DEPS_STRIP" apt-get apt-cache dpkg-source \
             dpkg-deb patch make cmake perl flock file readelf; do
        command -v "$t" >/dev/null || die "missing tool '$t' ($hint)"
    done

    mkdir -p "$KEYDIR"
    exec 9>"$KEYDIR/$ARCH.lock"
    if ! flock -n 9; then
        msg "another build of $ARCH deps is running; waiting for it"
        flock 9
    fi
    if [ -f "$PREFIX/.complete" ]; then msg "$ARCH built by a concurrent run ($PREFIX)"; return 0; fi

    # Hermetic: nothing from the caller's environment reaches configure/make
    # (this machine exports e.g. CURL_CA_BUNDLE, which curl's configure picks up).
    unset CC CXX CPP AR RANLIB LD CFLAGS CXXFLAGS CPPFLAGS LDFLAGS LIBS \
          PKG_CONFIG_PATH PKG_CONFIG_LIBDIR PKG_CONFIG_SYSROOT_DIR CROSS_COMPILE \
          CURL_CA_BUNDLE SSL_CERT_FILE SSL_CERT_DIR OPENSSL_CONF \
          MAKEFLAGS MFLAGS MAKELEVEL CMAKE_GENERATOR CMAKE_BUILD_PARALLEL_LEVEL
    export LC_ALL=C

    local t_start=$SECONDS
    msg "building static $ARCH dependencies into $PREFIX"
    rm -rf "$PREFIX" "$KEYDIR/work.$ARCH".*          # leftovers of an interrupted build
    mkdir -p "$PREFIX"
    LOGDIR=$KEYDIR/logs/$ARCH; rm -rf "$LOGDIR"; mkdir -p "$LOGDIR"
    WORK=$(mktemp -d "$KEYDIR/work.$ARCH.XXXXXX")
    msg "logs in $LOGDIR"

    step apt-deb-src ensure_deb_src
    MANIFEST=()
    if [ -n "$MUSL_ROOT" ]; then
        step musl-fetch fetch_musl_debs "$WORK/musl.debs"
        step musl-unpack unpack_musl "$(cat "$WORK/musl.debs")"
        MANIFEST+=("musl $(cd "$(cat "$WORK/musl.debs")" && echo *.deb) (deb, sysroot)")
    else
        MANIFEST+=("musl $(dpkg-query -W -f='${Version}' "musl-dev:$DEBARCH" 2>/dev/null || echo '?') (installed musl-dev:$DEBARCH)")
    fi
    step cc-wrapper make_cc_wrapper
    MANIFEST+=("cc $REALGCC $("$REALGCC" -dumpfullversion 2>/dev/null || "$REALGCC" -dumpversion)")
    local pkg res kind path
    for pkg in $DEPS_PACKAGES; do
        step "$pkg-fetch" fetch_source "$pkg" "$WORK/$pkg.src"
        res=$(cat "$WORK/$pkg.src")
        kind=${res%% *}; path=${res#* }
        [ "$kind" = orig ] && msg "WARNING: $pkg built from the upstream tarball without Debian patches"
        MANIFEST+=("$pkg $(basename "$path") ($kind)")
        step "$pkg-unpack" unpack_source "$pkg" "$kind" "$path" "$WORK/$pkg"
        step "$pkg-build" "build_$pkg" "$WORK/$pkg"
    done
    step selftest selftest
    write_manifest >/dev/null
    rm -rf "$WORK"
    touch "$PREFIX/.complete"
    msg "done in $((SECONDS - t_start))s: $PREFIX"
    sed 's/^/deps:   /' "$PREFIX/share/trailwatch/deps.txt"
}

usage() { awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$SELF"; }

case "${1:-}" in
    --prefix) check_arch "${2:-}"; prefix_of "$2" ;;
    --cc)     check_arch "${2:-}"; echo "$(prefix_of "$2")/bin/musl-gcc" ;;
    --strip)  check_arch "${2:-}"; arch_vars "$2"; echo "$DEPS_STRIP" ;;
    --build)  check_arch "${2:-}"; do_build "$2" ;;
    --clean)
        rm -rf "$CACHE_ROOT"/deps-* "$CACHE_ROOT/sources"
        msg "removed $CACHE_ROOT/deps-* and $CACHE_ROOT/sources" ;;
    -h|--help) usage ;;
    *) usage >&2; exit 2 ;;
esac
