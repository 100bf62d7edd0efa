import { attr, type GraphBuilder } from './graph-def';

/**
 * The rest of a TensorFlow BasicLSTMCell step once its gates' pre-activations [B, 4U] are computed
 * (gate order i, j, f, o), given the graph's scalar nodes `axis1` (int32 1) and `forgetBias` (added
 * to f): the new c and h. `name` scopes the ops.
 */
export function addLstmCellFromGates(
  graph: GraphBuilder,
  name: (op: string) => string,
  { gates, c }: { gates: string; c: string },
  { axis1, forgetBias }: { axis1: string; forgetBias: string },
): { c: string; h: string } {
  const split = graph.op(name('split_gates'), 'Split', [axis1, gates], { num_split: attr.int(4) });
  const [i, j, f, o] = [0, 1, 2, 3].map((k) => `${split}:${k}`);
  const forget = graph.op(name('forget'), 'Sigmoid', [graph.op(name('forget_biased'), 'AddV2', [f, forgetBias])]);
  const write = graph.op(name('write'), 'Mul', [graph.op(name('input_gate'), 'Sigmoid', [i]), graph.op(name('candidate'), 'Tanh', [j])]);
  const newC = graph.op(name('new_c'), 'AddV2', [graph.op(name('kept_c'), 'Mul', [c, forget]), write]);
  const newH = graph.op(name('new_h'), 'Mul', [graph.op(name('output_gate'), 'Sigmoid', [o]), graph.op(name('tanh_c'), 'Tanh', [newC])]);
  return { c: newC, h: newH };
}
