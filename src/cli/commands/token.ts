/** `cdrbill token create|revoke|list`: the portal's bearer tokens (stored only as hashes). */
import { Command } from 'commander';
import { createToken, revoke, type TokenScope } from '../../pipeline/tokens.js';
import { listTokens } from '../../store/token-store.js';
import { UsageError, type GlobalFlags } from '../config.js';
import { outputOption, print, render, type OutputFormat } from '../output.js';
import { runWithDatabase } from '../run-command.js';

export function tokenCommand(globals: () => GlobalFlags): Command {
  const token = new Command('token').description("the portal's bearer tokens: a customer's (--account), an enterprise administrator's, the operator's");
  token
    .command('create')
    .description('create a token and print it (once: only its hash is kept)')
    .option('--account <id>', 'sees this account')
    .option('--enterprise <id>', "sees this enterprise's groups")
    .option('--operator', 'sees everything')
    .option('--label <text>', 'who it is for', '')
    .action((options: { account?: string; enterprise?: string; operator?: boolean; label: string }) =>
      runWithDatabase(globals(), async (database) => {
        const chosen = [options.account !== undefined, options.enterprise !== undefined, options.operator === true].filter(Boolean).length;
        if (chosen !== 1) throw new UsageError('choose one scope: --account ID, --enterprise ID or --operator');
        const scope: TokenScope =
          options.account !== undefined
            ? { kind: 'account', id: options.account }
            : options.enterprise !== undefined
              ? { kind: 'enterprise', id: options.enterprise }
              : { kind: 'operator' };
        const created = await createToken(database, scope, options.label, new Date());
        process.stderr.write(
          `token ${created.id} for ${scope.kind === 'operator' ? 'the operator' : `${scope.kind} ${scope.id}`}; keep it, it is not shown again:\n`,
        );
        print(created.token);
      }),
    );
  token
    .command('revoke')
    .description('revoke a token by its id')
    .argument('<id>', 'the token id (cdrbill token list)')
    .action((id: string) =>
      runWithDatabase(globals(), async (database) => {
        await revoke(database, id, new Date());
        print(`token ${id} revoked`);
      }),
    );
  token
    .command('list')
    .description('the tokens: id, scope, label, created, revoked')
    .addOption(outputOption())
    .action((options: { output: OutputFormat }) =>
      runWithDatabase(globals(), async (database) => {
        const rows = await listTokens(database.db);
        print(
          render(options.output, rows, [
            { key: 'id', value: (r) => r.id },
            { key: 'scope', value: (r) => r.scope },
            { key: 'scopeId', header: 'of', value: (r) => r.scope_id },
            { key: 'label', value: (r) => r.label },
            { key: 'createdAt', header: 'created', value: (r) => r.created_at.toISOString() },
            { key: 'revokedAt', header: 'revoked', value: (r) => r.revoked_at?.toISOString() ?? null },
          ]),
        );
      }),
    );
  return token;
}
