import { describe, expect, it } from 'vitest';
import { PYTHON, runTrainingPython } from '../unit/helpers/training-python';

// training/german.py and training/prepare_de.py: the German descriptions' tokens, cleaning and neutral
// person words, run through Python as the data preparation runs them.
const NOUNS = ['hund', 'hand', 'ball', 'wasser', 'straße', 'wiese', 'tänzer', 'polizist', 'fahrrad', 'garten', 'kinder'];

function neutral(sentences: string[]): string[] {
  return runTrainingPython(
    ['from german import neutral_people, tokens', `nouns = set(${JSON.stringify(NOUNS)})`,
      'print(json.dumps([" ".join(neutral_people(tokens(s), nouns)) for s in data], ensure_ascii=False))'],
    sentences,
  ) as string[];
}

const AGREEMENT: [string, string][] = [
  // The examples.
  ['ein junger Mann', 'eine junge Person'],
  ['zwei Männer', 'zwei Personen'],
  ['ein kleines Mädchen', 'ein kleines Kind'],
  // Determiner and adjectives declined again for the new noun's gender, by case.
  ['Der Junge wirft den Ball', 'Das Kind wirft den Ball'],
  ['Ein Hund springt über einen großen Mann', 'Ein Hund springt über eine große Person'],
  ['Ein Mann gibt einem kleinen Jungen den Ball', 'Eine Person gibt einem kleinen Kind den Ball'],
  ['Eine junge Frau lächelt', 'Eine junge Person lächelt'],
  ['Ein kleiner Junge läuft', 'Ein kleines Kind läuft'],
  ['Ein großer , alter Mann', 'Eine große , alte Person'],
  ['Junger Mann mit Hund', 'Junge Person mit Hund'],
  ['Die Hand der Frau', 'Die Hand der Person'],
  ['Die Hand des Jungen', 'Die Hand des Kindes'],
  ['Dieser Mann lacht', 'Diese Person lacht'],
  // Contractions hold an article: zum Mann -> zur Person, im Mann has no feminine form.
  ['Ein Hund läuft zum Mann', 'Ein Hund läuft zur Person'],
  ['Ein Hund läuft zum Jungen', 'Ein Hund läuft zum Kind'],
  ['Ein Floh sitzt im Mann', 'Ein Floh sitzt in der Person'],
  // Number: forms that are singular and plural alike.
  ['Der Hund bringt den Jungen', 'Der Hund bringt das Kind'],
  ['Kinder spielen mit den Jungen', 'Kinder spielen mit den Kindern'],
  ['Mädchen spielen im Wasser', 'Kinder spielen im Wasser'],
  ['mit drei Mädchen', 'mit drei Kindern'],
  ['Die Mädchen lachen', 'Die Kinder lachen'],
  // The writer's wrong determiner is put right with the rest.
  ['ein Frau fährt Fahrrad', 'eine Person fährt Fahrrad'],
  // Compounds, female agent nouns (generic masculine), gendered adjectives.
  ['Ein Feuerwehrmann steht auf der Straße', 'Eine Feuerwehrperson steht auf der Straße'],
  ['Zwei Feuerwehrmänner', 'Zwei Feuerwehrleute'],
  ['Ein Schneemann im Garten', 'Ein Schneemann im Garten'],
  ['Eine junge Tänzerin tanzt', 'Ein junger Tänzer tanzt'],
  ['Zwei Polizistinnen mit einem Hund', 'Zwei Polizisten mit einem Hund'],
  ['Eine weibliche Tänzerin', 'Ein Tänzer'],
  ['Ein Hund sitzt im weiblichen Mann', 'Ein Hund sitzt in der Person'],
  // Pronouns follow the new gender; possessives only when the person is the nearest noun.
  ['Ein Mann mit seinem Hund', 'Eine Person mit ihrem Hund'],
  ['Ein Mann steht im Wasser , während er lacht', 'Eine Person steht im Wasser , während sie lacht'],
  ['Ein Junge wirft den Ball , er lacht', 'Ein Kind wirft den Ball , es lacht'],
  ['Ein Mädchen mit ihrem Hund', 'Ein Kind mit seinem Hund'],
  ['Ein Mann und ein Hund mit seinem Ball', 'Eine Person und ein Hund mit seinem Ball'],
  // Two people named one after the other are counted.
  ['Ein Mann und eine Frau sitzen', 'Zwei Personen sitzen'],
  // "junge" before a noun is the adjective.
  ['Eine junge Frau und der junge Hund', 'Eine junge Person und der junge Hund'],
];

describe.skipIf(!PYTHON)('training/german.py', () => {
  it('keeps umlauts, ß, hyphenated words and commas as tokens, joins apostrophes', () => {
    expect(
      runTrainingPython(['from german import tokens', 'print(json.dumps([tokens(s) for s in data], ensure_ascii=False))'], [
        'Zwei Männer im T-Shirt gehen über die Straße, für´s Foto.',
      ]),
    ).toEqual([['Zwei', 'Männer', 'im', 'T-Shirt', 'gehen', 'über', 'die', 'Straße', ',', 'fürs', 'Foto']]);
  });

  it.each(AGREEMENT)('%s -> %s', (before, after) => {
    expect(neutral([before])).toEqual([after]);
  });
});

describe.skipIf(!PYTHON)('training/prepare_de.py cleaning', () => {
  it('drops descriptions about the photo or the writer and too short ones; cuts to the first sentence; writes numbers out', () => {
    const result = runTrainingPython(
      ['import collections', 'from prepare_de import first_pass', 'report = collections.Counter()',
        'out = [first_pass(t, report) for t in data]', 'print(json.dumps({"out": out, "report": report}, ensure_ascii=False))'],
      ['Das Bild zeigt einen Hund.', 'Ich sehe einen Hund.', 'Hund.', '2 Hunde spielen. Es ist Winter bei uns.', 'Ein Hund läuft,'],
    ) as { out: (string[] | null)[]; report: Record<string, number> };
    expect(result.out).toEqual([null, null, null, ['zwei', 'Hunde', 'spielen'], ['Ein', 'Hund', 'läuft']]);
    expect(Object.values(result.report).reduce((a, b) => a + b, 0)).toBe(5);
  });

  it('reads nouns\' genders off the determiners and adjective endings before them, both where a form is singular and plural', () => {
    const captions = [
      'eine person läuft', 'eine person steht', 'ein kleiner hund bellt', 'eine person trägt einen hund', 'zwei hunde bellen',
      'drei hunde laufen', 'ein hund läuft', 'ein großer felsen liegt', 'eine person sieht einen felsen', 'zwei felsen liegen',
      'viele felsen liegen', 'eine person trägt ein hemd', 'eine person trägt ein hemd', 'mit dem hemd',
    ];
    expect(
      runTrainingPython(['from prepare_de import noun_genders', 'print(json.dumps(noun_genders(data, {"person", "hund", "hunde", "felsen", "hemd"})))'], captions),
    ).toEqual({ person: 'f', hund: 'm', hunde: 'p', felsen: 'mp', hemd: 'n' });
  });

  it('corrects a rare misspelling of a common word, but not a real word, an inflection or an umlaut written out', () => {
    const counts = { mit: 5000, mnit: 1, hunde: 3000, hundes: 1, meinem: 1, einem: 9000, 'männer': 4000, maenner: 1 };
    expect(
      runTrainingPython(['from prepare_de import spelling_fixes', 'print(json.dumps(spelling_fixes(data, {"meinem"}), ensure_ascii=False))'], counts),
    ).toEqual({ mnit: 'mit', maenner: 'männer' });
  });
});
