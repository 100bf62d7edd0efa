/**
 * Reading captions aloud with the browser's own speech synthesis, in a voice that runs on this
 * device (a voice with `localService`, so no text goes over the network). Two uses: a photo card's
 * "Read aloud" button, and, when switched on, each new stable caption of the live camera, once.
 *
 * - Never twice in a row: a caption equal to the one spoken (or waiting) last is skipped.
 * - Never in the captioner's way: speaking is fire-and-forget. While one caption is being spoken,
 *   only the newest next one waits (older ones are stale by then), so nothing piles up.
 * - Stopping or pausing the camera (hidden tab) silences its captions.
 */
import { toAltText } from '../captioner/format';
import { useSpeechStore } from '../store/speech';
import { useWebcamStore } from '../store/webcam';

function synthesis(): SpeechSynthesis | null {
  return typeof speechSynthesis === 'undefined' ? null : speechSynthesis;
}

/** An English voice that runs on this device, the browser's default among them first; else null. */
function chooseVoice(voices: readonly SpeechSynthesisVoice[]): SpeechSynthesisVoice | null {
  const local = voices.filter((voice) => voice.localService);
  const english = local.filter((voice) => voice.lang.toLowerCase().startsWith('en'));
  return english.find((voice) => voice.default) ?? english[0] ?? null;
}

/** Browsers fill the voice list asynchronously (Chromium: after 'voiceschanged'). */
function watchVoices(): void {
  const engine = synthesis();
  if (!engine) return;
  const update = () => useSpeechStore.setState({ voice: chooseVoice(engine.getVoices()) });
  update();
  engine.addEventListener('voiceschanged', update);
}

/** The text last handed to the engine, the utterance being spoken, and the newest text waiting for it. */
let lastSpoken: string | null = null;
let current: SpeechSynthesisUtterance | null = null;
let waiting: string | null = null;

function speakNow(text: string): void {
  const engine = synthesis();
  const { voice } = useSpeechStore.getState();
  if (!engine || !voice) return;
  const utterance = new SpeechSynthesisUtterance(text);
  utterance.voice = voice;
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

/** Speaks `text` after the current utterance, unless it repeats the last one (spoken or waiting). */
function speakInTurn(text: string): void {
  if (text === '' || text === (waiting ?? lastSpoken)) return;
  if (current) waiting = text === lastSpoken ? null : text;
  else speakNow(text);
}

function silence(): void {
  waiting = null;
  if (!current) return;
  current = null;
  synthesis()?.cancel();
}

/** A card's "Read aloud": speaks now, cutting short whatever is being said. */
export function readAloud(text: string): void {
  silence();
  if (text !== '') speakNow(text);
}

function liveCaptionText(): string | null {
  const { status, caption } = useWebcamStore.getState();
  const best = caption.shown?.captions[0];
  return status.phase === 'live' && !status.paused && best ? toAltText(best.text) : null;
}

// Each new stable live caption, once: the webcam store refreshes the shown frame on every frame that
// agrees with it, so only a change of sentence counts.
useWebcamStore.subscribe((state, previous) => {
  const text = liveCaptionText();
  const wasLive = previous.status.phase === 'live' && !previous.status.paused;
  if (text === null) {
    if (wasLive) silence();
    return;
  }
  const changed = state.caption.shown?.captions[0]?.text !== previous.caption.shown?.captions[0]?.text;
  if (useSpeechStore.getState().readLiveCaptions && (changed || !wasLive)) speakInTurn(text);
});

// Switched on, the caption on screen is read at once; switched off, reading stops.
useSpeechStore.subscribe((state, previous) => {
  if (state.readLiveCaptions === previous.readLiveCaptions) return;
  const text = liveCaptionText();
  if (state.readLiveCaptions && text !== null) speakInTurn(text);
  if (!state.readLiveCaptions) silence();
});

watchVoices();
