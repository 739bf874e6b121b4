/** The tunables: durations derived from them stay valid, overrides merge, mistakes are refused. */
import { describe, expect, it } from 'vitest';
import { formatDuration, parseDuration } from '../../alerts/src/duration.js';
import { newListenerExpr } from '../../alerts/src/groups/listeners.js';
import { renderHistoryRuleFile, renderRuleFile } from '../../alerts/src/render.js';
import { DEFAULT_TUNABLES, withOverrides, type TunablesOverrides } from '../../alerts/src/tunables.js';

describe('durations', () => {
  it.each([
    ['7d', 604_800],
    ['1d1h', 90_000],
    ['90m', 5_400],
    ['0s', 0],
  ])('parses %s as %i seconds', (text, seconds) => {
    expect(parseDuration(text)).toBe(seconds);
  });

  it('formats seconds with the largest units first', () => {
    expect(formatDuration(6 * 86_400)).toBe('6d');
    expect(formatDuration(90_000 + 30)).toBe('1d1h30s');
    expect(formatDuration(0)).toBe('0s');
  });

  it('refuses what Prometheus would not parse', () => {
    expect(() => parseDuration('')).toThrow(/not a duration/);
    expect(() => parseDuration('1w')).toThrow(/not a duration/);
    expect(() => parseDuration('1.5h')).toThrow(/not a duration/);
  });
});

describe('tunables', () => {
  it('merges overrides one level deep, keeping the other defaults', () => {
    const t = withOverrides({ newListener: { lookback: '14d' }, serviceAccount: { users: ['tomcat'] } });
    expect(t.newListener).toEqual({ ...DEFAULT_TUNABLES.newListener, lookback: '14d' });
    expect(t.serviceAccount).toEqual({ ...DEFAULT_TUNABLES.serviceAccount, users: ['tomcat'] });
    expect(renderRuleFile(t)).toContain('lsof_listener_processes{user=~"tomcat"}');
  });

  it('names the recorded history after its ranges and offsets, and reads it over two history intervals', () => {
    const t = withOverrides({ newListener: { historyInterval: '30m' } });
    expect(renderHistoryRuleFile(t)).toContain('interval: 30m');
    expect(renderHistoryRuleFile(t)).toContain('record: listener:lsof_listener_processes:present_over_time1h\n');
    expect(renderHistoryRuleFile(t)).toContain('present_over_time(listener:lsof_listener_processes:present_over_time1h[7d] offset 1h)');
    expect(renderRuleFile(t)).toContain('present_over_time(listener:lsof_listener_processes:present_over_time7d_offset1h[1h])');
    expect(renderRuleFile(withOverrides({ newListener: { lookback: '14d' } }))).toContain(
      'present_over_time(listener:lsof_listener_processes:present_over_time14d_offset1h[2h])',
    );
  });

  it('refuses an unknown tunable', () => {
    expect(() => withOverrides({ lookback: '1d' } as unknown as TunablesOverrides)).toThrow(/unknown tunable: lookback/);
  });

  it('derives the instance-history guard from lookback, recent and minimum history', () => {
    const n = { lookback: '10m', recent: '20s', minInstanceHistory: '10s', for: '0s', historyInterval: '2s' };
    expect(newListenerExpr(n, '1h')).toContain('present_over_time(instance:lsof_exporter_build_info:present_over_time9m50s_offset30s[4s])');
    expect(renderHistoryRuleFile(withOverrides({ newListener: n }))).toContain(
      'group by (instance, job) (present_over_time(instance:lsof_exporter_build_info:present_over_time4s[9m50s] offset 30s))',
    );
    expect(() => newListenerExpr({ ...DEFAULT_TUNABLES.newListener, minInstanceHistory: '7d' }, '1h')).toThrow(/shorter than/);
    expect(() => newListenerExpr({ ...DEFAULT_TUNABLES.newListener, historyInterval: '1d' }, '1h')).toThrow(/historyInterval must be shorter/);
  });

  it('escapes service account names for the regex and the PromQL string', () => {
    expect(renderRuleFile(withOverrides({ serviceAccount: { users: ['web.app', 'a"b'] } }))).toContain('user=~"web\\\\.app|a\\"b"');
  });
});
