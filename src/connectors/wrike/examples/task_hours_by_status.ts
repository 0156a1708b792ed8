/**
 * An example TypeScript L2 parser (floe init put it here): planned and logged hours per task
 * status. A TypeScript parser builds its SELECT in `transform`; it may first prepare intermediate
 * tables (ctx.run) or read small lookups (ctx.query). Sources are DuckDB relations
 * (ctx.source(name): the rows this run reads; ctx.all(name): every current row), never arrays of
 * rows, so it scales like SQL. Registered in floe.yaml with `- module: parsers/task_hours_by_status.ts`.
 * Try it: floe parsers test task_hours_by_status --source tasks=wrike_staging.staging_tasks --source timelogs=wrike_staging.staging_timelogs
 */
interface Context {
  source(name: string): string;
  all(name: string): string;
  run(sql: string): Promise<void>;
}

export default {
  name: 'task_hours_by_status',
  description: 'Planned and logged hours per task status',
  sources: ['tasks', 'timelogs'],
  primaryKey: ['status'],
  schema: { status: 'string', tasks: 'long', planned_hours: 'double', logged_hours: 'double' },
  async transform(ctx: Context): Promise<string> {
    await ctx.run(
      `CREATE TEMP TABLE logged AS SELECT task_id, sum(hours) AS hours FROM ${ctx.all('timelogs')} GROUP BY task_id`,
    );
    return `SELECT t.status,
        count(*) AS tasks,
        CAST(coalesce(sum(t.dates.duration), 0) AS DOUBLE) / 60 AS planned_hours,
        CAST(coalesce(sum(l.hours), 0) AS DOUBLE) AS logged_hours
      FROM ${ctx.all('tasks')} t LEFT JOIN logged l ON l.task_id = t.id
      GROUP BY t.status`;
  },
};
