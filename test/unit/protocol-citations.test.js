"use strict";
/**
 * Every protocol citation in the code resolves inside the repository (issue 21, "One place per
 * rule"). Comments cite our protocol notes as `docs/protocol/<vendor>.md §N` (or `§N.M`, ranges
 * `§4.4–§4.11`, lists `§5.1/§5.2`), by a heading's name (`docs/protocol/navien.md, "Polling"`), or
 * as a bare `§N` / `quirk N` that belongs to the protocol file the same source file cited last.
 * The vendors' own specifications are not in the repository, so a "spec §N" citation, or a `§`
 * after any `.md` file that is not in the repository, fails.
 *
 * Scans whatever exists: every src/**\/*.ts and test/simulator/*.js, so files added later are
 * checked too.
 */
const assert = require("node:assert/strict");
const fs = require("node:fs");
const path = require("node:path");

const root = path.join(__dirname, "..", "..");

function walk(dir, keep) {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? walk(p, keep) : keep(e.name) ? [p] : [];
  });
}

function scannedFiles() {
  return [...walk(path.join(root, "src"), (n) => n.endsWith(".ts")), ...walk(path.join(root, "test", "simulator"), (n) => n.endsWith(".js"))];
}

/** A protocol document's sections (headings and "- §N" list items), heading texts and numbered quirks. */
function readDoc(rel) {
  const text = fs.readFileSync(path.join(root, rel), "utf8");
  const sections = new Set();
  const headings = [];
  const quirks = new Set();
  let inQuirks = false;
  for (const line of text.split("\n")) {
    const h = /^#+\s+(.*)$/.exec(line);
    if (h) {
      headings.push(h[1].replace(/^§[\d.]+\s*/, "").trim());
      inQuirks = /quirk/i.test(h[1]);
    }
    const s = /^(?:#+|\s*[-*])\s+§(\d+(?:\.\d+)*)(?![\d.]*\d)/.exec(line);
    if (s) sections.add(s[1]);
    const q = inQuirks && /^(\d+)(?:[–-](\d+))?\.\s/.exec(line);
    if (q) for (let n = Number(q[1]); n <= Number(q[2] ?? q[1]); n++) quirks.add(n);
  }
  return { sections, headings, quirks };
}

const docs = new Map();
function doc(rel) {
  if (!docs.has(rel)) docs.set(rel, fs.existsSync(path.join(root, rel)) ? readDoc(rel) : null);
  return docs.get(rel);
}

/** `§` numbers that belong to other documents than ours (standards, issue texts). */
const FOREIGN = /(MQTT \d(?:\.\d)*|RFC ?\d+|issue \d+|ISO[- ]?\d+)\s*$/i;
const MD_FILE = /(?<![\w/.-])((?:[\w.-]+\/)*[\w.-]+\.md)\b/g;
const SECTION = /§\s?(\d+(?:\.\d+)*)/g;
const QUIRK = /\bquirks? (\d+)(?:\s*[–-]\s*(\d+))?/gi;
const BARE_SPEC = /\bspecs?\b[^\n§]{0,40}§/i;

/**
 * The citations of one source text: [{line, file, section?, heading?, quirk?}] (file undefined when
 * a bare § has no protocol file before it), plus the problems found while reading them.
 */
function citationsOf(text) {
  const out = [];
  const problems = [];
  let current; // the docs/protocol file cited last in this source file
  text.split("\n").forEach((line, i) => {
    const n = i + 1;
    if (BARE_SPEC.test(line)) problems.push(`line ${n}: a "spec §" citation (the vendor's spec is not in the repository; cite docs/protocol/<vendor>.md): ${line.trim()}`);
    // Split the line at every .md mention: each piece's § belong to the file that opens it (or to `current`).
    const marks = [...line.matchAll(MD_FILE)].map((m) => ({ at: m.index, end: m.index + m[0].length, file: m[1] }));
    const pieces = [{ start: 0, file: undefined }, ...marks.map((m) => ({ start: m.end, file: m.file }))];
    pieces.forEach((piece, k) => {
      const stop = k + 1 < pieces.length ? marks[k].at : line.length;
      const body = line.slice(piece.start, stop);
      let file = current;
      if (piece.file) {
        const protocol = piece.file.startsWith("docs/protocol/");
        const cites = /^\s*[,(]?\s*§/.test(body);
        if (protocol) current = file = piece.file;
        else if (cites) {
          problems.push(`line ${n}: cites ${piece.file}, which is not a protocol file of the repository (docs/protocol/<vendor>.md)`);
          return;
        } else return; // a mention without a citation (README.md, CHANGELOG.md, …)
        // Heading names right after the file: , "A" and "B"
        const names = /^(?:\s*(?:,|and|;)?\s*"([^"]+)")+/.exec(body);
        if (names) for (const h of names[0].matchAll(/"([^"]+)"/g)) out.push({ line: n, file, heading: h[1] });
      }
      for (const m of body.matchAll(SECTION)) {
        if (FOREIGN.test(body.slice(0, m.index))) continue;
        out.push({ line: n, file, section: m[1] });
      }
      for (const m of body.matchAll(QUIRK)) {
        for (let q = Number(m[1]); q <= Number(m[2] ?? m[1]); q++) out.push({ line: n, file, quirk: q });
      }
    });
  });
  return { out, problems };
}

/** Problems of one source text: bare spec citations, missing files, sections, headings, quirks. */
function check(text) {
  const { out, problems } = citationsOf(text);
  for (const c of out) {
    const what = c.section !== undefined ? `§${c.section}` : c.heading !== undefined ? `"${c.heading}"` : `quirk ${c.quirk}`;
    if (!c.file) {
      problems.push(`line ${c.line}: ${what} without a protocol file (cite docs/protocol/<vendor>.md ${what} first)`);
      continue;
    }
    const d = doc(c.file);
    if (!d) problems.push(`line ${c.line}: ${c.file} does not exist`);
    else if (c.section !== undefined && !d.sections.has(c.section)) problems.push(`line ${c.line}: ${c.file} has no section §${c.section}`);
    else if (c.heading !== undefined && !d.headings.some((h) => h.toLowerCase().includes(c.heading.toLowerCase()))) problems.push(`line ${c.line}: ${c.file} has no heading "${c.heading}"`);
    else if (c.quirk !== undefined && !d.quirks.has(c.quirk)) problems.push(`line ${c.line}: ${c.file} lists no quirk ${c.quirk}`);
  }
  return problems;
}

describe("protocol citations in src and the simulator resolve inside the repository", () => {
  it("the scanner sees citations of every kind (sanity)", () => {
    const all = scannedFiles().flatMap((f) => citationsOf(fs.readFileSync(f, "utf8")).out);
    assert.ok(all.filter((c) => c.section).length > 50, "§ citations found");
    assert.ok(all.some((c) => c.heading), "heading citations found");
    assert.ok(all.some((c) => c.quirk), "quirk citations found");
    for (const vendor of ["navien", "nox", "waviot"]) assert.ok(all.some((c) => c.file === `docs/protocol/${vendor}.md`), `${vendor} cited`);
  });

  it("every cited file, section, heading and quirk exists, and no citation names the vendor's spec", () => {
    const problems = scannedFiles().flatMap((f) => check(fs.readFileSync(f, "utf8")).map((p) => `${path.relative(root, f)} ${p}`));
    assert.deepEqual(problems, []);
  });

  describe("the checker fails on broken citations", () => {
    const cases = [
      ["a bare spec citation", "/** Decoder (spec §5.1). */", /"spec §" citation/],
      ["a capitalised one", "/** Spec §1: base + /v2. */", /"spec §" citation/],
      ["the vendor's spec file", "/** Shapes (nox-package-api.md §5). */", /not a protocol file/],
      ["a missing protocol file", "/** See docs/protocol/acme.md §1. */", /acme\.md does not exist/],
      ["a missing section", "/** See docs/protocol/navien.md §99. */", /no section §99/],
      ["a missing subsection", "/** See docs/protocol/navien.md §10.9. */", /no section §10\.9/],
      ["a missing heading", '/** (docs/protocol/navien.md, "Requests and their answers"). */', /no heading/],
      ["a missing quirk", "/** docs/protocol/navien.md §16, quirk 99. */", /no quirk 99/],
      ["a bare § with no file before it", "/** Rules of §6.3. */", /without a protocol file/],
      ["a bare § of the file cited before, not in it", "/** docs/protocol/nox.md §5.1 */\n/** §77 */", /nox\.md has no section §77/],
    ];
    for (const [name, text, expected] of cases) {
      it(name, () => {
        const problems = check(text);
        assert.ok(
          problems.some((p) => expected.test(p)),
          `expected ${expected} in ${JSON.stringify(problems)}`,
        );
      });
    }

    it("accepts what it should: sections, ranges, lists, headings, quirks, bare § after a citation, standards", () => {
      const ok = [
        "/** (docs/protocol/navien.md §10 `dhwOperationSetting`, §13 reservation `mode`, §7) */",
        "/** docs/protocol/waviot.md §4.4–§4.11 */",
        "/** docs/protocol/nox.md §20.5.1/§20.5.2 */",
        '/** (docs/protocol/navien.md, "Transport" and "Reliability") */',
        "/** docs/protocol/navien.md §16, quirk 23 and quirks 20–21 */",
        "/** docs/protocol/nox.md §5.2 */\n/** §5.1 step 8 */",
        "/** the receiver must not assume packets align with frames (MQTT 3.1.1 §6) */",
        "/** see README.md for the nodes */",
      ];
      for (const text of ok) assert.deepEqual(check(text), [], text);
    });
  });
});
