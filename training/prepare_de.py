"""Step 1 for the German decoder: the German descriptions (Multi30k task 2) of the Flickr8k photos,
cleaned, with neutral person words, and their vocabulary.

    /usr/bin/python3 training/prepare_de.py [--out training/data/de] [--bilingual-with training/data/neutral]

Photos are matched by Flickr id (the part of the file name before "_"). The validation split is the
English one (prepare.py's split_photos): its photos with German descriptions are the German
validation photos, never trained on. Descriptions of Flickr30k photos that are not among the photos
(and not validation photos) are text without photos: they count towards the vocabulary and tell
nouns from other words.

Writes into OUT:
  split.json, train.txt, val.txt   the German photos (train / val)
  captions.json     tokenised, lower-cased, neutral descriptions per photo (one final ".")
  lm_text.txt       the same for the descriptions without photos
  word_counts.txt   the vocabulary (prepare.py's format), words seen >= --min-count times
  nouns.txt         the vocabulary's nouns (capitalised in most descriptions that use capitals at all),
                    for the shown sentence's capitals
  val.jsonl         the validation photos' records with their German references, for `npm run eval`
  cleaning.json     what the cleaning dropped and fixed, counted
With --bilingual-with ENGLISH_DATA, also OUT-bilingual/: one vocabulary for both languages, and every
photo's English captions plus its German ones, which begin with the start word "<de>" instead of "<S>".
"""
import argparse
import collections
import gzip
import itertools
import json
import os
import re

from german import CASES, PERSON_NOUNS, neutral_people, tokens
from prepare import flickr_id, load_photos, split_photos
from slips_de import ADJECTIVE_SUFFIXES, FUNCTION_WORDS, PREPOSITIONS, determiner_readings, fits

GERMAN_START = "<de>"
FIRST_PERSON = frozenset("ich mir mich wir uns unser unsere unseren unserem unserer".split())
ABOUT_THE_PHOTO = re.compile(r"^\s*((das|dieses|ein|auf dem|auf diesem|im|in diesem) (bild|foto)|man sieht|man kann|zu sehen|hier (ist|sind|sieht))\b",
                             re.IGNORECASE)
SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=\S)")
NUMBERS = dict(zip(map(str, range(2, 13)), "zwei drei vier fünf sechs sieben acht neun zehn elf zwölf".split()))
ALPHABET = "abcdefghijklmnopqrstuvwxyzäöüß"
INFLECTION_LETTERS = "ensrm"
MIN_WORDS, MAX_WORDS = 3, 25


def first_pass(text, report):
    """-> tokens with their case, or None when the description is dropped (REPORT counts why)."""
    if ABOUT_THE_PHOTO.search(text):
        report["dropped: about the photo ('Das Bild zeigt', 'Man sieht')"] += 1
        return None
    sentences = [s for s in SENTENCE_END.split(text.strip()) if tokens(s)]
    if len(sentences) > 1:
        report["fixed: cut to the first sentence"] += 1
        text = sentences[0]
    words = tokens(text)
    if any(w.lower() in FIRST_PERSON for w in words):
        report["dropped: speaks of the writer ('ich', 'wir', 'uns')"] += 1
        return None
    if any(w in NUMBERS for w in words):
        report["fixed: a number in digits written out"] += 1
        words = [NUMBERS.get(w, w) for w in words]
    while words and words[-1] == ",":
        words.pop()
    count = sum(w != "," for w in words)
    if count < MIN_WORDS or count > MAX_WORDS:
        report[f"dropped: fewer than {MIN_WORDS} or more than {MAX_WORDS} words"] += 1
        return None
    return words


def spelling_fixes(counts, dictionary):
    """lower-cased word -> its correction, for rare words (seen once or twice) that the German word list
    DICTIONARY lacks: one edit from a word seen at least 100 times as often (not a change of ending among
    e/n/s/r/m, which is how German inflects), or written with ae/oe/ue/ss for ä/ö/ü/ß."""
    fixes = {}
    for word, count in counts.items():
        if count > 2 or len(word) < 4 or not word.isalpha() or word in dictionary:
            continue
        for plain, letter in (("ae", "ä"), ("oe", "ö"), ("ue", "ü"), ("ss", "ß")):
            spelt = word.replace(plain, letter)
            if spelt != word and counts.get(spelt, 0) > count:
                fixes[word] = spelt
        if word in fixes:
            continue
        candidates = []
        for i in range(len(word) + 1):
            edits = [word[:i] + c + word[i:] for c in ALPHABET]  # a letter left out
            if i < len(word):
                edits.append(word[:i] + word[i + 1:])  # one too many
                edits += [word[:i] + c + word[i + 1:] for c in ALPHABET if c != word[i]]
                if i + 1 < len(word):
                    edits.append(word[:i] + word[i + 1] + word[i] + word[i + 2:])
            for edit in edits:
                if counts.get(edit, 0) >= 100 * count and not same_word_inflected(word, edit):
                    candidates.append((counts[edit], edit))
        if candidates:
            fixes[word] = max(candidates)[1]
    return fixes


def same_word_inflected(a, b):
    """"kindes"/"kinder", "hunde"/"hund": the two differ only in endings German inflects with."""
    stem = os.path.commonprefix([a, b])
    return len(stem) >= min(len(a), len(b)) - 2 and set(a[len(stem):] + b[len(stem):]) <= set(INFLECTION_LETTERS)


def with_case(fixed, original):
    return fixed[:1].upper() + fixed[1:] if original[:1].isupper() else fixed


def noun_statistics(descriptions):
    """Lower-cased words written with a capital in most of their uses, counted only in descriptions that use
    capitals at all (some are written in lower case throughout) and never as the first word."""
    upper, lower = collections.Counter(), collections.Counter()
    for words in descriptions:
        if not any(w[:1].isupper() for w in words[1:]):
            continue
        for w in words[1:]:
            (upper if w[:1].isupper() else lower)[w.lower()] += 1
    return {w for w in upper if upper[w] >= 2 and upper[w] >= 1.5 * lower[w]}


COPULAS = frozenset("ist sind wird werden bleibt scheint".split())


def noun_genders(captions, nouns):
    """Each noun's genders ("m", "f", "n", "p" for a plural form; "mp" for a form that is both, as "felsen"),
    from the determiners and adjectives seen before it (slips_de's reading of them, narrowed by the
    position's case): the genders that at least 20% (and 2) of the phrases that allow only one choose, if at
    least 80% of all its phrases allow one of them."""
    votes = collections.defaultdict(collections.Counter)
    phrases = collections.defaultdict(list)
    for caption in captions:
        words = caption.split()
        for i, word in enumerate(words):
            if word not in nouns:
                continue
            j = i - 1
            while j >= 0 and words[j].endswith(ADJECTIVE_SUFFIXES) and not determiner_readings(words[j]) and words[j] not in nouns:
                j -= 1
            reading = determiner_readings(words[j]) if j >= 0 and (j == 0 or words[j - 1] != ",") else None
            if reading is None:
                continue
            kind, readings = reading
            # The case where the position says it: the opening phrase is the subject, a phrase after a verb
            # in -t ("trägt ein Hemd") its object.
            before = words[j - 1] if j > 0 else None
            # object, one after a preposition dative or accusative ("in der Hand").
            before = words[j - 1] if j > 0 else None
            cases = (("nom",) if before is None else ("acc",) if before.endswith("t") and before not in FUNCTION_WORDS | COPULAS
                     else ("dat", "acc") if before in PREPOSITIONS else CASES)
            readings = [(g, c) for g, c in readings if c in cases] or readings
            genders = {g for g, c in readings if fits(kind, g, c, words[j + 1:i])}
            if genders:
                phrases[word].append(genders)
                if len(genders) == 1:
                    votes[word][next(iter(genders))] += 1
    table = {}
    for word, counter in votes.items():
        chosen = "".join(sorted(g for g, n in counter.items() if n >= 2 and n >= 0.2 * sum(counter.values())))
        if chosen and sum(bool(genders & set(chosen)) for genders in phrases[word]) >= 0.8 * len(phrases[word]):
            table[word] = chosen
    return dict(sorted(table.items()))


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    parser = argparse.ArgumentParser()
    parser.add_argument("--data", default=os.path.join(here, "..", "..", "shared", "data"))
    parser.add_argument("--out", default=os.path.join(here, "data", "de"))
    parser.add_argument("--coco-val", type=int, default=400, help="as prepare.py: the same validation split")
    parser.add_argument("--min-count", type=int, default=20, help="20: about 3,300 words, as many as the English package's budget allows")
    parser.add_argument("--noun-genders", default=os.path.join(here, "..", "src", "eval", "german-noun-genders.json"),
                        help="where to write the vocabulary's nouns' genders, for the German grammar-slip measure")
    parser.add_argument("--dictionary", default="/usr/share/dict/ngerman", help="German word list (Debian wngerman): never corrected")
    parser.add_argument("--bilingual-with", metavar="ENGLISH_DATA", help="prepare.py's output to build OUT-bilingual from")
    args = parser.parse_args()
    os.makedirs(args.out, exist_ok=True)

    photos = load_photos(args.data)
    _, val = split_photos(photos, args.coco_val)
    by_id = {flickr_id(p["file"]): p for p in photos if p["dataset"] == "flickr8k"}
    held_out_ids = {flickr_id(f) for f in val}
    raw = collections.defaultdict(list)
    with gzip.open(os.path.join(args.data, "text", "multi30k_de_descriptions.tsv.gz"), "rt") as f:
        for line in f:
            image, _, text = line.rstrip("\n").partition("\t")
            raw[flickr_id(image)].append(text)

    report = collections.Counter()
    first = {}
    for image_id, texts in raw.items():
        if image_id in held_out_ids and image_id not in by_id:
            continue  # a validation photo's descriptions under another name: never text to learn from
        report["descriptions"] += len(texts)
        first[image_id] = [w for w in (first_pass(t, report) for t in texts) if w is not None]

    counts = collections.Counter(w.lower() for descriptions in first.values() for words in descriptions for w in words)
    if not os.path.exists(args.dictionary):
        raise SystemExit(f"{args.dictionary} is missing: apt-get install wngerman (a German word list), or name another with --dictionary")
    fixes = spelling_fixes(counts, {line.strip().lower() for line in open(args.dictionary, encoding="utf-8")})
    for descriptions in first.values():
        for words in descriptions:
            fixed = [with_case(fixes[w.lower()], w) if w.lower() in fixes else w for w in words]
            if fixed != words:
                report["fixed: spelling (a rare word one letter from a common one, ae/oe/ue/ss)"] += 1
                words[:] = fixed
    nouns = noun_statistics(words for descriptions in first.values() for words in descriptions)
    examples = sorted(fixes.items(), key=lambda item: -counts[item[1]])[:40]

    def neutral(words):
        before = [w.lower() for w in words]
        after = [w.lower() for w in neutral_people(words, nouns)]
        if after != before:
            report["neutral person words: descriptions changed"] += 1
        return after + ["."]

    german_photos = {image_id: p["file"] for image_id, p in by_id.items() if first.get(image_id)}
    captions = {name: [" ".join(neutral(w)) for w in first[image_id]] for image_id, name in german_photos.items()}
    german_val = sorted(f for f in captions if f in val)
    german_train = sorted(f for f in captions if f not in val)
    lm_lines = [" ".join(neutral(w)) for image_id, ds in first.items() if image_id not in by_id and image_id not in held_out_ids for w in ds]
    report["kept descriptions"] = sum(len(c) for c in captions.values()) + len(lm_lines)

    vocabulary_counts = collections.Counter()
    for f in german_train:
        for c in captions[f]:
            vocabulary_counts.update(c.split())
    for line in lm_lines:
        vocabulary_counts.update(line.split())
    val_tokens = [w for f in german_val for c in captions[f] for w in c.split()]
    for n in (3, 5, 8, 10, 12, 15, 20, 30, 40):
        vocab = {w for w, c in vocabulary_counts.items() if c >= n}
        print(f"min_count={n:2d}: {len(vocab) + 2:6d} words, val OOV {sum(w not in vocab for w in val_tokens) / len(val_tokens):.4f}")
    words = ["<S>", "</S>"] + [w for w, c in sorted(vocabulary_counts.items(), key=lambda x: (-x[1], x[0])) if c >= args.min_count]
    n_captions = sum(len(captions[f]) for f in german_train)
    write_vocabulary(os.path.join(args.out, "word_counts.txt"), words, lambda w: n_captions if w in ("<S>", "</S>") else vocabulary_counts[w])
    gendered = [w for w in words if w in PERSON_NOUNS]
    genders = noun_genders(itertools.chain((c for f in german_train for c in captions[f]), lm_lines), set(words) & nouns)
    with open(args.noun_genders, "w") as f:
        json.dump(genders, f, ensure_ascii=False, indent=0)
        f.write("\n")
    with open(os.path.join(args.out, "nouns.txt"), "w") as f:
        f.writelines(w + "\n" for w in words if w in nouns)
    for name, files in (("train", german_train), ("val", german_val)):
        with open(os.path.join(args.out, f"{name}.txt"), "w") as f:
            f.write("\n".join(files) + "\n")
    with open(os.path.join(args.out, "val.jsonl"), "w") as f:
        for name in german_val:
            record = {k: v for k, v in by_id[flickr_id(name)].items() if k != "captions"}
            f.write(json.dumps({**record, "language": "de", "captions": captions[name]}, ensure_ascii=False) + "\n")
    info = {p["file"]: {k: p[k] for k in ("dataset", "width", "height", "squashed")} for p in photos if p["file"] in captions}
    json.dump({"train": german_train, "val": german_val, "info": info}, open(os.path.join(args.out, "split.json"), "w"))
    json.dump(captions, open(os.path.join(args.out, "captions.json"), "w"), ensure_ascii=False)
    with open(os.path.join(args.out, "lm_text.txt"), "w") as f:
        f.write("\n".join(lm_lines) + "\n")
    summary = {**dict(sorted(report.items())), "spelling fixes (distinct words)": len(fixes), "spelling fix examples": dict(examples),
               "gendered person words left in the vocabulary": gendered,
               "photos": {"train": len(german_train), "val": len(german_val)}, "text-only descriptions": len(lm_lines),
               "vocabulary": len(words), "nouns in the vocabulary": sum(w in nouns for w in words),
               "nouns with a gender": len(genders)}
    json.dump(summary, open(os.path.join(args.out, "cleaning.json"), "w"), ensure_ascii=False, indent=1)
    print(json.dumps(summary, ensure_ascii=False, indent=1))
    if args.bilingual_with:
        write_bilingual(args.bilingual_with, args.out, words, captions, german_train, german_val)


def write_vocabulary(path, words, count):
    with open(path, "w") as f:
        f.writelines(f"{w} {count(w)}\n" for w in words)


def write_bilingual(english_dir, german_dir, german_words, german_captions, german_train, german_val):
    """GERMAN_DIR-bilingual: the English vocabulary, then the German words it lacks and "<de>"; every photo's
    English captions, then its German ones; german_words.txt, the words the German package keeps."""
    out = german_dir.rstrip("/") + "-bilingual"
    os.makedirs(out, exist_ok=True)
    english = [line.rsplit(" ", 1) for line in open(os.path.join(english_dir, "word_counts.txt")) if line.strip()]
    known = {w for w, _ in english}
    words = english + [(w, "0") for w in [GERMAN_START] + german_words[2:] if w not in known]
    with open(os.path.join(out, "word_counts.txt"), "w") as f:
        f.writelines(f"{w} {c.strip()}\n" for w, c in words)
    with open(os.path.join(out, "german_words.txt"), "w") as f:
        f.writelines(w + "\n" for w in [GERMAN_START] + german_words[1:])
    captions = json.load(open(os.path.join(english_dir, "captions.json")))
    english_split = json.load(open(os.path.join(english_dir, "split.json")))
    for name, german in german_captions.items():
        captions[name] = captions.get(name, []) + [f"{GERMAN_START} {c}" for c in german]
    json.dump(captions, open(os.path.join(out, "captions.json"), "w"), ensure_ascii=False)
    json.dump({"train": english_split["train"], "val": german_val, "german_train": german_train}, open(os.path.join(out, "split.json"), "w"))
    print(f"{out}: {len(words)} words, {len(captions)} photos with captions")


if __name__ == "__main__":
    main()
