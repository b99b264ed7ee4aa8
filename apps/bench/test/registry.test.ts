import { describe, expect, it } from 'vitest';
import { parseArgs } from '../dist/args.js';
import { BACKENDS_DIR, loadRegistry } from '../dist/registry.js';
import { runBench } from '../dist/runner.js';

const fixture = (name: string) => new URL(`./fixtures/${name}`, import.meta.url).href;

function options(argv: string[]) {
  const parsed = parseArgs(argv, 2);
  if (!parsed.ok) throw new Error(parsed.error);
  return parsed.options;
}

describe('loadRegistry', () => {
  it('finds one entry per file in backends/, the baseline first', async () => {
    const registry = await loadRegistry();
    const names = registry.backends.map((b) => b.entry.name);
    expect(names.slice(0, 2)).toEqual(['inline', 'worker-threads']);
    expect(registry.broken).toEqual([]);
    for (const { entry, moduleUrl } of registry.backends) {
      expect(moduleUrl.startsWith(BACKENDS_DIR.href)).toBe(true);
      expect(await entry.available()).toEqual({ ok: true });
    }
  });

  it('lists an entry whose package is missing as broken instead of failing', async () => {
    const registry = await loadRegistry(BACKENDS_DIR, [fixture('missing-package-backend.js')]);
    expect(registry.backends.map((b) => b.entry.name)).not.toContain('not-installed');
    expect(registry.broken).toHaveLength(1);
    expect(registry.broken[0]?.reason).toMatch(/@manyhands\/not-installed/);
  });
});

describe('backends that cannot run', () => {
  it('are skipped with their reason while the others run', async () => {
    const registry = await loadRegistry(BACKENDS_DIR, [
      fixture('unavailable-backend.js'),
      fixture('missing-package-backend.js'),
    ]);
    const report = await runBench(
      options(['--workload', 'cpu', '--n', '20', '--samples', '1', '--workers', '1']),
      registry,
    );
    expect(report.skipped.map((s) => s.name)).toContain('needs-redis');
    expect(report.skipped.find((s) => s.name === 'needs-redis')?.reason).toBe(
      'no Redis server on 127.0.0.1:6379',
    );
    expect(report.skipped.some((s) => /missing-package-backend/.test(s.name))).toBe(true);
    expect(report.cases.map((c) => c.subject.name)).not.toContain('needs-redis');
    expect(report.cases.every((c) => c.ok)).toBe(true);
  }, 60_000);
});

describe('a backend with wrong results', () => {
  it('fails its case loudly with a checksum mismatch; the right ones pass', async () => {
    const registry = await loadRegistry(BACKENDS_DIR, [
      fixture('wrong-result-backend.js'),
      fixture('dropping-backend.js'),
    ]);
    const report = await runBench(
      options([
        '--backends',
        'wrong-result,dropping,worker-threads',
        '--workload',
        'cpu,io-timer',
        '--n',
        '50',
        '--samples',
        '2',
        '--workers',
        '1',
      ]),
      registry,
    );
    const byName = (name: string) => report.cases.filter((c) => c.subject.name === name);
    for (const name of ['wrong-result', 'dropping']) {
      expect(byName(name)).toHaveLength(2);
      for (const c of byName(name)) {
        expect(c.ok).toBe(false);
        expect(c.error).toMatch(
          /wrong results in sample 1: checksum .* expected .* \(computed inline\)/,
        );
        expect(c.seconds).toBeUndefined();
      }
    }
    expect(byName('dropping')[0]?.error).toMatch(/checksum 49:/);
    for (const name of ['inline', 'worker-threads']) {
      expect(byName(name).every((c) => c.ok)).toBe(true);
    }
  }, 60_000);
});

describe('the CLI with a backend that returns wrong results', () => {
  it('prints the failure and exits with 1', async () => {
    const { main } = await import('../dist/cli.js');
    const { PassThrough } = await import('node:stream');
    const { mkdtempSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const stdout = new PassThrough();
    const stderr = new PassThrough();
    let out = '';
    let err = '';
    stdout.on('data', (chunk) => (out += chunk));
    stderr.on('data', (chunk) => (err += chunk));
    const code = await main(
      [
        '--backends',
        'wrong-result',
        '--workload',
        'cpu',
        '--n',
        '20',
        '--samples',
        '1',
        '--workers',
        '1',
        '--out',
        mkdtempSync(join(tmpdir(), 'bench-cli-')),
      ],
      { stdout, stderr },
      () => loadRegistry(BACKENDS_DIR, [fixture('wrong-result-backend.js')]),
    );
    expect(code).toBe(1);
    expect(err).toMatch(
      /bench: 1 case\(s\) FAILED:\n {2}cpu\/wrong-result\/1: wrong results in sample 1/,
    );
    expect(out).toMatch(/wrong-result\s+1\s+20\s+FAILED: /);
  }, 60_000);
});
