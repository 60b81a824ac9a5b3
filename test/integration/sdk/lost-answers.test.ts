import { expect } from 'chai';
import { InterceptingCall, ListenerBuilder, RequesterBuilder, type Interceptor } from '@grpc/grpc-js';
import { ExecutionStatus } from '../../../src/gen/jobscheduler/v1/execution_pb.js';
import type { WorkResponse } from '../../../src/gen/jobscheduler/v1/worker_service_pb.js';
import { createWorker } from '../../../src/sdk/index.js';
import { startTestServer, type TestServer } from '../../support/test-server.js';
import { TcpProxy } from '../../support/tcp-proxy.js';
import { createOnceJob, executionsOf, uniqueType, waitFor, type LogEntry } from './sdk-fixtures.js';

/**
 * An outcome the server recorded whose answer the network lost. The SDK sends what is unanswered
 * again on its next session; the server used to refuse it ("already ended as succeeded"), and
 * the worker logged a refusal for an outcome that had been recorded. Now the repeat is answered
 * as accepted (the execution keeps the lease it ended under).
 */
describe('worker SDK: an outcome whose answer was lost (real server, a proxy that drops the answer)', () => {
  let server: TestServer;
  let proxy: TcpProxy;
  before(async () => {
    server = await startTestServer();
    proxy = await TcpProxy.start({ host: '127.0.0.1', port: Number(server.address.split(':').pop()) });
  });
  after(async () => {
    await proxy.stop();
    await server.stop();
  });

  it('is sent again after the reconnect and answered as recorded, with no refusal logged', async () => {
    const type = uniqueType('lost-answer');
    // Every outcome answer the worker receives, as [execution id, accepted].
    const answers: Array<[string, boolean]> = [];
    const recordAnswers: Interceptor = (options, nextCall) =>
      new InterceptingCall(
        nextCall(options),
        new RequesterBuilder()
          .withStart((metadata, _listener, next) =>
            next(
              metadata,
              new ListenerBuilder()
                .withOnReceiveMessage((message: WorkResponse, receive) => {
                  for (const result of message.results ?? []) answers.push([result.executionId, result.accepted]);
                  receive(message);
                })
                .build(),
            ),
          )
          .build(),
      );
    const log: LogEntry[] = [];
    const worker = createWorker({
      address: `127.0.0.1:${proxy.port}`,
      types: [type],
      channelOptions: { interceptors: [recordAnswers] },
      logger: (level, message, fields) => log.push({ level, message, fields }),
      handler: async () => {
        // The outcome still reaches the server; its answer does not reach the worker.
        proxy.holdReplies();
        return { n: 1 };
      },
    });
    try {
      const jobId = await createOnceJob(server, type);
      const [recorded] = await waitFor('the outcome to be recorded', async () => {
        const executions = await executionsOf(server, jobId);
        return executions[0]?.status === ExecutionStatus.SUCCEEDED ? executions : undefined;
      });
      expect(answers, 'the first answer was lost').to.deep.equal([]);
      proxy.cut();
      proxy.restore();
      await waitFor('the outcome sent again to be answered', () => (answers.length > 0 ? true : undefined));
      expect(answers).to.deep.equal([[recorded!.id, true]]);
      expect(log.filter((entry) => entry.message.includes('refused'))).to.deep.equal([]);
      expect((await executionsOf(server, jobId)).map((e) => [e.attempt, e.status, e.result])).to.deep.equal([[1, ExecutionStatus.SUCCEEDED, { n: 1 }]]);
    } finally {
      await worker.stop();
    }
  });
});
