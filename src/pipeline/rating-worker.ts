/**
 * The rating worker thread (see file-rater.ts): rates the files it is sent, one at a time, and posts
 * their events; a batch's bytes are transferred, not copied, and come back once stored (for the
 * next batches). It waits for an acknowledgement when WINDOW batches are not yet taken.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { bytesOf, ratingContextFrom, WINDOW, type FromWorker, type RatingInputs, type ToWorker } from './file-rater.js';
import { rateFile, type RateFileEvent, type RateFileJob } from './rate-file.js';
import { recycleCopyBytes } from '../store/copy-binary-writer.js';

const port = parentPort!;
const context = ratingContextFrom(workerData as RatingInputs);
let credits = WINDOW;
let creditArrived: (() => void) | undefined;

function post(message: FromWorker, transfer: ArrayBuffer[] = []): void {
  port.postMessage(message, transfer);
}

async function emit(event: RateFileEvent): Promise<void> {
  if (event.kind === 'end') return post({ type: 'event', event }, [event.callTotals.copy.buffer as ArrayBuffer]);
  if (event.kind !== 'batch') return post({ type: 'event', event });
  while (credits === 0) await new Promise<void>((resolve) => (creditArrived = resolve));
  credits--;
  post({ type: 'event', event }, bytesOf(event.calls));
}

async function run(job: RateFileJob): Promise<void> {
  try {
    await rateFile(context, job, emit);
    post({ type: 'done' });
  } catch (error) {
    post({ type: 'failed', message: error instanceof Error ? error.message : String(error), stack: error instanceof Error ? error.stack : undefined });
  }
}

port.on('message', (message: ToWorker) => {
  if (message.type === 'bytes') for (const bytes of message.bytes) recycleCopyBytes(bytes);
  else if (message.type === 'ack') {
    credits++;
    creditArrived?.();
    creditArrived = undefined;
  } else void run(message.job);
});
