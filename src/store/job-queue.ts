/**
 * Job queues kept in the same PostgreSQL as the data, by pg-boss (schema `cdrbill_queue`, created
 * and migrated by pg-boss itself on first use). A job's id is chosen by the sender, so sending the
 * same job twice queues it once. A worker sends heartbeats while it works: when it dies, the
 * supervisor of any running instance (worker or sender) fails its job after `HEARTBEAT_SECONDS`
 * and the job is retried by another worker.
 */

const SCHEMA = 'cdrbill_queue';
/** a killed worker's job is given to another after this long without a heartbeat (pg-boss's minimum is 10) */
export const HEARTBEAT_SECONDS = 10;

export interface QueueSettings {
  /** attempts after the first, before the job fails for good */
  readonly retryLimit: number;
  /** how long one attempt may take at most */
  readonly expireInSeconds: number;
}

export type JobState = 'created' | 'retry' | 'active' | 'completed' | 'cancelled' | 'failed';

export interface JobStatus<Output> {
  readonly state: JobState;
  /** what the handler returned (completed), or the error of the last attempt (failed) */
  readonly output: Output | { readonly message?: string } | null;
  readonly retryCount: number;
}

export interface JobQueue<Data extends object, Output extends object> {
  /** Queues jobs by id; an id already queued (or done, within its retention) is left as it is. */
  send(jobs: readonly { readonly id: string; readonly data: Data }[]): Promise<void>;
  /** The jobs' states; a job unknown to the queue is missing from the map. */
  status(ids: readonly string[]): Promise<Map<string, JobStatus<Output>>>;
  /** Queues failed jobs again. */
  retry(ids: readonly string[]): Promise<void>;
  /** Takes jobs, `concurrency` at a time, until `stop`. */
  work(concurrency: number, handler: (data: Data, id: string) => Promise<Output>): Promise<void>;
  /** Stops taking jobs; `graceful` lets the jobs in hand finish first. */
  stop(graceful: boolean): Promise<void>;
}

/** Opens (and, on first use, installs) the named queue on the PostgreSQL server at `url`. */
export async function openJobQueue<Data extends object, Output extends object>(
  url: string,
  name: string,
  settings: QueueSettings,
  onError: (error: Error) => void,
): Promise<JobQueue<Data, Output>> {
  // loaded here: only the commands that queue or work need it
  const { PgBoss } = await import('pg-boss');
  const boss = new PgBoss({
    connectionString: url,
    schema: SCHEMA,
    max: 2,
    // the supervisor fails jobs whose heartbeat stopped; looked at every few seconds
    superviseIntervalSeconds: 2,
    monitorIntervalSeconds: 2,
    openTelemetry: { enabled: false },
  });
  boss.on('error', onError);
  await boss.start();
  if (!(await boss.getQueue(name))) {
    await boss
      .createQueue(name, {
        heartbeatSeconds: HEARTBEAT_SECONDS,
        retryLimit: settings.retryLimit,
        retryDelay: 1,
        expireInSeconds: settings.expireInSeconds,
      })
      .catch(async (error: unknown) => {
        if (!(await boss.getQueue(name))) throw error; // else another process created it meanwhile
      });
  }
  return {
    async send(jobs) {
      for (const job of jobs) await boss.send(name, job.data, { id: job.id });
    },
    async status(ids) {
      const found = new Map<string, JobStatus<Output>>();
      for (const id of ids) {
        const job = await boss.getJobById<Data>(name, id);
        if (job) found.set(id, { state: job.state, output: (job.output as Output | null) ?? null, retryCount: job.retryCount });
      }
      return found;
    },
    async retry(ids) {
      if (ids.length > 0) await boss.retry(name, [...ids]);
    },
    async work(concurrency, handler) {
      await boss.work<Data, Output>(name, { localConcurrency: concurrency, pollingIntervalSeconds: 0.5, batchSize: 1 }, async ([job]) =>
        handler(job!.data, job!.id),
      );
    },
    async stop(graceful) {
      await boss.stop({ graceful, close: true, timeout: graceful ? 3_600_000 : 1 });
    },
  };
}
