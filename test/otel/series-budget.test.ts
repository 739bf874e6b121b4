import { describe, expect, it } from 'vitest';
import { budgetFor, SeriesBudget } from '../../src/exporters/otel-series-budget.js';

describe('SeriesBudget', () => {
  it('is not exhausted while the same series repeat', () => {
    const b = new SeriesBudget(10, 40);
    for (let round = 0; round < 100; round++) for (let i = 0; i < 10; i++) b.note('open_fds', `k${i}`);
    expect(b.exhausted).toBe(false);
  });

  it('is exhausted once one more collection of new series could reach the limit', () => {
    const b = new SeriesBudget(10, 40);
    for (let i = 0; i < 29; i++) b.note('listener_processes', `port${i}`);
    expect(b.exhausted).toBe(false);
    b.note('listener_processes', 'port29');
    expect(b.exhausted).toBe(true);
  });

  it('counts each family on its own', () => {
    const b = new SeriesBudget(10, 40);
    for (let i = 0; i < 20; i++) {
      b.note('listener_processes', `a${i}`);
      b.note('processes', `b${i}`);
    }
    expect(b.exhausted).toBe(false);
  });

  it('refuses a limit one collection of churn could overflow before it is noticed', () => {
    expect(() => new SeriesBudget(10, 20)).toThrow(/twice/);
  });

  it('sizes the limit from --metrics.max-series', () => {
    expect(budgetFor(2000).limit).toBeGreaterThan(2 * 2000);
  });
});
