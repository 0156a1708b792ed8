/**
 * Child process for the Glue commit race: appends `count` single-row batches to a Glue table on
 * moto, each its own commit, through a Glue client that enforces VersionId as AWS does (see
 * aws-faults.ts). Prints the commit retries it needed.
 * argv: warehouse table start count lockDir   (AWS_* env points at moto)
 */
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GlueClient } from '@aws-sdk/client-glue';
import { S3Client } from '@aws-sdk/client-s3';
import { GlueCatalog } from '../../src/iceberg/catalog/glue.js';
import { loadTable } from '../../src/iceberg/index.js';
import { S3FileIO } from '../../src/iceberg/io/s3.js';
import { enforceGlueVersionId } from './aws-faults.js';

const [warehouse, table, start, count, lockDir] = process.argv.slice(2);
const catalog = new GlueCatalog({
  client: enforceGlueVersionId(new GlueClient({}), lockDir!),
  io: new S3FileIO({
    client: new S3Client({ forcePathStyle: true }),
    tempDir: join(tmpdir(), `floe-worker-${process.pid}`),
  }),
  warehouse: warehouse!,
});
const t = await loadTable(catalog, table!);
let retries = 0;
for (let i = 0; i < Number(count); i++) {
  const id = Number(start) + i;
  const r = await t.append([{ id: BigInt(id), name: `w${start}-${i}` }]);
  retries += r.attempts - 1;
}
process.stdout.write(JSON.stringify({ retries }));
