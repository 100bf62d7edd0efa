/** The tfjs backends that run in Node: WebAssembly (SIMD) or plain JavaScript. */
export type NodeBackend = 'wasm' | 'cpu';
