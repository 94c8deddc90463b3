// The HTML report opened in headless Chromium: it renders its chart and asks for nothing else.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { renderDrillHtml } from '../../../lambdas/core/drill/report-html.ts';
import { launchChromium } from '../../support/browser.ts';
import { drillResults, finishedDrill, impactSamples, reportConfig } from './report-fixtures.ts';

describe('the HTML report in a browser', () => {
  let browser: Browser;
  let folder: string;
  beforeAll(async () => {
    browser = await launchChromium();
    folder = mkdtempSync(join(tmpdir(), 'hcguard-report-'));
  });
  afterAll(async () => {
    await browser?.close();
    rmSync(folder, { recursive: true, force: true });
  });

  /** The fixture drill's report as a file, with the citizens' impact. */
  const writeReport = (name: string): string => {
    const file = join(folder, name);
    writeFileSync(
      file,
      renderDrillHtml({
        drill: finishedDrill(),
        config: reportConfig,
        results: drillResults(),
        impact: impactSamples(),
        generatedAt: new Date('2026-11-20T02:05:00Z'),
      }),
    );
    return file;
  };

  it('renders the timeline and the tables with JavaScript off and no request but the page itself', async () => {
    const file = writeReport('drill.html');
    const context = await browser.newContext({ javaScriptEnabled: false, viewport: { width: 1100, height: 900 } });
    const page = await context.newPage();
    const requests: string[] = [];
    page.on('request', (request) => requests.push(request.url()));
    await page.goto(`file://${file}`);
    const chart = await page.locator('svg').boundingBox();
    expect(chart?.width).toBeGreaterThan(900);
    expect(chart?.height).toBeGreaterThan(350);
    expect(await page.locator('svg g.phase').count()).toBe(8);
    expect(await page.locator('table.metrics tbody tr').count()).toBe(8);
    expect(await page.locator('h1').innerText()).toBe('Drill drill-20261120-0200-ab12: verification-outage');
    expect(requests).toEqual([`file://${file}`]);
    await context.close();
  });

  it('reads at phone width: the page never scrolls sideways, the charts and tables scroll inside', async () => {
    const file = writeReport('phone.html');
    const context = await browser.newContext({ javaScriptEnabled: false, viewport: { width: 390, height: 800 } });
    const page = await context.newPage();
    await page.goto(`file://${file}`);
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    const result = await page.locator('table.metrics tbody tr').first().locator('td').last().boundingBox();
    expect(result).not.toBeNull();
    await context.close();
  });
});
