import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { initNodeBackend } from '../../src/node/runtime';
import { foldConstants } from '../../tools/convert/fold-constants';
import { inMemoryGraphModel } from '../../tools/convert/graph-model';
import type { AttrValue, NodeDef } from '../../tools/convert/graphdef';
import { constNodeDef } from '../../tools/convert/tensor';

const type = (name: string): AttrValue => ({ type: name });
const FLOAT = { T: type('DT_FLOAT') };
const INT = { T: type('DT_INT32') };
const op = (name: string, opName: string, input: string[], attr: Record<string, AttrValue> = {}): NodeDef => ({ name, op: opName, input, attr });
const floats = (name: string, shape: number[], values: number[]) => constNodeDef(name, { dtype: 'float32', shape, values: Float32Array.from(values) });
const ints = (name: string, shape: number[], values: number[]) => constNodeDef(name, { dtype: 'int32', shape, values: Int32Array.from(values) });
const placeholder = (name: string, shape: number[]): NodeDef =>
  op(name, 'Placeholder', [], { dtype: type('DT_FLOAT'), shape: { shape: { dim: shape.map((size) => ({ size })) } } });

/**
 * Constant subgraphs the way TF 1.x writes them, each feeding an op on the input `x` [2, 3]:
 * a zero state (Fill), a flatten of a fixed-size placeholder (Shape, Slice, Prod, ExpandDims,
 * ConcatV2), a Range cast to float, an unfused batch norm's scale (Add, Rsqrt), a Pack, a Split of a
 * constant read at both outputs, and a boolean mask (Less) for a SelectV2.
 */
function graph(): NodeDef[] {
  return [
    placeholder('x', [-1, 3]),
    placeholder('image', [1, 2, 2, 3]),
    op('zeros', 'Fill', ['zeros/shape', 'zeros/Const'], { ...FLOAT, index_type: type('DT_INT32') }),
    ints('zeros/shape', [2], [1, 3]),
    floats('zeros/Const', [], [0.25]),
    op('flatten/Shape', 'Shape', ['image'], { ...FLOAT, out_type: type('DT_INT32') }),
    op('flatten/Slice', 'Slice', ['flatten/Shape', 'flatten/begin0', 'flatten/size1'], { ...INT, Index: type('DT_INT32') }),
    op('flatten/Slice_1', 'Slice', ['flatten/Shape', 'flatten/begin1', 'flatten/size3'], { ...INT, Index: type('DT_INT32') }),
    ints('flatten/begin0', [1], [0]),
    ints('flatten/size1', [1], [1]),
    ints('flatten/begin1', [1], [1]),
    ints('flatten/size3', [1], [3]),
    op('flatten/Prod', 'Prod', ['flatten/Slice_1', 'flatten/axis0'], { ...INT, Tidx: type('DT_INT32'), keep_dims: { b: false } }),
    ints('flatten/axis0', [], [0]),
    op('flatten/ExpandDims', 'ExpandDims', ['flatten/Prod', 'flatten/axis0'], { ...INT, Tdim: type('DT_INT32') }),
    op('flatten/concat', 'ConcatV2', ['flatten/Slice', 'flatten/ExpandDims', 'flatten/axis0'], { ...INT, N: { i: 2 }, Tidx: type('DT_INT32') }),
    op('flatten/Reshape', 'Reshape', ['image', 'flatten/concat'], { ...FLOAT, Tshape: type('DT_INT32') }),
    op('range', 'Range', ['range/start', 'range/limit', 'range/delta'], { Tidx: type('DT_INT32') }),
    ints('range/start', [], [0]),
    ints('range/limit', [], [3]),
    ints('range/delta', [], [1]),
    op('range/Cast', 'Cast', ['range'], { SrcT: type('DT_INT32'), DstT: type('DT_FLOAT') }),
    floats('variance', [3], [0.5, 1, 2]),
    floats('epsilon', [], [0.001]),
    op('batchnorm/add', 'Add', ['variance', 'epsilon'], FLOAT),
    op('batchnorm/Rsqrt', 'Rsqrt', ['batchnorm/add'], FLOAT),
    op('batchnorm/mul', 'Mul', ['x', 'batchnorm/Rsqrt'], FLOAT),
    op('stack', 'Pack', ['stack/a', 'stack/b'], { ...INT, N: { i: 2 }, axis: { i: 0 } }),
    ints('stack/a', [], [2]),
    ints('stack/b', [], [3]),
    op('reshaped', 'Reshape', ['batchnorm/mul', 'stack'], { ...FLOAT, Tshape: type('DT_INT32') }),
    op('halves', 'Split', ['halves/dim', 'halves/value'], { ...FLOAT, num_split: { i: 2 } }),
    ints('halves/dim', [], [0]),
    floats('halves/value', [2, 3], [1, 2, 3, 4, 5, 6]),
    op('mask', 'Less', ['range/Cast', 'one'], FLOAT),
    floats('one', [], [1.5]),
    op('masked', 'SelectV2', ['mask', 'reshaped', 'zeros'], FLOAT),
    op('sum', 'AddV2', ['masked', 'range/Cast'], FLOAT),
    op('sum_1', 'AddV2', ['sum', 'halves'], FLOAT),
    op('out', 'AddV2', ['sum_1', 'halves:1'], FLOAT),
    // A feed with a constant default stays a feed.
    op('scale', 'PlaceholderWithDefault', ['scale/default'], { dtype: type('DT_FLOAT'), shape: { shape: {} } }),
    floats('scale/default', [], [2]),
    op('scaled', 'Mul', ['flatten/Reshape', 'scale'], FLOAT),
  ];
}

const OUTPUTS = ['out', 'scaled', 'zeros'];

function run(nodes: NodeDef[], x: tf.Tensor, image: tf.Tensor): number[][] {
  const model = inMemoryGraphModel(nodes);
  const outputs = model.execute({ x, image }, OUTPUTS) as tf.Tensor[];
  const values = outputs.map((tensor) => Array.from(tensor.dataSync()));
  tf.dispose(outputs);
  model.dispose();
  return values;
}

describe('constant folding', () => {
  beforeAll(() => initNodeBackend('cpu'));

  it('computes what depends only on constants and fixed shapes, and the graph computes the same', () => {
    const original = graph();
    const { nodes, folded } = foldConstants(original, OUTPUTS);
    const ops = nodes.map((node) => node.op).sort();
    expect(ops).toEqual(
      ['AddV2', 'AddV2', 'AddV2', 'Cast', 'Const', 'Const', 'Const', 'Const', 'Const', 'Const', 'Const', 'Const', 'Const', 'Mul', 'Mul', 'Placeholder', 'Placeholder', 'PlaceholderWithDefault', 'Reshape', 'Reshape', 'SelectV2'].sort(),
    );
    expect(folded).toBe(14);
    const byName = new Map(nodes.map((node) => [node.name, node]));
    // Output names stay; a constant output becomes a Const of its name; a second output gets a name of its own.
    expect(byName.get('zeros')?.op).toBe('Const');
    expect(byName.get('out')?.input).toEqual(['sum_1', 'halves/output_1']);
    expect(byName.get('mask')).toMatchObject({ op: 'Cast', input: ['mask/as_int32'] });

    const x = tf.tensor2d([1, -2, 3, 0.5, 4, -1], [2, 3]);
    const image = tf.tensor4d(Array.from({ length: 12 }, (_, i) => i - 5), [1, 2, 2, 3]);
    const before = run(original, x, image);
    const after = run(nodes, x, image);
    after.forEach((values, i) => values.forEach((value, j) => expect(value).toBeCloseTo(before[i][j], 5)));
    tf.dispose([x, image]);
  });

  it('leaves random ops and graphs without constant subgraphs alone', () => {
    const nodes = [
      placeholder('x', [-1, 3]),
      op('noise', 'RandomUniform', ['noise/shape'], { dtype: type('DT_FLOAT'), T: type('DT_INT32') }),
      ints('noise/shape', [2], [1, 3]),
      op('out', 'AddV2', ['x', 'noise'], FLOAT),
    ];
    expect(foldConstants(nodes, ['out'])).toEqual({ nodes, folded: 0 });
  });
});
