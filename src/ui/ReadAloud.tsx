import { useId } from 'react';
import { readAloud } from '../services/speech';
import { languageName } from '../captioner/language';
import { useCaptionLanguage } from '../store/language-setting';
import { useHasVoice, useSpeechStore } from '../store/speech';

const noVoice = (language: string) =>
  `This browser has no ${languageName(language)} voice on this device to read aloud with (speech is never sent over the network).`;

/** A card's "Read aloud", in a voice of the caption's language; none where the browser has no such voice on this device (the camera panel says so). */
export function ReadAloudButton({ text, language, fileName }: { text: string; language: string; fileName: string }) {
  const hasVoice = useHasVoice(language);
  if (!hasVoice) return null;
  return (
    <button type="button" onClick={() => readAloud(text, language)} aria-label={`Read alt text of ${fileName} aloud`}>
      Read aloud
    </button>
  );
}

/** The camera's switch for speaking each new live caption, or a note where that cannot work. */
export function ReadLiveCaptionsSetting() {
  const id = useId();
  const language = useCaptionLanguage();
  const hasVoice = useHasVoice(language);
  const on = useSpeechStore((state) => state.readLiveCaptions);
  const setOn = useSpeechStore((state) => state.setReadLiveCaptions);
  return (
    <div className="setting-checkbox read-aloud-setting">
      <input id={id} type="checkbox" checked={on && hasVoice} disabled={!hasVoice} onChange={(event) => setOn(event.target.checked)} />
      <label htmlFor={id}>Read new captions aloud</label>
      {!hasVoice && (
        <small className="muted" data-testid="no-voice">
          {noVoice(language)}
        </small>
      )}
    </div>
  );
}
