/** `floe state set|reset` ask on a terminal, act on --yes, and never act unasked without one. */
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { confirmed } from '../../src/cli/commands/state.js';

function terminal(answer: string | undefined, tty = true) {
  const input = Object.assign(new PassThrough(), { isTTY: tty });
  const output = Object.assign(new PassThrough(), { isTTY: tty });
  let shown = '';
  let answered = false;
  output.on('data', (d) => {
    shown += String(d);
    // Answer once, when the question appears (readline echoes what is typed to the output).
    if (answer !== undefined && !answered && shown.includes('[y/N]')) {
      answered = true;
      input.write(`${answer}\n`);
    }
  });
  return { io: { input, output }, shown: () => shown };
}

describe('confirmed', () => {
  it('--yes goes ahead without asking', async () => {
    const t = terminal(undefined);
    expect(await confirmed({ yes: true }, 'reset?', t.io)).toBe(true);
    expect(t.shown()).toBe('');
  });

  it.each([
    ['y', true],
    ['yes', true],
    ['n', false],
    ['', false],
  ])('on a terminal, the answer %j decides (%s)', async (answer, expected) => {
    const t = terminal(answer);
    expect(await confirmed({}, 'forget the state of X?', t.io)).toBe(expected);
    expect(t.shown()).toContain('forget the state of X? [y/N]');
  });

  it('without a terminal nothing is asked and nothing happens', async () => {
    const t = terminal('y', false);
    expect(await confirmed({}, 'reset?', t.io)).toBe(false);
    expect(t.shown()).toBe('');
  });
});
