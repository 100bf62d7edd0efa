import type { GraphBuilder } from './graph-def';

/** A tensor's values, row-major, with its shape. */
export interface Matrix {
  shape: number[];
  data: Float32Array;
}

export interface LinearWeights {
  weights: Matrix;
  biases: Matrix;
  /**
   * Standardisation of the inputs, (x − mean) · invStd, done in the graph: the weights keep their
   * trained scale, where folding 1/std into them makes a few huge values that 8 bits cannot hold.
   */
  standardise?: { mean: Matrix; invStd: Matrix };
}

/** `name` = input · weights + biases, the input standardised first when given; the weights are the Const `name/weights`. */
export function addLinear(graph: GraphBuilder, name: string, input: string, { weights, biases, standardise }: LinearWeights): string {
  const constant = (suffix: string, matrix: Matrix) => graph.floatConstant(`${name}/${suffix}`, matrix.shape, matrix.data);
  const x = standardise
    ? graph.op(`${name}/standardised`, 'Mul', [graph.op(`${name}/centred`, 'Sub', [input, constant('mean', standardise.mean)]), constant('inv_std', standardise.invStd)])
    : input;
  return graph.op(name, 'BiasAdd', [graph.op(`${name}/MatMul`, 'MatMul', [x, constant('weights', weights)]), constant('biases', biases)]);
}
