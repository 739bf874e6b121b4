/**
 * The page in a real browser (Debian's chromium via playwright-core) against the built exporter on
 * this machine's /proc, with known processes: a listener whose name is markup, a deleted file, a node
 * listener. It filters to one of them, opens the one-process view, exports CSV and JSON, searches for
 * the holders of a folder, pauses updates, works by keyboard and at phone width; with no console error
 * and no request leaving the exporter's origin. The same with basic auth on.
 * UPDATE_SCREENSHOTS=1 also writes the screenshots under docs/ that the README shows.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import bcrypt from 'bcryptjs';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, type Browser } from '../support/browser.js';
import { spawnListeningExporter, startExporter, stopChild, type RunningExporter } from '../support/exporter-process.js';
import { freePort } from '../support/ports.js';
import { waitFor } from '../support/wait.js';
import { DELETED_NAME, HOSTILE_COMM, startUiChildren, type UiChildren } from '../support/ui-children.js';

const DOCS = fileURLToPath(new URL('../../docs/', import.meta.url));
const SCREENSHOTS = process.env.UPDATE_SCREENSHOTS === '1';

let children: UiChildren;

beforeAll(async () => {
  children = await startUiChildren();
});

afterAll(async () => {
  await children?.stop();
});

/** Everything the page does that it should not: console errors, page errors, requests elsewhere. */
function watch(page: Page, origin: string) {
  const problems: string[] = [];
  const apiRequests: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warning') problems.push(`console ${m.type()}: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('request', (r) => {
    if (new URL(r.url()).origin !== origin) problems.push(`request to ${r.url()}`);
    if (r.url().includes('/api/v1/')) apiRequests.push(r.url());
  });
  return { problems, apiRequests };
}

async function rowCount(page: Page, table: string): Promise<number> {
  return page.locator(`#${table}-table tbody tr`).count();
}

async function shot(page: Page, name: string): Promise<void> {
  if (SCREENSHOTS) await page.screenshot({ path: path.join(DOCS, `ui-${name}.png`), fullPage: false });
}

describe('the page on loopback, one-process view on', () => {
  let exporter: RunningExporter;
  let browser: Browser;
  let page: Page;
  let seen: ReturnType<typeof watch>;

  beforeAll(async () => {
    exporter = await startExporter(['--web.ui.enable', '--web.ui.process-view'], { firstScanTimeoutMs: 100_000 });
    browser = await launchBrowser({ viewport: { width: 1280, height: 860 } });
    page = await browser.context.newPage();
    seen = watch(page, exporter.url);
    await page.goto(`${exporter.url}/ui`);
  });

  afterAll(async () => {
    await browser?.close();
    await exporter?.stop();
  });

  it('shows the listener named with markup as text, and filters to it', async () => {
    const row = page.locator('#listeners-table tbody tr', { hasText: `:${children.hostile.port}` });
    await row.waitFor({ timeout: 30_000 });
    await expect.poll(() => row.locator('td').nth(2).textContent()).toBe(HOSTILE_COMM);
    expect(await page.locator('main img, main svg, main b').count()).toBe(0); // the markup stayed text
    expect(await row.textContent()).toContain('evil<svg onload=alert(1)>\\n\\xff'); // newline and a non-UTF-8 byte, shown escaped
    const before = await rowCount(page, 'listeners');
    await page.selectOption('#listeners-filter-process', HOSTILE_COMM);
    expect(await rowCount(page, 'listeners')).toBe(1);
    const status = await page.locator('#view-listeners .count').textContent();
    expect(status).toMatch(new RegExp(`Showing 1 of 1 matching rows; ${before - 1} hidden by the search and filters`));
    await shot(page, 'listeners');
  });

  it('exports the filtered table as CSV and JSON', async () => {
    const [csv] = await Promise.all([page.waitForEvent('download'), page.click('#view-listeners [data-export=csv]')]);
    const text = fs.readFileSync((await csv.path())!, 'utf8');
    const lines = text.trim().split('\r\n');
    expect(lines[0]).toBe('Address:port,Protocol,Process,User,Executable,Holders,Namespace / container,First seen,New since start');
    expect(lines).toHaveLength(2); // the header and the one row the filter left
    expect(lines[1]).toContain(`127.0.0.1:${children.hostile.port},tcp ipv4,"<img src=x>""'&",root,`);
    const [json] = await Promise.all([page.waitForEvent('download'), page.click('#view-listeners [data-export=json]')]);
    const rows = JSON.parse(fs.readFileSync((await json.path())!, 'utf8')) as { port: number; holders: { pid: number }[] }[];
    expect(rows).toEqual([expect.objectContaining({ port: children.hostile.port, holders: [expect.objectContaining({ pid: children.hostile.pid })] })]);
  });

  it('opens the one-process view from the holder and shows its socket with address, port and state', async () => {
    await page.click(`#listeners-table a[href="#process/${children.hostile.pid}"]`);
    const listen = page.locator('#descriptors-table tbody tr', { hasText: 'LISTEN' });
    await listen.waitFor();
    expect(await listen.textContent()).toContain(`127.0.0.1:${children.hostile.port}`);
    expect(await page.locator('#process-facts').textContent()).toContain(HOSTILE_COMM);
    expect(page.url()).toMatch(new RegExp(`#process/${children.hostile.pid}$`));
    await shot(page, 'process');
  });

  it('shows the deleted file under its hostile name, escape sequence made visible', async () => {
    await page.click('nav >> text=Deleted files');
    const row = page.locator('#deleted-table tbody tr', { hasText: '<script src=x>' });
    await row.waitFor();
    expect(await row.locator('td').first().textContent()).toBe(`${children.dir}/${DELETED_NAME.replace('\x1b', '\\x1b')}`);
    expect(await row.textContent()).toContain(`${children.deletedHolder.pid}`);
    await shot(page, 'deleted');
  });

  it('shows the processes by user and executable', async () => {
    await page.click('nav >> text=Processes');
    await page.fill('#processes-search', HOSTILE_COMM);
    const row = page.locator('#processes-table tbody tr', { hasText: HOSTILE_COMM });
    await row.waitFor();
    expect(await rowCount(page, 'processes')).toBe(1);
    await page.fill('#processes-search', '');
    await shot(page, 'processes');
  });

  it('finds who holds anything under a folder', async () => {
    await page.click('nav >> text=Who holds a file');
    await page.fill('#file-path', children.dir);
    await page.check('#file-under');
    await page.click('#files-form button[type=submit]');
    await page.locator('#files-table tbody tr', { hasText: String(children.deletedHolder.pid) }).waitFor();
    expect(await page.locator('#files-table tbody').textContent()).toContain(String(children.hostile.pid)); // its executable is there
    await shot(page, 'files');
  });

  it('stops asking for data while paused, says so, and resumes', async () => {
    await page.click('nav >> text=Listeners');
    await page.click('#pause');
    expect(await page.getAttribute('#pause', 'aria-pressed')).toBe('true');
    const asked = seen.apiRequests.length;
    await page.waitForTimeout(7000); // longer than the 5 s refresh
    expect(seen.apiRequests.length).toBe(asked);
    await page.click('#pause');
    await waitFor(() => seen.apiRequests.length > asked, 'a refresh after resuming', 10_000);
    expect(await page.locator('#asof').textContent()).toMatch(/^Data as of .+ \(scan took [\d.]+ s\), updated every 5 s\.$/);
  });

  it('is usable by keyboard: labelled controls, skip link first, sorting from the keyboard', async () => {
    const unlabelled = await page.evaluate(() => [...document.querySelectorAll('input, select')].filter((el) => (el as HTMLInputElement).labels?.length === 0).map((el) => el.id));
    expect(unlabelled).toEqual([]);
    await page.goto(`${exporter.url}/ui#listeners`);
    await page.reload(); // a fresh document: Tab starts from its top
    await page.locator('#listeners-table tbody tr').first().waitFor();
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Skip to the table');
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.getAttribute('href'))).toBe('#listeners');
    await page.focus('#listeners-table th[data-col="endpoint"] button');
    await page.keyboard.press('Enter');
    expect(await page.getAttribute('#listeners-table th[data-col="endpoint"]', 'aria-sort')).toBe('ascending');
    expect(await page.evaluate(() => document.activeElement?.closest('th')?.dataset.col)).toBe('endpoint');
  });

  it('fits a phone-width screen', async () => {
    await page.setViewportSize({ width: 375, height: 760 });
    await page.goto(`${exporter.url}/ui#listeners`);
    await page.locator('#listeners-table tbody tr').first().waitFor();
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(375);
    expect(await page.locator('#listeners-search').isVisible()).toBe(true);
    await shot(page, 'phone');
  });

  it('logged no console error and sent nothing outside its origin', () => {
    expect(seen.problems).toEqual([]);
  });
});

describe('the page behind basic auth', () => {
  it('loads, lists and opens a process with the credentials, and nothing without them', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lsof-ui-auth-'));
    const config = path.join(dir, 'web.yml');
    fs.writeFileSync(config, `basic_auth_users:\n  alice: ${bcrypt.hashSync('alice-secret', 4)}\n`);
    const port = await freePort();
    const origin = `http://127.0.0.1:${port}`;
    const exporter = await spawnListeningExporter([`--web.listen-address=127.0.0.1:${port}`, `--web.config.file=${config}`, '--scan.interval=1s', '--web.ui.enable', '--web.ui.process-view']);
    const browser = await launchBrowser({ httpCredentials: { username: 'alice', password: 'alice-secret' } });
    try {
      expect((await fetch(`${origin}/ui`)).status).toBe(401);
      const page = await browser.context.newPage();
      const seen = watch(page, origin);
      await page.goto(`${origin}/ui#process/${children.node.pid}`);
      await page.locator('#descriptors-table tbody tr', { hasText: 'LISTEN' }).waitFor({ timeout: 30_000 });
      await page.click('nav >> text=Listeners');
      await page.locator('#listeners-table tbody tr', { hasText: `:${children.node.port}` }).waitFor({ timeout: 30_000 });
      expect(seen.problems).toEqual([]);
    } finally {
      await browser.close();
      await stopChild(exporter.child);
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
