#!/usr/bin/env node
// Checks the source tree's imports: no import cycle between files of any package or app (type-only
// imports included, as madge --circular counts them), and core's worker side never importing its
// host side (packages/core/src/worker/ → packages/core/src/host/). Exits with 1 and names what is
// wrong; run by `pnpm run lint` and so by CI.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const IMPORT =
  /(?:^|[\s;])(?:import|export)\s[^'";]*?from\s*['"](\.{1,2}\/[^'"]+)['"]|import\s*\(\s*['"](\.{1,2}\/[^'"]+)['"]\s*\)|^\s*import\s*['"](\.{1,2}\/[^'"]+)['"]/gm;

function sourceFiles(dir) {
  const out = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...sourceFiles(path));
    else if (/\.(ts|mts)$/.test(name) && !name.endsWith('.d.ts')) out.push(path);
  }
  return out;
}

const roots = ['packages', 'apps'].flatMap((group) =>
  readdirSync(join(root, group))
    .map((name) => join(root, group, name, 'src'))
    .filter((dir) => {
      try {
        return statSync(dir).isDirectory();
      } catch {
        return false;
      }
    }),
);
const files = new Set(roots.flatMap(sourceFiles));
/** @type {Map<string, string[]>} */
const edges = new Map();
for (const file of files) {
  const text = readFileSync(file, 'utf8');
  const targets = [];
  for (const match of text.matchAll(IMPORT)) {
    const spec = match[1] ?? match[2] ?? match[3];
    const target = resolve(dirname(file), spec).replace(/\.(m?)js$/, '.$1ts');
    if (files.has(target)) targets.push(target);
  }
  edges.set(file, targets);
}

const problems = [];
// Strongly connected components (Tarjan): every component of more than one file is a cycle.
let index = 0;
const indexOf = new Map();
const low = new Map();
const stack = [];
const onStack = new Set();
function visit(file) {
  indexOf.set(file, index);
  low.set(file, index++);
  stack.push(file);
  onStack.add(file);
  for (const next of edges.get(file) ?? []) {
    if (!indexOf.has(next)) {
      visit(next);
      low.set(file, Math.min(low.get(file), low.get(next)));
    } else if (onStack.has(next)) {
      low.set(file, Math.min(low.get(file), indexOf.get(next)));
    }
  }
  if (low.get(file) === indexOf.get(file)) {
    const component = [];
    let member;
    do {
      member = stack.pop();
      onStack.delete(member);
      component.push(member);
    } while (member !== file);
    const selfLoop = (edges.get(file) ?? []).includes(file);
    if (component.length > 1 || selfLoop) {
      problems.push(
        `import cycle: ${component
          .map((f) => relative(root, f))
          .sort()
          .join(' ↔ ')}`,
      );
    }
  }
}
for (const file of files) if (!indexOf.has(file)) visit(file);

const workerSide = `${join(root, 'packages/core/src/worker')}/`;
const hostSide = `${join(root, 'packages/core/src/host')}/`;
for (const [file, targets] of edges) {
  if (!file.startsWith(workerSide)) continue;
  for (const target of targets) {
    if (target.startsWith(hostSide)) {
      problems.push(
        `worker side imports host side: ${relative(root, file)} → ${relative(root, target)}`,
      );
    }
  }
}

if (problems.length > 0) {
  for (const problem of problems) console.error(problem);
  process.exit(1);
}
console.log(`imports: ${files.size} files, no cycle, core's worker side free of its host side`);
