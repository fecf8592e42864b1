/**
 * A small SVG line plot (log-scale y) for the benchmark's curves: no plotting library is needed for
 * a few polylines and axes, and the file stays a readable, diffable text in docs/.
 */
export interface Curve {
  readonly name: string;
  readonly points: readonly { readonly x: number; readonly y: number }[];
}

export interface PlotOptions {
  readonly title: string;
  readonly xLabel: string;
  readonly yLabel: string;
  /** A horizontal reference line (e.g. the tutorial's 300-iteration J). */
  readonly reference?: { readonly y: number; readonly label: string };
}

const COLOURS = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f"];
const escape = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");

export function svgPlot(curves: readonly Curve[], options: PlotOptions): string {
  const W = 760;
  const H = 420;
  const left = 70;
  const right = 250;
  const top = 36;
  const bottom = 50;
  const all = curves.flatMap((c) => c.points);
  const xMax = Math.max(1, ...all.map((p) => p.x));
  const ys = [...all.map((p) => p.y), ...(options.reference ? [options.reference.y] : [])].filter((y) => y > 0);
  const yMin = 10 ** Math.floor(Math.log10(Math.min(...ys)));
  const yMax = 10 ** Math.ceil(Math.log10(Math.max(...ys)));
  const px = (x: number) => left + (x / xMax) * (W - left - right);
  const py = (y: number) => top + ((Math.log10(yMax) - Math.log10(y)) / (Math.log10(yMax) - Math.log10(yMin))) * (H - top - bottom);
  const out: string[] = [];
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="12">`);
  out.push(`<rect width="${W}" height="${H}" fill="white"/>`);
  out.push(`<text x="${left}" y="20" font-size="14">${escape(options.title)}</text>`);
  // Axes, decade grid lines on y, ~6 ticks on x.
  for (let e = Math.log10(yMin); e <= Math.log10(yMax) + 1e-9; e++) {
    const y = py(10 ** e).toFixed(1);
    out.push(`<line x1="${left}" x2="${W - right}" y1="${y}" y2="${y}" stroke="#ddd"/>`);
    out.push(`<text x="${left - 6}" y="${y}" text-anchor="end" dominant-baseline="middle">1e${e}</text>`);
  }
  const step = niceStep(xMax / 6);
  for (let x = 0; x <= xMax + 1e-9; x += step) {
    const X = px(x).toFixed(1);
    out.push(`<line x1="${X}" x2="${X}" y1="${top}" y2="${H - bottom}" stroke="#eee"/>`);
    out.push(`<text x="${X}" y="${H - bottom + 16}" text-anchor="middle">${x}</text>`);
  }
  out.push(`<rect x="${left}" y="${top}" width="${W - left - right}" height="${H - top - bottom}" fill="none" stroke="#333"/>`);
  out.push(`<text x="${(left + W - right) / 2}" y="${H - 12}" text-anchor="middle">${escape(options.xLabel)}</text>`);
  out.push(`<text transform="translate(16 ${(top + H - bottom) / 2}) rotate(-90)" text-anchor="middle">${escape(options.yLabel)}</text>`);
  if (options.reference) {
    const y = py(options.reference.y).toFixed(1);
    out.push(`<line x1="${left}" x2="${W - right}" y1="${y}" y2="${y}" stroke="#000" stroke-dasharray="5 4"/>`);
    out.push(`<text x="${W - right + 6}" y="${y}" dominant-baseline="middle">${escape(options.reference.label)}</text>`);
  }
  curves.forEach((c, i) => {
    const colour = COLOURS[i % COLOURS.length]!;
    const pts = c.points.filter((p) => p.y > 0).map((p) => `${px(p.x).toFixed(1)},${py(p.y).toFixed(1)}`);
    out.push(`<polyline fill="none" stroke="${colour}" stroke-width="2" points="${pts.join(" ")}"/>`);
    const ly = top + 14 + i * 34;
    out.push(`<line x1="${W - right + 6}" x2="${W - right + 26}" y1="${ly}" y2="${ly}" stroke="${colour}" stroke-width="3"/>`);
    wrap(c.name, 30).forEach((line, k) => out.push(`<text x="${W - right + 30}" y="${ly + 4 + k * 13}">${escape(line)}</text>`));
  });
  out.push("</svg>");
  return `${out.join("\n")}\n`;
}

/** 1, 2 or 5 × a power of ten, at least `raw`. */
function niceStep(raw: number): number {
  const p = 10 ** Math.floor(Math.log10(raw));
  return [1, 2, 5, 10].map((m) => m * p).find((s) => s >= raw)!;
}

function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = "";
  for (const word of text.split(" ")) {
    if (line && line.length + word.length + 1 > width) {
      lines.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  if (line) lines.push(line);
  return lines.slice(0, 2);
}
