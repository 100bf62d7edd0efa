/**
 * Data Saver (`navigator.connection.saveData`): the user pays for what they download, so a model
 * that this browser does not keep yet is downloaded only once they agree (the page says its size).
 */
import { MODEL_CACHE } from '../worker/protocol';

/** The Network Information API's one field used here (Chromium; absent elsewhere, which reads as off). */
interface NetworkInformation {
  saveData?: boolean;
}

export function saveDataOn(): boolean {
  return (navigator as Navigator & { connection?: NetworkInformation }).connection?.saveData === true;
}

/** Whether the worker's model cache holds this versioned package, so that loading it downloads nothing. */
export async function isModelKept(packageUrl: string): Promise<boolean> {
  if (typeof caches === 'undefined') return false;
  const kept = await caches.match(new URL('model.json', packageUrl).href, { cacheName: MODEL_CACHE }).catch(() => undefined);
  return kept !== undefined;
}
