import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { CONFIG_KEYS, SCHEMA } from '../../src/config/schema.js';

function harness(env: Record<string, string> = {}) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rs-cli-'));
  const out: string[] = [];
  const err: string[] = [];
  const run = (argv: string[]): Promise<number> =>
    main(argv, {
      io: { out: (l) => out.push(l), err: (l) => err.push(l) },
      env: { XDG_DATA_HOME: dir, ...env },
      cwd: dir,
      confCwd: dir,
    });
  return { dir, out, err, run };
}

describe('random-scalp command line', () => {
  it('--help lists every setting as a flag with its help text and the exit codes', async () => {
    const h = harness();
    expect(await h.run(['--help'])).toBe(0);
    const help = h.out.join('\n').replace(/\s+/g, ' ');
    for (const key of CONFIG_KEYS) {
      if (SCHEMA[key].kind === 'secret' || key === 'TEST_MODE') continue;
      expect(help).toContain(`--${key.toLowerCase().replace(/_/g, '-')}`);
    }
    expect(help).toContain(SCHEMA.OCO_POLL_SECONDS.help);
    expect(help).toMatch(/3 stopped while still holding a position/);
  });

  it('--version prints the version', async () => {
    const h = harness();
    expect(await h.run(['--version'])).toBe(0);
    expect(h.out.join('')).toMatch(/^\d+\.\d+\.\d+$/);
  });

  it('a settings file that is not valid JSON is named, with what to do, for every command (exit 1, no stack)', async () => {
    const h = harness();
    fs.writeFileSync(path.join(h.dir, 'config.json'), '{"LOTS": "2",');
    for (const argv of [['config', 'show'], ['report'], ['--paper', '--headless']]) {
      h.err.length = 0;
      expect(await h.run(argv)).toBe(1);
      expect(h.err.join('\n')).toMatch(/^random-scalp: settings file .*config\.json is not valid JSON \(.*\): fix it, or remove it/);
      expect(h.err.join('\n')).not.toMatch(/\bat \S+:\d+/);
    }
    // The file is left as it was: nothing of the trader's is lost.
    expect(fs.readFileSync(path.join(h.dir, 'config.json'), 'utf8')).toBe('{"LOTS": "2",');
  });

  it('config set / show / unset / path, with the key masked and the file 0600', async () => {
    const h = harness();
    expect(await h.run(['config', 'set', 'OPENALGO_API_KEY', 'my-very-secret-key-42'])).toBe(0);
    expect(await h.run(['config', 'set', 'LOTS', '3'])).toBe(0);
    expect(await h.run(['config', 'path'])).toBe(0);
    const file = h.out.at(-1) as string;
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    h.out.length = 0;
    expect(await h.run(['config', 'show'])).toBe(0);
    const shown = h.out.join('\n');
    expect(shown).not.toContain('my-very-secret-key-42');
    expect(shown).toMatch(/OPENALGO_API_KEY\s+my\*\*\*\*42/);
    expect(shown).toMatch(/LOTS\s+3\s+saved config/);
    expect(shown).toMatch(/^mode: live \(an API key is configured\)/);
    expect(await h.run(['config', 'unset', 'LOTS'])).toBe(0);
    h.out.length = 0;
    await h.run(['config', 'show']);
    expect(h.out.join('\n')).toMatch(/LOTS\s+1\s+default/);
  });

  it('config set refuses a wrong value or an unknown key with exit 1 and one clear line', async () => {
    const h = harness();
    expect(await h.run(['config', 'set', 'LOTS', 'many'])).toBe(1);
    expect(h.err).toEqual(['random-scalp: invalid LOTS = "many" (from saved config (random-scalp config set)): expected a whole number ≥ 1 and ≤ 1000']);
    expect(await h.run(['config', 'set', 'LOTZ', '2'])).toBe(1);
    expect(h.err.at(-1)).toMatch(/unknown setting "LOTZ"/);
  });

  it('a wrong flag value stops the start with exit 1, naming the field, value and source', async () => {
    const h = harness();
    expect(await h.run(['--headless', '--interval', '7q'])).toBe(1);
    expect(h.err).toEqual(['random-scalp: invalid INTERVAL = "7q" (from command-line flag): expected an interval like 30s, 5m, 1h (whole number ≥ 1 and s/m/h) or D for daily']);
  });

  it('--live without a key is a configuration error (exit 1)', async () => {
    const h = harness();
    expect(await h.run(['--live', '--headless'])).toBe(1);
    expect(h.err.join('\n')).toMatch(/--live needs OPENALGO_API_KEY and SYMBOL/);
  });

  it('--paper with --live, or an unknown option, is a usage error (exit 1)', async () => {
    const h = harness();
    expect(await h.run(['--paper', '--live'])).toBe(1);
    expect(await h.run(['--no-such-flag'])).toBe(1);
    expect(h.err.join('\n')).toMatch(/unknown option '--no-such-flag'/);
  });
});
