/**
 * Lays out a build as a static host would serve it: dist/ copied under a sub-path of the site, with a
 * model folder (e.g. the generated fixture) laid over its models/ and versioned like the build does.
 */
import { cp, mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { versionModelPackages } from '../tools/build/model-versions';

/** Where the app lives on the site: not the root, to prove relative URLs everywhere. */
export const APP_SUB_PATH = '/tools/captions/';

export async function publishSite(options: { distDir: string; siteRoot: string; extraModelsDir?: string }): Promise<void> {
  const appDir = path.join(options.siteRoot, APP_SUB_PATH);
  await rm(options.siteRoot, { recursive: true, force: true });
  await mkdir(appDir, { recursive: true });
  await cp(options.distDir, appDir, { recursive: true });
  if (options.extraModelsDir) {
    await cp(options.extraModelsDir, path.join(appDir, 'models'), { recursive: true });
    await versionModelPackages(path.join(appDir, 'models'));
  }
}
