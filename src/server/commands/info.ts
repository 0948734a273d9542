/**
 * INFO: the standard sections (`info_sections.ts`) and those the application adds with
 * `Server.addInfoSection`, in Redis 7.0's text format.
 *
 * @module
 */

import type { CommandDefinition } from "../command_spec.ts";
import type { Server } from "../server.ts";
import {
  NOT_DEFAULT,
  SECTION_HEADERS,
  STANDARD_SECTIONS,
  standardSection,
} from "./info_sections.ts";

/**
 * The INFO text for the given section names, in Redis 7.0's format and order: `# Section`
 * headers, `key:value` lines, CRLF line ends, a blank line between sections. No names (or
 * `default`) gives the default set, `all` / `everything` every section; several names may be
 * given (Redis 7); unknown names are ignored.
 *
 * @example
 * ```ts
 * import { infoText } from "./info.ts";
 * import { Server } from "../server.ts";
 *
 * infoText(new Server(), ["server"]); // "# Server\r\nredis_version:7.0.15\r\n..."
 * infoText(new Server(), ["memory", "cpu"]); // "# Memory\r\nused_memory:0\r\n...# CPU..."
 * ```
 */
export function infoText(server: Server, names: readonly string[]): string {
  const asked = new Set<string>();
  for (const name of names.length === 0 ? ["default"] : names) asked.add(name.toLowerCase());
  const all = asked.has("all") || asked.has("everything");
  const byDefault = all || asked.has("default");
  const custom = server.infoSections;
  const sections = [...STANDARD_SECTIONS];
  for (const name of custom.keys()) if (!sections.includes(name)) sections.push(name);
  let text = "";
  let count = 0;
  for (const name of sections) {
    if (!asked.has(name) && !all && !(byDefault && !NOT_DEFAULT.has(name))) continue;
    const fields = custom.get(name)?.() ?? standardSection(server, name);
    if (fields === undefined) continue;
    if (count++ > 0) text += "\r\n";
    text += `# ${SECTION_HEADERS.get(name) ?? name[0].toUpperCase() + name.slice(1)}\r\n`;
    for (const key of Object.keys(fields)) text += `${key}:${fields[key]}\r\n`;
  }
  return text;
}

/** INFO. */
export const infoCommands: readonly CommandDefinition[] = [
  {
    name: "info",
    arity: -1,
    flags: ["loading", "stale"],
    acl: ["dangerous"],
    group: "server",
    since: "1.0.0",
    complexity: "O(1)",
    summary: "Get information and statistics about the server",
    history: [["7.0.0", "Added support for taking multiple section arguments."]],
    tips: ["nondeterministic_output", "request_policy:all_shards", "response_policy:special"],
    handler: (command, reply, connection) => {
      const names: string[] = [];
      for (let i = 0; i < command.length; i++) names.push(command.string(i));
      reply.verbatim(infoText(connection.server, names));
    },
  },
];
