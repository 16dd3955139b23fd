import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RestartBudget } from '../../src/restart-budget.js';

describe('RestartBudget', () => {
  it('allows a number of deaths per minute, forgetting those older than a minute', () => {
    const budget = new RestartBudget(2);
    assert.equal(budget.allows(0), true);
    assert.equal(budget.allows(10_000), true);
    assert.equal(budget.allows(20_000), false, 'a third death within the minute');
    assert.equal(budget.recent, 3);
    // At 70 s the deaths at 0 and 10 s are past the minute: 20 s and 70 s remain.
    assert.equal(budget.allows(70_001), true);
    assert.equal(budget.recent, 2);
  });
});
