// pages.js - open tradewar's HTML pages and SVG charts in Debian's headless
// Chromium (driven by puppeteer-core, which never downloads a browser) and
// check what a reader would see:
//   - every expected chart (inline <svg>) and table is there, tables have rows;
//   - no text overflows its box (each element's content fits its width) and
//     the page itself is no wider than the window, on a desktop and a phone;
//   - no console errors, no page errors, no request leaves file:// (the page
//     is self-contained);
//   - every <text> of every chart lies inside its canvas, and no two
//     horizontal texts of a chart overlap;
//   - a full-page screenshot of each page is kept in the artifacts directory.
//
// Usage: node pages.js CHROMIUM ARTIFACT_DIR PAGE.html:CHARTS:TABLES... -- CHART.svg...
'use strict';
const puppeteer = require('puppeteer-core');
const path = require('path');

const [chromium, artifacts, ...rest] = process.argv.slice(2);
const sep = rest.indexOf('--');
const pages = (sep < 0 ? rest : rest.slice(0, sep)).map((s) => {
  const [file, charts, tables] = s.split(':');
  return { file, charts: Number(charts), tables: Number(tables) };
});
const svgs = sep < 0 ? [] : rest.slice(sep + 1);

let failures = 0;
function check(ok, what) {
  console.log(`${ok ? 'ok' : 'FAIL'} - ${what}`);
  if (!ok) failures++;
}

// In the page: every chart's texts inside its canvas; horizontal texts apart.
function chartTexts() {
  const out = [];
  for (const [k, svg] of [...document.querySelectorAll('svg')].entries()) {
    const box = svg.getBoundingClientRect();
    const texts = [...svg.querySelectorAll('text')];
    const flat = [];
    for (const t of texts) {
      const r = t.getBoundingClientRect();
      const inside = r.left >= box.left - 0.5 && r.right <= box.right + 0.5 &&
        r.top >= box.top - 0.5 && r.bottom <= box.bottom + 0.5;
      if (!inside)
        out.push(`chart ${k + 1}: "${t.textContent}" lies outside the canvas ` +
          `(${r.left.toFixed(1)}..${r.right.toFixed(1)} x ${r.top.toFixed(1)}..${r.bottom.toFixed(1)} ` +
          `in ${box.left.toFixed(1)}..${box.right.toFixed(1)} x ${box.top.toFixed(1)}..${box.bottom.toFixed(1)})`);
      if (!t.getAttribute('transform')) flat.push([t, r]);
    }
    for (let i = 0; i < flat.length; i++)
      for (let j = i + 1; j < flat.length; j++) {
        const a = flat[i][1], b = flat[j][1];
        const w = Math.min(a.right, b.right) - Math.max(a.left, b.left);
        const h = Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top);
        if (w > 1 && h > 1)
          out.push(`chart ${k + 1}: "${flat[i][0].textContent}" overlaps "${flat[j][0].textContent}"`);
      }
    if (texts.length === 0) out.push(`chart ${k + 1} has no <text> element`);
  }
  return out;
}

// In the page: elements whose text is wider than their box; the page's width.
function overflow() {
  const bad = [];
  for (const el of document.querySelectorAll('h1,h2,h3,h4,h5,h6,p,li,th,td,footer')) {
    if (el.clientWidth > 0 && el.scrollWidth > el.clientWidth + 1)
      bad.push(`<${el.tagName.toLowerCase()}> "${el.textContent.slice(0, 60)}" ` +
        `(${el.scrollWidth} > ${el.clientWidth})`);
  }
  const doc = document.documentElement;
  if (doc.scrollWidth > window.innerWidth + 1)
    bad.push(`the page is ${doc.scrollWidth}px wide in a ${window.innerWidth}px window`);
  return bad;
}

(async () => {
  const browser = await puppeteer.launch({
    executablePath: chromium,
    headless: true,
    userDataDir: path.join(artifacts, 'profile'),
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  try {
    for (const p of pages) {
      const name = path.basename(p.file, '.html');
      for (const [view, width] of [['desktop', 1200], ['phone', 390]]) {
        const page = await browser.newPage();
        const errors = [];
        page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
        page.on('pageerror', (e) => errors.push(String(e)));
        await page.setRequestInterception(true);
        page.on('request', (r) => {
          const u = r.url();
          if (u.startsWith('file:') || u.startsWith('data:')) r.continue();
          else { errors.push(`network request: ${u}`); r.abort(); }
        });
        await page.setViewport({ width, height: 900, isMobile: view === 'phone' });
        await page.goto('file://' + path.resolve(p.file), { waitUntil: 'load' });
        const got = await page.evaluate(() => ({
          charts: document.querySelectorAll('figure.chart > svg').length,
          tables: document.querySelectorAll('table').length,
          empty: [...document.querySelectorAll('table')].filter((t) => t.rows.length === 0).length,
          answer: (document.querySelector('p.answer') || {}).textContent || '',
          title: document.title,
        }));
        const tag = `${name} (${view})`;
        check(got.charts === p.charts, `${tag}: ${got.charts} charts, expected ${p.charts}`);
        check(got.tables >= p.tables && got.empty === 0,
          `${tag}: ${got.tables} tables (at least ${p.tables}), ${got.empty} empty`);
        check(got.answer.length > 20, `${tag}: an answer in a sentence: "${got.answer.slice(0, 80)}"`);
        const over = await page.evaluate(overflow);
        check(over.length === 0, `${tag}: no text overflows its box${over.length ? ': ' + over.slice(0, 5).join('; ') : ''}`);
        const outside = await page.evaluate(chartTexts);
        check(outside.length === 0, `${tag}: chart texts inside their canvas, none overlapping${outside.length ? ': ' + outside.slice(0, 5).join('; ') : ''}`);
        check(errors.length === 0, `${tag}: no console errors${errors.length ? ': ' + errors.join('; ') : ''}`);
        const shot = path.join(artifacts, `${name}-${view}.png`);
        await page.screenshot({ path: shot, fullPage: true });
        console.log(`# screenshot: ${shot}`);
        await page.close();
      }
    }
    for (const f of svgs) {
      const page = await browser.newPage();
      await page.goto('file://' + path.resolve(f), { waitUntil: 'load' });
      const outside = await page.evaluate(chartTexts);
      check(outside.length === 0, `${path.basename(path.dirname(f))}/${path.basename(f)}: texts inside the canvas, none overlapping${outside.length ? ': ' + outside.slice(0, 5).join('; ') : ''}`);
      await page.close();
    }
  } finally {
    await browser.close();
  }
  console.log(failures ? `${failures} check(s) failed` : 'all checks passed');
  process.exit(failures ? 1 : 0);
})().catch((e) => { console.error(e); process.exit(1); });
