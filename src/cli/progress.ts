/** The progress bar of `npm run caption` on stderr (cli-progress), or plain stderr lines when there is no bar. */
import cliProgress from 'cli-progress';

export interface Progress {
  /** One more photo done. */
  tick(): void;
  /** A line for the user (an error, a warning), printed above the bar. */
  log(line: string): void;
  stop(): void;
}

/** A bar with the count, photos per second and time left when `show` (stderr is a terminal and not --quiet). */
export function startProgress(total: number, show: boolean): Progress {
  if (!show) return { tick: () => {}, log: (line) => console.error(line), stop: () => {} };
  const bars = new cliProgress.MultiBar(
    {
      format: '{bar} {value}/{total} photos | {rate} photos/s | {eta_formatted} left',
      hideCursor: true,
      // The time left follows the last 50 photos, which the threads finish in bursts.
      etaBuffer: 50,
      stream: process.stderr,
    },
    cliProgress.Presets.shades_classic,
  );
  const started = performance.now();
  let done = 0;
  const rate = () => (done / ((performance.now() - started) / 1000)).toFixed(2);
  const bar = bars.create(total, 0, { rate: '–' });
  return {
    tick: () => bar.update(++done, { rate: rate() }),
    log: (line) => bars.log(`${line}\n`),
    stop: () => bars.stop(),
  };
}
