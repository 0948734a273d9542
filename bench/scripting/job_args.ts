/**
 * The arguments of an EVALSHA of `job_script.lua` (its KEYS and ARGV are described there),
 * shared by the scripting benchmarks.
 *
 * @module
 */

/** The job JSON the benchmarks send as ARGV[2]. */
export const JOB_DATA = '{"user":42,"tags":["a","b"],"payload":"xxxxxxxxxxxxxxxx"}';

/**
 * EVALSHA `sha` of the job script for job name `name` (redis-benchmark's `__rand_int__`
 * placeholder, or a key made by the caller) and `data` as the job's JSON.
 */
export function jobArgs(sha: string, name: string, data: string = JOB_DATA): string[] {
  return [
    "EVALSHA",
    sha,
    "6",
    "{q}:wait",
    "{q}:prioritized",
    "{q}:meta",
    "{q}:id",
    "{q}:job:",
    "{q}:paused",
    name,
    data,
    "1700000000000",
  ];
}
