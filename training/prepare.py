"""Step 1 of the model pipeline: split the photos, normalise captions, build the vocabulary.

Reads ../shared/data (see its README) and writes into training/data/:
  split.json        train / val photo lists (val = true-aspect photos only, never trained on)
  captions.json     normalised, tokenised captions per photo
  lm_text.txt       tokenised caption texts without photos (val photos' captions removed)
  word_counts.txt   the tutorial's vocabulary format, words seen >= --min-count times
  val.jsonl         the validation photos' records in captions.jsonl format, for `npm run eval`
  train.txt, val.txt  photo file lists for training/encode.ts

With --neutral-people, every caption speaks of people without a gender (woman/man -> person,
girls/boys -> children, his/her -> their, ...), as Mozilla did for Firefox's alt-text model: a
decoder trained on them cannot guess a gender the photo does not show.
"""
import argparse
import collections
import gzip
import hashlib
import json
import os
import re

TOKEN = re.compile(r"[a-z0-9]+|'[a-z]+")


def tokenize(caption):
    """Lower-case words, possessive 's split off, and always one final '.', like im2txt's outputs."""
    words = TOKEN.findall(caption.lower())
    return words + ["."]


NEUTRAL_WORDS = {
    **dict.fromkeys(["woman", "man", "lady", "guy", "gentleman", "female", "male"], "person"),
    **dict.fromkeys(["women", "men", "ladies", "guys", "gentlemen", "females", "males"], "people"),
    **dict.fromkeys(["girl", "boy", "daughter", "son"], "child"),
    **dict.fromkeys(["girls", "boys", "daughters", "sons"], "children"),
    **dict.fromkeys(["she", "he"], "they"),
    **dict.fromkeys(["her", "his"], "their"),
    **dict.fromkeys(["hers"], "theirs"),
    **dict.fromkeys(["him"], "them"),
    **dict.fromkeys(["herself", "himself"], "themselves"),
    **dict.fromkeys(["mother", "father", "mom", "dad"], "parent"),
    **dict.fromkeys(["mothers", "fathers", "moms", "dads"], "parents"),
    **dict.fromkeys(["sister", "brother"], "sibling"),
    **dict.fromkeys(["sisters", "brothers"], "siblings"),
    **dict.fromkeys(["wife", "husband"], "spouse"),
    **dict.fromkeys(["bride", "groom"], "newlywed"),
    **dict.fromkeys(["actress", "actor"], "performer"),
    **dict.fromkeys(["waitress", "waiter"], "server"),
    **dict.fromkeys(["queen", "king"], "monarch"),
    **dict.fromkeys(["grandmother", "grandfather", "grandma", "grandpa"], "grandparent"),
    **dict.fromkeys(["aunt", "uncle", "niece", "nephew"], "relative"),
}
# Two neutral people named one after the other read better counted.
NEUTRAL_PHRASES = [("a person and a person", "two people"), ("a child and a child", "two children")]


def neutral_people(words):
    """A tokenised caption with its gendered person words made neutral (see NEUTRAL_WORDS)."""
    text = " " + " ".join(NEUTRAL_WORDS.get(w, w) for w in words) + " "
    for phrase, counted in NEUTRAL_PHRASES:
        text = text.replace(f" {phrase} ", f" {counted} ")
    return text.split()


def flickr_id(name):
    """Flickr8k names look like 1000268201_693b08cb0e.jpg, Flickr30k ones like 1000268201.jpg."""
    return name.split("_")[0].split(".")[0]


def stable_rank(name):
    return hashlib.sha1(name.encode()).hexdigest()


def load_photos(data):
    return [json.loads(line) for line in open(os.path.join(data, "captions.jsonl"))]


def split_photos(photos, coco_val):
    """-> (train file names, sorted; validation file names, a set): validation is the true-aspect
    Flickr8k dev photos and COCO_VAL of the COCO val2017 ones (a fixed pseudo-random choice)."""
    coco = sorted((p["file"] for p in photos if p["dataset"] == "coco2017"), key=stable_rank)
    val = {p["file"] for p in photos if p["dataset"] == "flickr8k" and p["source_split"] == "dev" and not p["squashed"]}
    val |= set(coco[:coco_val])
    return sorted(p["file"] for p in photos if p["file"] not in val), val


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--data", default=os.path.join(os.path.dirname(__file__), "..", "..", "shared", "data"))
    parser.add_argument("--out", default=os.path.join(os.path.dirname(__file__), "data"))
    parser.add_argument("--coco-val", type=int, default=400)
    parser.add_argument("--min-count", type=int, default=20)
    parser.add_argument("--neutral-people", action="store_true", help="captions without gendered person words")
    args = parser.parse_args()
    words_of = (lambda caption: neutral_people(tokenize(caption))) if args.neutral_people else tokenize
    os.makedirs(args.out, exist_ok=True)

    photos = load_photos(args.data)
    train, val = split_photos(photos, args.coco_val)
    captions = {p["file"]: [words_of(c) for c in p["captions"]] for p in photos}
    info = {p["file"]: {k: p[k] for k in ("dataset", "width", "height", "squashed")} for p in photos}

    held_out_ids = {flickr_id(f) for f in val}
    lm_lines = []
    for name in ("flickr8k_captions.tsv.gz", "flickr30k_captions.tsv.gz", "coco_val2017_captions.tsv.gz"):
        with gzip.open(os.path.join(args.data, "text", name), "rt") as f:
            for line in f:
                image, _, caption = line.rstrip("\n").partition("\t")
                if flickr_id(image) not in held_out_ids and image not in val:
                    lm_lines.append(" ".join(words_of(caption)))

    counts = collections.Counter()
    for f in train:
        for c in captions[f]:
            counts.update(c)
    for line in lm_lines:
        counts.update(line.split())
    # Vocabulary size drives the download (embedding + softmax); report the out-of-vocabulary
    # rate on validation captions for several thresholds so the choice is measured.
    val_tokens = [w for f in val for c in captions[f] for w in c]
    for n in (2, 3, 5, 8, 10, 15, 20, 30, 40, 50):
        vocab = {w for w, c in counts.items() if c >= n}
        oov = sum(w not in vocab for w in val_tokens) / len(val_tokens)
        print(f"min_count={n:2d}: {len(vocab) + 2:6d} words, val OOV {oov:.4f}")

    words = ["<S>", "</S>"] + [w for w, c in sorted(counts.items(), key=lambda x: (-x[1], x[0])) if c >= args.min_count]
    n_captions = sum(len(captions[f]) for f in train)
    with open(os.path.join(args.out, "word_counts.txt"), "w") as f:
        for w in words:
            count = n_captions if w in ("<S>", "</S>") else counts[w]
            f.write(f"{w} {count}\n")
    for name, files in (("train", train), ("val", sorted(val))):
        with open(os.path.join(args.out, f"{name}.txt"), "w") as f:
            f.write("\n".join(files) + "\n")
    with open(os.path.join(args.out, "val.jsonl"), "w") as f:
        f.writelines(json.dumps(p) + "\n" for p in photos if p["file"] in val)
    json.dump({"train": train, "val": sorted(val), "info": info}, open(os.path.join(args.out, "split.json"), "w"))
    json.dump({f: [" ".join(c) for c in cs] for f, cs in captions.items()}, open(os.path.join(args.out, "captions.json"), "w"))
    with open(os.path.join(args.out, "lm_text.txt"), "w") as f:
        f.write("\n".join(lm_lines) + "\n")
    print(f"train {len(train)} photos, val {len(val)} photos, {len(lm_lines)} text-only captions, vocabulary {len(words)} (+1 unknown)")


if __name__ == "__main__":
    main()
