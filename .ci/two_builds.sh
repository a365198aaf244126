#!/usr/bin/env bash
# The default and the -Psdaa build (libtorch 2.10 and 2.7.1, both packaged as eq.jar) run at the same time without
# touching each other's native libraries: each extracts into its own JavaCPP cache (cli/NativeCache.java). Builds
# both jars, starts both with an empty home folder at once, and checks that both work and that two caches exist.
#   .ci/two_builds.sh      (from the repository root; leaves the default eq.jar in place)
set -euo pipefail
work=$(mktemp -d /tmp/eq-two-builds.XXXXXX)
trap 'rm -rf "$work"' EXIT
mvn -B -ntp -q -Psdaa -DskipTests package
cp eq.jar "$work/eq-sdaa.jar"
mvn -B -ntp -q -DskipTests package
cp eq.jar "$work/eq-default.jar"
mkdir -p "$work/home"
# the same file name for both, as a user who keeps eq.jar in two folders has it
mkdir -p "$work/a" "$work/b"
mv "$work/eq-default.jar" "$work/a/eq.jar"
mv "$work/eq-sdaa.jar" "$work/b/eq.jar"
for round in 1 2; do
  java -Duser.home="$work/home" -jar "$work/a/eq.jar" devices --check cpu > "$work/a.log" 2>&1 & a=$!
  java -Duser.home="$work/home" -jar "$work/b/eq.jar" devices --check cpu > "$work/b.log" 2>&1 & b=$!
  wait "$a" || { cat "$work/a.log"; echo "two builds: the default build failed beside the -Psdaa one" >&2; exit 1; }
  wait "$b" || { cat "$work/b.log"; echo "two builds: the -Psdaa build failed beside the default one" >&2; exit 1; }
done
caches=$(ls "$work/home/.javacpp/cache")
echo "$caches"
[[ $(echo "$caches" | grep -c '^eqt-.*-torch-2\.10\.0') == 1 && $(echo "$caches" | grep -c '^eqt-.*-torch-2\.7\.1') == 1 ]] \
  || { echo "two builds: expected one cache per libtorch, found: $caches" >&2; exit 1; }
grep -h "check cpu: passed" "$work/a.log" "$work/b.log"
echo "two builds ran side by side twice, each from its own cache"
