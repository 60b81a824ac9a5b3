import { AREAS } from './cases/index.js';
import { describeContract } from './support/contract.js';

// One mocha suite per area ("contract: worker protocol"); run one with --grep.
for (const [area, cases] of Object.entries(AREAS)) describeContract(area, cases);
