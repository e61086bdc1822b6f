// DashboardIT's fleet check: the status page of one of two instances of an app, in Debian's headless
// Chromium through playwright-core. It waits for the Fleet panel to show both instances agreeing,
// prints {"step": "disagree"} and waits for "go" (the test then makes one instance replace a
// credential the other keeps), waits for the panel to show the disagreement, and ends with
// {"result": {...}}: what the panel shows, as a person reads it. Every wait has a generous bound.
'use strict';
const { chromium } = require('playwright-core');
const fs = require('fs');
const os = require('os');
const path = require('path');
const readline = require('readline');

const base = process.env.PGCREDS_URL;
const token = process.env.PGCREDS_TOKEN;
const outDir = process.env.OUT_DIR;
const FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const lines = readline.createInterface({ input: process.stdin })[Symbol.asyncIterator]();

async function step(name) {
  console.log(JSON.stringify({ step: name }));
  const { value } = await lines.next();
  if (value !== 'go') throw new Error('the test answered ' + value + ' to ' + name);
}

async function until(what, check, timeoutMs) {
  const started = Date.now();
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() - started > timeoutMs) throw new Error('timed out waiting for ' + what);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** The Fleet panel as a person reads it. */
function panel(page) {
  return page.evaluate(() => {
    const section = document.getElementById('fleet');
    const texts = (selector) => [...section.querySelectorAll(selector)].map((node) => node.textContent.trim());
    return {
      hidden: section.hidden,
      badge: texts('.badge')[0] || '',
      instances: [...section.querySelectorAll('tbody tr')].map((tr) => tr.cells[0].textContent),
      generationLines: texts('#fleet-disagreements li.generations'),
      reasons: texts('#fleet-disagreements li.reason-line'),
      lagging: [...section.querySelectorAll('.cell.lagging')].map((cell) => ({
        instance: cell.dataset.instance, credential: cell.dataset.credential, text: cell.textContent
      }))
    };
  });
}

(async () => {
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'pgcreds-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: '/usr/bin/chromium', headless: true, args: FLAGS, viewport: { width: 1440, height: 900 }
  });
  const result = { consoleErrors: [] };
  try {
    const page = context.pages()[0] || await context.newPage();
    page.on('console', (message) => {
      if (message.type() === 'error') result.consoleErrors.push(message.text() + ' @ ' + message.location().url);
    });
    page.on('pageerror', (error) => result.consoleErrors.push('page error: ' + error.message));
    await page.goto(base + '/', { waitUntil: 'load' });
    await page.fill('#token', token);
    await page.press('#token', 'Enter');
    result.agreeing = await until('two agreeing instances in the Fleet panel', async () => {
      const now = await panel(page);
      return !now.hidden && now.instances.length === 2 && now.generationLines.length === 0 ? now : null;
    }, 90000);

    await step('disagree');
    const changedAt = Date.now();
    result.disagreeing = await until('the disagreement in the Fleet panel', async () => {
      const now = await panel(page);
      return now.generationLines.length > 0 && now.lagging.length > 0 ? now : null;
    }, 90000);
    result.shownAfterMs = Date.now() - changedAt;
    await page.screenshot({ path: path.join(outDir, 'fleet-disagreeing.png'), fullPage: true });
    result.screenshots = ['fleet-disagreeing.png'];
  } finally {
    await context.close();
    fs.rmSync(profile, { recursive: true, force: true });
  }
  console.log(JSON.stringify({ result }));
})().catch((error) => {
  console.log(JSON.stringify({ error: String(error && error.stack || error) }));
  process.exit(1);
});
