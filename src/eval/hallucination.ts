/**
 * Object hallucination (Rohrbach et al. 2018, "Object Hallucination in Image Captioning"), in its
 * caption-only form: an object a caption names (through objects.json) is hallucinated when none of
 * the photo's reference captions names the same class. Plus two diversity measures.
 */
import type { ObjectWords } from '../captioner/objects';
import { scoringTokens } from './metrics';

export interface HallucinationScores {
  /** CHAIRs: captions with at least one hallucinated object / captions. */
  chairS: number;
  /** CHAIRi: hallucinated object mentions / object mentions. */
  chairI: number;
  /** Classes named by both caption and references / classes named by the references, over all photos. */
  objectRecall: number;
  mentions: number;
  hallucinatedMentions: number;
  /** Hallucinated class → how many captions invent it, most frequent first. */
  inventedClasses: [string, number][];
  /** Captions naming one object class twice or more ("a refrigerator in front of a refrigerator", "a man and a woman"). */
  captionsNamingAClassTwice: number;
}

/** The class of every object mention in a text, tokenised as the metrics tokenise it. */
export function mentionedClasses(objectWords: ObjectWords, text: string): string[] {
  return objectWords.mentions(scoringTokens(text)).map((mention) => mention.label);
}

/** Each photo's one caption against its references (same order). */
export function objectHallucination(objectWords: ObjectWords, captions: string[], references: string[][]): HallucinationScores {
  let mentions = 0;
  let hallucinatedMentions = 0;
  let captionsWithHallucination = 0;
  let referenceClasses = 0;
  let recalledClasses = 0;
  let captionsNamingAClassTwice = 0;
  const invented = new Map<string, number>();
  captions.forEach((caption, i) => {
    const truth = new Set(references[i].flatMap((reference) => mentionedClasses(objectWords, reference)));
    const named = mentionedClasses(objectWords, caption);
    const wrong = named.filter((label) => !truth.has(label));
    mentions += named.length;
    hallucinatedMentions += wrong.length;
    if (wrong.length > 0) captionsWithHallucination++;
    if (new Set(named).size < named.length) captionsNamingAClassTwice++;
    for (const label of new Set(wrong)) invented.set(label, (invented.get(label) ?? 0) + 1);
    referenceClasses += truth.size;
    recalledClasses += new Set(named.filter((label) => truth.has(label))).size;
  });
  return {
    chairS: captions.length > 0 ? captionsWithHallucination / captions.length : 0,
    chairI: mentions > 0 ? hallucinatedMentions / mentions : 0,
    objectRecall: referenceClasses > 0 ? recalledClasses / referenceClasses : 0,
    mentions,
    hallucinatedMentions,
    inventedClasses: [...invented].sort((a, b) => b[1] - a[1]),
    captionsNamingAClassTwice,
  };
}

export interface Diversity {
  /** Different captions / captions. */
  distinctCaptions: number;
  /** Different words used over all captions. */
  distinctWords: number;
}

export function captionDiversity(captions: string[]): Diversity {
  const tokenised = captions.map(scoringTokens);
  return {
    distinctCaptions: captions.length > 0 ? new Set(tokenised.map((words) => words.join(' '))).size / captions.length : 0,
    distinctWords: new Set(tokenised.flat()).size,
  };
}
