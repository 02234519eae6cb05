# SPDX-License-Identifier: MIT
# onyx build --kernel: hello gets the minimal kernel (no TCP/IP) and a
# smaller image, httpd the full one; --kernel full|minimal override; on
# the minimal kernel socket(AF_INET) fails with EAFNOSUPPORT and a
# warning while socketpair works. Prints image sizes and boot times.
. "$ROOT/tests/lib.sh"
have_kvm specialize || finish
cd "$T" || exit 1
HERE=$ROOT/tests/guest/specialize
cp "$ROOT/examples/hello/hello.c" .

variant() { "$ONYX" inspect "$1" | sed -n 's/^kernel-variant: //p'; }
size_of() { "$ONYX" inspect "$1" | sed -n 's/^image-size: //p'; }

# expect_variant NAME IMAGE WANT
expect_variant() {
    local got
    got=$(variant "$2")
    if [ "$got" = "$3" ]; then ok "$1"; else
        fail "$1" "kernel-variant '$got', want '$3'"; fi
}

if build_image hello-auto.onyx hello.c &&
    build_image hello-full.onyx --kernel full hello.c &&
    build_image hello-min.onyx --kernel minimal hello.c; then
    ok specialize/build
else
    fail specialize/build "$(tail -3 "$T/build.log")"; finish
fi
expect_variant specialize/hello-auto-minimal hello-auto.onyx minimal
expect_variant specialize/hello-force-full hello-full.onyx full
expect_variant specialize/hello-force-minimal hello-min.onyx minimal
"$ONYX" inspect hello-auto.onyx > inspect.out
if grep -qx 'component: tcpip no' inspect.out &&
    grep -q '^kernel-lwip: 0 bytes' inspect.out; then
    ok specialize/inspect-minimal
else
    fail specialize/inspect-minimal "$(grep -E 'comp|lwip' inspect.out)"
fi
"$ONYX" inspect hello-full.onyx > inspect-full.out
if grep -qx 'component: tcpip yes' inspect-full.out &&
    grep -Eq '^kernel-lwip: [1-9][0-9]* bytes \([0-9]+% ' inspect-full.out
then
    ok specialize/inspect-full
else
    fail specialize/inspect-full "$(grep -E 'comp|lwip' inspect-full.out)"
fi
small=$(size_of hello-auto.onyx) big=$(size_of hello-full.onyx)
if [ -n "$small" ] && [ -n "$big" ] && [ "$small" -lt "$big" ]; then
    ok specialize/smaller
else
    fail specialize/smaller "minimal $small bytes, full $big bytes"
fi
echo "# hello image: minimal $small bytes, full $big bytes"

# Both kernels run hello; boot-to-exit time of each (best of 3).
for v in min full; do
    best=
    for _ in 1 2 3; do
        t0=$(date +%s%N)
        run_image "hello-$v.onyx" -- a b
        t1=$(date +%s%N)
        ms=$(((t1 - t0) / 1000000))
        if [ -z "$best" ] || [ "$ms" -lt "$best" ]; then best=$ms; fi
    done
    expect_status "specialize/hello-$v-runs" 2
    echo "# hello-$v: onyx run to exit ${best} ms (best of 3)"
done

# A bad --kernel value is refused.
if "$ONYX" build -o bad.onyx --kernel tiny hello.c > bad.log 2>&1; then
    fail specialize/bad-kernel "--kernel tiny accepted"
elif grep -q "full, minimal or auto" bad.log; then
    ok specialize/bad-kernel
else
    fail specialize/bad-kernel "$(head -c 200 bad.log)"
fi

# httpd calls socket(): auto keeps the full kernel.
if build_image httpd.onyx "$ROOT/examples/httpd/httpd.c" \
    "$ROOT/examples/httpd/sha256.c"; then
    expect_variant specialize/httpd-full httpd.onyx full
else
    fail specialize/httpd-full "$(tail -3 "$T/build.log")"
fi

# An app with socket() built on the minimal kernel fails cleanly.
cp "$HERE/nosock.c" .
if build_image nosock-auto.onyx nosock.c &&
    build_image nosock.onyx --kernel minimal nosock.c; then
    expect_variant specialize/nosock-auto-full nosock-auto.onyx full
    run_image nosock.onyx
    expect_status specialize/nosock-status 0
    printf 'socket: EAFNOSUPPORT\nsocketpair: ping\n' > want
    app_lines "$T/out" > got
    expect_same specialize/nosock-output got want
    if grep -q 'built without networking' "$T/err" "$T/out"; then
        ok specialize/nosock-warning
    else
        fail specialize/nosock-warning "no warning: $(head -c 300 "$T/err")"
    fi
else
    fail specialize/nosock-build "$(tail -3 "$T/build.log")"
fi
finish
