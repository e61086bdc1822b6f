// DashboardIT's browser: drives the status page in Debian's headless Chromium through playwright-core.
// Talks to the test over stdin/stdout, one JSON line each way: it prints {"step": NAME} when it needs
// the test to do something to the service (kill a database, rotate a credential, take a var out of the
// env file) and waits for "go";
// it ends with {"result": {...}}, which the test asserts on. Every wait has a generous bound.
'use strict';
const { chromium } = require('playwright-core');
const fs = require('fs');
const os = require('os');
const path = require('path');
const readline = require('readline');

const base = process.env.PGCREDS_URL;
const token = process.env.PGCREDS_TOKEN;
const outDir = process.env.OUT_DIR;
const expected = JSON.parse(process.env.EXPECTED);
const FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const lines = readline.createInterface({ input: process.stdin })[Symbol.asyncIterator]();

async function step(name, data) {
  console.log(JSON.stringify({ step: name, ...(data || {}) }));
  const { value } = await lines.next();
  if (value !== 'go') throw new Error('the test answered ' + value + ' to ' + name);
}

/** The credential rows as a person reads them. */
function rows(page) {
  return page.$$eval('#credential-rows tr', (trs) => trs.map((tr) => ({
    name: tr.querySelector('.name').textContent,
    status: tr.cells[0].querySelector('.badge').textContent.trim(),
    statusIcon: tr.cells[0].querySelector('use').getAttribute('href'),
    errorClass: tr.cells[0].querySelector('.sub').textContent,
    role: tr.cells[2].textContent,
    tls: tr.cells[3].firstChild.textContent,
    state: tr.cells[8].querySelector('.badge') ? tr.cells[8].querySelector('.badge').textContent.trim() : '',
    leaving: Boolean(tr.cells[8].querySelector('.badge.leaving:not([hidden])')),
    leavingText: tr.cells[8].textContent.trim(),
    generation: tr.cells[7].textContent,
    hidden: tr.hidden
  })));
}

async function until(what, check, timeoutMs) {
  const started = Date.now();
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() - started > timeoutMs) throw new Error('timed out waiting for ' + what);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

(async () => {
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'pgcreds-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: '/usr/bin/chromium', headless: true, args: FLAGS, viewport: { width: 1440, height: 900 }
  });
  const result = { consoleErrors: [], outsideRequests: [], requests: 0, paths: [] };
  try {
    const page = context.pages()[0] || await context.newPage();
    page.on('console', (message) => {
      if (message.type() === 'error') result.consoleErrors.push(message.text() + ' @ ' + message.location().url);
    });
    page.on('pageerror', (error) => result.consoleErrors.push('page error: ' + error.message));
    page.on('request', (request) => {
      result.requests++;
      if (!request.url().startsWith(base + '/')) result.outsideRequests.push(request.url());
      else result.paths.push(new URL(request.url()).pathname);
    });
    const response = await page.goto(base + '/', { waitUntil: 'load' });
    result.csp = response.headers()['content-security-policy'] || null;
    result.frameOptions = response.headers()['x-frame-options'] || null;
    await page.waitForFunction(() => performance.getEntriesByName('pgcreds-rendered').length > 0, null, { timeout: 30000 });
    Object.assign(result, await page.evaluate(() => {
      const first = [performance.getEntriesByType('navigation')[0], ...performance.getEntriesByType('resource')
        .filter((r) => r.name.includes('/assets/'))];
      const paint = performance.getEntriesByName('first-contentful-paint')[0];
      return {
        firstLoadBytes: first.reduce((sum, r) => sum + r.decodedBodySize, 0),
        firstLoadTransferBytes: first.reduce((sum, r) => sum + r.transferSize, 0),
        firstLoadFiles: first.length,
        firstContentfulPaintMs: paint ? Math.round(paint.startTime) : null,
        renderedMs: Math.round(performance.getEntriesByName('pgcreds-rendered')[0].startTime)
      };
    }));
    result.publicRows = await rows(page);
    result.publicTimelineHidden = await page.$eval('#timeline', (node) => node.hidden);

    await page.fill('#token', token);
    await page.press('#token', 'Enter');
    result.rows = await until('every credential with its role and TLS version', async () => {
      const now = await rows(page);
      const complete = expected.credentials.every((name) => now.some((row) => row.name === name
        && /^(owner|limited)$/.test(row.role) && /^TLSv1\.[23]$/.test(row.tls) && row.status === 'UP'));
      return complete ? now : null;
    }, 30000);
    await until('the live stream', () => page.$eval('#live', (node) => node.textContent === 'Live'), 30000);
    await page.evaluate(() => { window.pgcredsLoadMarker = true; });

    await step('kill', { credential: expected.faulty });
    const killedAt = Date.now();
    result.downRow = await until(expected.faulty + ' DOWN', async () => (await rows(page))
      .find((row) => row.name === expected.faulty && row.status === 'DOWN'), 60000);
    result.downAfterMs = Date.now() - killedAt;
    result.downFirst = (await rows(page))[0].name;

    await step('rotate', { credential: expected.rotated });
    const rotatedAt = Date.now();
    const selector = `#events li[data-kind="replaced"][data-credential="${expected.rotated}"]`;
    await page.waitForSelector(selector, { timeout: 60000 });
    result.rotationShownAfterMs = Date.now() - rotatedAt;
    result.rotationEvent = await page.$eval(selector, (item) => ({ trigger: item.dataset.trigger, text: item.textContent }));
    result.notReloaded = await page.evaluate(() => window.pgcredsLoadMarker === true
      && performance.getEntriesByType('navigation').length === 1);

    await step('leave', { credential: expected.faulty });
    result.leavingRow = await until(expected.faulty + ' shown as leaving', async () => (await rows(page))
      .find((row) => row.name === expected.faulty && row.leaving), 60000);
    await page.waitForSelector(`#events li[data-kind="leaving"][data-credential="${expected.faulty}"]`, { timeout: 60000 });
    result.othersLeaving = (await rows(page)).filter((row) => row.leaving).map((row) => row.name);

    await page.keyboard.press('Escape');
    await page.locator('body').click({ position: { x: 5, y: 300 } });
    await page.keyboard.press('/');
    result.slashFocusesFilter = await page.evaluate(() => document.activeElement.id === 'filter');
    await page.keyboard.type(expected.rotated);
    result.filteredRows = (await rows(page)).filter((row) => !row.hidden).map((row) => row.name);
    await page.fill('#filter', '');
    await page.evaluate(() => document.activeElement.blur());

    result.url = page.url();
    result.html = await page.content();
    result.localStorage = await page.evaluate(() => JSON.stringify(Object.assign({}, localStorage)));
    result.sessionStorageKeys = await page.evaluate(() => Object.keys(sessionStorage));
    result.sessionStorageHasToken = await page.evaluate((t) => Object.values(sessionStorage).includes(t), token);
    result.cookies = await context.cookies();

    await page.screenshot({ path: path.join(outDir, 'dashboard.png'), fullPage: true });
    await page.emulateMedia({ colorScheme: 'dark' });
    await page.screenshot({ path: path.join(outDir, 'dashboard-dark.png'), fullPage: true });
    result.screenshots = ['dashboard.png', 'dashboard-dark.png'];
  } finally {
    await context.close();
    fs.rmSync(profile, { recursive: true, force: true });
  }
  console.log(JSON.stringify({ result }));
})().catch((error) => {
  console.log(JSON.stringify({ error: String(error && error.stack || error) }));
  process.exit(1);
});
