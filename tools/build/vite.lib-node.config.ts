/**
 * `npm run build:lib` (1 of 2): the package's Node side into dist/node/ — the API (index.js), the CLI
 * (cli.js, the package's bin) and the two worker-thread modules they start next to themselves. The
 * package's dependencies stay imports (npm installs them); only this repository's code is bundled.
 */
import { readFileSync } from 'node:fs';
import { defineConfig } from 'vite';

const manifest = JSON.parse(readFileSync('package.json', 'utf8')) as Record<string, Record<string, string> | undefined>;
const installed = ['dependencies', 'peerDependencies', 'optionalDependencies'].flatMap((field) => Object.keys(manifest[field] ?? {}));

const isInstalled = (id: string) => id.startsWith('node:') || installed.some((name) => id === name || id.startsWith(`${name}/`));

export default defineConfig({
  publicDir: false,
  build: {
    ssr: true,
    outDir: 'dist/node',
    emptyOutDir: true,
    target: 'node20',
    // Readable stack traces for users; the code is small next to the model.
    minify: false,
    rolldownOptions: {
      input: {
        index: 'src/lib/node.ts',
        cli: 'src/cli/caption.ts',
        'caption-worker': 'src/cli/caption-worker.ts',
        'node-thread': 'src/lib/node-thread.ts',
      },
      external: isInstalled,
      output: { format: 'es', entryFileNames: '[name].js', chunkFileNames: '[name]-[hash].js' },
    },
  },
});
