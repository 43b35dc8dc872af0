// Shared set-up for the journeys: Debian's Chromium through playwright-core, against the
// server the test runner started (BASE_URL), with the demo accounts of `accord seed demo`.
import { chromium } from 'playwright-core';

export const BASE_URL = process.env.BASE_URL ?? 'http://127.0.0.1:3000';
export const DEMO_PASSWORD = 'accord-demo-2026';

export async function launch() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

/** A fresh browser context (no cookies) and page, in English unless told otherwise. */
export async function newPage(browser, { locale = 'en-US' } = {}) {
  const context = await browser.newContext({ baseURL: BASE_URL, locale, viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  page.on('pageerror', (err) => {
    throw new Error(`page error: ${err.message}`);
  });
  return page;
}

/** Waits until the wasm bundle has hydrated the page (the shell marks <body>). */
export async function hydrated(page) {
  await page.waitForFunction(() => document.body.dataset.hydrated === 'true', null, { timeout: 30_000 });
}

/** Signs in through the form and waits for the home page. */
export async function signIn(page, email, password = DEMO_PASSWORD) {
  await page.goto('/login');
  await hydrated(page);
  await page.fill('input[name=email]', email);
  await page.fill('input[name=password]', password);
  await Promise.all([
    page.waitForURL((url) => url.pathname === '/', { timeout: 30_000 }),
    page.click('#sign-in-form button[type=submit]'),
  ]);
  await page.waitForSelector('[data-testid=current-user]');
  await hydrated(page);
}

/** Saves a screenshot under end2end/screenshots when SCREENSHOTS is set. */
export async function shot(page, name) {
  if (process.env.SCREENSHOTS) {
    await page.screenshot({ path: `${process.env.SCREENSHOTS}/${name}.png`, fullPage: true });
  }
}
