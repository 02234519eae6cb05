# An AVX instruction where the CPU has AVX (XCR0 enabled by Onyx).
. "$ROOT/tests/lib.sh"
have_kvm avx || finish
if ! grep -qw avx /proc/cpuinfo; then
    skip avx/status "host CPU has no AVX"
    finish
fi
build_image "$T/avx.onyx" "$ROOT/tests/guest/avx/main.c" ||
    { fail avx/build "$(tail -3 "$T/build.log")"; finish; }
run_image "$T/avx.onyx"
expect_status avx/status 0
grep -qx 'avx ok' "$T/out" && ok avx/output || fail avx/output "$(head -c 200 "$T/out") $(tail -c 300 "$T/err")"
finish
