/**
 * Reading captions aloud with the browser's own speech synthesis, in a voice of the caption's language
 * that runs on this device (a voice with `localService`, so no text goes over the network). Two uses: a
 * photo card's "Read aloud" button, and, when switched on, each new stable caption of the live camera,
 * once (in the language of the model that captions the camera).
 *
 * - Never twice in a row: a caption equal to the one spoken (or waiting) last is skipped.
 * - Never in the captioner's way: speaking is fire-and-forget. While one caption is being spoken,
 *   only the newest next one waits (older ones are stale by then), so nothing piles up.
 * - Stopping or pausing the camera (hidden tab) silences its captions.
 */
import { toAltText } from '../captioner/format';
import { currentCaptionLanguage } from '../store/language-setting';
import { useModelStore } from '../store/model';
import { useSpeechStore, voiceFor } from '../store/speech';
import { useWebcamStore } from '../store/webcam';

function synthesis(): SpeechSynthesis | null {
  return typeof speechSynthesis === 'undefined' ? null : speechSynthesis;
}

/** Browsers fill the voice list asynchronously (Chromium: after 'voiceschanged'). */
function watchVoices(): void {
  const engine = synthesis();
  if (!engine) return;
  const update = () => useSpeechStore.setState({ voices: engine.getVoices().filter((voice) => voice.localService) });
  update();
  engine.addEventListener('voiceschanged', update);
}

/** A caption and its language (BCP 47). */
interface Speech {
  text: string;
  language: string;
}

/** The text last handed to the engine, the utterance being spoken, and the newest speech waiting for it. */
let lastSpoken: string | null = null;
let current: SpeechSynthesisUtterance | null = null;
let waiting: Speech | null = null;

function speakNow({ text, language }: Speech): void {
  const engine = synthesis();
  const voice = voiceFor(useSpeechStore.getState().voices, language);
  if (!engine || !voice) return;
  const utterance = new SpeechSynthesisUtterance(text);
  utterance.voice = voice;
  // The voice's own tag ("de-DE"): engines pronounce by the utterance's language.
  utterance.lang = voice.lang;
  // Also called for an utterance cut short (cancel()), which by then is no longer the current one.
  utterance.onend = utterance.onerror = () => {
    if (current !== utterance) return;
    current = null;
    const next = waiting;
    waiting = null;
    if (next !== null) speakNow(next);
  };
  lastSpoken = text;
  current = utterance;
  engine.speak(utterance);
}

/** Speaks after the current utterance, unless it repeats the last one (spoken or waiting). */
function speakInTurn(speech: Speech): void {
  if (speech.text === '' || speech.text === (waiting?.text ?? lastSpoken)) return;
  if (current) waiting = speech.text === lastSpoken ? null : speech;
  else speakNow(speech);
}

function silence(): void {
  waiting = null;
  if (!current) return;
  current = null;
  synthesis()?.cancel();
}

/** A card's "Read aloud": speaks `text` (in `language`) now, cutting short whatever is being said. */
export function readAloud(text: string, language: string): void {
  silence();
  if (text !== '') speakNow({ text, language });
}

/** The language of the model that captions the camera. */
function liveLanguage(): string {
  const { status } = useModelStore.getState();
  return status.phase === 'ready' ? status.model.language : currentCaptionLanguage();
}

function liveCaption(): Speech | null {
  const { status, caption } = useWebcamStore.getState();
  const best = caption.shown?.captions[0];
  if (status.phase !== 'live' || status.paused || !best) return null;
  const language = liveLanguage();
  return { text: toAltText(best.text, language), language };
}

// Each new stable live caption, once: the webcam store refreshes the shown frame on every frame that
// agrees with it, so only a change of sentence counts.
useWebcamStore.subscribe((state, previous) => {
  const speech = liveCaption();
  const wasLive = previous.status.phase === 'live' && !previous.status.paused;
  if (speech === null) {
    if (wasLive) silence();
    return;
  }
  const changed = state.caption.shown?.captions[0]?.text !== previous.caption.shown?.captions[0]?.text;
  if (useSpeechStore.getState().readLiveCaptions && (changed || !wasLive)) speakInTurn(speech);
});

// Switched on, the caption on screen is read at once; switched off, reading stops.
useSpeechStore.subscribe((state, previous) => {
  if (state.readLiveCaptions === previous.readLiveCaptions) return;
  const speech = liveCaption();
  if (state.readLiveCaptions && speech !== null) speakInTurn(speech);
  if (!state.readLiveCaptions) silence();
});

watchVoices();
