// Helpers for the shm tests: start a compiled test worker and await its messages in order.
import { Worker } from 'node:worker_threads';
import { compiledModule } from '../../src/paths.js';

export interface TestWorker<M> {
  worker: Worker;
  /** The next message the worker posts (rejects if the worker fails or exits first). */
  next(): Promise<M>;
  /** Terminates the worker and resolves when it is gone. */
  kill(): Promise<void>;
}

export function startWorker<M>(source: string, workerData: unknown): TestWorker<M> {
  const worker = new Worker(compiledModule(source), { workerData });
  const queue: M[] = [];
  const waiting: { resolve: (m: M) => void; reject: (e: Error) => void }[] = [];
  let failure: Error | null = null;
  const fail = (e: Error): void => {
    failure ??= e;
    while (waiting.length > 0) waiting.shift()!.reject(failure);
  };
  worker.on('message', (m: M) => {
    const w = waiting.shift();
    if (w) w.resolve(m);
    else queue.push(m);
  });
  worker.on('error', (e) => fail(e));
  worker.on('exit', (code) => fail(new Error(`worker ${source} exited with code ${code}`)));
  return {
    worker,
    next(): Promise<M> {
      if (queue.length > 0) return Promise.resolve(queue.shift()!);
      if (failure) return Promise.reject(failure);
      return new Promise((resolve, reject) => waiting.push({ resolve, reject }));
    },
    async kill(): Promise<void> {
      await worker.terminate();
    },
  };
}
