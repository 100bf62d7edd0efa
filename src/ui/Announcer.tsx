import { useEffect, useState } from 'react';
import { altTextOf, jobsChange, useJobsStore } from '../store/jobs';

/**
 * A visually hidden live region: screen readers read out each caption as it is finished (politely,
 * after what they are reading), so nobody has to go looking for it.
 */
export function Announcer() {
  const [message, setMessage] = useState('');
  useEffect(
    () =>
      useJobsStore.subscribe(({ jobs }, previous) => {
        const { captioned } = jobsChange(previous.jobs, jobs);
        if (captioned.length > 0) setMessage(captioned.map((job) => `${job.name || 'Pasted image'}: ${altTextOf(job)}`).join(' '));
      }),
    [],
  );
  return (
    <div className="visually-hidden" aria-live="polite" data-testid="announcer">
      {message}
    </div>
  );
}
