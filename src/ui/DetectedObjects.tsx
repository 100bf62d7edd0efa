import { describeObjects } from '../captioner/objects';
import type { Caption, DetectedObject } from '../worker/protocol';
import { altTextSegments } from './format';

const percent = (fraction: number) => `${(fraction * 100).toFixed(2)}%`;

/**
 * Labelled boxes over a photo (or video) that fills its positioned parent; boxes of the `highlight`
 * class stand out, the others fade. Decorative for screen readers: the objects line says the same.
 */
export function ObjectBoxes({ objects, highlight }: { objects: readonly DetectedObject[]; highlight: string | null }) {
  return (
    <div className="object-boxes" aria-hidden="true" data-testid="object-boxes">
      {objects.map((object, index) => {
        const [x, y, width, height] = object.box;
        const state = highlight === null ? '' : object.label === highlight ? ' highlighted' : ' faded';
        return (
          <div
            key={index}
            className={`object-box${state}`}
            data-label={object.label}
            style={{ left: percent(x), top: percent(y), width: percent(width), height: percent(height) }}
          >
            <span className="object-label">
              {object.label} {Math.round(object.score * 100)}%
            </span>
          </div>
        );
      })}
    </div>
  );
}

/** "Objects: 2 people, dog" for everyone, screen readers included. */
export function ObjectsLine({ objects }: { objects: readonly DetectedObject[] }) {
  return (
    <p className="objects-line small" data-testid="objects-line">
      Objects: {objects.length > 0 ? describeObjects(objects) : 'none detected'}
    </p>
  );
}

/**
 * The caption as alt text, with each word that names an object class marked: pointing at it (or
 * focusing it) highlights that class's boxes.
 */
export function CaptionWithObjects({ caption, language, onHighlight }: { caption: Caption; language: string; onHighlight: (label: string | null) => void }) {
  return (
    <>
      {altTextSegments(caption, language).map(({ text, label }, index) =>
        label === undefined ? (
          text
        ) : (
          <mark
            key={index}
            className="object-word"
            tabIndex={0}
            data-label={label}
            title={`Detector class: ${label}`}
            onMouseEnter={() => onHighlight(label)}
            onMouseLeave={() => onHighlight(null)}
            onFocus={() => onHighlight(label)}
            onBlur={() => onHighlight(null)}
          >
            {text}
          </mark>
        ),
      )}
    </>
  );
}
