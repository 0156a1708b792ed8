/**
 * Child process for the concurrent-append test: appends `count` single-row batches with ids
 * starting at `start` to a table, committing each separately so the two writers collide.
 * argv: dbPath warehouse table start count
 */
import { loadTable, SqlCatalog } from '../../src/iceberg/index.js';

const [dbPath, warehouse, table, start, count] = process.argv.slice(2);
const catalog = new SqlCatalog({ name: 'floe', path: dbPath!, warehouse: warehouse! });
const t = await loadTable(catalog, table!);
let retries = 0;
for (let i = 0; i < Number(count); i++) {
  const id = Number(start) + i;
  const r = await t.append([{ id: BigInt(id), name: `w${start}-${i}` }]);
  retries += r.attempts - 1;
}
await catalog.close();
process.stdout.write(JSON.stringify({ retries }));
