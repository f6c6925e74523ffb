#!/usr/bin/env node
/**
 * Dead-code check for `npm run check`: runs knip (config in knip.json) and fails on any unused file, dependency or
 * export that is not in .knip-known.json. That list holds what was already unused when the check was added, so
 * the check bites on every new one today while the old ones are removed file by file; an entry that is no longer
 * reported is printed so it can be deleted from the list. `--update` rewrites the list (only ever to shrink it).
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';

const KNOWN = new URL('../.knip-known.json', import.meta.url);
const KINDS = ['files', 'dependencies', 'devDependencies', 'unlisted', 'unresolved', 'exports', 'types', 'duplicates', 'enumMembers', 'binaries'];

function run() {
  try {
    return execFileSync('npx', ['knip', '--no-progress', '--reporter', 'json', '--no-exit-code'], { encoding: 'utf8', maxBuffer: 64 << 20 });
  } catch (e) {
    process.stderr.write(`knip-check: knip failed to run: ${e.message}\n`);
    process.exit(1);
  }
}

const report = JSON.parse(run());
const found = new Set();
for (const issue of report.issues ?? []) {
  for (const kind of KINDS) {
    for (const item of issue[kind] ?? []) {
      const name = Array.isArray(item) ? item.map((i) => i.name).join('|') : item.name;
      found.add(`${kind} ${issue.file} ${name}`);
    }
  }
}

if (process.argv.includes('--update')) {
  writeFileSync(KNOWN, JSON.stringify([...found].sort(), null, 2) + '\n');
  console.log(`knip-check: wrote ${found.size} known entries to .knip-known.json`);
  process.exit(0);
}

const known = new Set(JSON.parse(readFileSync(KNOWN, 'utf8')));
const fresh = [...found].filter((f) => !known.has(f)).sort();
const gone = [...known].filter((k) => !found.has(k)).sort();
if (gone.length) console.log(`knip-check: ${gone.length} known entr${gone.length === 1 ? 'y is' : 'ies are'} fixed; delete from .knip-known.json:\n  ${gone.join('\n  ')}`);
if (fresh.length) {
  console.error(`knip-check: ${fresh.length} new unused item(s) (kind file name). Remove them, or use them:\n  ${fresh.join('\n  ')}`);
  process.exit(1);
}
console.log(`knip-check: no new unused files, dependencies or exports (${known.size - gone.length} known).`);
