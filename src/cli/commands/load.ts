/** `cdrbill load tariffs|customers`: validate and store reference data. */
import { Command } from 'commander';
import { loadCustomers } from '../../pipeline/load-customers.js';
import { loadSeller } from '../../pipeline/load-seller.js';
import { loadTariffs } from '../../pipeline/load-tariffs.js';
import { accountsLackingDetails } from '../../billing/customer-file.js';
import { DEFAULTS, type GlobalFlags } from '../config.js';
import { runWithDatabase } from '../run-command.js';

export function loadCommand(globals: () => GlobalFlags): Command {
  const load = new Command('load').description('load tariffs, customers or the seller');
  load
    .command('tariffs')
    .description('validate and load plans, rate decks and the product catalogue; an error names the file, line and field')
    .argument('[dir]', 'tariff directory', DEFAULTS.tariffDir)
    .action((dir: string) =>
      runWithDatabase(globals(), async (database) => {
        const result = await loadTariffs(database, dir, new Date());
        const decks = [...result.tariffs.rateDecks.values()].map((d) => `${d.id} (${d.versions.length} version${d.versions.length === 1 ? '' : 's'})`);
        console.log(
          `tariffs from ${dir}: ${result.tariffs.plans.size} plans, rate decks ${decks.join(', ')}; ${result.created ? `stored as tariff set ${result.id}` : `unchanged (tariff set ${result.id})`}`,
        );
      }),
    );
  load
    .command('customers')
    .description('load accounts, their lines and plans, PBXs and enterprises (JSON, see the README)')
    .argument('<file>', 'customers file')
    .action((file: string) =>
      runWithDatabase(globals(), async (database) => {
        const customers = await loadCustomers(database, file);
        const lines = customers.accounts.reduce((n, a) => n + a.lines.length, 0);
        const users = customers.pbxs.reduce((n, p) => n + p.users.length, 0);
        console.log(
          `customers from ${file}: ${customers.accounts.length} accounts, ${lines} line terms, ${customers.pbxs.length} PBXs with ${users} users, ${customers.enterprises.length} enterprises`,
        );
        const lacking = accountsLackingDetails(customers);
        if (lacking) console.error(`warning: ${file}: ${lacking}`);
      }),
    );
  load
    .command('seller')
    .description("load our company's details for the invoices: name, address, KvK and VAT numbers, IBAN/BIC, SEPA creditor id, payment terms")
    .argument('<file>', 'seller file (JSON, see the README)')
    .action((file: string) =>
      runWithDatabase(globals(), async (database) => {
        const { seller, changed } = await loadSeller(database, file, new Date());
        console.log(`seller from ${file}: ${seller.name}, KvK ${seller.kvkNumber}, VAT ${seller.vatNumber}; ${changed ? 'stored' : 'unchanged'}`);
      }),
    );
  return load;
}
