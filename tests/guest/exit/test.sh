# exit statuses 0, 3 and 255 come back as onyx run's own status.
. "$ROOT/tests/lib.sh"
have_kvm exit || finish
build_image "$T/exit.onyx" "$ROOT/tests/guest/exit/main.c" ||
    { fail exit/build "$(tail -3 "$T/build.log")"; finish; }
for s in 0 3 255; do
    run_image "$T/exit.onyx" -- "$s"
    expect_status "exit/status-$s" "$s"
    grep -qx "exiting with $s" "$T/out" || fail "exit/output-$s" "stdout: $(head -c 200 "$T/out")"
done
# exit via exit_group from a nested call, large value truncated like Linux
run_image "$T/exit.onyx" -- 256
expect_status exit/status-256-wraps 0
finish
