import { readFileSync } from 'node:fs';

/**
 * CPU milliseconds a process on this machine has used so far (all its threads, user and system),
 * from /proc (Linux); 0 when it is gone or not here (a PostgreSQL backend on another machine).
 */
export function processCpuMs(pid: number): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return (Number(fields[11]) + Number(fields[12])) * 10; // utime + stime, in ticks of 10 ms (USER_HZ 100)
  } catch {
    return 0;
  }
}
