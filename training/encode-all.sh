#!/usr/bin/env bash
# Step 2 driver: encodes the validation and training photos, two shards in parallel (one per core).
#   encode-all.sh             pooled features (800 per photo)      -> .cache/features/
#   encode-all.sh --regions   region features for the attending decoder -> .cache/regions/
# Safe to stop at any time: running it again resumes every shard after its last whole record.
set -euo pipefail
cd "$(dirname "$0")/.."
out=.cache/features
if [[ "${1:-}" == "--regions" ]]; then out=.cache/regions; fi
mkdir -p "$out"
for split in val train; do
  for shard in 0 1; do
    npx tsx training/encode.ts --list "training/data/$split.txt" --resize squash --shard "$shard/2" --out "$out/$split-$shard" "$@" &
  done
  wait
done
