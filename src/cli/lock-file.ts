/**
 * A lock file for a job on the embedded database (PostgreSQL has advisory locks): created
 * exclusively with the holder's process id; a lock left by a process that is gone is taken over.
 */
import { readFileSync, rmSync, writeFileSync } from 'node:fs';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Takes the lock at `path`; returns its release, or undefined when a live process holds it. */
export function takeLockFile(path: string): (() => void) | undefined {
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      writeFileSync(path, `${process.pid}\n`, { flag: 'wx' });
      return () => rmSync(path, { force: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const holder = Number(readFileSync(path, 'utf8').trim());
      if (Number.isInteger(holder) && holder > 0 && alive(holder)) return undefined;
      rmSync(path, { force: true }); // left by a process that is gone
    }
  }
  return undefined;
}
