// Drives WordPress in Debian's chromium (headless, over the DevTools
// protocol, with puppeteer-core) the way a person would, for
// tests/integration/wordpress.bats.
//
//   node wordpress.js install URL OUTDIR TITLE USER PASSWORD EMAIL
//       the installer's form filled in and sent; screenshot install.png
//   node wordpress.js post URL OUTDIR USER PASSWORD POST_TITLE
//       log in (screenshot dashboard.png), publish a post from that session,
//       open it (screenshot post.png)
//   node wordpress.js find URL OUTDIR POST_TITLE
//       the front page links the post (screenshot front.png)
//
// Prints one line "ok ..." and exits 0, or prints what went wrong and exits 1.
// On failure the page as it was is saved as OUTDIR/failed-ACTION.png.
// Environment: CHROMIUM (default /usr/bin/chromium), BROWSER_TIMEOUT_MS
// (each wait, default 120000: the block editor is slow on a busy machine).
'use strict';

const fs = require('fs');
const os = require('os');
const path = require('path');
const puppeteer = require('puppeteer-core');

const TIMEOUT = Number(process.env.BROWSER_TIMEOUT_MS || 120000);
let failShot = null; // OUTDIR/failed-ACTION.png

async function withBrowser(fn) {
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'berth-chromium-'));
  const browser = await puppeteer.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run',
           '--disable-background-networking', '--disable-component-update',
           '--disable-sync', '--disable-dev-shm-usage', `--user-data-dir=${profile}`],
    userDataDir: profile,
    defaultViewport: {width: 1280, height: 900},
  });
  try {
    const page = await browser.newPage();
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

async function post(url, outdir, user, pass, title) {
  return withBrowser(async (page) => {
    await login(page, url, user, pass);
    await page.waitForSelector('#dashboard-widgets-wrap');
    await shot(page, outdir, 'dashboard.png');

    // Publish through WordPress's REST API, from this logged-in session
    // (the block editor does the same; its UI alone takes minutes to render
    // in a headless chromium on a busy 2-core machine).
    const res = await page.evaluate(async (u, t) => {
      const nonce = await (await fetch(`${u}/wp-admin/admin-ajax.php?action=rest-nonce`)).text();
      const r = await fetch(`${u}/?rest_route=/wp/v2/posts`, {
        method: 'POST',
        headers: {'X-WP-Nonce': nonce, 'Content-Type': 'application/json'},
        body: JSON.stringify({title: t, status: 'publish',
                              content: `<p>Written by a headless chromium under berth: ${t}.</p>`}),
      });
      return {status: r.status, body: await r.json()};
    }, url, title);
    if (res.status !== 201) throw new Error(`publishing failed: HTTP ${res.status} ${JSON.stringify(res.body)}`);
    const link = res.body.link;
    await page.goto(link, {waitUntil: 'load'});
    const t = await text(page);
    if (!t.includes(title)) throw new Error(`the published post at ${link} does not show its title:\n${t.slice(0, 2000)}`);
    await shot(page, outdir, 'post.png');
    return `ok published ${link}`;
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
  try {
    console.log(await a[0](...args));
  } catch (e) {
    console.error(`wordpress.js ${action}: ${e.stack || e}`);
    process.exit(1);
  }
})();
