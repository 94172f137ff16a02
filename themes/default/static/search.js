/* Fieldbook search: the browser side of docs/search.md. Dependency-free; loaded with `defer`.
 * - every search input (#search-input, #header-search-input) becomes a combobox that shows
 *   results as you type; `/` focuses it from anywhere;
 * - on the search page (#search-results) the results, filters and URL follow the input.
 * The index (search/index.json) is fetched on the first focus or keystroke, then only the term
 * shards a query needs and the doc/text chunks of the results shown; all cached.
 * Everything from the index is inserted as text, never as HTML. */
(function () {
  "use strict";
  if (window.fieldbookSearch) return;

  // ------------------------------------------------------------------ analysis

  const JOINERS = "_.-'";
  const RE_ALNUM = /[\p{Alphabetic}\p{N}]/u;
  const RE_LOWER = /\p{Lowercase}/u;
  const RE_UPPER = /\p{Uppercase}/u;
  const isAlnum = (c) => (c < "\x80" ? /[0-9A-Za-z]/.test(c) : RE_ALNUM.test(c));
  const isLower = (c) => (c < "\x80" ? c >= "a" && c <= "z" : RE_LOWER.test(c));
  const isUpper = (c) => (c < "\x80" ? c >= "A" && c <= "Z" : RE_UPPER.test(c));
  const utf8len = (s) => new TextEncoder().encode(s).length;

  /** Words of `text`: [{start, end, chars}] (UTF-16 offsets, code points). */
  function words(text) {
    const cps = Array.from(text);
    const out = [];
    let off = 0;
    const offs = new Array(cps.length + 1);
    for (let i = 0; i < cps.length; i++) { offs[i] = off; off += cps[i].length; }
    offs[cps.length] = off;
    let i = 0;
    while (i < cps.length) {
      if (!isAlnum(cps[i])) { i++; continue; }
      let j = i + 1;
      while (j < cps.length) {
        if (isAlnum(cps[j])) j++;
        else if (JOINERS.includes(cps[j]) && j + 1 < cps.length && isAlnum(cps[j + 1])) j += 2;
        else break;
      }
      out.push({ start: offs[i], end: offs[j], chars: cps.slice(i, j) });
      i = j;
    }
    return out;
  }

  /** The [start, end) code-point ranges of a word's parts (joiners excluded). */
  function partsOf(chars) {
    const starts = [];
    let s = 0;
    for (let k = 0; k < chars.length; k++) {
      const c = chars[k];
      if (JOINERS.includes(c)) { starts.push([s, k]); s = k + 1; continue; }
      if (k > s) {
        const p = chars[k - 1];
        if ((isLower(p) && isUpper(c)) ||
            (isUpper(p) && isUpper(c) && k + 1 < chars.length && isLower(chars[k + 1]))) {
          starts.push([s, k]); s = k;
        }
      }
    }
    starts.push([s, chars.length]);
    return starts;
  }

  /** The terms of one word (code points): lowercase form, then parts and tails; deduplicated,
   *  terms over 64 bytes dropped. */
  function wordTerms(chars) {
    const starts = partsOf(chars);
    const terms = [chars.join("").toLowerCase()];
    if (starts.length > 1) {
      for (const [a, b] of starts) terms.push(chars.slice(a, b).join("").toLowerCase());
      for (let p = 1; p < starts.length; p++) terms.push(chars.slice(starts[p][0]).join("").toLowerCase());
    }
    return [...new Set(terms)].filter((t) => t && utf8len(t) <= 64);
  }

  // ------------------------------------------------------------------ pasted text
  // Mirrors src/search/pasted.rs: pager decoration and label syntax go, generated suffixes of
  // Kubernetes names are dropped from words the index does not hold, stop words do not count.

  const NOISE_LABELS = ["severity", "priority", "prometheus", "prometheus_replica", "receiver",
    "instance", "job", "endpoint", "alertstate", "le", "quantile"];
  const STOP_WORDS = new Set(["a", "an", "and", "are", "as", "at", "be", "been", "by", "for",
    "from", "has", "have", "in", "is", "it", "its", "of", "on", "or", "the", "this", "that", "to",
    "was", "were", "will", "with", "into"]);
  const STATUS = ["firing", "resolved", "alert", "alerting", "triggered", "problem", "recovered",
    "ok", "acknowledged", "warning", "critical", "info", "error", "no data"];
  const MAX_BRACKET = 40;
  const allDigits = (t) => /^[0-9]+$/.test(t);

  function isStatus(inner) {
    const s = inner.trim().toLowerCase();
    let word = s;
    const colon = s.indexOf(":");
    if (colon >= 0) {
      if (!allDigits(s.slice(colon + 1).trim())) return false;
      word = s.slice(0, colon).trimEnd();
    }
    return STATUS.includes(word) || (word[0] === "p" && allDigits(word.slice(1))) ||
      (word[0] === "#" && allDigits(word.slice(1))) || allDigits(word);
  }

  const nameStart = (c) => /^[A-Za-z_]$/.test(c);
  const nameChar = (c) => c !== undefined && /^[A-Za-z0-9_]$/.test(c);
  const valueEnd = (c) => /^\s$/u.test(c) || ",{}()\"'`".includes(c);

  /** A label pair at `i`: [name, value, end] or null. */
  function labelPair(chars, i) {
    let k = i;
    while (k < chars.length && nameChar(chars[k])) k++;
    const name = chars.slice(i, k).join("");
    let m = k;
    while (chars[m] === " ") m++;
    const a = chars[m], b = chars[m + 1];
    if (((a === "=" || a === "!") && b === "~") || (a === "!" && b === "=")) m += 2;
    else if (a === "=" && b !== "=") m += 1;
    else return null;
    while (chars[m] === " ") m++;
    const q = chars[m];
    if (q === undefined) return null;
    if (q === '"' || q === "'") {
      const close = chars.indexOf(q, m + 1);
      if (close < 0) return null;
      return [name.toLowerCase(), chars.slice(m + 1, close).join(""), close + 1];
    }
    let e = m;
    while (e < chars.length && !valueEnd(chars[e])) e++;
    if (e === m) return null;
    return [name.toLowerCase(), chars.slice(m, e).join(""), e];
  }

  function cleanPasted(text) {
    const chars = Array.from(text);
    let out = "";
    let i = 0;
    while (i < chars.length) {
      const c = chars[i];
      if (c === "[") {
        let j = -1;
        for (let k = i + 1; k < chars.length && k <= i + 1 + MAX_BRACKET; k++) {
          if (chars[k] === "]" || chars[k] === "[") { if (chars[k] === "]") j = k; break; }
        }
        if (j >= 0 && isStatus(chars.slice(i + 1, j).join(""))) { out += " "; i = j + 1; continue; }
      }
      if (nameStart(c) && (i === 0 || !nameChar(chars[i - 1]))) {
        const pair = labelPair(chars, i);
        if (pair) {
          out += " ";
          if (!NOISE_LABELS.includes(pair[0])) out += pair[1] + " ";
          i = pair[2];
          continue;
        }
        while (i < chars.length && nameChar(chars[i])) out += chars[i++];
        continue;
      }
      out += c;
      i++;
    }
    return out;
  }

  function isGenerated(seg) {
    if (!/^[a-z0-9]{4,10}$/.test(seg)) return false;
    const digit = /[0-9]/.test(seg), letter = /[a-z]/.test(seg);
    return (digit && letter) || (seg.length === 5 && !/[aeiouy]/.test(seg));
  }

  /** `word` without its generated suffixes, or null. */
  function stripHash(word) {
    let end = word.length;
    for (let n = 0; n < 2; n++) {
      const dash = word.lastIndexOf("-", end - 1);
      if (dash <= 0 || !isGenerated(word.slice(dash + 1, end))) break;
      end = dash;
    }
    return end < word.length ? word.slice(0, end) : null;
  }

  /** analyze(text) -> [{term, pos}], as in docs/search.md. */
  function analyze(text) {
    const out = [];
    words(text).forEach((w, pos) => { for (const term of wordTerms(w.chars)) out.push({ term, pos }); });
    return out;
  }

  // ------------------------------------------------------------------ loading

  const script = document.querySelector('script[src$="search.js"]') || document.currentScript;
  const ROOT = new URL("../", script ? script.src : location.href).href;
  const FILE = location.protocol === "file:";
  const cache = new Map();
  // Where the index is: the site's root, or a composed handbook's when this site is a part of
  // one (its index.json says `"handbook": "../"`; docs/many-repos.md). Results link from it.
  let BASE = ROOT;

  function fetchJSON(path) {
    if (!cache.has(path)) {
      const p = fetch(BASE + "search/" + path).then((r) => {
        if (!r.ok) throw new Error("HTTP " + r.status + " for search/" + path);
        return r.json();
      });
      p.catch(() => cache.delete(path));          // let a later query retry
      cache.set(path, p);
    }
    return cache.get(path);
  }

  /** The URL of a page, from its site-relative url ("runbooks/x/"). */
  function pageURL(u) {
    return BASE + u + (FILE && (u === "" || u.endsWith("/")) ? "index.html" : "");
  }

  // Code-point order (as Rust compares strings), not UTF-16 order.
  function cmp(a, b) {
    const n = Math.min(a.length, b.length);
    for (let i = 0; i < n; i++) {
      let x = a.charCodeAt(i), y = b.charCodeAt(i);
      if (x === y) continue;
      if (x >= 0xd800) x += x < 0xe000 ? 0x2000 : -0x800;
      if (y >= 0xd800) y += y < 0xe000 ? 0x2000 : -0x800;
      return x - y;
    }
    return a.length - b.length;
  }

  let index = null;
  async function loadIndex() {
    if (!index) {
      index = fetchJSON("index.json").then((ix) => {
        // Followed once, and only up: the pointer never leads off the handbook.
        if (BASE === ROOT && typeof ix.handbook === "string" && /^(\.\.\/)+$/.test(ix.handbook)) {
          BASE = new URL(ix.handbook, ROOT).href;
          cache.clear();
          return fetchJSON("index.json");
        }
        return ix;
      }).then((ix) => {
        ix.shardData = new Map();
        ix.q = Object.assign({}, Q, ix.query);
        for (const k of ["exact", "exact_single", "prefix", "typo", "phrase"]) ix.q[k] = f32(ix.q[k]);
        return ix;
      });
      index.catch(() => { index = null; });
    }
    return index;
  }

  /** Shard holding `term`: the last one whose first term is <= term. */
  function shardOf(ix, term) {
    let lo = 0, hi = ix.shards.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (cmp(ix.shards[mid], term) <= 0) lo = mid; else hi = mid - 1;
    }
    return lo;
  }

  async function loadShard(ix, i) {
    if (!ix.shardData.has(i)) {
      ix.shardData.set(i, fetchJSON("t/" + i + ".json").then((obj) => {
        const done = new Map();         // terms decoded so far
        const map = {
          get(t) {
            if (!done.has(t)) done.set(t, Object.prototype.hasOwnProperty.call(obj, t) ? decodePostings(obj[t]) : undefined);
            return done.get(t);
          },
        };
        return { map, keys: Object.keys(obj).sort(cmp) };
      }));
    }
    return ix.shardData.get(i);
  }

  /** A term's postings from its flat array (docs/search.md): [[doc, field, tf, [pos], norm]]. */
  function decodePostings(a) {
    const out = [];
    let d = 0;
    for (let i = 0; i + 4 <= a.length;) {
      d += a[i];
      const f = a[i + 1], n = a[i + 2], tf = a[i + 3];
      const pos = new Array(tf);
      let p = 0;
      for (let k = 0; k < tf; k++) { p += a[i + 4 + k]; pos[k] = p; }
      out.push([d, f, tf, pos, n]);
      i += 4 + tf;
    }
    return out;
  }

  const docChunk = (ix, d) => fetchJSON("d/" + Math.floor(d / ix.doc_chunk) + ".json");
  const textChunk = (ix, d) => fetchJSON("x/" + Math.floor(d / ix.text_chunk) + ".json");
  async function docMeta(ix, d) { return (await docChunk(ix, d))[d % ix.doc_chunk]; }
  async function docText(ix, d) { return (await textChunk(ix, d))[d % ix.text_chunk]; }

  // ------------------------------------------------------------------ query
  // Mirrors src/search/query.rs and client.rs (`Reference`): same expansion, same f32
  // arithmetic, so that the browser ranks as `fieldbook search` does.

  const f32 = Math.fround;
  // Defaults of the query constants; index.json's `query` object overrides them.
  const Q = { exact: 1, exact_single: 3, prefix: f32(0.6), typo: f32(0.4), phrase: 3,
    prefix_min_chars: 3, prefix_max_terms: 50, typo_max_terms: 16,
    max_query_bytes: 512, max_query_words: 16 };
  const K1 = f32(1.2), B = f32(0.75);
  // Shards read for one prefix or typo range, at most; doc chunks fetched to filter one query,
  // at most, and at once; results whose snippets are fetched at once (the rest when they
  // scroll into view; the header's dropdown shows only these).
  const tune = { rangeShards: 3, maxChunks: 32, batch: 8, snippets: 5 };

  /** `text` cut to at most `max` UTF-8 bytes, at a character boundary. */
  function cutText(text, max) {
    if (utf8len(text) <= max) return text;
    let n = 0, end = 0;
    for (const c of text) {
      const l = utf8len(c);
      if (n + l > max) break;
      n += l; end += c.length;
    }
    return text.slice(0, end);
  }

  /** Words and quoted phrases (an unclosed quote runs to the end); repeated words once.
   *  Bounded as query.rs bounds it (`parse`): the first max_query_bytes of the text and the
   *  first max_query_words words; `out.truncated` says that something was left out. */
  function parseQuery(text, q = Q) {
    const out = [];
    const cut = cutText(text, q.max_query_bytes);
    let truncated = cut.length < text.length;
    const read = cleanPasted(cut);
    let left = q.max_query_words;
    read.split('"').forEach((chunk, i) => {
      const ws = words(chunk).map((w, pos) => [w.chars.join("").toLowerCase(), pos, w.chars]);
      if (i % 2 === 1) {
        let ph = ws.filter(([t]) => utf8len(t) <= 64);
        if (ph.length > left) { ph = ph.slice(0, left); truncated = true; }
        left -= ph.length;
        if (ph.length) out.push({ phrase: ph.map(([t, pos]) => [t, pos]), written: ph.map((w) => w[2].join("")).join(" ") });
      } else {
        for (const [t, , chars] of ws) {
          if (out.some((e) => e.word === t)) continue;
          if (left === 0) { truncated = true; break; }
          left--;
          out.push({ word: t, written: chars.join(""), ident: partsOf(chars).length > 1 });
        }
      }
    });
    out.truncated = truncated;
    return out;
  }

  /** The note shown when a query was cut (the words as query.rs's `truncation` says). */
  const truncationNote = (q) => "The query was cut: only its first " + q.max_query_words +
    " words within its first " + q.max_query_bytes + " bytes were searched for.";

  const typoBudget = (n) => (n >= 9 ? 2 : n >= 4 ? 1 : 0);

  function osa(a, b, max) {
    const n = a.length, m = b.length;
    if (Math.abs(n - m) > max) return max + 1;
    let pp = null, p = [];
    for (let j = 0; j <= m; j++) p[j] = j;
    for (let i = 1; i <= n; i++) {
      const c = [i];
      let low = i;
      for (let j = 1; j <= m; j++) {
        let v = Math.min(p[j] + 1, c[j - 1] + 1, p[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
        if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) v = Math.min(v, pp[j - 2] + 1);
        c[j] = v;
        if (v < low) low = v;
      }
      if (low > max) return max + 1;
      pp = p; p = c;
    }
    return Math.min(p[m], max + 1);
  }

  /** The shards holding the terms that start with `prefix`: all of them when they are at most
   *  tune.rangeShards, else that many around `near` (where the word itself sorts). The
   *  terminal sees every term: past this cap a prefix or typo may find fewer variants. */
  function rangeShards(ix, prefix, near) {
    const lo = shardOf(ix, prefix);
    let hi = lo;
    while (hi + 1 < ix.shards.length && ix.shards[hi + 1].startsWith(prefix)) hi++;
    let a = lo, b = hi;
    if (hi - lo + 1 > tune.rangeShards) {
      const s = Math.min(Math.max(shardOf(ix, near), lo), hi);
      a = Math.max(lo, Math.min(s - 1, hi - tune.rangeShards + 1));
      b = a + tune.rangeShards - 1;
    }
    const out = [];
    for (let i = a; i <= b; i++) out.push(i);
    return out;
  }

  /** What each query element reads: [{el, exact: shard, prefix: [shards]}] for a word and,
   *  when it has generated suffixes, the same for the word without them (`alt`); a phrase's
   *  words' shards. Typo shards are chosen once the exact and prefix matches are known. */
  function shardPlan(ix, elements) {
    const reads = (w) => ({
      word: w, n: Array.from(w).length, exact: shardOf(ix, w),
      prefix: Array.from(w).length >= ix.q.prefix_min_chars ? rangeShards(ix, w, w) : [],
    });
    return elements.map((el) => {
      if (el.phrase) return { el, phrase: el.phrase.map(([t]) => shardOf(ix, t)) };
      const alt = stripHash(el.word);
      return { el, own: reads(el.word), alt: alt === null ? null : reads(alt), typo: [] };
    });
  }

  /** The `n` terms with the most postings, ties in term order. */
  function best(found, n) {
    return found.sort((a, b) => b[1].length - a[1].length || cmp(a[0], b[0])).slice(0, n);
  }

  function scan(shard, list, keep) {
    const found = [];
    for (const i of list) {
      const sh = shard(i);
      for (const t of sh.keys) if (keep(t)) found.push([t, sh.map.get(t)]);
    }
    return found;
  }

  /** Exact and prefix variants of a word read as `r` (see shardPlan): [[term, factor, postings]]. */
  function direct(q, r, shard, single) {
    const w = r.word;
    const out = [];
    const own = shard(r.exact).map.get(w);
    if (own) out.push([w, single ? q.exact_single : q.exact, own]);
    if (r.prefix.length) {
      for (const [t, p] of best(scan(shard, r.prefix, (t) => t !== w && t.startsWith(w)), q.prefix_max_terms)) out.push([t, q.prefix, p]);
    }
    return out;
  }

  /** Decide which form of a word is searched for (`sp.word`: the word, else without its
   *  generated suffixes when the word matches nothing exactly or as a prefix) and its direct
   *  variants; a word left without any reads its typo shards next (`sp.typo`). */
  function choose(ix, sp, shard, single) {
    let r = sp.own, d = direct(ix.q, r, shard, single);
    if (!d.length && sp.alt) { r = sp.alt; d = direct(ix.q, r, shard, single); }
    sp.word = r.word;
    sp.direct = d;
    sp.typo = !d.length && typoBudget(r.n) ? rangeShards(ix, Array.from(r.word)[0], r.word) : [];
  }

  /** Variants of a word after `choose` (empty: the word matches nothing): its direct ones,
   *  else its typos (once `sp.typo`'s shards are in). */
  function variants(q, sp, shard) {
    if (sp.direct.length || !sp.typo.length) return sp.direct;
    const w = sp.word, wc = Array.from(w), first = wc[0], budget = typoBudget(wc.length);
    const found = scan(shard, sp.typo, (t) => t.startsWith(first) && !t.startsWith(w) &&
      osa(wc, Array.from(t), budget) <= budget);
    return best(found, q.typo_max_terms).map(([t, p]) => [t, q.typo, p]);
  }

  function idf(N, df) {
    return f32(Math.log(f32(1 + f32(f32(f32(N - df) + 0.5) / f32(f32(df) + 0.5)))));
  }

  function bm25(idfv, tf, len, avg) {
    const weight = f32(idfv * f32(1 + K1));
    const norm = f32(K1 * f32(f32(1 - B) + f32(f32(B * len) / avg)));
    return f32(weight * f32(tf / f32(tf + norm)));
  }

  /** Postings per field, for document frequencies. */
  function fieldDF(postings) {
    const df = new Map();
    for (const p of postings) df.set(p[1], (df.get(p[1]) || 0) + 1);
    return df;
  }

  /** Everything about a query that needs no doc metadata: the elements that match, the docs
   *  matching all of them (AND) and, per doc, what scores it. */
  const prepared = new Map();       // the last queries' preparations (typing goes back and forth)
  async function prepare(text) {
    if (prepared.has(text)) return prepared.get(text);
    const p = prepareNew(text);
    prepared.set(text, p);
    p.catch(() => prepared.delete(text));
    if (prepared.size > 24) prepared.delete(prepared.keys().next().value);
    return p;
  }

  async function prepareNew(text) {
    const ix = await loadIndex();
    const elements = parseQuery(text, ix.q);
    const single = elements.length === 1 && elements[0].word !== undefined;
    const plan = shardPlan(ix, elements);
    const need = new Set();
    for (const sp of plan) {
      for (const r of [sp.own, sp.alt]) if (r) [r.exact, ...r.prefix].forEach((i) => need.add(i));
      (sp.phrase || []).forEach((i) => need.add(i));
    }
    const shards = new Map();
    await Promise.all([...need].map(async (i) => shards.set(i, await loadShard(ix, i))));
    const shard = (i) => shards.get(i);
    // Words that match no term exactly or as a prefix may match with a typo: fetch those shards.
    const typo = new Set();
    for (const sp of plan) {
      if (sp.el.word === undefined) continue;
      choose(ix, sp, shard, single);
      sp.typo.forEach((i) => { if (!shards.has(i)) typo.add(i); });
    }
    await Promise.all([...typo].map(async (i) => shards.set(i, await loadShard(ix, i))));
    const onlyStop = elements.every((e) => e.word !== undefined && STOP_WORDS.has(e.word));
    const alertField = ix.fields.indexOf("alerts");
    const N = ix.docs;
    const clauses = [];        // [{boost: [per field], hits: Map doc -> [[f, factor, idf, tf]]}]
    const highlight = new Map();       // term → index of its query element (in `clauses`)
    const exactHits = (postings, factor, add) => {
      const idfs = [];
      for (const [f, n] of fieldDF(postings)) idfs[f] = idf(N, n);
      for (const [d, f, tf, , n] of postings) add(d, [f, factor, idfs[f], tf, n]);
    };
    const group = (boost) => {
      const hits = new Map();
      return { boost, hits, add: (d, h) => { if (!hits.has(d)) hits.set(d, []); hits.get(d).push(h); } };
    };
    const weights = ix.weights.map(f32);
    ix.clauses = ix.clauses || new Map();     // an element's clause, the same in every query
    for (const sp of plan) {
      const key = (single ? "1" : "0") + JSON.stringify(sp.el);
      if (!ix.clauses.has(key)) {
        ix.clauses.set(key, buildClause(sp));
        if (ix.clauses.size > 64) ix.clauses.delete(ix.clauses.keys().next().value);
      }
      const c = ix.clauses.get(key);
      if (!c.groups[0].hits.size) continue;              // matches nothing: ignored
      c.terms.forEach((t) => { if (!highlight.has(t)) highlight.set(t, clauses.length); });
      // Its part in ranking (query.rs `Planned`): counted unless a stop word; a pasted alert
      // name (an identifier in a longer query that some document has among its alerts).
      const isWord = sp.el.word !== undefined;
      const counts = !isWord || onlyStop || !STOP_WORDS.has(sp.word);
      let alertDocs = null;
      if (isWord && sp.el.ident && elements.length > 1 && sp.word === sp.el.word) {
        const own = shard(sp.own.exact).map.get(sp.word) || [];
        if (own.some((p) => p[1] === alertField)) alertDocs = new Set(own.filter((p) => p[1] === alertField).map((p) => p[0]));
      }
      clauses.push({ c, counts, alertDocs, text: isWord ? writtenAs(sp) : sp.el.written });
    }
    function buildClause(sp) {
      let groups, terms;
      if (sp.el.word !== undefined) {
        const g = group(weights);
        const vs = variants(ix.q, sp, shard);
        for (const [, factor, postings] of vs) exactHits(postings, factor, g.add);
        groups = [g];
        terms = vs.map((v) => v[0]);
      } else if (sp.el.phrase.length === 1) {       // a quoted word: exact, weighs as a phrase
        const [t] = sp.el.phrase[0];
        const g = group(weights);
        exactHits(shard(sp.phrase[0]).map.get(t) || [], ix.q.phrase, g.add);
        groups = [g];
        terms = [t];
      } else {
        // The phrase (required), plus the exact score of each of its distinct words.
        const lists = sp.el.phrase.map(([t], k) => shard(sp.phrase[k]).map.get(t));
        const g = group(weights.map((w) => f32(w * ix.q.phrase)));
        groups = [g];
        if (lists.every(Boolean)) {
          phraseHits(N, sp.el.phrase, lists, g.add);
          const seen = new Set();
          sp.el.phrase.forEach(([t], k) => {
            if (seen.has(t)) return;
            seen.add(t);
            const wg = group(weights);
            exactHits(lists[k], ix.q.exact, wg.add);
            groups.push(wg);
          });
        }
        terms = sp.el.phrase.map((p) => p[0]);
      }
      return { groups, terms, hits: groups[0].hits };
    }
    // Every doc matching some element; the ones matching more rank first (see byScore).
    const seen = new Map();
    for (const { c } of clauses) for (const d of c.hits.keys()) if (!seen.has(d)) seen.set(d, { d });
    const parts = [...seen.values()];
    for (const p of parts) {
      p.alerts = 0; p.matched = 0;
      for (const k of clauses) {
        if (k.alertDocs && k.alertDocs.has(p.d)) p.alerts++;
        if (k.counts && k.c.hits.has(p.d)) p.matched++;
      }
    }
    return { ix, clauses, parts, highlight, total: parts.length, truncated: elements.truncated,
      counted: clauses.filter((k) => k.counts).length,
      avg: ix.fields.map((f) => f32(ix.avg_len[f])), per: new Float64Array(ix.fields.length) };
  }

  // ------------------------------------------------------------------ nothing matched
  // Mirrors pasted.rs `closest`: the alert and service names nearest the query's words.

  const CLOSEST = 5;

  function closeness(word, name) {
    const w = word.toLowerCase(), n = name.toLowerCase(), wc = Array.from(w);
    if (wc.length < 3) return null;
    const budget = Math.max(2, Math.ceil(wc.length / 3));
    const d = n.includes(w) || (Array.from(n).length >= 3 && w.includes(n)) ? 0 : osa(wc, Array.from(n), budget);
    const parts = (s) => {
      const cs = Array.from(s);
      return [...new Set(partsOf(cs).map(([a, b]) => cs.slice(a, b).join("").toLowerCase()))]
        .filter((p) => Array.from(p).length >= 3);
    };
    const theirs = parts(name);
    const shared = parts(word).filter((p) => theirs.includes(p)).length;
    if (d > budget && !shared) return null;
    return [d <= budget ? d : Infinity, shared];
  }

  /** [[name, url]] nearest `words` first (then most shared parts, then name order). */
  function closest(words, pairs) {
    const found = [];
    for (const pair of pairs) {
      let bestKey = null;
      for (const w of words) {
        const k = closeness(w, pair[0]);
        if (k && (!bestKey || k[0] < bestKey[0] || (k[0] === bestKey[0] && k[1] > bestKey[1]))) bestKey = k;
      }
      if (bestKey) found.push([bestKey, pair]);
    }
    found.sort((a, b) => a[0][0] - b[0][0] || b[0][1] - a[0][1] || cmp(a[1][0], b[1][0]));
    return found.slice(0, CLOSEST).map((f) => f[1]);
  }

  /** The query's words as written, each once (query.rs `written_words`). */
  function writtenWords(text, q) {
    const out = [];
    for (const e of parseQuery(text, q)) for (const w of e.written.split(" ")) if (!out.includes(w)) out.push(w);
    return out;
  }

  let names = null;
  function loadNames() {
    if (!names) { names = fetchJSON("names.json"); names.catch(() => { names = null; }); }
    return names;
  }

  /** The empty state: the closest alerts and services, as links (text only). */
  async function closestList(ix, text) {
    const n = await loadNames();
    const words = writtenWords(text, ix.q);
    const li = el("li", "search-closest");
    for (const [key, label] of [["alerts", "Closest alerts"], ["services", "Closest services"]]) {
      const found = closest(words, n[key] || []);
      if (!found.length) continue;
      const p = el("p", null, label + ": ");
      found.forEach(([name, url], i) => {
        if (i) p.append(", ");
        const a = el("a");
        a.href = pageURL(url);
        a.append(key === "alerts" ? el("code", null, name) : name);
        p.append(a);
      });
      li.append(p);
    }
    return li.firstChild ? li : null;
  }

  /** A word as written, without what stripHash cut (query.rs `plan`). */
  function writtenAs(sp) {
    const w = sp.el.word, orig = sp.el.written, n = orig.length - (w.length - sp.word.length);
    const t = n >= 0 ? orig.slice(0, n) : "";
    return t.toLowerCase() === sp.word ? t : sp.word;
  }

  /** The counted elements doc `p` lacks (query.rs `missing`). */
  function missingOf(prep, p) {
    return prep.clauses.filter((k) => k.counts && !k.c.hits.has(p.d)).map((k) => k.text);
  }

  /** Hits of a phrase: its words at consecutive positions (as written) in one field; idf summed
   *  over the words, tf = occurrences. */
  function phraseHits(N, phrase, lists, add) {
    const base = phrase[0][1];
    const at = lists.map((l) => { const m = new Map(); for (const p of l) m.set(p[0] + ":" + p[1], p[3]); return m; });
    const dfs = lists.map(fieldDF);
    for (const [d, f, , pos0, n] of lists[0]) {
      const key = d + ":" + f;
      const others = at.slice(1).map((m) => m.get(key));
      if (others.some((o) => !o)) continue;
      const sets = others.map((o) => new Set(o));
      let count = 0;
      for (const p0 of pos0) if (sets.every((s, k) => s.has(p0 + phrase[k + 1][1] - base))) count++;
      if (!count) continue;
      let sum = 0;
      for (const df of dfs) sum = f32(sum + idf(N, df.get(f)));
      add(d, [f, 1, sum, count, n]);
    }
  }

  /** The score of doc `d`; each hit is [field, factor, idf, tf, field norm]. */
  function score(prep, d) {
    const avg = prep.avg, per = prep.per;
    let total = null;
    for (const { c } of prep.clauses) {
      if (!c.hits.has(d)) continue;
      let cs = null;
      for (const g of c.groups) {
        const hits = g.hits.get(d);
        if (!hits) continue;
        per.fill(-1);
        for (const h of hits) {
          const f = h[0];
          const s = f32(bm25(h[2], h[3], h[4], avg[f]) * h[1]);
          if (s > per[f]) per[f] = s;
        }
        let gs = 0;
        for (let f = 0; f < per.length; f++) if (per[f] >= 0) gs = f32(gs + f32(per[f] * g.boost[f]));
        cs = cs === null ? gs : f32(cs + gs);
      }
      total = total === null ? cs : f32(total + cs);
    }
    return total || 0;
  }

  // Pasted alert names held, then counted elements matched, then score; doc ids are in
  // content-path order, so ties go by path as in the terminal.
  const byScore = (a, b) => b.alerts - a.alerts || b.matched - a.matched || b.s - a.s || a.d - b.d;

  /** The best `limit` docs (passing `filter`). Postings carry the field norms, so every
   *  matching doc is scored exactly without doc metadata; only the docs shown fetch theirs.
   *  A filter reads the metadata of the candidates: all of them when they span at most
   *  tune.maxChunks doc chunks (an exact count), else chunk by chunk in score order until
   *  `limit` + 1 pass or tune.maxChunks chunks are read. */
  function rank(prep, limit, filter, key = "") {
    prep.ranked = prep.ranked || new Map();
    const k = limit + "|" + key;
    if (!filter || key) {
      if (!prep.ranked.has(k)) prep.ranked.set(k, rankNew(prep, limit, filter));
      return prep.ranked.get(k);
    }
    return rankNew(prep, limit, filter);
  }

  async function rankNew(prep, limit, filter) {
    const { ix, parts } = prep;
    if (!prep.order) {
      for (const p of parts) p.s = score(prep, p.d);
      prep.order = parts.slice().sort(byScore);
    }
    const order = prep.order;
    const meta = (ps) => Promise.all(ps.map(async (p) => { if (!p.meta) p.meta = await docMeta(ix, p.d); }));
    if (!filter) {
      const shown = order.slice(0, limit);
      await meta(shown);
      return { results: shown, count: prep.total, exactCount: true, more: order.length > limit };
    }
    const chunkOf = (p) => Math.floor(p.d / ix.doc_chunk);
    if (new Set(order.map(chunkOf)).size <= tune.maxChunks) {
      await meta(order);
      const list = order.filter((p) => filter(p.meta));
      return { results: list.slice(0, limit), count: list.length, exactCount: true, more: list.length > limit };
    }
    const list = [], loaded = new Set();
    let i = 0;
    while (i < order.length && list.length <= limit) {
      const batch = [], next = new Set();
      for (; i < order.length; i++) {
        const c = chunkOf(order[i]);
        if (!loaded.has(c) && !next.has(c)) {
          if (next.size >= tune.batch || loaded.size + next.size >= tune.maxChunks) break;
          next.add(c);
        }
        batch.push(order[i]);
      }
      if (!batch.length) break;
      await meta(batch);
      next.forEach((c) => loaded.add(c));
      for (const p of batch) if (filter(p.meta)) list.push(p);
    }
    return { results: list.slice(0, limit), count: list.length, exactCount: i >= order.length, more: list.length > limit };
  }

  /** For tests and scripts: ranked [{id, path, score, url, title, kind}], with `snippet`
   *  (plain text) when `snippets` is set. */
  async function search(query, { limit = 10, kind, service, team, snippets = false } = {}) {
    const prep = await prepare(query);
    const r = await rank(prep, limit, makeFilter({ kind, service, team }), [kind, service, team].join("|"));
    return Promise.all(r.results.map(async (p) => {
      const out = { id: p.d, path: p.meta.p, score: p.s, url: p.meta.u, title: p.meta.t, kind: p.meta.k,
        missing: missingOf(prep, p) };
      if (snippets) out.snippet = snippet(await docText(prep.ix, p.d), prep.highlight).textContent;
      return out;
    }));
  }

  function makeFilter(f) {
    if (!f.kind && !f.service && !f.team) return null;
    return (m) => (!f.kind || m.k === f.kind) && (!f.service || (m.sv || []).includes(f.service)) &&
      (!f.team || (m.tm || []).includes(f.team));
  }

  // ------------------------------------------------------------------ rendering

  const el = (tag, cls, text) => {
    const e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text != null) e.textContent = text;
    return e;
  };

  /** `text` as nodes, with the words whose terms are in `terms` wrapped in <mark>. */
  function marked(text, terms, from = 0, to = text.length) {
    const frag = document.createDocumentFragment();
    let at = from;
    for (const w of words(text.slice(from, to))) {
      if (!wordTerms(w.chars).some((t) => terms.has(t))) continue;
      frag.append(text.slice(at, from + w.start), el("mark", null, text.slice(from + w.start, from + w.end)));
      at = from + w.end;
    }
    frag.append(text.slice(at, to));
    return frag;
  }

  // Snippets, chosen as the terminal chooses them (src/search/query.rs `snippet_of`): from
  // the body, else from the headings, the window of SNIPPET bytes (UTF-8, as there) where the
  // most query elements match, the earliest of those, starting LEAD bytes before its first
  // match; cut at spaces near its ends.
  const SNIPPET = 200, LEAD = 40;

  /** UTF-8 byte offset of each UTF-16 offset of `text` (length + 1 entries). */
  function byteOffsets(text) {
    const b = new Array(text.length + 1);
    let n = 0;
    for (let i = 0; i < text.length; i++) {
      b[i] = n;
      const c = text.charCodeAt(i);
      if (c >= 0xd800 && c < 0xdc00 && i + 1 < text.length) { b[i + 1] = n; n += 4; i++; }
      else n += c < 0x80 ? 1 : c < 0x800 ? 2 : 3;
    }
    b[text.length] = n;
    return b;
  }

  /** The UTF-16 offset of the last character boundary at or before byte `pos`. */
  function floorChar(b, pos) {
    let lo = 0, hi = b.length - 1;
    while (lo < hi) { const mid = (lo + hi + 1) >> 1; if (b[mid] <= pos) lo = mid; else hi = mid - 1; }
    while (lo > 0 && b[lo - 1] === b[lo]) lo--;   // inside a surrogate pair: its start
    return lo;
  }

  /** `text` cut to the window starting near byte `start`, as nodes, its matches marked. */
  function cutSnippet(text, start, terms) {
    const b = byteOffsets(text), len = b[text.length];
    let s = start <= LEAD / 2 ? 0 : floorChar(b, Math.min(start, len));
    if (s > 0) {
      const sp = text.indexOf(" ", s);
      if (sp >= 0 && b[sp] - b[s] < LEAD / 2) s = sp + 1;
    }
    let e = floorChar(b, Math.min(b[s] + SNIPPET, len));
    if (e < text.length) {
      const sp = text.lastIndexOf(" ", e - 1);
      if (sp >= s && b[sp] - b[s] > SNIPPET / 2) e = sp;
    }
    const frag = document.createDocumentFragment();
    if (s > 0) frag.append("…");
    frag.append(marked(text, terms, s, e));
    if (e < text.length) frag.append("…");
    return frag;
  }

  /** A doc's snippet for the query's `terms` (term → query element): its stored text is the
   *  body, a newline and the headings (docs/search.md, `search/x/`). */
  function snippet(text, terms) {
    const nl = text.indexOf("\n");
    const sources = nl < 0 ? [text] : [text.slice(0, nl), text.slice(nl + 1)];
    for (const src of sources) {
      const b = byteOffsets(src);
      const hits = [];                       // [from, to, element], bytes
      for (const w of words(src)) {
        for (const t of wordTerms(w.chars)) if (terms.has(t)) hits.push([b[w.start], b[w.end], terms.get(t)]);
      }
      if (!hits.length) continue;
      let best = [0, 0];
      let first = 0;
      for (const [from] of hits) {
        const start = Math.max(0, from - LEAD);
        while (hits[first][0] < start) first++;
        const distinct = new Set();
        for (let k = first; k < hits.length && hits[k][0] <= start + SNIPPET; k++) {
          if (hits[k][1] <= start + SNIPPET) distinct.add(hits[k][2]);
        }
        if (distinct.size > best[1]) best = [start, distinct.size];
      }
      return cutSnippet(src, best[0], terms);
    }
    return cutSnippet(sources[0], 0, terms);
  }

  const KINDS = { runbook: "Runbook", postmortem: "Postmortem", course: "Course", lesson: "Lesson", page: "Page" };

  /** One result's content (title, badges, owners, review, snippet slot). */
  function resultBody(p, terms, link, missing = []) {
    const m = p.meta;
    const frag = document.createDocumentFragment();
    const title = el("span", "search-result-title");
    const t = link ? el("a") : el("span");
    if (link) t.href = pageURL(m.u);
    t.append(marked(m.t || m.u, terms));
    title.append(t);
    const tags = el("span", "search-result-tags");
    const kind = el("span", "kind kind-" + m.k, KINDS[m.k] || m.k);
    tags.append(kind);
    if (m.s === "stale") tags.append(" ", el("span", "badge badge-danger", "Stale"));
    else if (m.s === "due-soon") tags.append(" ", el("span", "badge badge-warn", "Review due soon"));
    else if (m.s === "never-reviewed") tags.append(" ", el("span", "badge badge-warn", "Never reviewed"));
    if (m.l) tags.append(" ", el("span", "badge badge-danger", "Lapsed owner"));
    else if (m.n) tags.append(" ", el("span", "badge badge-muted", "No owner named"));
    const meta = el("span", "search-result-meta");
    meta.append(el("span", null, "Owners: " + ((m.o && m.o.length) ? m.o.join(", ") : "none")));
    if (m.c) meta.append(" ", el("span", "channel", m.c));
    if (m.r) meta.append(" ", el("span", null, "Reviewed " + m.r));
    else if (m.s && m.s !== "untracked" && m.s !== "never-reviewed") meta.append(" ", el("span", null, "Never reviewed"));
    const snip = el("span", "search-result-snippet");
    frag.append(title, tags, meta, snip);
    // A result that lacks some words says which, as the terminal does (`missing:`).
    if (missing.length) frag.append(el("span", "search-result-missing", "Missing: " + missing.join(", ")));
    return { frag, snip };
  }

  function fillSnippet(ix, p, terms, snip, alive) {
    docText(ix, p.d).then((text) => {
      if (alive() && typeof text === "string" && !snip.firstChild) snip.append(snippet(text, terms));
    }, () => {});
  }

  /** Snippets of the first tune.snippets results now, of the others when they scroll into view. */
  const lazy = typeof IntersectionObserver === "function" ? new IntersectionObserver((entries) => {
    for (const e of entries) {
      if (!e.isIntersecting) continue;
      lazy.unobserve(e.target);
      const f = e.target.fieldbookSnippet;
      delete e.target.fieldbookSnippet;
      if (f) f();
    }
  }, { rootMargin: "200px" }) : null;
  function snippetLater(i, ix, p, terms, snip, alive) {
    const fill = () => fillSnippet(ix, p, terms, snip, alive);
    if (i < tune.snippets || !lazy) return fill();
    const target = snip.closest("li") || snip;
    target.fieldbookSnippet = fill;
    lazy.observe(target);
  }

  function failure(err) {
    if (FILE) {
      return "Search cannot load its index from a file:// page in this browser. Serve the site " +
        "over HTTP (for example `python3 -m http.server` in the site folder), or browse the " +
        "Runbooks, Postmortems and Courses indexes.";
    }
    return "Search is unavailable: its index could not be loaded (" + (err && err.message || err) + ").";
  }

  const quoted = (q) => "\u201c" + q + "\u201d";
  const plural = (n, w) => n + " " + w + (n === 1 ? "" : "s");

  // ------------------------------------------------------------------ combobox (every page)

  let uid = 0;
  function combobox(input) {
    const form = input.form;
    const id = input.id || "search-" + ++uid;
    const panel = el("div", "search-panel");
    panel.hidden = true;
    const list = el("ul", "search-listbox");
    list.id = id + "-listbox";
    list.setAttribute("role", "listbox");
    list.setAttribute("aria-label", "Search results");
    const note = el("p", "search-note");
    const status = el("div", "visually-hidden");
    status.setAttribute("role", "status");
    status.setAttribute("aria-live", "polite");
    panel.append(list, note);
    form.classList.add("search-has-panel");
    form.append(panel, status);
    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-expanded", "false");
    input.setAttribute("aria-controls", list.id);

    let options = [], active = -1, seq = 0, timer = 0;
    const open = (yes) => {
      panel.hidden = !yes;
      input.setAttribute("aria-expanded", yes && options.length ? "true" : "false");
      if (!yes) setActive(-1);
    };
    function setActive(i) {
      if (options[active]) options[active].el.setAttribute("aria-selected", "false");
      active = i;
      if (options[i]) {
        options[i].el.setAttribute("aria-selected", "true");
        input.setAttribute("aria-activedescendant", options[i].el.id);
        options[i].el.scrollIntoView({ block: "nearest" });
      } else input.removeAttribute("aria-activedescendant");
    }
    function go(i) { if (options[i]) location.href = options[i].href; }
    function allURL(q) {
      return ROOT + "search/" + (FILE ? "index.html" : "") + "?q=" + encodeURIComponent(q);
    }

    async function update() {
      const q = input.value.trim();
      const mine = ++seq;
      const alive = () => mine === seq;
      if (!q) { list.textContent = ""; options = []; note.textContent = ""; status.textContent = ""; open(false); return; }
      let r, prep;
      try {
        prep = await prepare(q);
        r = await rank(prep, 6, null);
      } catch (err) {
        if (!alive()) return;
        list.textContent = ""; options = [];
        note.textContent = failure(err);
        status.textContent = note.textContent;
        open(true);
        return;
      }
      if (!alive()) return;
      list.textContent = "";
      options = [];
      r.results.forEach((p, i) => {
        const li = el("li", "search-option");
        li.id = id + "-opt-" + i;
        li.setAttribute("role", "option");
        li.setAttribute("aria-selected", "false");
        const { frag, snip } = resultBody(p, prep.highlight, false, missingOf(prep, p));
        li.append(frag);
        if (i < tune.snippets) fillSnippet(prep.ix, p, prep.highlight, snip, alive);
        options.push({ el: li, href: pageURL(p.meta.u) });
        list.append(li);
      });
      if (r.results.length) {
        const li = el("li", "search-option search-all");
        li.id = id + "-opt-all";
        li.setAttribute("role", "option");
        li.setAttribute("aria-selected", "false");
        li.textContent = "All " + plural(r.count, "result") + " for " + quoted(q) + " \u2192";
        options.push({ el: li, href: allURL(q) });
        list.append(li);
      }
      active = -1;
      input.removeAttribute("aria-activedescendant");
      note.textContent = (prep.truncated ? truncationNote(prep.ix.q) + " " : "") +
        (r.results.length ? "" : "No results for " + quoted(q) + ".");
      status.textContent = r.results.length
        ? plural(r.count, "result") + " for " + quoted(q) + "; use the up and down arrows to choose"
        : note.textContent;
      open(true);
    }

    list.addEventListener("mousedown", (e) => e.preventDefault());  // keep focus in the input
    list.addEventListener("click", (e) => {
      const li = e.target.closest("[role=option]");
      const i = options.findIndex((o) => o.el === li);
      if (i >= 0) go(i);
    });
    input.addEventListener("focus", () => { loadIndex().catch(() => {}); if (input.value.trim() && options.length) open(true); });
    input.addEventListener("input", () => {
      loadIndex().catch(() => {});
      clearTimeout(timer);
      timer = setTimeout(update, 60);
    });
    input.addEventListener("blur", () => setTimeout(() => { if (document.activeElement !== input) open(false); }, 150));
    input.addEventListener("keydown", (e) => {
      if (e.altKey || e.ctrlKey || e.metaKey) return;
      const n = options.length;
      if (e.key === "ArrowDown" || e.key === "ArrowUp") {
        e.preventDefault();
        if (panel.hidden) { if (input.value.trim()) { open(true); if (!n) update(); } return; }
        if (!n) return;
        const down = e.key === "ArrowDown";
        setActive(active < 0 ? (down ? 0 : n - 1) : (active + (down ? 1 : n - 1)) % n);
      } else if (e.key === "Enter") {
        if (!panel.hidden && active >= 0) { e.preventDefault(); go(active); }
      } else if (e.key === "Escape") {
        if (!panel.hidden) { e.preventDefault(); open(false); } else if (input.value) { e.preventDefault(); input.value = ""; update(); }
      }
    });
    if (FILE) form.addEventListener("submit", (e) => { e.preventDefault(); location.href = allURL(input.value); });
  }

  // ------------------------------------------------------------------ the search page

  function searchPage(input, out) {
    const form = input.form;
    const status = document.getElementById("search-status");
    const filters = document.getElementById("search-filters");
    const params = new URLSearchParams(location.search);
    input.value = params.get("q") || "";
    const selects = {};
    let seq = 0, timer = 0, limit = 20;

    function state() {
      const s = { q: input.value.trim() };
      for (const k in selects) s[k] = selects[k].value;
      return s;
    }
    function syncURL() {
      const s = state();
      const p = new URLSearchParams();
      for (const k in s) if (s[k]) p.set(k, s[k]);
      const qs = p.toString();
      history.replaceState(null, "", location.pathname + (qs ? "?" + qs : ""));
    }
    async function run() {
      const s = state();
      const mine = ++seq;
      const alive = () => mine === seq;
      if (!s.q) { out.textContent = ""; status.textContent = "Type an alert name, an error message, a service or a symptom."; return; }
      let prep, r;
      try {
        prep = await prepare(s.q);
        r = await rank(prep, limit, makeFilter(s), [s.kind, s.service, s.team].join("|"));
      } catch (err) {
        if (alive()) { out.textContent = ""; status.textContent = failure(err); }
        return;
      }
      if (!alive()) return;
      out.textContent = "";
      r.results.forEach((p, i) => {
        const li = el("li", "search-result");
        li.dataset.path = p.meta.p || "";
        const { frag, snip } = resultBody(p, prep.highlight, true, missingOf(prep, p));
        li.append(frag);
        out.append(li);
        snippetLater(i, prep.ix, p, prep.highlight, snip, alive);
      });
      const filtered = Object.keys(selects).filter((k) => s[k]).map((k) => k + " " + s[k]);
      const n = r.exactCount ? plural(r.count, "result") : "More than " + plural(r.count, "result");
      if (!r.count) {
        closestList(prep.ix, s.q).then((li) => { if (li && alive()) out.append(li); }, () => {});
      }
      status.textContent = (r.count ? n : "No results") + " for " + quoted(s.q) +
        (filtered.length ? " (" + filtered.join(", ") + ")" : "") + (r.more ? "; showing the first " + r.results.length : "") + ".";
      if (prep.truncated) status.textContent += " " + truncationNote(prep.ix.q);
      if (r.more) {
        const li = el("li", "search-more");
        const b = el("button", null, "Show more results");
        b.type = "button";
        b.addEventListener("click", () => { limit += 20; run().then(() => { const a = out.querySelectorAll(".search-result a")[limit - 20]; if (a) a.focus(); }); });
        li.append(b);
        out.append(li);
      }
    }
    const later = () => { clearTimeout(timer); timer = setTimeout(() => { limit = 20; syncURL(); run(); }, 60); };
    input.addEventListener("input", later);
    form.addEventListener("submit", (e) => { e.preventDefault(); clearTimeout(timer); limit = 20; syncURL(); run(); });
    input.addEventListener("keydown", (e) => {
      if (e.key === "ArrowDown") {
        const a = out.querySelector(".search-result a");
        if (a) { e.preventDefault(); a.focus(); }
      } else if (e.key === "Escape" && input.value) { input.value = ""; later(); }
    });
    out.addEventListener("keydown", (e) => {
      if (e.key !== "ArrowDown" && e.key !== "ArrowUp") return;
      const links = [...out.querySelectorAll(".search-result a")];
      const i = links.indexOf(document.activeElement);
      if (i < 0) return;
      e.preventDefault();
      if (e.key === "ArrowUp" && i === 0) input.focus();
      else if (links[i + (e.key === "ArrowDown" ? 1 : -1)]) links[i + (e.key === "ArrowDown" ? 1 : -1)].focus();
    });

    status.textContent = "Loading the search index…";
    loadIndex().then((ix) => {
      if (filters) {
        for (const [key, label] of [["kind", "Kind"], ["service", "Service"], ["team", "Team"]]) {
          const values = (ix.filters && ix.filters[key]) || [];
          if (!values.length) continue;
          const wrap = el("span", "search-filter");
          const lab = el("label", null, label);
          const sel = el("select");
          sel.name = key;
          sel.id = "search-filter-" + key;
          lab.htmlFor = sel.id;
          sel.append(new Option(key === "kind" ? "Any kind" : "Any " + key, ""));
          for (const v of values) sel.append(new Option(key === "kind" ? KINDS[v] || v : v, v));
          sel.value = values.includes(params.get(key)) ? params.get(key) : "";
          sel.addEventListener("change", () => { limit = 20; syncURL(); run(); });
          selects[key] = sel;
          wrap.append(lab, sel);
          filters.append(wrap);
        }
        filters.hidden = false;
      }
      return run();
    }, (err) => { status.textContent = failure(err); });
  }

  // ------------------------------------------------------------------ start

  function init() {
    const results = document.getElementById("search-results");
    for (const input of document.querySelectorAll("#search-input, #header-search-input")) {
      if (!input.form) continue;
      if (results && input.id === "search-input") searchPage(input, results);
      else combobox(input);
    }
    document.addEventListener("keydown", (e) => {
      if (e.key !== "/" || e.ctrlKey || e.metaKey || e.altKey || e.defaultPrevented) return;
      const t = e.target;
      if (t && (t.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(t.tagName))) return;
      const input = document.getElementById("search-input") || document.getElementById("header-search-input");
      if (!input) return;
      e.preventDefault();
      input.focus();
      input.select();
    });
  }

  window.fieldbookSearch = { analyze, words, parseQuery, search, tune, root: ROOT };
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
