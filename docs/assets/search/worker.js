/*
 * The archive's search worker, in place of Material for MkDocs' lunr worker (9.8.1): the same
 * message protocol, so Material's search box, result list and keyboard handling are unchanged.
 *
 *   page -> worker  {type: SETUP, data: {config, docs, options}}   search/search_index.json
 *   worker -> page  {type: READY}
 *   page -> worker  {type: QUERY, data: "<text typed>"}
 *   worker -> page  {type: RESULT, data: {items: [[{location, title, text, tags, score, terms}]]}}
 *
 * Articles are searched in the chunked character n-gram index described in
 * scripts/search_index.py (config.archive): a query fetches one shard per n-gram it is looked
 * up by and the metadata chunks of the results it lists, nothing else. The other pages of the
 * site (config.docs: about, data, the overview pages) are searched in memory, by substring.
 * Without config.archive (a site built without scripts/search_hooks.py) every document of
 * config.docs is searched that way.
 *
 * Titles and texts are HTML for Material's result list: every value is escaped here, and only
 * the <mark> of a match and the <p> of a text are markup. Plain ES2017, no build step.
 */
"use strict";

const SETUP = 0, READY = 1, QUERY = 2, RESULT = 3;  // Material's SearchMessageType

// Word characters, as UNIT_CLASS in scripts/search_index.py: runs of them are what is indexed.
const UNIT = /[0-9a-z\u00c0-\u024f\u0370-\u03ff\u0400-\u04ff\u3007\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff\u{20000}-\u{3134f}]+/gu;
const TITLE = 1, KEYWORD = 2;  // the second and third posting lists of a key
const EXCERPT_AROUND = 30;  // characters of a page's text shown before its first match
const EXCERPT_SIZE = 120;
const MAX_CACHED = 1000;  // chunks kept in memory
const MORE_TITLE = n => `还有 ${n.toLocaleString("zh-CN")} 篇文章未列出`;
const MORE_TEXT = (shown, total) =>
  `共 ${total.toLocaleString("zh-CN")} 篇含有所查文字，按相关程度列出前 ${shown} 篇（标题、标签、高新区中出现的在前，同等的新者在前）。` +
  "输入更长的词语，或用空格加上第二个词，可以缩小范围。";

let state = null;  // set up by SETUP
let latest = 0;    // number of the newest query: an older one's result is not sent

/* --- text ------------------------------------------------------------------------------------ */

/** Full-width letters and digits as ASCII, lower case (normalize in scripts/search_index.py). */
function normalize(text) {
  return text.replace(/[\uff10-\uff19\uff21-\uff3a\uff41-\uff5a]/g,
    c => String.fromCharCode(c.charCodeAt(0) - 0xfee0)).toLowerCase();
}

function runsOf(text) {
  return normalize(text).match(UNIT) || [];
}

/** The runs of a query, each once, at most max. */
function queryRuns(query, max) {
  return [...new Set(runsOf(query))].slice(0, max);
}

/** The keys a run is looked up by (query_keys in scripts/search_index.py): the run itself when
 * one to three characters, else its trigrams from every third character and the last. */
function queryKeys(run, maxKeys) {
  const chars = Array.from(run);
  if (chars.length <= 3)
    return [run];
  let starts = [];
  for (let i = 0; i < chars.length - 3; i += 3)
    starts.push(i);
  starts.push(chars.length - 3);
  if (starts.length > maxKeys) {
    const step = (starts.length - 1) / (maxKeys - 1);
    starts = Array.from({ length: maxKeys }, (_, i) => starts[pyRound(i * step)]);
  }
  return [...new Set(starts.map(i => chars.slice(i, i + 3).join("")))];
}

/** Python's round(): halves to even, so both sides pick the same keys. */
function pyRound(x) {
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 && r % 2 ? r - 1 : r;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** FNV-1a, 32 bits, of the UTF-8 bytes (fnv1a in scripts/search_index.py). */
function fnv1a(key) {
  let h = 0x811c9dc5;
  for (const b of encoder.encode(key))
    h = Math.imul(h ^ b, 0x01000193) >>> 0;
  return h >>> 0;
}

function escapeHTML(text) {
  return String(text).replace(/[&<>"']/g, c => `&#${c.charCodeAt(0)};`);
}

function escapeRegExp(text) {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** A matcher of any of the runs, case-insensitive, or null. */
function matcher(runs) {
  if (!runs.length)
    return null;
  const sorted = [...runs].sort((a, b) => b.length - a.length);
  return new RegExp(sorted.map(escapeRegExp).join("|"), "giu");
}

/** ``text`` as HTML: escaped, every match of ``match`` in a <mark>. */
function highlight(text, match) {
  if (!match)
    return escapeHTML(text);
  let html = "", last = 0;
  match.lastIndex = 0;
  for (let m = match.exec(text); m; m = match.exec(text)) {
    if (!m[0].length) {
      match.lastIndex++;
      continue;
    }
    html += escapeHTML(text.slice(last, m.index)) + `<mark>${escapeHTML(m[0])}</mark>`;
    last = m.index + m[0].length;
  }
  return html + escapeHTML(text.slice(last));
}

/** Up to EXCERPT_SIZE characters of ``text``, from a little before its first match. */
function excerpt(text, match) {
  let start = 0;
  if (match) {
    match.lastIndex = 0;
    const m = match.exec(text);
    if (m)
      start = Math.max(0, m.index - EXCERPT_AROUND);
  }
  const end = start + EXCERPT_SIZE;
  return (start > 0 ? "…" : "") + text.slice(start, end) + (end < text.length ? "…" : "");
}

/** Text of an entry of Material's index: no tags, no jieba cuts (U+200B), entities decoded. */
function plainText(html) {
  return String(html || "")
    .replace(/<[^>]*>/g, " ")
    .replace(/\u200b/g, "")
    .replace(/&(#\d+|#x[0-9a-f]+|lt|gt|amp|quot|#39);/gi, entity => {
      const e = entity.slice(1, -1).toLowerCase();
      const named = { lt: "<", gt: ">", amp: "&", quot: "\"" };
      if (e in named)
        return named[e];
      return String.fromCodePoint(e[1] === "x" ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10));
    })
    .replace(/\s+/g, " ")
    .trim();
}

/* --- loading chunks ---------------------------------------------------------------------------- */

/** The URL of this script: in Material's iframe-worker shim (file://), its <script> tag's. */
function scriptURL() {
  if (typeof document !== "undefined") {
    const script = document.querySelector("script[src]");
    if (script)
      return script.src;
  }
  return self.location.href;
}

const scripts = new Map();  // chunk name -> data, filled by __archiveChunk (format "js")
self.__archiveChunk = (name, data) => scripts.set(name, data);

/** A chunk's data (Uint8Array for a shard, an array for metadata), fetched once (the cache is
 * emptied when it holds MAX_CACHED chunks, a few MB). */
function chunk(name) {
  const cache = state.chunks;
  if (cache.size >= MAX_CACHED)
    cache.clear();
  if (!cache.has(name))
    cache.set(name, fetchChunk(name).catch(err => {
      cache.delete(name);
      throw err;
    }));
  return cache.get(name);
}

async function fetchChunk(name) {
  const { archive, root } = state;
  const shard = name.startsWith("s/");
  const url = new URL(`${archive.path}${name}`, root);
  if (archive.format === "js") {
    await importScripts(`${url}.js?v=${archive.token}`);
    const data = scripts.get(name);
    scripts.delete(name);
    if (data === undefined)
      throw new Error(`search index chunk ${name} did not load`);
    return shard ? Uint8Array.from(atob(data), c => c.charCodeAt(0)) : data;
  }
  const response = await fetch(`${url}${shard ? ".bin" : ".json"}?v=${archive.token}`);
  if (!response.ok)
    throw new Error(`${response.status} ${response.url}`);
  return shard ? new Uint8Array(await response.arrayBuffer()) : response.json();
}

/* --- posting lists ------------------------------------------------------------------------------- */

function readVarint(bytes, pos) {
  let n = 0, shift = 0, b;
  do {
    b = bytes[pos++];
    n += (b & 0x7f) * 2 ** shift;
    shift += 7;
  } while (b >= 0x80);
  return [n, pos];
}

/** A shard's keys: key -> its three lists as [start, end] byte ranges. */
function parseShard(bytes) {
  const keys = new Map();
  let pos = 0, n;
  while (pos < bytes.length) {
    [n, pos] = readVarint(bytes, pos);
    const key = decoder.decode(bytes.subarray(pos, pos + n));
    pos += n;
    const lists = [];
    for (let i = 0; i < 3; i++) {
      [n, pos] = readVarint(bytes, pos);
      lists.push([pos, pos + n]);
      pos += n;
    }
    keys.set(key, lists);
  }
  return keys;
}

/** Article numbers of a list (decode_list in scripts/search_index.py): gaps or a bitmap. */
function decodeList(bytes, [start, end]) {
  const docs = [];
  if (start === end)
    return docs;
  if (bytes[start] === 1) {
    for (let i = start + 1; i < end; i++)
      for (let b = 0, byte = bytes[i]; byte; b++, byte >>= 1)
        if (byte & 1)
          docs.push(8 * (i - start - 1) + b);
    return docs;
  }
  let pos = start + 1, prev = -1, gap;
  while (pos < end) {
    [gap, pos] = readVarint(bytes, pos);
    prev += gap + 1;
    docs.push(prev);
  }
  return docs;
}

const shardKeys = new WeakMap();  // shard bytes -> parsed key table

/** A key's three lists: [articles, in a headline, in a keyword]. */
async function lookup(key) {
  const bytes = await chunk(`s/${fnv1a(key) % state.archive.shards}`);
  if (!shardKeys.has(bytes))
    shardKeys.set(bytes, parseShard(bytes));
  const ranges = shardKeys.get(bytes).get(key);
  return ranges ? ranges.map(r => decodeList(bytes, r)) : [[], [], []];
}

function intersect(a, b) {
  const out = [];
  for (let i = 0, j = 0; i < a.length && j < b.length;) {
    if (a[i] < b[j]) i++;
    else if (a[i] > b[j]) j++;
    else { out.push(a[i]); i++; j++; }
  }
  return out;
}

/** Articles containing every key of ``run``: [anywhere, in a headline, in a keyword]. */
async function matchRun(run) {
  const found = await Promise.all(queryKeys(run, state.archive.max_keys).map(lookup));
  return [0, 1, 2].map(f => found.map(lists => lists[f]).reduce(intersect));
}

/* --- searching ------------------------------------------------------------------------------------- */

/** Article numbers, best first, with what each matched (search in scripts/search_index.py). */
async function searchArticles(runs) {
  const matched = new Map();  // article -> {runs: Set, score}
  const perRun = await Promise.all(runs.map(matchRun));
  perRun.forEach(([every, title, keyword], r) => {
    const inTitle = new Set(title), inKeyword = new Set(keyword);
    for (const d of every) {
      const m = matched.get(d) || { runs: new Set(), score: 0 };
      m.runs.add(runs[r]);
      m.score += 1 + (inTitle.has(d) ? 4 : 0) + (inKeyword.has(d) ? 2 : 0);
      matched.set(d, m);
    }
  });
  const order = [...matched.keys()].sort((a, b) =>
    matched.get(b).runs.size - matched.get(a).runs.size || matched.get(b).score - matched.get(a).score || a - b);
  return order.map(d => ({ doc: d, ...matched.get(d) }));
}

async function articleMetadata(doc) {
  const rows = await chunk(`m/${Math.floor(doc / state.archive.meta)}`);
  return rows[doc % state.archive.meta];
}

function termsOf(runs, found) {
  const terms = {};
  for (const run of runs)
    terms[run] = found.has(run);
  return terms;
}

/** An article as one result group for Material's list. */
function articleItem([location, title, kicker, subtitle, date, zones, lead], hit, runs, match) {
  const lines = [kicker, subtitle].filter(line => line && runs.some(run => normalize(line).includes(run)));
  const text = [...lines, lead].filter(Boolean).map(t => highlight(t, match)).join(" · ");
  return [{
    location,
    title: highlight(title, match),
    text: text ? `<p>${text}</p>` : "",
    tags: [date, ...zones].filter(Boolean).map(t => highlight(t, match)),
    score: hit.runs.size * 100 + hit.score,
    terms: termsOf(runs, hit.runs)
  }];
}

/** Pages of Material's index (config.docs), grouped by page as Material does. */
function preparePages(docs) {
  const pages = new Map();
  for (const doc of docs || []) {
    const [path] = String(doc.location).split("#");
    const entry = {
      location: doc.location,
      title: plainText(doc.title),
      text: plainText(doc.text),
      tags: (doc.tags || []).map(String)
    };
    entry.norm = normalize([entry.title, entry.text, ...entry.tags].join("\n"));
    entry.titleNorm = normalize(entry.title);
    if (!pages.has(path))
      pages.set(path, []);
    pages.get(path).push(entry);
  }
  return [...pages.entries()].map(([path, entries]) => ({ path, entries }));
}

/** A page entry as a result item, or null when it contains no run. */
function pageItem(entry, runs, match) {
  const found = new Set(runs.filter(run => entry.norm.includes(run)));
  if (!found.size)
    return null;
  return {
    location: entry.location,
    title: highlight(entry.title, match),
    text: entry.text ? `<p>${highlight(excerpt(entry.text, match), match)}</p>` : "",
    ...(entry.tags.length && { tags: entry.tags.map(t => highlight(t, match)) }),
    score: found.size * 100 + 4 * runs.filter(run => entry.titleNorm.includes(run)).length + 1,
    terms: termsOf(runs, found)
  };
}

/**
 * Page groups with an entry containing a run, as Material groups them: best entry first, the
 * page itself last with score 0 when only its sections match. [title matches, the others].
 */
function searchPages(runs, match) {
  const first = [], rest = [];
  for (const { path, entries } of state.pages) {
    const group = entries.map(e => pageItem(e, runs, match)).filter(Boolean);
    if (!group.length)
      continue;
    group.sort((a, b) => b.score - a.score);
    if (!group.some(item => item.location === path)) {
      const page = entries.find(e => e.location === path) || entries[0];
      group.push({ location: page.location, title: escapeHTML(page.title), text: "", score: 0, terms: {} });
    }
    const inTitle = entries.some(e => runs.some(run => e.titleNorm.includes(run)));
    (inTitle ? first : rest).push(group);
  }
  return [first, rest];
}

async function search(query) {
  const archive = state.archive;
  const runs = queryRuns(query, archive ? archive.max_runs : 5);
  if (!runs.length)
    return { items: [] };
  const match = matcher(runs);
  const [pagesFirst, pagesRest] = searchPages(runs, match);
  if (!archive)
    return { items: [...pagesFirst, ...pagesRest] };
  const hits = await searchArticles(runs);
  const shown = hits.slice(0, state.limit);
  const rows = await Promise.all(shown.map(hit => articleMetadata(hit.doc)));
  const items = [...pagesFirst, ...shown.map((hit, i) => articleItem(rows[i], hit, runs, match)), ...pagesRest];
  if (hits.length > shown.length)
    items.push([{
      location: archive.more || "",
      title: escapeHTML(MORE_TITLE(hits.length - shown.length)),
      text: `<p>${escapeHTML(MORE_TEXT(shown.length, hits.length))}</p>`,
      score: 0,
      terms: {}
    }]);
  return { items };
}

/* --- messages ---------------------------------------------------------------------------------------- */

function setup({ config, docs, options }) {
  const archive = config && config.archive;
  const asked = options ? options.limit : undefined;  // null: every result (measurements)
  state = {
    archive,
    limit: asked === null ? Infinity : asked !== undefined ? asked : archive ? archive.limit : Infinity,
    root: new URL("../../", scriptURL()),  // this script is assets/search/worker.js
    chunks: new Map(),
    pages: preparePages(docs)
  };
}

async function handle(message) {
  switch (message.type) {
    case SETUP:
      setup(message.data);
      postMessage({ type: READY });
      break;
    case QUERY: {
      const number = ++latest;
      let data;
      try {
        data = state ? await search(String(message.data || "")) : { items: [] };
      } catch (err) {
        console.warn(`search failed: ${message.data}`, err);
        data = { items: [] };
      }
      if (number === latest)  // a newer query is under way: its result replaces this one
        postMessage({ type: RESULT, data });
      break;
    }
    default:
      throw new TypeError("Invalid message type");
  }
}

addEventListener("message", ev => { handle(ev.data); });
