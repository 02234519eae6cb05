# Unknown syscalls give -ENOSYS and are logged once, by name.
. "$ROOT/tests/lib.sh"
have_kvm enosys || finish
build_image "$T/enosys.onyx" "$ROOT/tests/guest/enosys/main.c" ||
    { fail enosys/build "$(tail -3 "$T/build.log")"; finish; }
run_image "$T/enosys.onyx"
expect_status enosys/status 0
n=$(grep -c 'kexec_load' "$T/err")
[ "$n" = 1 ] && ok enosys/logged-once || fail enosys/logged-once "kexec_load named $n times on stderr: $(head -c 300 "$T/err")"
finish
