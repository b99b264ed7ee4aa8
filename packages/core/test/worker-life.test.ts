/**
 * The pure parts of the worker-life options (issue 12): their checks and defaults, the typed
 * `WorkerSetupOptions<M>` (a wrong name or argument list is a compile error), the wire check of
 * the new message fields, heap-growth medians, and the TypeScript-module flags and hint.
 */
import { describe, expect, expectTypeOf, it } from 'vitest';
import { HeapGrowthRecorder } from '../src/host/heap-stats.js';
import { resolveOptions } from '../src/host/options.js';
import { setupInit } from '../src/host/setup-options.js';
import type { WorkerSetupOptions } from '../src/host/types.js';
import {
  isTypeScriptModule,
  STRIP_TYPES_FLAG,
  typeScriptLoadHint,
  typeStrippingFlag,
} from '../src/host/typescript-modules.js';
import { NotCloneableError } from '../src/wire/errors.js';
import { BRAND, Outcome } from '../src/wire/protocol.js';
import { checkWorkerMessage } from '../src/wire/wire-check.js';

interface Tasks {
  connect(url: string, size: number): Promise<void>;
  warm(): void;
  maybe(level?: number): void;
  disconnect(): Promise<void>;
  square(n: number): number;
  readonly VERSION: string;
}

describe('WorkerSetupOptions<M>', () => {
  it('takes exported functions and initArgs that match the initializer', () => {
    const ok: WorkerSetupOptions<Tasks>[] = [
      {},
      { initializer: 'connect', initArgs: ['postgres://db', 4], teardown: 'disconnect' },
      { initializer: 'warm' },
      { initializer: 'warm', initArgs: [] },
      { initializer: 'maybe' },
      { initializer: 'maybe', initArgs: [2] },
      { teardown: 'disconnect' },
    ];
    expect(ok.length).toBe(7);
    expectTypeOf<{ initializer: 'connect'; initArgs: [string, number] }>().toMatchTypeOf<
      WorkerSetupOptions<Tasks>
    >();
  });

  it('refuses, at compile time, names that are not exported functions and wrong initArgs', () => {
    // @ts-expect-error: not an export
    const a: WorkerSetupOptions<Tasks> = { initializer: 'nope' };
    // @ts-expect-error: a constant, not a function
    const b: WorkerSetupOptions<Tasks> = { initializer: 'VERSION' };
    // @ts-expect-error: wrong argument types
    const c: WorkerSetupOptions<Tasks> = { initializer: 'connect', initArgs: [4, 'postgres://db'] };
    // @ts-expect-error: missing required arguments
    const d: WorkerSetupOptions<Tasks> = { initializer: 'connect' };
    // @ts-expect-error: too many arguments
    const e: WorkerSetupOptions<Tasks> = { initializer: 'warm', initArgs: [1] };
    // @ts-expect-error: initArgs without an initializer
    const f: WorkerSetupOptions<Tasks> = { initArgs: ['x'] };
    // @ts-expect-error: teardown must be an exported function
    const g: WorkerSetupOptions<Tasks> = { teardown: 'VERSION' };
    expect([a, b, c, d, e, f, g].length).toBe(7);
  });

  it('takes any names when the module type is unknown (an untyped executor)', () => {
    const loose: WorkerSetupOptions<unknown> = {
      initializer: 'x',
      initArgs: [1, 'two'],
      teardown: 'y',
    };
    expect(loose.initializer).toBe('x');
  });
});

describe('worker-life options', () => {
  it('fill in defaults: teardownTimeout 5 s, no memory limit, trackHeap on with a limit', () => {
    const none = resolveOptions({});
    expect(none.teardownTimeout).toBe(5_000);
    expect(none.recycleAtMemoryMb).toBe(Number.POSITIVE_INFINITY);
    expect(none.trackHeap).toBe(false);
    expect(resolveOptions({ recycleAtMemoryMb: 256 }).trackHeap).toBe(true);
    expect(resolveOptions({ recycleAtMemoryMb: 256, trackHeap: false }).trackHeap).toBe(false);
    expect(resolveOptions({ recycleAtMemoryMb: 0.5 }).recycleAtMemoryMb).toBe(0.5);
  });

  it('throw TypeError for wrong types, RangeError for bad values, NotCloneableError for initArgs', () => {
    expect(() => resolveOptions({ initializer: 1 })).toThrow(TypeError);
    expect(() => resolveOptions({ teardown: '' })).toThrow(TypeError);
    expect(() => resolveOptions({ initializer: 'a', initArgs: {} })).toThrow(TypeError);
    expect(() => resolveOptions({ initArgs: [] })).toThrow(/needs "initializer"/);
    expect(() => resolveOptions({ initializer: 'a', initArgs: [{ f: () => 1 }] })).toThrow(
      NotCloneableError,
    );
    try {
      resolveOptions({ initializer: 'a', initArgs: [1, { f: () => 1 }] });
    } catch (error) {
      expect((error as NotCloneableError).path).toBe('initArgs[1].f');
    }
    expect(() => resolveOptions({ teardownTimeout: 1.5 })).toThrow(RangeError);
    expect(() => resolveOptions({ teardownTimeout: 2 ** 31 })).toThrow(RangeError);
    expect(() => resolveOptions({ teardownTimeout: null })).toThrow(TypeError);
    expect(() => resolveOptions({ recycleAtMemoryMb: -1 })).toThrow(RangeError);
    expect(() => resolveOptions({ recycleAtMemoryMb: Number.NaN })).toThrow(TypeError);
    expect(() => resolveOptions({ trackHeap: 1 })).toThrow(TypeError);
  });

  it('reach the worker init only when set', () => {
    expect(setupInit(resolveOptions({}))).toStrictEqual({});
    expect(
      setupInit(
        resolveOptions({ initializer: 'a', initArgs: [1], teardown: 'b', recycleAtMemoryMb: 9 }),
      ),
    ).toStrictEqual({
      initializer: 'a',
      initArgs: [1],
      teardown: 'b',
      teardownTimeout: 5_000,
      trackHeap: true,
    });
  });
});

describe('wire check of the worker-life fields', () => {
  const results = (extra: Record<string, unknown>, result: unknown[] = [1, Outcome.Ok, 2, 0, 0]) =>
    checkWorkerMessage({ mh: BRAND, k: 'results', results: [result], ...extra });

  it('accepts a heap and a heap growth that are numbers', () => {
    expect(results({ heap: 1024 })).toBeDefined();
    expect(results({}, [1, Outcome.Ok, 2, 0, 0, undefined, -512])).toBeDefined();
    expect(
      checkWorkerMessage({
        mh: BRAND,
        k: 'load-error',
        error: { t: 'value', value: 1 },
        initializer: 'setUp',
      }),
    ).toBeDefined();
  });

  it('drops messages whose new fields are malformed', () => {
    expect(results({ heap: '1' })).toBeUndefined();
    expect(results({ heap: -1 })).toBeUndefined();
    expect(results({}, [1, Outcome.Ok, 2, 0, 0, undefined, 'x'])).toBeUndefined();
    expect(results({}, [1, Outcome.Ok, 2, 0, 0, undefined, Number.NaN])).toBeUndefined();
    expect(
      checkWorkerMessage({
        mh: BRAND,
        k: 'load-error',
        error: { t: 'value', value: 1 },
        initializer: 3,
      }),
    ).toBeUndefined();
  });
});

describe('HeapGrowthRecorder', () => {
  it('reports the median growth per call, a chunk divided by its items', () => {
    const recorder = new HeapGrowthRecorder();
    for (const bytes of [100, 300, 200, -50, 250]) recorder.record('steady', 1, bytes);
    recorder.record('chunked', 10, 10_000);
    recorder.record('chunked', 10, 30_000);
    const snapshot = recorder.snapshot();
    expect(snapshot.steady).toStrictEqual({ medianBytes: 200, calls: 5 });
    expect(snapshot.chunked).toStrictEqual({ medianBytes: 2_000, calls: 20 });
  });
});

describe('TypeScript task modules', () => {
  it('recognises .ts, .mts and .cts modules', () => {
    expect(isTypeScriptModule('file:///app/tasks.ts')).toBe(true);
    expect(isTypeScriptModule('file:///app/tasks.mts')).toBe(true);
    expect(isTypeScriptModule('file:///app/tasks.cts?v=1')).toBe(true);
    expect(isTypeScriptModule('file:///app/tasks.js')).toBe(false);
    expect(isTypeScriptModule('file:///app/tasks.d.ts.js')).toBe(false);
  });

  it('adds --experimental-strip-types only on Node 22.6 to 23.5, and only once', () => {
    const ts = 'file:///app/tasks.ts';
    expect(typeStrippingFlag(ts, [], '20.20.2')).toBeUndefined();
    expect(typeStrippingFlag(ts, [], '22.5.1')).toBeUndefined();
    expect(typeStrippingFlag(ts, [], '22.6.0')).toBe(STRIP_TYPES_FLAG);
    expect(typeStrippingFlag(ts, [], '23.5.0')).toBe(STRIP_TYPES_FLAG);
    expect(typeStrippingFlag(ts, [], '23.6.0')).toBeUndefined();
    expect(typeStrippingFlag(ts, [], '24.1.0')).toBeUndefined();
    expect(typeStrippingFlag(ts, [STRIP_TYPES_FLAG], '22.9.0')).toBeUndefined();
    expect(typeStrippingFlag('file:///app/tasks.js', [], '22.9.0')).toBeUndefined();
  });

  it('explains an "Unknown file extension" failure of a .ts module, and nothing else', () => {
    const unknownExtension = Object.assign(new TypeError('Unknown file extension ".ts"'), {
      code: 'ERR_UNKNOWN_FILE_EXTENSION',
    });
    const hint = typeScriptLoadHint('file:///app/tasks.ts', unknownExtension, '20.20.2');
    expect(hint).toContain('Node 20.20.2 cannot import a TypeScript task module');
    expect(hint).toContain('--import tsx');
    expect(hint).toContain('execArgv: process.execArgv');
    expect(typeScriptLoadHint('file:///app/tasks.js', unknownExtension)).toBeUndefined();
    expect(typeScriptLoadHint('file:///app/tasks.ts', new Error('boom'))).toBeUndefined();
  });
});
