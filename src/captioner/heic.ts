/**
 * HEIC/HEIF photos (iPhones) decoded with libheif: libheif-js's WebAssembly build (libheif with the
 * libde265 HEVC decoder, LGPL-3.0), shared by the page's HEIC worker and the CLI. Its code is
 * imported, and its 1.4 MB of WebAssembly read from where the caller says, only when the first such
 * photo arrives.
 */
import type { RgbaImage } from './preprocess';

/** The parts of libheif's embind API used here (libheif-js types them loosely). */
interface Libheif {
  heif_error_code: { heif_error_Ok: unknown };
  heif_colorspace: { heif_colorspace_RGB: unknown };
  heif_chroma: { heif_chroma_interleaved_RGBA: unknown };
  heif_channel: { heif_channel_interleaved: unknown };
  heif_context_alloc(): unknown;
  heif_context_free(context: unknown): void;
  heif_context_read_from_memory(context: unknown, bytes: Uint8Array): { code: unknown; message: string };
  heif_js_context_get_primary_image_handle(context: unknown): { code?: unknown; message?: string } | null;
  heif_image_handle_release(handle: unknown): void;
  heif_js_decode_image2(handle: unknown, colorspace: unknown, chroma: unknown): Promise<DecodedImage | { code: unknown; message?: string } | null>;
  heif_image_release(image: unknown): void;
}

interface DecodedImage {
  image: unknown;
  channels: { id: unknown; width: number; height: number; stride: number; data: Uint8Array }[];
}

/** The decoder's WebAssembly binary: fetched from the app's own files in the page, read from node_modules in the CLI. */
export type HeicWasmSource = () => Promise<ArrayBuffer | Uint8Array>;

let started: Promise<Libheif> | undefined;

function startLibheif(wasmSource: HeicWasmSource): Promise<Libheif> {
  started ??= (async () => {
    const [{ default: createLibheif }, wasmBinary] = await Promise.all([import('libheif-js/libheif-wasm/libheif.js'), wasmSource()]);
    // Emscripten fills in and returns the options object: it is the module once its runtime is up.
    return new Promise<Libheif>((resolve, reject) => {
      const options = { wasmBinary, onRuntimeInitialized: () => resolve(options as unknown as Libheif), onAbort: reject };
      createLibheif(options);
    });
  })();
  // A start that failed (a network error in the page) is tried again with the next photo.
  started.catch(() => (started = undefined));
  return started;
}

const failed = (what: string, error?: { message?: string } | null) => new Error(`the HEIC file ${what}${error?.message ? ` (${error.message})` : ''}`);

/** The photo's primary image as RGBA, its rotation and mirroring (the HEIF irot and imir boxes) applied by libheif. */
export async function decodeHeic(bytes: Uint8Array, wasmSource: HeicWasmSource): Promise<RgbaImage> {
  const libheif = await startLibheif(wasmSource);
  const context = libheif.heif_context_alloc();
  try {
    const read = libheif.heif_context_read_from_memory(context, bytes);
    if (read.code !== libheif.heif_error_code.heif_error_Ok) throw failed('cannot be read', read);
    const handle = libheif.heif_js_context_get_primary_image_handle(context);
    if (!handle || handle.code !== undefined) throw failed('has no image', handle);
    try {
      const decoded = await libheif.heif_js_decode_image2(handle, libheif.heif_colorspace.heif_colorspace_RGB, libheif.heif_chroma.heif_chroma_interleaved_RGBA);
      if (!decoded || !('channels' in decoded)) throw failed('image cannot be decoded', decoded);
      try {
        const channel = decoded.channels.find(({ id }) => id === libheif.heif_channel.heif_channel_interleaved);
        if (!channel) throw failed('image has no RGBA pixels');
        const { width, height, stride } = channel;
        const data = new Uint8Array(width * height * 4);
        for (let row = 0; row < height; row++) data.set(channel.data.subarray(row * stride, row * stride + width * 4), row * width * 4);
        return { width, height, data };
      } finally {
        libheif.heif_image_release(decoded.image);
      }
    } finally {
      libheif.heif_image_handle_release(handle);
    }
  } finally {
    libheif.heif_context_free(context);
  }
}
