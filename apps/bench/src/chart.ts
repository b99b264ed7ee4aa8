/**
 * A self-contained SVG chart: speedup over inline against worker count, one panel per
 * workload that sweeps worker counts (CPU-bound next to the IO-bound ones), one line per
 * backend, peer mode or Python, each point with an error bar over its speedup's interval.
 * Open it in any browser.
 */
import { BASELINE, type BenchReport, type CaseResult } from './report.js';
import { WORKLOADS, type WorkloadId } from './workloads.js';

const PANEL_W = 340;
const PANEL_H = 260;
const PAD = { left: 56, right: 16, top: 70, bottom: 44 };
const GAP = 28;
const LEGEND_ROW = 20;
/** Highest perfect-scaling speedup the CPU panel makes room for. */
const IDEAL_CAP = 8;
const COLORS = [
  '#1f77b4',
  '#d62728',
  '#2ca02c',
  '#9467bd',
  '#ff7f0e',
  '#8c564b',
  '#e377c2',
  '#17becf',
  '#bcbd22',
  '#7f7f7f',
];

function esc(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** A round step for about five ticks up to `max`. */
function tickStep(max: number): number {
  const raw = max / 5;
  const power = 10 ** Math.floor(Math.log10(raw));
  return ([1, 2, 2.5, 5, 10].find((m) => m * power >= raw) ?? 10) * power;
}

/** The workloads drawn: those that sweep worker counts and have results. */
export function chartedWorkloads(report: BenchReport): WorkloadId[] {
  return report.options.workloads.filter(
    (w) =>
      WORKLOADS[w].sweepsWorkers &&
      report.cases.some((c) => c.workload === w && c.speedup !== undefined),
  );
}

/** Series names in legend order, each with its colour. */
function seriesColors(cases: readonly CaseResult[]): Map<string, string> {
  const colors = new Map<string, string>();
  for (const c of cases) {
    if (c.label === BASELINE || colors.has(c.label)) continue;
    colors.set(c.label, COLORS[colors.size % COLORS.length] as string);
  }
  return colors;
}

function panel(
  report: BenchReport,
  workload: WorkloadId,
  x0: number,
  colors: Map<string, string>,
): string {
  const cases = report.cases.filter((c) => c.workload === workload && c.speedup !== undefined);
  const workers = report.options.workers;
  const wMin = Math.min(...workers);
  const wMax = Math.max(...workers);
  const showIdeal = workload === 'cpu' && wMax > wMin;
  // The CPU panel also fits perfect scaling (speedup = workers), up to 8× so many cores do not
  // flatten the measured lines.
  const idealTop = showIdeal ? Math.min(wMax, IDEAL_CAP) : 0;
  const medians = cases.map((c) => c.speedup as number);
  // Error bars fit too, but one wild interval must not flatten every line.
  const highs = cases.map((c) =>
    Math.min(c.speedupInterval?.high ?? 0, 1.5 * Math.max(...medians)),
  );
  const yTop = Math.max(1.25, idealTop, ...medians, ...highs) * 1.1;
  const step = tickStep(yTop);
  const yMax = Math.ceil(yTop / step) * step;
  const plotW = PANEL_W - PAD.left - PAD.right;
  const plotH = PANEL_H - PAD.top - PAD.bottom;
  const sx = (w: number): number =>
    x0 + PAD.left + (wMax === wMin ? plotW / 2 : ((w - wMin) / (wMax - wMin)) * plotW);
  const sy = (v: number): number => PAD.top + plotH - (Math.min(v, yMax) / yMax) * plotH;
  const parts: string[] = [];
  const spec = WORKLOADS[workload];
  const items = cases.find((c) => c.label === BASELINE)?.items ?? cases[0]?.items ?? 0;
  parts.push(
    `<text x="${x0 + PAD.left}" y="${PAD.top - 28}" class="title">${esc(spec.label)}</text>`,
    `<text x="${x0 + PAD.left}" y="${PAD.top - 12}" class="sub">${esc(`${items.toLocaleString('en-US')} items · higher is better`)}</text>`,
    `<rect x="${x0 + PAD.left}" y="${PAD.top}" width="${plotW}" height="${plotH}" class="frame"/>`,
  );
  for (let v = 0; v <= yMax + 1e-9; v += step) {
    parts.push(
      `<line x1="${x0 + PAD.left}" x2="${x0 + PAD.left + plotW}" y1="${sy(v)}" y2="${sy(v)}" class="grid"/>`,
      `<text x="${x0 + PAD.left - 6}" y="${sy(v) + 4}" class="tick" text-anchor="end">${+v.toFixed(2)}×</text>`,
    );
  }
  for (const w of workers) {
    parts.push(
      `<text x="${sx(w)}" y="${PAD.top + plotH + 16}" class="tick" text-anchor="middle">${w}</text>`,
    );
  }
  parts.push(
    `<text x="${x0 + PAD.left + plotW / 2}" y="${PANEL_H - 8}" class="axis" text-anchor="middle">workers</text>`,
    `<text transform="translate(${x0 + 14} ${PAD.top + plotH / 2}) rotate(-90)" class="axis" text-anchor="middle">speedup vs inline</text>`,
  );
  if (workload === 'cpu' && wMax > wMin) {
    // Perfect scaling from one worker at inline's speed, for reference.
    parts.push(
      `<line x1="${sx(wMin)}" y1="${sy(wMin)}" x2="${sx(wMax)}" y2="${sy(wMax)}" class="ideal"/>`,
    );
  }
  parts.push(
    `<line x1="${x0 + PAD.left}" x2="${x0 + PAD.left + plotW}" y1="${sy(1)}" y2="${sy(1)}" class="baseline"/>`,
    `<text x="${x0 + PAD.left + plotW - 4}" y="${sy(1) - 5}" class="tick" text-anchor="end">inline = 1×</text>`,
  );
  for (const [label, color] of colors) {
    const points = cases.filter((c) => c.label === label).sort((a, b) => a.workers - b.workers);
    if (points.length === 0) continue;
    const coords = points.map(
      (c) => `${sx(c.workers).toFixed(1)},${sy(c.speedup as number).toFixed(1)}`,
    );
    if (points.length > 1)
      parts.push(
        `<polyline points="${coords.join(' ')}" fill="none" stroke="${color}" stroke-width="2"/>`,
      );
    for (const c of points) {
      const x = sx(c.workers).toFixed(1);
      const range = c.speedupInterval;
      if (range && range.high > range.low) {
        const [y1, y2] = [sy(range.low).toFixed(1), sy(range.high).toFixed(1)];
        const [xa, xb] = [(sx(c.workers) - 4).toFixed(1), (sx(c.workers) + 4).toFixed(1)];
        parts.push(
          `<path d="M${x} ${y1}V${y2}M${xa} ${y1}H${xb}M${xa} ${y2}H${xb}" class="errorbar" stroke="${color}"/>`,
        );
      }
      const spread =
        range && range.high > range.low
          ? ` (${range.low.toFixed(2)}–${range.high.toFixed(2)})`
          : '';
      parts.push(
        `<circle cx="${x}" cy="${sy(c.speedup as number).toFixed(1)}" r="3.5" fill="${color}"><title>${esc(`${label}, ${c.workers} workers: ${(c.speedup as number).toFixed(2)}× inline${spread}`)}</title></circle>`,
      );
    }
  }
  return parts.join('\n');
}

/** Renders the chart as a standalone SVG document. */
export function renderChart(report: BenchReport): string {
  const workloads = chartedWorkloads(report);
  const shown = report.cases.filter(
    (c) => workloads.includes(c.workload) && c.speedup !== undefined,
  );
  const colors = seriesColors(shown);
  const panels = Math.max(1, workloads.length);
  const width = panels * PANEL_W + (panels - 1) * GAP + 32;
  const legendRows = Math.ceil((colors.size + 2) / 3);
  const height = 56 + PANEL_H + 16 + legendRows * LEGEND_ROW + 16;
  const m = report.machine;
  const heading =
    'manyhands bench: speedup over inline by worker count (bars: interval of the median)';
  const facts = `${m.cores} cores · ${m.cpuModel} · Node ${m.node} · ${m.date.slice(0, 16).replace('T', ' ')} UTC`;
  const body: string[] = [];
  workloads.forEach((workload, i) => {
    body.push(
      `<g transform="translate(0 56)">${panel(report, workload, 16 + i * (PANEL_W + GAP), colors)}</g>`,
    );
  });
  if (workloads.length === 0) {
    body.push(
      `<text x="16" y="120" class="sub">No CPU- or IO-bound results with an inline baseline to chart.</text>`,
    );
  }
  const legend: [string, string, string][] = [
    ['inline = 1× (baseline)', '#444', '6 4'],
    ...(workloads.includes('cpu')
      ? [['perfect scaling (CPU-bound)', '#aaa', '2 4'] as [string, string, string]]
      : []),
    ...[...colors].map(([label, color]) => [label, color, ''] as [string, string, string]),
  ];
  const legendTop = 56 + PANEL_H + 16;
  legend.forEach(([label, color, dash], i) => {
    const x = 16 + PAD.left + (i % 3) * 300;
    const y = legendTop + Math.floor(i / 3) * LEGEND_ROW;
    body.push(
      `<line x1="${x}" x2="${x + 28}" y1="${y}" y2="${y}" stroke="${color}" stroke-width="2"${dash ? ` stroke-dasharray="${dash}"` : ''}/>`,
      `<text x="${x + 36}" y="${y + 4}" class="legend">${esc(label)}</text>`,
    );
  });
  return `<?xml version="1.0" encoding="UTF-8"?>
<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="system-ui, -apple-system, 'Segoe UI', Helvetica, Arial, sans-serif">
<style>
.title { font-size: 15px; font-weight: 600; fill: #222; }
.sub { font-size: 12px; fill: #666; }
.tick { font-size: 11px; fill: #555; }
.axis { font-size: 12px; fill: #333; }
.legend { font-size: 12px; fill: #333; }
.frame { fill: #fff; stroke: #ccc; }
.grid { stroke: #eee; }
.baseline { stroke: #444; stroke-width: 1.5; stroke-dasharray: 6 4; }
.ideal { stroke: #aaa; stroke-width: 1.5; stroke-dasharray: 2 4; }
.errorbar { fill: none; stroke-width: 1.2; stroke-opacity: 0.7; }
</style>
<rect width="100%" height="100%" fill="#fafafa"/>
<text x="16" y="24" class="title">${esc(heading)}</text>
<text x="16" y="42" class="sub">${esc(facts)}</text>
${body.join('\n')}
</svg>
`;
}
