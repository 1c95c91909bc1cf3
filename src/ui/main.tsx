import { render } from "preact";
import { App } from "./app.js";
import { HttpEngine } from "./engine-client.js";
import "./style.css";

render(<App engine={new HttpEngine()} />, document.getElementById("app")!);
