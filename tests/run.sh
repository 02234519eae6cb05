#!/usr/bin/env bash
# Runs every Onyx test: host unit tests, host script tests and guest tests
# booted on KVM. Ends with "N passed, N failed, N skipped".
set -u
ROOT=$(cd "$(dirname "$0")/.." && pwd)
export ROOT
# ONYX_TEST_LOGS lets two runs share one tree without wiping each other.
LOGS=${ONYX_TEST_LOGS:-$ROOT/build/test-logs}
rm -rf "$LOGS"
mkdir -p "$LOGS"
passed=0 failed=0 skipped=0
filter=${1:-}

count() { # name, output file, exit status
    local name=$1 file=$2 rc=$3 p f s
    p=$(grep -c '^ok ' "$file")
    f=$(grep -c '^not ok ' "$file")
    s=$(grep -c '^skip ' "$file")
    grep -E '^(not ok|skip) ' "$file" | sed "s|^|  $name: |"
    if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
        # A test that died without saying why still fails.
        echo "  $name: not ok: exited $rc without a result line"
        f=1
    fi
    if [ $((p + f + s)) -eq 0 ]; then
        echo "  $name: not ok: printed no result"
        f=1
    fi
    passed=$((passed + p)); failed=$((failed + f)); skipped=$((skipped + s))
    printf '%-28s %3d passed %3d failed %3d skipped\n' "$name" "$p" "$f" "$s"
}

run_one() { # name, command...
    local name=$1
    shift
    case "$name" in *"$filter"*) ;; *) return 0 ;; esac
    local dir="$LOGS/$name"
    mkdir -p "$dir"
    T="$dir" timeout -k 10 900 "$@" > "$dir/result" 2>&1
    local rc=$?
    count "$name" "$dir/result" "$rc"
    # Keep the logs of failed runs only.
    grep -q '^not ok ' "$dir/result" || [ "$rc" -ne 0 ] || rm -rf "$dir"
}

for bin in "$ROOT"/build/tests/unit/*; do
    [ -x "$bin" ] || continue
    run_one "unit/$(basename "$bin")" "$bin"
done
for t in "$ROOT"/tests/host/*.sh; do
    [ -f "$t" ] || continue
    run_one "host/$(basename "$t" .sh)" bash "$t"
done
for t in "$ROOT"/tests/guest/*/test.sh; do
    [ -f "$t" ] || continue
    run_one "guest/$(basename "$(dirname "$t")")" bash "$t"
done
# Real programs from Debian (make apps); each skips when not built.
for t in "$ROOT"/tests/apps/*/test.sh; do
    [ -f "$t" ] || continue
    run_one "apps/$(basename "$(dirname "$t")")" bash "$t"
done

echo
[ "$failed" -gt 0 ] && echo "logs of failed tests: $LOGS"
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
