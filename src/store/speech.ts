/** Reading captions aloud: the voices found on this device and the live-caption switch (speaking: src/services/speech.ts). */
import { create } from 'zustand';
import { servesLanguage } from '../captioner/language';

interface SpeechState {
  /** The voices that run on this device (`localService`); empty where the browser has none (or no speech synthesis). */
  voices: readonly SpeechSynthesisVoice[];
  /** Speak each new stable live caption. */
  readLiveCaptions: boolean;
  setReadLiveCaptions: (on: boolean) => void;
}

export const useSpeechStore = create<SpeechState>()((set) => ({
  voices: [],
  readLiveCaptions: false,
  setReadLiveCaptions: (readLiveCaptions) => set({ readLiveCaptions }),
}));

/** A voice of the caption's language (a German voice for a German caption), the browser's default among them first; else null. */
export function voiceFor(voices: readonly SpeechSynthesisVoice[], language: string): SpeechSynthesisVoice | null {
  const speaking = voices.filter((voice) => servesLanguage(voice.lang, language));
  return speaking.find((voice) => voice.default) ?? speaking[0] ?? null;
}

/** Whether this device has a voice for captions in `language`. */
export const useHasVoice = (language: string) => useSpeechStore((state) => voiceFor(state.voices, language) !== null);
