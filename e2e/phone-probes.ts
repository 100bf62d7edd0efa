/**
 * Measurements for the phone tests (e2e/phone.spec.ts): sideways overflow, and the size of every
 * visible control against WCAG 2.2's minimum target (24×24 CSS px) and the 44 px asked of the main
 * actions on touch screens.
 */
import { devices, type Page } from '@playwright/test';

/** Phone emulation in Chromium (touch, mobile viewport), without the descriptor's own browser choice. */
export function phone(name: 'Pixel 7' | 'iPhone 13') {
  const { viewport, deviceScaleFactor, isMobile, hasTouch, userAgent } = devices[name];
  return { viewport, deviceScaleFactor, isMobile, hasTouch, userAgent };
}

export interface Overflow {
  /** How far the page scrolls sideways, in CSS px. */
  pixels: number;
  /** Elements reaching past the right edge, for the failure message. */
  culprits: string[];
}

export function sidewaysOverflow(page: Page): Promise<Overflow> {
  return page.evaluate(() => {
    const width = document.documentElement.clientWidth;
    const culprits = [...document.querySelectorAll<HTMLElement>('body *')]
      .filter((element) => element.getBoundingClientRect().right > width + 0.5 && element.getClientRects().length > 0)
      .slice(0, 8)
      .map((element) => `${element.tagName.toLowerCase()}.${element.className} (right ${Math.round(element.getBoundingClientRect().right)})`);
    return { pixels: document.documentElement.scrollWidth - width, culprits };
  });
}

export interface Target {
  name: string;
  width: number;
  height: number;
}

/**
 * Every visible control with its target size. A checkbox or radio counts with its label (a click on
 * either toggles it); words marked inside a sentence (`mark[tabindex]`) are WCAG's inline exception.
 */
export function controlTargets(page: Page): Promise<Target[]> {
  return page.evaluate(() => {
    const controls = document.querySelectorAll<HTMLElement>('button, select, input, textarea, a[href], summary, [role="button"]');
    const targets: Target[] = [];
    for (const control of controls) {
      if (control instanceof HTMLInputElement && control.type === 'hidden') continue;
      const own = control.getBoundingClientRect();
      if (own.width === 0 || own.height === 0 || getComputedStyle(control).visibility === 'hidden') continue;
      let { left, top, right, bottom } = own;
      if (control instanceof HTMLInputElement && (control.type === 'checkbox' || control.type === 'radio')) {
        for (const label of control.labels ?? []) {
          const box = label.getBoundingClientRect();
          left = Math.min(left, box.left);
          top = Math.min(top, box.top);
          right = Math.max(right, box.right);
          bottom = Math.max(bottom, box.bottom);
        }
      }
      const name = control.getAttribute('aria-label') ?? (control.textContent?.trim() || control.getAttribute('type') || control.tagName.toLowerCase());
      targets.push({ name, width: Math.round((right - left) * 10) / 10, height: Math.round((bottom - top) * 10) / 10 });
    }
    return targets;
  });
}

export const MIN_TARGET_PX = 24;
export const TOUCH_ACTION_PX = 44;

export function tooSmall(targets: Target[]): Target[] {
  return targets.filter((target) => target.width < MIN_TARGET_PX || target.height < MIN_TARGET_PX);
}
