/**
 * The `floe` command tree: every command registered on one commander program. main.ts parses
 * argv with it; the CLI reference (docs/cli.md) is generated from its help, so the two agree.
 */
import { Command } from 'commander';

export async function buildProgram(): Promise<Command> {
  const program = new Command();
  program
    .name('floe')
    .description('Configuration-driven SaaS → Apache Iceberg lakehouse ETL')
    .version('0.1.0');
  const { registerTableCommands } = await import('./commands/table.js');
  registerTableCommands(program);
  const { registerCatalogCommands } = await import('./commands/catalog.js');
  registerCatalogCommands(program);
  const { registerStateCommands } = await import('./commands/state.js');
  registerStateCommands(program);
  const { registerSimCommands } = await import('./commands/sim.js');
  const { registerHistoryCommands } = await import('./commands/history.js');
  const { registerConfigCommands } = await import('./commands/config.js');
  registerConfigCommands(program);
  const { registerInitCommands } = await import('./commands/init.js');
  registerInitCommands(program);
  const { registerDemoCommands } = await import('./commands/demo.js');
  registerDemoCommands(program);
  const { registerParsersCommands } = await import('./commands/parsers.js');
  registerParsersCommands(program);
  const { registerRunCommands } = await import('./commands/run.js');
  registerRunCommands(program);
  const { registerPlanCommands } = await import('./commands/plan.js');
  registerPlanCommands(program);
  const { registerSourceCommands } = await import('./commands/source.js');
  registerSourceCommands(program);
  registerHistoryCommands(program);
  const { registerUiCommands } = await import('./commands/ui.js');
  registerUiCommands(program);
  registerSimCommands(program);
  return program;
}
