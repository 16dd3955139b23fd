// ListDeliveryStreams: the configured streams in alphabetical order, `Limit` at a time (1 to
// 10000, default 10), after `ExclusiveStartDeliveryStreamName` when given (any name: the list
// resumes after it in that order, whether or not it exists). Every Sluice stream is DirectPut:
// a filter on another DeliveryStreamType lists none. A key limited to some streams lists only
// those, as an IAM policy would show a caller only what it may use.
import { mayUse } from '../auth/keys.js';
import type { OperationHandler } from './context.js';
import { integerMember, optionalString, streamNameMember, Violations } from './validate.js';

const STREAM_TYPES = ['DirectPut', 'KinesisStreamAsSource', 'MSKAsSource', 'DatabaseAsSource'];

export const listDeliveryStreams: OperationHandler = async (ctx, caller, input) => {
  const violations = new Violations();
  const limit = integerMember(input, 'Limit', 'limit', violations, 1, 10000) ?? 10;
  const type = optionalString(input, 'DeliveryStreamType');
  if (type !== undefined && !STREAM_TYPES.includes(type)) {
    violations.add(
      'deliveryStreamType',
      type.slice(0, 100),
      `Member must satisfy enum value set: [${STREAM_TYPES.join(', ')}]`,
    );
  }
  const after = streamNameMember(
    input,
    'ExclusiveStartDeliveryStreamName',
    'exclusiveStartDeliveryStreamName',
    violations,
    false,
  );
  violations.check();
  const names =
    type === undefined || type === 'DirectPut'
      ? [...ctx.streams.keys()]
          .filter((name) => mayUse(caller, name) && (after === undefined || name > after))
          .sort()
      : [];
  return { DeliveryStreamNames: names.slice(0, limit), HasMoreDeliveryStreams: names.length > limit };
};
