import { create, toBinary, type DescMessage, type MessageInitShape, type MessageShape } from '@bufbuild/protobuf';
import { EncodedMessage } from '../service-definition.js';

/**
 * The largest message a gRPC client accepts unless its owner configured more: the default of
 * grpc.max_receive_message_length in grpc-js, grpc-go, grpc-java and the C core (grpcurl and
 * buf curl included). A larger response fails on the client with RESOURCE_EXHAUSTED, after the
 * service has done the work, so responses that carry payloads are kept within it.
 */
export const CLIENT_MAX_RECEIVE_BYTES = 4 * 1024 * 1024;

/**
 * The most the service adds to a job as a client sent it when it answers with the job: its id,
 * state, version and counters, four timestamps, the defaults filled in (retry policy, attempt
 * timeout, catch-up, each dependency's condition) and, with tracing on, its trace parent (58
 * bytes). Measured at 117 to 171 bytes without the trace parent; a test holds every kind of job
 * to it.
 */
export const JOB_FIELDS_ADDED_BYTES = 256;

/** Room left beside a page's items for its page token and counts. */
const PAGE_FIELDS_BYTES = 1024;

/** A message encoded now, to know its size; sent as those bytes. */
export class EncodedNow<Desc extends DescMessage> extends EncodedMessage<Desc> {
  constructor(
    message: MessageShape<Desc>,
    readonly bytes: Uint8Array,
  ) {
    super(message, () => bytes);
  }
}

export function encoded<Desc extends DescMessage>(schema: Desc, init: MessageInitShape<Desc>): EncodedNow<Desc> {
  const message = create(schema, init);
  return new EncodedNow(message, toBinary(schema, message));
}

/**
 * A page of a list RPC as a client accepts it. `pageOf(count)` is the response holding the first
 * `count` items, its page token pointing after the last of them. The whole page goes out when it
 * fits; a larger one is cut after as many items as fit (at least one), and the client reads on
 * with the token as with any page. Nothing is measured unless the whole page is too large, and
 * nothing at all for JSON over HTTP, whose clients set no such limit.
 */
export function pageWithin<Desc extends DescMessage, Item extends DescMessage>(
  schema: Desc,
  itemSchema: Item,
  items: readonly MessageShape<Item>[],
  pageOf: (count: number) => MessageInitShape<Desc>,
  maxBytes = CLIENT_MAX_RECEIVE_BYTES,
): EncodedMessage<Desc> {
  const whole = create(schema, pageOf(items.length));
  return new EncodedMessage(whole, () => {
    const bytes = toBinary(schema, whole);
    if (bytes.length <= maxBytes || items.length <= 1) return bytes;
    const [first = []] = runsWithin(items, (item) => framedBytes(itemSchema, item), maxBytes, PAGE_FIELDS_BYTES);
    return toBinary(schema, create(schema, pageOf(Math.max(1, first.length))));
  });
}

/**
 * The row a page of the first `count` of `rows` continues after, for its page token: the page's
 * own `next` when it was not cut (undefined when nothing follows), else the last row it kept.
 */
export function continuesAfter<T>(rows: readonly T[], count: number, next: T | undefined): T | undefined {
  return count === rows.length ? next : rows[count - 1];
}

/**
 * What one message adds as an element of a repeated field: its encoding, plus the tag and length
 * that frame it (every repeated field of our responses that this measures is numbered below 16,
 * so its tag is one byte).
 */
export function framedBytes<Desc extends DescMessage>(schema: Desc, message: MessageShape<Desc>): number {
  const length = toBinary(schema, message).length;
  return 1 + varintBytes(length) + length;
}

/**
 * Splits `items`, in order, into runs whose sizes add up to at most `maxBytes`; `firstUsed` bytes
 * of the first run are already taken (by what else its message carries). A single item larger
 * than the limit still gets a run of its own: splitting cannot make it smaller, and leaving it
 * out would strand it.
 */
export function runsWithin<T>(items: readonly T[], sizeOf: (item: T) => number, maxBytes: number, firstUsed = 0): T[][] {
  const runs: T[][] = [[]];
  let used = firstUsed;
  for (const item of items) {
    const size = sizeOf(item);
    let run = runs[runs.length - 1]!;
    if (used + size > maxBytes && (run.length > 0 || used > 0)) {
      run = [];
      runs.push(run);
      used = 0;
    }
    run.push(item);
    used += size;
  }
  return runs;
}

function varintBytes(value: number): number {
  let bytes = 1;
  while (value >= 0x80) {
    value = Math.floor(value / 0x80);
    bytes += 1;
  }
  return bytes;
}
