import type { ServiceError } from '@grpc/grpc-js';
import type { WorkerClient } from '../../src/adapters/grpc/client/index.js';
import type { WorkRequest, WorkResponse } from '../../src/gen/jobscheduler/v1/worker_service_pb.js';
import type { MessageInitShape } from '@bufbuild/protobuf';
import type { WorkRequestSchema } from '../../src/gen/jobscheduler/v1/worker_service_pb.js';

type Stream = ReturnType<WorkerClient['work']>;

/** A Work stream opened by a test, and everything it has received so far. */
export class WorkSession {
  readonly received: WorkResponse[] = [];
  /** Resolves when the stream ends: undefined when it ended well, else its error. */
  readonly ended: Promise<ServiceError | undefined>;

  constructor(readonly stream: Stream) {
    this.ended = (async () => {
      try {
        for await (const message of stream) this.received.push(message);
        return undefined;
      } catch (error) {
        return error as ServiceError;
      }
    })();
  }

  /** Opens a stream and sends its first message. */
  static async open(client: WorkerClient, first: MessageInitShape<typeof WorkRequestSchema>): Promise<WorkSession> {
    const session = new WorkSession(client.work());
    await session.stream.send(first);
    return session;
  }

  send(message: MessageInitShape<typeof WorkRequestSchema> | WorkRequest): Promise<void> {
    return this.stream.send(message);
  }

  /** Half-closes and waits for the server to end the stream. */
  async close(): Promise<ServiceError | undefined> {
    this.stream.end();
    return this.ended;
  }

  get executions() {
    return this.received.flatMap((m) => m.executions);
  }

  get results() {
    return this.received.flatMap((m) => m.results);
  }

  get lost() {
    return this.received.flatMap((m) => m.lost);
  }
}
