/**
 * A Vite plugin that keeps TensorFlow.js code the app never runs out of browser bundles (the app's
 * worker and the bench harness). Kernels are trimmed at run time instead: the worker registers only
 * src/worker/kernels.ts's set (src/worker/<backend>-backend.ts). Cut here, at build time:
 *  - tfjs-core without its training optimisers (tfjs's own custom-bundle recipe: its base module and
 *    base side effects, not its index);
 *  - tfjs-converter's namespace import of every tfjs-core op resolves to src/worker/converter-ops.ts;
 *  - tf.image keeps only the two image ops the app runs (resizeBilinear, cropAndResize);
 *  - tfjs-converter's op tables (operations/op_list) keep only the graph ops of GRAPH_OP_KERNELS, so a graph with
 *    any other op fails to load with tfjs's own "op not supported" error;
 *  - the executors of op categories with none of those ops are replaced by one that throws;
 *  - the WebGL and WebGPU backends take the CPU helpers they run small tensors with by name instead of
 *    destructuring the whole helper namespace, so helpers of unregistered kernels fall away.
 * And one repair: tfjs starts its WebAssembly threads from the threaded build's factory function
 * turned back into source (toString). That function reads `_scriptDir`, a variable of its enclosing
 * closure, behind a `typeof` guard; minifiers rename it and drop the guard, so the threads failed
 * with "e is not defined". Without the enclosing declaration it is a global that no minifier touches
 * (undefined in a worker, where tfjs passes the script as a Blob anyway).
 */
import path from 'node:path';
import type { Plugin } from 'vite';
import { GRAPH_OP_KERNELS } from '../../src/worker/kernels.ts';

const CONVERTER_OPS = path.resolve(import.meta.dirname, '../../src/worker/converter-ops.ts');
const CORE_OPS_INDEX = /[\\/]@tensorflow[\\/]tfjs-core[\\/]dist[\\/]ops[\\/]ops\.js$/;
const TFJS_CORE = '@tensorflow/tfjs-core';
const CORE_WITHOUT_OPTIMIZERS = '\0lean-tfjs-core';
const ALL_CORE_OPS = /^@tensorflow\/tfjs-core\/dist\/ops\/ops_for_converter(\.js)?$/;
const OP_TABLE = /[\\/]@tensorflow[\\/]tfjs-converter[\\/]dist[\\/]operations[\\/]op_list[\\/]\w+\.js$/;
const GPU_CPU_HELPERS = /[\\/]@tensorflow[\\/]tfjs-backend-(webgl|webgpu)[\\/]dist[\\/]kernel_utils[\\/]shared\.js$/;
const THREADED_WASM_GLUE = /[\\/]@tensorflow[\\/]tfjs-backend-wasm[\\/]wasm-out[\\/]tfjs-backend-wasm-threaded-simd\.js$/;
const EXECUTOR = /[\\/]@tensorflow[\\/]tfjs-converter[\\/]dist[\\/]operations[\\/]executors[\\/](\w+)_executor\.js$/;
/** Executors of categories that hold ops of GRAPH_OP_KERNELS (their op tables' `category`). */
const USED_CATEGORIES = new Set([
  'arithmetic', 'basic_math', 'convolution', 'creation', 'evaluation', 'graph', 'image', 'logical', 'matrices', 'normalization',
  'reduction', 'slice_join', 'transformation',
]);
const THROWING_EXECUTOR = `export function executeOp(node) { throw new TypeError(\`\${node.op} is not in this app's TensorFlow.js bundle\`); }\nexport const CATEGORY = 'unused';\n`;

interface OpMapper {
  tfOpName: string;
  category?: string;
}

/** `import * as shared from '…'; const { a: b, … } = shared;` → `import { a as b, … } from '…';` */
function importHelpersByName(code: string): string {
  const rewritten = code.replace(/import \* as shared from '([^']+)';\s*const \{([^}]*)\} = shared;/, (_, from: string, names: string) => {
    return `import { ${names.replace(/(\w+)\s*:\s*(\w+)/g, '$1 as $2')} } from '${from}';`;
  });
  if (rewritten === code) throw new Error('unexpected tfjs-backend-webgl/webgpu kernel_utils/shared.js layout');
  return rewritten;
}

function keepBundledImageOps(code: string): string {
  const rewritten = code.replace(/const image = \{[^}]*\};/, 'const image = { resizeBilinear, cropAndResize };');
  if (rewritten === code) throw new Error('unexpected tfjs-core ops/ops.js layout');
  return rewritten;
}

function withoutEnclosingScriptDir(code: string): string {
  const rewritten = code.replace(/\n\s*var _scriptDir = [^\n]*\n\s*if \(typeof __filename !== 'undefined'\) _scriptDir = [^\n]*\n/, '\n');
  if (rewritten === code) throw new Error('unexpected tfjs-backend-wasm threaded glue layout');
  return rewritten;
}

/** The op table files are `export const json = [ …object literals… ];` with comments around. */
function keepBundledOps(code: string): string {
  const start = code.indexOf('export const json =');
  const end = code.lastIndexOf('];');
  if (start === -1 || end === -1) throw new Error('unexpected tfjs-converter op table layout');
  const table = new Function(`return ${code.slice(start + 'export const json ='.length, end + 1)}`)() as OpMapper[];
  const kept = table.filter((mapper) => mapper.tfOpName in GRAPH_OP_KERNELS);
  for (const mapper of kept) {
    if (mapper.category && !USED_CATEGORIES.has(mapper.category)) throw new Error(`lean-tfjs: category ${mapper.category} of ${mapper.tfOpName} is cut`);
  }
  return `export const json = ${JSON.stringify(kept)};\n`;
}

export function leanTfjs(): Plugin {
  return {
    name: 'lean-tfjs',
    enforce: 'pre',
    resolveId(source) {
      if (source === TFJS_CORE) return CORE_WITHOUT_OPTIMIZERS;
      return ALL_CORE_OPS.test(source) ? CONVERTER_OPS : null;
    },
    load(id) {
      if (id !== CORE_WITHOUT_OPTIMIZERS) return null;
      return `import '${TFJS_CORE}/dist/base_side_effects';\nexport * from '${TFJS_CORE}/dist/base';\n`;
    },
    transform(code, id) {
      if (OP_TABLE.test(id)) return { code: keepBundledOps(code), map: null };
      if (THREADED_WASM_GLUE.test(id)) return { code: withoutEnclosingScriptDir(code), map: null };
      if (CORE_OPS_INDEX.test(id)) return { code: keepBundledImageOps(code), map: null };
      if (GPU_CPU_HELPERS.test(id)) return { code: importHelpersByName(code), map: null };
      const executor = EXECUTOR.exec(id);
      if (executor && !USED_CATEGORIES.has(executor[1])) return { code: THROWING_EXECUTOR, map: null };
      return null;
    },
  };
}
