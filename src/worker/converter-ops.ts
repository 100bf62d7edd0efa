/**
 * The tfjs-core ops that tfjs-converter calls for the graph ops in GRAPH_OP_KERNELS (kernels.ts).
 * The converter imports all of tfjs-core's ops as one namespace, which keeps every op in the bundle;
 * browser builds resolve that import here instead (tools/build/lean-tfjs.ts), and
 * test/unit/kernels.test.ts checks that this list covers every op of the table (scalar: the converter's hash
 * tables name it directly).
 */
export {
  add, argMax, div, minimum, range, sum, avgPool, batchNorm, cast, concat, conv2d, depthwiseConv2d, equal, expandDims, floorDiv, fused, gather, greater,
  image, less, log, matMul, max, maximum, maxPool, mean, mod, mul, pad, relu, relu6, reshape, reverse, rsqrt, sigmoid, slice,
  softmax, split, scalar, squeeze, stack, stridedSlice, sub, tanh, tensor1d, topk,
} from '@tensorflow/tfjs-core';
