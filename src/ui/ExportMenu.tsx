import { useEffect, useRef, useState } from 'react';
import { exportRows, exportShortfall, toCsv, toJson, type ExportRow } from '../store/export';
import { useJobsStore } from '../store/jobs';
import { allResultDetails } from '../store/saved-results';
import { saveFile } from './save-file';

type Format = 'csv' | 'json';

const FORMATS: Record<Format, { label: string; type: string; make: (rows: ExportRow[]) => string | Promise<string> }> = {
  csv: { label: 'CSV (spreadsheet)', type: 'text/csv;charset=utf-8', make: toCsv },
  json: { label: 'JSON', type: 'application/json', make: toJson },
};

/** Saves the export; resolves with what it lacks (see exportShortfall), null when it is complete. */
async function exportAs(format: Format): Promise<string | null> {
  const { type, make } = FORMATS[format];
  const { jobs } = useJobsStore.getState();
  const { details, unreadable } = await allResultDetails();
  const text = await make(exportRows(jobs, details));
  saveFile(`captions-${new Date().toISOString().slice(0, 10)}.${format}`, new Blob([text], { type }));
  return exportShortfall(jobs, details, unreadable);
}

/** "Export" opens a choice of format (a disclosure: Tab reaches both, Escape closes it). */
export function ExportMenu() {
  const [open, setOpen] = useState(false);
  const [shortfall, setShortfall] = useState<string | null>(null);
  const container = useRef<HTMLDivElement>(null);
  const toggle = useRef<HTMLButtonElement>(null);

  useEffect(() => {
    if (!open) return;
    const closeWhenOutside = (event: PointerEvent | FocusEvent) => {
      if (!container.current?.contains(event.target as Node)) setOpen(false);
    };
    document.addEventListener('pointerdown', closeWhenOutside);
    document.addEventListener('focusin', closeWhenOutside);
    return () => {
      document.removeEventListener('pointerdown', closeWhenOutside);
      document.removeEventListener('focusin', closeWhenOutside);
    };
  }, [open]);

  const choose = (format: Format) => {
    setOpen(false);
    toggle.current?.focus();
    setShortfall(null);
    void exportAs(format).then(setShortfall);
  };

  return (
    <div
      className="export-menu"
      ref={container}
      onKeyDown={(event) => {
        if (event.key === 'Escape' && open) {
          setOpen(false);
          toggle.current?.focus();
        }
      }}
    >
      <button type="button" ref={toggle} aria-expanded={open} aria-controls="export-formats" onClick={() => setOpen(!open)}>
        Export
      </button>
      {open && (
        <div className="export-formats" id="export-formats" role="group" aria-label="Export format">
          {(Object.keys(FORMATS) as Format[]).map((format) => (
            <button key={format} type="button" onClick={() => choose(format)}>
              {FORMATS[format].label}
            </button>
          ))}
        </div>
      )}
      {shortfall && (
        <p className="warning export-shortfall" role="alert" data-testid="export-shortfall">
          {shortfall}
        </p>
      )}
    </div>
  );
}
