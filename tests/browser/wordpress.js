// Drives WordPress in Debian's chromium (headless, over the DevTools
// protocol, with puppeteer-core) the way a person would, for
// tests/integration/wordpress.bats.
//
//   node wordpress.js install URL OUTDIR TITLE USER PASSWORD EMAIL
//       the installer's form filled in and sent; screenshot install.png
//   node wordpress.js post URL OUTDIR USER PASSWORD POST_TITLE
//       log in (screenshot dashboard.png), open the block editor
//       (post-new.php), type the title and a paragraph (screenshot
//       editor.png), press Publish and confirm, as a person does; open the
//       post (screenshot post.png)
//   node wordpress.js find URL OUTDIR POST_TITLE
//       the front page links the post (screenshot front.png)
//
// Prints one line "ok ..." and exits 0, or prints what went wrong and exits 1.
// On failure the page as it was is saved as OUTDIR/failed-ACTION.png; the
// page's errors, failed requests and reloads go to OUTDIR/browser-ACTION.log.
// Environment: CHROMIUM (default /usr/bin/chromium), BROWSER_TIMEOUT_MS
// (each wait, default 120000: the block editor is slow on a busy machine).
'use strict';

const fs = require('fs');
const os = require('os');
const path = require('path');
const puppeteer = require('puppeteer-core');

const TIMEOUT = Number(process.env.BROWSER_TIMEOUT_MS || 120000);
let failShot = null; // OUTDIR/failed-ACTION.png
let consoleLog = null; // OUTDIR/browser-ACTION.log: the page's errors, failed requests, retries
function note(line) {
  if (consoleLog) fs.appendFileSync(consoleLog, `${line}\n`);
}

async function withBrowser(fn) {
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'berth-chromium-'));
  const browser = await puppeteer.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run',
           '--disable-background-networking', '--disable-component-update',
           '--disable-sync', '--disable-dev-shm-usage', `--user-data-dir=${profile}`,
           // no name lookups: WordPress's pages name gravatar.com and s.w.org,
           // which fail at once here instead of asking the host's resolver
           '--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1, EXCLUDE localhost'],
    userDataDir: profile,
    defaultViewport: {width: 1280, height: 900},
  });
  try {
    const page = await browser.newPage();
    page.on('pageerror', (e) => note(`page error: ${e.message}`));
    page.on('console', (m) => { if (m.type() === 'error') note(`console: ${m.text()}`); });
    page.on('requestfailed', (r) => note(`request failed: ${r.url()} ${r.failure() && r.failure().errorText}`));
    page.setDefaultTimeout(TIMEOUT);
    page.setDefaultNavigationTimeout(TIMEOUT);
    try {
      return await fn(page);
    } catch (e) { // what the browser showed when it went wrong
      if (failShot) await page.screenshot({path: failShot, fullPage: true}).catch(() => {});
      throw e;
    }
  } finally {
    await browser.close();
    fs.rmSync(profile, {recursive: true, force: true});
  }
}

async function shot(page, outdir, name) {
  await page.screenshot({path: path.join(outdir, name), fullPage: true});
}

async function text(page) {
  return page.evaluate(() => document.body ? document.body.innerText : '');
}

// Type into a field after clearing what the page put there.  The page's
// own scripts may move the focus while it loads: what arrived is checked,
// and typed again when it is not all there.
async function fill(page, sel, value) {
  await page.waitForSelector(sel, {visible: true});
  for (let i = 0; i < 3; i++) {
    await page.$eval(sel, (el) => { el.value = ''; el.focus(); });
    await page.type(sel, value);
    if (await page.$eval(sel, (el) => el.value) === value) return;
  }
  throw new Error(`could not type into ${sel}`);
}

async function install(url, outdir, title, user, pass, email) {
  return withBrowser(async (page) => {
    await page.goto(`${url}/wp-admin/install.php`, {waitUntil: 'load'});
    // A language list comes first when translations can be fetched: not here.
    if (await page.$('#language-continue')) {
      await Promise.all([page.waitForNavigation(), page.click('#language-continue')]);
    }
    await page.waitForSelector('#weblog_title');
    await page.waitForNetworkIdle({idleTime: 300});
    const want = {'#weblog_title': title, '#user_login': user, '#pass1': pass, '#admin_email': email};
    for (let round = 0; ; round++) {
      // The password field is a visible text box pre-filled with a random one.
      for (const [sel, v] of Object.entries(want)) await fill(page, sel, v);
      const got = await page.evaluate((sels) => sels.map((s) => document.querySelector(s).value),
                                      Object.keys(want));
      if (got.every((v, i) => v === Object.values(want)[i])) break;
      if (round === 2) throw new Error(`the install form does not keep its values: ${JSON.stringify(got)}`);
    }
    const weak = await page.$('input[name=pw_weak]');
    if (weak && await weak.isVisible()) await weak.click();
    // The page's script copies the password into the hidden confirmation
    // field when the form is sent; when it has not loaded yet (zxcvbn is
    // fetched lazily and takes long on a busy machine) the form would say
    // the passwords differ: fill it in as that script does.
    await page.$eval('#pass2', (el, v) => { el.disabled = false; el.value = v; }, pass);
    await shot(page, outdir, 'install.png');
    await Promise.all([page.waitForNavigation({waitUntil: 'load'}), page.click('#submit')]);
    const t = await text(page);
    if (!/Success!/.test(t)) throw new Error(`no "Success!" after the install form:\n${t.slice(0, 2000)}`);
    await shot(page, outdir, 'installed.png');
    return 'ok installed';
  });
}

async function login(page, url, user, pass) {
  await page.goto(`${url}/wp-login.php`, {waitUntil: 'load'});
  await fill(page, '#user_login', user);
  await fill(page, '#user_pass', pass);
  await Promise.all([page.waitForNavigation({waitUntil: 'load'}), page.click('#wp-submit')]);
  await page.waitForSelector('#wpadminbar');
  if (!/\/wp-admin\/?/.test(page.url())) throw new Error(`login went to ${page.url()}`);
}

// Log in, then write and publish the post in the block editor, typed into
// as a person does.
async function post(url, outdir, user, pass, title) {
  return withBrowser(async (page) => {
    await login(page, url, user, pass);
    await page.waitForSelector('#dashboard-widgets-wrap');
    await shot(page, outdir, 'dashboard.png');
    // The editor is ~60 scripts.  Chromium aborts the requests in flight
    // whenever the host's network changes (ERR_NETWORK_CHANGED), and on a
    // machine where other jobs make and remove bridges and veths all the time
    // a script can be lost so that the editor never renders: then reload, as
    // a person would (what did load comes from the browser's cache).
    const titleSel = '.editor-post-title__input, h1.wp-block-post-title, [aria-label="Add title"]';
    const tries = 4;
    for (let i = 1; ; i++) {
      await page.goto(`${url}/wp-admin/post-new.php`, {waitUntil: 'load'});
      try {
        await page.waitForSelector(titleSel, {visible: true, timeout: TIMEOUT / tries});
        break;
      } catch (e) {
        if (i === tries) throw e;
        note(`the block editor did not render (try ${i} of ${tries}): reloading`);
      }
    }
    // the welcome guide, shown once per user: closed as a person would
    const guide = await page.$('.edit-post-welcome-guide');
    if (guide) {
      await page.keyboard.press('Escape');
      await page.waitForSelector('.edit-post-welcome-guide', {hidden: true});
    }
    await page.click(titleSel);
    await page.keyboard.type(title);
    await page.keyboard.press('Enter'); // on to a new paragraph block
    await page.keyboard.type(`Typed in the block editor of a headless chromium under berth: ${title}.`);
    await shot(page, outdir, 'editor.png');
    await page.click('.editor-post-publish-panel__toggle');
    await page.waitForSelector('.editor-post-publish-panel .editor-post-publish-button', {visible: true});
    await page.click('.editor-post-publish-panel .editor-post-publish-button');
    await page.waitForSelector('.post-publish-panel__postpublish', {visible: true});
    const link = await page.$eval('.post-publish-panel__postpublish-post-address input',
                                  (el) => el.value).catch(() => null);
    const target = link || `${url}/`;
    await page.goto(target, {waitUntil: 'load'});
    const t = await text(page);
    if (!t.includes(title) || !t.includes('Typed in the block editor')) {
      throw new Error(`the post published from the editor (${target}) does not show what was typed:\n${t.slice(0, 2000)}`);
    }
    await shot(page, outdir, 'post.png');
    return `ok published ${target}`;
  });
}

async function find(url, outdir, title) {
  return withBrowser(async (page) => {
    const r = await page.goto(`${url}/`, {waitUntil: 'load'});
    const t = await text(page);
    await shot(page, outdir, 'front.png');
    if (!r.ok() || !t.includes(title)) {
      throw new Error(`the front page (HTTP ${r.status()}) does not show "${title}":\n${t.slice(0, 2000)}`);
    }
    return `ok found "${title}"`;
  });
}

const actions = {install: [install, 6], post: [post, 5], find: [find, 3]};

(async () => {
  const [action, ...args] = process.argv.slice(2);
  const a = actions[action];
  if (!a || args.length !== a[1]) {
    console.error('usage: wordpress.js install URL OUTDIR TITLE USER PASSWORD EMAIL | ' +
                  'post URL OUTDIR USER PASSWORD POST_TITLE | find URL OUTDIR POST_TITLE');
    process.exit(2);
  }
  fs.mkdirSync(args[1], {recursive: true});
  failShot = path.join(args[1], `failed-${action}.png`);
  consoleLog = path.join(args[1], `browser-${action}.log`);
  fs.rmSync(consoleLog, {force: true});
  try {
    console.log(await a[0](...args));
  } catch (e) {
    console.error(`wordpress.js ${action}: ${e.stack || e}`);
    process.exit(1);
  }
})();
