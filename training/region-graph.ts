import { attr, type GraphBuilder } from '../tools/graph';
import { addLinear, type LinearWeights, type Matrix } from '../tools/graph/linear';
import { GRID_SIDE, REGION_COUNT } from './encoder';

/** training/attend.py's region embedding, standardisation folded in (its export's `regions/*` tensors). */
export interface RegionEmbeddingWeights {
  features: LinearWeights;
  geometry: LinearWeights;
  classes: Matrix;
}

/** The class index training/attend.py gives grid cells (the detector's classes are 0..79). */
const GRID_CLASS = 80;

/**
 * The region vectors [GRID_SIDE² + REGION_COUNT, embedding] of training/attend.py, in the browser
 * graph: the same numbers as encodeRegions() in training/encoder.ts, then the region embedding.
 * Grid cells and detections are pooled alike, each cell of the backbone weighted by how much of it
 * the box covers, in fractions of the image, so any input size works (at 512×512 a grid box covers
 * whole cells and this is encodeRegions' average pooling exactly).
 */
export function addRegionVectors(
  graph: GraphBuilder,
  nodes: { image: string; backbone: string; detections: string },
  weights: RegionEmbeddingWeights,
): { vectors: string; regionCount: number } {
  const name = (op: string) => `regions/${op}`;
  const cells = GRID_SIDE * GRID_SIDE;
  const count = cells + REGION_COUNT;
  const int = (op: string, shape: number[], values: number[]) => graph.intConstant(name(op), shape, values);
  const float = (op: string, shape: number[], values: ArrayLike<number>) => graph.floatConstant(name(op), shape, values);
  const axis0 = int('axis_0', [], [0]);
  const axis1 = int('axis_1', [], [1]);
  const slice = (op: string, input: string, begin: number[], size: number[]) =>
    graph.op(name(op), 'Slice', [input, int(`${op}_begin`, [begin.length], begin), int(`${op}_size`, [size.length], size)], { T: attr.dtype('float32'), Index: attr.dtype('int32') });
  /** One dimension of a tensor's shape, as a float scalar. */
  const dimension = (op: string, input: string, index: number) => {
    const shape = graph.op(name(`${op}_shape`), 'Shape', [input], { T: attr.dtype('float32'), out_type: attr.dtype('int32') });
    const size = graph.op(name(`${op}_size`), 'StridedSlice', [shape, int(`${op}_begin`, [1], [index]), int(`${op}_end`, [1], [index + 1]), int(`${op}_strides`, [1], [1])], {
      T: attr.dtype('int32'), Index: attr.dtype('int32'),
      begin_mask: attr.int(0), end_mask: attr.int(0), ellipsis_mask: attr.int(0), new_axis_mask: attr.int(0), shrink_axis_mask: attr.int(1),
    });
    return graph.op(name(op), 'Cast', [size], { SrcT: attr.dtype('int32'), DstT: attr.dtype('float32'), Truncate: attr.bool(false) });
  };

  // Boxes as fractions of the input: the grid's, then the detector's best (its own decoding, best first).
  const [height, width] = [dimension('input_height', nodes.image, 1), dimension('input_width', nodes.image, 2)];
  const best = slice('best', graph.op(name('detections_rows'), 'Reshape', [nodes.detections, int('detections_shape', [2], [-1, 6])]), [0, 0], [REGION_COUNT, 6]);
  const inputSize = graph.op(name('input_size'), 'Pack', [width, height, width, height], { N: attr.int(4), T: attr.dtype('float32'), axis: attr.int(0) });
  const detectedBoxes = graph.op(name('detected_boxes'), 'Minimum', [
    graph.op(name('detected_boxes_positive'), 'Relu', [graph.op(name('detected_boxes_fraction'), 'RealDiv', [slice('detected_pixels', best, [0, 0], [REGION_COUNT, 4]), inputSize])]),
    float('one', [], [1]),
  ]);
  const gridBoxes = Array.from({ length: cells }, (_, i) => {
    const [y, x] = [Math.floor(i / GRID_SIDE), i % GRID_SIDE];
    return [x / GRID_SIDE, y / GRID_SIDE, (x + 1) / GRID_SIDE, (y + 1) / GRID_SIDE];
  }).flat();
  const boxes = graph.op(name('boxes'), 'ConcatV2', [float('grid_boxes', [cells, 4], gridBoxes), detectedBoxes, axis0], { N: attr.int(2) });
  const [x1, y1, x2, y2] = [0, 1, 2, 3].map((i) => slice(`box_${i}`, boxes, [0, i], [count, 1]));

  /** How much of each backbone cell along one axis each box covers: [count, cells]. */
  const coverage = (axis: string, start: string, end: string, cellCount: string) => {
    const edge = (op: string, from: number) => graph.op(name(`${axis}_${op}`), 'RealDiv', [
      graph.op(name(`${axis}_${op}_index`), 'Range', [
        float(`${axis}_${op}_from`, [], [from]),
        graph.op(name(`${axis}_${op}_to`), 'AddV2', [cellCount, float(`${axis}_${op}_offset`, [], [from])]),
        float(`${axis}_${op}_delta`, [], [1]),
      ], { Tidx: attr.dtype('float32') }),
      cellCount,
    ]);
    const overlap = graph.op(name(`${axis}_overlap`), 'Sub', [
      graph.op(name(`${axis}_end`), 'Minimum', [end, edge('high', 1)]),
      graph.op(name(`${axis}_start`), 'Maximum', [start, edge('low', 0)]),
    ]);
    return graph.op(name(`${axis}_coverage`), 'Relu', [overlap]);
  };
  const [rows, cols] = [dimension('rows', nodes.backbone, 1), dimension('cols', nodes.backbone, 2)];
  const across = graph.op(name('across'), 'Reshape', [coverage('x', x1, x2, cols), int('across_shape', [3], [count, 1, -1])]);
  const down = graph.op(name('down'), 'Reshape', [coverage('y', y1, y2, rows), int('down_shape', [3], [count, -1, 1])]);
  const cover = graph.op(name('cover'), 'Reshape', [graph.op(name('cover_grid'), 'Mul', [down, across]), int('cover_shape', [2], [count, -1])]);
  const total = graph.op(name('cover_total'), 'Maximum', [graph.op(name('cover_sum'), 'Sum', [cover, axis1], { keep_dims: attr.bool(true) }), float('cover_floor', [], [1e-12])]);
  const cellFeatures = graph.op(name('cells'), 'Reshape', [nodes.backbone, int('cells_shape', [2], [-1, weights.features.weights.shape[0]])]);
  const pooled = graph.op(name('pooled'), 'MatMul', [graph.op(name('cover_weights'), 'RealDiv', [cover, total]), cellFeatures]);

  // Geometry as training/attend.py reads it: box, area, score (1 for grid cells); then the class.
  const area = graph.op(name('area'), 'Mul', [graph.op(name('box_width'), 'Sub', [x2, x1]), graph.op(name('box_height'), 'Sub', [y2, y1])]);
  const scores = graph.op(name('scores'), 'ConcatV2', [float('grid_scores', [cells, 1], new Float32Array(cells).fill(1)), slice('detected_scores', best, [0, 4], [REGION_COUNT, 1]), axis0], { N: attr.int(2) });
  const geometry = graph.op(name('box_geometry'), 'ConcatV2', [boxes, area, scores, axis1], { N: attr.int(3) });
  const classIds = graph.op(name('class_ids'), 'Cast', [
    graph.op(name('classes'), 'ConcatV2', [float('grid_classes', [cells, 1], new Float32Array(cells).fill(GRID_CLASS)), slice('detected_classes', best, [0, 5], [REGION_COUNT, 1]), axis0], { N: attr.int(2) }),
  ], { SrcT: attr.dtype('float32'), DstT: attr.dtype('int32'), Truncate: attr.bool(false) });
  const classVectors = graph.op(name('class_vectors'), 'Reshape', [
    graph.op(name('class_lookup'), 'GatherV2', [float('class_embedding', weights.classes.shape, weights.classes.data), classIds, axis0], { batch_dims: attr.int(0) }),
    int('class_vectors_shape', [2], [count, -1]),
  ]);
  const summed = graph.op(name('summed'), 'AddV2', [
    graph.op(name('features_geometry'), 'AddV2', [addLinear(graph, name('features'), pooled, weights.features), addLinear(graph, name('geometry'), geometry, weights.geometry)]),
    classVectors,
  ]);
  return { vectors: graph.op(name('vectors'), 'Relu', [summed]), regionCount: count };
}
