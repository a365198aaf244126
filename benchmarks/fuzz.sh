#!/usr/bin/env bash
# A coverage-guided fuzzing campaign (Jazzer's standalone driver, libFuzzer underneath) on the readers'
# contract (src/test/java/eqt/fuzz/Targets.java): TARGET for MINUTES, or every target one after another.
#   benchmarks/fuzz.sh mseed 10        benchmarks/fuzz.sh all 10
# Targets: mseed sac npy text reference stationxml sds checkpoint statedict. Each runs in a JVM of 1 GB heap (a
# reader must never need more than its input justifies), 20 s per input at most (a hang is a finding). The
# corpus grows in target/fuzz/corpus/TARGET (seeds: the regression corpus of ReadersFuzzTest); a crashing
# input is written to target/fuzz/crash/TARGET (the campaign goes on past up to 20 distinct findings): copy it into the regression corpus once fixed, and mvn test
# replays it on every build. A summary line per target goes to target/fuzz/summary.txt.
set -euo pipefail
cd "$(dirname "$0")/.."
target=${1:?target or all}; minutes=${2:-10}
targets=(mseed sac npy text reference stationxml sds checkpoint statedict)
[ "$target" = all ] || targets=("$target")
declare -A method=([mseed]=miniSeed [sac]=sac [npy]=npy [text]=text [reference]=reference [stationxml]=stationXml
                   [sds]=sds [checkpoint]=checkpoint [statedict]=stateDict)
mvn -B -q -ntp -DskipTests test-compile dependency:build-classpath -pl src -am -Dmdep.includeScope=test \
  -Dmdep.outputFile=target/fuzz.cp
out=target/fuzz; mkdir -p "$out"
# a snapshot of the classes: a build while the campaign runs must not change them under the fuzzer
snap=$(mktemp -d "$out/classes.XXXXXX"); cp -r src/target/classes "$snap/main"; cp -r src/target/test-classes "$snap/test"
trap 'rm -rf "$snap"' EXIT
cp="$snap/test:$snap/main:$(cat src/target/fuzz.cp)"
for t in "${targets[@]}"; do
  m=${method[$t]:?unknown target $t}
  corpus=$out/corpus/$t; crash=$out/crash/$t; mkdir -p "$corpus" "$crash"
  seeds=src/test/resources/eqt/fuzz/ReadersFuzzTestInputs/$m
  echo "fuzz: $t for $minutes min (seeds $seeds)"
  set +e
  java -Xmx1g -Deqt.fuzz.target="$t" -cp "$cp" com.code_intelligence.jazzer.Jazzer \
    --target_class=eqt.fuzz.Driver --instrumentation_includes='eqt.**:edu.sc.**:edu.iris.**' \
    --reproducer_path="$crash" --keep_going=20 -artifact_prefix="$crash/" -max_total_time=$((minutes * 60)) -timeout=20 \
    -max_len=65536 -print_final_stats=1 "$corpus" "$seeds" >"$out/$t.log" 2>&1
  code=$?
  set -e
  execs=$(grep -ao 'stat::number_of_executed_units: *[0-9]*' "$out/$t.log" | tail -1 | grep -o '[0-9]*$' || echo '?')
  cov=$(grep -aoE 'cov: [0-9]+ ft: [0-9]+' "$out/$t.log" | tail -1 || echo 'cov: ?')
  crashes=$(find "$crash" -maxdepth 1 -type f -name 'crash-*' | wc -l)
  line="$t: exit $code, $execs executions, $cov, corpus $(ls "$corpus" | wc -l), crashes $crashes, $minutes min"
  echo "$line" | tee -a "$out/summary.txt"
done
