# monotonic clock never goes back; 100 ms nanosleep never ends early.
. "$ROOT/tests/lib.sh"
have_kvm clock || finish
build_image "$T/clock.onyx" "$ROOT/tests/guest/clock/main.c" ||
    { fail clock/build "$(tail -3 "$T/build.log")"; finish; }
run_image "$T/clock.onyx" -- "$(date +%s)"
expect_status clock/status 0
grep -qx 'clock ok' "$T/out" && ok clock/output || fail clock/output "$(head -c 200 "$T/out")"
finish
