/**
 * `floe plan`: a platform's config ids and their dependencies (L2 after the L1 configs whose
 * tables it reads), from a project folder or the DynamoDB config tables, for an orchestrator to
 * fan out `floe run --CONFIG_ID …` (see deploy/).
 */
import type { Command } from 'commander';
import { FileConfigStore } from '../../config/file-config-store.js';
import { planFromStore } from '../../job/plan.js';
import type { AwsClients } from '../../runtime/aws/clients.js';
import { printLine } from '../output.js';

export function registerPlanCommands(program: Command): void {
  program
    .command('plan')
    .description('list a platform’s configs and what each waits for (L2 after its L1 sources)')
    .option('--platform <name>', 'SaaS platform (SAAS_PLATFORM); default all')
    .option('--project <dir>', 'floe project folder', '.')
    .option('--config-table <table>', 'DynamoDB L1 config table (CONFIG_TABLE) instead of a project folder')
    .option('--l2-config-table <table>', 'DynamoDB L2 config table (L2_CONFIG_TABLE)')
    .option('--json', 'print the plan as JSON')
    .action(
      async (flags: {
        platform?: string;
        project: string;
        configTable?: string;
        l2ConfigTable?: string;
        json?: boolean;
      }) => {
        const aws = flags.configTable !== undefined || flags.l2ConfigTable !== undefined;
        // The AWS SDK is loaded only when asked for: every command pays for what main.ts imports.
        const clients: AwsClients | undefined = aws
          ? (await import('../../runtime/aws/clients.js')).createAwsClients()
          : undefined;
        try {
          const store = clients
            ? new (await import('../../runtime/aws/dynamo-config-store.js')).DynamoConfigStore(
                clients.dynamodb,
                {
                  l1: flags.configTable,
                  l2: flags.l2ConfigTable,
                },
              )
            : new FileConfigStore(flags.project);
          const plan = await planFromStore(store, flags.platform, {
            l1: !aws || flags.configTable !== undefined,
            l2: !aws || flags.l2ConfigTable !== undefined,
          });
          if (flags.json) {
            process.stdout.write(`${JSON.stringify(plan, null, 2)}\n`);
            return;
          }
          for (const stage of plan.stages) {
            printLine(`${stage.layer}:`);
            for (const c of plan.configs.filter((x) => x.layer === stage.layer))
              printLine(
                `  ${c.configId} → ${c.table}${c.after.length ? ` (after ${c.after.join(', ')})` : ''}`,
              );
          }
          if (plan.invalid?.length) printLine(`invalid (a run fails them): ${plan.invalid.join(', ')}`);
        } finally {
          clients?.destroy();
        }
      },
    );
}
