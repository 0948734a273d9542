/**
 * The router's command-name cache: any case, register/remove, unknown names, names sharing a
 * cache slot, cached names as copies, and dispatch with a fallback handler.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { Router } from "../../src/server/router.ts";
import { Server } from "../../src/server/server.ts";
import { ask, connect } from "../helpers/memory_transport.ts";

const enc = (s: string): Uint8Array => new TextEncoder().encode(s);

describe("router name cache", () => {
  it("resolves any case, follows register/remove, and caches unknown names safely", () => {
    const router = new Router();
    const get = { arity: 2, handler: () => "a" };
    router.register("get", get);
    for (const name of ["get", "GET", "gEt", "GET", "get"]) {
      assert.equal(router.lookupBytes(enc(name))?.name, "get");
    }
    assert.equal(router.lookupBytes(enc("nope")), undefined);
    assert.equal(router.lookupBytes(enc("nope")), undefined);
    router.register("nope", { arity: 1, handler: () => "b" });
    assert.equal(router.lookupBytes(enc("NOPE"))?.name, "nope");
    assert.equal(router.lookupBytes(enc("nope"))?.name, "nope");
    const replacement = { arity: 3, handler: () => "c" };
    router.register("GET", replacement);
    assert.equal(router.lookupBytes(enc("get"))?.spec, replacement);
    router.remove("get");
    assert.equal(router.lookupBytes(enc("GET")), undefined);
    assert.equal(router.lookupBytes(new Uint8Array(0)), undefined);
    assert.equal(router.lookupBytes(enc("x".repeat(40))), undefined);
  });

  it("a name held in the cache is a copy: changing the caller's bytes changes nothing", () => {
    const router = new Router();
    router.register("get", { arity: 2, handler: () => "a" });
    router.register("set", { arity: 3, handler: () => "b" });
    const name = enc("get");
    assert.equal(router.lookupBytes(name)?.name, "get");
    name.set(enc("gex"));
    assert.equal(router.lookupBytes(name), undefined);
    assert.equal(router.lookupBytes(enc("get"))?.name, "get");
  });

  it("names that share a cache slot, and many names in turn, all resolve", () => {
    const router = new Router();
    const names: string[] = [];
    for (let i = 0; i < 300; i++) {
      const name = `c${i.toString(36)}x`;
      names.push(name);
      router.register(name, { arity: 1, handler: () => i });
    }
    for (let round = 0; round < 3; round++) {
      for (const name of names) {
        const raw = round === 1 ? name.toUpperCase() : name;
        assert.equal(router.lookupBytes(enc(raw))?.name, name);
      }
    }
  });

  it("dispatch: commands in any case, unknown ones, and the fallback handler", async () => {
    const server = new Server({ handler: (c) => `fallback ${c.name}` });
    server.router.register("hi", { arity: 1, handler: () => "hello" });
    const t = connect(server);
    const replies = await ask(t, ["HI"], ["hi"], ["Hi"], ["what"], ["WHAT"], ["hi"]);
    assert.deepEqual(replies, [
      "hello",
      "hello",
      "hello",
      "fallback what",
      "fallback what",
      "hello",
    ]);
    server.router.remove("hi");
    assert.deepEqual(await ask(t, ["hi"]), ["fallback hi"]);
    t.reportClosed();
    await server.close();
  });
});
