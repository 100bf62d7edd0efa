"""German descriptions for the German decoder: tokens, rule-based cleaning, and person words without a gender.

Used by training/prepare_de.py; unit tested by test/training/german-prepare.test.ts.

Tokens keep their case here (the neutral-person rules read it: "junge" is an adjective, "Junge" a noun)
and are lower-cased only for the model; umlauts and ß are letters, a hyphenated word is one token
("T-Shirt") and commas are tokens of their own.

Neutral person words (as prepare.py's NEUTRAL_WORDS does for English): Mann/Frau/Herr/Dame ->
Person/Personen, Junge/Mädchen/Sohn/Tochter -> Kind/Kinder, X-mann/X-frau -> X-person (plural
X-leute), the feminine -in forms of person nouns -> their generic masculine ("Tänzerin" -> "Tänzer"),
and so on (PERSON_NOUNS). German marks gender on the words before the noun, so the noun phrase is
made to agree: its determiner and its attributive adjectives are read (definite, ein-word, der-word or
none; case from the determiner's form and the old noun's gender) and declined again for the new noun's
gender ("ein junger Mann" -> "eine junge Person", "dem kleinen Jungen" -> "dem kleinen Kind", "im
Mann" -> "in der Person"). Pronouns that refer back to a replaced noun (the nearest noun before them)
follow its new gender: "ein Mann mit seinem Hund" -> "eine Person mit ihrem Hund".
"""
import re
import unicodedata

LETTERS = "A-Za-zÄÖÜäöüß0-9"
TOKEN = re.compile(rf"[{LETTERS}]+(?:-[{LETTERS}]+)*|,")
APOSTROPHES = re.compile(r"[´`'’]")


def tokens(text):
    """Words with their case, hyphenated words whole, commas as tokens; apostrophes joined ("für´s" -> "fürs")."""
    return TOKEN.findall(APOSTROPHES.sub("", unicodedata.normalize("NFC", text)))


# ------------------------------------------------------------------------------------------ grammar

GENDERS = ("m", "f", "n")  # the tables below also give the plural, as gender "p"
CASES = ("nom", "acc", "dat", "gen")
DEFINITE = {"m": ("der", "den", "dem", "des"), "f": ("die", "die", "der", "der"), "n": ("das", "das", "dem", "des"),
            "p": ("die", "die", "den", "der")}
# Endings of ein-words (ein, kein, mein, sein, ihr, ...; "ein" has no plural) and der-words (dieser, jeder, ...).
EIN_ENDINGS = {"m": ("", "en", "em", "es"), "f": ("e", "e", "er", "er"), "n": ("", "", "em", "es"), "p": ("e", "e", "en", "er")}
DER_ENDINGS = {"m": ("er", "en", "em", "es"), "f": ("e", "e", "er", "er"), "n": ("es", "es", "em", "es"), "p": ("e", "e", "en", "er")}
EIN_STEMS = ("ein", "kein", "mein", "dein", "sein", "ihr", "unser", "euer")
DER_STEMS = ("dies", "jen", "jed", "welch", "manch", "solch")
# Adjective endings after each kind of determiner.
ADJECTIVE_ENDINGS = {
    "definite": {"m": ("e", "en", "en", "en"), "f": ("e", "e", "en", "en"), "n": ("e", "e", "en", "en"), "p": ("en",) * 4},
    "ein": {"m": ("er", "en", "en", "en"), "f": ("e", "e", "en", "en"), "n": ("es", "es", "en", "en"), "p": ("en",) * 4},
    "none": {"m": ("er", "en", "em", "en"), "f": ("e", "e", "er", "er"), "n": ("es", "es", "em", "en"), "p": ("e", "e", "en", "er")},
}
ADJECTIVE_ENDINGS["der"] = ADJECTIVE_ENDINGS["definite"]
# Preposition + article in one word: the article they hold (gender, case) and their form for another gender.
CONTRACTIONS = {"im": "in", "am": "an", "vom": "von", "zum": "zu", "beim": "bei", "zur": "zu", "ins": "in", "ans": "an", "aufs": "auf"}
DATIVE_CONTRACTIONS = {"m": {"in": "im", "an": "am", "von": "vom", "zu": "zum", "bei": "beim"}, "f": {"zu": "zur"}}
DATIVE_CONTRACTIONS["n"] = DATIVE_CONTRACTIONS["m"]
ACCUSATIVE_CONTRACTIONS = {"n": {"in": "ins", "an": "ans", "auf": "aufs"}}
PREPOSITIONS = frozenset(
    "mit von zu bei aus nach seit gegenüber neben zwischen unter vor hinter in an auf über für durch gegen ohne um "
    "entlang während wegen trotz".split())
ADVERBS = frozenset("sehr ganz recht ziemlich etwas eher besonders relativ noch".split())
PLURAL_WORDS = frozenset(
    "zwei drei vier fünf sechs sieben acht neun zehn elf zwölf einige viele mehrere beide beiden alle wenige "
    "einigen vielen mehreren allen wenigen".split())


def determiner_form(kind, stem, gender, case):
    index = CASES.index(case)
    if kind == "definite":
        return DEFINITE[gender][index]
    return stem + (EIN_ENDINGS if kind == "ein" else DER_ENDINGS)[gender][index]


def read_determiner(word):
    """-> (kind, stem, [(gender, case), ...] it can stand for in the singular), or None."""
    word = word.lower()
    readings = [(g, c) for g in GENDERS for i, c in enumerate(CASES) if DEFINITE[g][i] == word]
    if readings:
        return "definite", "", readings
    for kind, stems, endings in (("ein", EIN_STEMS, EIN_ENDINGS), ("der", DER_STEMS, DER_ENDINGS)):
        for stem in stems:
            if word.startswith(stem):
                ending = word[len(stem):]
                readings = [(g, c) for g in GENDERS for i, c in enumerate(CASES) if endings[g][i] == ending]
                if readings:
                    return kind, stem, readings
    return None


# ----------------------------------------------------------------------------------- person nouns

# lower-cased form -> (gender of the word, number, what it becomes); number "?" where the form is both.
# Targets: "person" (Person, f), "kind" (Kind, n), "elternteil" (n), or a plural word of its own.
PERSON_NOUNS = {}


def _nouns(target, gender, singular, plural, oblique=()):
    for form in singular:
        PERSON_NOUNS[form] = (gender, "sg", target)
    for form in oblique:  # weak nouns: Junge -> des/dem/den Jungen, which is also the plural
        PERSON_NOUNS[form] = (gender, "?", target)
    for form in plural:
        PERSON_NOUNS.setdefault(form, (gender, "pl", target))


_nouns("person", "m", ["mann", "kerl", "typ", "herr", "gentleman", "ehemann", "bräutigam", "bruder", "opa", "großvater"],
       ["männer", "männern", "kerle", "kerlen", "typen", "herren", "ehemänner", "ehemännern", "brüder", "brüdern", "opas",
        "großväter", "großvätern"], ["herrn", "burschen"])
_nouns("person", "m", ["bursche"], [])
_nouns("person", "f", ["frau", "dame", "lady", "ehefrau", "braut", "schwester", "oma", "großmutter"],
       ["frauen", "damen", "ladys", "ehefrauen", "bräute", "bräuten", "schwestern", "omas", "großmütter", "großmüttern"])
_nouns("kind", "m", ["junge", "knabe", "bub", "sohn"], ["jungs", "söhne", "söhnen"], ["jungen", "knaben", "buben"])
_nouns("kind", "f", ["tochter"], ["töchter", "töchtern"])
_nouns("kind", "n", ["mädel", "mädchen", "girl"], ["mädels", "girls"])
_nouns("elternteil", "m", ["vater", "papa"], ["väter", "vätern", "papas"])
_nouns("elternteil", "f", ["mutter", "mama"], ["mütter", "müttern", "mamas"])
PERSON_NOUNS["mädchen"] = ("n", "?", "kind")
# Bare Mädchen is a plural unless its verb says otherwise.
TARGETS = {  # target -> (gender, singular by case, plural, dative plural)
    "person": ("f", ("Person",) * 4, "Personen", "Personen"),
    "kind": ("n", ("Kind", "Kind", "Kind", "Kindes"), "Kinder", "Kindern"),
    "elternteil": ("n", ("Elternteil", "Elternteil", "Elternteil", "Elternteils"), "Eltern", "Eltern"),
}
NOT_PEOPLE = frozenset("schneemann weihnachtsmann hampelmann strohmann jedermann".split())
GENDERED_ADJECTIVES = ("männlich", "weiblich")


def compound_person(word):
    """Feuerwehrmann -> (m, sg, 'Feuerwehr') and the like: a compound whose last part is a man or a woman."""
    lower = word.lower()
    if lower in NOT_PEOPLE or lower in PERSON_NOUNS:
        return None
    for ending, gender, number in (("männern", "m", "pl"), ("männer", "m", "pl"), ("mann", "m", "sg"), ("frauen", "f", "pl"), ("frau", "f", "sg")):
        if lower.endswith(ending) and len(lower) > len(ending) + 2:
            return gender, number, word[:len(word) - len(ending)]
    return None


def feminine_agent(word, nouns):
    """Tänzerin -> (sg, 'Tänzer'), Polizistinnen -> (pl, 'Polizist'): a female form whose base is a known noun."""
    lower = word.lower()
    for ending, number in (("innen", "pl"), ("in", "sg")):
        base = lower[:-len(ending)]
        if lower.endswith(ending) and base.endswith(("er", "ist", "ant", "ent", "eur", "ler", "ner")) and base in nouns:
            return number, word[:len(word) - len(ending)]
    return None


# -------------------------------------------------------------------------------------- neutralise

def _capitalised_like(word, model):
    return word[:1].upper() + word[1:] if model[:1].isupper() else word


def _is_noun(word, nouns, position):
    lower = word.lower()
    return lower in nouns or lower in PERSON_NOUNS or (position > 0 and word[:1].isupper())


class _Phrase:
    """The noun phrase before a person noun: its determiner (index or None), adjectives, and the word before."""

    def __init__(self, words, noun_index, nouns):
        self.adjectives, self.determiner = [], None
        j = noun_index - 1
        while j >= 0:
            word = words[j]
            lower = word.lower()
            if read_determiner(word) or lower in CONTRACTIONS or lower in PLURAL_WORDS:
                break
            if lower in (",", "und") or lower in ADVERBS:
                j -= 1
                continue
            adjective_too = lower in ("junge", "jungen") and not word[:1].isupper()  # "ein junger Mann", not "ein Junge"
            if lower.endswith(("e", "er", "en", "em", "es")) and (adjective_too or not _is_noun(word, nouns, j)) and lower not in PREPOSITIONS:
                self.adjectives.append(j)
                j -= 1
                continue
            break
        # "und"/"," only join adjectives: the phrase starts after any left at its front.
        self.start = j + 1
        while self.start < noun_index and words[self.start].lower() in (",", "und"):
            self.start += 1
        self.adjectives = [a for a in self.adjectives if a >= self.start]
        self.determiner = j if j >= 0 and (read_determiner(words[j]) or words[j].lower() in CONTRACTIONS) else None
        self.quantified = j >= 0 and words[j].lower() in PLURAL_WORDS


def _singular_reading(words, phrase, gender, nouns):
    """-> (declension kind, stem, case) of a singular phrase whose noun has GENDER."""
    if phrase.determiner is None:
        if not phrase.adjectives:
            return "none", "", "nom"
        first = words[min(phrase.adjectives)].lower()
        for i, case in enumerate(CASES):
            if first.endswith(ADJECTIVE_ENDINGS["none"][gender][i]):
                return "none", "", case
        return "none", "", "nom"
    word = words[phrase.determiner].lower()
    if word in CONTRACTIONS:
        return "contraction", CONTRACTIONS[word], "acc" if word.endswith("s") else "dat"
    kind, stem, readings = read_determiner(word)
    # A determiner that does not fit the noun ("ein Frau", "eine Mann") is the writer's slip: its case still counts.
    cases = [c for g, c in readings if g == gender] or [c for _, c in readings]
    case = cases[0]
    # "der Frau" is dative after a preposition, genitive after a noun ("die Hand der Frau").
    if gender == "f" and case == "dat" and phrase.determiner > 0 and _is_noun(words[phrase.determiner - 1], nouns, phrase.determiner - 1):
        case = "gen"
    return kind, stem, case


def _decline_adjective(word, kind, old_gender, new_gender, case):
    table = ADJECTIVE_ENDINGS["definite" if kind == "contraction" else kind]
    old, new = table[old_gender][CASES.index(case)], table[new_gender][CASES.index(case)]
    lower = word.lower()
    if not lower.endswith(old) or any(lower.startswith(g) for g in GENDERED_ADJECTIVES):
        return word
    # The longest ending that fits: "jungen" after "einen" (-en), not -e + n.
    return word[:len(word) - len(old)] + new


def _phrase_start(phrase):
    return phrase.determiner if phrase.determiner is not None else phrase.start - 1 if phrase.quantified else phrase.start


def _after_preposition(words, phrase):
    start = _phrase_start(phrase)
    return start >= 1 and words[start - 1].lower() in PREPOSITIONS


def _dative_plural(words, phrase):
    start = _phrase_start(phrase)
    first = words[start].lower() if start < len(words) else ""
    return first in ("den", "einigen", "vielen", "mehreren", "beiden", "allen", "wenigen") or _after_preposition(words, phrase)


def _number(words, index, phrase, gender, number):
    """Singular or plural for forms that can be either (Mädchen, Jungen, Herrn...)."""
    if number != "?":
        return number
    if phrase.quantified:
        return "pl"
    if phrase.determiner is not None:
        word = words[phrase.determiner].lower()
        if word in CONTRACTIONS:
            return "sg"
        _, _, readings = read_determiner(word)
        singular = any(g == gender for g, _ in readings)
        if word == "den" and gender == "m":  # den Jungen: one, unless a preposition makes it dative
            return "pl" if _after_preposition(words, phrase) else "sg"
        if word == "die" or (word == "der" and gender == "n"):
            return "pl"
        return "sg" if singular else "pl"
    if phrase.adjectives and gender == "n":
        return "sg" if words[min(phrase.adjectives)].lower().endswith("es") else "pl"
    follower = words[index + 1].lower() if index + 1 < len(words) else ""
    return "sg" if follower.endswith("t") and not follower.endswith("en") else "pl"


def neutral_people(words, nouns):
    """Tokens (with case) -> tokens with every gendered person noun made neutral and its phrase made to agree.
    NOUNS: the lower-cased words known as nouns (from the descriptions' capitals), to tell nouns from adjectives."""
    words = list(words)
    referents = {}  # index of a replaced singular noun -> (old gender, new gender, target)
    i = 0
    while i < len(words):
        word = words[i]
        lower = word.lower()
        entry = PERSON_NOUNS.get(lower)
        if lower == "junge" and i + 1 < len(words) and _is_noun(words[i + 1], nouns, i + 1):
            entry = None  # "junge Frau": the adjective
        if lower == "junge" and word[:1].islower() and i > 0 and read_determiner(words[i - 1]) is None:
            entry = None
        if entry:
            gender, number, target = entry
            new_gender, singular, plural, dative_plural = TARGETS[target]
        elif compound_person(word):
            gender, number, head = compound_person(word)
            new_gender, target = "f", "compound"
            singular, plural, dative_plural = (head + "person",) * 4, head + "leute", head + "leuten"
        elif feminine_agent(word, nouns):
            number, base = feminine_agent(word, nouns)
            gender, new_gender, target = "f", "m", "agent"
            weak = base.lower().endswith(("ist", "ant", "ent"))
            oblique = base + "en" if weak else base
            singular = (base, oblique, oblique, base + ("en" if weak else "s"))
            plural = base + ("en" if weak else "")
            dative_plural = plural + ("" if weak or plural.endswith("n") else "n")
        else:
            i += 1
            continue
        phrase = _Phrase(words, i, nouns)
        number = _number(words, i, phrase, gender, number)
        if number == "pl":
            words[i] = _capitalised_like(dative_plural if _dative_plural(words, phrase) else plural, word)
            i += 1
            continue
        kind, stem, case = _singular_reading(words, phrase, gender, nouns)
        words[i] = _capitalised_like(singular[CASES.index(case)], word)
        for a in phrase.adjectives:
            words[a] = _decline_adjective(words[a], kind, gender, new_gender, case)
        # Gendered adjectives go ("eine weibliche Person" says what the noun no longer does).
        for a in sorted(phrase.adjectives, reverse=True):
            if any(words[a].lower().startswith(g) for g in GENDERED_ADJECTIVES):
                del words[a]
                i -= 1
        if phrase.determiner is not None:
            d = phrase.determiner
            if kind == "contraction":
                contractions = (ACCUSATIVE_CONTRACTIONS if case == "acc" else DATIVE_CONTRACTIONS).get(new_gender, {})
                if stem in contractions:
                    words[d] = _capitalised_like(contractions[stem], words[d])
                else:  # "im Mann" -> "in der Person"
                    article = DEFINITE[new_gender][CASES.index(case)]
                    words[d:d + 1] = [_capitalised_like(stem, words[d]), article]
                    i += 1
            else:
                words[d] = _capitalised_like(determiner_form(kind, stem, new_gender, case), words[d])
        referents[i] = (gender, new_gender, target)
        i += 1
    words = _pronouns(words, referents, nouns)
    return _counted(words)


POSSESSIVE = re.compile(r"^(sein|ihr)(e|en|em|er|es)?$", re.IGNORECASE)


def _pronouns(words, referents, nouns):
    """Pronouns after a replaced singular noun take its new gender: possessives when it is the nearest noun
    before them ("ein Hund mit seinem Ball" keeps "seinem"), personal pronouns (er, ihn, ihm: people, in
    descriptions) when it is the last person named."""
    person, nearest = None, None
    for i, word in enumerate(words):
        if i in referents:
            person = nearest = referents[i]
            continue
        lower = word.lower()
        possessive = POSSESSIVE.match(word)
        if _is_noun(word, nouns, i) and not possessive and lower not in ("er", "es", "sie", "ihn", "ihm"):
            nearest = None  # a nearer noun: later possessives may mean it
            continue
        current = nearest if possessive else person
        if current is None:
            continue
        old, new, target = current
        mapping = {}
        if new == "f" and old != "f":
            mapping = {"er": "sie", "ihn": "sie", "ihm": "ihr"}
            if possessive and possessive.group(1).lower() == "sein":
                words[i] = _capitalised_like("ihr" + (possessive.group(2) or ""), word)
        elif new in ("n", "m") and old == "f" or (old == "n" and target == "kind"):
            if possessive and possessive.group(1).lower() == "ihr" and i + 1 < len(words) and words[i + 1] not in (",",):
                words[i] = _capitalised_like("sein" + (possessive.group(2) or ""), word)
        elif new == "n" and old == "m":
            mapping = {"er": "es", "ihn": "es"}
        if lower in mapping:
            words[i] = _capitalised_like(mapping[lower], word)
    return words


COUNTED = [("eine person und eine person", "zwei personen"), ("einer person und einer person", "zwei personen"),
           ("ein kind und ein kind", "zwei kinder"), ("einem kind und einem kind", "zwei kindern"),
           ("person und person", "zwei personen"), ("kind und kind", "zwei kinder")]


def _counted(words):
    """Two neutral people named one after the other read better counted ("zwei Personen")."""
    lower = [w.lower() for w in words]
    for phrase, counted in COUNTED:
        parts, replacement = phrase.split(), counted.split()
        i = 0
        while i + len(parts) <= len(words):
            if lower[i:i + len(parts)] == parts:
                new = [_capitalised_like(replacement[0], words[i])] + [w.capitalize() for w in replacement[1:]]
                words[i:i + len(parts)] = new
                lower[i:i + len(parts)] = [w.lower() for w in new]
            i += 1
    return words
