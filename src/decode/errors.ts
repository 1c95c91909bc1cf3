/**
 * The one error type the decoder raises: a reason, the byte offset where it
 * was found and, for modern traces, the generation it belongs to.
 */
export class TraceError extends Error {
  /** Byte offset in the trace file of the batch or event at fault, when known. */
  readonly offset: number | undefined;
  /** Generation number (modern traces), when known. */
  readonly generation: number | undefined;
  /** The reason alone, as Go words it, without position. */
  readonly reason: string;

  /**
   * Go's reader returns a bare io.EOF when a special batch (strings, stacks,
   * sync…) ends between two values, and its callers take io.EOF as the clean
   * end of the trace. Such an error ends the trace instead of failing it.
   */
  readonly endsTrace: boolean;

  constructor(reason: string, offset?: number, generation?: number, endsTrace = false) {
    let where = "";
    if (offset !== undefined) where += ` at byte offset ${offset}`;
    if (generation !== undefined) where += ` (generation ${generation})`;
    super(`${reason}${where}`);
    this.name = "TraceError";
    this.reason = reason;
    this.offset = offset;
    this.generation = generation;
    this.endsTrace = endsTrace;
  }
}
