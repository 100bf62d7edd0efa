/** Reading captions aloud: the voice found on this device and the live-caption switch (speaking: src/services/speech.ts). */
import { create } from 'zustand';

interface SpeechState {
  /** A voice on this device to speak with; null where the browser has none (or no speech synthesis). */
  voice: SpeechSynthesisVoice | null;
  /** Speak each new stable live caption. */
  readLiveCaptions: boolean;
  setReadLiveCaptions: (on: boolean) => void;
}

export const useSpeechStore = create<SpeechState>()((set) => ({
  voice: null,
  readLiveCaptions: false,
  setReadLiveCaptions: (readLiveCaptions) => set({ readLiveCaptions }),
}));
