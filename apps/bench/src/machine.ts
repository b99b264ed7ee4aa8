/** Facts about the machine, recorded with every result. */
import { availableParallelism, cpus, totalmem } from 'node:os';
import type { MachineFacts } from './report.js';

/** Cores, CPU model, memory, Node and V8 versions, platform, and the date. */
export function machineFacts(): MachineFacts {
  return {
    cores: availableParallelism(),
    cpuModel: cpus()[0]?.model.trim() ?? 'unknown',
    totalMemoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    node: process.version,
    v8: process.versions.v8,
    platform: process.platform,
    arch: process.arch,
    date: new Date().toISOString(),
  };
}
