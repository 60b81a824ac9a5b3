import fc from 'fast-check';
import { PROPERTY_SEED } from './property-seed.js';

/**
 * Loaded before every test file (.mocharc.json): the property tests replay the same inputs on
 * every run, so the suite is deterministic. FAST_CHECK_SEED=<n> explores other inputs in a long
 * run; a failure prints the seed and path that replay it, and the input becomes a case of its own.
 */
const chosen = process.env.FAST_CHECK_SEED;
fc.configureGlobal({ ...fc.readConfigureGlobal(), seed: chosen === undefined || chosen === '' ? PROPERTY_SEED : Number(chosen) });
