// The host API of rediserver/lua: states, loading and calling, natives, errors crossing the
// boundary both ways, globals protection, the step hook, and the limits a server needs.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  fromBytes,
  fromText,
  LuaError,
  LuaState,
  LuaTable,
  LuaUserdata,
  toBytes,
  toText,
} from "../../src/lua/mod.ts";

function capture(options: ConstructorParameters<typeof LuaState>[0] = {}) {
  let out = "";
  const lua = new LuaState({ ...options, stdout: (s) => (out += s) });
  return { lua, output: () => out };
}

function luaError(f: () => unknown): unknown {
  try {
    f();
  } catch (e) {
    assert.ok(e instanceof LuaError, `not a LuaError: ${e}`);
    return e.value;
  }
  assert.fail("no error");
}

describe("LuaState: load and call", () => {
  it("runs a chunk and returns its results", () => {
    const lua = new LuaState();
    assert.deepEqual(lua.run("return 1, 'two', nil, true"), [1, "two", undefined, true]);
    const f = lua.load("local a, b = ... return a * b");
    assert.deepEqual(lua.call(f, 6, 7), [42]);
  });

  it("raises syntax errors with Lua's message and the chunk name", () => {
    const lua = new LuaState();
    assert.equal(
      luaError(() => lua.load("x = = 1", "=input")),
      "input:1: unexpected symbol near '='",
    );
    assert.equal(
      luaError(() => lua.load("function f()\n", "@user_script")),
      "user_script:2: 'end' expected (to close 'function' at line 1) near '<eof>'",
    );
    assert.equal(
      luaError(() => lua.load("x = 'abc")),
      `[string "x = 'abc"]:1: unfinished string near '<eof>'`,
    );
  });

  it("raises runtime errors as LuaError with the position", () => {
    const lua = new LuaState();
    assert.equal(
      luaError(() => lua.run("local t = nil\nreturn t.x", "=input")),
      "input:2: attempt to index local 't' (a nil value)",
    );
    const table = luaError(() => lua.run("error({code = 7})"));
    assert.ok(table instanceof LuaTable);
    assert.equal(table.get("code"), 7);
  });

  it("treats a string source as UTF-8 text and a Uint8Array as bytes", () => {
    const lua = new LuaState();
    assert.deepEqual(lua.run("return #'é'"), [2]);
    assert.deepEqual(lua.run(new Uint8Array([114, 101, 116, 117, 114, 110, 32, 49])), [1]);
    assert.equal(toText(lua.run("return 'é'")[0] as string), "é");
  });

  it("converts byte strings", () => {
    const bytes = new Uint8Array([0, 1, 127, 128, 255]);
    assert.deepEqual(toBytes(fromBytes(bytes)), bytes);
    assert.equal(fromText("é"), "\xc3\xa9");
    const big = new Uint8Array(100000).map((_, i) => i & 255);
    assert.deepEqual(toBytes(fromBytes(big)), big);
  });

  it("opens only the libraries asked for", () => {
    const lua = new LuaState({ libs: ["base", "string"] });
    assert.deepEqual(lua.run("return type(string), type(table), type(math), type(os)"), [
      "table",
      "nil",
      "nil",
      "nil",
    ]);
    const withOs = new LuaState({ libs: ["base", "os"] });
    assert.deepEqual(withOs.run("return type(os.clock()), type(os.time())"), ["number", "number"]);
  });
});

describe("LuaState: natives", () => {
  it("registers functions that receive Lua values and return one or several", () => {
    const { lua, output } = capture();
    lua.register("pair", (a, b) => [b, a]);
    lua.register("none", () => []);
    lua.register("one", (x) => (x as number) + 1);
    lua.run("print(pair(1, 2)) print(select('#', none())) print(one(41))");
    assert.equal(output(), "2\t1\n0\n42\n");
  });

  it("positions string errors of natives at the calling line, and keeps table errors intact", () => {
    const lua = new LuaState();
    lua.register("fail", (v) => {
      throw new LuaError(v === "table" ? LuaTable.from([], { err: "ERR x" }) : "bad thing");
    });
    assert.deepEqual(lua.run("return pcall(function() fail() end)", "=s"), [
      false,
      "s:1: bad thing",
    ]);
    // Called directly by pcall (a native), as in 5.1: no Lua caller, no position.
    assert.deepEqual(lua.run("return pcall(fail)", "=s"), [false, "bad thing"]);
    const [ok, err] = lua.run("return pcall(function() fail('table') end)");
    assert.equal(ok, false);
    assert.ok(err instanceof LuaTable);
    assert.equal(err.get("err"), "ERR x");
  });

  it("tells a native where the calling Lua code is", () => {
    const lua = new LuaState();
    const seen: unknown[] = [];
    lua.register("here", () => {
      seen.push(lua.where(1), lua.where(2));
      return [];
    });
    lua.run("local function f()\n  here()\nend\n\nf()", "@user_script");
    assert.deepEqual(seen, [{ chunk: "user_script", line: 2 }, { chunk: "user_script", line: 5 }]);
  });

  it("calls back into Lua from a native", () => {
    const lua = new LuaState();
    lua.register("twice", (f) => lua.call(f, 1)[0] as number + (lua.call(f, 2)[0] as number));
    assert.deepEqual(lua.run("return twice(function(x) return x * 10 end)"), [30]);
  });

  it("passes userdata through unchanged", () => {
    const lua = new LuaState();
    const u = new LuaUserdata({ secret: 1 });
    lua.globals.set("u", u);
    assert.deepEqual(lua.run("return type(u), u == u"), ["userdata", true]);
    assert.equal(lua.run("return u")[0], u);
  });
});

describe("LuaState: globals", () => {
  it("reads and writes globals through LuaTable", () => {
    const lua = new LuaState();
    lua.globals.set("n", 5);
    lua.run("m = n * 2");
    assert.equal(lua.globals.get("m"), 10);
  });

  it("honours a metatable on _G (a sandbox that protects globals)", () => {
    const lua = new LuaState();
    const mt = new LuaTable();
    mt.set("__index", (_t: unknown, k: unknown) => {
      throw new LuaError(`Script attempted to access nonexistent global variable '${k}'`);
    });
    mt.set("__newindex", () => {
      throw new LuaError("Attempt to modify a readonly table");
    });
    lua.globals.mt = mt;
    assert.equal(
      luaError(() => lua.run("return undefined_thing", "=user_script")),
      "user_script:1: Script attempted to access nonexistent global variable 'undefined_thing'",
    );
    assert.equal(
      luaError(() => lua.run("\nx = 1", "=user_script")),
      "user_script:2: Attempt to modify a readonly table",
    );
    assert.deepEqual(lua.run("return type(print)"), ["function"]);
  });
});

describe("LuaState: coroutines", () => {
  it("yields across pcall inside a coroutine (beyond 5.1)", () => {
    const { lua, output } = capture();
    lua.run(`
      local co = coroutine.create(function()
        local ok, err = pcall(function()
          local v = coroutine.yield("paused")
          error("after " .. v, 0)
        end)
        return ok, err
      end)
      print(coroutine.resume(co))
      print(coroutine.resume(co, "resume"))
      print(coroutine.status(co))
    `);
    assert.equal(output(), "true\tpaused\ntrue\tfalse\tafter resume\ndead\n");
  });

  it("refuses to yield across a metamethod", () => {
    const lua = new LuaState();
    const [ok, msg] = lua.run(
      `
      local t = setmetatable({}, {__index = function() return coroutine.yield(1) end})
      return coroutine.resume(coroutine.create(function() return t.x end))
    `,
      "=c",
    );
    assert.equal(ok, false);
    assert.equal(msg, "c:2: attempt to yield across metamethod/C-call boundary");
  });
});

describe("LuaState: limits", () => {
  it("stops a runaway loop with the hook", () => {
    const lua = new LuaState();
    let calls = 0;
    lua.setHook(1000, () => {
      if (++calls === 50) throw new Error("script killed");
    });
    assert.throws(() => lua.run("while true do end"), /script killed/);
    assert.equal(calls, 50);
    // A JavaScript error from the hook is not catchable by pcall.
    calls = 0;
    assert.throws(
      () => lua.run("pcall(function() while true do end end) return 'caught'"),
      /killed/,
    );
    lua.setHook(1000, undefined);
    assert.deepEqual(lua.run("local n = 0 for i = 1, 100000 do n = n + 1 end return n"), [100000]);
  });

  it("runs the hook once every N steps", () => {
    const lua = new LuaState();
    for (const every of [1, 3, 1000]) {
      let calls = 0;
      lua.setHook(every, () => calls++);
      lua.run("for i = 1, 30000 do end");
      // Every loop iteration is one step (plus a few for the chunk's own entry).
      assert.ok(Math.abs(calls - 30000 / every) <= 2, `every ${every}: ${calls} calls`);
    }
  });

  it("stops a runaway recursion without loops with the hook", () => {
    const lua = new LuaState();
    lua.setHook(10000, () => {
      throw new LuaError("timeout", 0);
    });
    assert.equal(
      luaError(() =>
        lua.run(
          "local function f(n) if n < 2 then return n end return f(n-1) + f(n-2) end return f(60)",
        )
      ),
      "timeout",
    );
  });

  it("turns deep recursion into Lua's stack overflow", () => {
    const lua = new LuaState();
    assert.equal(
      luaError(() => lua.run("local function f() return 1 + f() end return f()", "=input")),
      "input:1: stack overflow",
    );
    assert.deepEqual(
      lua.run("local function f() return 1 + f() end return pcall(f)", "=input"),
      [false, "input:1: stack overflow"],
    );
    const small = new LuaState({ maxCallDepth: 50 });
    assert.deepEqual(
      small.run(
        "local function f(n) if n == 0 then return 0 end return 1 + f(n - 1) end return pcall(f, 40)",
      ),
      [true, 40],
    );
    assert.equal(
      small.run(
        "local function f(n) if n == 0 then return 0 end return 1 + f(n - 1) end return pcall(f, 60)",
      )[0],
      false,
    );
  });

  it("runs proper tail calls in constant stack", () => {
    const lua = new LuaState();
    assert.deepEqual(
      lua.run(
        "local function loop(n) if n == 0 then return 'done' end return loop(n - 1) end return loop(1000000)",
      ),
      ["done"],
    );
  });

  it("bounds string sizes", () => {
    const lua = new LuaState({ maxStringSize: 1000 });
    assert.deepEqual(lua.run("return pcall(string.rep, 'x', 2000)"), [false, "not enough memory"]);
    assert.equal(
      luaError(() => lua.run("local s = 'x' for i = 1, 20 do s = s .. s end return s")),
      "not enough memory",
    );
    assert.deepEqual(lua.run("return #string.rep('ab', 500)"), [1000]);
  });

  it("asks the host's memory check as tables grow", () => {
    let checks = 0;
    const lua = new LuaState({
      memoryCheck: () => {
        if (++checks > 3) throw new LuaError("not enough memory", 0);
      },
    });
    assert.deepEqual(
      lua.run("local t = {} return pcall(function() for i = 1, 100000 do t[i] = i end end)"),
      [false, "not enough memory"],
    );
    assert.equal(checks, 4);
  });

  it("turns a string too long for the JavaScript engine into not enough memory", () => {
    const lua = new LuaState();
    assert.deepEqual(
      lua.run(
        "local s = ('x'):rep(2^20) return pcall(function() while true do s = s .. s end end)",
      ),
      [false, "not enough memory"],
    );
  });

  it("bounds table growth", () => {
    const lua = new LuaState({ maxTableEntries: 5000 });
    assert.deepEqual(
      lua.run("local t = {} return pcall(function() for i = 1, 10000 do t[i] = i end end)"),
      [false, "not enough memory"],
    );
    assert.deepEqual(
      lua.run("local t = {} return pcall(function() for i = 1, 10000 do t['k' .. i] = i end end)"),
      [false, "not enough memory"],
    );
  });
});
