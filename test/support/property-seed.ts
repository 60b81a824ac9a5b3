/** The seed every fast-check property of `npm test` draws from (fixed-seeds.ts sets it). */
export const PROPERTY_SEED = 20_261_204;
