/** FileIO on the local file system; URIs are `file:///abs/path` or plain absolute paths. */
import { mkdir, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { FloeError } from '../../errors.js';
import type { FileIO, ListedFile, StagedWrite } from './file-io.js';

/**
 * Iceberg paths are literal: Java and PyIceberg never percent-decode them, and partition
 * directories such as `name=Zo%C3%AB` exist on disk with the `%` in their names. So neither
 * do we — `file:///a%20b` is the file `/a%20b`.
 */
export function uriToPath(uri: string): string {
  if (uri.startsWith('file://')) return uri.slice('file://'.length);
  if (uri.startsWith('file:/')) return uri.slice('file:'.length); // Hadoop's `file:/x` form
  if (uri.startsWith('/')) return uri;
  throw new FloeError('io', `not a local file URI: ${uri}`, { context: { file: uri } });
}

/** `file:///abs/path` (the form PyIceberg writes for local tables). */
export function pathToUri(path: string): string {
  if (!path.startsWith('/')) throw new FloeError('io', `not an absolute path: ${path}`);
  return `file://${path}`;
}

export class LocalFileIO implements FileIO {
  async read(uri: string): Promise<Buffer> {
    try {
      return await readFile(uriToPath(uri));
    } catch (e) {
      throw ioError(e, uri, 'read');
    }
  }

  async write(uri: string, data: Buffer | string, opts: { exclusive?: boolean } = {}): Promise<void> {
    const path = uriToPath(uri);
    await mkdir(dirname(path), { recursive: true });
    try {
      await writeFile(path, data, { flag: opts.exclusive ? 'wx' : 'w' });
    } catch (e) {
      throw ioError(e, uri, 'write');
    }
  }

  async exists(uri: string): Promise<boolean> {
    try {
      await stat(uriToPath(uri));
      return true;
    } catch {
      return false;
    }
  }

  async delete(uri: string): Promise<void> {
    await rm(uriToPath(uri), { force: true });
  }

  async list(prefixUri: string): Promise<string[]> {
    const root = uriToPath(prefixUri);
    const out: string[] = [];
    const walk = async (dir: string) => {
      let entries: import('node:fs').Dirent[];
      try {
        entries = await readdir(dir, { withFileTypes: true });
      } catch {
        return;
      }
      for (const e of entries) {
        const p = join(dir, e.name);
        if (e.isDirectory()) await walk(p);
        else out.push(pathToUri(p));
      }
    };
    await walk(root);
    return out.sort();
  }

  async listDetailed(prefixUri: string): Promise<ListedFile[]> {
    const out: ListedFile[] = [];
    for (const uri of await this.list(prefixUri)) {
      try {
        const st = await stat(uriToPath(uri));
        out.push({ uri, size: st.size, lastModifiedMs: st.mtimeMs });
      } catch {
        // Gone since it was listed.
      }
    }
    return out;
  }

  async stageWrite(uri: string): Promise<StagedWrite> {
    const path = uriToPath(uri);
    await mkdir(dirname(path), { recursive: true });
    return {
      localPath: path,
      publish: async () => (await stat(path)).size,
      discard: async () => {
        await rm(path, { force: true });
      },
    };
  }

  async localCopy(uri: string): Promise<{ path: string; release(): Promise<void> }> {
    const path = uriToPath(uri);
    try {
      await stat(path);
    } catch (e) {
      throw ioError(e, uri, 'read');
    }
    return { path, release: async () => {} };
  }
}

function ioError(e: unknown, uri: string, op: string): FloeError {
  const code = (e as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') {
    return new FloeError('not-found', `file not found: ${uri}`, { context: { file: uri }, cause: e });
  }
  if (code === 'EEXIST') {
    return new FloeError('commit-conflict', `file already exists: ${uri}`, {
      context: { file: uri },
      cause: e,
      retryable: true,
    });
  }
  return new FloeError('io', `cannot ${op} ${uri}: ${(e as Error).message}`, {
    context: { file: uri },
    cause: e,
  });
}
