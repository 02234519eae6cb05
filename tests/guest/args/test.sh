# argv (many and long) and 20 env vars reach main() intact.
. "$ROOT/tests/lib.sh"
have_kvm args || finish
src="$ROOT/tests/guest/args/main.c"
build_native "$src" || { fail args/native "$(cat "$T/native-build.log")"; finish; }
long=$(head -c 3000 /dev/zero | tr '\0' 'L')
args=(one "two words" "" "three=3" "$long")
for i in $(seq 1 60); do args+=("arg$i"); done
envs=()
eargs=()
for i in $(seq 1 20); do
    envs+=("TESTVAR_$i=value $i with spaces and = signs")
    eargs+=(-e "TESTVAR_$i=value $i with spaces and = signs")
done
env -i "${envs[@]}" "$T/native" "${args[@]}" > "$T/want"
build_image "$T/args.onyx" "$src" || { fail args/build "$(tail -3 "$T/build.log")"; finish; }
run_image "${eargs[@]}" "$T/args.onyx" -- "${args[@]}"
expect_status args/status 0
# argv[0] differs (image name versus path): compare from argc on.
expect_same args/argv-env "$T/out" "$T/want"
# defaults baked into the image at build time
build_image "$T/args2.onyx" --env TESTVAR_A=baked "$src" -- x "y z" ||
    { fail args/build-defaults "$(tail -3 "$T/build.log")"; finish; }
run_image "$T/args2.onyx"
printf 'argc=3\nargv[1]=x\nargv[2]=y z\nenv TESTVAR_A=baked\n' > "$T/want2"
expect_same args/image-defaults "$T/out" "$T/want2"
finish
