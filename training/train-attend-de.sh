#!/usr/bin/env bash
# Step 3 for the German decoder (issue 37), the whole chain in one resumable command: after any stop,
# the same command goes on where it stopped (every run checkpoints at least every 5 minutes).
#   0. prepares what is missing: the German data (prepare_de.py, with the bilingual set), the English
#      default decoder unpacked from its package (the warm start), and waits until the region
#      encoding of the validation and training photos is complete;
#   1. the design probe: three decoders (top-down, 256 units, as the English default) train their first
#      PROBE_STEPS cross-entropy steps; the lowest German validation loss chooses the design:
#        de-scratch      German only, from random weights
#        de-warm         German only, from the English default's weights (the words both vocabularies
#                        share keep their rows, the other German words begin fresh)
#        bilingual-warm  one decoder for both languages (English captions and German ones, which start
#                        with "<de>"), from the English default; scored over the German words only
#   2. the chosen run trains on: cross-entropy to its best validation loss, then self-critical training on
#      CIDEr-D less the German grammar-slip penalty (slips_de.py), then writes its weights.
# ROOT (default: the checkout) holds .cache/ and training/data/: ROOT=/work/main runs this checkout's
# code on another checkout's data and runs.
set -euo pipefail
cd "$(dirname "$0")/.."
root=${ROOT:-.}
python=/usr/bin/python3
runs=$root/.cache/runs
features=$root/.cache/regions
data=$root/training/data
probe_steps=${PROBE_STEPS:-400}
threads=(--threads "${THREADS:-1}")
mkdir -p "$runs"

if [[ ! -f $data/neutral/word_counts.txt ]]; then
  $python training/prepare.py --neutral-people --min-count 40 --out "$data/neutral"
fi
if [[ ! -f $data/de-bilingual/word_counts.txt ]]; then
  $python training/prepare_de.py --out "$data/de" --bilingual-with "$data/neutral"
fi
english=$runs/english-default
if [[ ! -f $english/word_counts.txt ]]; then
  npx tsx training/unpack.ts --model public/models/show-and-tell-attend --out "$english"
  cp public/models/show-and-tell-attend/word_counts.txt "$english/"
fi
# The encoder (npm run model:encode -- --regions) may still be writing: wait for whole shards.
until $python - "$features" <<'PY'
import json, os, sys
features = sys.argv[1]
for split in ("val", "train"):
    prefix = os.path.join(features, f"{split}-0")
    if not os.path.exists(prefix + ".json"):
        sys.exit(1)
    i = 0
    while os.path.exists(os.path.join(features, f"{split}-{i}.json")):
        prefix = os.path.join(features, f"{split}-{i}")
        layout = json.load(open(prefix + ".json"))
        spec = layout["regions"]
        record = 4 * (layout["features"] + (spec["gridSide"] ** 2 + spec["count"]) * spec["channels"] + spec["count"] * spec["geometry"])
        files = sum(1 for line in open(prefix + ".files.txt") if line.strip())
        if os.path.getsize(prefix + ".f32") != record * files:
            sys.exit(1)
        i += 1
PY
do
  echo "$(date -u +%FT%TZ) waiting for the region encoding to finish ($features)"
  sleep 60
done

# German grammar slips in the reward; the object penalty reads English object words, so it is off.
german='"language": "de", "phases": {"xe": {"check_every": 200}, "scst": {"object_penalty": 0}}'
common='"attention": "topdown", "units": 256'
if [[ ! -f $runs/de-choice.json ]]; then
  $python training/attend.py "${threads[@]}" --run "$runs/de-scratch" --data "$data/de" --features "$features" \
    --config "{$common, $german}" --pause-at "xe:$probe_steps"
  $python training/attend.py "${threads[@]}" --run "$runs/de-warm" --data "$data/de" --features "$features" \
    --init-weights "$english" --config "{$common, $german}" --pause-at "xe:$probe_steps"
  $python training/attend.py "${threads[@]}" --run "$runs/de-bilingual-warm" --data "$data/de-bilingual" --features "$features" \
    --init-weights "$english" --config "{$common, $german, \"target_start\": \"<de>\", \"target_words\": \"german_words.txt\"}" \
    --pause-at "xe:$probe_steps"
  $python - "$runs" "$probe_steps" <<'PY'
import json, sys
runs, steps = sys.argv[1], int(sys.argv[2])
def best(name):
    checks = [json.loads(line) for line in open(f"{runs}/de-{name}/progress.log")]
    return min(c["val"] for c in checks if c.get("phase") == "xe" and "val" in c and c["step"] <= steps)
losses = {name: best(name) for name in ("scratch", "warm", "bilingual-warm")}
choice = min(losses, key=losses.get)
json.dump({"probe_steps": steps, "german_validation_loss": losses, "choice": choice}, open(f"{runs}/de-choice.json", "w"))
PY
fi
choice=$($python -c 'import json, sys; print(json.load(open(sys.argv[1]))["choice"])' "$runs/de-choice.json")
echo "design: $choice ($(cat "$runs/de-choice.json"))"
$python training/attend.py "${threads[@]}" --run "$runs/de-$choice"
ln -sfn "de-$choice" "$runs/attend-de"
