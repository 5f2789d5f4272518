/**
 * A lock file for a job on the embedded database (PostgreSQL has advisory locks): created
 * exclusively with the holder's process id; a lock left by a process that is gone is taken over.
 */
import { readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';

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
      let text: string;
      let ageMs: number;
      try {
        text = readFileSync(path, 'utf8').trim();
        ageMs = Date.now() - statSync(path).mtimeMs;
      } catch (gone) {
        if ((gone as NodeJS.ErrnoException).code === 'ENOENT') continue; // released meanwhile: try again
        throw gone;
      }
      // an empty file is being written by the process that just created it, unless it is old
      if (text === '' && ageMs < 10_000) return undefined;
      const holder = Number(text);
      if (Number.isInteger(holder) && holder > 0 && alive(holder)) return undefined;
      rmSync(path, { force: true }); // left by a process that is gone
    }
  }
  return undefined;
}
