/**
 * The cdrbill command line: wiring only. Each command lives in commands/ (its options, their
 * validation, the call into pipeline/, its output); run-command.ts turns outcomes into exit codes.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Command, CommanderError } from 'commander';
import { projectRoot } from '../store/migrate.js';
import { DEFAULTS, type GlobalFlags } from './config.js';
import { callsCommand } from './commands/calls.js';
import { compactCommand } from './commands/compact.js';
import { creditCommand } from './commands/credit.js';
import { enterpriseCommand } from './commands/enterprise.js';
import { fairUseCommand } from './commands/fair-use.js';
import { ingestCommand } from './commands/ingest.js';
import { invoiceCommand } from './commands/invoice.js';
import { loadCommand } from './commands/load.js';
import { migrateCommand } from './commands/migrate.js';
import { nightlyCommand } from './commands/nightly.js';
import { numberCommand } from './commands/number.js';
import { priceCommand } from './commands/price.js';
import { rejectsCommand } from './commands/rejects.js';
import { renderCommand } from './commands/render.js';
import { rerateCommand } from './commands/rerate.js';
import { exportCommand } from './commands/export.js';
import { serveCommand } from './commands/serve.js';
import { summaryCommand } from './commands/summary.js';
import { tokenCommand } from './commands/token.js';
import { runsCommand } from './commands/runs.js';
import { workerCommand } from './commands/worker.js';
import { EXIT, fail } from './run-command.js';

function version(): string {
  return (JSON.parse(readFileSync(join(projectRoot(), 'package.json'), 'utf8')) as { version: string }).version;
}

export function buildProgram(): Command {
  const program = new Command('cdrbill')
    .description("Rate call detail records and bill them: a Dutch VoIP provider's billing engine.")
    .version(version(), '-V, --version')
    .option('--db <url>', 'PostgreSQL server URL (default: $DATABASE_URL, else the embedded database)')
    .option('--data-dir <dir>', `folder of the embedded database and outputs (default: $CDRBILL_DATA_DIR or ${DEFAULTS.dataDir})`)
    .showHelpAfterError()
    .exitOverride();
  const globals = (): GlobalFlags => program.opts<GlobalFlags>();
  for (const command of [
    migrateCommand(globals),
    loadCommand(globals),
    ingestCommand(globals),
    invoiceCommand(globals),
    creditCommand(globals),
    renderCommand(globals),
    enterpriseCommand(globals),
    callsCommand(globals),
    numberCommand(),
    priceCommand(globals),
    rerateCommand(globals),
    compactCommand(globals),
    fairUseCommand(globals),
    rejectsCommand(globals),
    nightlyCommand(globals),
    runsCommand(globals),
    exportCommand(globals),
    summaryCommand(globals),
    tokenCommand(globals),
    serveCommand(globals),
    workerCommand(globals),
  ]) {
    program.addCommand(command);
  }
  // subcommands report their usage errors through the program's exit override too
  const override = (command: Command): void => {
    command.exitOverride().showHelpAfterError();
    for (const sub of command.commands) override(sub);
  };
  for (const command of program.commands) override(command);
  return program;
}

/** A reader that closed our standard output (`cdrbill … | head`) ends the run quietly. */
function endQuietlyOnClosedStdout(): void {
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(process.exitCode ?? EXIT.ok);
    throw error;
  });
}

/** Runs the CLI on `argv`; resolves when done, with process.exitCode set. */
export async function main(argv: readonly string[]): Promise<void> {
  endQuietlyOnClosedStdout();
  const program = buildProgram();
  try {
    await program.parseAsync(argv as string[]);
  } catch (error) {
    if (error instanceof CommanderError) {
      process.exitCode = error.code === 'commander.helpDisplayed' || error.code === 'commander.version' || error.exitCode === 0 ? EXIT.ok : EXIT.usage;
      return;
    }
    process.exitCode = fail(error);
  }
}
