/**
 * A uPlot chart as a Preact component: built when the data or options
 * change, sized to its container's width, destroyed on unmount. uPlot draws
 * on a canvas and styles through the CSSOM, which the server's CSP allows.
 */
import { useEffect, useRef } from "preact/hooks";
import uPlot from "uplot";
import "uplot/dist/uPlot.min.css";

export function UPlotChart(props: {
  options: Omit<uPlot.Options, "width">;
  data: uPlot.AlignedData;
  /** Called with the chart once it is built (to hook clicks). */
  onReady?: (chart: uPlot) => void;
  label: string;
}) {
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const el = box.current;
    if (!el) return;
    const width = () => Math.max(300, el.clientWidth);
    const chart = new uPlot({ ...props.options, width: width() }, props.data, el);
    props.onReady?.(chart);
    const resize = new ResizeObserver(() => chart.setSize({ width: width(), height: props.options.height }));
    resize.observe(el);
    return () => {
      resize.disconnect();
      chart.destroy();
    };
  }, [props.options, props.data]);
  return <div class="chart" ref={box} role="img" aria-label={props.label} />;
}
