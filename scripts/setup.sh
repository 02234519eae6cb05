#!/usr/bin/env bash
# Onyx set-up: installs the Debian packages the project needs and unpacks
# third-party sources (lwIP) from Debian's source packages into build/src.
# Idempotent: does nothing when everything is already present.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
src_dir="$top/build/src"
stamp="$top/build/.setup-done"

packages=(
    build-essential musl-tools musl-dev libslirp-dev libseccomp-dev
    pkg-config curl apache2-utils wrk dpkg-dev iproute2 gdb
    binutils python3
)

log() { printf 'setup: %s\n' "$*" >&2; }

need_root() {
    if [ "$(id -u)" -ne 0 ]; then
        if command -v sudo >/dev/null 2>&1; then
            sudo "$@"
        else
            log "must run as root to install packages: $*"
            exit 1
        fi
    else
        "$@"
    fi
}

missing_packages() {
    local p
    for p in "${packages[@]}"; do
        dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null |
            grep -q 'install ok installed' || printf '%s\n' "$p"
    done
}

apt_updated=0
apt_update() {
    [ "$apt_updated" -eq 1 ] && return 0
    log "apt-get update"
    # Other configured sources may be unreachable; Debian's own are enough.
    need_root apt-get update -q >/dev/null 2>&1 || true
    apt_updated=1
}

# Adds deb-src lines mirroring the machine's existing Debian sources so
# apt-get source can fetch lwip. Handles both deb822 and one-line formats.
ensure_deb_src() {
    if grep -rqsE '^(deb-src|Types:.*deb-src)' \
        /etc/apt/sources.list /etc/apt/sources.list.d/ 2>/dev/null; then
        return 0
    fi
    log "adding deb-src entries for Debian's sources"
    local f
    for f in /etc/apt/sources.list.d/*.sources; do
        [ -f "$f" ] || continue
        grep -q 'debian' "$f" || continue
        need_root sed -i -E 's/^Types: deb$/Types: deb deb-src/' "$f"
    done
    if [ -f /etc/apt/sources.list ]; then
        grep -E '^deb .*debian' /etc/apt/sources.list |
            sed 's/^deb /deb-src /' > /tmp/onyx-deb-src.list || true
        if [ -s /tmp/onyx-deb-src.list ]; then
            need_root cp /tmp/onyx-deb-src.list \
                /etc/apt/sources.list.d/onyx-deb-src.list
        fi
    fi
    apt_updated=0
}

install_packages() {
    local missing
    missing=$(missing_packages)
    [ -z "$missing" ] && return 0
    apt_update
    log "installing: $(echo $missing)"
    # shellcheck disable=SC2086
    need_root env DEBIAN_FRONTEND=noninteractive \
        apt-get install -y -q --no-install-recommends $missing >/dev/null
}

fetch_lwip() {
    if [ -f "$src_dir/lwip/src/core/tcp.c" ]; then
        return 0
    fi
    ensure_deb_src
    apt_update
    mkdir -p "$src_dir"
    local tmp
    tmp=$(mktemp -d "$src_dir/lwip-XXXXXX")
    # apt-get source downloads as the unprivileged _apt user when it can.
    chmod 755 "$tmp"
    log "fetching lwip source package from Debian"
    (cd "$tmp" && apt-get source -q --download-only lwip >/dev/null)
    (cd "$tmp" && dpkg-source --no-check -x ./*.dsc lwip-src >/dev/null)
    local ver
    ver=$(sed -n 's/^Version: //p' "$tmp"/*.dsc | head -n1)
    case "$ver" in
        2.1.3*) ;;
        *) log "warning: expected lwip 2.1.3, Debian has $ver" ;;
    esac
    rm -rf "$src_dir/lwip"
    mv "$tmp/lwip-src" "$src_dir/lwip"
    echo "$ver" > "$src_dir/lwip/.debian-version"
    rm -rf "$tmp"
}

install_packages
fetch_lwip
mkdir -p "$(dirname "$stamp")"
touch "$stamp"
log "ready"
