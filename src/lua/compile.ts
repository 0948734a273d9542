/**
 * Compiles a parsed chunk to JavaScript source and instantiates it with `new Function`.
 *
 * Each Lua function becomes one JavaScript function: Lua locals are `let` variables (JS
 * closures give Lua's upvalue semantics, fresh per loop iteration), calls pass arguments
 * directly and return one value, or an array for 0 or 2+ values, or a pending tail call
 * `[TAIL, f, args, site]` once the call depth passes TAIL_DEPTH. When the chunk mentions
 * coroutines, every function also gets a generator twin (`f.$g`) that runs inside
 * coroutines and can yield.
 *
 * @module
 */

import type { Expr, FuncDef, LocalVar, Stat } from "./ast.ts";
import { describe, ExprCompiler, type FnCtx, jsString } from "./compile_expr.ts";
import type { LuaFunction } from "./runtime.ts";

/** What compiled code sees as `H`: the helper functions, by name. */
export type Helpers = Record<string, unknown>;

/** The helpers compiled code destructures from `H`. */
export const HELPER_NAMES: readonly string[] = [
  "first",
  "multi",
  "drop",
  "callMeta",
  "index",
  "gget",
  "idx",
  "idxs",
  "setIdx",
  "setIdxs",
  "arith",
  "mod",
  "pow",
  "unm",
  "len",
  "concat",
  "lt",
  "le",
  "eq",
  "tableNew",
  "varargTable",
  "forNum",
  "forIter",
  "mkfn",
  "enterSlow",
  "tick",
  "SUSPEND",
  "TAIL",
  "EMPTY",
  "LuaTable",
];

function isMulti(e: Expr): boolean {
  return e.kind === "Call" || e.kind === "Method" || e.kind === "Vararg";
}

/** Generates the JavaScript of a chunk. */
class Compiler extends ExprCompiler {
  private loops = 0;

  constructor(base: number, private readonly coroutines: boolean) {
    super(base);
  }

  protected func(def: FuncDef): string {
    const normal = this.emitFunction(def, false);
    if (!this.coroutines) return normal;
    return `mkfn(${normal}, ${this.emitFunction(def, true)})`;
  }

  emitFunction(def: FuncDef, gen: boolean): string {
    const saved = this.fn;
    const ctx: FnCtx = { def, gen, temp: 0, maxTemp: 0 };
    this.fn = ctx;
    const params = def.params.map((p: LocalVar) => p.js);
    if (def.isVararg) params.push("...va");
    let body = this.block(def.body);
    if (def.argVar !== undefined) {
      body = `let ${def.argVar.js} = ${def.usesVararg ? "undefined" : "varargTable(va)"};\n${body}`;
    }
    const temps = [];
    for (let i = 1; i <= ctx.maxTemp; i++) temps.push(`$${i}`);
    this.fn = saved;
    return `function${gen ? "*" : ""} $f${def.id}(${params.join(", ")}) {
E.stk[++E.d] = E.at; ${
      gen
        ? "if ((E.d > E.maxDepth || --E.steps < 0) && enterSlow()) yield SUSPEND;"
        : "if (E.d > E.maxDepth || --E.steps < 0) enterSlow();"
    }
${temps.length > 0 ? `let ${temps.join(", ")};\n` : ""}${body}
E.d--; return EMPTY;
}`;
  }

  /**
   * The step check of a loop iteration: in a generator twin, a host's request to suspend
   * (LuaState.suspend from the hook) yields SUSPEND up to LuaState.start's run.
   */
  private stepCheck(line: number): string {
    // The loop's line is where the hook finds the script (an error it raises is placed there).
    const site = this.site(line);
    return this.fn.gen
      ? `if (--E.steps < 0) { E.at = ${site}; if (tick()) yield SUSPEND; }`
      : `if (--E.steps < 0) { E.at = ${site}; tick(); }`;
  }

  private block(stats: Stat[]): string {
    return stats.map((s) => {
      this.fn.temp = 0;
      return this.stat(s);
    }).join("\n");
  }

  private stat(s: Stat): string {
    switch (s.kind) {
      case "Local":
        return this.local(s.vars, s.exprs);
      case "LocalFunction":
        return `let ${s.v.js}; ${s.v.js} = ${this.func(s.func)};`;
      case "Assign":
        return this.assign(s.targets, s.exprs, s.line);
      case "CallStat":
        return `drop(${this.call(s.call as Expr & { kind: "Call" | "Method" }, false)});`;
      case "Do":
        return `{\n${this.block(s.body)}\n}`;
      case "While":
        return `while (${this.cond(s.cond)}) {\n${this.stepCheck(s.line)}\n${
          this.block(s.body)
        }\n}`;
      case "Repeat": {
        const body = this.block(s.body);
        this.fn.temp = 0;
        return `do {\n${this.stepCheck(s.line)}\n${body}\nif (${
          this.cond(s.cond)
        }) break;\n} while (true);`;
      }
      case "If": {
        let out = "";
        s.conds.forEach((c, i) => {
          this.fn.temp = 0;
          const test = this.cond(c);
          out += `${i === 0 ? "" : " else "}if (${test}) {\n${this.block(s.blocks[i])}\n}`;
        });
        if (s.orelse !== undefined) out += ` else {\n${this.block(s.orelse)}\n}`;
        return out;
      }
      case "NumFor":
        return this.numFor(s);
      case "GenFor":
        return this.genFor(s);
      case "Return":
        return this.ret(s.exprs);
      case "Break":
        return "break;";
    }
  }

  private local(vars: LocalVar[], exprs: Expr[]): string {
    const names = vars.map((v) => v.js);
    if (exprs.length === 0) return `let ${names.join(", ")};`;
    const last = exprs[exprs.length - 1];
    if (isMulti(last) && exprs.length <= vars.length) {
      if (vars.length === 1) return `let ${names[0]} = ${this.expr(last)};`;
      const t = this.temp();
      return `${t} = [${this.list(exprs)}];\nlet ${
        names.map((n, i) => `${n} = ${t}[${i}]`).join(", ")
      };`;
    }
    const decl = names.map((n, i) => i < exprs.length ? `${n} = ${this.expr(exprs[i])}` : n);
    const extra = exprs.slice(vars.length).map((e) => `${this.expr(e)};`);
    return `let ${decl.join(", ")};${extra.join("")}`;
  }

  /** Code storing `value` (a JS expression) into a target whose parts are already held. */
  private store(target: Expr, value: string, parts: string[], line: number): string {
    const site = this.site(line);
    if (target.kind === "Local") return `${target.v.js} = ${value};`;
    if (target.kind === "Global") {
      return `setIdxs(ENV, ${jsString(target.name)}, ${value}, ${site}, "");`;
    }
    const t = target as Expr & { kind: "Index" };
    const desc = jsString(describe(t.obj));
    if (t.key.kind === "String" && parts.length === 1) {
      return `setIdxs(${parts[0]}, ${jsString(t.key.value)}, ${value}, ${
        this.site(t.line)
      }, ${desc});`;
    }
    return `setIdx(${parts[0]}, ${parts[1]}, ${value}, ${this.site(t.line)}, ${desc});`;
  }

  private assign(targets: Expr[], exprs: Expr[], line: number): string {
    if (targets.length === 1 && exprs.length === 1) {
      const t = targets[0];
      const parts: string[] = [];
      if (t.kind === "Index") {
        parts.push(this.expr(t.obj));
        if (t.key.kind !== "String") parts.push(this.expr(t.key));
      }
      return this.store(t, this.expr(exprs[0]), parts, line);
    }
    const out: string[] = [];
    const held: string[][] = targets.map((t) => {
      if (t.kind !== "Index") return [];
      const o = this.temp();
      out.push(`${o} = ${this.expr(t.obj)};`);
      if (t.key.kind === "String") return [o];
      const k = this.temp();
      out.push(`${k} = ${this.expr(t.key)};`);
      return [o, k];
    });
    const values: string[] = [];
    const last = exprs[exprs.length - 1];
    if (isMulti(last) && exprs.length <= targets.length) {
      const m = this.temp();
      out.push(`${m} = [${this.list(exprs)}];`);
      for (let i = 0; i < targets.length; i++) values.push(`${m}[${i}]`);
    } else {
      exprs.forEach((e, i) => {
        if (i < targets.length) {
          const v = this.temp();
          out.push(`${v} = ${this.expr(e)};`);
          values.push(v);
        } else out.push(`${this.expr(e)};`);
      });
      while (values.length < targets.length) values.push("undefined");
    }
    for (let i = targets.length - 1; i >= 0; i--) {
      out.push(this.store(targets[i], values[i], held[i], line));
    }
    return out.join("\n");
  }

  private ret(exprs: Expr[]): string {
    if (exprs.length === 0) return "E.d--; return EMPTY;";
    const r = this.temp();
    if (exprs.length === 1) {
      const e = exprs[0];
      if ((e.kind === "Call" || e.kind === "Method") && !this.fn.gen) {
        return `return ${this.call(e, true)};`;
      }
      if (e.kind === "Call" || e.kind === "Method") {
        return `${r} = ${this.call(e, false)}; E.d--; return ${r};`;
      }
      if (e.kind === "Vararg") return "E.d--; return va;";
      return `${r} = ${this.expr(e)}; E.d--; return ${r};`;
    }
    return `${r} = [${this.list(exprs)}]; E.d--; return ${r};`;
  }

  private numFor(s: Stat & { kind: "NumFor" }): string {
    const n = ++this.loops;
    const [a, b, c] = [`$a${n}`, `$b${n}`, `$c${n}`];
    const site = this.site(s.line);
    const check = (v: string, what: string) =>
      `if (typeof ${v} !== "number") ${v} = forNum(${v}, ${site}, "${what}");`;
    const step = s.step === undefined ? "1" : this.expr(s.step);
    let test: string;
    if (s.step === undefined) test = `${a} <= ${b}`;
    else if (s.step.kind === "Number") test = s.step.value > 0 ? `${a} <= ${b}` : `${a} >= ${b}`;
    else test = `${c} > 0 ? ${a} <= ${b} : ${a} >= ${b}`;
    return `{ let ${a} = ${this.expr(s.start)}, ${b} = ${this.expr(s.limit)}, ${c} = ${step};
${check(a, "'for' initial value must be a number")} ${check(b, "'for' limit must be a number")} ${
      check(c, "'for' step must be a number")
    }
for (; ${test}; ${a} += ${c}) {
let ${s.v.js} = ${a};
${this.stepCheck(s.line)}
${this.block(s.body)}
} }`;
  }

  private genFor(s: Stat & { kind: "GenFor" }): string {
    const it = `$it${++this.loops}`;
    const list = s.exprs.length === 1 && isMulti(s.exprs[0])
      ? this.multi(s.exprs[0])
      : `[${this.list(s.exprs)}]`;
    const vars = s.vars.map((v, i) =>
      `${v.js} = ${i === 0 ? `${it}.a` : i === 1 ? `${it}.b` : `${it}.r[${i}]`}`
    );
    return `{ const ${it} = forIter(${list}, ${this.site(s.line)});
while (${it}.step()) {
${this.stepCheck(s.line)}
let ${vars.join(", ")};
${this.block(s.body)}
} }`;
  }

  /** The whole chunk: a factory returning the main function. */
  chunk(main: FuncDef): string {
    this.fn = { def: main, gen: false, temp: 0, maxTemp: 0 };
    const fn = this.func(main);
    // Only the helpers the chunk uses: each one is a slot in every chunk's context.
    const used = HELPER_NAMES.filter((name) => new RegExp(`\\b${name}\\b`).test(fn));
    return `"use strict";
const {${used.join(", ")}} = H;
let ENV = env0;
const main = ${fn};
main.$env = (t) => t === undefined ? ENV : (ENV = t);
return main;`;
  }
}

/** The JavaScript source of a chunk's factory `(E, H, env0) => main`. */
export function generate(main: FuncDef, base: number, coroutines: boolean): string {
  return new Compiler(base, coroutines).chunk(main);
}

/** Instantiates generated source: returns the chunk's main function. */
export function instantiate(
  source: string,
  engine: unknown,
  helpers: Helpers,
  env: unknown,
): LuaFunction {
  const factory = new Function("E", "H", "env0", source) as (
    e: unknown,
    h: Helpers,
    env: unknown,
  ) => LuaFunction;
  return factory(engine, helpers, env);
}
