/**
 * INFO commandstats timing in the read loop (src/server/dispatch.ts): runs of commands share
 * one clock reading, yet calls are counted at once, every completed command's time is
 * recorded before the read loop returns, and a slow command is never averaged with cheap
 * commands of another kind.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { Server } from "../../src/server/server.ts";
import { ask, connect } from "../helpers/memory_transport.ts";

/** `cmdstat_<name>` of INFO commandstats as { calls, usec, ... }. */
function commandStats(text: string, name: string): Record<string, number> | undefined {
  const line = new RegExp(`^cmdstat_${name}:(.*)\r$`, "m").exec(text)?.[1];
  if (line === undefined) return undefined;
  const out: Record<string, number> = {};
  for (const pair of line.split(",")) {
    const [key, value] = pair.split("=");
    out[key] = Number(value);
  }
  return out;
}

/** Busy-waits `ms` milliseconds (a synchronous slow command). */
function spin(ms: number): void {
  const until = performance.now() + ms;
  while (performance.now() < until) { /* spin */ }
}

function serverWithCommands(): Server {
  const server = new Server();
  server.router.register("slowcmd", {
    arity: 1,
    flags: [],
    handler: (_command, reply) => {
      spin(20);
      reply.status("OK");
    },
  });
  server.router.register("cheapcmd", { arity: 1, flags: [], handler: () => "ok" });
  return server;
}

describe("command timing in runs", () => {
  it("counts calls of a run before the next command of the same run reads them", async () => {
    const t = connect(new Server());
    const replies = await ask(t, ["INFO", "commandstats"], ["INFO", "commandstats"]);
    assert.equal(commandStats(replies[0] as string, "info"), undefined);
    assert.equal(commandStats(replies[1] as string, "info")?.calls, 1);
  });

  it("records the time of every command of a pipeline before the next read", async () => {
    const server = serverWithCommands();
    const t = connect(server);
    await ask(t, ["SLOWCMD"], ["SLOWCMD"], ["SLOWCMD"]);
    const [text] = await ask(t, ["INFO", "commandstats"]);
    const stats = commandStats(text as string, "slowcmd");
    assert.ok(stats !== undefined);
    assert.equal(stats.calls, 3);
    // Three runs of 20 ms: the whole time, split equally among the three calls.
    assert.ok(stats.usec >= 60_000, `usec ${stats.usec}`);
    assert.ok(stats.usec_per_call >= 20_000, `usec_per_call ${stats.usec_per_call}`);
  });

  it("does not average a slow command with cheap commands of another kind", async () => {
    const server = serverWithCommands();
    const t = connect(server);
    const pipeline: string[][] = [["SLOWCMD"]];
    for (let i = 0; i < 10; i++) pipeline.push(["CHEAPCMD"], ["PING"]);
    await ask(t, ...pipeline);
    const [text] = await ask(t, ["INFO", "commandstats"]);
    const slow = commandStats(text as string, "slowcmd");
    const cheap = commandStats(text as string, "cheapcmd");
    const ping = commandStats(text as string, "ping");
    assert.ok(slow !== undefined && cheap !== undefined && ping !== undefined);
    assert.equal(slow.calls, 1);
    assert.equal(cheap.calls, 10);
    assert.equal(ping.calls, 10);
    assert.ok(slow.usec >= 20_000, `slowcmd usec ${slow.usec}`);
    // The slow command's 20 ms went to it alone.
    assert.ok(cheap.usec < 10_000, `cheapcmd usec ${cheap.usec}`);
    assert.ok(ping.usec < 10_000, `ping usec ${ping.usec}`);
  });
});
