/** Builds the benchmark harness page (bench/harness) with the app's production settings. */
import path from 'node:path';
import { defineConfig } from 'vite';
import { leanTfjs } from '../tools/build/lean-tfjs.ts';

export default defineConfig({
  root: path.resolve(import.meta.dirname, 'harness'),
  base: './',
  // The same trimmed TensorFlow.js as the app's worker.
  plugins: [leanTfjs()],
  logLevel: 'warn',
  build: { outDir: path.resolve(import.meta.dirname, '../.cache/bench/harness'), emptyOutDir: true, chunkSizeWarningLimit: 4096 },
});
