# The writable /tmp, sendfile, locks, /proc and process calls, compared
# with a native run of the same program.
. "$ROOT/tests/lib.sh"
have_kvm files || finish
same_as_native files "$ROOT/tests/guest/files/main.c"
finish
