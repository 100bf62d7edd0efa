/**
 * `npm run build:lib` (1 of 2): the package's Node side into lib/node/ — the API (index.js), the CLI
 * (cli.js, the package's bin) and the two worker-thread modules they start next to themselves. The
 * package's dependencies stay imports (npm installs them); everything else is bundled, TensorFlow.js
 * included: its four packages install 89 MB (builds for every platform, source maps), of which the
 * CLI runs about 3 MB.
 */
import { readFileSync } from 'node:fs';
import { defineConfig, type Plugin } from 'vite';

const manifest = JSON.parse(readFileSync('package.json', 'utf8')) as Record<string, Record<string, string> | undefined>;
const installed = ['dependencies', 'peerDependencies', 'optionalDependencies'].flatMap((field) => Object.keys(manifest[field] ?? {}));

const isInstalled = (id: string) => id.startsWith('node:') || installed.some((name) => id === name || id.startsWith(`${name}/`));

/**
 * tfjs's WebAssembly glue (Emscripten, CommonJS) reads __dirname in Node, which ES modules lack:
 * the chunk that holds it gets its own, the folder the chunk is in.
 */
function commonJsDirname(): Plugin {
  return {
    name: 'commonjs-dirname',
    renderChunk(code) {
      if (!/\b__dirname\b/.test(code)) return null;
      // After a #! line, which must stay first.
      const [, hashbang = '', rest] = /^(#![^\n]*\n)?([\s\S]*)$/.exec(code)!;
      return `${hashbang}import { fileURLToPath as __fileURLToPath } from 'node:url';\nconst __dirname = __fileURLToPath(new URL('.', import.meta.url));\n${rest}`;
    },
  };
}

export default defineConfig({
  publicDir: false,
  plugins: [commonJsDirname()],
  // Bundled unless installed: TensorFlow.js goes in (tree-shaken, ~90 MB less to install).
  ssr: { noExternal: true },
  build: {
    ssr: true,
    outDir: 'lib/node',
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
