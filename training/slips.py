"""Grammar slips in a caption, as `npm run eval` counts them (src/eval/slips.ts, same definition):
- a coordinated subject with a singular verb ("a man and a woman is ..."): the caption opens with a
  noun phrase (no preposition or -ing word yet) joined by "and" to another one, then "is"; "and"
  between two colours ("a black and white dog is") or inside a later phrase ("a person in a shirt
  and jeans is") does not count;
- a phrase repeated: three words with a content word in them said twice ("a plate of a plate of
  food"), or the same noun twice after a/an/the as the head of its phrase ("a kitchen with a
  kitchen"; "a tennis racket on a tennis court" is fine);
- a doubled word, next to itself or across "and" ("white and white");
- an ending on a word that cannot end a sentence ("... sitting on a");
- a full stop before the end ("... on a cell . . ."), which the other kinds cannot see: they read
  the words without punctuation.
"""
from cider import scoring_tokens

FUNCTION_WORDS = frozenset(
    "a an the of and with in on at to for from by is are its their it this that there while as into near "
    "next down up over under through his her".split())
DANGLING_ENDINGS = frozenset("a an the of and with in on at to for from by is are its their".split())
PREPOSITIONS = frozenset("in on at with of near by from under over behind beside next inside outside into through across "
                         "along around above below between for to".split())
ARTICLES = frozenset(("a", "an", "the"))
COLOURS = frozenset("black white red blue green yellow brown orange pink purple gray grey silver gold tan dark light".split())


def repeated_phrase(words):
    triples = [tuple(words[i:i + 3]) for i in range(len(words) - 2)]
    content_triples = [t for t in triples if any(w not in FUNCTION_WORDS for w in t)]
    # A noun after an article heads its phrase when no content word follows it.
    head_nouns = [w for i, w in enumerate(words) if i > 0 and words[i - 1] in ARTICLES and w not in FUNCTION_WORDS
                  and (i + 1 == len(words) or words[i + 1] in FUNCTION_WORDS)]
    return len(content_triples) != len(set(content_triples)) or len(head_nouns) != len(set(head_nouns))


def coordinated_subject_with_is(words):
    """"a man and a woman is": the caption's opening noun phrase and another, joined by "and", take "is"."""
    if "is" not in words or "and" not in words:
        return False
    first_is, conjunction = words.index("is"), words.index("and")
    if conjunction < 1 or conjunction > first_is:
        return False
    opening = words[:conjunction]
    return not any(w in PREPOSITIONS or w.endswith("ing") for w in opening) and words[conjunction + 1] not in COLOURS


def slips(caption):
    """The kinds of slip in a caption (an empty list when it has none)."""
    words = scoring_tokens(caption)
    found = []
    if coordinated_subject_with_is(words):
        found.append("and-is")
    if repeated_phrase(words):
        found.append("repeated-phrase")
    return found + surface_slips(caption, words, "and", DANGLING_ENDINGS)


def surface_slips(caption, words, conjunction, dangling_endings):
    """The slips either language finds the same way: a doubled word ("white and white" too), a
    dangling end, and a full stop before the last one."""
    found = []
    if any(words[i] == words[i + 1] for i in range(len(words) - 1)) or any(
            words[i] == words[i + 2] and words[i + 1] == conjunction for i in range(len(words) - 2)):
        found.append("doubled-word")
    if words and words[-1] in dangling_endings:
        found.append("dangling-end")
    if "." in caption.split()[:-1]:
        found.append("inner-stop")
    return found
