#!/usr/bin/env bash
# Step 3 for the attending decoder (MODEL.md "Attending decoder"). Resumable: after any stop, the same
# command goes on from the last checkpoint (every phase saves at least every 5 minutes).
#   1. both decoders (top-down and soft attention) train their first PROBE_STEPS cross-entropy steps
#      on the same data order; the lower validation loss there chooses the architecture;
#   2. the chosen run trains on: cross-entropy to its best validation loss, then self-critical
#      training on CIDEr-D less a grammar-slip penalty, then writes its weights.
# Needs: npm run model:prepare -- --neutral-people --min-count 40 --out training/data/neutral
#        npm run model:encode -- --regions
set -euo pipefail
cd "$(dirname "$0")/.."
python=/usr/bin/python3
runs=.cache/runs
probe_steps=${PROBE_STEPS:-1000}
# One torch thread unless THREADS says otherwise: on a quiet machine two ran 1.5-1.7 s per step and
# one about as fast (1.75 s with an evaluation beside it), while two that wait for each other under
# other work ran over 4 s; one thread also leaves a core for that work.
threads=(--threads "${THREADS:-1}")
$python training/attend.py "${threads[@]}" --run "$runs/attend-topdown" --config '{"attention": "topdown", "units": 256}' --pause-at "xe:$probe_steps"
$python training/attend.py "${threads[@]}" --run "$runs/attend-soft" --config '{"attention": "soft", "units": 384}' --pause-at "xe:$probe_steps"
choice=$($python - "$runs" "$probe_steps" <<'PY'
import json, sys
runs, steps = sys.argv[1], int(sys.argv[2])
def best(kind):
    checks = [json.loads(line) for line in open(f"{runs}/attend-{kind}/progress.log")]
    return min(c["val"] for c in checks if c.get("phase") == "xe" and "val" in c and c["step"] <= steps)
losses = {kind: best(kind) for kind in ("topdown", "soft")}
choice = min(losses, key=losses.get)
json.dump({"probe_steps": steps, "validation_loss": losses, "choice": choice}, open(f"{runs}/attend-choice.json", "w"))
print(choice)
PY
)
echo "architecture: $choice ($(cat "$runs/attend-choice.json"))"
$python training/attend.py "${threads[@]}" --run "$runs/attend-$choice"
ln -sfn "attend-$choice" "$runs/attend"
