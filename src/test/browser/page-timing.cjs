// bench/run's scenario 13: the status page's weight and time to first render, in Debian's headless
// Chromium through playwright-core. Each turn is a new browser context (an empty cache), loads the
// page and waits for its credentials to be rendered (the page's 'pgcreds-rendered' mark); the
// baseline is the same browser showing /health's raw JSON. Prints one JSON line.
'use strict';
const { chromium } = require('playwright-core');

const base = process.env.PGCREDS_URL;
const turns = Number(process.env.TURNS || 5);
const FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];

async function load(browser, path, mark) {
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
  try {
    const page = await context.newPage();
    await page.goto(base + path, { waitUntil: 'load' });
    if (mark) await page.waitForFunction((m) => performance.getEntriesByName(m).length > 0, mark, { timeout: 30000 });
    else await page.waitForFunction(() => performance.getEntriesByName('first-contentful-paint').length > 0, null,
      { timeout: 30000 });
    return await page.evaluate((m) => {
      const files = [performance.getEntriesByType('navigation')[0],
        ...performance.getEntriesByType('resource').filter((r) => r.name.includes('/assets/'))];
      const paint = performance.getEntriesByName('first-contentful-paint')[0];
      return {
        bytes: files.reduce((sum, r) => sum + r.decodedBodySize, 0),
        transfer: files.reduce((sum, r) => sum + r.transferSize, 0),
        fcp: paint ? paint.startTime : null,
        rendered: m ? performance.getEntriesByName(m)[0].startTime : null
      };
    }, mark);
  } finally {
    await context.close();
  }
}

(async () => {
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', headless: true, args: FLAGS });
  const page = [];
  const baseline = [];
  try {
    await load(browser, '/', 'pgcreds-rendered'); // warm-up: the first context pays for the browser's own start
    for (let turn = 0; turn < turns; turn++) {
      page.push(await load(browser, '/', 'pgcreds-rendered'));
      baseline.push(await load(browser, '/health', null));
    }
  } finally {
    await browser.close();
  }
  console.log(JSON.stringify({ result: { page, baseline } }));
})().catch((error) => {
  console.log(JSON.stringify({ error: String(error && error.stack || error) }));
  process.exit(1);
});
