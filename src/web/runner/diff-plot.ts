/**
 * The runner's difference plot (browser-only, plain SVG): per token position, log10 of max|Δ| and of
 * NMSE of each backend's logits against the reference's — two small charts side by side in one
 * <svg>, one coloured line per backend, the NMSE criterion as a dashed line.
 */
import { logAxis, logY, positionTicks, positionX, type LogAxis } from "./plot-scale.js";

const SVG_NS = "http://www.w3.org/2000/svg";

/** One backend's line: a value per position (NaN = no point). */
export interface PlotSeries {
  readonly name: string;
  readonly color: string;
  readonly maxAbs: readonly number[];
  readonly nmse: readonly number[];
}

/** An SVG element with attributes and children. */
function svg<K extends keyof SVGElementTagNameMap>(
  tag: K,
  attributes: Readonly<Record<string, string | number>>,
  ...children: (SVGElement | string)[]
): SVGElementTagNameMap[K] {
  const element = document.createElementNS(SVG_NS, tag);
  for (const [name, value] of Object.entries(attributes)) element.setAttribute(name, String(value));
  for (const child of children) element.append(child);
  return element;
}

/** Geometry of one chart inside the svg. */
interface ChartBox {
  readonly left: number;
  readonly top: number;
  readonly right: number;
  readonly bottom: number;
}

const CHART_WIDTH = 430;
const CHART_HEIGHT = 260;
const MARGIN = { left: 62, right: 14, top: 28, bottom: 42 };

/** Draw both charts into `target` (an <svg>), replacing what it held. */
export function drawDiffPlot(
  target: SVGSVGElement,
  series: readonly PlotSeries[],
  positions: number,
  tolerance: number,
): void {
  while (target.firstChild) target.removeChild(target.firstChild);
  target.setAttribute("viewBox", `0 0 ${2 * CHART_WIDTH} ${CHART_HEIGHT}`);
  target.setAttribute("width", String(2 * CHART_WIDTH));
  target.setAttribute("height", String(CHART_HEIGHT));
  target.setAttribute("role", "img");
  target.setAttribute(
    "aria-label",
    "log10 of max|Δ| and of NMSE of each backend's logits against the reference, per token position",
  );
  drawChart(
    target,
    0,
    "max |Δ| per position",
    "log₁₀ max|Δ|",
    series.map((s) => ({ ...s, values: s.maxAbs })),
    positions,
    null,
  );
  drawChart(
    target,
    CHART_WIDTH,
    "NMSE per position",
    "log₁₀ NMSE",
    series.map((s) => ({ ...s, values: s.nmse })),
    positions,
    tolerance,
  );
}

/** One chart: frame, axes with ticks, the tolerance line, one polyline per series. */
function drawChart(
  target: SVGSVGElement,
  x0: number,
  title: string,
  yLabel: string,
  series: readonly { name: string; color: string; values: readonly number[] }[],
  positions: number,
  tolerance: number | null,
): void {
  const box: ChartBox = {
    left: x0 + MARGIN.left,
    top: MARGIN.top,
    right: x0 + CHART_WIDTH - MARGIN.right,
    bottom: CHART_HEIGHT - MARGIN.bottom,
  };
  const axis = logAxis(
    series.flatMap((s) => s.values),
    tolerance === null ? [] : [tolerance],
  );
  const group = svg("g", { class: "chart" });
  group.append(
    svg("text", { x: (box.left + box.right) / 2, y: 16, class: "chart-title", "text-anchor": "middle" }, title),
  );
  group.append(
    svg("rect", { x: box.left, y: box.top, width: box.right - box.left, height: box.bottom - box.top, class: "frame" }),
  );
  drawYAxis(group, axis, box, yLabel);
  drawXAxis(group, positions, box);
  if (tolerance !== null) drawTolerance(group, axis, box, tolerance);
  for (const s of series) drawSeries(group, s, axis, box, positions);
  target.append(group);
}

/** Decade ticks with grid lines and labels "−6", and the axis label. */
function drawYAxis(group: SVGGElement, axis: LogAxis, box: ChartBox, label: string): void {
  for (const e of axis.ticks) {
    const y = logY(10 ** e, axis, box.top, box.bottom) ?? box.bottom;
    group.append(svg("line", { x1: box.left, x2: box.right, y1: y, y2: y, class: "grid" }));
    group.append(
      svg("text", { x: box.left - 6, y: y + 4, "text-anchor": "end", class: "tick" }, String(e).replace("-", "−")),
    );
  }
  const cy = (box.top + box.bottom) / 2;
  group.append(
    svg(
      "text",
      {
        x: box.left - 44,
        y: cy,
        transform: `rotate(-90 ${box.left - 44} ${cy})`,
        "text-anchor": "middle",
        class: "axis-label",
      },
      label,
    ),
  );
}

/** Position ticks and the axis label. */
function drawXAxis(group: SVGGElement, positions: number, box: ChartBox): void {
  for (const p of positionTicks(positions)) {
    const x = positionX(p, positions, box.left + 10, box.right - 10);
    group.append(svg("line", { x1: x, x2: x, y1: box.bottom, y2: box.bottom + 4, class: "axis" }));
    group.append(svg("text", { x, y: box.bottom + 16, "text-anchor": "middle", class: "tick" }, String(p)));
  }
  group.append(
    svg(
      "text",
      { x: (box.left + box.right) / 2, y: box.bottom + 34, "text-anchor": "middle", class: "axis-label" },
      "token position",
    ),
  );
}

/** The dashed criterion line with its label. */
function drawTolerance(group: SVGGElement, axis: LogAxis, box: ChartBox, tolerance: number): void {
  const y = logY(tolerance, axis, box.top, box.bottom) ?? box.bottom;
  group.append(
    svg("line", { x1: box.left, x2: box.right, y1: y, y2: y, class: "tolerance", "stroke-dasharray": "6 4" }),
  );
  group.append(
    svg(
      "text",
      { x: box.right - 4, y: y - 4, "text-anchor": "end", class: "tolerance-label" },
      `criterion ${tolerance.toExponential(1)}`,
    ),
  );
}

/** One backend: a polyline through its finite points plus a dot per point (zeros sit on the bottom edge). */
function drawSeries(
  group: SVGGElement,
  s: { name: string; color: string; values: readonly number[] },
  axis: LogAxis,
  box: ChartBox,
  positions: number,
): void {
  const points: string[] = [];
  const line = svg("g", { class: "series", "data-backend": s.name });
  s.values.forEach((v, p) => {
    const y = logY(v, axis, box.top, box.bottom);
    if (y === null) return;
    const x = positionX(p, positions, box.left + 10, box.right - 10);
    points.push(`${x.toFixed(1)},${y.toFixed(1)}`);
    line.append(
      svg(
        "circle",
        { cx: x, cy: y, r: 3, fill: s.color },
        svg("title", {}, `${s.name}, position ${p}: ${v === 0 ? "0 (identical)" : v.toExponential(3)}`),
      ),
    );
  });
  if (points.length > 1)
    line.prepend(svg("polyline", { points: points.join(" "), fill: "none", stroke: s.color, "stroke-width": 2 }));
  group.append(line);
}
