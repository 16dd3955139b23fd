// The subset of jq paths that partition keys accept: `.field`, `.a.b.c`, `.items[0]`,
// `.["any key"]` and their combinations. Enough for Firehose's MetadataExtraction queries of
// the form `{ key: .path }`, without a jq engine in the hot path.

export type PathSegment = string | number;

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*/;

export function parseJsonPath(path: string): PathSegment[] {
  if (!path.startsWith('.'))
    throw new Error(`"${path}" must start with "." (a jq path such as .customer_id)`);
  const segments: PathSegment[] = [];
  let rest = path;
  while (rest.length > 0) {
    if (rest.startsWith('.')) {
      rest = rest.slice(1);
      const name = IDENTIFIER.exec(rest)?.[0];
      if (name) {
        segments.push(name);
        rest = rest.slice(name.length);
      } else if (!rest.startsWith('[')) {
        throw new Error(`"${path}": expected a field name or [ after "."`);
      }
    } else if (rest.startsWith('[')) {
      const close = rest.indexOf(']');
      if (close === -1) throw new Error(`"${path}": unclosed [`);
      const inside = rest.slice(1, close).trim();
      if (/^\d+$/.test(inside)) {
        segments.push(Number(inside));
      } else if (/^"(?:[^"\\]|\\.)*"$/.test(inside)) {
        segments.push(JSON.parse(inside) as string);
      } else {
        throw new Error(`"${path}": [${inside}] must hold an array index or a quoted key`);
      }
      rest = rest.slice(close + 1);
    } else {
      throw new Error(`"${path}": unexpected "${rest[0]}"; only paths like .a.b[0] are supported`);
    }
  }
  if (segments.length === 0) throw new Error(`"${path}" names no field`);
  return segments;
}

/**
 * The value at `segments` as a partition key: strings as they are, numbers and booleans as
 * their JSON text; undefined when missing, null, or not a scalar (an object is no key).
 */
export function keyAt(document: unknown, segments: readonly PathSegment[]): string | undefined {
  let value: unknown = document;
  for (const segment of segments) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<PathSegment, unknown>)[segment];
  }
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return undefined;
}
