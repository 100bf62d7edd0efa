import type { ImageSpec } from '../../src/captioner/preprocess';
import { ConversionError } from './errors';
import { dataInputs, dataInputNames, indexByName, redirectInputs, resolveConstantValues } from './graph-edit';
import type { NodeDef } from './graphdef';
import { constNodeDef } from './tensor';

/**
 * im2txt decodes and normalises the photo inside the graph (image_processing.process_image):
 *   image_feed (JPEG bytes) → DecodeJpeg → convert_image_dtype (×1/255) → ResizeBilinear to 346×346
 *   → central crop to 299×299 → −0.5 → ×2 → ExpandDims → InceptionV3.
 * tfjs cannot decode JPEGs, so the converter replaces everything up to the crop with a float32
 * `image` input of the resized size: the app squashes the photo to that size and applies the
 * normalisation (an affine map, so it commutes with resizing and cropping); the crop stays in
 * the graph as a Slice, which keeps the pixels exactly those of the tutorial's pipeline.
 */
export interface ImageFrontOptions {
  /** The encoded-image placeholder to cut off. */
  feed: string;
  /** Name prefix of the image encoder, where the decoded image enters. */
  encoderScope: string;
  /** Name of the float32 input that replaces the front. */
  imageInput: string;
}

export const IM2TXT_IMAGE_FRONT: ImageFrontOptions = { feed: 'image_feed', encoderScope: 'InceptionV3/', imageInput: 'image' };

export interface Crop {
  top: number;
  left: number;
  height: number;
  width: number;
}

export interface ReplacedImageFront {
  nodes: NodeDef[];
  image: ImageSpec;
  /** The central crop kept in the graph, if the front crops after resizing. */
  crop?: Crop;
}

const DECODE_OPS = new Set(['DecodeJpeg', 'DecodePng', 'DecodeImage', 'DecodeBmp']);
/** Ops that change neither pixel values nor the image's height and width. */
const PASS_THROUGH_OPS = new Set(['Identity', 'ExpandDims', 'Squeeze', 'Cast']);

export function replaceImageFront(nodes: readonly NodeDef[], options: ImageFrontOptions = IM2TXT_IMAGE_FRONT): ReplacedImageFront {
  const byName = indexByName(nodes);
  const fromFeed = dependentsOf(nodes, options.feed);
  const entry = encoderEntry(nodes, fromFeed, options);
  const chain = preprocessingChain(entry, byName, fromFeed, options.feed);
  const { image, crop } = interpretChain(chain, byName);

  const added = [placeholderNodeDef(options.imageInput, [1, image.height, image.width, 3])];
  let input = options.imageInput;
  if (crop) {
    input = `${options.imageInput}/central_crop`;
    const begin = constNodeDef(`${input}/begin`, int32Tensor([0, crop.top, crop.left, 0]));
    const size = constNodeDef(`${input}/size`, int32Tensor([1, crop.height, crop.width, 3]));
    added.push(begin, size, {
      name: input,
      op: 'Slice',
      input: [options.imageInput, begin.name, size.name],
      attr: { T: { type: 'DT_FLOAT' }, Index: { type: 'DT_INT32' } },
    });
  }
  const clash = added.find((node) => byName.has(node.name));
  if (clash) throw new ConversionError(`the graph already has a node named ${clash.name}`);
  return { nodes: [...redirectInputs(nodes, entry.name, input), ...added], image, crop };
}

/** Every node whose value depends on `source`. */
function dependentsOf(nodes: readonly NodeDef[], source: string): Set<string> {
  const consumers = new Map<string, string[]>();
  for (const node of nodes) {
    for (const ref of dataInputs(node)) consumers.set(ref.node, [...(consumers.get(ref.node) ?? []), node.name]);
  }
  const reached = new Set<string>();
  const pending = [source];
  while (pending.length > 0) {
    for (const consumer of consumers.get(pending.pop()!) ?? []) {
      if (!reached.has(consumer)) {
        reached.add(consumer);
        pending.push(consumer);
      }
    }
  }
  return reached;
}

/** The preprocessed image tensor: the one node outside the encoder that the encoder reads it from. */
function encoderEntry(nodes: readonly NodeDef[], fromFeed: ReadonlySet<string>, options: ImageFrontOptions): NodeDef {
  const byName = indexByName(nodes);
  const entries = new Set<string>();
  for (const node of nodes) {
    if (!node.name.startsWith(options.encoderScope)) continue;
    for (const ref of dataInputs(node)) {
      if (fromFeed.has(ref.node) && !ref.node.startsWith(options.encoderScope)) entries.add(ref.node);
    }
  }
  if (entries.size !== 1) {
    throw new ConversionError(
      entries.size === 0
        ? `no node under ${options.encoderScope} reads the decoded ${options.feed}; is this the im2txt inference graph?`
        : `the image enters ${options.encoderScope} through several nodes (${[...entries].join(', ')}); expected one`,
    );
  }
  return byName.get([...entries][0])!;
}

/** The nodes from the decode op (exclusive) to the entry (inclusive), in execution order. */
function preprocessingChain(entry: NodeDef, byName: ReadonlyMap<string, NodeDef>, fromFeed: ReadonlySet<string>, feed: string): NodeDef[] {
  const chain: NodeDef[] = [];
  let node = entry;
  while (!DECODE_OPS.has(node.op)) {
    chain.unshift(node);
    const imageInputs = dataInputs(node).filter((ref) => fromFeed.has(ref.node));
    if (imageInputs.length !== 1) {
      throw new ConversionError(`image preprocessing node ${node.name} (${node.op}) does not have exactly one image input`);
    }
    node = byName.get(imageInputs[0].node)!;
  }
  if (dataInputs(node)[0]?.node !== feed) throw new ConversionError(`${node.name} (${node.op}) does not decode ${feed}`);
  return chain;
}

/** Reads the resize size, the crop and the affine normalisation off the preprocessing ops. */
function interpretChain(chain: readonly NodeDef[], byName: ReadonlyMap<string, NodeDef>): { image: ImageSpec; crop?: Crop } {
  let scale = 1;
  let offset = 0;
  let resized: { height: number; width: number } | undefined;
  let crop: Crop | undefined;
  const unexpected = (node: NodeDef, why: string) =>
    new ConversionError(`cannot interpret image preprocessing node ${node.name} (${node.op}): ${why}`);

  for (const node of chain) {
    if (PASS_THROUGH_OPS.has(node.op)) continue;
    const [imageInput, ...others] = dataInputNames(node);
    if (node.op === 'ResizeBilinear') {
      if (resized) throw unexpected(node, 'the image is resized twice');
      const size = resolveConstantValues(others[0], byName);
      if (size?.length !== 2) throw unexpected(node, 'its size is not a constant');
      resized = { height: size[0], width: size[1] };
      continue;
    }
    if (node.op === 'Slice') {
      const current = crop ?? (resized && { top: 0, left: 0, ...resized });
      const begin = resolveConstantValues(others[0], byName)?.slice(-3);
      const size = resolveConstantValues(others[1], byName)?.slice(-3);
      if (!current) throw unexpected(node, 'it crops before the image is resized to a fixed size');
      if (begin?.length !== 3 || size?.length !== 3) throw unexpected(node, 'its crop box is not constant');
      const height = size[0] === -1 ? current.height - begin[0] : size[0];
      const width = size[1] === -1 ? current.width - begin[1] : size[1];
      crop = { top: current.top + begin[0], left: current.left + begin[1], height, width };
      continue;
    }
    if (node.op === 'Pad') {
      if (!resolveConstantValues(others[0], byName)?.every((padding) => padding === 0)) throw unexpected(node, 'it pads the image');
      continue;
    }
    const operand = resolveConstantValues(node.input.find((input) => input !== imageInput && !input.startsWith('^'))!, byName);
    if (operand?.length !== 1) throw unexpected(node, 'expected a scalar constant operand');
    const value = operand[0];
    const imageFirst = node.input[0] === imageInput;
    switch (node.op) {
      case 'Mul':
        [scale, offset] = [scale * value, offset * value];
        break;
      case 'RealDiv':
      case 'Div':
        if (!imageFirst) throw unexpected(node, 'it divides by the image');
        [scale, offset] = [scale / value, offset / value];
        break;
      case 'Add':
      case 'AddV2':
        offset += value;
        break;
      case 'Sub':
        [scale, offset] = imageFirst ? [scale, offset - value] : [-scale, value - offset];
        break;
      default:
        throw unexpected(node, 'not a resize, crop or elementwise normalisation op');
    }
  }
  if (!resized) throw new ConversionError('the image preprocessing does not resize the photo to a fixed size (no ResizeBilinear)');
  return { image: { ...resized, resize: 'squash', scale, offset }, crop };
}

function placeholderNodeDef(name: string, shape: number[]): NodeDef {
  return {
    name,
    op: 'Placeholder',
    input: [],
    attr: { dtype: { type: 'DT_FLOAT' }, shape: { shape: { dim: shape.map((size) => ({ size })) } } },
  };
}

function int32Tensor(values: number[]) {
  return { dtype: 'int32' as const, shape: [values.length], values: Int32Array.from(values) };
}
