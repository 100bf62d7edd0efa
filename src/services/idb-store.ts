/**
 * An idb-keyval store that says when the browser takes its database away: it closes an open
 * database when it evicts the site's storage, or when the person clears it. idb-keyval's own
 * createStore opens it again silently; the page needs to know, to store again what it still holds.
 */
import { promisifyRequest, type UseStore } from 'idb-keyval';

export function openStore(databaseName: string, storeName: string, onTakenAway: () => void): UseStore {
  let opening: Promise<IDBDatabase> | null = null;
  const database = () => {
    if (typeof indexedDB === 'undefined') return Promise.reject(new DOMException('IndexedDB is not available', 'NotSupportedError'));
    if (opening) return opening;
    const request = indexedDB.open(databaseName);
    request.onupgradeneeded = () => request.result.createObjectStore(storeName);
    opening = promisifyRequest(request);
    opening.then(
      (opened) => {
        // Fired only when the browser closes it, not on close().
        opened.onclose = () => {
          opening = null;
          onTakenAway();
        };
      },
      () => (opening = null),
    );
    return opening;
  };
  return (mode, callback) => database().then((opened) => callback(opened.transaction(storeName, mode).objectStore(storeName)));
}
