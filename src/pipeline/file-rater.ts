/**
 * Where CDR files are rated. In a worker thread by default: reading, rating and writing COPY rows
 * take one core while the main thread streams the rows to the database and the database stores
 * them on the other. Inline where there is no compiled worker (the tests run the TypeScript
 * sources), or when asked.
 *
 * The worker gets what rating needs as plain data (tariff files, subscriptions, on-net numbers) and
 * builds its own context; it sends batches as transferred bytes and runs at most WINDOW batches
 * ahead of the writes, so memory stays flat however fast it reads.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { createCachedClassifier } from '../numbering/classify-destination.js';
import { buildNumberingPlan } from '../numbering/numbering-plan.js';
import type { RatingContext, SubscriptionTerm } from '../rating/rate-cdr.js';
import type { RatedCallRows } from '../store/call-store.js';
import { recycleCopyBytes } from '../store/copy-binary-writer.js';
import type { OnNetView } from '../store/customer-store.js';
import { parseTariffFiles, type TariffFile } from '../tariffs/parse-tariff-files.js';
import { rateFile, type RateFileConsumer, type RateFileEvent, type RateFileJob } from './rate-file.js';

/** What rating needs, as data that can be sent to a worker. */
export interface RatingInputs {
  readonly tariffFiles: readonly TariffFile[];
  readonly subscriptions: ReadonlyMap<string, readonly SubscriptionTerm[]>;
  readonly onNet: ReadonlyMap<string, OnNetView>;
}

export function ratingContextFrom(inputs: RatingInputs): RatingContext {
  return {
    tariffs: parseTariffFiles(inputs.tariffFiles),
    subscriptions: inputs.subscriptions,
    onNet: inputs.onNet,
    classify: createCachedClassifier(buildNumberingPlan()),
  };
}

export interface FileRater {
  /** Rates a file, handing its events to `consume` in order; resolves when `consume` has taken the last. */
  rate(job: RateFileJob, consume: RateFileConsumer): Promise<void>;
  /** A batch's rows are stored and nothing reads them any more: the rater may reuse their bytes. */
  release(calls: RatedCallRows): void;
  close(): Promise<void>;
}

/** Batches a worker may send before the first of them is taken. */
export const WINDOW = 2;

/** Messages between the main thread and the rating worker; `bytes`: a stored batch's, back for reuse. */
export type ToWorker =
  | { readonly type: 'rate'; readonly job: RateFileJob }
  | { readonly type: 'ack' }
  | { readonly type: 'bytes'; readonly bytes: readonly ArrayBuffer[] };

/** The bytes a batch's rows are in (transferred between threads, and back for reuse). */
export function bytesOf(calls: RatedCallRows): ArrayBuffer[] {
  return [calls.copy.buffer as ArrayBuffer, calls.keys.buffer as ArrayBuffer];
}
export type FromWorker =
  | { readonly type: 'event'; readonly event: RateFileEvent }
  | { readonly type: 'done' }
  | { readonly type: 'failed'; readonly message: string; readonly stack?: string | undefined };

/** The compiled worker next to this module, if there is one. */
function defaultWorkerScript(): URL | undefined {
  const script = new URL('./rating-worker.js', import.meta.url);
  return existsSync(fileURLToPath(script)) ? script : undefined;
}

/**
 * A rater for `inputs`: in a worker running `script` (default: the compiled one beside this module),
 * or inline when `script` is false or there is no compiled worker.
 */
export function createFileRater(inputs: RatingInputs, script: URL | false | undefined = defaultWorkerScript()): FileRater {
  if (!script) {
    const context = ratingContextFrom(inputs);
    return {
      rate: (job, consume) => rateFile(context, job, consume),
      release: (calls) => {
        for (const bytes of bytesOf(calls)) recycleCopyBytes(bytes);
      },
      close: async () => {},
    };
  }
  return new WorkerRater(new Worker(script, { workerData: inputs }));
}

class WorkerRater implements FileRater {
  private job:
    | { readonly consume: RateFileConsumer; chain: Promise<void>; readonly resolve: () => void; readonly reject: (error: unknown) => void }
    | undefined;
  private failure: Error | undefined;

  constructor(private readonly worker: Worker) {
    worker.on('message', (message: FromWorker) => this.receive(message));
    worker.on('error', (error) => this.fail(error));
    worker.on('exit', (code) => this.fail(new Error(`the rating worker stopped (exit code ${code})`)));
  }

  rate(job: RateFileJob, consume: RateFileConsumer): Promise<void> {
    if (this.failure) return Promise.reject(this.failure);
    if (this.job) return Promise.reject(new Error('the rating worker rates one file at a time'));
    return new Promise<void>((resolve, reject) => {
      this.job = { consume, chain: Promise.resolve(), resolve, reject };
      this.send({ type: 'rate', job });
    });
  }

  private send(message: ToWorker, transfer: ArrayBuffer[] = []): void {
    this.worker.postMessage(message, transfer);
  }

  release(calls: RatedCallRows): void {
    if (this.failure) return;
    const bytes = bytesOf(calls);
    this.send({ type: 'bytes', bytes }, bytes);
  }

  private receive(message: FromWorker): void {
    const job = this.job;
    if (!job) return;
    if (message.type === 'failed') {
      const error = new Error(message.message);
      if (message.stack) error.stack = message.stack;
      this.fail(error);
      return;
    }
    if (message.type === 'done') {
      job.chain.then(
        () => {
          this.job = undefined;
          job.resolve();
        },
        (error: unknown) => this.fail(error),
      );
      return;
    }
    const { event } = message;
    // events are taken one after another; a batch is acknowledged once taken, which lets the worker on
    job.chain = job.chain
      .then(() => job.consume(event))
      .then(() => {
        if (event.kind === 'batch') this.send({ type: 'ack' });
      });
    job.chain.catch((error: unknown) => this.fail(error));
  }

  /** A failed write or a failed worker ends this rater: the worker stops, the file's promise rejects. */
  private fail(error: unknown): void {
    if (this.failure) return;
    this.failure = error instanceof Error ? error : new Error(String(error));
    const job = this.job;
    this.job = undefined;
    void this.worker.terminate();
    const failure = this.failure;
    // reject once what was taken has settled: no write is left running on the caller's session
    if (job) void job.chain.catch(() => undefined).then(() => job.reject(failure));
  }

  async close(): Promise<void> {
    if (this.failure) return;
    this.failure = new Error('the rating worker is closed');
    await this.worker.terminate();
  }
}
