/** workerpool's worker script: registers the peer tasks. */
import workerpool from 'workerpool';
import * as tasks from './peer-tasks.js';

workerpool.worker({ ...tasks });
