/**
 * `cdrbill worker`: takes CDR file jobs from the database's queue (queued by `cdrbill nightly
 * --queue`) and ingests them, one transaction per file. Any number of workers, on this machine or
 * others that see the spool at the same path; a worker killed mid-file loses and doubles nothing (its
 * job goes to another after HEARTBEAT_SECONDS). Logs JSON lines on standard output; SIGTERM or
 * Ctrl-C finishes the files in hand and stops. PostgreSQL only.
 */
import { Command } from 'commander';
import pino from 'pino';
import { runIngestWorker } from '../../pipeline/ingest-queue.js';
import { resolveConfig, UsageError, type GlobalFlags } from '../config.js';
import { parseOption, WHOLE_NUMBER } from '../options.js';
import { runWithDatabase, runWithoutDatabase } from '../run-command.js';

const CONCURRENCY = WHOLE_NUMBER.refine((n) => n >= 1 && n <= 16, 'expected a whole number from 1 to 16');

export function workerCommand(globals: () => GlobalFlags): Command {
  return new Command('worker')
    .description('take CDR file jobs queued by `nightly --queue` and ingest them (PostgreSQL; any number of workers, on any machine that sees the files)')
    .option('--concurrency <n>', 'files ingested at once by this process', '1')
    .action(async (options: { concurrency: string }) => {
      let settings: { url: string; concurrency: number } | undefined;
      await runWithoutDatabase(() => {
        const url = resolveConfig(globals(), process.env).databaseUrl;
        if (!url) {
          throw new UsageError(
            'cdrbill worker needs a PostgreSQL server (--db or DATABASE_URL): the embedded database is one process’s; ingest there with cdrbill ingest or cdrbill nightly',
          );
        }
        settings = { url, concurrency: parseOption('--concurrency', CONCURRENCY, options.concurrency) };
        return undefined;
      });
      if (!settings) return;
      const { url, concurrency } = settings;
      await runWithDatabase(
        globals(),
        async (database) => {
          const logger = pino({ base: { worker: process.pid } });
          const stopped = new Promise<void>((resolve) => {
            process.once('SIGINT', () => resolve());
            process.once('SIGTERM', () => resolve());
          });
          await runIngestWorker(database, url, { concurrency, log: (event, fields) => logger.info(fields, event), stopped });
        },
        false,
        // a connection per file in flight, and one for what their transactions must not wait on (outsideTransaction)
        concurrency + 1,
      );
    });
}
