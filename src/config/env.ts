// Environment substitution in the config: `${VAR}`, `${VAR:-default}`, and `$${` for a literal
// `${`. It runs on the parsed YAML document rather than on the raw text, so that line numbers
// stay true, a value can never inject YAML structure, and keys and comments are left alone.
import { type Document, isMap, isPair, isScalar, isSeq, type Node, parseDocument, type Scalar } from 'yaml';

/** The variables to read, e.g. `process.env`. */
export type Env = Readonly<Record<string, string | undefined>>;

/** A segment of a path into the document: a mapping key or a sequence index. */
export type PathSegment = string | number;

/** The result of expanding one string. */
export interface Expansion {
  /** The text with every reference replaced (references that failed are left as written). */
  text: string;
  /** The text was exactly one `${...}` reference, so its value may be read as a number or boolean. */
  whole: boolean;
  /** One message per reference that could not be expanded. */
  errors: string[];
}

/** A reference that could not be expanded, at the scalar that holds it. */
export interface EnvIssue {
  path: PathSegment[];
  node: Scalar;
  message: string;
}

// `$${` (escape), a well-formed reference, or any other `${` (malformed, reported). A default
// runs to the first `}`: nested references in defaults are not supported.
const REFERENCE = /\$\$\{|\$\{([A-Za-z_][A-Za-z0-9_]*)(:-([^}]*))?\}|\$\{/g;
const WHOLE_REFERENCE = /^\$\{[A-Za-z_][A-Za-z0-9_]*(:-[^}]*)?\}$/;

/** Expands the references in one string. Never throws: failures come back in `errors`. */
export function expandEnv(text: string, env: Env): Expansion {
  const errors: string[] = [];
  const expanded = text.replace(
    REFERENCE,
    (
      match: string,
      name: string | undefined,
      hasDefault: string | undefined,
      fallback: string | undefined,
      offset: number,
    ) => {
      if (match === '$${') return '${';
      if (name === undefined) {
        const end = text.indexOf('}', offset);
        const snippet = text.slice(offset, end === -1 ? undefined : end + 1).slice(0, 40);
        errors.push(
          `bad environment reference "${snippet}"; write \${NAME} or \${NAME:-default}, or $\${ for a literal \${`,
        );
        return match;
      }
      const value = env[name];
      // Shell semantics: `:-` replaces an unset or empty variable; a bare reference accepts empty.
      if (hasDefault !== undefined) return value === undefined || value === '' ? (fallback ?? '') : value;
      if (value === undefined) {
        errors.push(
          `environment variable ${name} is not set (write \${${name}:-default} to give it a default)`,
        );
        return match;
      }
      return value;
    },
  );
  return { text: expanded, whole: WHOLE_REFERENCE.test(text), errors };
}

/**
 * Reads a substituted value the way YAML would have read it as a plain scalar, so that
 * `port: ${PORT:-4573}` gives the number 4573. Anything that is not exactly one plain scalar
 * (a comment, a quote, a flow collection, an empty string) stays the string it is.
 */
export function readScalar(text: string): unknown {
  if (text === '') return text;
  const doc = parseDocument(text);
  const node = doc.contents;
  if (doc.errors.length > 0 || !isScalar(node) || node.type !== 'PLAIN') return text;
  if (node.range?.[0] !== 0 || node.range[1] !== text.length || node.comment || node.anchor || node.tag)
    return text;
  return node.value;
}

/**
 * Substitutes references in every string scalar value of `doc`, in place. Plain scalars that
 * are one whole reference are re-read as YAML scalars; quoted ones stay strings, which is how a
 * user keeps `"${ID}"` a string when ID is all digits. Aliases are skipped: the anchored node is
 * substituted where it is defined.
 */
export function substituteEnv(doc: Document, env: Env): EnvIssue[] {
  const issues: EnvIssue[] = [];
  const visit = (node: unknown, path: PathSegment[]): void => {
    if (isMap(node)) {
      for (const pair of node.items) {
        if (!isPair(pair)) continue;
        const key = isScalar(pair.key) ? String(pair.key.value) : '?';
        visit(pair.value, [...path, key]);
      }
    } else if (isSeq(node)) {
      node.items.forEach((item, index) => {
        visit(item, [...path, index]);
      });
    } else if (isScalar(node) && typeof node.value === 'string' && node.value.includes('${')) {
      const expansion = expandEnv(node.value, env);
      for (const message of expansion.errors) issues.push({ path, node, message });
      if (expansion.errors.length > 0) return;
      node.value = expansion.whole && node.type === 'PLAIN' ? readScalar(expansion.text) : expansion.text;
    }
  };
  visit(doc.contents as Node | null, []);
  return issues;
}
