#!/usr/bin/env bash
# Step 4 for the attending decoder (MODEL.md "Attending decoder"), once `npm run model:train-attend`
# has written its weights (RUN/weights.bin), or for a progress snapshot (RUN=DIR of attend.py --snapshot):
#   1. a package with the detector in float16 as shipped (the decoder's big matrices in 8 bits);
#   2. which more weights take 8 bits within the size budget (training/weight-precision.ts);
#   3. the package with those in 8 bits, registered (not made the default) in public/models;
#   4. parity with PyTorch, pixels to log-probabilities;
#   5. the validation figures: grounding weights (--grounding-sweep) with and without n-gram blocking.
# training/card.attend.json starts from the shipped model's grounding (lambda 4): choosing its lambda
# and search.noRepeatNgram from step 5 on the validation split, writing them into the card and making
# the model the default (export.ts --make-default) is a person's call, written down in MODEL.md.
set -euo pipefail
cd "$(dirname "$0")/.."
run=${RUN:-.cache/runs/attend}
id=${ID:-show-and-tell-attend}
vocab=training/data/neutral/word_counts.txt
work=.cache/pkg
evals=.cache/evals/$id
mkdir -p "$work" "$evals"
npx tsx training/export.ts --run "$run" --vocab "$vocab" --card training/card.attend.json --out "$work/$id-float16"
npx tsx training/weight-precision.ts --model "$work/$id-float16" --out training/uint8-weights.json
# The encoder's per-channel 8-bit filters (training/uint8-per-channel.json) and the vocabulary cut: MODEL.md "Per-channel 8 bits and a vocabulary cut".
npx tsx training/export.ts --run "$run" --vocab "$vocab" --card training/card.attend.json --out "public/models/$id" --uint8-weights training/uint8-weights.json \
  --uint8-per-channel training/uint8-per-channel.json --min-word-count 80
npx tsx training/parity.ts --model "public/models/$id" --reference "$run/parity.json" --reference-vocab "$vocab" | tee "$evals/parity.json"
for ngram in 0 2 3; do
  npx tsx src/cli/eval.ts ../shared/data/photos training/data/val.jsonl --model "public/models/$id" \
    --grounding-sweep 0,1,2,4 --no-repeat-ngram "$ngram" --json "$evals/ngram-$ngram.json" | tee "$evals/ngram-$ngram.txt"
done
