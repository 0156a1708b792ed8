/**
 * The S3 FileIO on moto: whole-file and multipart uploads of staged files, downloads for DuckDB,
 * exclusive creates (`If-None-Match: *`) that never overwrite a metadata file, listing as a
 * folder, deletes; and the safety wall around it (ScopedFileIO) refusing writes outside the
 * warehouse.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { S3Client } from '@aws-sdk/client-s3';
import { beforeAll, describe, expect, it } from 'vitest';
import { createTable, SqlCatalog } from '../../src/iceberg/index.js';
import { S3FileIO } from '../../src/iceberg/io/s3.js';
import { ScopedFileIO } from '../../src/iceberg/io/scoped.js';
import { record } from '../support/aws-faults.js';
import { createBucket, moto, uniq } from '../support/aws-moto.js';

let bucket: string;
const tempDir = mkdtempSync(join(tmpdir(), 'floe-s3io-'));

beforeAll(async () => {
  await moto();
  bucket = uniq('s3io');
  await createBucket(bucket);
});

describe('S3FileIO', () => {
  it('uploads a large staged file in parts and reads back the same bytes', async () => {
    const s3 = record(new S3Client({ forcePathStyle: true }));
    const io = new S3FileIO({
      client: s3.client,
      tempDir,
      multipartThresholdBytes: 6 * 1024 * 1024,
      partSizeBytes: 5 * 1024 * 1024,
    });
    const bytes = randomBytes(11 * 1024 * 1024 + 17);
    const uri = `s3://${bucket}/wh/t/data/big.parquet`;
    const staged = await io.stageWrite(uri);
    writeFileSync(staged.localPath, bytes);
    expect(await staged.publish()).toBe(bytes.length);
    const commands = s3.calls.map((c) => c.command);
    expect(commands.filter((c) => c === 'UploadPartCommand')).toHaveLength(3);
    expect(commands).toContain('CompleteMultipartUploadCommand');
    const copy = await io.localCopy(uri);
    expect(readFileSync(copy.path).equals(bytes)).toBe(true);
    await copy.release();
    // A small file goes up whole.
    const small = await io.stageWrite(`s3://${bucket}/wh/t/data/small.parquet`);
    writeFileSync(small.localPath, 'tiny');
    await small.publish();
    expect(s3.calls.filter((c) => c.command === 'PutObjectCommand')).toHaveLength(1);
  });

  it('creates metadata files exclusively: an existing one is never overwritten', async () => {
    const io = new S3FileIO({ client: new S3Client({ forcePathStyle: true }), tempDir });
    const uri = `s3://${bucket}/wh/t/metadata/00001-x.metadata.json`;
    await io.write(uri, '{"first":true}', { exclusive: true });
    await expect(io.write(uri, '{"second":true}', { exclusive: true })).rejects.toMatchObject({
      kind: 'commit-conflict',
      retryable: true,
    });
    expect((await io.read(uri)).toString()).toBe('{"first":true}');
  });

  it('lists a prefix as a folder, tells what exists, deletes', async () => {
    const io = new S3FileIO({ client: new S3Client({ forcePathStyle: true }), tempDir });
    await io.write(`s3://${bucket}/lst/t/a`, 'a');
    await io.write(`s3://${bucket}/lst/t/sub/b`, 'b');
    await io.write(`s3://${bucket}/lst/t2/c`, 'c');
    expect(await io.list(`s3://${bucket}/lst/t`)).toEqual([
      `s3://${bucket}/lst/t/a`,
      `s3://${bucket}/lst/t/sub/b`,
    ]);
    expect(await io.exists(`s3://${bucket}/lst/t/a`)).toBe(true);
    await io.delete(`s3://${bucket}/lst/t/a`);
    expect(await io.exists(`s3://${bucket}/lst/t/a`)).toBe(false);
    await expect(io.read(`s3://${bucket}/lst/t/a`)).rejects.toMatchObject({ kind: 'not-found' });
    await expect(io.read(`s3://${uniq('nobucket')}/x`)).rejects.toThrow(
      /bucket .* does not exist \(fix: create the bucket/,
    );
  });

  it('inside ScopedFileIO, refuses writes and deletes outside the warehouse', async () => {
    const io = new ScopedFileIO(
      new S3FileIO({ client: new S3Client({ forcePathStyle: true }), tempDir }),
      `s3://${bucket}/wh`,
    );
    await expect(io.write(`s3://${bucket}/wh/../elsewhere/x`, 'x')).rejects.toThrow(
      /refusing to write .* not inside the warehouse/,
    );
    await expect(io.delete(`s3://${bucket}/other/x`)).rejects.toThrow(/refusing to delete/);
    await expect(io.stageWrite(`s3://${uniq('b')}/wh/x`)).rejects.toThrow(/refusing to write/);
  });

  it('a sorted write larger than the target size rolls into several files, each published to S3', async () => {
    const s3 = record(new S3Client({ forcePathStyle: true }));
    const io = new S3FileIO({ client: s3.client, tempDir });
    const catalog = new SqlCatalog({
      name: 'floe',
      path: join(tempDir, 'layout-catalog.db'),
      warehouse: `s3://${bucket}/layout-wh`,
      io,
    });
    try {
      await catalog.createNamespace(['lay']);
      const target = 128 * 1024;
      const t = await createTable(catalog, 'lay.rolled', {
        schema: [
          { name: 'id', type: 'long' },
          { name: 'payload', type: 'string' },
        ],
        properties: { 'write.target-file-size-bytes': String(target) },
        sortBy: [{ source: 'id' }],
      });
      const n = 40_000;
      const rows = Array.from({ length: n }, (_, i) => {
        const id = (i * 7919) % n;
        return { id: BigInt(id), payload: `${(Math.imul(id, 2654435761) >>> 0).toString(16)}`.repeat(6) };
      });
      await t.append(rows);
      const files = (await t.scan().plan()).tasks.map((x) => x.file);
      expect(files.length).toBeGreaterThanOrEqual(3);
      const listed = (await io.list(`${t.metadata.location}/data`)).filter((u) => u.endsWith('.parquet'));
      expect(listed.sort()).toEqual(files.map((f) => f.file_path).sort());
      for (const f of files) {
        expect(f.file_path.startsWith(`s3://${bucket}/layout-wh/`)).toBe(true);
        expect(f.sort_order_id).toBe(1);
        expect(Number(f.file_size_in_bytes)).toBeLessThanOrEqual(target * 1.1);
      }
      const ids = (await t.scan().toRows()).map((r) => Number(r.id)).sort((a, b) => a - b);
      expect(ids).toEqual(Array.from({ length: n }, (_, i) => i));
    } finally {
      await catalog.close();
    }
  });
});
