/**
 * Which TensorFlow.js kernels the app ships. Each backend registers only these (kernels-*.ts), which
 * keeps the worker small: a full backend carries hundreds of kernels the graphs never run. Plain
 * data, so the converter (tools/convert) and the tests can check a graph against it without a backend.
 */

/**
 * TensorFlow graph op → the kernels tfjs-converter runs for it: its executors call tfjs-core ops
 * (e.g. BiasAdd → tf.add → Add; GatherV2 casts its indices first), and each op runs these kernels.
 * An op missing here is one the app cannot run.
 */
export const GRAPH_OP_KERNELS: Readonly<Record<string, readonly string[]>> = {
  Const: [],
  Placeholder: [],
  // Returns the fed tensor, or its default input when nothing is fed: no kernel of its own.
  PlaceholderWithDefault: [],
  Identity: ['Identity'],
  Add: ['Add'],
  AddV2: ['Add'],
  BiasAdd: ['Add'],
  Sub: ['Sub'],
  Mul: ['Multiply'],
  Maximum: ['Maximum'],
  Less: ['Less'],
  Greater: ['Greater'],
  Log: ['Log'],
  Relu: ['Relu'],
  Relu6: ['Relu6'],
  Rsqrt: ['Rsqrt'],
  Sigmoid: ['Sigmoid'],
  Tanh: ['Tanh'],
  Softmax: ['Softmax'],
  Cast: ['Cast'],
  Conv2D: ['Conv2D'],
  _FusedConv2D: ['FusedConv2D'],
  DepthwiseConv2dNative: ['DepthwiseConv2dNative'],
  FusedDepthwiseConv2dNative: ['FusedDepthwiseConv2D'],
  MatMul: ['BatchMatMul'],
  _FusedMatMul: ['_FusedMatMul'],
  FusedBatchNorm: ['FusedBatchNorm'],
  FusedBatchNormV2: ['FusedBatchNorm'],
  FusedBatchNormV3: ['FusedBatchNorm'],
  MaxPool: ['MaxPool'],
  AvgPool: ['AvgPool'],
  Mean: ['Mean'],
  Max: ['Max'],
  ArgMax: ['ArgMax'],
  ResizeBilinear: ['ResizeBilinear'],
  CropAndResize: ['CropAndResize'],
  // A concat of one tensor is a copy (Identity).
  ConcatV2: ['Concat', 'Identity'],
  Split: ['SplitV'],
  SplitV: ['SplitV'],
  // TF 1.0's embedding lookup (im2txt's seq_embedding) is Gather; later versions write GatherV2.
  Gather: ['Cast', 'GatherV2'],
  GatherV2: ['Cast', 'GatherV2'],
  Pack: ['Pack', 'Reshape'],
  Slice: ['Slice'],
  Pad: ['PadV2'],
  PadV2: ['PadV2'],
  Reshape: ['Reshape'],
  Squeeze: ['Reshape'],
  ExpandDims: ['ExpandDims'],
  ReverseV2: ['Reverse'],
  TopKV2: ['TopK'],
  // Sizes read off tensors, so CenterNet takes any input size (training/any-input-size.ts): no kernel, tfjs-converter reads the shape.
  Shape: [],
  // CenterNet's own decoding of its heatmap into boxes (the default package's `detections`).
  Equal: ['Equal'],
  FloorDiv: ['FloorDiv'],
  FloorMod: ['Mod'],
  StridedSlice: ['StridedSlice'],
  // The attending decoder's region pooling (training/region-graph.ts): box coverage of backbone cells.
  Minimum: ['Minimum'],
  Range: ['Range'],
  RealDiv: ['RealDiv'],
  Sum: ['Sum'],
};

/**
 * Kernels the captioner runs itself, outside any graph: image preprocessing (src/captioner/preprocess.ts),
 * the decoder's top-k and state gather, and the reading of detection outputs and the grounding bias
 * added to the word distribution before top-k.
 */
export const CAPTIONER_KERNELS: readonly string[] = [
  'Cast', 'Slice', 'ExpandDims', 'Reshape', 'AvgPool', 'CropAndResize', 'Reverse', 'PadV2', 'Add', 'Multiply',
  'TopK', 'GatherV2',
  'Log', 'Sub', 'Maximum', 'Less', 'Greater', 'Max', 'ArgMax', 'Concat', 'MaxPool', 'Sigmoid',
];

/**
 * Kernels the backends run inside other kernels and need registered: the WebAssembly reductions
 * (Mean, Max, ArgMax) transpose through the Transpose kernel, whose set-up binds its wasm function.
 */
export const BACKEND_INTERNAL_KERNELS: readonly string[] = ['Transpose'];

/** Every kernel each backend registers. */
export const BUNDLED_KERNELS: ReadonlySet<string> = new Set([
  ...Object.values(GRAPH_OP_KERNELS).flat(),
  ...CAPTIONER_KERNELS,
  ...BACKEND_INTERNAL_KERNELS,
]);

/** The kernels a graph with these ops needs, and the ops this app cannot run at all. */
export function kernelsForOps(ops: Iterable<string>): { kernels: Set<string>; unknownOps: string[] } {
  const kernels = new Set<string>();
  const unknownOps: string[] = [];
  for (const op of new Set(ops)) {
    const needed = GRAPH_OP_KERNELS[op];
    if (needed) needed.forEach((kernel) => kernels.add(kernel));
    else unknownOps.push(op);
  }
  return { kernels, unknownOps };
}
