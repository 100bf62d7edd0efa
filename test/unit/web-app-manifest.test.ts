import { PNG } from 'pngjs';
import { describe, expect, it } from 'vitest';
import { webAppFiles } from '../../tools/build/web-app-manifest';

describe('web app manifest and icons', () => {
  const files = webAppFiles();
  const manifest = JSON.parse(String(files.manifest.source)) as {
    start_url: string;
    display: string;
    icons: { src: string; sizes: string; type: string; purpose: string }[];
  };

  it('lists icons that exist, at the sizes it declares, with content-hashed names', () => {
    expect(manifest).toMatchObject({ start_url: '../', display: 'standalone' });
    for (const icon of manifest.icons) {
      const file = files.icons.find(({ fileName }) => fileName === `assets/${icon.src}`);
      expect(file, icon.src).toBeDefined();
      expect(file!.fileName).toMatch(/^assets\/[a-z0-9-]+-[0-9a-f]{8}\.(png|svg)$/);
      if (icon.type !== 'image/png') continue;
      const png = PNG.sync.read(file!.source as Buffer);
      expect(`${png.width}x${png.height}`).toBe(icon.sizes);
    }
    expect(manifest.icons.map((icon) => `${icon.sizes} ${icon.purpose}`)).toEqual(['any any', '192x192 any', '512x512 any', '512x512 maskable']);
  });

  it('draws a maskable icon with no transparent corner, and an "any" icon with rounded ones', () => {
    const pixelAlpha = (source: string | Buffer, x: number, y: number) => {
      const png = PNG.sync.read(source as Buffer);
      return png.data[(y * png.width + x) * 4 + 3];
    };
    const maskable = files.icons.find(({ fileName }) => fileName.includes('maskable'))!;
    const any512 = files.icons.find(({ fileName }) => fileName.includes('icon-512'))!;
    expect(pixelAlpha(maskable.source, 0, 0)).toBe(255);
    expect(pixelAlpha(any512.source, 0, 0)).toBe(0);
    expect(pixelAlpha(any512.source, 256, 256)).toBe(255);
  });
});
