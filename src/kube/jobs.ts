import type { Job } from './types.js';

/** These Jobs run one pod to completion: one success is the Job's success. */
export function jobSucceeded(j: Job): boolean {
    return (j.status?.succeeded ?? 0) >= 1;
}

/** Failed for good: the Failed condition, or more failed pods than the backoff limit allows. */
export function jobFailed(j: Job): boolean {
    if (jobSucceeded(j)) return false;
    if (j.status?.conditions?.some((c) => c.type === 'Failed' && c.status === 'True')) return true;
    return (j.status?.failed ?? 0) > (j.spec?.backoffLimit ?? 6);
}
