import { useId, type ChangeEvent } from 'react';
import { languageName, modelLanguages } from '../captioner/language';
import { chooseLanguage, chooseModel, useCaptionLanguage } from '../store/language-setting';
import { useModelStore } from '../store/model';
import { SETTING_LIMITS, useSettingsStore, type SearchSettings } from '../store/settings';
import { BackendSetting } from './BackendSetting';

interface NumberSettingProps {
  setting: keyof SearchSettings;
  label: string;
  hint: string;
}

function NumberSetting({ setting, label, hint }: NumberSettingProps) {
  const id = useId();
  const value = useSettingsStore((state) => state[setting]);
  const updateBeamSearch = useSettingsStore((state) => state.updateBeamSearch);
  const { min, max, step } = SETTING_LIMITS[setting];
  const onChange = (event: ChangeEvent<HTMLInputElement>) => {
    const parsed = Number(event.target.value);
    if (Number.isFinite(parsed)) updateBeamSearch({ [setting]: Math.min(max, Math.max(min, parsed)) });
  };
  return (
    <div className="setting">
      <label htmlFor={id}>
        {label} <output>{value}</output>
      </label>
      <input id={id} type="range" min={min} max={max} step={step} value={value} onChange={onChange} />
      <small className="muted">{hint}</small>
    </div>
  );
}

/** Whether the ready model can ground its captions, and if not, why (for the switch's hint). */
function useGroundingAvailability(): { available: boolean; hint: string } {
  const status = useModelStore((state) => state.status);
  const grounding = status.phase === 'ready' ? status.model.grounding : null;
  if (grounding === 'available' || grounding === null) {
    return { available: true, hint: 'Object words (dog, table, people…) need the detector to have seen that object.' };
  }
  if (grounding === 'none') return { available: false, hint: 'This model has no object detector to ground its captions in.' };
  return { available: false, hint: `Not available for this model: ${grounding.problem}` };
}

function CheckboxSetting({ checked, onChange, label, hint, disabled = false }: { checked: boolean; onChange: (checked: boolean) => void; label: string; hint: string; disabled?: boolean }) {
  const id = useId();
  return (
    <div className="setting setting-checkbox">
      <input id={id} type="checkbox" checked={checked} disabled={disabled} onChange={(event) => onChange(event.target.checked)} />
      <label htmlFor={id}>{label}</label>
      <small className="muted">{hint}</small>
    </div>
  );
}

function ObjectSettings() {
  const grounded = useSettingsStore((state) => state.grounded);
  const setGrounded = useSettingsStore((state) => state.setGrounded);
  const showBoxes = useSettingsStore((state) => state.showBoxes);
  const setShowBoxes = useSettingsStore((state) => state.setShowBoxes);
  const { available, hint } = useGroundingAvailability();
  return (
    <>
      <CheckboxSetting checked={grounded && available} disabled={!available} onChange={setGrounded} label="Grounded in detected objects" hint={hint} />
      <CheckboxSetting checked={showBoxes} onChange={setShowBoxes} label="Show object boxes" hint="Labelled boxes over each photo; point at a caption word to find its object." />
    </>
  );
}

/** The languages that have a model, each by its own name; choosing one loads only that language's model. */
function LanguageChoice() {
  const id = useId();
  const catalog = useModelStore((state) => state.catalog);
  const language = useCaptionLanguage();
  if (catalog.length === 0) return null;
  return (
    <div className="setting">
      <label htmlFor={id}>Caption language</label>
      <select id={id} data-testid="caption-language" value={language} onChange={(event) => chooseLanguage(event.target.value)}>
        {modelLanguages({ models: catalog }).map((tag) => (
          <option key={tag} value={tag} lang={tag}>
            {languageName(tag)}
          </option>
        ))}
      </select>
    </div>
  );
}

/** Every model, with the language it captions in; one of another language changes the caption language too. */
function ModelChoice() {
  const id = useId();
  const catalog = useModelStore((state) => state.catalog);
  const modelId = useSettingsStore((state) => state.modelId);
  if (catalog.length === 0) return null;
  return (
    <div className="setting">
      <label htmlFor={id}>Model</label>
      <select id={id} value={modelId ?? ''} onChange={(event) => chooseModel(event.target.value)}>
        {catalog.map((entry) => (
          <option key={entry.id} value={entry.id}>
            {`${entry.fixture ? `${entry.name} (test fixture)` : entry.name} · ${languageName(entry.language)}`}
          </option>
        ))}
      </select>
    </div>
  );
}

export function SettingsPanel() {
  return (
    <section className="panel">
      <h2>Settings</h2>
      <LanguageChoice />
      <ModelChoice />
      <BackendSetting />
      <ObjectSettings />
      <NumberSetting setting="beamSize" label="Beam size" hint="Partial captions kept at each step." />
      <NumberSetting setting="maxLength" label="Maximum length" hint="Words per caption, counting the start and end markers." />
      <NumberSetting
        setting="lengthNormalizationFactor"
        label="Length normalisation"
        hint="0 ranks by probability alone, which favours short captions; higher values favour longer ones."
      />
      <p className="muted small">Changes apply to photos captioned from now on.</p>
    </section>
  );
}
