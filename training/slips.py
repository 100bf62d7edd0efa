"""Grammar slips in a caption, as `npm run eval` counts them (src/eval/slips.ts, same definition):
- a coordinated subject with a singular verb ("a dog and a cat is ...");
- a phrase repeated: a word pair with a content word in it, said twice ("a plate of a plate of food");
- a doubled word, next to itself or across "and" ("white and white");
- an ending on a word that cannot end a sentence ("... sitting on a").
"""
import re

FUNCTION_WORDS = frozenset(
    "a an the of and with in on at to for from by is are its their it this that there while as into near "
    "next down up over under through his her".split())
DANGLING_ENDINGS = frozenset("a an the of and with in on at to for from by is are its their".split())
_TOKEN = re.compile(r"[a-z0-9]+|'[a-z]+")


def caption_words(caption):
    """Lower-case words without punctuation, as scoringTokens in src/eval/metrics.ts."""
    return _TOKEN.findall(caption.lower())


def slips(caption):
    """The kinds of slip in a caption (an empty list when it has none)."""
    words = caption_words(caption)
    found = []
    if "is" in words and "and" in words[:words.index("is")]:
        found.append("and-is")
    pairs = [tuple(words[i:i + 2]) for i in range(len(words) - 1)]
    content_pairs = [p for p in pairs if any(w not in FUNCTION_WORDS for w in p)]
    if len(content_pairs) != len(set(content_pairs)):
        found.append("repeated-phrase")
    if any(words[i] == words[i + 1] for i in range(len(words) - 1)) or any(
            words[i] == words[i + 2] and words[i + 1] == "and" for i in range(len(words) - 2)):
        found.append("doubled-word")
    if words and words[-1] in DANGLING_ENDINGS:
        found.append("dangling-end")
    return found
