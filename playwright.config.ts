import { defineConfig, devices } from '@playwright/test';
import { chromiumLaunchOptions, SOFTWARE_WEBGL_ARGS } from './e2e/browser';
import { E2E_PORT } from './e2e/paths';

export default defineConfig({
  testDir: 'e2e',
  globalSetup: './e2e/global-setup.ts',
  // One browser at a time: WebGL runs on SwiftShader (software), which needs the CPU to itself.
  workers: 1,
  timeout: 120_000,
  expect: { timeout: 60_000 },
  forbidOnly: !!process.env.CI,
  reporter: [['list']],
  use: {
    ...devices['Desktop Chrome'],
    baseURL: `http://127.0.0.1:${E2E_PORT}/`,
    viewport: { width: 1200, height: 900 },
    trace: 'retain-on-failure',
    launchOptions: chromiumLaunchOptions(SOFTWARE_WEBGL_ARGS),
  },
  webServer: {
    command: `npx tsx e2e/serve.ts ${E2E_PORT}`,
    url: `http://127.0.0.1:${E2E_PORT}/`,
    reuseExistingServer: !process.env.CI,
    stdout: 'ignore',
  },
});
