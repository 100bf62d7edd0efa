"""CIDEr-D for training (the self-critical reward and the validation score during training).

Same definition as src/eval/metrics.ts (pycocoevalcap): n = 1..4, sigma = 6, clipped tf-idf, length
penalty, x10; document frequencies come from the reference set given to the constructor. Hypotheses
are caption texts, tokenised here exactly as the references are: a caption's final "." is in no
reference's tokens, so scoring it as a word would dilute the n-gram vectors and shift the length
penalty by one word.
"""
import math
import re
from collections import Counter

MAX_N = 4
SIGMA = 6.0
_TOKEN = re.compile(r"[a-z0-9äöüß]+|'[a-z]+")  # German letters too (the English captions have none)


def scoring_tokens(caption):
    """Lower-case words without punctuation, as scoringTokens in src/eval/metrics.ts."""
    return _TOKEN.findall(caption.lower())


def _ngrams(words):
    return [Counter(tuple(words[i:i + n]) for i in range(len(words) - n + 1)) for n in range(1, MAX_N + 1)]


class CiderD:
    def __init__(self, references):
        """references: per image, a list of reference captions (strings)."""
        document_frequency = Counter()
        ref_grams = []
        for refs in references:
            grams = [_ngrams(scoring_tokens(r)) for r in refs]
            document_frequency.update({g for per_ref in grams for per_n in per_ref for g in per_n})
            ref_grams.append(grams)
        self._df = document_frequency
        self._log_images = math.log(len(references))
        self._refs = [[self._tf_idf(g) for g in grams] for grams in ref_grams]

    def _tf_idf(self, grams):
        vectors, norms = [], []
        for per_n in grams:
            vector = {g: tf * (self._log_images - math.log(max(1, self._df.get(g, 0)))) for g, tf in per_n.items()}
            vectors.append(vector)
            norms.append(math.sqrt(sum(v * v for v in vector.values())))
        # pycocoevalcap's "length" is the bigram term-frequency total; kept for parity with metrics.ts.
        return vectors, norms, sum(grams[1].values())

    def score(self, image, caption):
        """CIDEr-D of one caption text against the references of image `image`."""
        hyp_vectors, hyp_norms, hyp_length = self._tf_idf(_ngrams(scoring_tokens(caption)))
        total = 0.0
        for ref_vectors, ref_norms, ref_length in self._refs[image]:
            penalty = math.exp(-((hyp_length - ref_length) ** 2) / (2 * SIGMA * SIGMA))
            for n in range(MAX_N):
                ref_vector = ref_vectors[n]
                value = sum(min(h, ref_vector.get(g, 0.0)) * ref_vector.get(g, 0.0) for g, h in hyp_vectors[n].items())
                if hyp_norms[n] and ref_norms[n]:
                    value /= hyp_norms[n] * ref_norms[n]
                total += value * penalty
        return total / MAX_N / len(self._refs[image]) * 10

    def corpus(self, captions):
        """Mean CIDEr-D of one caption text per image, in the order of the references."""
        return sum(self.score(i, caption) for i, caption in enumerate(captions)) / len(captions)
