/**
 * Seeds that broke an invariant once (each a bug report, see the comment on each), run by the CI test on
 * top of its range of seeds. Replay one with `npm run sim -- --seed <n> --verbose`.
 */
export const REGRESSION_SEEDS: readonly number[] = Object.freeze([]);
