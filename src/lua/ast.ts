/**
 * The syntax tree the parser builds and the compiler reads. Names are already resolved:
 * every local variable has one declaration object shared by all its uses.
 *
 * @module
 */

/** A local variable (parameter, `local`, loop control variable). */
export interface LocalVar {
  name: string;
  /** Unique JavaScript identifier for this declaration. */
  js: string;
  /** The function that declares it. */
  fn: FuncDef;
}

/** A function body. */
export interface FuncDef {
  kind: "Function";
  params: LocalVar[];
  isVararg: boolean;
  body: Stat[];
  line: number;
  lastLine: number;
  parent: FuncDef | undefined;
  /** Unique among the functions parsed by this process (names the JavaScript function). */
  id: number;
  /**
   * 5.1's LUA_COMPAT_VARARG: the local `arg` of a vararg function (not the main chunk),
   * a table of the extra arguments when the body never uses `...`, else nil.
   */
  argVar?: LocalVar;
  /** Whether the body uses `...`. */
  usesVararg?: boolean;
}

/** An expression. `line` is where 5.1 reports errors of the operation. */
export type Expr =
  | { kind: "Nil" }
  | { kind: "True" }
  | { kind: "False" }
  | { kind: "Number"; value: number }
  | { kind: "String"; value: string }
  | { kind: "Vararg" }
  | FuncDef
  | { kind: "Table"; items: TableItem[]; line: number }
  | { kind: "Binop"; op: string; left: Expr; right: Expr; line: number }
  | { kind: "Unop"; op: string; expr: Expr; line: number }
  | { kind: "Local"; v: LocalVar; upvalue: boolean }
  | { kind: "Global"; name: string; line: number }
  | { kind: "Index"; obj: Expr; key: Expr; line: number }
  | { kind: "Call"; fn: Expr; args: Expr[]; line: number }
  | { kind: "Method"; obj: Expr; name: string; args: Expr[]; line: number }
  | { kind: "Paren"; expr: Expr };

/** An entry of a table constructor: positional when `key` is undefined. */
export interface TableItem {
  key: Expr | undefined;
  value: Expr;
}

/** A statement. */
export type Stat =
  | { kind: "Local"; vars: LocalVar[]; exprs: Expr[] }
  | { kind: "LocalFunction"; v: LocalVar; func: FuncDef }
  | { kind: "Assign"; targets: Expr[]; exprs: Expr[]; line: number }
  | { kind: "CallStat"; call: Expr }
  | { kind: "Do"; body: Stat[] }
  | { kind: "While"; cond: Expr; body: Stat[]; line: number }
  | { kind: "Repeat"; body: Stat[]; cond: Expr; line: number }
  | { kind: "If"; conds: Expr[]; blocks: Stat[][]; orelse: Stat[] | undefined }
  | {
    kind: "NumFor";
    v: LocalVar;
    start: Expr;
    limit: Expr;
    step: Expr | undefined;
    body: Stat[];
    line: number;
  }
  | { kind: "GenFor"; vars: LocalVar[]; exprs: Expr[]; body: Stat[]; line: number }
  | { kind: "Return"; exprs: Expr[]; line: number }
  | { kind: "Break" };
