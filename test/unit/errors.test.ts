// The README's error table and src/errors.ts must agree: every code documented with its HTTP
// status and retry advice, and nothing documented that the code does not have.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { errorCodes } from '../../src/errors.js';

const readme = readFileSync(new URL('../../../README.md', import.meta.url), 'utf8');

function documentedErrors(): Map<string, { status: number; retryable: boolean; summary: string }> {
  const section = /<!-- errors:start -->([\s\S]*?)<!-- errors:end -->/.exec(readme)?.[1];
  assert.ok(section, 'README.md has an errors section between markers');
  const rows = new Map<string, { status: number; retryable: boolean; summary: string }>();
  for (const line of section.split('\n')) {
    // Cells are padded by the formatter, so split and trim rather than match exact spacing.
    const [code, status, retry, summary] = line
      .split('|')
      .slice(1, -1)
      .map((cell) => cell.trim());
    const name = /^`(\w+)`$/.exec(code ?? '')?.[1];
    if (name && status && retry && summary) {
      rows.set(name, { status: Number(status), retryable: retry === 'yes', summary });
    }
  }
  return rows;
}

describe('error codes', () => {
  it('are documented in the README exactly as the code defines them', () => {
    const documented = documentedErrors();
    assert.deepEqual([...documented.keys()].sort(), Object.keys(errorCodes).sort());
    for (const [code, spec] of Object.entries(errorCodes)) {
      assert.deepEqual(documented.get(code), spec, code);
    }
  });

  it('answer 503 exactly when a retry can help', () => {
    for (const [code, spec] of Object.entries(errorCodes)) {
      assert.equal(spec.retryable, spec.status === 503, code);
    }
  });
});
