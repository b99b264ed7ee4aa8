/**
 * fast-check arbitraries of hostile-value recipes (see `fixtures/hostile-values.ts`). fast-check
 * inspects the values it generates, so it generates plain recipes and the test (or the task, in
 * a worker) builds the hostile value from them.
 */
import fc from 'fast-check';
import type {
  ErrorRecipe,
  ProxyTrapName,
  ThrowingPart,
  ThrownRecipe,
  ValueRecipe,
} from './fixtures/hostile-values.js';

/** Names worth trying for an error: Object.prototype keys, our own class names, anything. */
export const errorNameArbitrary: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(
    ...Object.getOwnPropertyNames(Object.prototype),
    'Error',
    'TypeError',
    'AggregateError',
    'ManyhandsError',
    'TaskTimeoutError',
    'prototype',
    'then',
    '',
  ),
  fc.string(),
);

const traps: readonly ProxyTrapName[] = [
  'get',
  'ownKeys',
  'getPrototypeOf',
  'has',
  'getOwnPropertyDescriptor',
];

/** Recipes of values with hostile parts at random depths. */
export const valueRecipeArbitrary: fc.Arbitrary<ValueRecipe> = fc.letrec<{ value: ValueRecipe }>(
  (tie) => ({
    value: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      fc
        .anything({ withBigInt: true, withDate: true, withMap: true, withSet: true })
        .map((v): ValueRecipe => ({ k: 'plain', v })),
      fc.constant<ValueRecipe>({ k: 'fn' }),
      fc.constant<ValueRecipe>({ k: 'symbol' }),
      fc.array(tie('value'), { maxLength: 3 }).map((items): ValueRecipe => ({ k: 'array', items })),
      fc
        .array(fc.tuple(fc.string(), tie('value')), { maxLength: 3 })
        .map((entries): ValueRecipe => ({ k: 'object', entries })),
      fc
        .tuple(fc.string(), tie('value'))
        .map(([key, inner]): ValueRecipe => ({ k: 'getter', key, inner })),
      fc
        .tuple(fc.constantFrom(...traps), tie('value'))
        .map(([trap, inner]): ValueRecipe => ({ k: 'proxy', trap, inner })),
      tie('value').map((inner): ValueRecipe => ({ k: 'cycle', inner })),
      tie('value').map((inner): ValueRecipe => ({ k: 'map', inner })),
    ),
  }),
).value;

const parts: readonly ThrowingPart[] = ['message', 'stack', 'name', 'constructor', 'cause', 'prop'];

/** Recipes of errors with any name, throwing accessors, deep causes and cause cycles. */
export const errorRecipeArbitrary: fc.Arbitrary<ErrorRecipe> = fc.letrec<{ error: ErrorRecipe }>(
  (tie) => ({
    error: fc.record(
      {
        name: errorNameArbitrary,
        message: fc.string(),
        messageValue: valueRecipeArbitrary,
        throwing: fc.subarray([...parts]),
        props: fc.array(fc.tuple(fc.string(), valueRecipeArbitrary), { maxLength: 3 }),
        cause: fc.oneof(
          { depthSize: 'small' },
          tie('error'),
          fc.record({ value: valueRecipeArbitrary }),
        ),
        aggregate: fc.boolean(),
        cycle: fc.boolean(),
      },
      { requiredKeys: ['name', 'message', 'throwing', 'props', 'aggregate', 'cycle'] },
    ),
  }),
).error;

/** Recipes of anything a task may throw. */
export const thrownRecipeArbitrary: fc.Arbitrary<ThrownRecipe> = fc.oneof(
  errorRecipeArbitrary.map((error): ThrownRecipe => ({ error })),
  valueRecipeArbitrary.map((value): ThrownRecipe => ({ value })),
);
