// How many processes a daemon runs and how many worker threads each of its pools gets, when the
// config leaves them open. One place, so the supervisor and every process agree.
import { availableParallelism } from 'node:os';
import type { Config } from './config/schema.js';

/**
 * One process per two cores. A process's main thread (HTTP, Redis, S3) keeps about one core
 * busy at full load and its worker threads (compression, Parquet, transforms) the other, so
 * one process per core would leave two busy threads per core and twice the memory: on 2 cores
 * the benchmark measured 1 process against 2 at about the same records/s (-7 % to +10 % per
 * scenario), with half the memory and mostly 5-10 % less CPU per GiB.
 */
export function processCount(config: Pick<Config, 'processes'>): number {
  return config.processes ?? Math.max(1, Math.floor(availableParallelism() / 2));
}

/** Threads per pool: the cores shared out among the processes (each thread costs memory). */
export function threadsPerPool(config: Pick<Config, 'processes' | 'workers'>): number {
  return config.workers.threads ?? Math.max(1, Math.round(availableParallelism() / processCount(config)));
}
