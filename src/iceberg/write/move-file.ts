/** Moving a finished scratch file to where a data file is staged. */
import { copyFile, rename, rm } from 'node:fs/promises';

/** Renames, or copies when the scratch folder is on another file system than the target. */
export async function moveFile(from: string, to: string): Promise<void> {
  try {
    await rename(from, to);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EXDEV') throw e;
    await copyFile(from, to);
    await rm(from, { force: true });
  }
}
