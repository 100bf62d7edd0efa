/** What the page shows of its captioner workers (src/services/captioner-pool.ts runs them). */
import { create } from 'zustand';
import type { WorkerPlan } from './pool-size';

interface PoolState {
  /** How many workers a batch gets and why; null until the first worker has loaded the model. */
  plan: WorkerPlan | null;
  /** Workers with the model loaded now (the first included). */
  running: number;
}

export const usePoolStore = create<PoolState>()(() => ({ plan: null, running: 0 }));
