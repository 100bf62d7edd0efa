/** The WebAssembly kernels the app registers: exactly BUNDLED_KERNELS of kernels.ts (test/unit/kernels.test.ts checks). */
import type { KernelConfig } from '@tensorflow/tfjs-core';
import { equalConfig } from '@tensorflow/tfjs-backend-wasm/dist/kernels/Equal';
import { floorDivConfig } from '@tensorflow/tfjs-backend-wasm/dist/kernels/FloorDiv';
import { modConfig } from '@tensorflow/tfjs-backend-wasm/dist/kernels/Mod';
import { stridedSliceConfig } from '@tensorflow/tfjs-backend-wasm/dist/kernels/StridedSlice';
import { _fusedMatMulConfig } from '@tensorflow/tfjs-backend-wasm/dist/kernels/_FusedMatMul';
import { addConfig } from '@tensorflow/tfjs-backend-wasm/dist/kernels/Add';
import { argMaxConfig } from '@tensorflow/tfjs-backend-wasm/dist/kernels/ArgMax';
import { avgPoolConfig } from '@tensorflow/tfjs-backend-wasm/dist/kernels/AvgPool';
import { batchMatMulConfig } from '@tensorflow/tfjs-backend-wasm/dist/kernels/BatchMatMul';
import { castConfig } from '@tensorflow/tfjs-backend-wasm/dist/kernels/Cast';
import { concatConfig } from '@tensorflow/tfjs-backend-wasm/dist/kernels/Concat';
import { conv2DConfig } from '@tensorflow/tfjs-backend-wasm/dist/kernels/Conv2D';
import { cropAndResizeConfig } from '@tensorflow/tfjs-backend-wasm/dist/kernels/CropAndResize';
import { depthwiseConv2dNativeConfig } from '@tensorflow/tfjs-backend-wasm/dist/kernels/DepthwiseConv2dNative';
import { expandDimsConfig } from '@tensorflow/tfjs-backend-wasm/dist/kernels/ExpandDims';
import { fusedBatchNormConfig } from '@tensorflow/tfjs-backend-wasm/dist/kernels/FusedBatchNorm';
import { fusedConv2DConfig } from '@tensorflow/tfjs-backend-wasm/dist/kernels/FusedConv2D';
import { fusedDepthwiseConv2DConfig } from '@tensorflow/tfjs-backend-wasm/dist/kernels/FusedDepthwiseConv2D';
import { gatherV2Config } from '@tensorflow/tfjs-backend-wasm/dist/kernels/GatherV2';
import { greaterConfig } from '@tensorflow/tfjs-backend-wasm/dist/kernels/Greater';
import { identityConfig } from '@tensorflow/tfjs-backend-wasm/dist/kernels/Identity';
import { lessConfig } from '@tensorflow/tfjs-backend-wasm/dist/kernels/Less';
import { logConfig } from '@tensorflow/tfjs-backend-wasm/dist/kernels/Log';
import { maxConfig } from '@tensorflow/tfjs-backend-wasm/dist/kernels/Max';
import { maximumConfig } from '@tensorflow/tfjs-backend-wasm/dist/kernels/Maximum';
import { maxPoolConfig } from '@tensorflow/tfjs-backend-wasm/dist/kernels/MaxPool';
import { meanConfig } from '@tensorflow/tfjs-backend-wasm/dist/kernels/Mean';
import { multiplyConfig } from '@tensorflow/tfjs-backend-wasm/dist/kernels/Multiply';
import { packConfig } from '@tensorflow/tfjs-backend-wasm/dist/kernels/Pack';
import { padV2Config } from '@tensorflow/tfjs-backend-wasm/dist/kernels/PadV2';
import { reluConfig } from '@tensorflow/tfjs-backend-wasm/dist/kernels/Relu';
import { relu6Config } from '@tensorflow/tfjs-backend-wasm/dist/kernels/Relu6';
import { reshapeConfig } from '@tensorflow/tfjs-backend-wasm/dist/kernels/Reshape';
import { resizeBilinearConfig } from '@tensorflow/tfjs-backend-wasm/dist/kernels/ResizeBilinear';
import { reverseConfig } from '@tensorflow/tfjs-backend-wasm/dist/kernels/Reverse';
import { rsqrtConfig } from '@tensorflow/tfjs-backend-wasm/dist/kernels/Rsqrt';
import { sigmoidConfig } from '@tensorflow/tfjs-backend-wasm/dist/kernels/Sigmoid';
import { sliceConfig } from '@tensorflow/tfjs-backend-wasm/dist/kernels/Slice';
import { softmaxConfig } from '@tensorflow/tfjs-backend-wasm/dist/kernels/Softmax';
import { splitVConfig } from '@tensorflow/tfjs-backend-wasm/dist/kernels/SplitV';
import { subConfig } from '@tensorflow/tfjs-backend-wasm/dist/kernels/Sub';
import { tanhConfig } from '@tensorflow/tfjs-backend-wasm/dist/kernels/Tanh';
import { topKConfig } from '@tensorflow/tfjs-backend-wasm/dist/kernels/TopK';
import { transposeConfig } from '@tensorflow/tfjs-backend-wasm/dist/kernels/Transpose';

import { minimumConfig } from '@tensorflow/tfjs-backend-wasm/dist/kernels/Minimum';
import { rangeConfig } from '@tensorflow/tfjs-backend-wasm/dist/kernels/Range';
import { realDivConfig } from '@tensorflow/tfjs-backend-wasm/dist/kernels/RealDiv';
import { sumConfig } from '@tensorflow/tfjs-backend-wasm/dist/kernels/Sum';
export const WASM_KERNELS: readonly KernelConfig[] = [
  _fusedMatMulConfig, addConfig, argMaxConfig, avgPoolConfig, batchMatMulConfig, castConfig, concatConfig,
  conv2DConfig, cropAndResizeConfig, depthwiseConv2dNativeConfig, expandDimsConfig, fusedBatchNormConfig,
  fusedConv2DConfig, fusedDepthwiseConv2DConfig, gatherV2Config, greaterConfig, identityConfig, lessConfig, logConfig,
  maxConfig, maximumConfig, maxPoolConfig, meanConfig, multiplyConfig, packConfig, padV2Config, reluConfig,
  relu6Config, reshapeConfig, resizeBilinearConfig, reverseConfig, rsqrtConfig, sigmoidConfig, sliceConfig,
  softmaxConfig, splitVConfig, subConfig, tanhConfig, topKConfig, transposeConfig,
  // CenterNet's own detection decoding (the default package's `detections` output).
  equalConfig, floorDivConfig, modConfig, stridedSliceConfig,
  // The attending decoder's region pooling (training/region-graph.ts).
  minimumConfig, rangeConfig, realDivConfig, sumConfig,
];
