// biome-ignore-all lint/suspicious/noTemplateCurlyInString: these tests are about literal ${VAR} references.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseDocument } from 'yaml';
import { expandEnv, readScalar, substituteEnv } from '../../../src/config/env.js';

describe('expandEnv', () => {
  const env = { HOST: 'db.local', EMPTY: '', PORT: '6380' };

  it('replaces ${VAR} with its value', () => {
    assert.deepEqual(expandEnv('${HOST}', env), { text: 'db.local', whole: true, errors: [] });
  });

  it('uses the default when the variable is unset or empty, and the value otherwise', () => {
    assert.equal(expandEnv('${NOPE:-fallback}', env).text, 'fallback');
    assert.equal(expandEnv('${EMPTY:-fallback}', env).text, 'fallback');
    assert.equal(expandEnv('${HOST:-fallback}', env).text, 'db.local');
    assert.equal(expandEnv('${NOPE:-}', env).text, '');
  });

  it('keeps a default that contains colons and slashes', () => {
    assert.equal(expandEnv('${NOPE:-redis://127.0.0.1:6379}', env).text, 'redis://127.0.0.1:6379');
  });

  it('accepts a set but empty variable without a default', () => {
    assert.deepEqual(expandEnv('${EMPTY}', env), { text: '', whole: true, errors: [] });
  });

  it('expands references embedded in a larger string, which is not a whole reference', () => {
    assert.deepEqual(expandEnv('redis://${HOST}:${PORT}/0', env), {
      text: 'redis://db.local:6380/0',
      whole: false,
      errors: [],
    });
  });

  it('turns $${ into a literal ${ and does not expand what follows', () => {
    assert.deepEqual(expandEnv('cost: $${HOST} and ${HOST}', env), {
      text: 'cost: ${HOST} and db.local',
      whole: false,
      errors: [],
    });
    assert.equal(expandEnv('$${HOST}', env).whole, false);
  });

  it('leaves text without references alone, including a lone $', () => {
    assert.deepEqual(expandEnv('price $5 {x}', env), { text: 'price $5 {x}', whole: false, errors: [] });
  });

  it('reports an unset variable without a default, naming it', () => {
    const result = expandEnv('a ${MISSING} b', env);
    assert.equal(result.errors.length, 1);
    assert.match(result.errors[0] ?? '', /environment variable MISSING is not set/);
    assert.equal(result.text, 'a ${MISSING} b');
  });

  it('reports malformed references', () => {
    for (const text of ['${HOST', '${1BAD}', '${HOST:default}', '${}']) {
      const result = expandEnv(text, env);
      assert.equal(result.errors.length, 1, text);
      assert.match(result.errors[0] ?? '', /bad environment reference/, text);
    }
  });
});

describe('readScalar', () => {
  it('reads numbers, booleans and null as YAML does', () => {
    assert.equal(readScalar('4573'), 4573);
    assert.equal(readScalar('0.5'), 0.5);
    assert.equal(readScalar('true'), true);
    assert.equal(readScalar('null'), null);
  });

  it('keeps anything that is not exactly one plain scalar as text', () => {
    for (const text of [
      '',
      'abc',
      ' 42',
      '42 # comment',
      "'42'",
      '{a: 1}',
      '- x',
      'a: b',
      '&x 1',
      '!!str 1',
    ]) {
      assert.equal(readScalar(text), text, text);
    }
  });
});

describe('substituteEnv', () => {
  const substitute = (yaml: string, env: Record<string, string>) => {
    const doc = parseDocument(yaml);
    const issues = substituteEnv(doc, env);
    return { value: doc.toJS() as unknown, issues };
  };

  it('coerces a plain scalar that is one whole reference, and keeps embedded ones as strings', () => {
    const { value, issues } = substitute(
      'port: ${PORT:-4573}\nflag: ${FLAG}\nurl: http://h:${PORT:-4573}/\nname: ${NAME}\n',
      { FLAG: 'true', NAME: 'clicks' },
    );
    assert.deepEqual(issues, []);
    assert.deepEqual(value, { port: 4573, flag: true, url: 'http://h:4573/', name: 'clicks' });
  });

  it('keeps a quoted whole reference a string', () => {
    const { value } = substitute('a: "${N}"\nb: \'${N}\'\n', { N: '0042' });
    assert.deepEqual(value, { a: '0042', b: '0042' });
  });

  it('does not substitute keys, and reaches into nested mappings and lists', () => {
    const { value } = substitute('${K}: ${V}\nlist:\n  - ${V}\n  - {x: "${V}"}\n', { K: 'key', V: 'v' });
    assert.deepEqual(value, { '${K}': 'v', list: ['v', { x: 'v' }] });
  });

  it('substitutes inside block scalars, which stay strings', () => {
    const { value } = substitute('text: |\n  port ${PORT}\n', { PORT: '1' });
    assert.deepEqual(value, { text: 'port 1\n' });
  });

  it('returns an issue with the path and node of an unset variable', () => {
    const { issues } = substitute('a:\n  list:\n    - ok\n    - ${MISSING}\n', {});
    assert.equal(issues.length, 1);
    assert.deepEqual(issues[0]?.path, ['a', 'list', 1]);
    assert.equal(issues[0]?.node.range?.[0], 'a:\n  list:\n    - ok\n    - '.length);
    assert.match(issues[0]?.message ?? '', /MISSING is not set/);
  });
});
