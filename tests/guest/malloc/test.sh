# malloc from 1 MiB up to most of guest memory, fully written.
. "$ROOT/tests/lib.sh"
have_kvm malloc || finish
build_image "$T/malloc.onyx" "$ROOT/tests/guest/malloc/main.c" ||
    { fail malloc/build "$(tail -3 "$T/build.log")"; finish; }
# 64 MiB guest: 48 MiB in one block is three quarters of all memory.
run_image --mem 64M "$T/malloc.onyx" -- 48
expect_status malloc/48-of-64M 0
grep -qx 'malloc ok up to 48 MiB' "$T/out" || fail malloc/48-output "$(head -c 300 "$T/out") $(tail -c 300 "$T/err")"
run_image --mem 256M "$T/malloc.onyx" -- 200
expect_status malloc/200-of-256M 0
# Asking for more than the guest has fails cleanly inside the app.
run_image --mem 64M "$T/malloc.onyx" -- 128
expect_status malloc/too-big-fails-cleanly 1
grep -q 'malloc([0-9]*) failed' "$T/out" && ok malloc/too-big-message ||
    fail malloc/too-big-message "$(head -c 300 "$T/out") $(tail -c 300 "$T/err")"
finish
