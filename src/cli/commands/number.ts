/** `cdrbill number`: normalise and classify a dialled number as seen from a calling line, and say why. */
import { Command } from 'commander';
import { classifyDestination } from '../../numbering/classify-destination.js';
import type { Destination } from '../../numbering/destination.js';
import { buildNumberingPlan } from '../../numbering/numbering-plan.js';
import { InputError } from '../../pipeline/input-error.js';
import { outputOption, print, renderRecord, type Field, type OutputFormat } from '../output.js';
import { runWithoutDatabase } from '../run-command.js';

type Classified = Destination & { readonly input: string };

const FIELDS: readonly Field<Classified>[] = [
  { key: 'input', value: (d) => d.input },
  { key: 'e164', value: (d) => d.e164 ?? null },
  { key: 'number', value: (d) => d.number },
  { key: 'category', value: (d) => d.category },
  { key: 'subclass', value: (d) => d.subclass ?? null },
  { key: 'areaCode', value: (d) => d.areaCode ?? null },
  { key: 'place', value: (d) => d.place ?? null },
  { key: 'countryCallingCode', value: (d) => d.country?.callingCode ?? null },
  { key: 'countryRegion', value: (d) => d.country?.region ?? null },
  { key: 'countryName', value: (d) => d.country?.name ?? null },
  { key: 'why', value: (d) => d.why },
];

/**
 * The dialled number: the words of a number written with spaces (`0044 20 7946 0958`) are one
 * number when every word is digits (or a leading `+`); anything else must be quoted.
 */
export function joinNumberWords(words: readonly string[]): string {
  if (words.length === 1) return words[0]!;
  if (words.every((w, i) => /^\d+$/.test(w) || (i === 0 && /^\+\d*$/.test(w)))) return words.join(' ');
  throw new InputError(`"${words.join(' ')}" is more than one argument and not a number written with spaces; quote it`);
}

export function numberCommand(): Command {
  return new Command('number')
    .description('normalise and classify a dialled number as seen from a calling line, and say why')
    .argument('<digits...>', 'the number as dialled (spaces allowed: 0044 20 7946 0958)')
    .requiredOption('--line <e164>', 'E.164 number of the calling line (for local dialling)')
    .addOption(outputOption())
    .action((words: string[], options: { line: string; output: OutputFormat }) =>
      runWithoutDatabase(() => {
        const digits = joinNumberWords(words);
        const result = classifyDestination(buildNumberingPlan(), digits, { lineE164: options.line });
        if (!result.ok) throw new InputError(`${digits}: ${result.reason}: ${result.detail}`);
        print(renderRecord(options.output, { ...result.destination, input: digits }, FIELDS));
        return undefined;
      }),
    );
}
