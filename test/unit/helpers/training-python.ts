import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { expect } from 'vitest';

/** python3 when there is one: the tests that compare training/*.py with src/ skip without it. */
export const PYTHON = spawnSync('python3', ['--version']).status === 0 ? 'python3' : undefined;
export const TRAINING_DIR = path.resolve(import.meta.dirname, '../../../training');

/**
 * Runs LINES of Python with training/ importable and `data` = INPUT (through JSON); the lines print
 * one JSON value, which is returned. Fails the test on anything written to stderr.
 */
export function runTrainingPython(lines: string[], input: unknown): unknown {
  const script = ['import json, sys', `sys.path.insert(0, ${JSON.stringify(TRAINING_DIR)})`, 'data = json.load(sys.stdin)', ...lines].join('\n');
  const run = spawnSync(PYTHON!, ['-c', script], { input: JSON.stringify(input), encoding: 'utf8' });
  expect(run.stderr).toBe('');
  return JSON.parse(run.stdout);
}
