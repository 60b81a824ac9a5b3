import { MemoryStore } from '../../../src/adapters/memory/memory-store.js';
import { describeStoreConformance } from './store-conformance.js';

describeStoreConformance('MemoryStore', async () => ({ store: new MemoryStore(), close: async () => undefined }));
