/**
 * Expression code generation: every Lua expression becomes a JavaScript expression over the
 * helpers of ops.ts, with number and plain-table fast paths inline.
 *
 * @module
 */

import type { Expr, FuncDef } from "./ast.ts";
import { METHOD_SITE } from "./runtime.ts";

/** The state of the function being emitted. */
export interface FnCtx {
  def: FuncDef;
  /** Emitting the generator (coroutine) version. */
  gen: boolean;
  temp: number;
  maxTemp: number;
}

const ARITH = new Set(["+", "-", "*", "/", "%", "^"]);

/** JavaScript string literal of a byte string. */
export function jsString(s: string): string {
  return JSON.stringify(s).replace(/\u2028/g, "\\u2028").replace(/\u2029/g, "\\u2029");
}

/** JavaScript literal of a number (keeps -0, infinities and NaN). */
export function jsNumber(n: number): string {
  if (Number.isNaN(n)) return "NaN";
  if (n === Infinity) return "Infinity";
  if (n === -Infinity) return "-Infinity";
  if (n === 0 && 1 / n < 0) return "-0";
  return n < 0 ? `(${n})` : String(n);
}

function isMulti(e: Expr): boolean {
  return e.kind === "Call" || e.kind === "Method" || e.kind === "Vararg";
}

/** Expressions that read a variable or a constant: safe to evaluate twice. */
function isSimple(e: Expr): boolean {
  return e.kind === "Local" || e.kind === "Number" || e.kind === "String" || e.kind === "Nil" ||
    e.kind === "True" || e.kind === "False";
}

/** The variable description 5.1 gives in errors (`local 'x'`, `global 'x'`, `field 'x'`). */
export function describe(e: Expr): string {
  while (e.kind === "Paren") e = e.expr;
  switch (e.kind) {
    case "Local":
      return `${e.upvalue ? "upvalue" : "local"} '${e.v.name}'`;
    case "Global":
      return `global '${e.name}'`;
    case "Index":
      return e.key.kind === "String" ? `field '${e.key.value}'` : "";
    case "Method":
      return `method '${e.name}'`;
    default:
      return "";
  }
}

/** Emits expressions; the statement compiler extends it. */
export abstract class ExprCompiler {
  protected fn!: FnCtx;

  constructor(protected readonly base: number) {}

  /** The site number of a line. */
  protected site(line: number): number {
    return this.base + Math.min(line, 0x7ffff);
  }

  protected temp(): string {
    const t = ++this.fn.temp;
    if (t > this.fn.maxTemp) this.fn.maxTemp = t;
    return `$${t}`;
  }

  /** Emits a nested function (both versions when coroutines are enabled). */
  protected abstract func(def: FuncDef): string;

  /** Emits an expression producing one Lua value. */
  expr(e: Expr): string {
    switch (e.kind) {
      case "Nil":
        return "undefined";
      case "True":
        return "true";
      case "False":
        return "false";
      case "Number":
        return jsNumber(e.value);
      case "String":
        return jsString(e.value);
      case "Vararg":
        return "va[0]";
      case "Function":
        return this.func(e);
      case "Local":
        return e.v.js;
      case "Global":
        return `gget(ENV, ${jsString(e.name)}, ${this.site(e.line)})`;
      case "Index":
        if (e.key.kind === "String") {
          return `idxs(${this.expr(e.obj)}, ${jsString(e.key.value)}, ${this.site(e.line)}, ${
            jsString(describe(e.obj))
          })`;
        }
        return `idx(${this.expr(e.obj)}, ${this.expr(e.key)}, ${this.site(e.line)}, ${
          jsString(describe(e.obj))
        })`;
      case "Call":
      case "Method":
        return `first(${this.call(e, false)})`;
      case "Paren":
        return this.expr(e.expr);
      case "Table":
        return this.table(e.items, e.line);
      case "Unop":
        return this.unop(e.op, e.expr, e.line);
      case "Binop":
        return this.binop(e.op, e.left, e.right, e.line);
    }
  }

  /** Emits an expression producing an array of values (for the last of a list). */
  multi(e: Expr): string {
    if (e.kind === "Vararg") return "va";
    if (e.kind === "Call" || e.kind === "Method") return `multi(${this.call(e, false)})`;
    return `[${this.expr(e)}]`;
  }

  /** Emits a list of expressions as JavaScript array elements (the last one spread). */
  list(exprs: Expr[]): string {
    return exprs.map((e, i) =>
      i === exprs.length - 1 && isMulti(e) ? `...${this.multi(e)}` : this.expr(e)
    ).join(", ");
  }

  /** A value usable twice: the expression itself when simple, else a temporary. */
  private hold(e: Expr, pre: string[]): string {
    if (isSimple(e)) return this.expr(e);
    const t = this.temp();
    pre.push(`${t} = ${this.expr(e)}`);
    return t;
  }

  private seq(pre: string[], result: string): string {
    return pre.length === 0 ? `(${result})` : `(${pre.join(", ")}, ${result})`;
  }

  /**
   * Emits a call and returns its raw result (a value, an array, or a pending tail call).
   * `tail` makes it a proper tail call (the caller returns the result).
   */
  call(e: Expr & { kind: "Call" | "Method" }, tail: boolean): string {
    const pre: string[] = [];
    const line = e.line;
    const site = this.site(line);
    let f: string;
    const args: string[] = [];
    let desc: string;
    if (e.kind === "Method") {
      const o = this.hold(e.obj, pre);
      f = this.temp();
      pre.push(
        `${f} = idxs(${o}, ${jsString(e.name)}, ${site}, ${jsString(describe(e.obj))})`,
      );
      args.push(o);
      desc = describe(e);
    } else {
      if (e.fn.kind === "Local") f = e.fn.v.js;
      else {
        f = this.temp();
        pre.push(`${f} = ${this.expr(e.fn)}`);
      }
      desc = describe(e.fn);
    }
    for (let i = 0; i < e.args.length; i++) {
      const a = e.args[i];
      if (i === e.args.length - 1 && isMulti(a)) {
        if (a.kind === "Vararg") args.push("...va");
        else {
          const t = this.temp();
          pre.push(`${t} = ${this.multi(a)}`);
          args.push(`...${t}`);
        }
      } else if (
        a.kind === "Number" || a.kind === "String" || a.kind === "Nil" ||
        a.kind === "True" || a.kind === "False" || a.kind === "Function" || a.kind === "Local"
      ) {
        args.push(this.expr(a));
      } else {
        const t = this.temp();
        pre.push(`${t} = ${this.expr(a)}`);
        args.push(t);
      }
    }
    pre.push(`E.at = ${e.kind === "Method" ? site + METHOD_SITE : site}`);
    const argList = args.join(", ");
    const slow = `callMeta(${f}, ${site}, ${jsString(desc)}, [${argList}])`;
    if (this.fn.gen) {
      return this.seq(
        pre,
        `typeof ${f} === "function" ? (${f}.$g !== undefined ? (yield* ${f}.$g(${argList})) : ${f}(${argList})) : ${slow}`,
      );
    }
    const direct = `(typeof ${f} === "function" ? ${f}(${argList}) : ${slow})`;
    if (!tail) return this.seq(pre, direct);
    const r = this.temp();
    return this.seq(
      pre,
      `E.d > ${TAIL_DEPTH_LITERAL} ? (E.d--, [TAIL, ${f}, [${argList}], ${site}]) : (${r} = ${direct}, E.d--, ${r})`,
    );
  }

  private table(items: { key: Expr | undefined; value: Expr }[], line: number): string {
    const pos: Expr[] = [];
    const keyed: string[] = [];
    for (const item of items) {
      if (item.key === undefined) pos.push(item.value);
      else keyed.push(this.expr(item.key), this.expr(item.value));
    }
    if (keyed.length === 0) {
      return pos.length === 0 ? "new LuaTable()" : `tableNew([${this.list(pos)}])`;
    }
    return `tableNew([${this.list(pos)}], [${keyed.join(", ")}], ${this.site(line)})`;
  }

  private unop(op: string, e: Expr, line: number): string {
    const site = this.site(line);
    if (op === "not") return `!${this.cond(e)}`;
    const pre: string[] = [];
    const a = this.hold(e, pre);
    const d = jsString(describe(e));
    if (op === "-") {
      return this.seq(pre, `typeof ${a} === "number" ? -${a} : unm(${a}, ${site}, ${d})`);
    }
    return this.seq(pre, `len(${a}, ${site}, ${d})`);
  }

  private binop(op: string, l: Expr, r: Expr, line: number): string {
    const site = this.site(line);
    if (op === "and" || op === "or") {
      const t = this.temp();
      const test = `(${t} = ${this.expr(l)}) === undefined || ${t} === false`;
      return op === "and"
        ? `(${test} ? ${t} : ${this.expr(r)})`
        : `(${test} ? ${this.expr(r)} : ${t})`;
    }
    if (op === "==" || op === "~=" || op === "<" || op === "<=" || op === ">" || op === ">=") {
      return `(${this.compare(op, l, r, site)})`;
    }
    const pre: string[] = [];
    const a = this.hold(l, pre);
    const b = this.hold(r, pre);
    const da = jsString(describe(l));
    const db = jsString(describe(r));
    if (op === "..") {
      return this.seq(pre, `concat(${a}, ${b}, ${site}, ${da}, ${db})`);
    }
    if (!ARITH.has(op)) throw new Error(`unknown operator ${op}`);
    const checks = [l, r].map((x, i) =>
      x.kind === "Number" ? "" : `typeof ${[a, b][i]} === "number"`
    )
      .filter((c) => c !== "");
    let fast: string;
    if (op === "%") fast = `mod(${a}, ${b})`;
    else if (op === "^") fast = `pow(${a}, ${b})`;
    else fast = `${a} ${op} ${b}`;
    const slow = `arith("${op}", ${a}, ${b}, ${site}, ${da}, ${db})`;
    if (checks.length === 0) return this.seq(pre, fast);
    return this.seq(pre, `${checks.join(" && ")} ? ${fast} : ${slow}`);
  }

  /** A JavaScript boolean expression for a comparison. */
  private compare(op: string, l: Expr, r: Expr, site: number): string {
    const pre: string[] = [];
    let a = this.hold(l, pre);
    let b = this.hold(r, pre);
    if (op === "==" || op === "~=") {
      const test = `${a} === ${b} || eq(${a}, ${b}, ${site})`;
      return this.seq(pre, op === "==" ? test : `!(${test})`);
    }
    let ax = l;
    let bx = r;
    if (op === ">" || op === ">=") {
      [a, b] = [b, a];
      [ax, bx] = [bx, ax];
      op = op === ">" ? "<" : "<=";
    }
    const checks = [ax, bx].map((x, i) =>
      x.kind === "Number" ? "" : `typeof ${[a, b][i]} === "number"`
    ).filter((c) => c !== "");
    const slow = `${op === "<" ? "lt" : "le"}(${a}, ${b}, ${site})`;
    const fast = `${a} ${op} ${b}`;
    if (checks.length === 0) return this.seq(pre, fast);
    return this.seq(pre, `${checks.join(" && ")} ? ${fast} : ${slow}`);
  }

  /** A JavaScript boolean expression: whether `e` is true in Lua. */
  cond(e: Expr): string {
    switch (e.kind) {
      case "True":
      case "Number":
      case "String":
      case "Function":
      case "Table":
        return e.kind === "Table" || e.kind === "Function" ? `(${this.expr(e)}, true)` : "true";
      case "Nil":
      case "False":
        return "false";
      case "Local":
        return `(${e.v.js} !== undefined && ${e.v.js} !== false)`;
      case "Paren":
        return this.cond(e.expr);
      case "Unop":
        if (e.op === "not") return `!${this.cond(e.expr)}`;
        break;
      case "Binop":
        if (e.op === "and") return `(${this.cond(e.left)} && ${this.cond(e.right)})`;
        if (e.op === "or") return `(${this.cond(e.left)} || ${this.cond(e.right)})`;
        if (["==", "~=", "<", "<=", ">", ">="].includes(e.op)) {
          return `(${this.compare(e.op, e.left, e.right, this.site(e.line))})`;
        }
        break;
    }
    const t = this.temp();
    return `((${t} = ${this.expr(e)}) !== undefined && ${t} !== false)`;
  }
}

/** Written into generated code: the depth from which tail calls trampoline. */
export const TAIL_DEPTH_LITERAL = 100;
