#!/usr/bin/env bash
# Step 3 driver: the recipe of the shipped default model, as step budgets so it can be repeated
# (the shipped run used wall-clock budgets on a shared machine; MODEL.md gives its exact phases).
#   1. language-model pre-training on the text-only captions (no image input)
#   2. caption training on the photos' features, Adam 2e-3, best validation loss kept
#   3. the same at a lower learning rate (5e-4)
#   4. self-critical training on the CIDEr-D reward, best greedy validation CIDEr-D kept
#   5. more self-critical training from phase 4's exported weights (a fresh optimiser and data order)
set -euo pipefail
cd "$(dirname "$0")/.."
features=.cache/features
train=("$features/train-0" "$features/train-1")
val=("$features/val-0" "$features/val-1")
out=.cache/runs/default
python=/usr/bin/python3
$python training/train.py --out "$out/lm" --lm-steps 320 --eval-every 100 --patience 100
$python training/train.py --init "$out/lm/lm.pt" --train-features "${train[@]}" --val-features "${val[@]}" \
  --out "$out/caption" --steps 2050 --eval-every 100 --patience 4
$python training/train.py --init "$out/caption/caption.pt" --train-features "${train[@]}" --val-features "${val[@]}" \
  --out "$out/caption-low-lr" --lr 5e-4 --steps 600 --eval-every 100 --patience 3
$python training/train.py --init "$out/caption-low-lr/caption.pt" --train-features "${train[@]}" --val-features "${val[@]}" \
  --out "$out/scst" --steps 0 --scst-steps 2588 --scst-lr 2e-4 --eval-every 50 --patience 40
$python training/train.py --init-weights "$out/scst" --train-features "${train[@]}" --val-features "${val[@]}" \
  --out "$out" --steps 0 --scst-steps 2150 --scst-lr 2e-4 --eval-every 50 --patience 40 --seed 2
