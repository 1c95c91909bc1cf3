/**
 * Counts with their noun in the right number, as the analysis pages word
 * them: "1 goroutine", "2 goroutines", "1,024 intervals". English plurals
 * of the nouns used here take an "s"; an irregular one passes its plural.
 */
import { formatCount } from "./format.js";

/** The noun for `n` things: `one` for exactly 1, else `many` (default `one` + "s"). */
export function noun(n: number, one: string, many = `${one}s`): string {
  return n === 1 ? one : many;
}

/** `n` with thousands separators and its noun: plural(1, "goroutine") is "1 goroutine". */
export function plural(n: number, one: string, many?: string): string {
  return `${formatCount(n)} ${noun(n, one, many)}`;
}
