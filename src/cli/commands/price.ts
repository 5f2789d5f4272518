/** `cdrbill price`: the price of one hypothetical call and its explanation. */
import { Command } from 'commander';
import { z } from 'zod';
import { explainPrice, type PriceExplanation } from '../../pipeline/explain-price.js';
import { InputError } from '../../pipeline/input-error.js';
import type { GlobalFlags } from '../config.js';
import { INSTANT, parseOption, WHOLE_NUMBER } from '../options.js';
import { outputOption, print, renderRecord, type Field, type OutputFormat } from '../output.js';
import { runWithDatabase } from '../run-command.js';

interface PriceFlags {
  readonly line: string;
  readonly to: string;
  readonly start: string;
  readonly seconds: string;
  readonly device: string;
  readonly plan?: string;
  readonly output: OutputFormat;
}

const FIELDS: readonly Field<PriceExplanation>[] = [
  { key: 'e164', value: (e) => e.e164 },
  { key: 'category', value: (e) => e.category },
  { key: 'subclass', value: (e) => e.subclass },
  { key: 'destination', value: (e) => e.destination },
  { key: 'why', value: (e) => e.why },
  { key: 'plan', value: (e) => e.plan },
  { key: 'tariffVersion', value: (e) => e.tariffVersion },
  { key: 'prefix', value: (e) => e.prefix },
  { key: 'ratePerMinute', value: (e) => e.ratePerMinute },
  { key: 'answeredSeconds', value: (e) => e.answeredSeconds },
  { key: 'billedSeconds', value: (e) => e.billedSeconds },
  { key: 'bands', value: (e) => e.bands },
  { key: 'setupFee', value: (e) => e.setupFee },
  { key: 'capped', value: (e) => e.capped },
  { key: 'listPrice', value: (e) => e.listPrice },
  { key: 'allowance', value: (e) => e.allowance },
  { key: 'charged', value: (e) => e.charged },
  { key: 'note', value: (e) => e.note },
];

export function priceCommand(globals: () => GlobalFlags): Command {
  return new Command('price')
    .description('the price of one hypothetical call, and why: category, tariff version, prefix, bands, billed seconds, setup fee, allowance')
    .requiredOption('--line <e164>', 'the calling (billed) line')
    .requiredOption('--to <digits>', 'the number as dialled')
    .requiredOption('--start <iso>', 'the answer moment with a zone, e.g. 2026-10-05T09:14:03+02:00')
    .requiredOption('--seconds <n>', 'answered seconds')
    .option('--device <device>', 'fixed or mobile', 'fixed')
    .option('--plan <id>', "price under this plan instead of the line's subscription")
    .addOption(outputOption())
    .action((options: PriceFlags) =>
      runWithDatabase(globals(), async (database) => {
        const seconds = parseOption('--seconds', WHOLE_NUMBER, options.seconds);
        const device = parseOption('--device', z.enum(['fixed', 'mobile'], 'expected fixed or mobile'), options.device);
        const startedAtMs = parseOption('--start', INSTANT, options.start);
        const explained = await explainPrice(database, {
          line: options.line,
          dialled: options.to,
          startedAtMs,
          seconds,
          device,
          ...(options.plan ? { planId: options.plan } : {}),
        });
        if (!explained.ok) throw new InputError(`cannot price: ${explained.reason}: ${explained.detail}`);
        print(renderRecord(options.output, explained.explanation, FIELDS));
      }),
    );
}
