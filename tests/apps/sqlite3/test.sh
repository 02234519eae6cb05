# The sqlite3 shell from Debian's source runs a SQL script; its output
# matches the same binary run natively, byte for byte.
. "$ROOT/tests/lib.sh"
img="$ROOT/build/apps/sqlite3.onyx"
sqlite3="$ROOT/build/apps/bin/sqlite3"
if [ ! -f "$img" ] || [ ! -x "$sqlite3" ]; then
    skip apps/sqlite3 "build/apps/sqlite3.onyx not built (make apps)"
    finish
fi
have_kvm apps/sqlite3 || finish
tree="$T/tree"
mkdir -p "$tree"
cp "$ROOT/tests/apps/sqlite3/test.sql" "$tree/test.sql"

"$sqlite3" -bail -init "$tree/test.sql" :memory: < /dev/null \
    > "$T/want" 2>&1
build_image "$T/sqlite3.onyx" --rootfs "$tree" "$sqlite3" -- \
    -bail -init /test.sql :memory: ||
    { fail apps/sqlite3/build "$(tail -3 "$T/build.log")"; finish; }
run_image "$T/sqlite3.onyx" < /dev/null
expect_status apps/sqlite3/status 0
app_lines "$T/out" > "$T/got"
expect_same apps/sqlite3/output "$T/got" "$T/want"
if grep -q '^done$' "$T/want"; then
    ok apps/sqlite3/native-ran-whole-script
else
    fail apps/sqlite3/native-ran-whole-script "$(tail -3 "$T/want")"
fi

# A database file on the guest's tmpfs: pwrite, fsync, fcntl locks, the
# journal's create and unlink. Natively the file lives in $T.
sed "s|DBDIR|/tmp|" "$ROOT/tests/apps/sqlite3/file.sql" > "$tree/file.sql"
sed "s|DBDIR|$T|" "$ROOT/tests/apps/sqlite3/file.sql" > "$T/file-native.sql"
rm -f "$T/onyx-test.db"
"$sqlite3" -bail -init "$T/file-native.sql" :memory: < /dev/null \
    > "$T/want-file" 2>&1
build_image "$T/sqlite3-file.onyx" --rootfs "$tree" "$sqlite3" -- \
    -bail -init /file.sql :memory: ||
    { fail apps/sqlite3/file-build "$(tail -3 "$T/build.log")"; finish; }
run_image "$T/sqlite3-file.onyx" < /dev/null
expect_status apps/sqlite3/file-status 0
app_lines "$T/out" > "$T/got-file"
expect_same apps/sqlite3/file-db-on-tmpfs "$T/got-file" "$T/want-file"
grep -q '^done$' "$T/want-file" ||
    fail apps/sqlite3/file-native "$(tail -3 "$T/want-file")"
finish
