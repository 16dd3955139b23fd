import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { PrefixError, PrefixTemplate } from '../../../src/delivery/prefix.js';

const at = Date.UTC(2026, 10, 6, 7, 8, 9, 45); // 2026-11-06T07:08:09.045Z

function render(prefix: string, seed = 'seed') {
  return PrefixTemplate.parse(prefix).render({ timeMs: at, seed });
}

describe('prefix expressions', () => {
  it("appends Firehose's default time layout when there is no timestamp expression", () => {
    assert.equal(render(''), '2026/11/06/07/');
    assert.equal(render('clicks/'), 'clicks/2026/11/06/07/');
    assert.equal(render('legacy'), 'legacy2026/11/06/07/', 'literal concatenation, as Firehose does');
  });

  it('formats timestamp patterns in UTC, with quoted literals', () => {
    assert.equal(render('logs/!{timestamp:yyyy}/!{timestamp:MM}/!{timestamp:dd}/'), 'logs/2026/11/06/');
    assert.equal(render("!{timestamp:'year='yyyy'/month='MM}/"), 'year=2026/month=11/');
    assert.equal(render('!{timestamp:yy-M-d H:mm:ss.SSS}'), '26-11-6 7:08:09.045');
    assert.equal(render("!{timestamp:''yyyy''}"), "'2026'");
  });

  it('derives random strings from the seed, so a retry renders the same prefix', () => {
    const a = render('x/!{firehose:random-string}/!{firehose:random-string}/', 'batch-1');
    assert.match(a, /^x\/[a-z0-9]{11}\/[a-z0-9]{11}\/2026\/11\/06\/07\/$/);
    assert.equal(render('x/!{firehose:random-string}/!{firehose:random-string}/', 'batch-1'), a);
    assert.notEqual(
      render('x/!{firehose:random-string}/', 'batch-2'),
      render('x/!{firehose:random-string}/', 'batch-1'),
    );
    const [, first, second] = a.split('/');
    assert.notEqual(first, second, 'two expressions in one prefix differ');
  });

  it('renders partition keys from the query and from the transform', () => {
    const template = PrefixTemplate.parse(
      'customer=!{partitionKeyFromQuery:customer}/type=!{partitionKeyFromLambda:type}/',
    );
    assert.deepEqual(template.queryKeys, ['customer']);
    assert.deepEqual(template.lambdaKeys, ['type']);
    assert.equal(template.partitioned, true);
    assert.equal(
      template.render({
        timeMs: at,
        seed: 's',
        partitionKeys: { query: { customer: '42' }, lambda: { type: 'click' } },
      }),
      'customer=42/type=click/2026/11/06/07/',
    );
    assert.throws(() => template.render({ timeMs: at, seed: 's' }), /missing/);
    assert.equal(PrefixTemplate.parse('x/').partitioned, false);
  });

  it('renders error prefixes with the error output type, appending it when absent', () => {
    const at2 = { timeMs: at, seed: 's', errorOutputType: 'processing-failed' as const };
    assert.equal(
      PrefixTemplate.parse('errors/', 'error').render(at2),
      'errors/processing-failed/2026/11/06/07/',
    );
    assert.equal(
      PrefixTemplate.parse('e/!{firehose:error-output-type}/!{timestamp:yyyy}/', 'error').render(at2),
      'e/processing-failed/2026/',
    );
  });

  it('rejects what it cannot evaluate, with a reason', () => {
    assert.throws(
      () => PrefixTemplate.parse('a/!{timestamp:yyyy'),
      (e) => e instanceof PrefixError && /unclosed/.test(e.message),
    );
    assert.throws(() => PrefixTemplate.parse('!{timestamp:}'), /needs a pattern/);
    assert.throws(() => PrefixTemplate.parse('!{timestamp:EEE}'), /letter "E" is not supported/);
    assert.throws(() => PrefixTemplate.parse("!{timestamp:'open}"), /unclosed quote/);
    assert.throws(
      () => PrefixTemplate.parse('!{firehose:error-output-type}/'),
      /only allowed in an error output prefix/,
    );
    assert.throws(() => PrefixTemplate.parse('!{partitionKeyFromQuery:a b}/'), /key name/);
    assert.throws(
      () => PrefixTemplate.parse('!{partitionKeyFromQuery:c}/', 'error'),
      /not allowed in an error output prefix/,
    );
    assert.throws(() => PrefixTemplate.parse('!{whatever}'), /unknown expression/);
  });
});
