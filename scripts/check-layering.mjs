// Keeps the architecture the folder READMEs describe true: every folder of src/ has a README.md
// with a line
//     May import: `src/a`, `src/b`.        (or: May import: nothing of the project.)
// and no TypeScript file of that folder imports (or re-exports, or dynamically imports) a module of
// another folder that the line does not name. The declared rules themselves must not form a cycle.
// `npm run build` runs it before tsc, so a new upward import fails the build.
//
// usage: node scripts/check-layering.mjs [SRC_DIR]      exit 0 when everything holds, 1 otherwise
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, normalize, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const IMPORT = /(?:import|export)\s[^'"]*?from\s+['"](\.[^'"]+)['"]|import\(\s*['"](\.[^'"]+)['"]\s*\)|import\s+['"](\.[^'"]+)['"]/g;

/** The folders of src/ that own a README: top-level folders, and src/target/<arch>. */
export function layerFolders(src) {
  const folders = [];
  for (const name of readdirSync(src).sort()) {
    const path = join(src, name);
    if (!statSync(path).isDirectory()) continue;
    if (name === 'target') {
      for (const arch of readdirSync(path).sort()) if (statSync(join(path, arch)).isDirectory()) folders.push(`target/${arch}`);
    } else folders.push(name);
  }
  return folders;
}

/** The layer folder a source path belongs to (relative to src), or undefined for files at the root. */
function folderOf(src, path, folders) {
  const rel = relative(src, path).split(sep).join('/');
  return folders.find((f) => rel.startsWith(`${f}/`));
}

/** The folders a README's "May import:" line allows; undefined when the line is missing. */
export function allowedImports(readme) {
  const line = readme.split('\n').find((l) => /^May import:/.test(l.trim()));
  if (line === undefined) return undefined;
  return [...line.matchAll(/`src\/([a-z0-9/_-]+?)\/?`/g)].map((m) => m[1]);
}

function* sourceFiles(dir) {
  for (const name of readdirSync(dir).sort()) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) yield* sourceFiles(path);
    else if (/\.(ts|mts)$/.test(name) && !name.endsWith('.d.ts')) yield path;
  }
}

/** Every problem found under `src`, one line each. */
export function checkLayering(src) {
  const problems = [];
  const folders = layerFolders(src);
  const rules = new Map();
  for (const folder of folders) {
    const readme = join(src, folder, 'README.md');
    if (!existsSync(readme)) {
      problems.push(`src/${folder}: no README.md (it must say what the folder owns and what it may import)`);
      continue;
    }
    const allowed = allowedImports(readFileSync(readme, 'utf8'));
    if (allowed === undefined) {
      problems.push(`src/${folder}/README.md: no "May import:" line`);
      continue;
    }
    for (const a of allowed) {
      // a rule may name a folder or one of its parts (src/target/riscv for target/riscv)
      if (!folders.some((f) => f === a || f.startsWith(`${a}/`))) problems.push(`src/${folder}/README.md: may import \`src/${a}\`, which is not a folder of src`);
    }
    rules.set(folder, allowed);
  }
  const permits = (from, to) => (rules.get(from) ?? []).some((a) => to === a || to.startsWith(`${a}/`));
  for (const path of sourceFiles(src)) {
    const from = folderOf(src, path, folders);
    if (from === undefined || !rules.has(from)) continue;
    const text = readFileSync(path, 'utf8');
    for (const m of text.matchAll(IMPORT)) {
      const spec = m[1] ?? m[2] ?? m[3];
      const target = normalize(join(dirname(path), spec));
      const to = folderOf(src, target, folders);
      if (to === undefined || to === from || permits(from, to)) continue;
      const line = text.slice(0, m.index).split('\n').length;
      problems.push(`${relative(process.cwd(), path)}:${line}: imports ${spec} (src/${to}); src/${from}/README.md allows ${(rules.get(from) ?? []).map((a) => `src/${a}`).join(', ') || 'nothing'}`);
    }
  }
  // the declared rules must be a hierarchy: no folder may (transitively) import itself
  const cycle = findCycle(folders.filter((f) => rules.has(f)), (f) => folders.filter((g) => g !== f && permits(f, g)));
  if (cycle) problems.push(`the READMEs' "May import:" lines form a cycle: ${cycle.map((f) => `src/${f}`).join(' -> ')}`);
  return problems;
}

function findCycle(nodes, next) {
  const state = new Map();
  const stack = [];
  const visit = (n) => {
    state.set(n, 'open');
    stack.push(n);
    for (const m of next(n)) {
      if (state.get(m) === 'open') return [...stack.slice(stack.indexOf(m)), m];
      if (!state.has(m)) {
        const c = visit(m);
        if (c) return c;
      }
    }
    stack.pop();
    state.set(n, 'done');
    return undefined;
  };
  for (const n of nodes) {
    if (state.has(n)) continue;
    const c = visit(n);
    if (c) return c;
  }
  return undefined;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const src = process.argv[2] ?? join(dirname(fileURLToPath(import.meta.url)), '..', 'src');
  const problems = checkLayering(src);
  for (const p of problems) console.error(`check-layering: ${p}`);
  process.exit(problems.length === 0 ? 0 : 1);
}
