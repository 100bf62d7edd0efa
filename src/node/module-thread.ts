import { Worker } from 'node:worker_threads';

/** Whether a module runs from the repository's TypeScript (through tsx, whose URLs may carry a query) rather than the built package. */
export const isTypeScriptSource = (moduleUrl: string) => new URL(moduleUrl).pathname.endsWith('.ts');

/**
 * Starts a worker thread running the module `name` that sits next to the module at `fromUrl`: the
 * built `name.js` in the package, or `name.ts` in the repository, which Node 20 cannot run in a
 * thread without help (tsx's loader hooks do not reach threads), so it goes through tsx's API.
 */
export function startModuleThread(fromUrl: string, name: string, workerData: unknown): Worker {
  if (!isTypeScriptSource(fromUrl)) return new Worker(new URL(`./${name}.js`, fromUrl), { workerData });
  const module = new URL(`./${name}.ts`, fromUrl).href;
  const bootstrap = `import('tsx/esm/api').then(({ tsImport }) => tsImport(${JSON.stringify(module)}, ${JSON.stringify(fromUrl)}))`;
  return new Worker(bootstrap, { eval: true, workerData });
}
