import type { Param, Statement, Store } from './store.ts';

/*
 * Work over raw statements written once as steps (a generator) that yield each statement they need run and
 * receive its result; runSteps awaits each on the store. Used by the coverage evaluation and recomputation
 * (decision 190: written so for callers then still inside synchronous transactions on the SQLite connection,
 * whose synchronous driver went with the last of them, decision 196).
 */

/** A raw statement steps need run, with its parameters. */
export interface Ask {
  how: 'rows' | 'row' | 'execute';
  statement: Statement<any, any>;
  params: Param[];
}
/** Steps that yield each statement to run, receive its rows (or changed count), and return T. */
export type Steps<T> = Generator<Ask, T, unknown>;

/** Within steps: every row `statement` returns (`yield* rows(…)`). */
export function* rows<Row, Params extends Param[]>(statement: Statement<Row, Params>, ...params: Params): Steps<Row[]> {
  return (yield { how: 'rows', statement, params }) as Row[];
}

/** Within steps: the first row `statement` returns, if any. */
export function* row<Row, Params extends Param[]>(
  statement: Statement<Row, Params>,
  ...params: Params
): Steps<Row | undefined> {
  return (yield { how: 'row', statement, params }) as Row | undefined;
}

/** Within steps: runs a statement that returns no rows. */
export function* execute<Params extends Param[]>(
  statement: Statement<unknown, Params>,
  ...params: Params
): Steps<void> {
  yield { how: 'execute', statement, params };
}

type Runner = (statement: Statement<any, any>, ...params: Param[]) => Promise<unknown>;

/** Runs steps on the store, each statement awaited in turn. */
export async function runSteps<T>(store: Store, steps: Steps<T>): Promise<T> {
  for (let next = steps.next(); ;) {
    if (next.done) return next.value;
    const { how, statement, params } = next.value;
    next = steps.next(await (store[how] as Runner)(statement, ...params));
  }
}
