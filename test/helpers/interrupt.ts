import type { ChildProcess } from 'node:child_process';

/** How a process that was sent a signal ended. */
export interface InterruptedRun {
  code: number | null;
  /** The signal that killed it, or null when it exited by itself. */
  killedBy: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** Seconds from the signal to the process's exit. */
  secondsAfterSignal: number;
}

/**
 * Waits until `ready(stderr)` holds (the work has started), sends `signal`, and waits for the process to
 * end. Rejects if it ends before being ready, or is still running 20 s after the signal (then it is killed).
 */
export function runUntil(child: ChildProcess, ready: (stderr: string) => boolean, signal: NodeJS.Signals): Promise<InterruptedRun> {
  let stdout = '';
  let stderr = '';
  let sentAt: number | null = null;
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`still running ${sentAt === null ? 'before being signalled' : '20 s after the signal'}; stderr:\n${stderr}`));
    }, 45_000);
    child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr!.on('data', (d: Buffer) => {
      stderr += d.toString();
      if (sentAt === null && ready(stderr)) {
        sentAt = performance.now();
        child.kill(signal);
        clearTimeout(timer);
        setTimeout(() => {
          child.kill('SIGKILL');
          reject(new Error(`still running 20 s after ${signal}; stderr:\n${stderr}`));
        }, 20_000).unref();
      }
    });
    child.on('exit', (code, killedBy) => {
      clearTimeout(timer);
      if (sentAt === null) reject(new Error(`ended (${killedBy ?? code}) before it was ready; stderr:\n${stderr}`));
      else resolve({ code, killedBy, stdout, stderr, secondsAfterSignal: (performance.now() - sentAt) / 1000 });
    });
  });
}
