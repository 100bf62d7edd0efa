import path from 'node:path';

/** Generated at test time (gitignored); served over /models/ by e2e/serve.ts. */
export const E2E_MODELS_DIR = path.resolve('.cache/e2e/models');

/** Test inputs generated at test time (broken files, a huge photo). */
export const E2E_INPUTS_DIR = path.resolve('.cache/e2e/inputs');

export const E2E_PORT = Number(process.env.E2E_PORT ?? 4317);
