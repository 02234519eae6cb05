# .bss zeroed to the end of its page.
. "$ROOT/tests/lib.sh"
have_kvm bss || finish
build_image "$T/bss.onyx" "$ROOT/tests/guest/bss/main.c" ||
    { fail bss/build "$(tail -3 "$T/build.log")"; finish; }
run_image "$T/bss.onyx"
expect_status bss/status 0
grep -qx 'bss ok' "$T/out" && ok bss/output || fail bss/output "$(head -c 200 "$T/out")"
finish
