#!/usr/bin/env bash
# Step 4 for the German decoder (issue 37), one command: `npm run model:package-attend-de`.
#   1. the weights: RUN's finished ones (RUN/weights.json + weights.bin, default RUN=.cache/runs/attend-de,
#      which training/train-attend-de.sh links), or with SNAPSHOT=1 the best weights so far of the phase
#      in progress (attend.py --snapshot, safe beside the running job; SNAPSHOT_PHASE=xe for a finished
#      phase's): the card then says which step of training they are;
#   2. the package public/models/show-and-tell-attend-de, registered (not the default): the decoder, the
#      German vocabulary and its noun list, the English default's encoder precision (training/uint8-weights.json),
#      so both packages name the same shared encoder files in public/models/encoders/;
#   3. its figures on the German validation split (108 photos, neutral person references), grounding
#      weights 0, 1 and 2 (the German object words of training/objects-de.json) with n-gram blocking 0, 2 and 3, into EVALS
#      (default .cache/evals/<id>/; NO_EVAL=1 skips them). WORK (default .cache/pkg) holds the snapshot and card.
# Writing the chosen figures and search settings into training/card.attend-de.json ("metrics", "search")
# and MODEL.md is a person's call, as for the English model.
set -euo pipefail
cd "$(dirname "$0")/.."
python=/usr/bin/python3
run=${RUN:-.cache/runs/attend-de}
id=${ID:-show-and-tell-attend-de}
data=training/data/de
work=${WORK:-.cache/pkg}
evals=${EVALS:-.cache/evals/$id}
mkdir -p "$work" "$evals"
weights=$run
stage="finished training"
if [[ -n ${SNAPSHOT:-} ]]; then
  weights=$work/$id-snapshot
  snapshot=$($python training/attend.py --threads 1 --run "$run" --snapshot "$weights" ${SNAPSHOT_PHASE:+--snapshot-phase "$SNAPSHOT_PHASE"} | tail -n 1)
  stage=$($python -c 'import json, sys; s = json.loads(sys.argv[1]); phase = {"xe": "cross-entropy", "scst": "self-critical"}.get(s["phase"], s["phase"]); which = "the best weights of its finished" if sys.argv[2] else "the best weights so far of its"; print("snapshot at step {:,} of training ({} {} phase; training goes on)".format(s["best_step"], which, phase))' "$snapshot" "${SNAPSHOT_PHASE:-}")
fi
echo "weights: $stage"
# The card says which weights these are; a snapshot's description says so in German too.
$python - training/card.attend-de.json "$stage" "$work/$id-card.json" <<'PY'
import json, re, sys
source, stage, out = sys.argv[1:]
card = json.load(open(source))
card["training"]["weights"] = stage
step = re.match(r"snapshot at step ([\d,]+)", stage)
if step:
    card["description"] += f" Zwischenstand: die Gewichte von Schritt {step.group(1).replace(',', '.')} des Trainings, das noch läuft."
json.dump(card, open(out, "w"), indent=2, ensure_ascii=False)
PY
npx tsx training/export.ts --run "$weights" --vocab "$data/word_counts.txt" --nouns "$data/nouns.txt" --objects training/objects-de.json \
  --card "$work/$id-card.json" --uint8-weights training/uint8-weights.json --uint8-per-channel training/uint8-per-channel.json --out "public/models/$id"
[[ -n ${NO_EVAL:-} ]] && exit 0
for ngram in 0 2 3; do
  npx tsx src/cli/eval.ts ../shared/data/photos "$data/val.jsonl" --model "public/models/$id" --grounding-sweep 0,1,2 \
    --no-repeat-ngram "$ngram" --json "$evals/ngram-$ngram.json" | tee "$evals/ngram-$ngram.txt"
done
