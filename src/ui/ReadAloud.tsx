import { useId } from 'react';
import { readAloud } from '../services/speech';
import { useSpeechStore } from '../store/speech';

const NO_VOICE = 'This browser has no voice on this device to read aloud with (speech is never sent over the network).';

/** A card's "Read aloud"; none where the browser has no voice on this device (the camera panel says so). */
export function ReadAloudButton({ text, fileName }: { text: string; fileName: string }) {
  const hasVoice = useSpeechStore((state) => state.voice !== null);
  if (!hasVoice) return null;
  return (
    <button type="button" onClick={() => readAloud(text)} aria-label={`Read alt text of ${fileName} aloud`}>
      Read aloud
    </button>
  );
}

/** The camera's switch for speaking each new live caption, or a note where that cannot work. */
export function ReadLiveCaptionsSetting() {
  const id = useId();
  const hasVoice = useSpeechStore((state) => state.voice !== null);
  const on = useSpeechStore((state) => state.readLiveCaptions);
  const setOn = useSpeechStore((state) => state.setReadLiveCaptions);
  return (
    <div className="setting-checkbox read-aloud-setting">
      <input id={id} type="checkbox" checked={on && hasVoice} disabled={!hasVoice} onChange={(event) => setOn(event.target.checked)} />
      <label htmlFor={id}>Read new captions aloud</label>
      {!hasVoice && (
        <small className="muted" data-testid="no-voice">
          {NO_VOICE}
        </small>
      )}
    </div>
  );
}
