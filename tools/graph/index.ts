export { attr, constNode, opNode, placeholderNode, GraphBuilder } from './graph-def';
export type { AttrValue, DType, GraphModelSpec, GraphNode, TensorShapeJson, Weight } from './graph-def';
export { readGraphModel, removeUnusedSharedFiles, sharedFilesOf, writeGraphModel, DEFAULT_SHARD_BYTES } from './package-files';
export type { Quantization, SharedWeights, WriteOptions } from './package-files';
export { addIm2txtDecoder } from './im2txt-decoder';
export type { Im2txtDecoderSpec, Im2txtDecoderWeights } from './im2txt-decoder';
export { readModelList, registerModel, writeModelList } from './model-list';
export type { ModelList } from './model-list';
