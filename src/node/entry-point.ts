import { realpathSync } from 'node:fs';
import path from 'node:path';

const realPath = (file: string) => {
  try {
    return realpathSync(file);
  } catch {
    return path.resolve(file);
  }
};

/**
 * Whether the module whose `import.meta.filename` is given is the script Node was started with (not
 * imported by a test). Real paths, because npm starts a package's bin through a symlink in node_modules/.bin.
 */
export function isEntryPoint(moduleFile: string): boolean {
  return Boolean(process.argv[1]) && realPath(process.argv[1]) === realPath(moduleFile);
}
