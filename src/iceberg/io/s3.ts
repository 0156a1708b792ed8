/**
 * FileIO on Amazon S3 (`s3://bucket/key`; `s3a://` and `s3n://` as Hadoop writes them). DuckDB
 * cannot reach S3 here (only its statically linked extensions exist), so data files are written
 * by DuckDB to a local staging file and uploaded on publish (multipart above a threshold), and
 * readers get a local copy downloaded by GET. Metadata files are created with `If-None-Match: *`,
 * so an existing one is never overwritten: S3 answers 412 and the writer sees a retryable
 * `commit-conflict`, exactly like an exclusive create on a local disk.
 */
import { randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  type ListObjectsV2CommandOutput,
  PutObjectCommand,
  type S3Client,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { FloeError } from '../../errors.js';
import type { FileIO, ListedFile, StagedWrite } from './file-io.js';

export interface S3Location {
  /** `s3`, `s3a` or `s3n`, as written (URIs are returned in the form they were given). */
  readonly scheme: string;
  readonly bucket: string;
  readonly key: string;
}

export function parseS3Uri(uri: string): S3Location {
  const m = /^(s3|s3a|s3n):\/\/([^/]+)\/?(.*)$/s.exec(uri);
  if (!m)
    throw new FloeError('io', `not an S3 URI: ${uri} (expected s3://bucket/key)`, { context: { file: uri } });
  return { scheme: m[1]!, bucket: m[2]!, key: m[3]! };
}

export interface S3FileIOOptions {
  readonly client: S3Client;
  /** Local folder for staged uploads and downloaded copies (the run's scratch folder). */
  readonly tempDir: string | (() => string);
  /** Files at least this large are uploaded in parts (default 64 MiB). */
  readonly multipartThresholdBytes?: number;
  /** Part size of multipart uploads (default 16 MiB; S3's minimum is 5 MiB). */
  readonly partSizeBytes?: number;
}

const MiB = 1024 * 1024;

export class S3FileIO implements FileIO {
  private readonly client: S3Client;
  private readonly threshold: number;
  private readonly partSize: number;

  constructor(private readonly opts: S3FileIOOptions) {
    this.client = opts.client;
    this.threshold = opts.multipartThresholdBytes ?? 64 * MiB;
    this.partSize = Math.max(5 * MiB, opts.partSizeBytes ?? 16 * MiB);
  }

  private async tempFile(kind: string, uri: string): Promise<string> {
    const root = typeof this.opts.tempDir === 'function' ? this.opts.tempDir() : this.opts.tempDir;
    const dir = join(root, kind);
    await mkdir(dir, { recursive: true });
    const ext = /\.[A-Za-z0-9]{1,8}$/.exec(uri)?.[0] ?? '';
    return join(dir, `${randomUUID()}${ext}`);
  }

  async read(uri: string): Promise<Buffer> {
    const { bucket, key } = parseS3Uri(uri);
    try {
      const r = await this.client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
      return Buffer.from(await r.Body!.transformToByteArray());
    } catch (e) {
      throw s3Error(e, 'GetObject', uri);
    }
  }

  async write(uri: string, data: Buffer | string, opts: { exclusive?: boolean } = {}): Promise<void> {
    const { bucket, key } = parseS3Uri(uri);
    try {
      await this.client.send(
        new PutObjectCommand({
          Bucket: bucket,
          Key: key,
          Body: typeof data === 'string' ? Buffer.from(data, 'utf8') : data,
          ...(opts.exclusive ? { IfNoneMatch: '*' } : {}),
        }),
      );
    } catch (e) {
      throw s3Error(e, 'PutObject', uri);
    }
  }

  async exists(uri: string): Promise<boolean> {
    const { bucket, key } = parseS3Uri(uri);
    try {
      await this.client.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
      return true;
    } catch (e) {
      const err = s3Error(e, 'HeadObject', uri);
      if (err.kind === 'not-found') return false;
      throw err;
    }
  }

  async delete(uri: string): Promise<void> {
    const { bucket, key } = parseS3Uri(uri);
    try {
      await this.client.send(new DeleteObjectCommand({ Bucket: bucket, Key: key }));
    } catch (e) {
      const err = s3Error(e, 'DeleteObject', uri);
      if (err.kind !== 'not-found') throw err;
    }
  }

  /** Every object under the prefix, taken as a folder (`…/t` does not list `…/t2/…`). */
  async list(prefixUri: string): Promise<string[]> {
    return (await this.listDetailed(prefixUri)).map((f) => f.uri);
  }

  /** Like `list`, with each object's size and LastModified. */
  async listDetailed(prefixUri: string): Promise<ListedFile[]> {
    const { scheme, bucket, key } = parseS3Uri(prefixUri);
    const prefix = key === '' || key.endsWith('/') ? key : `${key}/`;
    const out: ListedFile[] = [];
    let token: string | undefined;
    do {
      let r: ListObjectsV2CommandOutput;
      try {
        r = await this.client.send(
          new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }),
        );
      } catch (e) {
        throw s3Error(e, 'ListObjectsV2', `${scheme}://${bucket}/${prefix}`);
      }
      for (const o of r.Contents ?? [])
        if (o.Key)
          out.push({
            uri: `${scheme}://${bucket}/${o.Key}`,
            size: Number(o.Size ?? 0),
            lastModifiedMs: o.LastModified ? o.LastModified.getTime() : Date.now(),
          });
      token = r.IsTruncated ? r.NextContinuationToken : undefined;
    } while (token);
    return out.sort((a, b) => (a.uri < b.uri ? -1 : a.uri > b.uri ? 1 : 0));
  }

  async stageWrite(uri: string): Promise<StagedWrite> {
    parseS3Uri(uri);
    const localPath = await this.tempFile('s3-staged', uri);
    return {
      localPath,
      publish: async () => {
        const { size } = await stat(localPath);
        try {
          if (size >= this.threshold) await this.uploadParts(uri, localPath, size);
          else await this.uploadWhole(uri, localPath, size);
        } finally {
          await rm(localPath, { force: true });
        }
        return size;
      },
      discard: async () => {
        await rm(localPath, { force: true });
      },
    };
  }

  /** Downloads the object to a local file of its own; `release` deletes it. */
  async localCopy(uri: string): Promise<{ path: string; release(): Promise<void> }> {
    const { bucket, key } = parseS3Uri(uri);
    const path = await this.tempFile('s3-read', uri);
    try {
      const r = await this.client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
      await pipeline(r.Body as Readable, createWriteStream(path));
    } catch (e) {
      await rm(path, { force: true });
      throw s3Error(e, 'GetObject', uri);
    }
    return { path, release: () => rm(path, { force: true }) };
  }

  private async uploadWhole(uri: string, path: string, size: number): Promise<void> {
    const { bucket, key } = parseS3Uri(uri);
    try {
      await this.client.send(
        new PutObjectCommand({ Bucket: bucket, Key: key, Body: createReadStream(path), ContentLength: size }),
      );
    } catch (e) {
      throw s3Error(e, 'PutObject', uri);
    }
  }

  /** Multipart upload, aborted on any failure so no invisible parts are left billed. */
  private async uploadParts(uri: string, path: string, size: number): Promise<void> {
    const { bucket, key } = parseS3Uri(uri);
    let uploadId: string | undefined;
    try {
      const created = await this.client.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: key }));
      uploadId = created.UploadId!;
      const parts: { ETag: string; PartNumber: number }[] = [];
      for (let n = 1, offset = 0; offset < size; n++, offset += this.partSize) {
        const end = Math.min(size, offset + this.partSize) - 1;
        const r = await this.client.send(
          new UploadPartCommand({
            Bucket: bucket,
            Key: key,
            UploadId: uploadId,
            PartNumber: n,
            Body: Readable.from(createReadStream(path, { start: offset, end })),
            ContentLength: end - offset + 1,
          }),
        );
        parts.push({ ETag: r.ETag!, PartNumber: n });
      }
      await this.client.send(
        new CompleteMultipartUploadCommand({
          Bucket: bucket,
          Key: key,
          UploadId: uploadId,
          MultipartUpload: { Parts: parts },
        }),
      );
    } catch (e) {
      if (uploadId)
        await this.client
          .send(new AbortMultipartUploadCommand({ Bucket: bucket, Key: key, UploadId: uploadId }))
          .catch(() => {});
      throw s3Error(e, 'multipart upload', uri);
    }
  }
}

const IAM_ACTION: Record<string, string> = {
  GetObject: 's3:GetObject',
  HeadObject: 's3:GetObject',
  PutObject: 's3:PutObject',
  'multipart upload': 's3:PutObject',
  DeleteObject: 's3:DeleteObject',
  ListObjectsV2: 's3:ListBucket',
};

/** An S3 failure as a FloeError naming the operation, the object and the fix. */
export function s3Error(e: unknown, op: string, uri: string): FloeError {
  if (e instanceof FloeError) return e;
  const err = e as { name?: string; message?: string; $metadata?: { httpStatusCode?: number } };
  const name = err.name ?? 'Error';
  const status = err.$metadata?.httpStatusCode;
  const context = { file: uri, status };
  if (name === 'NoSuchKey' || name === 'NotFound' || (status === 404 && name !== 'NoSuchBucket'))
    return new FloeError('not-found', `file not found: ${uri}`, { context, cause: e });
  if (name === 'PreconditionFailed' || status === 412 || name === 'ConditionalRequestConflict')
    return new FloeError('commit-conflict', `file already exists: ${uri}`, {
      context,
      cause: e,
      retryable: true,
    });
  const { bucket, key } = parseS3Uri(uri);
  if (name === 'NoSuchBucket')
    return new FloeError(
      'not-found',
      `S3 ${op} ${uri} failed: bucket ${bucket} does not exist (fix: create the bucket, or correct the location: destination.s3Location or the warehouse in CUSTOM_CONFIGS)`,
      { context, cause: e },
    );
  if (name === 'AccessDenied' || name === 'Forbidden' || status === 403) {
    const action = IAM_ACTION[op] ?? 's3:*';
    const resource = op === 'ListObjectsV2' ? `arn:aws:s3:::${bucket}` : `arn:aws:s3:::${bucket}/${key}`;
    return new FloeError(
      'io',
      `S3 refused ${op} on ${uri} (${name}: ${err.message ?? 'access denied'}). Fix: allow ${action} on ${resource} in the job role's IAM policy`,
      { context, cause: e },
    );
  }
  return new FloeError('io', `S3 ${op} ${uri} failed: ${name}: ${err.message ?? String(e)}`, {
    context,
    cause: e,
    // The SDK already retried throttling and 5xx with its own retry mode.
    retryable: false,
  });
}
