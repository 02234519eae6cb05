# uname, sysinfo, rlimits, prctl, affinity and CPU-time clocks, compared
# with a native run of the same program.
. "$ROOT/tests/lib.sh"
have_kvm procenv || finish
same_as_native procenv "$ROOT/tests/guest/procenv/main.c"
finish
