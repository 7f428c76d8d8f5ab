/**
 * How many inputs each property test tries: fast-check's 100 by default, or FAST_CHECK_RUNS (say
 * 2000, to search longer before a release or to chase a failure). Every run draws new random
 * inputs, so each `npm test` explores inputs the last ones did not, and a failure prints the seed
 * and path that replay it.
 */
import fc from "fast-check";

const runs = Number(process.env.FAST_CHECK_RUNS);
fc.configureGlobal({ numRuns: Number.isInteger(runs) && runs > 0 ? runs : 100 });
