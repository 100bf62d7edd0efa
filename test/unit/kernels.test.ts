/**
 * The worker registers only the kernels of src/worker/kernels.ts and calls only the tfjs-core ops of
 * src/worker/converter-ops.ts. These tests fail when a graph the app ships or converts needs more.
 */
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadCaptioner, type Captioner } from '../../src/captioner';
import { parseModelList } from '../../src/captioner/model-list';
import { folderPackageFiles } from '../../src/node/package-files';
import { initNodeBackend } from '../../src/node/runtime';
import * as converterOps from '../../src/worker/converter-ops';
import { BUNDLED_KERNELS, CAPTIONER_KERNELS, GRAPH_OP_KERNELS, kernelsForOps } from '../../src/worker/kernels';
import { CPU_KERNELS } from '../../src/worker/kernels-cpu';
import { WASM_KERNELS } from '../../src/worker/kernels-wasm';
import { WEBGL_KERNELS } from '../../src/worker/kernels-webgl';
import { WEBGPU_KERNELS } from '../../src/worker/kernels-webgpu';
import { convertGraph } from '../../tools/convert/convert';
import { TFJS_SUPPORTED_OPS } from '../../tools/convert/tfjs-ops';
import { encodeGraphDef } from '../../tools/convert/graphdef';
import { convertShowAndTell } from '../../tools/convert/write-package';
import { buildTestGraph, createTestWeights, TEST_WORD_COUNTS, VOCABULARY_SIZE } from '../convert/im2txt-test-graph';
import { generateFixture, greyImage, REPO_ROOT } from './helpers/fixture';

const MODELS = path.join(REPO_ROOT, 'public/models');

async function opsOfPackage(dir: string): Promise<string[]> {
  const modelJson = JSON.parse(await readFile(path.join(dir, 'model.json'), 'utf8')) as { modelTopology: { node: { op: string }[] } };
  return modelJson.modelTopology.node.map((node) => node.op);
}

async function shippedPackages(): Promise<string[]> {
  const list = parseModelList(JSON.parse(await readFile(path.join(MODELS, 'models.json'), 'utf8')));
  return list.models.map((model) => path.join(MODELS, model.id));
}

/**
 * The ops left in the tutorial's frozen show-and-tell.pb once converted (its JPEG front becomes the
 * `image` Placeholder and a Slice; Fill, Shape and the like are folded), in the spellings TF 1.x uses.
 */
const IM2TXT_INFERENCE_OPS = [
  'Const', 'Placeholder', 'PlaceholderWithDefault', 'Identity', 'Slice',
  // Inception v3, frozen: batch norm folded (BiasAdd), kept (FusedBatchNorm*), or slim's unfused Mul and Add.
  'Conv2D', 'BiasAdd', 'FusedBatchNorm', 'FusedBatchNormV2', 'FusedBatchNormV3', 'Mul', 'Add', 'AddV2', 'Relu',
  'MaxPool', 'AvgPool', 'ConcatV2', 'Reshape', 'Squeeze', 'ExpandDims',
  // Image embedding, word embedding, LSTM, logits.
  'MatMul', 'Gather', 'GatherV2', 'Split', 'SplitV', 'Sigmoid', 'Tanh', 'Softmax',
];

/** The im2txt test graph as the converter leaves it, batch norms folded or kept. */
function convertedTestGraphOps(foldBatchNorm: boolean): string[] {
  const converted = convertGraph(buildTestGraph(createTestWeights(7)), { vocabularySize: VOCABULARY_SIZE, foldBatchNorm });
  return converted.model.nodes.map((node) => node.op);
}

describe('the kernels the worker registers', () => {
  beforeAll(() => initNodeBackend('cpu')); // the converter folds constants with tfjs

  it('are the same set on every backend', () => {
    for (const kernels of [WEBGPU_KERNELS, WEBGL_KERNELS, WASM_KERNELS, CPU_KERNELS]) {
      expect(new Set(kernels.map((kernel) => kernel.kernelName))).toEqual(BUNDLED_KERNELS);
    }
  });

  it('cover every op of the shipped packages, the fixture and the converted im2txt graph', async () => {
    const graphs: [string, string[]][] = [
      ...(await Promise.all((await shippedPackages()).map(async (dir): Promise<[string, string[]]> => [dir, await opsOfPackage(dir)]))),
      ['fixture', await opsOfPackage((await generateFixture()).dir)],
      ['converted im2txt', convertedTestGraphOps(true)],
      ['converted im2txt, --keep-batch-norm', convertedTestGraphOps(false)],
    ];
    for (const [name, ops] of graphs) {
      const { kernels, unknownOps } = kernelsForOps(ops);
      expect(unknownOps, `${name}: ops missing from GRAPH_OP_KERNELS`).toEqual([]);
      expect([...kernels].filter((kernel) => !BUNDLED_KERNELS.has(kernel)), name).toEqual([]);
    }
  });

  it("cover every op of im2txt's inference graph after conversion, on every backend, and CONVERTING.md lists the table", async () => {
    const { kernels, unknownOps } = kernelsForOps(IM2TXT_INFERENCE_OPS);
    expect(unknownOps).toEqual([]);
    expect(IM2TXT_INFERENCE_OPS.filter((op) => !TFJS_SUPPORTED_OPS.has(op))).toEqual([]);
    for (const [backend, registered] of Object.entries({ WEBGPU_KERNELS, WEBGL_KERNELS, WASM_KERNELS, CPU_KERNELS })) {
      const names = new Set(registered.map((kernel) => kernel.kernelName));
      expect([...kernels].filter((kernel) => !names.has(kernel)), backend).toEqual([]);
    }
    const guide = await readFile(path.join(REPO_ROOT, 'docs/CONVERTING.md'), 'utf8');
    const listed = new Set([...guide.matchAll(/`(\w+)`/g)].map((match) => match[1]));
    expect(Object.keys(GRAPH_OP_KERNELS).filter((op) => !listed.has(op))).toEqual([]);
  });

  it('would not cover a graph with an op the table lacks', () => {
    expect(kernelsForOps(['Conv2D', 'Erfinv']).unknownOps).toEqual(['Erfinv']);
  });
});

/** `case 'Op':` blocks of tfjs-converter's executors → the tfjs-core ops they call (`ops.add`, `ops.fused.conv2d`). */
async function converterOpCalls(): Promise<Map<string, string[]>> {
  const dir = path.join(REPO_ROOT, 'node_modules/@tensorflow/tfjs-converter/dist/operations/executors');
  const calls = new Map<string, string[]>();
  for (const file of (await readdir(dir)).filter((name) => name.endsWith('_executor.js'))) {
    const source = (await readFile(path.join(dir, file), 'utf8')).split('//# sourceMappingURL')[0];
    let fallingThrough: string[] = [];
    for (const block of source.split(/(?=case '\w+':)/)) {
      const label = /^case '(\w+)':/.exec(block);
      if (!label) continue;
      fallingThrough.push(label[1]);
      const body = block.slice(label[0].length).split('default:')[0];
      if (body.trim() === '') continue;
      const used = [...body.matchAll(/\bops\.(\w+(?:\.\w+)?)/g)].map((match) => match[1]);
      for (const op of fallingThrough) calls.set(op, used);
      fallingThrough = [];
    }
  }
  return calls;
}

describe('the tfjs-core ops the worker bundles for tfjs-converter (converter-ops.ts)', () => {
  it('include every op the converter calls for the graph ops of the table', async () => {
    const calls = await converterOpCalls();
    const exported = converterOps as unknown as Record<string, Record<string, unknown> | undefined>;
    for (const graphOp of Object.keys(GRAPH_OP_KERNELS)) {
      const used = calls.get(graphOp);
      expect(used, `tfjs-converter has no executor case for ${graphOp}`).toBeDefined();
      for (const call of used ?? []) {
        const [namespace, name] = call.split('.');
        const found = name ? exported[namespace]?.[name] : exported[namespace];
        expect(typeof found, `${graphOp} calls ops.${call}`).toBe('function');
      }
    }
  });
});

/**
 * The table's op → kernel mapping checked against what really runs: captioning with each package
 * under tf.profile records every kernel call, which must all be in the table's kernels for the
 * package's ops plus the captioner's own.
 */
describe('kernels a real caption runs', () => {
  let workDir: string;

  beforeAll(async () => {
    workDir = await mkdtemp(path.join(os.tmpdir(), 'kernels-test-'));
  });
  afterAll(() => rm(workDir, { recursive: true, force: true }));

  async function kernelsRun(captioner: Captioner): Promise<Set<string>> {
    const image = greyImage(96, 64, 120);
    const profile = await tf.profile(async () => {
      await captioner.caption(image, { beamSize: 3, maxLength: 6 });
      return [];
    });
    // Ops with a custom gradient (fused convolutions) are recorded under their op name (`fusedConv2d__op`)
    // around the kernel call they make, which is recorded too.
    return new Set(profile.kernels.map((kernel) => kernel.name).filter((name) => !name.endsWith('__op')));
  }

  async function expectKernelsPredicted(dir: string): Promise<void> {
    const captioner = await loadCaptioner(folderPackageFiles(dir));
    try {
      const predicted = new Set([...kernelsForOps(await opsOfPackage(dir)).kernels, ...CAPTIONER_KERNELS]);
      const unpredicted = [...(await kernelsRun(captioner))].filter((kernel) => !predicted.has(kernel));
      expect(unpredicted, dir).toEqual([]);
    } finally {
      captioner.dispose();
    }
  }

  it('with the fixture and the converted im2txt graph (cpu backend)', async () => {
    await initNodeBackend('cpu');
    await expectKernelsPredicted((await generateFixture()).dir);
    const graph = path.join(workDir, 'im2txt.pb');
    const vocab = path.join(workDir, 'word_counts.txt');
    await writeFile(graph, encodeGraphDef(buildTestGraph(createTestWeights(7))));
    await writeFile(vocab, TEST_WORD_COUNTS);
    const out = path.join(workDir, 'models', 'im2txt');
    await convertShowAndTell({ graph, vocab, out });
    await expectKernelsPredicted(out);
  });

  it('with the shipped packages (wasm backend)', async () => {
    await initNodeBackend('wasm');
    for (const dir of await shippedPackages()) await expectKernelsPredicted(dir);
  }, 120_000);
});
