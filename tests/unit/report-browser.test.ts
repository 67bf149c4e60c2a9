/**
 * The HTML report of a whole-API-sized run with failures, opened in a real
 * browser (Debian's chromium, headless, driven by Playwright without a
 * downloaded browser): verdict, coverage and the failing operations in the
 * first screen, no horizontal overflow, rows collapsed per operation.
 * Without /usr/bin/chromium this one check is skipped, saying so loudly
 * (.ci/run installs it).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium } from '@playwright/test';
import { renderHtml } from '../../src/report/render-html.ts';
import { apiScaleModel, FAILING } from '../support/api-scale-model.ts';

const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'];
const VIEWPORT = { width: 1280, height: 800 };

const missing = !existsSync(CHROMIUM);
if (missing) {
  process.stderr.write(`\n!!! SKIPPED: the real-browser check of the HTML report: no chromium at ${CHROMIUM} (apt-get install -y chromium; .ci/run installs it) !!!\n\n`);
}

test('a whole-API report with failures in a real browser: verdict, coverage and failing operations in the first screen, no horizontal overflow, rows collapsed', { skip: missing ? `no chromium at ${CHROMIUM}: apt-get install -y chromium (.ci/run installs it)` : false, timeout: 120_000 }, async () => {
  const model = apiScaleModel();
  const dir = mkdtempSync(path.join(tmpdir(), 'report-browser-'));
  const file = path.join(dir, 'conformance.html');
  writeFileSync(file, renderHtml(model));
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS });
  try {
    const page = await browser.newPage({ viewport: VIEWPORT });
    // The page is self-contained: any request beyond the file itself is a bug.
    const requests: string[] = [];
    page.on('request', (r) => {
      if (!r.url().startsWith('file:')) requests.push(r.url());
    });
    await page.goto(pathToFileURL(file).href);
    if (process.env.REPORT_SCREENSHOT) await page.screenshot({ path: process.env.REPORT_SCREENSHOT });

    const inFirstScreen = async (selector: string) => {
      const box = await page.locator(selector).first().boundingBox();
      assert.ok(box, `${selector} is rendered`);
      assert.ok(box.y >= 0 && box.y + box.height <= VIEWPORT.height && box.x >= 0 && box.x + box.width <= VIEWPORT.width, `${selector} lies within the first ${VIEWPORT.width}×${VIEWPORT.height} screen: ${JSON.stringify(box)}`);
    };
    await inFirstScreen('.verdict');
    await inFirstScreen('.coverage');
    await inFirstScreen('#failing-operations');
    for (const id of Object.values(FAILING)) {
      const anchor = await page.locator(`details[data-operation="${id}"]`).getAttribute('id');
      await inFirstScreen(`#failing-operations a[href="#${anchor}"]`);
    }
    assert.match((await page.locator('.verdict').innerText()).trim(), /^FAIL/);

    const { scrollWidth, clientWidth } = await page.evaluate(() => ({ scrollWidth: document.scrollingElement!.scrollWidth, clientWidth: document.scrollingElement!.clientWidth }));
    assert.ok(scrollWidth <= clientWidth, `no horizontal overflow: scrollWidth ${scrollWidth} > clientWidth ${clientWidth}`);

    const rows = await page.evaluate(() =>
      [...document.querySelectorAll<HTMLDetailsElement>('details[data-operation]')].map((d) => ({ id: d.dataset.operation!, open: d.open, height: d.getBoundingClientRect().height })),
    );
    assert.equal(rows.length, 189);
    assert.deepEqual(rows.filter((r) => r.open).map((r) => r.id).sort(), Object.values(FAILING).sort());
    // A collapsed row is one compact line or two (chips wrap), never its scenario list.
    const tallest = Math.max(...rows.filter((r) => !r.open).map((r) => r.height));
    assert.ok(tallest < 80, `collapsed rows stay compact (tallest ${tallest}px)`);
    assert.deepEqual(requests, []);
  } finally {
    await browser.close();
  }
});
