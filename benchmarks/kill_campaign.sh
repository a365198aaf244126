#!/usr/bin/env bash
# Kill campaigns: SIGKILL at random moments, resume, and compare with an uninterrupted run, bit for bit.
#   benchmarks/kill_campaign.sh [KILLS=20] [WORK=/tmp/eq-kill]
# 1. training (--save_every 1): a run killed at a random moment (0.5 s to its whole length), resumed from its
#    checkpoint, ends with the same weights as an uninterrupted run (sha256 of every tensor in the checkpoint);
# 2. an archive run (--inputs-from, 24 records): killed at a random moment, rerun with the same command, its
#    outputs are byte-identical to an uninterrupted run's and its manifest lists each record once as ok;
# 3. a full disk: the archive run's output on a 3 MB tmpfs (as root; skipped where mount is not allowed) fails
#    with the disk's own message and exit 2, leaves no partial output, and once space is freed the same command
#    completes it identically.
# Needs eq.jar (mvn -DskipTests package). Prints one line per kill and a summary; exits 1 on any difference.
set -uo pipefail
cd "$(dirname "$0")/.."
kills=${1:-20}; work=${2:-/tmp/eq-kill}
rm -rf "$work"; mkdir -p "$work"
eq() { java -jar eq.jar "$@"; }
fail=0
weights() { unzip -p "$1" 'tensors/*' | sha256sum | cut -c1-16; }
tree_sum() { (cd "$1" && find . -type f ! -name manifest.jsonl ! -name '*.lock' | sort | xargs sha256sum | sha256sum | cut -c1-16); }

# --- training -----------------------------------------------------------------------------------------------
eq data generate --out "$work/data" --windows 12 --window_length 400 >/dev/null
train=(--data-dir "$work/data" --model reference --d_model 8 --n_head 2 --num_layers 1 --dim_feedforward 16
       --windows 12 --window_length 400 --max_length 400 --epochs 40 --save_every 1 --threads 1 --val_windows 1
       --test_windows 1)
t0=$(date +%s.%N)
eq "${train[@]}" --out "$work/whole" >"$work/whole.log" 2>&1 || { echo "uninterrupted training failed"; cat "$work/whole.log"; exit 1; }
whole_s=$(echo "$(date +%s.%N) - $t0" | bc)
want=$(weights "$work/whole/model_transf/model.eqt")
echo "training: uninterrupted in ${whole_s} s, weights $want"
same=0
for i in $(seq 1 "$kills"); do
  run="$work/killed$i"
  at=$(awk -v s="$RANDOM" -v w="$whole_s" 'BEGIN { srand(s); printf "%.2f", 0.5 + rand() * (0.8 * w - 0.5) }')
  java -jar eq.jar "${train[@]}" --out "$run" >"$run.log" 2>&1 &
  pid=$!
  sleep "$at"
  if ! kill -9 "$pid" 2>/dev/null; then wait "$pid"; echo "training kill $i: the run ended before ${at} s; not counted"; continue; fi
  wait "$pid" 2>/dev/null
  ck="$run/model_transf/model.eqt"
  if [ -f "$ck" ]; then
    if ! eq --resume "$ck" --epochs 40 --threads 1 >>"$run.log" 2>&1; then
      # killed after the last epoch was saved (while the closing calibration ran): the training is complete
      grep -q 'already trained for 40 epochs' "$run.log" || { echo "training kill $i: resume failed"; fail=1; continue; }
      echo "training kill $i: killed after its last epoch was saved (intervals not yet calibrated: eq calibrate adds them)"
    fi
  else # killed before its first checkpoint: the run starts over, as a user would
    rm -rf "$run"; eq "${train[@]}" --out "$run" >>"$run.log" 2>&1
  fi
  got=$(weights "$ck")
  if [ "$got" = "$want" ]; then same=$((same + 1)); r=same; else r="DIFFERENT ($got)"; fail=1; fi
  echo "training kill $i at ${at} s: $r"
done
echo "training: $same killed runs resumed to the uninterrupted weights ($kills tries)"

# --- archive inversion --------------------------------------------------------------------------------------
mkdir -p "$work/archive"
python3 - "$work/archive" <<'PY'
import struct, sys, math
for r in range(24):  # NPY v1 by hand: [n, 10] float32, no numpy needed
    n = 6000 + 97 * r
    hdr = "{'descr': '<f4', 'fortran_order': False, 'shape': (%d, 10), }" % n
    hdr += " " * (63 - (10 + len(hdr)) % 64) + "\n"
    with open("%s/r%02d.npy" % (sys.argv[1], r), "wb") as f:
        f.write(b"\x93NUMPY\x01\x00" + struct.pack("<H", len(hdr)) + hdr.encode())
        f.write(struct.pack("<%df" % (10 * n), *[math.sin(0.01 * i * (r + 1 + c)) for i in range(n) for c in range(10)]))
PY
ckpt="$work/whole/model_transf/model.eqt" # the trained 10-pair model inverts the 10-channel records
inv=(invert --checkpoint "$ckpt" --inputs-from "$work/archive" --threads 1)
t0=$(date +%s.%N)
eq "${inv[@]}" --output "$work/inv-whole" >"$work/inv-whole.log" 2>&1 || { echo "uninterrupted archive run failed"; exit 1; }
inv_s=$(echo "$(date +%s.%N) - $t0" | bc)
want=$(tree_sum "$work/inv-whole")
echo "archive: uninterrupted in ${inv_s} s, outputs $want"
same=0
for i in $(seq 1 "$kills"); do
  out="$work/inv$i"
  at=$(awk -v s="$RANDOM" -v w="$inv_s" 'BEGIN { srand(s); printf "%.2f", 0.3 + rand() * (0.8 * w - 0.3) }')
  java -jar eq.jar "${inv[@]}" --output "$out" >"$out.log" 2>&1 &
  pid=$!
  sleep "$at"
  if ! kill -9 "$pid" 2>/dev/null; then wait "$pid"; echo "archive kill $i: the run ended before ${at} s; not counted"; continue; fi
  wait "$pid" 2>/dev/null
  eq "${inv[@]}" --output "$out" >>"$out.log" 2>&1 || { echo "archive kill $i: rerun failed"; fail=1; continue; }
  got=$(tree_sum "$out")
  dup=$(python3 -c "import json,sys,collections; c=collections.Counter((json.loads(l)['input'],json.loads(l)['status']) for l in open(sys.argv[1])); print(sum(1 for (k,s),n in c.items() if s!='ok' or n>1), len(c))" "$out/manifest.jsonl")
  left=$(find "$out" -name '*.tmp' -o -name '*.lock' | wc -l)
  if [ "$got" = "$want" ] && [ "$dup" = "0 24" ] && [ "$left" = 0 ]; then same=$((same + 1)); r=same; else r="DIFFERENT (outputs $got, manifest bad/records $dup, leftovers $left)"; fail=1; fi
  echo "archive kill $i at ${at} s: $r"
done
echo "archive: $same killed runs completed to the uninterrupted outputs ($kills tries)"

# --- a full disk --------------------------------------------------------------------------------------------
mnt="$work/small"; mkdir -p "$mnt"
if mount -t tmpfs -o size=3m tmpfs "$mnt" 2>/dev/null; then
  eq "${inv[@]}" --output "$mnt/out" >"$work/full.log" 2>&1; code=$?
  msg=$(grep -m1 'No space left on device' "$work/full.log")
  partial=$(find "$mnt" -name '*.tmp' | wc -l)
  echo "full disk: exit $code; ${msg:-no disk message}; temporaries left: $partial"
  [ "$code" = 2 ] && [ -n "$msg" ] && [ "$partial" = 0 ] || fail=1
  mkdir -p "$work/moved"; mv "$mnt/out" "$work/moved/"; mkdir -p "$mnt/out"; cp "$work/moved/out/manifest.jsonl" "$mnt/out/" 2>/dev/null
  umount "$mnt"; mount -t tmpfs -o size=64m tmpfs "$mnt"; mkdir -p "$mnt/out"
  cp -a "$work/moved/out/." "$mnt/out/"
  eq "${inv[@]}" --output "$mnt/out" >>"$work/full.log" 2>&1; code=$?
  got=$(tree_sum "$mnt/out")
  echo "full disk, space freed, same command: exit $code, outputs $got (uninterrupted $want)"
  [ "$code" = 0 ] && [ "$got" = "$want" ] || fail=1
  umount "$mnt"
else
  echo "full disk: skipped (mounting a tmpfs is not allowed here)"
fi
[ "$fail" = 0 ] && echo "kill campaign: all identical" || echo "kill campaign: DIFFERENCES (see $work)"
exit "$fail"
