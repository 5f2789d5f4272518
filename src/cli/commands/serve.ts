/** `cdrbill serve`: the customer portal (HTTP JSON API and web page) on this database. */
import { Command } from 'commander';
import type { GlobalFlags } from '../config.js';
import { parseOption, WHOLE_NUMBER } from '../options.js';
import { runWithDatabase } from '../run-command.js';

export function serveCommand(globals: () => GlobalFlags): Command {
  return new Command('serve')
    .description('the customer portal: an HTTP JSON API (OpenAPI at /openapi.json) and a web page at /, tokens from cdrbill token create')
    .option('--port <n>', 'port', '8080')
    .option('--host <address>', 'address to listen on', '127.0.0.1')
    .option('--log', 'log every request (JSON lines on standard output)')
    .action((options: { port: string; host: string; log?: boolean }) =>
      runWithDatabase(globals(), async (database) => {
        const port = parseOption('--port', WHOLE_NUMBER, options.port);
        // loaded here: the HTTP framework is the portal's alone
        const { buildPortal } = await import('../../portal/server.js');
        const app = await buildPortal({ database, logger: options.log ?? false });
        const address = await app.listen({ port, host: options.host });
        process.stderr.write(`cdrbill portal on ${address} (database ${database.location}); Ctrl-C stops it\n`);
        await new Promise<void>((resolve) => {
          const stop = () => void app.close().then(resolve);
          process.once('SIGINT', stop);
          process.once('SIGTERM', stop);
        });
      }),
    );
}
