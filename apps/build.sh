#!/usr/bin/env bash
# Builds one real program from its Debian source package with
# `musl-gcc -static` (host side, build time only) and packs it as an Onyx
# image. Only configure options and config files a user would set are used;
# the sources stay unmodified in build/src/NAME.
# Usage: apps/build.sh NAME [binary|image]
#        NAME: lua sqlite3 busybox redis nginx; default: both steps.
# Output: binary: build/apps/bin/NAME (the static binary, also run natively
#         by the tests); image: build/apps/NAME.onyx.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
src="$top/build/src"
# Build folders live under build/src, which the main Makefile never scans
# for dependency files.
work="$top/build/src/_work"
bin="$top/build/apps/bin"
out="$top/build/apps"
onyx="$top/build/onyx"
jobs=$(nproc 2>/dev/null || echo 2)

log() { printf 'apps: %s\n' "$*" >&2; }

# run_logged NAME STEP CMD... : runs CMD with its output in a log file and
# shows the log's tail when it fails.
run_logged() {
    local name=$1 step=$2
    shift 2
    local logf="$work/$name-$step.log"
    if ! "$@" > "$logf" 2>&1; then
        log "$name: $step failed; last lines of $logf:"
        tail -n 20 "$logf" >&2
        return 1
    fi
}

# Lua's own documentation: compile every .c in src/ but luac.c and link.
# Debian's patched luaconf.h wants the multiarch header its rules generate.
build_lua() {
    "$top/scripts/fetch-src.sh" lua5.4
    local w="$work/lua"
    mkdir -p "$w"
    echo '#define DEB_HOST_MULTIARCH "x86_64-linux-musl"' \
        > "$w/lua5.4-deb-multiarch.h"
    local files
    files=$(cd "$src/lua5.4/src" && ls ./*.c | grep -v '/luac\.c$')
    (cd "$src/lua5.4/src" &&
        run_logged lua compile musl-gcc -static -O2 -std=gnu99 \
            -I"$w" -DLUA_COMPAT_5_3 -DLUA_USE_POSIX \
            -o "$bin/lua" $files -lm)
}

# The sqlite3 shell: autoconf build out of tree, no Tcl, no readline,
# no loadable extensions (there is no dynamic loader in a static binary).
# libtool drops a plain -static when linking; -all-static is its spelling.
build_sqlite3() {
    "$top/scripts/fetch-src.sh" sqlite3
    local w="$work/sqlite3"
    mkdir -p "$w"
    (cd "$w" &&
        run_logged sqlite3 configure env CC=musl-gcc \
            "$src/sqlite3/configure" --disable-tcl --disable-readline \
            --disable-editline --disable-shared --enable-static \
            --disable-load-extension &&
        run_logged sqlite3 make make -j"$jobs" sqlite3 LIBS=-all-static)
    cp "$w/sqlite3" "$bin/sqlite3"
}

# Debian's busybox-static is linked against glibc; it is packed as is.
build_busybox() {
    "$top/scripts/fetch-src.sh" --deb busybox-static busybox
    cp "$src/busybox/bin/busybox" "$bin/busybox"
}

# redis-server with its own Makefile: libc malloc (no jemalloc), no
# systemd, no TLS; its bundled deps (lua, hiredis, ...) build the same way.
# The config (apps/redis/rootfs/redis.conf) turns persistence off.
# redis-benchmark and redis-cli are kept as native test clients.
build_redis() {
    "$top/scripts/fetch-src.sh" redis
    (cd "$src/redis" &&
        run_logged redis make make -j"$jobs" MALLOC=libc USE_SYSTEMD=no \
            BUILD_TLS=no CC=musl-gcc LDFLAGS=-static)
    local p
    for p in redis-server redis-benchmark redis-cli; do
        cp "$src/redis/src/$p" "$bin/$p"
    done
}

# nginx with its own configure: paths for a single-process server whose
# logs go to the console, and without the modules that need what musl or
# a read-only image lacks: rewrite (PCRE), gzip (zlib), the proxies (temp
# folders) and auth_basic (Debian's musl has no crypt()). Its Linux config
# header includes <crypt.h>, which Debian's musl-dev lacks: a one-line
# header pointing at <unistd.h> (where musl declares crypt) stands in.
build_nginx() {
    "$top/scripts/fetch-src.sh" nginx
    local w="$work/nginx"
    mkdir -p "$w/include"
    printf '%s\n' '/* musl declares crypt() in unistd.h */' \
        '#include <unistd.h>' > "$w/include/crypt.h"
    (cd "$src/nginx" &&
        run_logged nginx configure ./configure --with-cc=musl-gcc \
            --with-cc-opt="-I$w/include" --with-ld-opt=-static \
            --prefix=/ --conf-path=/nginx.conf --error-log-path=stderr \
            --http-log-path=/dev/stdout --pid-path=/tmp/nginx.pid \
            --lock-path=/tmp/nginx.lock \
            --http-client-body-temp-path=/tmp/client_body \
            --without-http_rewrite_module --without-http_gzip_module \
            --without-http_proxy_module --without-http_fastcgi_module \
            --without-http_uwsgi_module --without-http_scgi_module \
            --without-http_auth_basic_module &&
        run_logged nginx make make -j"$jobs")
    cp "$src/nginx/objs/nginx" "$bin/nginx"
}

# Packing: the image holds the library OS of the current build/onyx, so
# it is redone whenever the tool changes; the binary is not.
pack_lua() {
    "$onyx" build -o "$out/lua.onyx" --name lua "$bin/lua"
}

pack_sqlite3() {
    "$onyx" build -o "$out/sqlite3.onyx" --name sqlite3 "$bin/sqlite3"
}

pack_busybox() {
    "$onyx" build -o "$out/busybox.onyx" --name busybox "$bin/busybox"
}

pack_redis() {
    "$onyx" build -o "$out/redis.onyx" --name redis-server \
        --rootfs "$top/apps/redis/rootfs" "$bin/redis-server" -- /redis.conf
}

pack_nginx() {
    "$onyx" build -o "$out/nginx.onyx" --name nginx \
        --rootfs "$top/apps/nginx/rootfs" "$bin/nginx" -- -c /nginx.conf -p /
}

main() {
    local name=${1:?usage: apps/build.sh NAME [binary|image]}
    local step=${2:-all}
    mkdir -p "$work" "$bin"
    case "$name" in
        lua | sqlite3 | busybox | redis | nginx) ;;
        *) log "unknown app '$name'"; exit 1 ;;
    esac
    case "$step" in
        binary | image | all) ;;
        *) log "unknown step '$step' (binary, image)"; exit 1 ;;
    esac
    # Two makes in one tree (two people, or two test runs) must not build
    # the same app in the same source folder at once.
    exec 9> "$work/$name.lock"
    flock 9
    local t0=$SECONDS
    if [ "$step" != image ]; then
        "build_$name"
        log "$name: binary built in $((SECONDS - t0)) s"
    fi
    if [ "$step" != binary ]; then
        if [ ! -x "$onyx" ]; then
            log "build/onyx is missing: run make first"
            exit 1
        fi
        "pack_$name"
        log "$name: build/apps/$name.onyx packed"
    fi
}

main "$@"
