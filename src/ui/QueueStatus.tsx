import { useShallow } from 'zustand/react/shallow';
import { cancelQueue } from '../services/captioner-bridge';
import { useJobsStore } from '../store/jobs';
import { formatTimeLeft, queueProgress } from '../store/queue-progress';

/** "N of M done, about T left" with a progress bar and Cancel, while photos wait or are being captioned. */
export function QueueStatus() {
  const { finished, total, timeLeftMs } = useJobsStore(useShallow((state) => queueProgress(state.jobs, state.currentRun)));
  if (finished === total) return null;
  return (
    <div className="queue-status" data-testid="queue-status">
      <progress value={finished} max={total} aria-label="Photos captioned" />
      <span>
        {finished} of {total} done{timeLeftMs !== null && `, ${formatTimeLeft(timeLeftMs)} left`}
      </span>
      <button type="button" onClick={cancelQueue}>
        Cancel
      </button>
    </div>
  );
}
