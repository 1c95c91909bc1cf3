/** What every analysis page shares: its title, and a line while its data loads or when it failed. */
import type { ComponentChildren } from "preact";
import type { Loaded } from "./analysis-api.js";
import { formatCount } from "./format.js";
import "./pages.css";

export function PageFrame(props: { title: string; intro?: ComponentChildren; children?: ComponentChildren }) {
  return (
    <div class="apage">
      <h1>{props.title}</h1>
      {props.intro && <p class="intro">{props.intro}</p>}
      {props.children}
    </div>
  );
}

/** The loading or error line for `loaded`, or the children once it is done. */
export function Pending<T>(props: { loaded: Loaded<T>; children: (value: T) => ComponentChildren }) {
  const l = props.loaded;
  if (l.state === "error")
    return (
      <div class="aerror" role="alert">
        {l.message}
      </div>
    );
  if (l.state === "loading")
    return (
      <div class="loading" aria-live="polite">
        Analysing the trace…
        {l.status && l.status.events > 0 ? ` ${formatCount(l.status.events)} events read` : ""}
      </div>
    );
  return <>{props.children(l.value)}</>;
}
