/** poolifier's worker file: a `ThreadWorker` serving the peer tasks by name. */
import { ThreadWorker } from 'poolifier';
import * as tasks from './peer-tasks.js';

// The worker registers itself with the pool when constructed; nothing to export.
new ThreadWorker({ ...tasks } as Record<string, (data?: unknown) => unknown>);
