/**
 * Lua 5.1's recursive-descent parser (lparser.c's grammar and error texts), producing the
 * tree of ast.ts with every name resolved to a local, an upvalue or a global.
 *
 * @module
 */

import type { Expr, FuncDef, LocalVar, Stat, TableItem } from "./ast.ts";
import { Lexer } from "./lexer.ts";

interface FuncState {
  def: FuncDef;
  blocks: LocalVar[][];
  loops: number;
}

const BINARY: Record<string, [number, number]> = {
  "or": [1, 1],
  "and": [2, 2],
  "<": [3, 3],
  ">": [3, 3],
  "<=": [3, 3],
  ">=": [3, 3],
  "~=": [3, 3],
  "==": [3, 3],
  "..": [5, 4],
  "+": [6, 6],
  "-": [6, 6],
  "*": [7, 7],
  "/": [7, 7],
  "%": [7, 7],
  "^": [10, 9],
};
const UNARY_PRIORITY = 8;
const MAX_LEVELS = 200;

let funcIds = 0;

/** Parses a chunk (a byte string) into its main function. Throws LuaError on syntax errors. */
export function parse(src: string, chunk: string): FuncDef {
  return new Parser(src, chunk).chunk();
}

class Parser {
  private lx: Lexer;
  private fs!: FuncState;
  private level = 0;
  private names = 0;

  constructor(src: string, chunk: string) {
    this.lx = new Lexer(src, chunk);
    this.lx.next();
  }

  private get t(): string {
    return this.lx.current.type;
  }

  private near(): string {
    return this.lx.current.raw;
  }

  private error(msg: string): never {
    return this.lx.error(msg, this.near(), this.lx.current.line);
  }

  private expected(what: string): never {
    return this.error(`'${what}' expected`);
  }

  private check(what: string): void {
    if (this.t !== what) this.expected(what);
  }

  private checkNext(what: string): void {
    this.check(what);
    this.lx.next();
  }

  private testNext(what: string): boolean {
    if (this.t !== what) return false;
    this.lx.next();
    return true;
  }

  private checkMatch(what: string, who: string, line: number): void {
    if (this.t === what) {
      this.lx.next();
      return;
    }
    if (line === this.lx.current.line) this.expected(what);
    this.error(`'${what}' expected (to close '${who}' at line ${line})`);
  }

  private name(): string {
    this.check("<name>");
    const n = this.lx.current.value as string;
    this.lx.next();
    return n;
  }

  private enterLevel(): void {
    if (++this.level > MAX_LEVELS) this.error("chunk has too many syntax levels");
  }

  private newFunc(line: number): FuncState {
    const def: FuncDef = {
      kind: "Function",
      params: [],
      isVararg: false,
      body: [],
      line,
      lastLine: line,
      parent: this.fs?.def,
      id: funcIds++,
    };
    return { def, blocks: [[]], loops: 0 };
  }

  private declare(name: string): LocalVar {
    const v: LocalVar = {
      name,
      js: `${name.replace(/[^A-Za-z0-9_]/g, "_")}$${++this.names}`,
      fn: this.fs.def,
    };
    return v;
  }

  private activate(v: LocalVar): void {
    this.fs.blocks[this.fs.blocks.length - 1].push(v);
  }

  private resolve(name: string, line: number): Expr {
    let fs: FuncState | undefined = this.fs;
    const stack = this.stack;
    for (let i = stack.length - 1; i >= 0; i--) {
      fs = stack[i];
      for (let b = fs.blocks.length - 1; b >= 0; b--) {
        const block = fs.blocks[b];
        for (let j = block.length - 1; j >= 0; j--) {
          if (block[j].name === name) {
            return { kind: "Local", v: block[j], upvalue: fs !== this.fs };
          }
        }
      }
    }
    return { kind: "Global", name, line };
  }

  private stack: FuncState[] = [];

  chunk(): FuncDef {
    this.fs = this.newFunc(0);
    this.fs.def.isVararg = true;
    this.stack.push(this.fs);
    this.fs.def.body = this.block();
    this.check("<eof>");
    return this.fs.def;
  }

  private blockFollow(): boolean {
    const t = this.t;
    return t === "else" || t === "elseif" || t === "end" || t === "until" || t === "<eof>";
  }

  /** A block in its own scope. */
  private block(): Stat[] {
    this.fs.blocks.push([]);
    const body = this.statements();
    this.fs.blocks.pop();
    return body;
  }

  private statements(): Stat[] {
    this.enterLevel();
    const out: Stat[] = [];
    let last = false;
    while (!last && !this.blockFollow()) {
      const t = this.t;
      last = t === "return" || t === "break";
      out.push(this.statement());
      this.testNext(";");
    }
    this.level--;
    return out;
  }

  private statement(): Stat {
    const line = this.lx.current.line;
    switch (this.t) {
      case "if":
        return this.ifStat(line);
      case "while": {
        this.lx.next();
        const cond = this.expr();
        this.checkNext("do");
        this.fs.loops++;
        const body = this.block();
        this.fs.loops--;
        this.checkMatch("end", "while", line);
        return { kind: "While", cond, body, line };
      }
      case "do": {
        this.lx.next();
        const body = this.block();
        this.checkMatch("end", "do", line);
        return { kind: "Do", body };
      }
      case "for":
        return this.forStat(line);
      case "repeat": {
        this.lx.next();
        this.fs.loops++;
        this.fs.blocks.push([]);
        const body = this.statements();
        this.checkMatch("until", "repeat", line);
        const cond = this.expr();
        this.fs.blocks.pop();
        this.fs.loops--;
        return { kind: "Repeat", body, cond, line };
      }
      case "function":
        return this.funcStat(line);
      case "local":
        this.lx.next();
        if (this.testNext("function")) {
          const v = this.declare(this.name());
          this.activate(v);
          return { kind: "LocalFunction", v, func: this.body(false, line) };
        }
        return this.localStat();
      case "return": {
        this.lx.next();
        const exprs = this.blockFollow() || (this.t as string) === ";" ? [] : this.exprList();
        return { kind: "Return", exprs, line };
      }
      case "break":
        this.lx.next();
        if (this.fs.loops === 0) this.error("no loop to break");
        return { kind: "Break" };
      default:
        return this.exprStat();
    }
  }

  private ifStat(line: number): Stat {
    const conds: Expr[] = [];
    const blocks: Stat[][] = [];
    let orelse: Stat[] | undefined;
    do {
      this.lx.next(); // if / elseif
      conds.push(this.expr());
      this.checkNext("then");
      blocks.push(this.block());
    } while (this.t === "elseif");
    if (this.testNext("else")) orelse = this.block();
    this.checkMatch("end", "if", line);
    return { kind: "If", conds, blocks, orelse };
  }

  private forStat(line: number): Stat {
    this.lx.next();
    const first = this.name();
    this.fs.loops++;
    let stat: Stat;
    if (this.t === "=") {
      this.lx.next();
      const start = this.expr();
      this.checkNext(",");
      const limit = this.expr();
      const step = this.testNext(",") ? this.expr() : undefined;
      this.checkNext("do");
      const v = this.declare(first);
      this.fs.blocks.push([v]);
      const body = this.block();
      this.fs.blocks.pop();
      stat = { kind: "NumFor", v, start, limit, step, body, line };
    } else if (this.t === "," || this.t === "in") {
      const names = [first];
      while (this.testNext(",")) names.push(this.name());
      this.checkNext("in");
      const exprLine = this.lx.current.line;
      const exprs = this.exprList();
      this.checkNext("do");
      const vars = names.map((n) => this.declare(n));
      this.fs.blocks.push(vars);
      const body = this.block();
      this.fs.blocks.pop();
      stat = { kind: "GenFor", vars, exprs, body, line: exprLine };
    } else {
      this.error("'=' or 'in' expected");
    }
    this.fs.loops--;
    this.checkMatch("end", "for", line);
    return stat;
  }

  private funcStat(line: number): Stat {
    this.lx.next();
    const nameLine = this.lx.current.line;
    let target: Expr = this.resolve(this.name(), nameLine);
    let method = false;
    while (this.t === ".") {
      this.lx.next();
      const key: Expr = { kind: "String", value: this.name() };
      target = { kind: "Index", obj: target, key, line: this.lx.lastLine };
    }
    if (this.t === ":") {
      this.lx.next();
      const key: Expr = { kind: "String", value: this.name() };
      target = { kind: "Index", obj: target, key, line: this.lx.lastLine };
      method = true;
    }
    const func = this.body(method, line);
    return { kind: "Assign", targets: [target], exprs: [func], line: func.lastLine };
  }

  private localStat(): Stat {
    const vars: LocalVar[] = [];
    do vars.push(this.declare(this.name())); while (this.testNext(","));
    const exprs = this.testNext("=") ? this.exprList() : [];
    for (const v of vars) this.activate(v);
    return { kind: "Local", vars, exprs };
  }

  private exprStat(): Stat {
    const e = this.suffixedExpr();
    if (e.kind === "Call" || e.kind === "Method") return { kind: "CallStat", call: e };
    const targets: Expr[] = [e];
    this.checkAssignable(e);
    while (this.testNext(",")) {
      const t = this.suffixedExpr();
      this.checkAssignable(t);
      targets.push(t);
    }
    this.checkNext("=");
    const exprs = this.exprList();
    return { kind: "Assign", targets, exprs, line: this.lx.lastLine };
  }

  private checkAssignable(e: Expr): void {
    if (e.kind !== "Local" && e.kind !== "Global" && e.kind !== "Index") this.error("syntax error");
  }

  /** `function` body: parameters, block, `end`. */
  private body(method: boolean, line: number): FuncDef {
    const outer = this.fs;
    const fs = this.newFunc(line);
    this.fs = fs;
    this.stack.push(fs);
    if (method) {
      const self = this.declare("self");
      fs.def.params.push(self);
      this.activate(self);
    }
    this.checkNext("(");
    if (this.t !== ")") {
      do {
        if (this.t === "<name>") {
          const v = this.declare(this.name());
          fs.def.params.push(v);
          this.activate(v);
        } else if (this.t === "...") {
          this.lx.next();
          fs.def.isVararg = true;
        } else this.error("<name> or '...' expected");
      } while (!fs.def.isVararg && this.testNext(","));
    }
    this.checkNext(")");
    if (fs.def.isVararg) {
      fs.def.argVar = this.declare("arg");
      this.activate(fs.def.argVar);
    }
    fs.def.body = this.statements();
    fs.def.lastLine = this.lx.current.line;
    this.checkMatch("end", "function", line);
    this.stack.pop();
    this.fs = outer;
    return fs.def;
  }

  private exprList(): Expr[] {
    const list = [this.expr()];
    while (this.testNext(",")) list.push(this.expr());
    return list;
  }

  private expr(limit = 0): Expr {
    this.enterLevel();
    let left: Expr;
    const t = this.t;
    if (t === "not" || t === "-" || t === "#") {
      this.lx.next();
      const operand = this.expr(UNARY_PRIORITY);
      left = foldUnary(t, operand) ??
        { kind: "Unop", op: t, expr: operand, line: this.lx.lastLine };
    } else left = this.simpleExpr();
    for (;;) {
      const op = this.t;
      const prio = BINARY[op];
      if (prio === undefined || prio[0] <= limit) break;
      this.lx.next();
      const right = this.expr(prio[1]);
      left = foldBinary(op, left, right) ??
        { kind: "Binop", op, left, right, line: this.lx.lastLine };
    }
    this.level--;
    return left;
  }

  private simpleExpr(): Expr {
    const tok = this.lx.current;
    switch (tok.type) {
      case "<number>":
        this.lx.next();
        return { kind: "Number", value: tok.value as number };
      case "<string>":
        this.lx.next();
        return { kind: "String", value: tok.value as string };
      case "nil":
        this.lx.next();
        return { kind: "Nil" };
      case "true":
        this.lx.next();
        return { kind: "True" };
      case "false":
        this.lx.next();
        return { kind: "False" };
      case "...":
        if (!this.fs.def.isVararg) this.error("cannot use '...' outside a vararg function");
        this.fs.def.usesVararg = true;
        this.lx.next();
        return { kind: "Vararg" };
      case "{":
        return this.table();
      case "function":
        this.lx.next();
        return this.body(false, tok.line);
      default:
        return this.suffixedExpr();
    }
  }

  private primaryExpr(): Expr {
    const tok = this.lx.current;
    if (tok.type === "<name>") {
      this.lx.next();
      return this.resolve(tok.value as string, tok.line);
    }
    if (tok.type === "(") {
      this.lx.next();
      const e = this.expr();
      this.checkMatch(")", "(", tok.line);
      return { kind: "Paren", expr: e };
    }
    return this.error("unexpected symbol");
  }

  private suffixedExpr(): Expr {
    let e = this.primaryExpr();
    for (;;) {
      switch (this.t) {
        case ".": {
          this.lx.next();
          const key: Expr = { kind: "String", value: this.name() };
          e = { kind: "Index", obj: e, key, line: this.lx.lastLine };
          break;
        }
        case "[": {
          this.lx.next();
          const key = this.expr();
          this.checkNext("]");
          e = { kind: "Index", obj: e, key, line: this.lx.lastLine };
          break;
        }
        case ":": {
          this.lx.next();
          const name = this.name();
          const line = this.lx.current.line;
          e = { kind: "Method", obj: e, name, args: this.callArgs(), line };
          break;
        }
        case "(":
        case "<string>":
        case "{": {
          const line = this.lx.current.line;
          e = { kind: "Call", fn: e, args: this.callArgs(), line };
          break;
        }
        default:
          return e;
      }
    }
  }

  private callArgs(): Expr[] {
    const tok = this.lx.current;
    if (tok.type === "<string>") {
      this.lx.next();
      return [{ kind: "String", value: tok.value as string }];
    }
    if (tok.type === "{") return [this.table()];
    if (tok.type !== "(") this.error("function arguments expected");
    if (tok.line !== this.lx.lastLine) {
      this.error("ambiguous syntax (function call x new statement)");
    }
    this.lx.next();
    const args = this.t === ")" ? [] : this.exprList();
    this.checkMatch(")", "(", tok.line);
    return args;
  }

  private table(): Expr {
    const line = this.lx.current.line;
    this.checkNext("{");
    const items: TableItem[] = [];
    while (this.t !== "}") {
      if (this.t === "<name>" && this.lx.peek().type === "=") {
        const key: Expr = { kind: "String", value: this.name() };
        this.lx.next();
        items.push({ key, value: this.expr() });
      } else if (this.t === "[") {
        this.lx.next();
        const key = this.expr();
        this.checkNext("]");
        this.checkNext("=");
        items.push({ key, value: this.expr() });
      } else items.push({ key: undefined, value: this.expr() });
      if (!this.testNext(",") && !this.testNext(";")) break;
    }
    this.checkMatch("}", "{", line);
    return { kind: "Table", items, line };
  }
}

/** Constant folding as 5.1 does it (numbers only, never to NaN or -0 results it skips). */
function foldBinary(op: string, a: Expr, b: Expr): Expr | undefined {
  if (a.kind !== "Number" || b.kind !== "Number") return undefined;
  const x = a.value;
  const y = b.value;
  let r: number;
  switch (op) {
    case "+":
      r = x + y;
      break;
    case "-":
      r = x - y;
      break;
    case "*":
      r = x * y;
      break;
    case "/":
      if (y === 0) return undefined;
      r = x / y;
      break;
    case "%":
      if (y === 0) return undefined;
      r = x - Math.floor(x / y) * y;
      break;
    case "^":
      r = Math.pow(x, y);
      break;
    default:
      return undefined;
  }
  if (Number.isNaN(r)) return undefined;
  return { kind: "Number", value: r };
}

function foldUnary(op: string, e: Expr): Expr | undefined {
  if (op === "-" && e.kind === "Number" && !Number.isNaN(-e.value)) {
    return { kind: "Number", value: -e.value };
  }
  return undefined;
}
