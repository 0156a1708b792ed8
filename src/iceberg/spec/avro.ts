/**
 * Avro object container files (Avro spec §Object Container Files) for manifests and manifest
 * lists. Records are encoded by avsc; this module only frames them, because Iceberg needs two
 * things avsc's stream encoders cannot give together: the *raw* schema JSON in the header
 * (field-id / element-id attributes must survive, and avsc drops them when exporting a Type)
 * and a BigInt long type (snapshot ids exceed 2^53). Codec: deflate, which is what Iceberg's
 * default `gzip` Avro compression means.
 */
import { randomBytes } from 'node:crypto';
import { deflateRawSync, inflateRawSync } from 'node:zlib';
import avro from 'avsc';

const MAGIC = Buffer.from([0x4f, 0x62, 0x6a, 0x01]); // "Obj" 1

/** avsc long that reads and writes bigint (and accepts numbers on write). */
const bigintLong = avro.types.LongType.__with({
  fromBuffer: (buf: Buffer) => buf.readBigInt64LE(),
  toBuffer: (n: bigint | number) => {
    const buf = Buffer.alloc(8);
    buf.writeBigInt64LE(BigInt(n));
    return buf;
  },
  fromJSON: (v: unknown) => BigInt(v as number),
  toJSON: (n: bigint) => Number(n),
  isValid: (n: unknown) => typeof n === 'bigint' || (typeof n === 'number' && Number.isInteger(n)),
  compare: (a: bigint, b: bigint) => (a === b ? 0 : a < b ? -1 : 1),
});

export function avroType(schema: object): avro.Type {
  return avro.Type.forSchema(schema as avro.Schema, { registry: { long: bigintLong }, wrapUnions: false });
}

const headerType = avro.Type.forSchema({
  type: 'record',
  name: 'org.apache.avro.file.Header',
  fields: [
    { name: 'magic', type: { type: 'fixed', name: 'Magic', size: 4 } },
    { name: 'meta', type: { type: 'map', values: 'bytes' } },
    { name: 'sync', type: { type: 'fixed', name: 'Sync', size: 16 } },
  ],
});

const longType = avro.Type.forSchema('long');

/** Encodes records into a complete container file held in memory. */
export function writeAvroContainer(
  schema: object,
  records: Iterable<unknown>,
  metadata: Record<string, string>,
  blockRecords = 4096,
): Buffer {
  const type = avroType(schema);
  const sync = randomBytes(16);
  const meta: Record<string, Buffer> = {
    'avro.schema': Buffer.from(JSON.stringify(schema)),
    'avro.codec': Buffer.from('deflate'),
  };
  for (const [k, v] of Object.entries(metadata)) meta[k] = Buffer.from(v);
  const parts: Buffer[] = [headerType.toBuffer({ magic: MAGIC, meta, sync })];
  let block: Buffer[] = [];
  const flush = () => {
    if (block.length === 0) return;
    const data = deflateRawSync(Buffer.concat(block));
    parts.push(longType.toBuffer(block.length), longType.toBuffer(data.length), data, sync);
    block = [];
  };
  for (const r of records) {
    block.push(type.toBuffer(r));
    if (block.length >= blockRecords) flush();
  }
  flush();
  return Buffer.concat(parts);
}

export interface AvroContainer {
  readonly schema: unknown;
  readonly metadata: Record<string, string>;
  readonly records: unknown[];
}

/** Decodes a whole container file; throws with a plain message on any framing error. */
export function readAvroContainer(buf: Buffer): AvroContainer {
  if (buf.length < 4 || !buf.subarray(0, 4).equals(MAGIC))
    throw new Error('not an Avro container file (bad magic bytes)');
  const { value: header, offset } = headerType.decode(buf, 0) as {
    value: { meta: Record<string, Buffer>; sync: Buffer };
    offset: number;
  };
  if (offset < 0) throw new Error('truncated Avro header');
  const metadata: Record<string, string> = {};
  for (const [k, v] of Object.entries(header.meta)) metadata[k] = v.toString('utf8');
  const schemaText = metadata['avro.schema'];
  if (!schemaText) throw new Error('Avro header has no schema');
  const schema = JSON.parse(schemaText) as object;
  const codec = metadata['avro.codec'] ?? 'null';
  if (codec !== 'null' && codec !== 'deflate') throw new Error(`unsupported Avro codec "${codec}"`);
  const type = avroType(schema);
  const records: unknown[] = [];
  let pos = offset;
  while (pos < buf.length) {
    const count = longType.decode(buf, pos) as { value: number; offset: number };
    const size = longType.decode(buf, count.offset) as { value: number; offset: number };
    if (count.offset < 0 || size.offset < 0) throw new Error('truncated Avro block header');
    const end = size.offset + size.value;
    if (end + 16 > buf.length) throw new Error('truncated Avro block');
    const raw = buf.subarray(size.offset, end);
    const data = codec === 'deflate' ? inflateRawSync(raw) : raw;
    if (!buf.subarray(end, end + 16).equals(header.sync)) throw new Error('Avro sync marker mismatch');
    let p = 0;
    for (let i = 0; i < count.value; i++) {
      const r = type.decode(data, p) as { value: unknown; offset: number };
      if (r.offset < 0) throw new Error('truncated Avro record');
      records.push(r.value);
      p = r.offset;
    }
    pos = end + 16;
  }
  return { schema, metadata, records };
}
