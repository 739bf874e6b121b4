/** The example configs in deploy/ load in the real tools and route the alerts as their comments say. */
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runTool } from '../support/run-tool.js';

const DEPLOY = fileURLToPath(new URL('../../deploy/', import.meta.url));
const amtool = (args: string[]) => runTool('/usr/bin/amtool', args, DEPLOY);

describe('deploy examples', () => {
  it('prometheus.yml is valid and loads the shipped rule files', async () => {
    const out = await runTool('/usr/bin/promtool', ['check', 'config', 'prometheus.yml'], DEPLOY);
    expect(out).toContain('SUCCESS: 4 rule files found');
    expect(out).toMatch(/lsof-exporter\.rules\.yml\n\s+SUCCESS/);
    expect(out).toMatch(/lsof-exporter-history\.rules\.yml\n\s+SUCCESS/);
    expect(out).toMatch(/expected-listeners\.rules\.yml\n\s+SUCCESS/);
    expect(out).toMatch(/expected-executables\.rules\.yml\n\s+SUCCESS/);
  });

  it('alertmanager.yml is valid', async () => {
    expect(await amtool(['check-config', 'alertmanager.yml'])).toContain('SUCCESS');
  });

  it('alertmanager.yml mails root and posts to the webhook for the exporter alerts', async () => {
    // The first line is the receivers; amtool adds a warning about --alertmanager.url after it.
    const route = async (labels: string[]) => (await amtool(['config', 'routes', 'test', '--config.file=alertmanager.yml', ...labels])).split('\n')[0];
    expect(await route(['alertname=LsofNewListener', 'instance=web-1:10411'])).toBe('webhook,mail-root');
    expect(await route(['alertname=LsofServiceAccountUnexpectedListener', 'severity=critical'])).toBe('webhook,mail-root');
  });
});
