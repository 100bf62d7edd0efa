"""Step 3: train the Show and Tell decoder on cached image features (PyTorch, CPU).

The model is im2txt's: image features -> linear image embedding, fed as the first LSTM input from a
zero state; then word embeddings of <S> w1 .. wn; dropout on the LSTM outputs; softmax over the
vocabulary (+1 unknown). Optionally pre-trains the same decoder as a language model on caption texts
without photos (zero image input), then fine-tunes on photos (early stopping on validation loss),
then optionally with self-critical sequence training on the CIDEr-D reward (early stopping on the
validation photos' greedy CIDEr-D).

Writes OUT/weights.bin + OUT/weights.json in TensorFlow BasicLSTMCell layout (gates i, j, f, o,
forget bias 1.0 applied at run time), with the feature standardisation folded into the image
embedding, plus OUT/parity.json (reference outputs for the exporter's parity test) and OUT/log.json.
"""
import argparse
import json
import math
import os
import random
import time

import numpy as np
import torch
from torch import nn

from cider import CiderD

FEATURE_SIZE = 800
FORGET_BIAS = 1.0


def load_vocab(path):
    words = [line.rsplit(" ", 1)[0] for line in open(path) if line.strip()]
    return {w: i for i, w in enumerate(words)}, len(words)


def encode_caption(caption, vocab, unk):
    return [vocab["<S>"]] + [vocab.get(w, unk) for w in caption.split()] + [vocab["</S>"]]


def load_features(prefix):
    """-> file names, feature rows, and whether the photos were flipped left to right."""
    files = [l for l in open(prefix + ".files.txt").read().split("\n") if l]
    data = np.fromfile(prefix + ".f32", dtype=np.float32).reshape(-1, FEATURE_SIZE)
    if len(data) != len(files):
        raise SystemExit(f"{prefix}: {len(data)} feature rows for {len(files)} files (encoding unfinished?)")
    view = json.load(open(prefix + ".json")) if os.path.exists(prefix + ".json") else {}
    return files, data, view.get("flip", False)


def mirror_caption(caption):
    """The caption of the photo flipped left to right."""
    swap = {"left": "right", "right": "left"}
    return " ".join(swap.get(word, word) for word in caption.split())


class ShowAndTell(nn.Module):
    def __init__(self, vocab_size, embed, units, dropout):
        super().__init__()
        self.image_embedding = nn.Linear(FEATURE_SIZE, embed)
        self.word_embedding = nn.Embedding(vocab_size, embed)
        self.lstm = nn.LSTM(embed, units, batch_first=True)
        self.dropout = nn.Dropout(dropout)
        self.logits = nn.Linear(units, vocab_size)
        with torch.no_grad():  # match TF's forget bias so exported and trained cells agree from step 0
            self.lstm.bias_ih_l0.zero_()
            self.lstm.bias_hh_l0.zero_()
            self.lstm.bias_hh_l0[units:2 * units].fill_(FORGET_BIAS)

    def forward(self, features, tokens):
        """features [B, F] (None for language-model pre-training), tokens [B, T] -> LSTM outputs [B, T, U]."""
        words = self.dropout(self.word_embedding(tokens))
        if features is None:
            return self.lstm(words)[0]
        image = self.image_embedding(self.dropout(features)).unsqueeze(1)
        return self.lstm(torch.cat([image, words], 1))[0][:, 1:]

    # Inference one word at a time, as im2txt's interface (and the exported graph) runs it.
    def initial_state(self, features):
        """features [B, F] -> LSTM state (h, c) after the image embedding was fed from a zero state."""
        return self.lstm(self.image_embedding(self.dropout(features)).unsqueeze(1))[1]

    def step(self, words, state):
        """word ids [B] and a state -> logits [B, vocabulary] of the next word, and the new state."""
        output, state = self.lstm(self.dropout(self.word_embedding(words)).unsqueeze(1), state)
        return self.logits(self.dropout(output[:, 0])), state


def batches(pairs, batch_size, pad, shuffle):
    """Batches of similar caption lengths (less padding); batch order random when shuffling."""
    order = list(range(len(pairs)))
    if shuffle:
        random.shuffle(order)
    window = batch_size * 50
    groups = []
    for start in range(0, len(order), window):
        chunk = sorted(order[start:start + window], key=lambda i: len(pairs[i][1]))
        groups += [chunk[i:i + batch_size] for i in range(0, len(chunk), batch_size)]
    if shuffle:
        random.shuffle(groups)
    for group in groups:
        chunk = [pairs[i] for i in group]
        length = max(len(c) for _, c in chunk)
        tokens = torch.full((len(chunk), length), pad, dtype=torch.long)
        for row, (_, caption) in enumerate(chunk):
            tokens[row, :len(caption)] = torch.tensor(caption)
        yield [f for f, _ in chunk], tokens


def caption_loss(model, features, tokens, pad):
    """Summed cross-entropy of predicting each next word; the softmax runs only where a word is due."""
    outputs = model(features, tokens[:, :-1])
    targets = tokens[:, 1:]
    due = targets != pad
    logits = model.logits(model.dropout(outputs[due]))
    return nn.functional.cross_entropy(logits, targets[due], reduction="sum")


def evaluate(model, pairs, feature_table, pad, batch_size=512):
    model.eval()
    total, count = 0.0, 0
    with torch.no_grad():
        for keys, tokens in batches(pairs, batch_size, pad, shuffle=False):
            features = None if feature_table is None else feature_table[torch.tensor(keys)]
            total += caption_loss(model, features, tokens, pad).item()
            count += (tokens[:, 1:] != pad).sum().item()
    model.train()
    return total / count


def decode(model, features, start, end, max_length, sample):
    """Unrolls the decoder from the image: sampled (sample=True) or greedy words, their summed
    log-probabilities (with gradients) and the word lists. A caption ends at </S> or max_length."""
    return unroll(model.step, model.initial_state(features), len(features), start, end, max_length, sample)


def unroll(step, state, n, start, end, max_length, sample):
    """Any decoder's words from its initial state: `step(words, state)` -> (logits, state)."""
    word = torch.full((n,), start, dtype=torch.long)
    alive = torch.ones(n, dtype=torch.bool)
    log_prob = torch.zeros(n)
    words = torch.full((n, max_length), end, dtype=torch.long)
    for t in range(max_length):
        logits, state = step(word, state)
        step_log_probs = torch.log_softmax(logits[:, :-1], -1)  # never the padding id
        word = torch.multinomial(step_log_probs.detach().exp(), 1)[:, 0] if sample else step_log_probs.argmax(-1)
        log_prob = log_prob + torch.where(alive, step_log_probs.gather(1, word[:, None])[:, 0], torch.zeros(()))
        words[:, t] = torch.where(alive, word, torch.full_like(word, end))
        alive = alive & (word != end)
        if not alive.any():
            break
    return log_prob, words


def self_critical(model, table, n_train_rows, n_val_rows, captions_by_row, id_to_word, start, end, args, log):
    """Self-critical sequence training (Rennie et al. 2017): sample several captions per photo and
    raise the probability of those whose CIDEr-D beats the mean of the photo's other samples (the
    baseline of Luo 2020). Keeps the decoder with the best greedy CIDEr-D on the validation photos."""
    train_cider = CiderD(captions_by_row[:n_train_rows])
    val_cider = CiderD(captions_by_row[n_train_rows:n_train_rows + n_val_rows])
    val_features = table[n_train_rows:n_train_rows + n_val_rows]
    to_text = lambda ids: " ".join(id_to_word.get(i, "<UNK>") for i in ids.tolist() if i != end)

    def val_score():
        with torch.no_grad():
            _, words = decode(model, val_features, start, end, args.max_length, sample=False)
        return val_cider.corpus([to_text(w) for w in words])

    # Captions are sampled without dropout, from the model the app runs (measured: greedy validation
    # CIDEr-D 0.384 after 250 steps, against 0.376 with dropout on).
    model.eval()

    snapshot = lambda: {name: value.clone() for name, value in model.state_dict().items()}
    optimizer = torch.optim.Adam(model.parameters(), lr=args.scst_lr)
    best = val_score()
    best_state = snapshot()
    print(json.dumps({"phase": "scst", "step": 0, "val_cider_greedy": round(best, 4)}), flush=True)
    started, step, bad_checks = time.time(), 0, 0
    samples = args.scst_samples
    while True:
        for rows in torch.randperm(n_train_rows).split(args.scst_batch):
            features = table[rows].repeat_interleave(samples, 0)
            log_prob, words = decode(model, features, start, end, args.max_length, sample=True)
            reward = torch.tensor([train_cider.score(int(rows[i // samples]), to_text(w)) for i, w in enumerate(words)])
            reward = reward.view(-1, samples)
            baseline = (reward.sum(1, keepdim=True) - reward) / (samples - 1)
            loss = -((reward - baseline).view(-1) * log_prob).mean()
            optimizer.zero_grad()
            loss.backward()
            nn.utils.clip_grad_norm_(model.parameters(), 5.0)
            optimizer.step()
            step += 1
            elapsed = time.time() - started
            out_of_budget = elapsed > args.scst_minutes * 60 or step >= args.scst_steps
            if step % args.eval_every == 0 or out_of_budget:
                val = val_score()
                entry = {"phase": "scst", "step": step, "minutes": round(elapsed / 60, 2),
                         "train_reward": round(reward.mean().item(), 4), "val_cider_greedy": round(val, 4)}
                log.append(entry)
                print(json.dumps(entry), flush=True)
                if val > best + 1e-4:
                    best, bad_checks = val, 0
                    best_state = snapshot()
                    torch.save(best_state, os.path.join(args.out, "scst.pt"))
                else:
                    bad_checks += 1
                if bad_checks >= args.patience or out_of_budget:
                    model.load_state_dict(best_state)
                    return best


def swap_gate_order(m, units):
    """Gate blocks along axis 0 between PyTorch (i, f, g, o) and TensorFlow (i, j, f, o): swaps blocks 1 and 2."""
    return np.concatenate([m[0:units], m[2 * units:3 * units], m[units:2 * units], m[3 * units:4 * units]], 0)


def export_weights(model, mean, std, units, out):
    """PyTorch LSTM (gates i,f,g,o; two biases) -> TF BasicLSTMCell (gates i,j,f,o; kernel [in+U, 4U])."""
    sd = {k: v.detach().double().numpy() for k, v in model.state_dict().items()}
    reorder = lambda m: swap_gate_order(m, units)
    kernel = np.concatenate([reorder(sd["lstm.weight_ih_l0"]).T, reorder(sd["lstm.weight_hh_l0"]).T], 0)
    bias = reorder(sd["lstm.bias_ih_l0"] + sd["lstm.bias_hh_l0"])
    bias[2 * units:3 * units] -= FORGET_BIAS
    w_img = sd["image_embedding.weight"].T / std[:, None]
    b_img = sd["image_embedding.bias"] - (mean / std) @ sd["image_embedding.weight"].T
    tensors = {
        "image_embedding/weights": w_img, "image_embedding/biases": b_img,
        "seq_embedding/map": sd["word_embedding.weight"],
        "lstm/kernel": kernel, "lstm/bias": bias,
        "logits/weights": sd["logits.weight"].T, "logits/biases": sd["logits.bias"],
    }
    write_weights(tensors, {"units": units, "forgetBias": FORGET_BIAS}, out)


def write_weights(tensors, facts, out):
    """OUT/weights.bin (the tensors as float32, one after another) and OUT/weights.json (the facts,
    and each tensor's shape and byte offset), as training/export.ts reads them."""
    manifest, blobs, offset = {}, [], 0
    for name, value in tensors.items():
        blob = np.ascontiguousarray(value, dtype=np.float32).tobytes()
        manifest[name] = {"shape": list(value.shape), "offset": offset}
        blobs.append(blob)
        offset += len(blob)
    with open(os.path.join(out, "weights.bin"), "wb") as f:
        f.write(b"".join(blobs))
    json.dump({**facts, "tensors": manifest}, open(os.path.join(out, "weights.json"), "w"), indent=1)


def import_weights(model, run_dir, mean, std, units):
    """The inverse of export_weights: loads RUN_DIR/weights.json + weights.bin (from train.py, or from a
    shipped package via training/unpack.ts) into the model, unfolding the standardisation with the
    current features' mean and std. The padding word, which export drops, gets a zero embedding and a
    logit that is never sampled."""
    manifest = json.load(open(os.path.join(run_dir, "weights.json")))
    blob = open(os.path.join(run_dir, "weights.bin"), "rb").read()
    if manifest["units"] != units or manifest["forgetBias"] != FORGET_BIAS:
        raise SystemExit(f"{run_dir}: {manifest['units']} units, forget bias {manifest['forgetBias']}; expected {units}, {FORGET_BIAS}")

    def tensor(name):
        entry = manifest["tensors"][name]
        return np.frombuffer(blob, np.float32, math.prod(entry["shape"]), entry["offset"]).reshape(entry["shape"]).astype(np.float64)

    reorder = lambda m: swap_gate_order(m, units)  # its own inverse
    kernel = tensor("lstm/kernel")
    embed = kernel.shape[0] - units
    bias = tensor("lstm/bias")
    bias[2 * units:3 * units] += FORGET_BIAS
    w_img = tensor("image_embedding/weights") * std[:, None]
    with_padding = lambda m, value: np.concatenate([m, np.full((1,) + m.shape[1:], value)], 0)
    sd = {
        "image_embedding.weight": w_img.T,
        "image_embedding.bias": tensor("image_embedding/biases") + (mean / std) @ w_img,
        "word_embedding.weight": with_padding(tensor("seq_embedding/map"), 0.0),
        "lstm.weight_ih_l0": reorder(kernel[:embed].T),
        "lstm.weight_hh_l0": reorder(kernel[embed:].T),
        "lstm.bias_ih_l0": reorder(bias),
        "lstm.bias_hh_l0": np.zeros(4 * units),
        "logits.weight": with_padding(tensor("logits/weights").T, 0.0),
        "logits.bias": with_padding(tensor("logits/biases"), -30.0),
    }
    model.load_state_dict({name: torch.tensor(value, dtype=torch.float32) for name, value in sd.items()})


def parity_reference(model, raw_features, mean, std, start_id, out):
    """Reference outputs on real features: initial state, then one step from <S>, as log-probabilities."""
    model.eval()
    with torch.no_grad():
        h, c = model.initial_state(torch.tensor((raw_features[:2] - mean) / std, dtype=torch.float32))
        logits, (h2, c2) = model.step(torch.full((2,), start_id, dtype=torch.long), (h, c))
        log_probs = torch.log_softmax(logits, -1)
    json.dump({
        "features": raw_features[:2].tolist(),
        "initialState": torch.cat([c[0], h[0]], 1).tolist(),
        "inputFeed": [start_id, start_id],
        "logProbs": log_probs.tolist(),
        "state": torch.cat([c2[0], h2[0]], 1).tolist(),
    }, open(os.path.join(out, "parity.json"), "w"))


def train_loop(model, train_pairs, val_pairs, table, pad, args, label, minutes, max_steps, log):
    optimizer = torch.optim.Adam(model.parameters(), lr=args.lr)
    best, best_state, bad_checks = math.inf, None, 0
    started = time.time()
    step, tokens_seen = 0, 0
    done = False
    while not done:
        for keys, tokens in batches(train_pairs, args.batch_size, pad, shuffle=True):
            features = None if table is None else table[torch.tensor(keys)]
            n = (tokens[:, 1:] != pad).sum().item()
            loss = caption_loss(model, features, tokens, pad) / n
            optimizer.zero_grad()
            loss.backward()
            nn.utils.clip_grad_norm_(model.parameters(), 5.0)
            optimizer.step()
            step += 1
            tokens_seen += n
            elapsed = time.time() - started
            out_of_budget = elapsed > minutes * 60 or step >= max_steps
            if step % args.eval_every == 0 or out_of_budget:
                val = evaluate(model, val_pairs, table, pad)
                entry = {"phase": label, "step": step, "minutes": round(elapsed / 60, 2), "train_loss": round(loss.item(), 4),
                         "val_loss": round(val, 4), "tokens_per_s": round(tokens_seen / elapsed)}
                log.append(entry)
                print(json.dumps(entry), flush=True)
                if val < best - 1e-4:
                    best, bad_checks = val, 0
                    best_state = {k: v.clone() for k, v in model.state_dict().items()}
                    torch.save(best_state, os.path.join(args.out, f"{label}.pt"))
                else:
                    bad_checks += 1
                if bad_checks >= args.patience or out_of_budget:
                    done = True
                    break
    model.load_state_dict(best_state)
    return best


def main():
    parser = argparse.ArgumentParser()
    here = os.path.dirname(__file__)
    parser.add_argument("--data", default=os.path.join(here, "data"))
    parser.add_argument("--train-features", nargs="+", default=[], help="feature prefixes (several views allowed)")
    parser.add_argument("--val-features", nargs="+", default=[])
    parser.add_argument("--init", help="start from this checkpoint (e.g. OUT/lm.pt of a language-model run)")
    parser.add_argument("--init-weights", help="start from RUN_DIR/weights.json + weights.bin (an export, or a package unpacked by unpack.ts)")
    parser.add_argument("--out", required=True)
    parser.add_argument("--embed", type=int, default=256)
    parser.add_argument("--units", type=int, default=384)
    parser.add_argument("--dropout", type=float, default=0.3)
    parser.add_argument("--lr", type=float, default=2e-3)
    parser.add_argument("--batch-size", type=int, default=128)
    parser.add_argument("--eval-every", type=int, default=200)
    parser.add_argument("--patience", type=int, default=3)
    parser.add_argument("--minutes", type=float, default=math.inf, help="wall-clock budget of the caption phase")
    parser.add_argument("--steps", type=int, default=1000, help="step budget of the caption phase (reproducible, unlike minutes)")
    parser.add_argument("--lm-minutes", type=float, default=math.inf)
    parser.add_argument("--lm-steps", type=int, default=0, help="language-model pre-training steps on text-only captions")
    parser.add_argument("--lm-limit", type=int, default=0, help="use at most this many text-only captions (0 = all)")
    parser.add_argument("--scst-steps", type=int, default=0, help="self-critical (CIDEr-D reward) steps after the caption phase")
    parser.add_argument("--scst-minutes", type=float, default=math.inf)
    parser.add_argument("--scst-lr", type=float, default=5e-5)
    parser.add_argument("--scst-batch", type=int, default=50, help="photos per self-critical step")
    parser.add_argument("--scst-samples", type=int, default=5, help="sampled captions per photo")
    parser.add_argument("--max-length", type=int, default=20, help="longest caption sampled, as the app's beam search")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()

    random.seed(args.seed)
    np.random.seed(args.seed)
    torch.manual_seed(args.seed)
    torch.set_num_threads(args.threads)
    os.makedirs(args.out, exist_ok=True)

    vocab, n_words = load_vocab(os.path.join(args.data, "word_counts.txt"))
    unk = n_words
    pad = n_words + 1  # never predicted: excluded from the loss and from the exported softmax
    vocab_size = n_words + 2
    captions = json.load(open(os.path.join(args.data, "captions.json")))
    model = ShowAndTell(vocab_size, args.embed, args.units, args.dropout)
    if args.init:
        model.load_state_dict(torch.load(args.init))
    log = []
    started = time.time()
    if args.lm_steps > 0:
        lines = [l for l in open(os.path.join(args.data, "lm_text.txt")).read().split("\n") if l]
        random.shuffle(lines)
        if args.lm_limit:
            lines = lines[: args.lm_limit]
        lm_pairs = [(0, encode_caption(l, vocab, unk)) for l in lines]
        val_split = json.load(open(os.path.join(args.data, "split.json")))["val"]
        lm_val = [(0, encode_caption(c, vocab, unk)) for f in val_split for c in captions[f]]
        train_loop(model, lm_pairs, lm_val, None, pad, args, "lm", args.lm_minutes, args.lm_steps, log)
    if not args.train_features:
        json.dump({"args": vars(args), "log": log}, open(os.path.join(args.out, "lm_log.json"), "w"), indent=1)
        return

    rows, captions_by_row = [], []

    def caption_pairs(prefixes):
        """Appends each photo's feature row to `rows`; returns (row index, word ids) per caption."""
        pairs = []
        for prefix in prefixes:
            files, data, flipped = load_features(prefix)
            for f, row in zip(files, data):
                texts = [mirror_caption(c) for c in captions[f]] if flipped else captions[f]
                rows.append(row)
                captions_by_row.append(texts)
                pairs += [(len(rows) - 1, encode_caption(c, vocab, unk)) for c in texts]
        return pairs

    train_pairs = caption_pairs(args.train_features)
    n_train_rows = len(rows)
    val_pairs = caption_pairs(args.val_features)
    raw = np.stack(rows)
    mean = raw[:n_train_rows].mean(0).astype(np.float64)
    std = raw[:n_train_rows].std(0).astype(np.float64) + 1e-3
    table = torch.tensor((raw - mean) / std, dtype=torch.float32)
    if args.init_weights:
        import_weights(model, args.init_weights, mean, std, args.units)
    print(f"{n_train_rows} train feature rows, {len(train_pairs)} train captions, {len(val_pairs)} val captions, vocab {vocab_size - 1}", flush=True)

    best = {}
    if args.steps > 0:
        best["val_loss"] = train_loop(model, train_pairs, val_pairs, table, pad, args, "caption", args.minutes, args.steps, log)
    if args.scst_steps > 0:
        id_to_word = {i: w for w, i in vocab.items()}
        best["val_cider_greedy"] = self_critical(model, table, n_train_rows, len(rows) - n_train_rows, captions_by_row,
                                                 id_to_word, vocab["<S>"], vocab["</S>"], args, log)

    # Drop the padding row/column: the exported softmax covers the vocabulary plus the unknown word.
    with torch.no_grad():
        model.word_embedding.weight = nn.Parameter(model.word_embedding.weight[:vocab_size - 1])
        model.logits.weight = nn.Parameter(model.logits.weight[:vocab_size - 1])
        model.logits.bias = nn.Parameter(model.logits.bias[:vocab_size - 1])
    export_weights(model, mean, std, args.units, args.out)
    parity_reference(model, raw[n_train_rows:], mean, std, vocab["<S>"], args.out)
    json.dump({"args": vars(args), "best": best, "wall_minutes": round((time.time() - started) / 60, 2),
               "torch": torch.__version__, "log": log}, open(os.path.join(args.out, "log.json"), "w"), indent=1)
    print(f"best {json.dumps(best)}; wrote {args.out}", flush=True)


if __name__ == "__main__":
    main()
