import type { LaunchOptions } from '@playwright/test';

/** Debian's Chromium, quiet (no background downloads), with any extra flags. */
export function chromiumLaunchOptions(extraArgs: string[]): LaunchOptions {
  return {
    executablePath: '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-background-networking', '--disable-component-update', '--no-first-run', ...extraArgs],
  };
}

/** WebGL2 without a GPU (SwiftShader), also inside the worker's OffscreenCanvas. */
export const SOFTWARE_WEBGL_ARGS = ['--use-angle=swiftshader', '--enable-unsafe-swiftshader'];
