/**
 * Counts in words: "1 match", "3 matches", "1 goroutine". English needs
 * only the count to pick the form; `many` defaults to `one` + "s".
 */

/** The word for `n` things: `one` when n is 1, else `many`. */
export function pluralWord(n: number, one: string, many = `${one}s`): string {
  return n === 1 ? one : many;
}

/** `n` and the word that goes with it, the number grouped by thousands: "1 match", "12,345 events". */
export function plural(n: number, one: string, many?: string): string {
  return `${n.toLocaleString("en-US")} ${pluralWord(n, one, many)}`;
}
