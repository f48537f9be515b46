/** One line of a {@link ChartPanel}. */
export interface ChartSeries {
  name: string;
  color: string;
  /** SVG `stroke-dasharray`, e.g. `'6 4'`; solid when absent. */
  dash?: string;
  points: readonly (readonly [number, number])[];
}

/** One plot area: its own y axis, lines sharing the chart's x axis. */
export interface ChartPanel {
  title: string;
  yLabel: string;
  /** Top of the y axis; default the largest y, rounded up to a readable step. */
  yMax?: number;
  series: readonly ChartSeries[];
  /** Horizontal reference lines (a quota, a goal). */
  references?: readonly { y: number; label: string }[];
  /** Where the legend goes; default top right. */
  legend?: 'top-right' | 'top-left';
}

/** What {@link renderLineChartSvg} draws. */
export interface LineChart {
  title: string;
  xLabel: string;
  xMax: number;
  panels: readonly ChartPanel[];
  /** Vertical reference lines (a physical limit, a goal). */
  xReferences?: readonly { x: number; label: string }[];
  /** Default 900. */
  width?: number;
}

const PANEL_HEIGHT = 220;
const MARGIN = { left: 70, right: 20, top: 50, gap: 56, bottom: 50 };

/**
 * A small dependency-free SVG line chart: stacked panels sharing one x axis, each with its own y axis,
 * ticks, grid, legend and reference lines. Text is escaped; output is deterministic for the same input.
 */
export function renderLineChartSvg(chart: LineChart): string {
  const width = chart.width ?? 900;
  const plotWidth = width - MARGIN.left - MARGIN.right;
  const height = MARGIN.top + chart.panels.length * (PANEL_HEIGHT + MARGIN.gap) - MARGIN.gap + MARGIN.bottom;
  const xTicks = niceTicks(chart.xMax);
  const xMax = xTicks[xTicks.length - 1] as number;
  const sx = (x: number) => MARGIN.left + (Math.min(x, xMax) / xMax) * plotWidth;
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="Helvetica, Arial, sans-serif" font-size="12">`,
    `<rect width="${width}" height="${height}" fill="#ffffff"/>`,
    `<text x="${width / 2}" y="24" text-anchor="middle" font-size="16" font-weight="bold">${escape(chart.title)}</text>`,
  ];
  chart.panels.forEach((panel, index) => {
    const top = MARGIN.top + index * (PANEL_HEIGHT + MARGIN.gap);
    const bottom = top + PANEL_HEIGHT;
    const dataMax = Math.max(1, ...panel.series.flatMap((s) => s.points.map((p) => p[1])), ...(panel.references ?? []).map((r) => r.y));
    const yTicks = niceTicks(panel.yMax ?? dataMax);
    const yMax = yTicks[yTicks.length - 1] as number;
    const sy = (y: number) => bottom - (Math.min(y, yMax) / yMax) * PANEL_HEIGHT;
    out.push(`<text x="${MARGIN.left}" y="${top - 8}" font-weight="bold">${escape(panel.title)}</text>`);
    for (const tick of yTicks) {
      out.push(
        `<line x1="${MARGIN.left}" x2="${MARGIN.left + plotWidth}" y1="${fmt(sy(tick))}" y2="${fmt(sy(tick))}" stroke="#e5e5e5"/>`,
        `<text x="${MARGIN.left - 6}" y="${fmt(sy(tick) + 4)}" text-anchor="end" fill="#444">${tick.toLocaleString('en')}</text>`,
      );
    }
    for (const tick of xTicks) {
      out.push(`<line x1="${fmt(sx(tick))}" x2="${fmt(sx(tick))}" y1="${bottom}" y2="${bottom + 4}" stroke="#444"/>`);
      out.push(`<text x="${fmt(sx(tick))}" y="${bottom + 17}" text-anchor="middle" fill="#444">${tick}</text>`);
    }
    out.push(
      `<line x1="${MARGIN.left}" x2="${MARGIN.left + plotWidth}" y1="${bottom}" y2="${bottom}" stroke="#444"/>`,
      `<line x1="${MARGIN.left}" x2="${MARGIN.left}" y1="${top}" y2="${bottom}" stroke="#444"/>`,
      `<text transform="translate(${MARGIN.left - 52} ${top + PANEL_HEIGHT / 2}) rotate(-90)" text-anchor="middle" fill="#444">${escape(panel.yLabel)}</text>`,
    );
    for (const ref of panel.references ?? []) {
      out.push(
        `<line x1="${MARGIN.left}" x2="${MARGIN.left + plotWidth}" y1="${fmt(sy(ref.y))}" y2="${fmt(sy(ref.y))}" stroke="#999" stroke-dasharray="2 3"/>`,
        `<text x="${MARGIN.left + plotWidth - 4}" y="${fmt(sy(ref.y) - 4)}" text-anchor="end" fill="#666">${escape(ref.label)}</text>`,
      );
    }
    for (const ref of chart.xReferences ?? []) {
      out.push(
        `<line x1="${fmt(sx(ref.x))}" x2="${fmt(sx(ref.x))}" y1="${top}" y2="${bottom}" stroke="#999" stroke-dasharray="2 3"/>`,
        `<text x="${fmt(sx(ref.x) + 4)}" y="${bottom - 6}" fill="#666">${escape(ref.label)}</text>`,
      );
    }
    for (const series of panel.series) {
      if (series.points.length === 0) continue;
      const path = series.points.map(([x, y], i) => `${i === 0 ? 'M' : 'L'}${fmt(sx(x))},${fmt(sy(y))}`).join(' ');
      out.push(`<path d="${path}" fill="none" stroke="${series.color}" stroke-width="2"${series.dash ? ` stroke-dasharray="${series.dash}"` : ''}/>`);
    }
    // Legend, in a corner of the panel.
    panel.series.forEach((series, i) => {
      const y = top + 16 + i * 16;
      const x = panel.legend === 'top-left' ? MARGIN.left + 12 : MARGIN.left + plotWidth - 330;
      out.push(
        `<line x1="${x}" x2="${x + 24}" y1="${y - 4}" y2="${y - 4}" stroke="${series.color}" stroke-width="2"${series.dash ? ` stroke-dasharray="${series.dash}"` : ''}/>`,
        `<text x="${x + 30}" y="${y}" fill="#222">${escape(series.name)}</text>`,
      );
    });
  });
  out.push(`<text x="${MARGIN.left + plotWidth / 2}" y="${height - 12}" text-anchor="middle" fill="#444">${escape(chart.xLabel)}</text>`, '</svg>');
  return `${out.join('\n')}\n`;
}

/** Ticks from 0 to a round number at or above `max` (1, 2 or 5 times a power of ten apart, 4 to 10 of them). */
export function niceTicks(max: number): number[] {
  const top = max > 0 && Number.isFinite(max) ? max : 1;
  const raw = top / 5;
  const power = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * power).find((s) => s >= raw) ?? 10 * power;
  const ticks: number[] = [];
  for (let v = 0; v < top + step - 1e-9; v += step) ticks.push(Math.round(v * 1e6) / 1e6);
  return ticks;
}

function fmt(value: number): string {
  return value.toFixed(1);
}

function escape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}
