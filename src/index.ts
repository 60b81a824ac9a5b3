// The service package's public surface is the client package's: src/client/index.ts (shipped as
// @jobscheduler/client from packages/client) is the one list of what a consumer may import.
export * from './client/index.js';
