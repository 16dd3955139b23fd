// Dynamic partitioning: groups a batch's records by their partition keys, one group per
// distinct evaluated prefix, as Firehose does. Keys come from JSON paths (`partitioning.keys`,
// used as !{partitionKeyFromQuery:name}) and from the transform's metadata.partitionKeys
// (!{partitionKeyFromLambda:name}). Records whose keys cannot be had, or that would open a
// partition past the limit, fail to the error output instead of landing in a wrong place.
import type { PartitionKeys, PrefixTemplate } from '../delivery/prefix.js';
import { failedOnce, type OutputRecord, type RecordFailure } from '../processing/records.js';
import { keyAt, type PathSegment, parseJsonPath } from './json-path.js';

export interface Partition {
  /** Stable identity of the partition within the batch: its key values. */
  id: string;
  keys: PartitionKeys;
  records: OutputRecord[];
}

export class Partitioner {
  private readonly queries: [string, PathSegment[]][];

  constructor(
    private readonly template: PrefixTemplate,
    queryPaths: Readonly<Record<string, string>>,
    private readonly maxActivePartitions: number,
  ) {
    this.queries = template.queryKeys.map((name) => [name, parseJsonPath(queryPaths[name] as string)]);
  }

  /** Collects the batch's records by partition (in memory: partitioned batches are held whole). */
  async group(pages: AsyncIterable<OutputRecord[]>, failures: RecordFailure[]): Promise<Partition[]> {
    const partitions = new Map<string, Partition>();
    for await (const page of pages) {
      for (const record of page) {
        const keys = this.keysOf(record, failures);
        if (!keys) continue;
        const id = JSON.stringify([keys.query, keys.lambda]);
        let partition = partitions.get(id);
        if (!partition) {
          if (partitions.size >= this.maxActivePartitions) {
            failures.push(
              failure(
                record,
                'DynamicPartitioning.ActivePartitionExceeded',
                `the batch already has ${this.maxActivePartitions} partitions (partitioning.maxActivePartitions)`,
              ),
            );
            continue;
          }
          partition = { id, keys, records: [] };
          partitions.set(id, partition);
        }
        partition.records.push(record);
      }
    }
    return [...partitions.values()];
  }

  private keysOf(record: OutputRecord, failures: RecordFailure[]): PartitionKeys | undefined {
    const query: Record<string, string> = {};
    if (this.queries.length > 0) {
      let document: unknown;
      try {
        document = JSON.parse(record.data.toString('utf8'));
      } catch {
        failures.push(
          failure(
            record,
            'DynamicPartitioning.InvalidJson',
            'the record is not JSON, so its partition keys cannot be read',
          ),
        );
        return undefined;
      }
      for (const [name, path] of this.queries) {
        const value = keyAt(document, path);
        if (value === undefined) {
          failures.push(
            failure(
              record,
              'DynamicPartitioning.MissingPartitionKey',
              `partition key "${name}" has no string, number or boolean value`,
            ),
          );
          return undefined;
        }
        query[name] = value;
      }
    }
    const lambda: Record<string, string> = {};
    for (const name of this.template.lambdaKeys) {
      const value = record.partitionKeys?.[name];
      if (value === undefined) {
        failures.push(
          failure(
            record,
            'DynamicPartitioning.MissingPartitionKey',
            `the transform returned no partition key "${name}"`,
          ),
        );
        return undefined;
      }
      lambda[name] = value;
    }
    return { query, lambda };
  }
}

function failure(record: OutputRecord, errorCode: string, errorMessage: string): RecordFailure {
  return failedOnce('partitioning-failed', record, errorCode, errorMessage);
}
