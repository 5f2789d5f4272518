/**
 * A progress bar on standard error when it is a terminal. For crash-recovery tests,
 * CDRBILL_TEST_KILL_AFTER_BYTES=N kills the process (SIGKILL) once N bytes of a file are read.
 */
export function progressBar(): ((file: string, read: number, total: number) => void) | undefined {
  const killAfter = Number(process.env.CDRBILL_TEST_KILL_AFTER_BYTES ?? 'NaN');
  if (Number.isFinite(killAfter)) {
    return (_file, read) => {
      if (read >= killAfter) process.kill(process.pid, 'SIGKILL');
    };
  }
  if (!process.stderr.isTTY) return undefined;
  return (file, read, total) => {
    const share = total > 0 ? Math.min(1, read / total) : 1;
    const width = 30;
    const done = Math.round(share * width);
    process.stderr.write(`\r${file} [${'#'.repeat(done)}${'.'.repeat(width - done)}] ${(share * 100).toFixed(0).padStart(3)}%${share === 1 ? '\r\x1b[K' : ''}`);
  };
}

/** A counter on standard error when it is a terminal (`invoices 3,000/10,000`). */
export function countProgress(label: string): ((done: number, total: number) => void) | undefined {
  if (!process.stderr.isTTY) return undefined;
  return (done, total) => {
    process.stderr.write(`\r${label} ${done.toLocaleString('en-US')}/${total.toLocaleString('en-US')}${done >= total ? '\r\x1b[K' : ''}`);
  };
}
