import { describe, expect, it } from 'vitest';
import { encodeWorkerInit, takeWorkerInit, WORKER_INIT_ENV } from '../src/process/init-env.js';
import { checkProcessOptions, processSpawnSettings } from '../src/process/spawn-options.js';

const init = { module: 'file:///tasks.js', concurrency: Number.POSITIVE_INFINITY };

describe('process options', () => {
  it('accepts valid options and rejects bad ones with TypeError or RangeError', () => {
    expect(() =>
      checkProcessOptions({
        execArgv: ['--no-warnings'],
        env: { A: 'a', B: undefined },
        cwd: new URL('file:///tmp'),
        stdio: 'forward',
        maxOldGenerationSizeMb: 64,
      }),
    ).not.toThrow();
    expect(() => checkProcessOptions({ execArgv: [1] as unknown as string[] })).toThrow(TypeError);
    expect(() =>
      checkProcessOptions({ env: { A: 1 } as unknown as Record<string, string> }),
    ).toThrow(TypeError);
    expect(() => checkProcessOptions({ cwd: '' })).toThrow(RangeError);
    expect(() => checkProcessOptions({ stdio: 'pipe' as 'inherit' })).toThrow(RangeError);
    expect(() => checkProcessOptions({ maxOldGenerationSizeMb: 0 })).toThrow(RangeError);
    expect(() => checkProcessOptions({ maxOldGenerationSizeMb: Number.NaN })).toThrow(TypeError);
  });

  it('turns options into spawn settings: explicit flags, heap limit, stdio, the init in env', () => {
    const settings = processSpawnSettings(
      { execArgv: ['--no-warnings'], env: { ONLY: 'this' }, maxOldGenerationSizeMb: 64 },
      init,
    );
    expect(settings.execArgv).toStrictEqual(['--no-warnings', '--max-old-space-size=64']);
    expect(settings.serialization).toBe('advanced');
    expect(settings.stdio).toStrictEqual(['ignore', 'inherit', 'inherit', 'pipe', 'pipe', 'ipc']);
    expect(settings.forwardOutput).toBe(false);
    expect(Object.keys(settings.env).sort()).toStrictEqual([WORKER_INIT_ENV, 'ONLY'].sort());
    expect(processSpawnSettings({}, init).execArgv).toStrictEqual([]);
    expect(processSpawnSettings({ stdio: 'forward' }, init).stdio[1]).toBe('pipe');
    expect(processSpawnSettings({ stdio: 'ignore' }, init).stdio[2]).toBe('ignore');
  });

  it('hands the init over exactly (Infinity included) and removes it from the env', () => {
    const env: NodeJS.ProcessEnv = { [WORKER_INIT_ENV]: encodeWorkerInit(init), KEEP: '1' };
    expect(takeWorkerInit(env)).toStrictEqual(init);
    expect(env).toStrictEqual({ KEEP: '1' });
    expect(() => takeWorkerInit(env)).toThrow(/is not set/);
    expect(() => takeWorkerInit({ [WORKER_INIT_ENV]: encodeWorkerInit({} as never) })).toThrow(
      /does not hold/,
    );
  });
});
