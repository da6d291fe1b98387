#!/usr/bin/env node
// Bicep syntax gate. The Bicep CLI cannot be installed on every build machine, but tree-sitter-bicep can (it ships
// prebuilt binaries), so every .bicep file is parsed here and any ERROR or MISSING node fails the run. This is a
// syntax check, not a compiler: types, scopes and API versions are checked by `az bicep build` in GitHub Actions.
//
// Usage: node check-bicep.mjs [file-or-folder ...]   (default: the infra/ folder this script lives in)
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const Parser = require('tree-sitter');
const Bicep = require('tree-sitter-bicep');

const here = dirname(fileURLToPath(import.meta.url));
const infraRoot = resolve(here, '..');
const targets = process.argv.length > 2 ? process.argv.slice(2).map((p) => resolve(p)) : [infraRoot];

function collectBicepFiles(path, found) {
  const stat = statSync(path);
  if (stat.isFile()) {
    if (path.endsWith('.bicep')) found.push(path);
    return found;
  }
  for (const entry of readdirSync(path, { withFileTypes: true })) {
    if (entry.name === 'node_modules' || entry.name.startsWith('.')) continue;
    collectBicepFiles(join(path, entry.name), found);
  }
  return found;
}

// Explicit stack instead of recursion, so that deeply nested templates cannot overflow the call stack. Only subtrees
// that contain an error are entered; one report per broken region is enough.
function findProblems(tree) {
  const problems = [];
  const stack = [tree.rootNode];
  while (stack.length > 0) {
    const node = stack.pop();
    if (node.type === 'ERROR' || node.isMissing) {
      problems.push({
        kind: node.isMissing ? `missing '${node.type}'` : 'syntax error',
        line: node.startPosition.row + 1,
        column: node.startPosition.column + 1,
        text: node.text.split('\n')[0].slice(0, 60),
      });
      continue;
    }
    if (node.hasError) stack.push(...node.children);
  }
  return problems.sort((a, b) => a.line - b.line || a.column - b.column);
}

const parser = new Parser();
parser.setLanguage(Bicep);

const files = targets.flatMap((target) => collectBicepFiles(target, [])).sort();
if (files.length === 0) {
  console.error(`check-bicep: no .bicep files under ${targets.join(', ')}`);
  process.exit(2);
}

let failed = 0;
for (const file of files) {
  const text = readFileSync(file, 'utf8');
  // The default 32 KiB input buffer rejects larger files; size it to the text.
  const tree = parser.parse(text, null, { bufferSize: Math.max(32 * 1024, text.length * 2 + 1) });
  const problems = tree.rootNode.hasError ? findProblems(tree) : [];
  const name = relative(process.cwd(), file) || file;
  if (problems.length === 0) {
    console.log(`ok      ${name}`);
    continue;
  }
  failed += 1;
  for (const p of problems) {
    console.log(`FAILED  ${name}:${p.line}:${p.column}: ${p.kind} near '${p.text}'`);
  }
}

console.log(`check-bicep: ${files.length - failed} of ${files.length} Bicep files parsed without syntax errors`);
process.exit(failed === 0 ? 0 : 1);
