// Host runs (LuaState.start / suspend: a host pauses a running script from its hook and
// continues it later) and read-only tables (LuaState.protect, Redis 7.0's
// lua_enablereadonlytable).
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { LuaError, type LuaRun, LuaState, LuaTable } from "../../src/lua/mod.ts";

function luaError(f: () => unknown): unknown {
  try {
    f();
  } catch (e) {
    assert.ok(e instanceof LuaError, `not a LuaError: ${e}`);
    return e.value;
  }
  assert.fail("no error");
}

/** A state whose hook asks every run to suspend (every `every` steps). */
function suspending(every = 100): { lua: LuaState; hooks: () => number } {
  const lua = new LuaState({ coroutines: true });
  let hooks = 0;
  lua.setHook(every, () => {
    hooks++;
    lua.suspend();
  });
  return { lua, hooks: () => hooks };
}

/** Resumes `run` until it returns; the results and how many times it suspended. */
function drive(run: LuaRun): { values: unknown[]; suspensions: number } {
  let suspensions = 0;
  for (;;) {
    const values = run.resume();
    if (values !== undefined) return { values, suspensions };
    suspensions++;
  }
}

describe("LuaState.start: suspendable runs", () => {
  it("suspends a loop at the hook's request and continues where it was", () => {
    const { lua } = suspending();
    const f = lua.load("local n = ... local s = 0 for i = 1, n do s = s + i end return s, 'ok'");
    const { values, suspensions } = drive(lua.start(f, 10_000));
    assert.deepEqual(values, [50_005_000, "ok"]);
    assert.ok(suspensions > 10, `suspended ${suspensions} times`);
  });

  it("suspends inside nested calls, pcall and while/repeat loops", () => {
    const { lua } = suspending();
    const f = lua.load(`
      local function inner(n) local i = 0 repeat i = i + 1 until i >= n return i end
      local function outer(n) local t = 0 while t < 3 do t = t + 1 end return inner(n) + t end
      local ok, v = pcall(outer, 5000)
      return ok, v`);
    const { values, suspensions } = drive(lua.start(f));
    assert.deepEqual(values, [true, 5003]);
    assert.ok(suspensions > 10);
  });

  it("hookSoon: the hook runs at the next step check, once", () => {
    const lua = new LuaState({ coroutines: true });
    const seen: number[] = [];
    let calls = 0;
    lua.setHook(1_000_000, () => seen.push(calls));
    lua.register("work", () => {
      calls++;
      if (calls % 10 === 0) lua.hookSoon();
      return [];
    });
    lua.run("for i = 1, 35 do work() end");
    assert.deepEqual(seen, [10, 20, 30]);
    // Outside a run of this state it does nothing.
    lua.hookSoon();
    lua.run("for i = 1, 5 do end");
    assert.deepEqual(seen, [10, 20, 30]);
  });

  it("runs to its end in one resume() when nobody asks to suspend", () => {
    const lua = new LuaState({ coroutines: true });
    lua.setHook(10, () => {});
    const f = lua.load("local s = 0 for i = 1, 1000 do s = s + i end return s");
    assert.deepEqual(lua.start(f).resume(), [500500]);
  });

  it("is the main thread for the script: coroutine.yield refuses as in call(), coroutines work", () => {
    const { lua } = suspending(5);
    assert.equal(
      luaError(() => drive(lua.start(lua.load("coroutine.yield(1)", "=s")))),
      luaError(() => lua.run("coroutine.yield(1)", "=s")),
    );
    const f = lua.load(`
      assert(coroutine.running() == nil)
      local co = coroutine.wrap(function() for i = 1, 50 do coroutine.yield(i) end end)
      local s = 0
      for _ = 1, 50 do s = s + co() end
      return s`);
    assert.deepEqual(drive(lua.start(f)).values, [1275]);
  });

  it("throws Lua errors as call() does, with their position", () => {
    const { lua } = suspending();
    const f = lua.load("for i = 1, 1000 do end\nerror('boom')", "=script");
    assert.equal(luaError(() => drive(lua.start(f))), "script:2: boom");
  });

  it("lets the hook stop a suspended run with an error", () => {
    const lua = new LuaState({ coroutines: true });
    let calls = 0;
    lua.setHook(100, () => {
      if (++calls === 3) throw new LuaError("killed", 0);
      lua.suspend();
    });
    const run = lua.start(lua.load("while true do end"));
    assert.equal(run.resume(), undefined);
    assert.equal(run.resume(), undefined);
    assert.equal(luaError(() => run.resume()), "killed");
  });

  it("ignores a suspend request that a run could not honour", () => {
    const lua = new LuaState({ coroutines: true });
    lua.suspend();
    assert.deepEqual(lua.start(lua.load("return 1")).resume(), [1]);
  });
});

describe("LuaState.protect: read-only tables", () => {
  const setup = () => {
    const lua = new LuaState();
    const lib = LuaTable.from([], { f: 1 });
    lib.mt = LuaTable.from([], { __index: LuaTable.from() });
    lua.globals.set("lib", lib);
    lua.protect(lua.globals);
    return { lua, lib };
  };

  it("refuses writes through the VM, with the position", () => {
    const { lua } = setup();
    for (const code of ["x = 1", "lib.f = 2", "lib.g = 2", "lib[1] = 2", "string.x = 1"]) {
      assert.equal(
        luaError(() => lua.run(code, "=s")),
        "s:1: Attempt to modify a readonly table",
        code,
      );
    }
    assert.equal(
      luaError(() => lua.run("getmetatable(lib).__index.y = 1", "=s")),
      "s:1: Attempt to modify a readonly table",
    );
  });

  it("refuses rawset, table.insert/remove/sort and setmetatable, without position", () => {
    const { lua } = setup();
    for (
      const code of [
        "rawset(_G, 'a', 1)",
        "rawset(lib, 'f', 1)",
        "table.insert(lib, 1)",
        "table.insert(lib, 1, 1)",
        "setmetatable(lib, nil)",
      ]
    ) {
      assert.equal(luaError(() => lua.run(code, "=s")), "Attempt to modify a readonly table", code);
    }
  });

  it("leaves other tables and the host's own writes alone", () => {
    const { lua, lib } = setup();
    assert.deepEqual(lua.run("local t = {3, 1, 2} table.sort(t) t.x = 1 return t[1], t.x"), [
      1,
      1,
    ]);
    lib.set("f", 5);
    assert.deepEqual(lua.run("return lib.f"), [5]);
    assert.equal(lib.readonly, true);
    assert.equal(lua.run("return {}")[0] instanceof LuaTable, true);
    assert.equal((lua.run("return {}")[0] as LuaTable).readonly, false);
  });

  it("tells where an error without position was raised", () => {
    const { lua } = setup();
    try {
      lua.run("local a = 1\nrawset(_G, 'a', 1)", "=s");
      assert.fail("no error");
    } catch (e) {
      assert.ok(e instanceof LuaError);
      assert.deepEqual(lua.raisedAt(e), { chunk: "s", line: 2 });
    }
  });
});
