"""Grammar slips in a German caption, as `npm run eval` counts them (src/eval/slips-de.ts, same definition;
a unit test keeps the two equal), following the English ones (slips.py):
- agreement: a determiner, the adjectives after it and their noun that no gender, number and case fit
  together ("eine junger Person", "ein großes Hund", "die kleine Kinder"); the nouns' genders come from
  src/eval/german-noun-genders.json (prepare_de.py counts the determiners seen before each noun; "mp" for a
  form that is singular and plural alike, as "felsen");
- a coordinated subject with a singular verb ("eine Person und ein Hund sitzt"): the caption opens with
  a noun phrase joined by "und" to another one, then a verb in -t;
- a relative clause opened with "dass" instead of the pronoun ("ein Kind , dass spielt"): a noun, a comma,
  "dass" (not after the few nouns a dass-clause completes: "die Tatsache , dass");
- a phrase repeated: three words with a content word in them said twice, or the same noun twice after
  a determiner as the head of its phrase ("ein Tisch mit einem Tisch");
- a doubled word, next to itself or across "und" ("weiß und weiß");
- an ending on a word that cannot end a sentence ("... sitzt auf einem");
- a full stop before the end.
"""
import json
import os
import re

# Hyphenated words whole ("t-shirt"), commas kept: "eine Person , die Ball spielt" has a relative pronoun.
TOKEN = re.compile(r"[a-z0-9äöüß]+(?:-[a-z0-9äöüß]+)*|,")

from slips import surface_slips
from german import ADJECTIVE_ENDINGS, CASES, DEFINITE, DER_ENDINGS, DER_STEMS, EIN_ENDINGS, EIN_STEMS

NOUN_GENDERS_FILE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "src", "eval", "german-noun-genders.json")
NOUN_GENDERS = json.load(open(NOUN_GENDERS_FILE, encoding="utf-8")) if os.path.exists(NOUN_GENDERS_FILE) else {}
# Preposition and article in one word: the readings of the article.
CONTRACTIONS = {"im": (("m", "dat"), ("n", "dat")), "am": (("m", "dat"), ("n", "dat")), "vom": (("m", "dat"), ("n", "dat")),
                "zum": (("m", "dat"), ("n", "dat")), "beim": (("m", "dat"), ("n", "dat")), "zur": (("f", "dat"),),
                "ins": (("n", "acc"),), "ans": (("n", "acc"),), "aufs": (("n", "acc"),)}
NUMBERS = frozenset("zwei drei vier fünf sechs sieben acht neun zehn elf zwölf viele einige mehrere beide wenige".split())
INVARIABLE = frozenset("orange beige rosa lila pink extra super".split())
ADJECTIVE_SUFFIXES = ("e", "er", "en", "em", "es")
PREPOSITIONS = frozenset(
    "mit von zu bei aus nach seit gegenüber neben zwischen unter vor hinter in an auf über für durch gegen ohne um entlang "
    "während im am vom zum zur beim ins ans aufs".split())
CONJUNCTIONS = frozenset("und oder sowie".split())
PRONOUNS = frozenset("sich es er sie ihr ihre ihren ihrem ihrer sein seine seinen seinem seiner der die das den dem".split())
NOUNS_BEFORE_DASS = frozenset("tatsache hoffnung angst sorge gefühl eindruck zeichen beweis idee vorstellung meinung glaube".split())
FUNCTION_WORDS = PREPOSITIONS | CONJUNCTIONS | PRONOUNS | frozenset(
    ", ein eine einer einen einem eines des ist sind wird werden hat haben als wie dabei auch noch sehr".split())
# Not the prepositions that are also separable verb particles, which end many sentences ("sieht ihnen zu").
DANGLING_ENDINGS = CONJUNCTIONS | frozenset(
    ", ein eine einer einen einem eines der die das den dem des ihre ihren ihrem ihrer sein seine seinen seinem seiner "
    "sehr in von bei neben zwischen hinter für gegen ohne während im am vom zum zur beim ins ans aufs".split())


def determiner_readings(word):
    """-> (kind, [(gender, case), ...]) of a determiner (gender "p": plural), or None."""
    if word in CONTRACTIONS:
        return "definite", list(CONTRACTIONS[word])
    readings = [(g, c) for g, forms in DEFINITE.items() for c, form in zip(CASES, forms) if form == word]
    if readings:
        return "definite", readings
    for kind, stems, endings in (("ein", EIN_STEMS, EIN_ENDINGS), ("der", DER_STEMS, DER_ENDINGS)):
        for stem in stems:
            if word.startswith(stem):
                readings = [(g, c) for g, forms in endings.items() for c, ending in zip(CASES, forms)
                            if stem + ending == word and not (stem == "ein" and g == "p")]
                if readings:
                    return kind, readings
    if word in NUMBERS:
        return "none", [("p", c) for c in CASES]
    return None


def is_adjective(word):
    return word.endswith(ADJECTIVE_SUFFIXES) and word not in NOUN_GENDERS and word not in FUNCTION_WORDS and word not in INVARIABLE


def noun_phrase(words, start):
    """The adjectives and the noun after position START: (adjectives, noun index), or None without a known noun."""
    adjectives, j = [], start
    while j < len(words) and (is_adjective(words[j]) or words[j] in INVARIABLE) and len(adjectives) < 4:
        if is_adjective(words[j]):
            adjectives.append(words[j])
        j += 1
    return (adjectives, j) if j < len(words) and words[j] in NOUN_GENDERS else None


def fits(kind, gender, case, adjectives):
    ending = ADJECTIVE_ENDINGS[kind][gender][CASES.index(case)]
    return all(a.endswith(ending) for a in adjectives)


def disagreement(words):
    """A determiner (or none, before adjectives) whose adjectives and noun no gender, number and case fit."""
    for i, word in enumerate(words):
        reading = determiner_readings(word)
        if reading is None or (i > 0 and words[i - 1] == ","):  # after a comma: a relative pronoun
            continue
        phrase = noun_phrase(words, i + 1)
        if phrase is None:
            continue
        kind, readings = reading
        adjectives, noun = phrase
        genders = NOUN_GENDERS[words[noun]]  # "m", or "mp" for a form that is singular and plural alike
        if not any(g in genders and fits(kind, g, c, adjectives) for g, c in readings):
            return True
    return False


def repeated_phrase(words):
    triples = [tuple(words[i:i + 3]) for i in range(len(words) - 2)]
    content_triples = [t for t in triples if any(w not in FUNCTION_WORDS for w in t)]
    head_nouns = [w for i, w in enumerate(words) if i > 0 and determiner_readings(words[i - 1]) and words[i - 1] not in NUMBERS
                  and w not in FUNCTION_WORDS and (i + 1 == len(words) or words[i + 1] in FUNCTION_WORDS)]
    return len(content_triples) != len(set(content_triples)) or len(head_nouns) != len(set(head_nouns))


def coordinated_subject_with_singular_verb(words):
    """"eine Person und ein Hund sitzt": the opening noun phrase and another, joined by "und", take a verb in -t."""
    if "und" not in words:
        return False
    conjunction = words.index("und")
    if conjunction < 1 or any(w in PREPOSITIONS for w in words[:conjunction]) or conjunction + 1 >= len(words):
        return False
    if not determiner_readings(words[conjunction + 1]):
        return False
    phrase = noun_phrase(words, conjunction + 2)
    if phrase is None or phrase[1] + 1 >= len(words):
        return False
    verb = words[phrase[1] + 1]
    return verb.endswith("t") and verb not in FUNCTION_WORDS


def relative_dass(words):
    """"ein Kind , dass spielt": a relative clause needs "das"; after a noun, "dass" opens one only for a few abstract nouns."""
    return any(w == "dass" and i >= 2 and words[i - 1] == "," and words[i - 2] in NOUN_GENDERS and words[i - 2] not in NOUNS_BEFORE_DASS
               for i, w in enumerate(words))


def slips(caption):
    """The kinds of slip in a German caption (an empty list when it has none)."""
    words = TOKEN.findall(caption.lower())
    found = []
    if disagreement(words):
        found.append("agreement")
    if coordinated_subject_with_singular_verb(words):
        found.append("und-ist")
    if relative_dass(words):
        found.append("relative-dass")
    if repeated_phrase(words):
        found.append("repeated-phrase")
    return found + surface_slips(caption, words, "und", DANGLING_ENDINGS)
