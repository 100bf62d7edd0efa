"""Invented and recalled objects for the self-critical reward, as `npm run eval` counts them for CHAIR
(src/eval/hallucination.ts and ObjectWords in src/captioner/objects.ts, same definition): the
objects a caption names through training/objects.json, where a two-word phrase wins over its words,
and an object is invented when none of the photo's reference captions names the same class,
recalled when one does.
"""
import json
import os

from cider import scoring_tokens

OBJECT_WORDS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "objects.json")


class ObjectWords:
    def __init__(self, path=OBJECT_WORDS):
        self.words, self.phrases = {}, {}
        objects = json.load(open(path))["objects"]
        self.labels = list(objects)  # in the detector's class order, as the package's objects.json
        for label, names in objects.items():
            for name in names:
                parts = tuple(name.lower().split())
                (self.words if len(parts) == 1 else self.phrases)[" ".join(parts)] = label

    def mentioned_classes(self, caption):
        """The class of every object mention in the caption, left to right."""
        words, found, i = scoring_tokens(caption), [], 0
        while i < len(words):
            phrase = self.phrases.get(" ".join(words[i:i + 2])) if i + 1 < len(words) else None
            if phrase is not None:
                found.append(phrase)
                i += 2
                continue
            if words[i] in self.words:
                found.append(self.words[words[i]])
            i += 1
        return found


class ReferenceObjects:
    """What a caption's objects are against its photo's references: the different classes it names
    that no reference names (invented, CHAIR's hallucinations) and that one does (recalled, CHAIR's
    object recall counts them)."""

    def __init__(self, references, object_words=None):
        self.object_words = object_words or ObjectWords()
        self.truth = [{label for r in refs for label in self.object_words.mentioned_classes(r)} for refs in references]

    def invented(self, row, caption):
        return len(set(self.object_words.mentioned_classes(caption)) - self.truth[row])

    def recalled(self, row, caption):
        return len(set(self.object_words.mentioned_classes(caption)) & self.truth[row])
