/** The report as a small HTML page (stacked bars per backend plus the key figures), also saved as a PNG. */
import type { BackendReport } from './report-types';
import type { BenchReport } from './run';

const STAGES = [
  { label: 'image prep', colour: '#8fb8de' },
  { label: 'encoder', colour: '#2f6fad' },
  { label: 'beam search', colour: '#e08a3c' },
] as const;

const backendLabel = ({ backend, threads }: BackendReport) => (threads ? `${backend} ×${threads}` : backend);
const escape = (text: string) => text.replace(/[&<>"]/g, (char) => `&#${char.charCodeAt(0)};`);
const ms = (value: number) => `${Math.round(value)} ms`;

function bars(report: BenchReport): string {
  const rows = report.backends.flatMap((backend) =>
    backend.skipped
      ? []
      : [
          { label: `${backendLabel(backend)} (top-k)`, parts: [backend.prepMs.median, backend.encoderMs.median, backend.decoder.topK.beamSearchMs.median] },
          { label: `${backendLabel(backend)} (full softmax)`, parts: [backend.prepMs.median, backend.encoderMs.median, backend.decoder.fullSoftmax.beamSearchMs.median] },
        ],
  );
  const longest = Math.max(...rows.map((row) => row.parts.reduce((a, b) => a + b, 0)), 1);
  const width = 560;
  const svgRows = rows.map((row, index) => {
    let x = 170;
    const rects = row.parts.map((value, stage) => {
      const w = (value / longest) * width;
      const rect = `<rect x="${x}" y="${index * 28 + 4}" width="${Math.max(w, 0.5)}" height="20" fill="${STAGES[stage].colour}"><title>${STAGES[stage].label}: ${ms(value)}</title></rect>`;
      x += w;
      return rect;
    });
    const total = row.parts.reduce((a, b) => a + b, 0);
    return `<text x="0" y="${index * 28 + 19}">${escape(row.label)}</text>${rects.join('')}<text x="${x + 6}" y="${index * 28 + 19}">${ms(total)}</text>`;
  });
  const legend = STAGES.map((stage, index) => `<rect x="${170 + index * 130}" y="${rows.length * 28 + 10}" width="14" height="14" fill="${stage.colour}"/><text x="${190 + index * 130}" y="${rows.length * 28 + 22}">${stage.label}</text>`);
  return `<svg width="820" height="${rows.length * 28 + 40}" font-family="sans-serif" font-size="13">${svgRows.join('')}${legend.join('')}</svg>`;
}

function appPhotos({ app, targets }: BenchReport): string {
  const { photos } = app;
  const targetRows = Object.values(targets).map(({ target, measured, met }) => `<tr><td>${escape(target)}</td><td>${escape(measured)}</td><td>${met ? 'met' : 'NOT met'}</td></tr>`);
  return `<p>App, ${photos.photos} photos dropped at once (${escape(app.backend)}${app.wasmThreads ? ` × ${app.wasmThreads} threads` : ''}): <b>${ms(photos.perPhotoMs)} per photo</b> ·
page thread: read ${ms(photos.readPhotoMs.median)}, CPU ${ms(photos.cpuPerPhotoMs.mainThread)} per photo (script ${ms(photos.cpuPerPhotoMs.script)}, layout + style ${ms(photos.cpuPerPhotoMs.layoutAndStyle)}; whole page ${ms(photos.cpuPerPhotoMs.process)}) ·
workers (${photos.workersBusy.toFixed(2)} busy on average): decode ${ms(photos.decodeMs.median)}, thumbnail ${ms(photos.thumbnailMs.median)}, pixels ${ms(photos.pixelsMs.median)}, prep + encoder ${ms(photos.encodeMs.median)}, beam search ${ms(photos.searchMs.median)}, job as the page sees it ${ms(photos.workerMs.median)} · ${photos.updatesPerPhoto.toFixed(1)} partial-caption messages per photo ·
worker JavaScript ${Object.entries(app.workerScriptBytes).map(([backend, bytes]) => `${backend} ${(bytes / 1000).toFixed(0)} kB`).join(', ')}</p>
<table><tr><th>target</th><th>measured</th><th></th></tr>${targetRows.join('')}</table>`;
}

export function chartHtml(report: BenchReport): string {
  const rows = report.backends
    .filter((backend) => !backend.skipped)
    .map((backend) => {
      const [first, last] = [backend.memory[0], backend.memory[backend.memory.length - 1]];
      return `<tr><td>${backendLabel(backend)}</td><td>${backend.photos}</td><td>${ms(backend.encoderMs.median)} / ${ms(backend.encoderMs.p90)}</td>
<td>${ms(backend.decoder.topK.beamSearchMs.median)} / ${ms(backend.decoder.topK.beamSearchMs.p90)}</td><td>${ms(backend.decoder.topK.firstHypothesisMs.median)}</td>
<td>${backend.decoder.topK.readBackBytesPerStep.max} B vs ${backend.decoder.fullSoftmax.readBackBytesPerStep.max} B</td>
<td>${(backend.beamSearchShare * 100).toFixed(0)} %</td><td>${backend.throughput.convGflops.toFixed(1)} / ${backend.encoderGflops.toPrecision(2)}</td>
<td>${first.numTensors} → ${last.numTensors} (${last.captions})</td><td>${first.numBytesInGPU ?? '–'} → ${last.numBytesInGPU ?? '–'}</td></tr>`;
    });
  const { app, library } = report;
  return `<!doctype html><html><head><meta charset="utf-8"><title>Show and Tell benchmark</title>
<style>body{font-family:sans-serif;margin:16px;width:900px}table{border-collapse:collapse;font-size:12px}td,th{border:1px solid #ccc;padding:3px 6px;text-align:left}</style></head><body>
<h2>Show and Tell benchmark: ${escape(report.model.name)}${report.model.fixture ? ' [generated test fixture]' : ''}</h2>
<p>${escape(report.machine)} · ${escape(report.startedAt)} · beam ${report.settings.beamSize}, max length ${report.settings.maxLength}</p>
<p>App: ${(app.firstVisit.uniqueBytes / 1e6).toFixed(2)} MB on first visit (${(app.firstVisit.uniqueGzipBytes / 1e6).toFixed(2)} MB gzipped), model ${(app.firstVisit.modelBytes / 1e6).toFixed(2)} MB ·
navigation → ready: cold ${ms(app.cold.readyMs)}, from cache ${ms(app.fromCache.readyMs)} (${app.fromCache.servedBytes} B from the network) · auto backend: ${escape(app.backend)}</p>
<p>Photo library (${escape(library.backend)}): JS heap ${(library.first.jsHeapBytes / 1e6).toFixed(1)} MB after ${library.first.photos} photos, ${(library.all.jsHeapBytes / 1e6).toFixed(1)} MB after ${library.all.photos}
(${(library.heapBytesPerPhoto / 1000).toFixed(1)} kB per photo) · tensors ${library.first.tensors} → ${library.all.tensors} · thumbnails ${(library.all.thumbnailBytes / 1e6).toFixed(2)} MB · ${library.photosPerSecond.toFixed(2)} photos/s</p>
${appPhotos(report)}
${bars(report)}
<table><tr><th>backend</th><th>photos</th><th>encoder median / p90</th><th>beam search median / p90</th><th>first hypothesis</th><th>readback/step top-k vs full</th><th>beam share</th><th>conv GFLOP/s / encoder GFLOP/s</th><th>tensors 1 → n</th><th>GPU bytes 1 → n</th></tr>
${rows.join('\n')}</table></body></html>`;
}
