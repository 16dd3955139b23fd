// The producers' side of an exactly-once check: what happened to every attempt to put each
// record, so that what landed can be judged honestly.
//   acked    the put was answered with success: the record must land exactly once
//   refused  the answer said nothing was stored (4xx, BacklogFull, BufferUnavailable,
//            ShuttingDown, a connection that was never made): it must not land from that attempt
//   unknown  no answer (connection reset), or an answer that says the records may be stored
//            (OutcomeUnknown, NotReplicated): it may land, and a retry may make it land twice,
//            as with Firehose itself. Only such records may land more than once.
// A Redis crash with `appendfsync everysec` may lose acked records of its last moments (the
// documented loss window): records acked inside a declared window before a Redis kill and not
// delivered are counted apart, and only allowed when the caller allows that.

interface Attempts {
  acked: number;
  refused: number;
  unknown: number;
  lastAckedAt: number;
}

export interface Verdict {
  /** Records the producers made and tried to put. */
  sent: number;
  acked: number;
  /** Never acked, and every attempt was refused with a "not stored" answer. */
  refused: number;
  /** Never acked, and some attempt had an unknown outcome. */
  unknownOnly: number;
  /** Distinct records found at the destination. */
  delivered: number;
  /** Acked and not delivered, outside any loss window: must be 0. */
  lost: number;
  /** Acked inside a Redis loss window and not delivered. */
  lostInWindow: number;
  /** Delivered more than once although every attempt had a definite answer: must be 0. */
  duplicated: number;
  /** Delivered more than once after an attempt with an unknown outcome (at-least-once). */
  duplicatedAfterUnknown: number;
  /** Delivered although never acked and every attempt was refused: must be 0. */
  refusedButDelivered: number;
  /** Never acked, some attempt unknown, delivered (the unknown attempt did store it). */
  unknownDelivered: number;
  /** Delivered but never sent: must be 0. */
  phantom: number;
  /** A few IDs of each violation, for the report. */
  examples: Record<string, string[]>;
}

export class Ledger {
  private readonly records = new Map<string, Attempts>();

  private entry(id: string): Attempts {
    let attempts = this.records.get(id);
    if (!attempts) {
      attempts = { acked: 0, refused: 0, unknown: 0, lastAckedAt: 0 };
      this.records.set(id, attempts);
    }
    return attempts;
  }

  acked(ids: Iterable<string>, at = Date.now()): void {
    for (const id of ids) {
      const e = this.entry(id);
      e.acked += 1;
      e.lastAckedAt = at;
    }
  }

  refused(ids: Iterable<string>): void {
    for (const id of ids) this.entry(id).refused += 1;
  }

  unknown(ids: Iterable<string>): void {
    for (const id of ids) this.entry(id).unknown += 1;
  }

  isAcked(id: string): boolean {
    return (this.records.get(id)?.acked ?? 0) > 0;
  }

  get size(): number {
    return this.records.size;
  }

  ackedCount(): number {
    let n = 0;
    for (const e of this.records.values()) if (e.acked > 0) n += 1;
    return n;
  }

  /**
   * Judges `delivered` (record ID → times found at the destination). `lossWindows`: periods
   * (ms since epoch) in which acked records may have been lost to a Redis crash.
   */
  verify(delivered: ReadonlyMap<string, number>, lossWindows: readonly [number, number][] = []): Verdict {
    const v: Verdict = {
      sent: this.records.size,
      acked: 0,
      refused: 0,
      unknownOnly: 0,
      delivered: 0,
      lost: 0,
      lostInWindow: 0,
      duplicated: 0,
      duplicatedAfterUnknown: 0,
      refusedButDelivered: 0,
      unknownDelivered: 0,
      phantom: 0,
      examples: {},
    };
    const note = (kind: string, id: string): void => {
      const list = v.examples[kind] ?? [];
      v.examples[kind] = list;
      if (list.length < 5) list.push(id);
    };
    for (const [id, count] of delivered) {
      if (count > 0) v.delivered += 1;
      if (!this.records.has(id)) {
        v.phantom += 1;
        note('phantom', id);
      }
    }
    for (const [id, e] of this.records) {
      const count = delivered.get(id) ?? 0;
      if (e.acked > 0) {
        v.acked += 1;
        if (count === 0) {
          const inWindow = lossWindows.some(([from, to]) => e.lastAckedAt >= from && e.lastAckedAt <= to);
          if (inWindow) v.lostInWindow += 1;
          else {
            v.lost += 1;
            note('lost', id);
          }
        }
      } else if (e.unknown > 0) {
        v.unknownOnly += 1;
        if (count > 0) v.unknownDelivered += 1;
      } else {
        v.refused += 1;
        if (count > 0) {
          v.refusedButDelivered += 1;
          note('refusedButDelivered', id);
        }
      }
      if (count > 1) {
        if (e.unknown > 0 || e.acked > 1) v.duplicatedAfterUnknown += 1;
        else {
          v.duplicated += 1;
          note('duplicated', id);
        }
      }
    }
    return v;
  }
}

/** True when the verdict shows no loss (outside allowed windows) and no unexplained duplicate. */
export function exactlyOnce(v: Verdict, allowWindowLoss: boolean): boolean {
  return (
    v.lost === 0 &&
    v.duplicated === 0 &&
    v.refusedButDelivered === 0 &&
    v.phantom === 0 &&
    (allowWindowLoss || v.lostInWindow === 0)
  );
}
