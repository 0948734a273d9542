#!/usr/bin/env node
// Checks that the npm package (package.json) and the JSR package (deno.json) publish the same
// thing: the same subpath exports, each npm export the build output of the same source file
// (types listed first), the same version and licence; that every source file exists and is
// in JSR's publish set; that `bin` and `types` point into the build. With `--dist`, also that
// every file the npm exports name exists in dist/ (run after `npm run build`).
//
// Usage: node scripts/check_exports.mjs [--dist]   (exit 1 and one line per problem)
import { existsSync, readFileSync, realpathSync } from "node:fs";
import { join } from "node:path";
import process from "node:process";
import { fileURLToPath } from "node:url";

/** Turns a JSR publish include/exclude pattern ("src/**\/*.ts") into a RegExp. */
function globToRegExp(glob) {
  let re = "";
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i];
    if (c === "*" && glob[i + 1] === "*") {
      re += glob[i + 2] === "/" ? "(?:.*/)?" : ".*";
      i += glob[i + 2] === "/" ? 2 : 1;
    } else if (c === "*") re += "[^/]*";
    else if (c === "?") re += "[^/]";
    else re += c.replace(/[.+^${}()|[\]\\]/g, "\\$&");
  }
  // A bare directory ("src/" or "src") includes everything under it.
  return new RegExp(`^${re.replace(/\/$/, "")}(?:/.*)?$`);
}

/** Whether `path` (relative, no "./") is published to JSR by deno.json's `publish`. */
export function inJsrPublish(deno, path) {
  const include = deno.publish?.include;
  const exclude = deno.publish?.exclude ?? [];
  const matches = (patterns) =>
    patterns.some((p) => globToRegExp(p.replace(/^\.\//, "")).test(path));
  return (include === undefined || matches(include)) && !matches(exclude);
}

/**
 * Returns the problems found (an empty array when all is well).
 * @param {object} pkg package.json
 * @param {object} deno deno.json
 * @param {{ root?: string, dist?: boolean }} options root: where files are looked up
 */
export function checkExports(pkg, deno, options = {}) {
  const problems = [];
  const root = options.root;
  const exists = (path) => root === undefined || existsSync(join(root, path));
  const npmExports = pkg.exports ?? {};
  const jsrExports = typeof deno.exports === "string" ? { ".": deno.exports } : deno.exports ?? {};
  if (typeof npmExports !== "object" || Object.keys(npmExports).some((k) => !k.startsWith("."))) {
    problems.push("package.json: exports must be an object of subpaths");
  }
  const npmKeys = Object.keys(npmExports).sort();
  const jsrKeys = Object.keys(jsrExports).sort();
  for (const key of npmKeys) {
    if (!(key in jsrExports)) {
      problems.push(`deno.json: exports lacks "${key}" (package.json has it)`);
    }
  }
  for (const key of jsrKeys) {
    if (!(key in npmExports)) {
      problems.push(`package.json: exports lacks "${key}" (deno.json has it)`);
    }
  }
  for (const key of jsrKeys) {
    const source = jsrExports[key];
    if (typeof source !== "string" || !/^\.\/.+\.ts$/.test(source)) {
      problems.push(
        `deno.json: exports["${key}"] must be a "./....ts" path, got ${JSON.stringify(source)}`,
      );
      continue;
    }
    const rel = source.slice(2);
    if (!exists(rel)) problems.push(`deno.json: exports["${key}"]: ${source} does not exist`);
    if (!inJsrPublish(deno, rel)) {
      problems.push(`deno.json: exports["${key}"]: ${source} is not in publish.include/exclude`);
    }
    const entry = npmExports[key];
    if (entry === undefined) continue;
    const base = `./dist/${rel.replace(/\.ts$/, "")}`;
    const want = { types: `${base}.d.ts`, default: `${base}.js` };
    if (typeof entry !== "object" || entry === null) {
      problems.push(
        `package.json: exports["${key}"] must be { types, default }, got ${JSON.stringify(entry)}`,
      );
      continue;
    }
    const conditions = Object.keys(entry);
    if (conditions[0] !== "types") {
      problems.push(
        `package.json: exports["${key}"]: "types" must come first (got ${conditions.join(", ")})`,
      );
    }
    if (conditions.at(-1) !== "default") {
      problems.push(
        `package.json: exports["${key}"]: "default" must come last (got ${conditions.join(", ")})`,
      );
    }
    for (const [condition, path] of Object.entries(want)) {
      if (entry[condition] !== path) {
        problems.push(
          `package.json: exports["${key}"].${condition} is ${JSON.stringify(entry[condition])}, ` +
            `expected "${path}" (the build of ${source})`,
        );
      } else if (options.dist && !exists(path.slice(2))) {
        problems.push(`package.json: exports["${key}"].${condition}: ${path} was not built`);
      }
    }
  }
  const rootTypes = npmExports["."]?.types;
  if (pkg.types !== undefined && pkg.types !== rootTypes) {
    problems.push(
      `package.json: "types" is ${pkg.types}, expected ${rootTypes} (exports["."].types)`,
    );
  }
  if (pkg.version !== deno.version) {
    problems.push(`Versions differ: package.json ${pkg.version}, deno.json ${deno.version}`);
  }
  if (pkg.license !== deno.license) {
    problems.push(`Licences differ: package.json ${pkg.license}, deno.json ${deno.license}`);
  }
  if (pkg.type !== "module") problems.push(`package.json: "type" must be "module"`);
  for (const field of ["dependencies", "peerDependencies", "optionalDependencies"]) {
    if (pkg[field] !== undefined && Object.keys(pkg[field]).length > 0) {
      problems.push(`package.json: has ${field} (the package must have no runtime dependencies)`);
    }
  }
  const bins = typeof pkg.bin === "string" ? { [pkg.name]: pkg.bin } : pkg.bin ?? {};
  for (const [name, path] of Object.entries(bins)) {
    if (!/^(\.\/)?dist\/.+\.js$/.test(path)) {
      problems.push(`package.json: bin "${name}" must point into dist/, got ${path}`);
    } else if (options.dist) {
      const file = path.replace(/^\.\//, "");
      if (!exists(file)) problems.push(`package.json: bin "${name}": ${path} was not built`);
      else if (
        root !== undefined &&
        !readFileSync(join(root, file), "utf8").startsWith("#!/usr/bin/env node\n")
      ) {
        problems.push(`package.json: bin "${name}": ${path} does not start with a node shebang`);
      }
    }
  }
  const files = pkg.files ?? [];
  if (!files.some((f) => /^(\.\/)?dist\/?$/.test(f))) {
    problems.push(`package.json: "files" must list dist/`);
  }
  return problems;
}

if (
  process.argv[1] !== undefined && fileURLToPath(import.meta.url) === realpathSync(process.argv[1])
) {
  const root = fileURLToPath(new URL("..", import.meta.url));
  const read = (name) => JSON.parse(readFileSync(join(root, name), "utf8"));
  const problems = checkExports(read("package.json"), read("deno.json"), {
    root,
    dist: process.argv.includes("--dist"),
  });
  for (const problem of problems) console.error(problem);
  const count = Object.keys(read("deno.json").exports).length;
  if (problems.length > 0) {
    console.error(`check_exports: ${problems.length} problem(s)`);
    process.exit(1);
  }
  console.log(`check_exports: package.json and deno.json agree on ${count} exports`);
}
