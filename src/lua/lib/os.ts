/**
 * A reduced `os` library, opened only on request: `clock`, `time` and `date` (the `*t`
 * table, and the default format).
 *
 * @module
 */

import { LuaTable } from "../table.ts";
import { checkTable, library, optNum, optStr } from "./args.ts";

const start = Date.now();
const DAYS = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

function pad(n: number, w = 2): string {
  return String(n).padStart(w, "0");
}

/** Builds the `os` table. */
export function osLib(): LuaTable {
  return library({
    clock: () => (Date.now() - start) / 1000,
    time: (...a: unknown[]) => {
      if (a[0] === undefined) return Math.floor(Date.now() / 1000);
      const t = checkTable(a, 1, "time");
      const field = (k: string, def: number) => {
        const v = t.get(k);
        return typeof v === "number" ? v : def;
      };
      const d = new Date(
        field("year", 1970),
        field("month", 1) - 1,
        field("day", 1),
        field("hour", 12),
        field("min", 0),
        field("sec", 0),
      );
      return Math.floor(d.getTime() / 1000);
    },
    date: (...a: unknown[]) => {
      let fmt = optStr(a, 1, "date", "%c");
      const d = new Date(optNum(a, 2, "date", Date.now() / 1000) * 1000);
      const utc = fmt.startsWith("!");
      if (utc) fmt = fmt.slice(1);
      const get = {
        year: utc ? d.getUTCFullYear() : d.getFullYear(),
        month: (utc ? d.getUTCMonth() : d.getMonth()) + 1,
        day: utc ? d.getUTCDate() : d.getDate(),
        hour: utc ? d.getUTCHours() : d.getHours(),
        min: utc ? d.getUTCMinutes() : d.getMinutes(),
        sec: utc ? d.getUTCSeconds() : d.getSeconds(),
        wday: (utc ? d.getUTCDay() : d.getDay()) + 1,
      };
      if (fmt.startsWith("*t")) {
        return LuaTable.from([], { ...get, isdst: false });
      }
      return fmt.replace(/%(.)/g, (_, c: string) => {
        switch (c) {
          case "Y":
            return String(get.year);
          case "m":
            return pad(get.month);
          case "d":
            return pad(get.day);
          case "H":
            return pad(get.hour);
          case "M":
            return pad(get.min);
          case "S":
            return pad(get.sec);
          case "a":
            return DAYS[get.wday - 1];
          case "b":
            return MONTHS[get.month - 1];
          case "c":
            return `${DAYS[get.wday - 1]} ${MONTHS[get.month - 1]} ${pad(get.day)} ${
              pad(get.hour)
            }:${pad(get.min)}:${pad(get.sec)} ${get.year}`;
          case "%":
            return "%";
          default:
            return "%" + c;
        }
      });
    },
  });
}
