import { describe, expect, it } from 'vitest';
import { PLAIN_LINE_MS, startProgress } from '../../src/cli/progress.js';

function sink(isTTY: boolean) {
  const stream = { text: '', isTTY, write: (s: string) => (stream.text += s) };
  return stream;
}

/** A clock the test moves by hand. */
function clock() {
  let t = 0;
  return { now: () => t, advance: (ms: number) => (t += ms) };
}

describe('progress', () => {
  it('without a terminal, short work prints nothing', () => {
    const stream = sink(false);
    const c = clock();
    const progress = startProgress(stream, 'scoring en', 'windows', { env: {}, now: c.now });
    for (let i = 1; i <= 50; i++) {
      c.advance(100);
      progress.update(i, 50);
    }
    progress.end();
    expect(stream.text).toBe('');
  });

  it('without a terminal, long work prints a plain line every 10 s and a closing line', () => {
    const stream = sink(false);
    const c = clock();
    const progress = startProgress(stream, 'scoring en', 'windows', { env: {}, now: c.now });
    for (let i = 1; i <= 25; i++) {
      c.advance(1000);
      progress.update(i, 25);
    }
    progress.end();
    progress.end(); // idempotent
    expect(PLAIN_LINE_MS).toBe(10_000);
    expect(stream.text).toBe(
      'scoring en: 10/25 windows (40%) after 10 s\n' + 'scoring en: 20/25 windows (80%) after 20 s\n' + 'scoring en: done, 25 windows in 25 s\n',
    );
  });

  it('on a terminal, draws one bar redrawn in place, ended by a newline', () => {
    const stream = sink(true);
    const c = clock();
    const progress = startProgress(stream, 'loading', 'weights', { env: {}, now: c.now });
    for (let i = 1; i <= 4; i++) {
      c.advance(500);
      progress.update(i, 4);
    }
    progress.end();
    expect(stream.text.endsWith('\n')).toBe(true);
    expect(stream.text.split('\n')).toHaveLength(2); // one line, redrawn with \r
    const frames = stream.text.trimEnd().split('\r').filter(Boolean);
    expect(frames[0]).toMatch(/^loading █{6}░{18}  25% 1\/4 weights 0\.5 s$/);
    expect(frames.at(-1)).toMatch(/^loading █{24} 100% 4\/4 weights 2\.0 s$/);
  });

  it('REGIONS_PROGRESS=1 draws the bar even when stderr is not a terminal', () => {
    const stream = sink(false);
    const progress = startProgress(stream, 'loading', 'weights', { env: { REGIONS_PROGRESS: '1' }, now: clock().now });
    progress.update(1, 2);
    progress.end();
    expect(stream.text).toMatch(/^\rloading █{12}░{12}  50% 1\/2 weights/);
  });
});
