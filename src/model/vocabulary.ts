/**
 * The vocabulary the model stores, as the analyses computed from it name it:
 * a stack's frames, a goroutine's states and the names of the event kinds
 * the model counts. They are the decoder's (decode/event.ts), re-exported
 * here so that analysis/ reads the model without importing decode/.
 */
export { eventKindNames, GoState, type StackFrame } from "../decode/event.js";
