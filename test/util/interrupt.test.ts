/**
 * src/util/interrupt.ts in-process, with signals delivered to the listeners as the OS does
 * (process.emit): in a loop a signal becomes an InterruptedError at the next check and gives the next
 * signal back to the OS's default; outside a loop it exits at once; without handleInterrupts nothing changes.
 */
import { afterEach, describe, expect, test, vi } from 'vitest';
import { handleInterrupts, interruptible, InterruptedError } from '../../src/util/interrupt.js';

afterEach(() => vi.restoreAllMocks());

describe('interrupts', () => {
  test('in a loop: the next check throws, naming what it was doing; the next signal is the OS default again', async () => {
    const release = handleInterrupts('t');
    const seen: number[] = [];
    try {
      const run = interruptible(async (check) => {
        for (let k = 1; k <= 10; k++) {
          await check(() => `work (item ${k} of 10)`);
          seen.push(k);
          if (k === 3) process.emit('SIGINT', 'SIGINT');
        }
      });
      await expect(run).rejects.toThrow(new InterruptedError('SIGINT', 'work (item 4 of 10)'));
      await expect(run).rejects.toMatchObject({ exitCode: 130, message: 'interrupted during work (item 4 of 10)' });
      expect(process.listenerCount('SIGINT')).toBe(0);
      expect(process.listenerCount('SIGTERM')).toBe(0);
    } finally {
      release();
    }
    expect(seen).toEqual([1, 2, 3]);
    expect(new InterruptedError('SIGTERM', 'x').withOutcome('nothing was cached')).toMatchObject({ exitCode: 143, message: 'interrupted during x; nothing was cached' });
  });

  test('outside a loop: exits at once with 128 + the signal, saying so', () => {
    const exit = vi.spyOn(process, 'exit').mockImplementation((() => undefined) as never);
    const stderr = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    const release = handleInterrupts('t');
    try {
      process.emit('SIGTERM', 'SIGTERM');
      expect(exit).toHaveBeenCalledWith(143);
      expect(stderr).toHaveBeenCalledWith('t: interrupted (SIGTERM)\n');
    } finally {
      release();
    }
    expect(process.listenerCount('SIGTERM')).toBe(0);
  });

  test('without handleInterrupts: no listeners, and a check never throws', async () => {
    expect(process.listenerCount('SIGINT')).toBe(0);
    await expect(interruptible(async (check) => { await check(() => 'work'); return 'done'; })).resolves.toBe('done');
  });
});
