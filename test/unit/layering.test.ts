import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from './helpers/fixture';

const SRC = path.join(REPO_ROOT, 'src');
const TRAINING = path.join(REPO_ROOT, 'training') + path.sep;

/** `from '…'`, `import '…'` and `import('…')` specifiers of a module's source. */
const IMPORT = /(?:\bfrom\s*|\bimport\s*\(?\s*)['"]([^'"]+)['"]/g;

async function sourceFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  return entries.filter((entry) => entry.isFile() && /\.tsx?$/.test(entry.name)).map((entry) => path.join(entry.parentPath, entry.name));
}

describe('layering', () => {
  it('src never imports training (training may import src): the app, the package and npm run eval run without it', async () => {
    const files = await sourceFiles(SRC);
    expect(files.length).toBeGreaterThan(50);
    const intoTraining: string[] = [];
    for (const file of files) {
      for (const [, specifier] of (await readFile(file, 'utf8')).matchAll(IMPORT)) {
        if (specifier.startsWith('.') && path.resolve(path.dirname(file), specifier).startsWith(TRAINING)) {
          intoTraining.push(`${path.relative(REPO_ROOT, file)}: ${specifier}`);
        }
      }
    }
    expect(intoTraining).toEqual([]);
  });
});
