# Pipes, socket pairs, eventfd, timerfd and epoll, compared with a
# native run of the same program.
. "$ROOT/tests/lib.sh"
have_kvm events || finish
same_as_native events "$ROOT/tests/guest/events/main.c"
finish
