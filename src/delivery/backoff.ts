// Exponential backoff with full jitter, capped: the shared retry schedule of every destination.
export interface BackoffPolicy {
  initialBackoffSeconds: number;
  maxBackoffSeconds: number;
}

/** Delay before retry number `attempt` (1 for the first retry), in milliseconds. */
export function backoffDelayMs(policy: BackoffPolicy, attempt: number, random = Math.random): number {
  const exponent = Math.min(Math.max(attempt - 1, 0), 30);
  const ceiling = Math.min(policy.initialBackoffSeconds * 2 ** exponent, policy.maxBackoffSeconds) * 1000;
  // Half fixed, half random: spreads retries of many batches without ever retrying at once.
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}
