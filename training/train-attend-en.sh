#!/usr/bin/env bash
# Issue 37, item 4: the English default's recipe trained again on all 11,900 photos (training/data/neutral
# as `npm run model:prepare -- --neutral-people --min-count 40 --out training/data/neutral` makes it now,
# with the 1,390 COCO 2014 photos; the same 514 validation photos). attend.py's defaults are that recipe:
# top-down attention, 256 units, cross-entropy to the best validation loss, then self-critical training on
# CIDEr-D less 0.3 for a grammar slip and 0.2 for each invented object class.
# Resumable: after any stop the same command goes on from the last checkpoint (at least every 5 minutes).
# Its self-critical step 600 became the default on 2026-12-06 (MODEL.md "Retrained on 11,900 photos"), a
# snapshot while the run went on; to package its later best weights for a comparison on validation:
#   SNAPSHOT=1 RUN=.cache/runs/attend-en-11900 ID=show-and-tell-attend-11900 npm run model:package-attend
set -euo pipefail
cd "$(dirname "$0")/.."
/usr/bin/python3 training/attend.py --threads "${THREADS:-1}" --run .cache/runs/attend-en-11900
