import { expect } from 'chai';
import { serverOptions } from '../../../src/adapters/grpc/tls.js';

describe('gRPC server options', () => {
  it('keep the transport limits and turn channelz off (nothing reads it; it cost every call)', () => {
    const options = serverOptions({ maxReceiveBytes: 4_194_304, maxConcurrentStreams: 100 });
    expect(options).to.deep.equal({ 'grpc.max_receive_message_length': 4_194_304, 'grpc.max_concurrent_streams': 100, 'grpc.enable_channelz': 0 });
  });
});
