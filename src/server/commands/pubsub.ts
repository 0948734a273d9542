/**
 * Pub/sub commands: SUBSCRIBE, PSUBSCRIBE, UNSUBSCRIBE, PUNSUBSCRIBE, PUBLISH and PUBSUB
 * CHANNELS / NUMSUB / NUMPAT, over the server's {@link PubSub} registry.
 *
 * @module
 */

import type { CommandDefinition, Handler } from "../command_spec.ts";
import type { PubSub } from "../pubsub.ts";
import { container } from "./help.ts";

const pubsubChannels: Handler = (command, reply, connection) => {
  if (command.length > 2) {
    return reply.error("ERR wrong number of arguments for 'pubsub|channels' command");
  }
  reply.array(connection.server.pubsub.channels(command.arg(1)));
};

const pubsubNumsub: Handler = (command, reply, connection) => {
  const pubsub = connection.server.pubsub;
  const n = command.length - 1;
  reply.arrayHeader(n * 2);
  for (let i = 1; i <= n; i++) {
    const channel = command.argv[i + 1];
    reply.bulk(channel);
    reply.integer(pubsub.subscriberCount(channel));
  }
};

type Subscribing = "subscribe" | "psubscribe" | "unsubscribe" | "punsubscribe";

/** A handler that calls one of the registry's (un)subscribe methods with the arguments. */
function subscribing(method: Subscribing): Handler {
  return (command, reply, connection) => {
    const pubsub: PubSub = connection.server.pubsub;
    pubsub[method](connection, command.args, reply);
  };
}

/**
 * The pub/sub commands. "subscribed" (allowed in the RESP2 subscribed context) is the core's
 * own flag, not reported by COMMAND.
 */
export const pubsubCommands: readonly CommandDefinition[] = [
  {
    name: "subscribe",
    arity: -2,
    group: "pubsub",
    since: "2.0.0",
    complexity: "O(N) where N is the number of channels to subscribe to.",
    summary: "Listen for messages published to the given channels",
    flags: ["pubsub", "noscript", "loading", "stale", "subscribed"],
    handler: subscribing("subscribe"),
  },
  {
    name: "psubscribe",
    arity: -2,
    group: "pubsub",
    since: "2.0.0",
    complexity: "O(N) where N is the number of patterns the client is already subscribed to.",
    summary: "Listen for messages published to channels matching the given patterns",
    flags: ["pubsub", "noscript", "loading", "stale", "subscribed"],
    handler: subscribing("psubscribe"),
  },
  {
    name: "unsubscribe",
    arity: -1,
    group: "pubsub",
    since: "2.0.0",
    complexity: "O(N) where N is the number of clients already subscribed to a channel.",
    summary: "Stop listening for messages posted to the given channels",
    flags: ["pubsub", "noscript", "loading", "stale", "subscribed"],
    handler: subscribing("unsubscribe"),
  },
  {
    name: "punsubscribe",
    arity: -1,
    group: "pubsub",
    since: "2.0.0",
    complexity:
      "O(N+M) where N is the number of patterns the client is already subscribed and M is the number of total patterns subscribed in the system (by any client).",
    summary: "Stop listening for messages posted to channels matching the given patterns",
    flags: ["pubsub", "noscript", "loading", "stale", "subscribed"],
    handler: subscribing("punsubscribe"),
  },
  {
    name: "publish",
    arity: 3,
    flags: ["pubsub", "loading", "stale", "fast"],
    group: "pubsub",
    since: "2.0.0",
    complexity:
      "O(N+M) where N is the number of clients subscribed to the receiving channel and M is the total number of subscribed patterns (by any client).",
    summary: "Post a message to a channel",
    handler: (command, reply, connection) =>
      reply.integer(connection.server.pubsub.publish(command.argv[1], command.argv[2])),
  },
  container("pubsub", {
    arity: -2,
    group: "pubsub",
    since: "2.8.0",
    complexity: "Depends on subcommand.",
    summary: "A container for Pub/Sub commands",
    help: {
      flags: ["loading", "stale"],
      group: "pubsub",
      since: "6.2.0",
    },
    subcommands: {
      channels: {
        arity: -2,
        flags: ["pubsub", "loading", "stale"],
        group: "pubsub",
        since: "2.8.0",
        complexity:
          "O(N) where N is the number of active channels, and assuming constant time pattern matching (relatively short channels and patterns)",
        summary: "List active channels",
        handler: pubsubChannels,
      },
      numsub: {
        arity: -2,
        flags: ["pubsub", "loading", "stale"],
        group: "pubsub",
        since: "2.8.0",
        complexity: "O(N) for the NUMSUB subcommand, where N is the number of requested channels",
        summary: "Get the count of subscribers for channels",
        handler: pubsubNumsub,
      },
      numpat: {
        arity: 2,
        flags: ["pubsub", "loading", "stale"],
        group: "pubsub",
        since: "2.8.0",
        complexity: "O(1)",
        summary: "Get the count of unique patterns pattern subscriptions",
        handler: (_c, reply, connection) => reply.integer(connection.server.pubsub.patternCount()),
      },
    },
  }),
];
