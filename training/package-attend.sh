#!/usr/bin/env bash
# Step 4 for the English attending decoder (MODEL.md "Attending decoder"), one command:
# `npm run model:package-attend`.
#   1. the weights: RUN's finished ones (default RUN=.cache/runs/attend), or with SNAPSHOT=1 the best
#      weights so far (training/package-weights.sh);
#   2. the package public/models/ID (default show-and-tell-attend), registered (not made the default):
#      the weights training/uint8-weights.json names in 8 bits. training/weight-precision.ts chose that
#      list for the first attending decoder; every package reuses it, so that all languages name one
#      encoder file in public/models/encoders/. PRECISION=choose measures it again on these weights
#      (a float16 export first) and rewrites the list. Also the encoder's per-channel 8-bit filters
#      (training/uint8-per-channel.json) and the vocabulary cut (MODEL.md "Per-channel 8 bits and a
#      vocabulary cut");
#   3. parity with PyTorch, pixels to log-probabilities;
#   4. the validation figures (EVALS, default .cache/evals/ID/; NO_EVAL=1 skips them) with the card's
#      search, at the photos' size and as the live camera captions, against the references as written
#      and with neutral person words; SWEEP=1 adds the grounding weights 0, 1, 2, 4 with n-gram
#      blocking 0, 2 and 3.
# Writing the chosen figures and search settings into the card, MODEL.md, and making the model the
# default (export.ts --make-default) is a person's call, written down in MODEL.md.
set -euo pipefail
cd "$(dirname "$0")/.."
run=${RUN:-.cache/runs/attend}
id=${ID:-show-and-tell-attend}
vocab=training/data/neutral/word_counts.txt
work=${WORK:-.cache/pkg}
evals=${EVALS:-.cache/evals/$id}
mkdir -p "$work" "$evals"
card_source=training/card.attend.json
snapshot_note="Snapshot: the weights of step {step} of a training that is still running."
thousands_separator=,
source training/package-weights.sh
if [[ ${PRECISION:-} == choose ]]; then
  npx tsx training/export.ts --run "$weights" --vocab "$vocab" --card "$card" --out "$work/$id-float16"
  npx tsx training/weight-precision.ts --model "$work/$id-float16" --out training/uint8-weights.json
fi
npx tsx training/export.ts --run "$weights" --vocab "$vocab" --card "$card" --out "public/models/$id" --uint8-weights training/uint8-weights.json \
  --uint8-per-channel training/uint8-per-channel.json --min-word-count 80
npx tsx training/parity.ts --model "public/models/$id" --reference "$weights/parity.json" --reference-vocab "$vocab" | tee "$evals/parity.json"
[[ -n ${NO_EVAL:-} ]] && exit 0
photos=(../shared/data/photos training/data/val.jsonl --model "public/models/$id" --also-references training/data/neutral/captions.json)
npx tsx src/cli/eval.ts "${photos[@]}" --json "$evals/photos.json" | tee "$evals/photos.txt"
npx tsx src/cli/eval.ts "${photos[@]}" --input-size live --json "$evals/live.json" | tee "$evals/live.txt"
[[ -n ${SWEEP:-} ]] || exit 0
for ngram in 0 2 3; do
  npx tsx src/cli/eval.ts "${photos[@]}" --grounding-sweep 0,1,2,4 --no-repeat-ngram "$ngram" --json "$evals/ngram-$ngram.json" | tee "$evals/ngram-$ngram.txt"
done
