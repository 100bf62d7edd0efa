# Sourced by package-attend.sh and package-attend-de.sh: which weights a package is made from, and the
# card that says so.
#   in:  run (attend.py's run folder), id, work (scratch folder), card_source (training/card.*.json),
#        snapshot_note (a sentence for the card's description when the weights are a snapshot; {step} is
#        replaced by the step, written with thousands_separator);
#        env SNAPSHOT=1: the best weights so far of the phase in progress (attend.py --snapshot, safe beside
#        the running job; SNAPSHOT_PHASE=xe for a finished phase's), else RUN's finished ones
#        (RUN/weights.json + weights.bin).
#   out: weights (the folder export.ts --run reads), card (the card to export with; for a snapshot its
#        training.weights and description say which step, finished weights keep the source card's words).
python=/usr/bin/python3
weights=$run
stage="finished training"
if [[ -n ${SNAPSHOT:-} ]]; then
  weights=$work/$id-snapshot
  snapshot=$($python training/attend.py --threads 1 --run "$run" --snapshot "$weights" ${SNAPSHOT_PHASE:+--snapshot-phase "$SNAPSHOT_PHASE"} | tail -n 1)
  stage=$($python -c 'import json, sys; s = json.loads(sys.argv[1]); phase = {"xe": "cross-entropy", "scst": "self-critical"}.get(s["phase"], s["phase"]); which = "the best weights of its finished" if sys.argv[2] else "the best weights so far of its"; print("snapshot at step {:,} of training ({} {} phase; training goes on)".format(s["best_step"], which, phase))' "$snapshot" "${SNAPSHOT_PHASE:-}")
fi
echo "weights: $stage"
card=$work/$id-card.json
$python - "$card_source" "$stage" "$snapshot_note" "$thousands_separator" "$card" <<'PY'
import json, re, sys
source, stage, note, separator, out = sys.argv[1:]
card = json.load(open(source))
step = re.match(r"snapshot at step ([\d,]+)", stage)
if step:
    card["training"]["weights"] = stage
    card["description"] += " " + note.format(step=step.group(1).replace(",", separator))
json.dump(card, open(out, "w"), indent=2, ensure_ascii=False)
PY
