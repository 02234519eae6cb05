# The README's first steps: build hello.c, run it with args, get its status.
. "$ROOT/tests/lib.sh"
have_kvm hello || finish
cd "$T" || exit 1
cp "$ROOT/examples/hello/hello.c" .
if "$ONYX" build -o hello.onyx hello.c > build.log 2>&1; then
    ok hello/build
else
    fail hello/build "$(tail -3 build.log)"; finish
fi
run_image hello.onyx -- a b
expect_status hello/status 2
printf 'Hello from Onyx!\narg 1: a\narg 2: b\n' > want
expect_same hello/output "$T/out" want
if [ -s "$T/err" ]; then
    fail hello/quiet-stderr "unexpected stderr: $(head -c 200 "$T/err")"
else
    ok hello/quiet-stderr
fi
"$ONYX" inspect hello.onyx > inspect.out 2>&1
if grep -q hello inspect.out; then ok hello/inspect; else
    fail hello/inspect "$(head -c 300 inspect.out)"; fi
finish
