# __thread variables are initialised, and a 64 KiB TLS block works.
. "$ROOT/tests/lib.sh"
have_kvm tls || finish
build_image "$T/tls.onyx" "$ROOT/tests/guest/tls/main.c" ||
    { fail tls/build "$(tail -3 "$T/build.log")"; finish; }
run_image "$T/tls.onyx"
expect_status tls/status 0
grep -qx 'tls ok counter=43 last=ab' "$T/out" && ok tls/output ||
    fail tls/output "$(head -c 200 "$T/out")"
finish
