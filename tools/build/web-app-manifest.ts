/**
 * Vite plugin that makes the page installable: it renders the icons (tools/icons/app-icon.ts),
 * writes the web app manifest, and links both from index.html. Every file gets a content-hashed
 * name under assets/, so hosts may cache them for ever, the service worker serves them offline like
 * the other assets, and the Content-Security-Policy ('self') allows them. The dev server serves the
 * same files from memory.
 */
import { createHash } from 'node:crypto';
import type { Plugin } from 'vite';
import { iconPng, iconSvg } from '../icons/app-icon.ts';

const ASSETS = 'assets';
export const THEME_COLOR = '#2f6fed';
const BACKGROUND_COLOR = '#f5f6f8';

interface BuiltFile {
  fileName: string;
  source: string | Buffer;
}

function hashed(name: string, extension: string, source: string | Buffer): BuiltFile {
  const hash = createHash('sha256').update(source).digest('hex').slice(0, 8);
  return { fileName: `${ASSETS}/${name}-${hash}.${extension}`, source };
}

/** The manifest and its icons; the manifest's URLs are relative to itself (start_url and scope: the app's folder). */
export function webAppFiles(): { manifest: BuiltFile; svgIcon: BuiltFile; appleIcon: BuiltFile; icons: BuiltFile[] } {
  const svgIcon = hashed('icon', 'svg', iconSvg());
  const icon192 = hashed('icon-192', 'png', iconPng(192));
  const icon512 = hashed('icon-512', 'png', iconPng(512));
  const maskable = hashed('icon-maskable-512', 'png', iconPng(512, 'maskable'));
  const appleIcon = hashed('apple-touch-icon', 'png', iconPng(180, 'maskable'));
  const inManifest = (file: BuiltFile) => file.fileName.slice(ASSETS.length + 1);
  const manifest = {
    name: 'Show and Tell in the browser',
    short_name: 'Show and Tell',
    description: 'Alt text and captions for your photos, computed entirely in your browser.',
    id: '../',
    start_url: '../',
    scope: '../',
    display: 'standalone',
    background_color: BACKGROUND_COLOR,
    theme_color: THEME_COLOR,
    icons: [
      { src: inManifest(svgIcon), sizes: 'any', type: 'image/svg+xml', purpose: 'any' },
      { src: inManifest(icon192), sizes: '192x192', type: 'image/png', purpose: 'any' },
      { src: inManifest(icon512), sizes: '512x512', type: 'image/png', purpose: 'any' },
      { src: inManifest(maskable), sizes: '512x512', type: 'image/png', purpose: 'maskable' },
    ],
  };
  return {
    manifest: hashed('manifest', 'webmanifest', `${JSON.stringify(manifest, null, 2)}\n`),
    svgIcon,
    appleIcon,
    icons: [svgIcon, icon192, icon512, maskable, appleIcon],
  };
}

const CONTENT_TYPES: Record<string, string> = { svg: 'image/svg+xml', png: 'image/png', webmanifest: 'application/manifest+json' };

export function webAppManifest(): Plugin {
  let files: ReturnType<typeof webAppFiles> | null = null;
  const built = () => (files ??= webAppFiles());
  return {
    name: 'web-app-manifest',
    generateBundle() {
      const { manifest, icons } = built();
      for (const { fileName, source } of [manifest, ...icons]) this.emitFile({ type: 'asset', fileName, source });
    },
    configureServer(server) {
      server.middlewares.use((request, response, next) => {
        const { manifest, icons } = built();
        const file = [manifest, ...icons].find(({ fileName }) => request.url === `/${fileName}`);
        if (!file) return next();
        response.setHeader('Content-Type', CONTENT_TYPES[file.fileName.split('.').pop()!]);
        response.end(file.source);
      });
    },
    transformIndexHtml() {
      const { manifest, svgIcon, appleIcon } = built();
      return [
        { tag: 'link', attrs: { rel: 'manifest', href: `./${manifest.fileName}` }, injectTo: 'head' },
        { tag: 'link', attrs: { rel: 'icon', href: `./${svgIcon.fileName}`, type: 'image/svg+xml' }, injectTo: 'head' },
        { tag: 'link', attrs: { rel: 'apple-touch-icon', href: `./${appleIcon.fileName}` }, injectTo: 'head' },
        { tag: 'meta', attrs: { name: 'theme-color', content: THEME_COLOR }, injectTo: 'head' },
      ];
    },
  };
}
