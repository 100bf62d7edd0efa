/**
 * The app's icon, drawn once as a few shapes on a 512-unit square and rendered both as SVG and as
 * PNG (anti-aliased by supersampling): a photo above two lines of caption text. No image editor or
 * native rasteriser needed; the build calls this (tools/build/web-app-manifest.ts).
 */
import { PNG } from 'pngjs';

const SIZE = 512;
const ACCENT: Rgb = [0x2f, 0x6f, 0xed];
const WHITE: Rgb = [0xff, 0xff, 0xff];

type Rgb = [number, number, number];

type Shape =
  | { kind: 'rect'; x: number; y: number; width: number; height: number; radius: number; fill: Rgb }
  | { kind: 'circle'; cx: number; cy: number; r: number; fill: Rgb }
  | { kind: 'polygon'; points: [number, number][]; fill: Rgb };

/** 'maskable': the background fills the square and the drawing keeps to the central safe zone, as launchers crop it. */
export type IconPurpose = 'any' | 'maskable';

function shapes(purpose: IconPurpose): Shape[] {
  const background: Shape =
    purpose === 'any'
      ? { kind: 'rect', x: 0, y: 0, width: SIZE, height: SIZE, radius: 112, fill: ACCENT }
      : { kind: 'rect', x: 0, y: 0, width: SIZE, height: SIZE, radius: 0, fill: ACCENT };
  const drawing: Shape[] = [
    { kind: 'rect', x: 96, y: 88, width: 320, height: 232, radius: 28, fill: WHITE },
    { kind: 'polygon', points: [[128, 292], [216, 180], [280, 256], [316, 216], [384, 292]], fill: ACCENT },
    { kind: 'circle', cx: 330, cy: 150, r: 26, fill: ACCENT },
    { kind: 'rect', x: 96, y: 356, width: 320, height: 28, radius: 14, fill: WHITE },
    { kind: 'rect', x: 96, y: 404, width: 208, height: 28, radius: 14, fill: WHITE },
  ];
  // The maskable safe zone is the central circle of 80 % diameter: shrink the drawing to 70 % around the centre.
  return [background, ...(purpose === 'maskable' ? drawing.map((shape) => scaled(shape, 0.7)) : drawing)];
}

function scaled(shape: Shape, factor: number): Shape {
  const at = (value: number) => SIZE / 2 + (value - SIZE / 2) * factor;
  switch (shape.kind) {
    case 'rect':
      return { ...shape, x: at(shape.x), y: at(shape.y), width: shape.width * factor, height: shape.height * factor, radius: shape.radius * factor };
    case 'circle':
      return { ...shape, cx: at(shape.cx), cy: at(shape.cy), r: shape.r * factor };
    case 'polygon':
      return { ...shape, points: shape.points.map(([x, y]) => [at(x), at(y)]) };
  }
}

const hex = (rgb: Rgb) => `#${rgb.map((value) => value.toString(16).padStart(2, '0')).join('')}`;

export function iconSvg(purpose: IconPurpose = 'any'): string {
  const elements = shapes(purpose).map((shape) => {
    switch (shape.kind) {
      case 'rect':
        return `<rect x="${shape.x}" y="${shape.y}" width="${shape.width}" height="${shape.height}" rx="${shape.radius}" fill="${hex(shape.fill)}"/>`;
      case 'circle':
        return `<circle cx="${shape.cx}" cy="${shape.cy}" r="${shape.r}" fill="${hex(shape.fill)}"/>`;
      case 'polygon':
        return `<polygon points="${shape.points.map((point) => point.join(',')).join(' ')}" fill="${hex(shape.fill)}"/>`;
    }
  });
  return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${SIZE} ${SIZE}">${elements.join('')}</svg>\n`;
}

function contains(shape: Shape, x: number, y: number): boolean {
  switch (shape.kind) {
    case 'rect': {
      if (x < shape.x || y < shape.y || x > shape.x + shape.width || y > shape.y + shape.height) return false;
      // Inside the corner's square, the point must also lie within the corner's circle.
      const dx = Math.max(shape.x + shape.radius - x, 0, x - (shape.x + shape.width - shape.radius));
      const dy = Math.max(shape.y + shape.radius - y, 0, y - (shape.y + shape.height - shape.radius));
      return dx * dx + dy * dy <= shape.radius * shape.radius;
    }
    case 'circle':
      return (x - shape.cx) ** 2 + (y - shape.cy) ** 2 <= shape.r ** 2;
    case 'polygon': {
      let inside = false;
      const { points } = shape;
      for (let i = 0, j = points.length - 1; i < points.length; j = i++) {
        const [xi, yi] = points[i];
        const [xj, yj] = points[j];
        if (yi > y !== yj > y && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) inside = !inside;
      }
      return inside;
    }
  }
}

/** Samples per pixel along each axis: 4 × 4 gives smooth edges. */
const SUPERSAMPLING = 4;

/** The icon as a PNG of `pixels` × `pixels` (shapes are opaque, so each sample takes the colour of the topmost shape). */
export function iconPng(pixels: number, purpose: IconPurpose = 'any'): Buffer {
  const drawing = shapes(purpose);
  const png = new PNG({ width: pixels, height: pixels });
  const unit = SIZE / pixels / SUPERSAMPLING;
  for (let row = 0; row < pixels; row++) {
    for (let column = 0; column < pixels; column++) {
      const sum = [0, 0, 0, 0];
      for (let sy = 0; sy < SUPERSAMPLING; sy++) {
        for (let sx = 0; sx < SUPERSAMPLING; sx++) {
          const x = (column * SUPERSAMPLING + sx + 0.5) * unit;
          const y = (row * SUPERSAMPLING + sy + 0.5) * unit;
          const top = drawing.findLast((shape) => contains(shape, x, y));
          if (!top) continue;
          sum[0] += top.fill[0];
          sum[1] += top.fill[1];
          sum[2] += top.fill[2];
          sum[3] += 255;
        }
      }
      const covered = sum[3] / 255;
      const offset = (row * pixels + column) * 4;
      // Colour averaged over the covered samples only (straight alpha), coverage as alpha.
      for (let channel = 0; channel < 3; channel++) png.data[offset + channel] = covered ? Math.round(sum[channel] / covered) : 0;
      png.data[offset + 3] = Math.round(sum[3] / SUPERSAMPLING ** 2);
    }
  }
  return PNG.sync.write(png);
}
