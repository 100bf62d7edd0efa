import path from 'node:path';

/** Whether the module whose `import.meta.filename` is given is the script Node was started with (not imported by a test). */
export function isEntryPoint(moduleFile: string): boolean {
  return Boolean(process.argv[1]) && path.resolve(process.argv[1]) === path.resolve(moduleFile);
}
