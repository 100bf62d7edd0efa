"""Step 3 for the attending decoder: a caption decoder that looks at the detector's regions.

    /usr/bin/python3 training/attend.py --run .cache/runs/attend [options on the first start]

The photo is what training/encode.ts --regions wrote: the pooled features (800), a 4x4 grid of
backbone cells and the detector's 20 best detections, each with its box-pooled backbone features,
its box, score and class. Each becomes a region vector; at every word the decoder attends over them.

Two decoders, chosen by measurement (--attention):
  topdown  Anderson et al. 2018: an attention LSTM (input: the language LSTM's last output, the mean
           region and the word) drives the attention; a language LSTM reads the attended region.
  soft     Show, Attend and Tell (Xu et al. 2015): one LSTM, attention driven by its last output.
Both start im2txt's way, with the image embedding fed as the first input from a zero state, and
share the word embedding with the softmax (tied: logits = project(h) . embedding^T + bias).
With --config '{"evidence": true}' the softmax also weighs the detector's class scores for each
object word, by coefficients the decoder sets at every word (AttendAndTell's word_classes).

Phases, each resumable: `xe` (cross-entropy, best validation loss kept), then `scst` (self-critical
on the CIDEr-D reward, less a penalty for grammar slips; best greedy validation CIDEr-D kept).
The run checkpoints at least every --checkpoint-minutes (weights, optimiser, data order, random
state, the best weights so far, the log) and the same command resumes exactly where it stopped.
Writes RUN/weights.bin + weights.json (float32, standardisation kept apart) when all phases are done.
--snapshot DIR writes the same files for the best weights so far of the phase in progress, without
training (safe beside the running job: it only reads the checkpoint).
"""
import argparse
import json
import math
import os
import sys
import time

import numpy as np
import torch
from torch import nn

from cider import CiderD
from hallucination import ObjectWords, ReferenceObjects
from train import encode_caption, load_vocab, swap_gate_order, unroll, write_weights

GRID_CLASS = 80  # class index of grid cells (the detector's classes are 0..79)
CLASS_SCORES = 80  # the last numbers of the pooled features: the detector's heatmap maximum per class
EVIDENCE_TERMS = 3  # per object word: its class score, the score's log, 1
EVIDENCE_FLOOR = 0.01  # the log of a class score is taken from here up: below it, "not seen" is all it says


# ---------------------------------------------------------------------------------------------- data

def load_regions(prefix):
    """-> file names, global [N, F], region features [N, R, C], geometry [N, R, 6] (box as fractions, score, class)."""
    files = [line for line in open(prefix + ".files.txt").read().split("\n") if line]
    layout = json.load(open(prefix + ".json"))
    spec = layout["regions"]
    n_global, side, channels, count, geometry = layout["features"], spec["gridSide"], spec["channels"], spec["count"], spec["geometry"]
    record = n_global + (side * side + count) * channels + count * geometry
    data = np.fromfile(prefix + ".f32", dtype=np.float32)
    if data.size != record * len(files):
        raise SystemExit(f"{prefix}: {data.size / record:.1f} records for {len(files)} files (encoding unfinished? run npm run model:encode -- --regions)")
    data = data.reshape(len(files), record)
    cells = side * side
    global_features = data[:, :n_global]
    grid = data[:, n_global:n_global + cells * channels].reshape(-1, cells, channels)
    detected = data[:, n_global + cells * channels:n_global + (cells + count) * channels].reshape(-1, count, channels)
    detected_geometry = data[:, n_global + (cells + count) * channels:].reshape(-1, count, geometry)
    # Grid cells as regions too: their box is the cell, score 1, and a class of their own.
    cell_boxes = np.array([[x / side, y / side, (x + 1) / side, (y + 1) / side, 1.0, GRID_CLASS]
                           for y in range(side) for x in range(side)], dtype=np.float32)
    grid_geometry = np.broadcast_to(cell_boxes, (len(files), cells, geometry))
    return files, global_features, np.concatenate([grid, detected], 1), np.concatenate([grid_geometry, detected_geometry], 1)


class Photos:
    """Standardised features of a split's photos (statistics from the training photos)."""

    def __init__(self, global_features, regions, geometry, stats):
        self.global_features = torch.from_numpy((global_features - stats["global_mean"]) / stats["global_std"]).float()
        self.class_scores = torch.from_numpy(global_features[:, -CLASS_SCORES:]).float()
        self.regions = torch.from_numpy((regions - stats["region_mean"]) / stats["region_std"]).float()
        box = geometry[..., :4]
        area = (box[..., 2] - box[..., 0]) * (box[..., 3] - box[..., 1])
        self.geometry = torch.from_numpy(np.concatenate([box, area[..., None], geometry[..., 4:5]], -1)).float()
        self.classes = torch.from_numpy(geometry[..., 5]).long()

    def __len__(self):
        return len(self.global_features)

    def batch(self, rows):
        return self.global_features[rows], self.regions[rows], self.geometry[rows], self.classes[rows], self.class_scores[rows]


def shards(feature_dir, split):
    """SPLIT-0, SPLIT-1, ... as far as they exist: encode-all.sh writes two shards, one encoder (--shard 0/1) one."""
    prefixes = []
    while os.path.exists(os.path.join(feature_dir, f"{split}-{len(prefixes)}.json")):
        prefixes.append(os.path.join(feature_dir, f"{split}-{len(prefixes)}"))
    if not prefixes:
        raise SystemExit(f"{feature_dir} has no {split}-0 shard (run npm run model:encode -- --regions)")
    return prefixes


def load_split(prefixes, wanted=None):
    """The shards' photos, in shard order; only the WANTED file names (a set) when given."""
    parts = [load_regions(p) for p in prefixes]
    files = [f for part in parts for f in part[0]]
    arrays = [np.concatenate([part[i] for part in parts]) for i in (1, 2, 3)]
    if wanted is None:
        return files, *arrays
    missing = wanted - set(files)
    if missing:
        raise SystemExit(f"{len(missing)} photos of the split are not in {prefixes} (e.g. {sorted(missing)[0]}): encoding unfinished?")
    rows = [i for i, f in enumerate(files) if f in wanted]
    return [files[i] for i in rows], *(a[rows] for a in arrays)


def feature_stats(global_features, regions):
    """Per-number mean and std of the training photos (standardisation, folded into the export)."""
    flat = regions.reshape(-1, regions.shape[-1])
    return {
        "global_mean": global_features.mean(0), "global_std": global_features.std(0) + 1e-3,
        "region_mean": flat.mean(0), "region_std": flat.std(0) + 1e-3,
    }


# --------------------------------------------------------------------------------------------- model

def word_classes(vocab, vocab_size, object_words=None):
    """[vocab_size] the detector class each word names on its own (objects.json's single words, e.g.
    "dogs" -> dog), GRID_CLASS for every other word (it names none)."""
    object_words = object_words or ObjectWords()
    index = {label: i for i, label in enumerate(object_words.labels)}
    classes = torch.full((vocab_size,), GRID_CLASS, dtype=torch.long)
    for word, i in vocab.items():
        if word in object_words.words:
            classes[i] = index[object_words.words[word]]
    return classes


class AttendAndTell(nn.Module):
    """`word_classes` (see word_classes()) turns on the detector's evidence in the softmax: at every
    word the decoder's output sets three coefficients, for each object word's class score, its log
    and a constant, added to that word's logit. The model learns when to trust the detector, where
    the search's grounding applies one fixed rule."""

    def __init__(self, vocab_size, global_size, region_size, embed, units, attention_size, attention, dropout, word_classes=None):
        super().__init__()
        self.attention_kind = attention
        self.units = units
        self.global_embedding = nn.Linear(global_size, embed)
        self.region_embedding = nn.Linear(region_size, embed)
        self.geometry_embedding = nn.Linear(6, embed)
        self.class_embedding = nn.Embedding(GRID_CLASS + 1, embed)
        self.word_embedding = nn.Embedding(vocab_size, embed)
        self.attend_regions = nn.Linear(embed, attention_size)
        self.attend_state = nn.Linear(units, attention_size, bias=False)
        self.attention_score = nn.Linear(attention_size, 1)
        if attention == "topdown":
            self.attention_lstm = nn.LSTMCell(units + 2 * embed, units)
            self.language_lstm = nn.LSTMCell(embed + units, units)
        else:
            self.lstm = nn.LSTMCell(2 * embed, units)
        self.project = nn.Linear(units, embed)
        self.logits_bias = nn.Parameter(torch.zeros(vocab_size))
        # Added to the logits while set (see target_word_mask): a bilingual decoder scored or trained on one language.
        self.word_mask = None
        self.dropout = nn.Dropout(dropout)
        self.uses_evidence = word_classes is not None
        if self.uses_evidence:
            self.register_buffer("word_classes", word_classes, persistent=False)
            self.evidence_coefficients = nn.Linear(units, EVIDENCE_TERMS)
            # Zero at first: a decoder trained without evidence starts out unchanged.
            nn.init.zeros_(self.evidence_coefficients.weight)
            nn.init.zeros_(self.evidence_coefficients.bias)

    @property
    def state_size(self):
        return (4 if self.attention_kind == "topdown" else 2) * self.units

    def regions(self, photos):
        """A batch of Photos -> per-photo inputs of every step: region vectors [B, R, E], their attention
        keys [B, R, A], the image embedding [B, E] and the words' evidence [B, EVIDENCE_TERMS, V] (None
        without it)."""
        global_features, features, geometry, classes, class_scores = photos
        vectors = torch.relu(self.region_embedding(self.dropout(features)) + self.geometry_embedding(geometry)
                             + self.class_embedding(classes))
        vectors = self.dropout(vectors)
        evidence = self.word_evidence(class_scores) if self.uses_evidence else None
        return vectors, self.attend_regions(vectors), self.global_embedding(self.dropout(global_features)), evidence

    def word_evidence(self, class_scores):
        """[B, 80] class scores -> [B, 3, V]: each object word's class score, its log (from
        EVIDENCE_FLOOR) and 1; zeros for the words that name no object."""
        per_class = torch.cat([class_scores, torch.zeros(len(class_scores), 1)], 1)
        score = per_class[:, self.word_classes]
        names_object = (self.word_classes != GRID_CLASS).float().expand_as(score)
        return torch.stack([score, torch.log(score.clamp(min=EVIDENCE_FLOOR)) * names_object, names_object], 1)

    def attend(self, vectors, keys, query):
        scores = self.attention_score(torch.tanh(keys + self.attend_state(query)[:, None])).squeeze(-1)
        weights = torch.softmax(scores, -1)
        return (weights[..., None] * vectors).sum(1)

    def step(self, inputs, state, vectors, keys):
        """One word (its embedding [B, E]) -> the decoder's output [B, U] and the new state [B, S]."""
        u = self.units
        if self.attention_kind == "topdown":
            c1, h1, c2, h2 = state.split(u, 1)
            h1, c1 = self.attention_lstm(torch.cat([h2, vectors.mean(1), inputs], 1), (h1, c1))
            h2, c2 = self.language_lstm(torch.cat([self.attend(vectors, keys, h1), h1], 1), (h2, c2))
            return h2, torch.cat([c1, h1, c2, h2], 1)
        c, h = state.split(u, 1)
        h, c = self.lstm(torch.cat([inputs, self.attend(vectors, keys, h)], 1), (h, c))
        return h, torch.cat([c, h], 1)

    def initial_state(self, vectors, keys, image):
        """im2txt's start: the image embedding is the first input, from a zero state."""
        zeros = torch.zeros(len(image), self.state_size)
        return self.step(image, zeros, vectors, keys)[1]

    def logits(self, output, evidence):
        output = self.dropout(output)
        logits = self.project(output) @ self.word_embedding.weight.T + self.logits_bias
        if self.word_mask is not None:
            logits = logits + self.word_mask
        if evidence is None:
            return logits
        return logits + torch.einsum("bk,bkv->bv", self.evidence_coefficients(output), evidence)

    def word_step(self, words, state, photo):
        """photo: what regions() returned."""
        vectors, keys, _, evidence = photo
        output, state = self.step(self.dropout(self.word_embedding(words)), state, vectors, keys)
        return self.logits(output, evidence), state


def caption_loss(model, photos, tokens, pad):
    """Summed cross-entropy of each next word (teacher forcing)."""
    photo = model.regions(photos)
    state = model.initial_state(*photo[:3])
    total = torch.zeros(())
    for t in range(tokens.shape[1] - 1):
        due = tokens[:, t + 1] != pad
        if not due.any():
            break
        logits, state = model.word_step(tokens[:, t], state, photo)
        total = total + nn.functional.cross_entropy(logits[due], tokens[due, t + 1], reduction="sum")
    return total


def decode(model, photos, start, end, max_length, sample):
    """Sampled or greedy captions: summed log-probabilities (with gradients) and word ids."""
    photo = model.regions(photos)
    state = model.initial_state(*photo[:3])
    return unroll(lambda words, state: model.word_step(words, state, photo), state, len(state), start, end, max_length, sample)


# ----------------------------------------------------------------------------------- resumable runs

class Run:
    """A run directory: config.json (fixed at the first start), checkpoint.pt (rewritten atomically),
    progress.log (one JSON line per check, for people), and each finished phase's best weights."""

    def __init__(self, path, leg_steps=math.inf, leg_minutes=math.inf, pause_at=None):
        self.path = path
        os.makedirs(path, exist_ok=True)
        self.leg_steps, self.max_leg_steps = 0, leg_steps
        self.leg_deadline = time.time() + leg_minutes * 60
        self.pause_phase, self.pause_step = (pause_at.split(":")[0], int(pause_at.split(":")[1])) if pause_at else (None, None)

    def leg_over(self, phase, step):
        return (self.leg_steps >= self.max_leg_steps or time.time() > self.leg_deadline
                or (phase == self.pause_phase and step >= self.pause_step))

    def file(self, name):
        return os.path.join(self.path, name)

    def save(self, name, value):
        temporary = self.file(name + ".partial")
        torch.save(value, temporary)
        os.replace(temporary, self.file(name))

    def load(self, name):
        return torch.load(self.file(name)) if os.path.exists(self.file(name)) else None

    def note(self, entry):
        entry = {"time": time.strftime("%Y-%m-%dT%H:%M:%S"), **entry}
        print(json.dumps(entry), flush=True)
        with open(self.file("progress.log"), "a") as f:
            f.write(json.dumps(entry) + "\n")


def random_state():
    return {"torch": torch.get_rng_state()}


def set_random_state(state):
    torch.set_rng_state(state["torch"])


def epoch_batches(n_items, batch_size, seed, epoch):
    """The batches of one epoch: a permutation fixed by (seed, epoch), so a resumed run sees the same order."""
    order = np.random.default_rng([seed, epoch]).permutation(n_items)
    return [order[i:i + batch_size] for i in range(0, n_items, batch_size)]


class LegOver(Exception):
    """This leg's budget (--leg-steps / --leg-minutes) is spent; the checkpoint is saved."""


def run_phase(run, phase, model, config, train_step, check, better):
    """Trains one phase with its own optimiser until its step budget or patience runs out, resuming
    from the checkpoint if it stopped inside this phase. `train_step(rows)` -> a dict for the log;
    `check()` -> (the validation score, a dict of its parts for the log); `better(a, b)` says
    whether score a beats b."""
    settings = config["phases"][phase]
    optimizer = torch.optim.Adam(model.parameters(), lr=settings["lr"])
    checkpoint = run.load("checkpoint.pt")
    if checkpoint and checkpoint["phase"] == phase:
        model.load_state_dict(checkpoint["model"])
        optimizer.load_state_dict(checkpoint["optimizer"])
        set_random_state(checkpoint["random"])
        progress = checkpoint["progress"]
        run.note({"phase": phase, "resumed_at_step": progress["step"]})
    else:
        progress = {"step": 0, "epoch": 0, "batch": 0, "best": None, "best_step": 0, "bad_checks": 0,
                    "best_model": None, "seconds": 0.0}
    n_items = settings["items"]
    last_save = time.time()
    started = time.time() - progress["seconds"]

    def save():
        progress["seconds"] = time.time() - started
        run.save("checkpoint.pt", {"phase": phase, "model": model.state_dict(), "optimizer": optimizer.state_dict(),
                                   "random": random_state(), "progress": progress})

    while progress["step"] < settings["steps"] and progress["bad_checks"] < settings["patience"]:
        if run.leg_over(phase, progress["step"]):
            save()
            run.note({"phase": phase, "paused_at_step": progress["step"]})
            raise LegOver()
        batches = epoch_batches(n_items, settings["batch"], config["seed"], progress["epoch"])
        if progress["batch"] >= len(batches):
            progress["epoch"], progress["batch"] = progress["epoch"] + 1, 0
            continue
        decay = settings.get("decay", 1.0) ** (progress["step"] // settings.get("decay_every", 10 ** 9))
        for group in optimizer.param_groups:
            group["lr"] = settings["lr"] * decay
        entry = train_step(batches[progress["batch"]])
        optimizer.zero_grad()
        entry.pop("loss").backward()
        nn.utils.clip_grad_norm_(model.parameters(), 5.0)
        optimizer.step()
        progress["batch"] += 1
        progress["step"] += 1
        run.leg_steps += 1
        if progress["step"] % settings["check_every"] == 0 or progress["step"] == settings["steps"]:
            score, parts = check()
            if progress["best"] is None or better(score, progress["best"]):
                progress.update(best=score, best_step=progress["step"], bad_checks=0,
                                best_model={k: v.clone() for k, v in model.state_dict().items()})
            else:
                progress["bad_checks"] += 1
            run.note({"phase": phase, "step": progress["step"], "epoch": progress["epoch"],
                      "minutes": round((time.time() - started) / 60, 1), "lr": settings["lr"] * decay,
                      **entry, "val": round(score, 4), **parts, "best": round(progress["best"], 4), "best_step": progress["best_step"]})
            save()
            last_save = time.time()
        elif time.time() - last_save > config["checkpoint_minutes"] * 60:
            save()
            last_save = time.time()
    save()
    model.load_state_dict(progress["best_model"])
    run.save(f"{phase}.pt", {"model": progress["best_model"], "best": progress["best"], "best_step": progress["best_step"]})
    run.note({"phase": phase, "finished": True, "best": progress["best"], "best_step": progress["best_step"]})


# ------------------------------------------------------------------------------------------- phases

def slip_measure(language):
    """The caption language's grammar slips (training/slips.py for English, slips_de.py for German)."""
    if language == "de":
        from slips_de import slips
    else:
        from slips import slips
    return slips


def start_and_words(caption, vocab, unk, language_vocab=None):
    """Word ids of a caption; one that begins with a start word of its own ("<de> ein hund ."), a
    bilingual data set's German ones, starts with that word instead of <S>, and its words outside
    LANGUAGE_VOCAB (that language's words, when given) are the unknown word, as in a one-language model."""
    first, _, rest = caption.partition(" ")
    if first.startswith("<") and first in vocab:
        return [vocab[first]] + encode_caption(rest, language_vocab or vocab, unk)[1:]
    return encode_caption(caption, vocab, unk)


def in_language(captions, target_start):
    """The captions of the target language (all of them when there is none), without its start word."""
    if target_start is None:
        return [c for c in captions if not c.startswith("<")]
    return [c[len(target_start) + 1:] for c in captions if c.startswith(target_start + " ")]


def target_words(vocab, words_file):
    """The target language's words (WORDS_FILE, one a line) -> their ids (with <S>, for encode_caption)."""
    return {w: vocab[w] for w in open(words_file).read().split() + ["<S>"] if w in vocab}


def target_word_mask(vocab_size, language_vocab):
    """[vocab_size] 0 for the target language's words, the unknown word and the padding, -1e9 for the rest:
    what a package that keeps only the target language's rows would compute."""
    mask = torch.full((vocab_size,), -1e9)
    mask[list(language_vocab.values()) + [vocab_size - 2, vocab_size - 1]] = 0.0
    return mask

def cross_entropy_phase(run, model, config, train, val, pad, word_mask=None):
    """WORD_MASK (see target_word_mask): the validation loss of a bilingual decoder over its target language's words."""
    (train_photos, train_pairs), (val_photos, val_pairs) = train, val

    def padded(pairs):
        length = max(len(c) for _, c in pairs)
        tokens = torch.full((len(pairs), length), pad, dtype=torch.long)
        for row, (_, caption) in enumerate(pairs):
            tokens[row, :len(caption)] = torch.tensor(caption)
        return torch.tensor([p for p, _ in pairs]), tokens

    def train_step(rows):
        photo_rows, tokens = padded([train_pairs[i] for i in rows])
        loss = caption_loss(model, train_photos.batch(photo_rows), tokens, pad)
        n = (tokens[:, 1:] != pad).sum()
        return {"loss": loss / n, "train_loss": round(loss.item() / n.item(), 4)}

    def check():
        model.eval()
        model.word_mask = word_mask
        total, count = 0.0, 0
        with torch.no_grad():
            for start in range(0, len(val_pairs), 500):
                photo_rows, tokens = padded(val_pairs[start:start + 500])
                total += caption_loss(model, val_photos.batch(photo_rows), tokens, pad).item()
                count += (tokens[:, 1:] != pad).sum().item()
        model.word_mask = None
        model.train()
        return total / count, {}

    config["phases"]["xe"]["items"] = len(train_pairs)
    model.train()
    run_phase(run, "xe", model, config, train_step, check, lambda a, b: a < b - 1e-4)


def self_critical_phase(run, model, config, train, val, id_to_word, start, end, word_mask=None):
    """Rennie et al. 2017 with the baseline of Luo 2020 (the mean reward of the photo's other
    samples). The reward is CIDEr-D less `slip_penalty` for a caption with a grammar slip, less
    `object_penalty` for each object class it names that no reference names (CIDEr optimisation
    alone makes captioners invent more objects, Rohrbach et al. 2018) and plus `recall_bonus` for
    each one it names that a reference names (so that the penalty does not teach it to name none).
    The best weights are those with the best validation score of the same form: corpus CIDEr-D less
    the penalties' means plus the bonus's. TRAIN is (photos, references, the photos' rows: those with
    references in the caption language); the slips are the caption language's (config "language")."""
    (train_photos, train_refs, train_rows), (val_photos, val_refs) = train, val
    slips = slip_measure(config.get("language", "en"))
    model.word_mask = word_mask  # a bilingual decoder says only its target language's words
    settings = config["phases"]["scst"]
    slip_penalty, object_penalty = settings["slip_penalty"], settings["object_penalty"]
    recall_bonus = settings.get("recall_bonus", 0)  # runs begun before the bonus existed had none
    train_cider, val_cider = CiderD(train_refs), CiderD(val_refs)
    train_objects, val_objects = ReferenceObjects(train_refs), ReferenceObjects(val_refs)
    to_text = lambda ids: " ".join(id_to_word.get(i, "<UNK>") for i in ids.tolist() if i != end)
    samples = settings["samples"]

    def reward(row, text):  # ROW: the photo's index in train_refs
        return (train_cider.score(row, text) - slip_penalty * bool(slips(text))
                - object_penalty * train_objects.invented(row, text) + recall_bonus * train_objects.recalled(row, text))

    def train_step(rows):
        rows = torch.tensor(rows).repeat_interleave(samples)
        log_prob, words = decode(model, train_photos.batch(train_rows[rows]), start, end, config["max_length"], sample=True)
        rewards = torch.tensor([reward(int(r), to_text(w)) for r, w in zip(rows, words)]).view(-1, samples)
        baseline = (rewards.sum(1, keepdim=True) - rewards) / (samples - 1)
        loss = -((rewards - baseline).view(-1) * log_prob).mean()
        return {"loss": loss, "train_reward": round(rewards.mean().item(), 4)}

    def check():
        with torch.no_grad():
            texts = [to_text(w) for w in decode(model, val_photos.batch(torch.arange(len(val_photos))), start, end,
                                               config["max_length"], sample=False)[1]]
        cider = val_cider.corpus(texts)
        slip_share = sum(bool(slips(t)) for t in texts) / len(texts)
        invented = sum(val_objects.invented(row, t) for row, t in enumerate(texts)) / len(texts)
        recalled = sum(val_objects.recalled(row, t) for row, t in enumerate(texts)) / len(texts)
        parts = {"cider": round(cider, 4), "slips": round(slip_share, 4), "invented": round(invented, 4), "recalled": round(recalled, 4)}
        return cider - slip_penalty * slip_share - object_penalty * invented + recall_bonus * recalled, parts

    settings["items"] = len(train_rows)
    model.eval()  # samples come from the model the app runs (no dropout)
    run_phase(run, "scst", model, config, train_step, check, lambda a, b: a > b + 1e-4)


def package_words(vocab, config):
    """The words a package keeps, in its order, and their ids here (the unknown word last): all of them, or
    a bilingual run's target language's (its target_words file, the start word first)."""
    if not config.get("target_start"):
        words = sorted(vocab, key=vocab.get)
    else:
        listed = open(os.path.join(config["data"], config["target_words"])).read().split()
        words = [config["target_start"]] + [w for w in listed if w in vocab and w != config["target_start"]]
    return words, [vocab[w] for w in words] + [len(vocab)]


def export_weights(model, stats, config, out, rows=None):
    """Float32 weights for training/export.ts, the inputs' standardisation kept apart (NAME/mean and
    NAME/inv_std: folded into the weights, it would leave a few huge values that 8 bits cannot hold);
    LSTM gates reordered from PyTorch's (i, f, g, o) to TensorFlow's BasicLSTMCell (i, j, f, o) with
    the forget bias 1.0 taken out (the graph adds it back, as im2txt's cell does). ROWS: the word ids
    the package keeps (package_words), all but the padding by default."""
    sd = {k: v.detach().double().numpy() for k, v in model.state_dict().items()}
    units = config["units"]
    swap = lambda m: swap_gate_order(m, units)

    def linear(name, exported, mean=None, std=None):
        layer = {f"{exported}/weights": sd[f"{name}.weight"].T, f"{exported}/biases": sd[f"{name}.bias"]}
        if mean is not None:
            layer.update({f"{exported}/mean": mean, f"{exported}/inv_std": 1 / std})
        return layer

    def lstm(prefix, name):
        kernel = np.concatenate([swap(sd[f"{prefix}.weight_ih"]).T, swap(sd[f"{prefix}.weight_hh"]).T], 0)
        bias = swap(sd[f"{prefix}.bias_ih"] + sd[f"{prefix}.bias_hh"])
        bias[2 * units:3 * units] -= 1.0
        return {f"{name}/kernel": kernel, f"{name}/bias": bias}

    rows = list(range(config["vocab_size"] - 1)) if rows is None else rows  # the padding id is never exported
    tensors = {
        **linear("global_embedding", "image_embedding", stats["global_mean"], stats["global_std"]),
        **linear("region_embedding", "regions/features", stats["region_mean"], stats["region_std"]),
        **linear("geometry_embedding", "regions/geometry"),
        "regions/class_embedding": sd["class_embedding.weight"],
        "attention/region_weights": sd["attend_regions.weight"].T, "attention/region_biases": sd["attend_regions.bias"],
        "attention/state_weights": sd["attend_state.weight"].T,
        "attention/score_weights": sd["attention_score.weight"].T, "attention/score_biases": sd["attention_score.bias"],
        "seq_embedding/map": sd["word_embedding.weight"][rows],
        "logits/project_weights": sd["project.weight"].T, "logits/project_biases": sd["project.bias"],
        "logits/biases": sd["logits_bias"][rows],
    }
    if config["attention"] == "topdown":
        tensors.update(lstm("attention_lstm", "attention_lstm"))
        tensors.update(lstm("language_lstm", "language_lstm"))
    else:
        tensors.update(lstm("lstm", "lstm"))
    facts = {"attention": config["attention"], "units": units, "forgetBias": 1.0}
    if model.uses_evidence:
        tensors.update(linear("evidence_coefficients", "logits/evidence"))
        tensors["logits/word_classes"] = model.word_classes[rows].double().numpy()
        facts["evidenceFloor"] = EVIDENCE_FLOOR
    write_weights(tensors, facts, out)


def read_weights(run_dir):
    """RUN_DIR/weights.json + weights.bin -> (the manifest, a function from a tensor's name to its values)."""
    manifest = json.load(open(os.path.join(run_dir, "weights.json")))
    blob = open(os.path.join(run_dir, "weights.bin"), "rb").read()

    def tensor(name):
        entry = manifest["tensors"][name]
        return np.frombuffer(blob, np.float32, math.prod(entry["shape"]), entry["offset"]).reshape(entry["shape"]).astype(np.float64)

    return manifest, tensor


def init_stats(run_dir):
    """The standardisation RUN_DIR's weights were trained with (feature_stats' form), if its export kept it."""
    manifest, tensor = read_weights(run_dir)
    if "image_embedding/mean" not in manifest["tensors"]:
        return None
    return {"global_mean": tensor("image_embedding/mean"), "global_std": 1 / tensor("image_embedding/inv_std"),
            "region_mean": tensor("regions/features/mean"), "region_std": 1 / tensor("regions/features/inv_std")}


def words_remapped(matrix, init_words, vocab, fresh):
    """Rows of another vocabulary's words (INIT_WORDS, then its unknown word) -> rows of VOCAB's words, then
    its unknown word; FRESH(n) gives the rows of words the other vocabulary lacks. -> (rows, how many copied)."""
    index = {w: i for i, w in enumerate(init_words)}
    sources = [index.get(w) for w in sorted(vocab, key=vocab.get)] + [len(init_words)]
    rows = fresh(len(sources))
    for row, source in enumerate(sources):
        if source is not None:
            rows[row] = matrix[source]
    return rows, sum(source is not None for source in sources)


def import_weights(model, config, run_dir, vocab):
    """The inverse of export_weights: loads RUN_DIR/weights.json + weights.bin (an export, or a shipped
    package unpacked by training/unpack.ts) into the model. The padding word, which export drops, gets a
    zero embedding and a logit bias that is never sampled. With RUN_DIR/word_counts.txt (the package's
    vocabulary) the word rows go by word: those VOCAB shares keep theirs, the others (e.g. a German
    vocabulary's) begin random at the trained rows' scale, with their median logit bias.
    -> how many of VOCAB's words (and the unknown word) kept their rows."""
    manifest, tensor = read_weights(run_dir)
    units = config["units"]
    if (manifest.get("attention"), manifest["units"], manifest["forgetBias"]) != (config["attention"], units, 1.0):
        raise SystemExit(f"{run_dir}: {manifest.get('attention')} attention, {manifest['units']} units, forget bias "
                         f"{manifest['forgetBias']}; this run needs {config['attention']}, {units}, 1.0")
    embedding, biases = tensor("seq_embedding/map"), tensor("logits/biases")
    copied = len(vocab) + 1
    words_file = os.path.join(run_dir, "word_counts.txt")
    if os.path.exists(words_file):
        init_words, _ = load_vocab(words_file)
        init_words = sorted(init_words, key=init_words.get)
        rng = np.random.default_rng(config["seed"])
        embedding, copied = words_remapped(embedding, init_words, vocab, lambda n: rng.normal(0, embedding.std(), (n, embedding.shape[1])))
        biases, _ = words_remapped(biases, init_words, vocab, lambda n: np.full(n, np.median(biases)))

    sd = {}

    def linear(name, exported):
        sd[f"{name}.weight"], sd[f"{name}.bias"] = tensor(f"{exported}/weights").T, tensor(f"{exported}/biases")

    def lstm(prefix, name):
        kernel = tensor(f"{name}/kernel")
        inputs = kernel.shape[0] - units
        # The forget bias goes to bias_hh on its own: added to the float32 biases, it would round them,
        # and exporting again would not give back the same numbers.
        forget_bias = np.zeros(4 * units)
        forget_bias[2 * units:3 * units] = 1.0
        sd.update({f"{prefix}.weight_ih": swap_gate_order(kernel[:inputs].T, units),
                   f"{prefix}.weight_hh": swap_gate_order(kernel[inputs:].T, units),
                   f"{prefix}.bias_ih": swap_gate_order(tensor(f"{name}/bias"), units), f"{prefix}.bias_hh": swap_gate_order(forget_bias, units)})

    linear("global_embedding", "image_embedding")
    linear("region_embedding", "regions/features")
    linear("geometry_embedding", "regions/geometry")
    sd["project.weight"], sd["project.bias"] = tensor("logits/project_weights").T, tensor("logits/project_biases")
    sd["class_embedding.weight"] = tensor("regions/class_embedding")
    sd["attend_regions.weight"], sd["attend_regions.bias"] = tensor("attention/region_weights").T, tensor("attention/region_biases")
    sd["attend_state.weight"] = tensor("attention/state_weights").T
    sd["attention_score.weight"], sd["attention_score.bias"] = tensor("attention/score_weights").T, tensor("attention/score_biases")
    with_padding = lambda m, value: np.concatenate([m, np.full((1,) + m.shape[1:], value)], 0)
    sd["word_embedding.weight"] = with_padding(embedding, 0.0)
    sd["logits_bias"] = with_padding(biases, -30.0)
    if config["attention"] == "topdown":
        lstm("attention_lstm", "attention_lstm")
        lstm("language_lstm", "language_lstm")
    else:
        lstm("lstm", "lstm")
    if model.uses_evidence and "logits/evidence/weights" in manifest["tensors"]:
        linear("evidence_coefficients", "logits/evidence")
    # A decoder exported without evidence keeps the model's zero evidence coefficients.
    model.load_state_dict({**model.state_dict(), **{name: torch.tensor(value, dtype=torch.float32) for name, value in sd.items()}})
    return copied


def parity_reference(model, photos, files, start, out, rows):
    """Reference outputs for training/parity.ts on two validation photos: the initial state, then one
    step from the start word START (log-probabilities over the exported words ROWS, ids as the package's)."""
    model.eval()
    with torch.no_grad():
        photo = model.regions(photos.batch(torch.arange(2)))
        initial = model.initial_state(*photo[:3])
        words = torch.full((2,), start, dtype=torch.long)
        state = torch.empty(0, model.state_size)
        log_probs = []
        for row in range(2):  # the browser graph takes one photo's regions at a time
            one_photo = tuple(part if part is None else part[row:row + 1] for part in photo)
            logits, row_state = model.word_step(words[row:row + 1], initial[row:row + 1], one_photo)
            log_probs.append(torch.log_softmax(logits[:, rows], -1))
            state = torch.cat([state, row_state])
    start_in_package = rows.index(start)
    json.dump({"photos": files[:2], "initialState": initial.tolist(), "inputFeed": [start_in_package] * 2,
               "logProbs": torch.cat(log_probs).tolist(), "state": state.tolist()}, open(os.path.join(out, "parity.json"), "w"))


# --------------------------------------------------------------------------------------------- main

DEFAULTS = {
    "attention": "topdown", "evidence": False, "embed": 256, "units": 256, "attention_size": 256, "dropout": 0.3, "seed": 1,
    "max_length": 20, "checkpoint_minutes": 5, "threads": 2,
    "phases": {
        "xe": {"lr": 1e-3, "batch": 100, "steps": 12000, "check_every": 250, "patience": 6, "decay": 0.8, "decay_every": 2000},
        "scst": {"lr": 1e-4, "batch": 50, "steps": 6000, "check_every": 100, "patience": 15, "samples": 5, "slip_penalty": 0.3,
                 "object_penalty": 0.2, "recall_bonus": 0},
    },
}


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--run", required=True, help="run directory; the run resumes from it if it has a checkpoint")
    parser.add_argument("--data", default=os.path.join(here, "data", "neutral"), help="prepare.py's output (first start only)")
    parser.add_argument("--features", default=os.path.join(here, "..", ".cache", "regions"), help="encode.ts --regions output (first start only)")
    parser.add_argument("--config", default="{}", help="JSON merged into the defaults at the first start, e.g. '{\"attention\": \"soft\"}'")
    parser.add_argument("--phases", default="xe,scst", help="phases to run, in order (first start only)")
    parser.add_argument("--leg-minutes", type=float, default=math.inf, help="stop cleanly (checkpoint saved) after this long")
    parser.add_argument("--leg-steps", type=int, default=math.inf, help="stop cleanly after this many steps")
    parser.add_argument("--pause-at", help="PHASE:STEP, stop cleanly once that phase reaches that step (e.g. xe:1500)")
    parser.add_argument("--snapshot", metavar="DIR", help="export the best weights so far to DIR and stop (no training)")
    parser.add_argument("--snapshot-phase", metavar="PHASE", help="with --snapshot: a finished phase's best weights instead "
                        "(e.g. xe, to start another self-critical run from them with --init-weights)")
    parser.add_argument("--init-weights", metavar="RUN_DIR", help="begin from RUN_DIR/weights.json + weights.bin "
                        "(an export, or a shipped package unpacked by training/unpack.ts), e.g. with --phases scst (first start only)")
    parser.add_argument("--threads", type=int, help="CPU threads for this leg (default: the config's); 1 wastes less while other work shares the cores")
    args = parser.parse_args()
    run = Run(args.run, args.leg_steps, args.leg_minutes, args.pause_at)

    if os.path.exists(run.file("config.json")):
        config = json.load(open(run.file("config.json")))
    else:
        config = json.loads(json.dumps(DEFAULTS))
        for key, value in json.loads(args.config).items():
            if isinstance(value, dict):
                for phase, settings in value.items():
                    config[key].setdefault(phase, {}).update(settings)
            else:
                config[key] = value
        config.update(data=os.path.abspath(args.data), features=os.path.abspath(args.features), phase_order=args.phases.split(","),
                      init_weights=args.init_weights and os.path.abspath(args.init_weights))
        json.dump(config, open(run.file("config.json"), "w"), indent=1)
    torch.set_num_threads(args.threads or config["threads"])
    torch.manual_seed(config["seed"])

    vocab, n_words = load_vocab(os.path.join(config["data"], "word_counts.txt"))
    config["vocab_size"] = n_words + 2
    captions = json.load(open(os.path.join(config["data"], "captions.json")))
    feature_dir = config["features"]
    # The data set's photos (its split.json), e.g. only those with German descriptions.
    split_file = os.path.join(config["data"], "split.json")
    split = json.load(open(split_file)) if os.path.exists(split_file) else {}
    train_files, *train_arrays = load_split(shards(feature_dir, "train"), set(split["train"]) if split else None)
    val_files, *val_arrays = load_split(shards(feature_dir, "val"), set(split["val"]) if split else None)
    # A decoder that begins from other weights keeps the standardisation it was trained with.
    stats = (config.get("init_weights") and init_stats(config["init_weights"])) or feature_stats(train_arrays[0], train_arrays[1])
    train_photos, val_photos = Photos(*train_arrays, stats), Photos(*val_arrays, stats)
    model = AttendAndTell(config["vocab_size"], train_arrays[0].shape[1], train_arrays[1].shape[2], config["embed"], config["units"],
                          config["attention_size"], config["attention"], config["dropout"],
                          word_classes(vocab, config["vocab_size"]) if config.get("evidence") else None)
    if config.get("init_weights") and not os.path.exists(run.file("checkpoint.pt")):  # until the first checkpoint holds them
        copied = import_weights(model, config, config["init_weights"], vocab)
        run.note({"initial_weights": config["init_weights"], "words_copied": copied})
    if args.snapshot:
        if args.snapshot_phase:
            finished = run.load(f"{args.snapshot_phase}.pt")
            if finished is None:
                sys.exit(f"{run.file(args.snapshot_phase + '.pt')} does not exist: that phase has not finished in this run")
            model.load_state_dict(finished["model"])
            phase, best_step = args.snapshot_phase, finished["best_step"]
        else:
            checkpoint = run.load("checkpoint.pt")
            if checkpoint is None:
                sys.exit(f"{run.file('checkpoint.pt')} does not exist yet: the run has no weights of its own to snapshot")
            model.load_state_dict(checkpoint["progress"]["best_model"] or checkpoint["model"])
            phase, best_step = checkpoint["phase"], checkpoint["progress"]["best_step"]
        os.makedirs(args.snapshot, exist_ok=True)
        export_package(model, stats, config, vocab, val_photos, val_files, args.snapshot)
        print(json.dumps({"snapshot": args.snapshot, "phase": phase, "best_step": best_step}))
        return
    run.note({"photos": {"train": len(train_files), "val": len(val_files)}, "vocabulary": n_words + 1,
              "parameters": sum(p.numel() for p in model.parameters()), "attention": config["attention"]})
    try:
        train_phases(run, model, config, vocab, captions, (train_files, train_photos), (val_files, val_photos))
    except LegOver:
        return
    export_package(model, stats, config, vocab, val_photos, val_files, run.path)
    run.note({"exported": run.file("weights.bin")})


def export_package(model, stats, config, vocab, val_photos, val_files, out):
    """OUT/weights.*, parity.json and word_counts.txt (the words kept, for export.ts --vocab)."""
    words, rows = package_words(vocab, config)
    export_weights(model, stats, config, out, rows)
    parity_reference(model, val_photos, val_files, vocab[config.get("target_start") or "<S>"], out, rows)
    counts = dict(line.rsplit(" ", 1) for line in open(os.path.join(config["data"], "word_counts.txt")).read().splitlines() if line)
    with open(os.path.join(out, "word_counts.txt"), "w") as f:
        f.writelines(f"{w} {counts[w].strip()}\n" for w in words)


def train_phases(run, model, config, vocab, captions, train, val):
    """Runs the phases not yet finished, each from the previous one's best weights."""
    (train_files, train_photos), (val_files, val_photos) = train, val
    unk, pad = len(vocab), len(vocab) + 1
    # A bilingual data set (prepare_de.py --bilingual-with) trains on both languages' captions and is
    # validated and self-critically trained in one: captions that begin with config "target_start".
    target_start = config.get("target_start")
    language_vocab = target_words(vocab, os.path.join(config["data"], config["target_words"])) if target_start else None
    word_mask = target_word_mask(config["vocab_size"], language_vocab) if target_start else None
    for i, phase in enumerate(config["phase_order"]):
        if os.path.exists(run.file(f"{phase}.pt")):  # finished earlier: start the next phase from its best weights
            model.load_state_dict(run.load(f"{phase}.pt")["model"])
            continue
        if i > 0 and not (run.load("checkpoint.pt") or {}).get("phase") == phase:
            model.load_state_dict(run.load(f"{config['phase_order'][i - 1]}.pt")["model"])
        if phase == "xe":
            train_pairs = [(row, start_and_words(c, vocab, unk, language_vocab)) for row, f in enumerate(train_files) for c in captions[f]]
            val_pairs = [(row, start_and_words(c, vocab, unk, language_vocab)) for row, f in enumerate(val_files) for c in captions[f]
                         if target_start is None or c.startswith(target_start + " ")]
            cross_entropy_phase(run, model, config, (train_photos, train_pairs), (val_photos, val_pairs), pad, word_mask)
        elif phase == "scst":
            id_to_word = {i: w for w, i in vocab.items()}
            train_refs = [in_language(captions[f], target_start) for f in train_files]
            train_rows = torch.tensor([row for row, refs in enumerate(train_refs) if refs])
            self_critical_phase(run, model, config, (train_photos, [r for r in train_refs if r], train_rows),
                                (val_photos, [in_language(captions[f], target_start) for f in val_files]),
                                id_to_word, vocab[target_start or "<S>"], vocab["</S>"], word_mask)


if __name__ == "__main__":
    main()
