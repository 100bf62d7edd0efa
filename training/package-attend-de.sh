#!/usr/bin/env bash
# Step 4 for the German decoder (issue 37), one command: `npm run model:package-attend-de`.
#   1. the weights: RUN's finished ones (default RUN=.cache/runs/attend-de, which training/train-attend-de.sh
#      links), or with SNAPSHOT=1 the best weights so far (training/package-weights.sh): the card then says
#      which step of training they are, in German too;
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
run=${RUN:-.cache/runs/attend-de}
id=${ID:-show-and-tell-attend-de}
data=training/data/de
work=${WORK:-.cache/pkg}
evals=${EVALS:-.cache/evals/$id}
mkdir -p "$work" "$evals"
card_source=training/card.attend-de.json
snapshot_note="Zwischenstand: die Gewichte von Schritt {step} des Trainings, das noch läuft."
thousands_separator=.
source training/package-weights.sh
npx tsx training/export.ts --run "$weights" --vocab "$data/word_counts.txt" --nouns "$data/nouns.txt" --objects training/objects-de.json \
  --card "$card" --uint8-weights training/uint8-weights.json --uint8-per-channel training/uint8-per-channel.json --out "public/models/$id"
[[ -n ${NO_EVAL:-} ]] && exit 0
for ngram in 0 2 3; do
  npx tsx src/cli/eval.ts ../shared/data/photos "$data/val.jsonl" --model "public/models/$id" --grounding-sweep 0,1,2 \
    --no-repeat-ngram "$ngram" --json "$evals/ngram-$ngram.json" | tee "$evals/ngram-$ngram.txt"
done
