#!/usr/bin/env bash
# Unpacks a Debian source package into build/src/NAME with apt-get source
# (a sibling of fetch_lwip in setup.sh), or downloads a Debian binary
# package and extracts it (--deb). Third-party code never enters the tree.
# Usage: fetch-src.sh SRCPKG [DIRNAME]     -> build/src/DIRNAME
#        fetch-src.sh --deb PKG [DIRNAME]  -> build/src/DIRNAME (dpkg-deb -x)
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
src_dir="$top/build/src"

log() { printf 'fetch-src: %s\n' "$*" >&2; }

mode=source
if [ "${1:-}" = "--deb" ]; then
    mode=deb
    shift
fi
pkg=${1:?usage: fetch-src.sh [--deb] PACKAGE [DIRNAME]}
name=${2:-$pkg}
dest="$src_dir/$name"

if [ -f "$dest/.debian-version" ]; then
    exit 0
fi

mkdir -p "$src_dir"
tmp=$(mktemp -d "$src_dir/$name-XXXXXX")
trap 'rm -rf "$tmp"' EXIT
# apt-get downloads as the unprivileged _apt user when it can.
chmod 755 "$tmp"

if [ "$mode" = source ]; then
    log "fetching Debian source package $pkg"
    # The archive's index can name a version the mirror no longer holds
    # (a superseded security update): fall back to the other versions.
    fetched=0
    for v in "" $(apt-cache showsrc "$pkg" | sed -n 's/^Version: //p' |
                  sort -rV); do
        if (cd "$tmp" && apt-get source -q --download-only \
                "$pkg${v:+=$v}" >/dev/null 2>"$tmp/err"); then
            fetched=1
            break
        fi
        rm -f "$tmp"/*.dsc "$tmp"/*.tar.* "$tmp"/*.diff.*
    done
    if [ "$fetched" -ne 1 ]; then
        cat "$tmp/err" >&2
        log "could not fetch source package $pkg"
        exit 1
    fi
    (cd "$tmp" && dpkg-source --no-check -x ./*.dsc out >/dev/null)
    ver=$(sed -n 's/^Version: //p' "$tmp"/*.dsc | head -n1)
else
    log "fetching Debian binary package $pkg"
    (cd "$tmp" && apt-get download -q "$pkg" >/dev/null)
    dpkg-deb -x "$tmp"/*.deb "$tmp/out"
    ver=$(dpkg-deb -f "$tmp"/*.deb Version)
fi

rm -rf "$dest"
mv "$tmp/out" "$dest"
echo "$ver" > "$dest/.debian-version"
log "$pkg $ver unpacked in build/src/$name"
