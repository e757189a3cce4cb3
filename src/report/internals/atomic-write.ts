/** Writing a report file so that a reader (or a run killed mid-write) never sees half of it. */
import { randomBytes } from 'node:crypto';
import { renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

/**
 * Writes `data` to a temporary file in `file`'s folder, then renames it over `file`: the rename is atomic
 * within a file system, so `file` is always either the old content or the new, whole. The temporary file
 * is removed when the write fails.
 */
export function writeFileAtomic(file: string, data: string): void {
  const temp = join(dirname(file), `.${basename(file)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  try {
    writeFileSync(temp, data);
    renameSync(temp, file);
  } catch (err) {
    rmSync(temp, { force: true });
    throw err;
  }
}
