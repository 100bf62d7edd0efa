#!/usr/bin/env bash
# Step 2 driver: encodes the training and validation photos, two shards in parallel (one per core).
set -euo pipefail
cd "$(dirname "$0")/.."
out=.cache/features
mkdir -p "$out"
for split in train val; do
  for shard in 0 1; do
    npx tsx training/encode.ts --list "training/data/$split.txt" --resize squash --shard "$shard/2" --out "$out/$split-$shard" &
  done
  wait
done
