/** `cdrbill rejects`: the rejected CDR lines with their file, line, reason and raw text. */
import { basename } from 'node:path';
import { Command } from 'commander';
import { REJECT_REASONS } from '../../domain/cdr.js';
import { InputError } from '../../pipeline/input-error.js';
import { isKnownFileName, listRejects } from '../../store/call-store.js';
import type { CdrRejectRow } from '../../store/schema.js';
import type { GlobalFlags } from '../config.js';
import { outputOption, print, render, type Field, type OutputFormat } from '../output.js';
import { runWithDatabase } from '../run-command.js';

const FIELDS: readonly Field<CdrRejectRow>[] = [
  { key: 'file', value: (r) => r.file_name },
  { key: 'line', value: (r) => r.line_no, align: 'right' },
  { key: 'reason', value: (r) => r.reason },
  { key: 'detail', value: (r) => r.detail },
  { key: 'raw', value: (r) => r.raw },
  { key: 'source', value: (r) => r.source, table: false },
  { key: 'format', value: (r) => r.format, table: false },
  { key: 'firstSeenAt', value: (r) => r.first_seen_at.toISOString(), table: false },
];

export function rejectsCommand(globals: () => GlobalFlags): Command {
  return new Command('rejects')
    .description('list rejected CDR lines with their file, line, reason, detail and raw text')
    .option('--file <name>', 'only lines of this file (name as ingested)')
    .option('--reason <code>', `only this reason code: ${REJECT_REASONS.join(', ')}`)
    .addOption(outputOption())
    .action((options: { file?: string; reason?: string; output: OutputFormat }) =>
      runWithDatabase(globals(), async (database) => {
        if (options.reason !== undefined && !(REJECT_REASONS as readonly string[]).includes(options.reason)) {
          throw new InputError(`--reason: no reason code "${options.reason}"; the codes are ${REJECT_REASONS.join(', ')}`);
        }
        const fileName = options.file === undefined ? undefined : basename(options.file);
        if (fileName !== undefined && !(await isKnownFileName(database, fileName))) {
          throw new InputError(`--file: no file named ${fileName} was ingested`);
        }
        const rows = await listRejects(database, { ...(fileName ? { fileName } : {}), ...(options.reason ? { reason: options.reason } : {}) });
        print(render(options.output, rows, FIELDS));
      }),
    );
}
