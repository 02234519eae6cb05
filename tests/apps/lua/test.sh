# lua5.4 from Debian's source: a test script gives the same output in the
# guest as the same binary run natively.
. "$ROOT/tests/lib.sh"
img="$ROOT/build/apps/lua.onyx"
lua="$ROOT/build/apps/bin/lua"
if [ ! -f "$img" ] || [ ! -x "$lua" ]; then
    skip apps/lua "build/apps/lua.onyx not built (make apps)"
    finish
fi
have_kvm apps/lua || finish
tree="$T/tree"
mkdir -p "$tree"
cp "$ROOT/tests/apps/lua/test.lua" "$tree/test.lua"
seq 1 5000 | sed 's/$/ lua line/' > "$tree/data.txt"

(cd "$tree" && ONYX_TEST_VAR=from-env "$lua" test.lua > "$T/want" 2>&1)
build_image "$T/lua.onyx" --rootfs "$tree" --env ONYX_TEST_VAR=from-env \
    "$lua" -- test.lua ||
    { fail apps/lua/build "$(tail -3 "$T/build.log")"; finish; }
run_image "$T/lua.onyx"
expect_status apps/lua/status 0
app_lines "$T/out" > "$T/got"
expect_same apps/lua/output "$T/got" "$T/want"
finish
