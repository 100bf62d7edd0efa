import { create } from 'zustand';
import { DEFAULT_BEAM_SEARCH_OPTIONS } from '../captioner/beam-search';
import type { CaptionSettings } from '../worker/protocol';

/** The search settings a person changes in the panel. */
export type SearchSettings = Omit<CaptionSettings, 'grounded'>;

/** Ranges the settings panel offers; beyond them decoding gets slow without better captions. */
export const SETTING_LIMITS: Record<keyof SearchSettings, { min: number; max: number; step: number }> = {
  beamSize: { min: 1, max: 10, step: 1 },
  // Counts the start and end words, like im2txt's max_caption_length, so 2 is the shortest.
  maxLength: { min: 2, max: 50, step: 1 },
  lengthNormalizationFactor: { min: 0, max: 2, step: 0.1 },
};

interface SettingsState extends CaptionSettings {
  /** Package folder under public/models; null until models.json has been read. */
  modelId: string | null;
  /** Draw the detected objects' boxes over photos and the camera view. */
  showBoxes: boolean;
  updateBeamSearch: (changes: Partial<SearchSettings>) => void;
  setGrounded: (grounded: boolean) => void;
  setShowBoxes: (showBoxes: boolean) => void;
  selectModel: (modelId: string) => void;
}

const { beamSize, maxLength, lengthNormalizationFactor } = DEFAULT_BEAM_SEARCH_OPTIONS;

export const useSettingsStore = create<SettingsState>()((set) => ({
  beamSize,
  maxLength,
  lengthNormalizationFactor,
  grounded: true,
  showBoxes: true,
  modelId: null,
  updateBeamSearch: (changes) => set(changes),
  setGrounded: (grounded) => set({ grounded }),
  setShowBoxes: (showBoxes) => set({ showBoxes }),
  selectModel: (modelId) => set({ modelId }),
}));

export function currentCaptionSettings(): CaptionSettings {
  const { beamSize, maxLength, lengthNormalizationFactor, grounded } = useSettingsStore.getState();
  return { beamSize, maxLength, lengthNormalizationFactor, grounded };
}
