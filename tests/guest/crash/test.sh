# A crashing app: documented status 139, output before the crash kept, a
# register dump on stderr, and nothing left running.
. "$ROOT/tests/lib.sh"
have_kvm crash || finish
build_image "$T/crash.onyx" "$ROOT/tests/guest/crash/main.c" ||
    { fail crash/build "$(tail -3 "$T/build.log")"; finish; }
for how in null div0 ud2; do
    run_image "$T/crash.onyx" -- "$how"
    expect_status "crash/$how-status" 139
    grep -qx "about to crash: $how" "$T/out" && ok "crash/$how-stdout-kept" ||
        fail "crash/$how-stdout-kept" "$(head -c 200 "$T/out")"
    if grep -qiE 'rip' "$T/err" && grep -qiE 'rsp' "$T/err"; then
        ok "crash/$how-register-dump"
    else
        fail "crash/$how-register-dump" "stderr: $(head -c 300 "$T/err")"
    fi
done
finish
