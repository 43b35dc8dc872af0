// The foundation journeys: sign in, see who you are, switch language, sign out; errors in
// the chosen language; an admin creates a user who can then sign in.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, newPage, hydrated, signIn, shot } from './support.mjs';

let browser;
before(async () => {
  browser = await launch();
});
after(async () => {
  await browser?.close();
});

test('a marketing leader signs in, switches to Japanese, and signs out', async () => {
  const page = await newPage(browser);
  await signIn(page, 'mika.sato@accord.test');
  assert.equal(await page.textContent('[data-testid=current-user]'), 'Mika Sato');
  assert.equal(await page.textContent('[data-testid=user-team]'), 'Marketing');
  assert.equal(await page.textContent('[data-testid=user-role]'), 'Leader');

  // The switch is handled in the browser (hydrated), without a page load.
  await page.evaluate(() => { window.__noReload = true; });
  await page.click('[data-testid=locale-ja]');
  await page.waitForSelector('text=サインアウト');
  assert.equal(await page.evaluate(() => window.__noReload), true, 'switching language reloaded the page');
  assert.equal(await page.textContent('[data-testid=user-team]'), 'マーケティング');
  assert.equal(await page.textContent('[data-testid=user-role]'), 'リーダー');
  await shot(page, 'shell-ja');

  // The choice sticks: a fresh load is still Japanese.
  await page.reload();
  await page.waitForSelector('[data-testid=current-user]');
  assert.equal(await page.textContent('h1.page-title'), 'ファネル');
  assert.equal(await page.getAttribute('html', 'lang'), 'ja');
  await hydrated(page);

  await Promise.all([
    page.waitForURL((url) => url.pathname === '/login'),
    page.click('[data-testid=sign-out]'),
  ]);
  await page.waitForSelector('#sign-in-form');
  // Signed out on the server: the home page sends us back to sign in.
  await page.goto('/');
  await page.waitForURL((url) => url.pathname === '/login');
  await page.context().close();
});

test('a wrong password shows an error in the chosen language', async () => {
  const page = await newPage(browser);
  await page.goto('/login');
  await hydrated(page);
  await page.click('[data-testid=locale-ja]');
  await page.waitForSelector('text=Accord にサインイン');
  await page.fill('input[name=email]', 'tom.baker@accord.test');
  await page.fill('input[name=password]', 'not the password');
  await page.click('#sign-in-form button[type=submit]');
  const alert = await page.waitForSelector('#sign-in-form [role=alert]');
  assert.equal(await alert.textContent(), 'メールアドレスまたはパスワードが正しくありません。');
  assert.equal(new URL(page.url()).pathname, '/login');
  await shot(page, 'sign-in-error-ja');
  await page.context().close();
});

test('an admin creates a user who can then sign in; bad input is named per field', async () => {
  const page = await newPage(browser);
  await signIn(page, 'admin@accord.test');
  await page.click('nav a[href="/admin/users"]');
  await page.waitForSelector('#users-table');
  assert.match(await page.textContent('#users-table'), /hiro\.tanaka@accord\.test/);

  const email = `new.ae.${Date.now()}@accord.test`;
  await page.fill('#create-user-form input[name=name]', 'Nora New');
  await page.fill('#create-user-form input[name=email]', email);
  await page.selectOption('#create-user-form select[name=team]', 'sales');
  await page.selectOption('#create-user-form select[name=role]', 'member');
  await page.fill('#create-user-form input[name=password]', 'short');
  // The browser's own minlength check would stop the post; turn it off to see the server's answer.
  await page.evaluate(() => document.querySelector('#create-user-form input[name=password]').removeAttribute('minlength'));
  await page.click('#create-user-form button[type=submit]');
  await page.waitForSelector('text=must be at least 10 characters');

  await page.fill('#create-user-form input[name=password]', 'a long enough password');
  await page.click('#create-user-form button[type=submit]');
  await page.waitForSelector('#create-user-form [role=status]');
  await page.waitForFunction((e) => document.querySelector('#users-table')?.textContent.includes(e), email);
  await shot(page, 'users-admin');
  await page.context().close();

  const fresh = await newPage(browser);
  await signIn(fresh, email, 'a long enough password');
  assert.equal(await fresh.textContent('[data-testid=current-user]'), 'Nora New');
  assert.equal(await fresh.textContent('[data-testid=user-team]'), 'Sales');
  // Not an admin: no Users page in the navigation.
  assert.equal(await fresh.locator('nav a[href="/admin/users"]').count(), 0);
  await fresh.context().close();
});

test('members cannot open the admin page', async () => {
  const page = await newPage(browser);
  await signIn(page, 'ken.ito@accord.test');
  await page.goto('/admin/users');
  await page.waitForSelector('.panel-error');
  assert.match(await page.textContent('.panel-error'), /not allowed/);
  assert.equal(await page.locator('#users-table').count(), 0);
  await page.context().close();
});
