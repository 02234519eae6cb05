# SPDX-License-Identifier: MIT
# Host test: docs/COMPATIBILITY.md is what scripts/gen-compat.sh makes
# from the built kernel, the tests and (after make apps) the programs.
ROOT=${ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
. "$ROOT/tests/lib.sh"
if [ ! -f "$ROOT/docs/COMPATIBILITY.md" ]; then
    fail compat-doc/exists "docs/COMPATIBILITY.md is missing"
    finish
fi
if ONYX="$ONYX" bash "$ROOT/scripts/gen-compat.sh" --check > "$T/check" 2>&1
then
    ok compat-doc/current
else
    fail compat-doc/current "$(head -c 600 "$T/check" | tr '\n' ' ')"
fi
# The doc's count is the kernel's: every implemented call is listed.
n=$(sed -n 's/^## Implemented syscalls (\([0-9]*\))$/\1/p' \
    "$ROOT/docs/COMPATIBILITY.md")
rows=$(grep -cE '^\| [0-9]+ \| `[a-z0-9_]+` \|$' "$ROOT/docs/COMPATIBILITY.md")
if [ -n "$n" ] && [ "$n" = "$rows" ] && [ "$n" -gt 100 ]; then
    ok compat-doc/syscall-rows
else
    fail compat-doc/syscall-rows "heading says '$n', table has $rows rows"
fi
finish
