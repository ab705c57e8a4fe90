// A small line chart as a PNG, drawn here with no dependency: an RGB
// canvas, lines and markers, a 3×5 pixel font (upper case, digits and a
// few signs) drawn at twice its size, and the PNG format's chunks over
// node:zlib's deflate. Written for bench/echo.ts, whose picture (x: a
// logarithmic axis of connection counts; y: rates from 0) is all it draws.
import { deflateSync } from 'node:zlib';

export interface Chart {
  /** The x values (> 0), plotted on a logarithmic axis. */
  xs: number[];
  series: { name: string; values: number[] }[];
  title?: string;
  xLabel?: string;
  yLabel?: string;
}

const W = 900;
const H = 520;
const LEFT = 90;
const RIGHT = 250;
const TOP = 50;
const BOTTOM = 70;
const COLORS: [number, number, number][] = [
  [0, 0, 0],
  [46, 139, 87],
  [220, 50, 47],
  [38, 139, 210],
  [181, 137, 0],
  [108, 113, 196],
];

// Each glyph: 5 rows of 3 pixels, top to bottom, X set.
const GLYPHS: Record<string, string> = {
  'A': '.X.X.XXXXX.XX.X', 'B': 'XX.X.XXX.X.XXX.', 'C': '.XXX..X..X...XX', 'D': 'XX.X.XX.XX.XXX.',
  'E': 'XXXX..XX.X..XXX', 'F': 'XXXX..XX.X..X..', 'G': '.XXX..X.XX.X.XX', 'H': 'X.XX.XXXXX.XX.X',
  'I': 'XXX.X..X..X.XXX', 'J': '..X..X..XX.X.X.', 'K': 'X.XX.XXX.X.XX.X', 'L': 'X..X..X..X..XXX',
  'M': 'X.XXXXXXXX.XX.X', 'N': 'XX.X.XX.XX.XX.X', 'O': '.X.X.XX.XX.X.X.', 'P': 'XX.X.XXX.X..X..',
  'Q': '.X.X.XX.XXX..XX', 'R': 'XX.X.XXX.X.XX.X', 'S': '.XXX...X...XXX.', 'T': 'XXX.X..X..X..X.',
  'U': 'X.XX.XX.XX.XXXX', 'V': 'X.XX.XX.XX.X.X.', 'W': 'X.XX.XXXXXXXX.X', 'X': 'X.XX.X.X.X.XX.X',
  'Y': 'X.XX.X.X..X..X.', 'Z': 'XXX..X.X.X..XXX', '0': 'XXXX.XX.XX.XXXX', '1': '.X.XX..X..X.XXX',
  '2': 'XX...X.X.X..XXX', '3': 'XX...X.X...XXX.', '4': 'X.XX.XXXX..X..X', '5': 'XXXX..XX...XXX.',
  '6': '.XXX..XXXX.XXXX', '7': 'XXX..X.X..X..X.', '8': 'XXXX.XXXXX.XXXX', '9': 'XXXX.XXXX..XXX.',
  ':': '....X.....X....', '+': '....X.XXX.X....', '/': '..X..X.X.X..X..', '.': '.............X.',
  '-': '......XXX......', ',': '..........X.X..', '(': '.X.X..X..X...X.', ')': '.X...X..X..X.X.',
  '×': '...X.X.X.X.X...', ' ': '...............',
};

class Canvas {
  readonly pixels = Buffer.alloc(W * H * 3, 255);

  set(x: number, y: number, [r, g, b]: [number, number, number]): void {
    if (x < 0 || y < 0 || x >= W || y >= H) return;
    const i = (Math.round(y) * W + Math.round(x)) * 3;
    this.pixels[i] = r;
    this.pixels[i + 1] = g;
    this.pixels[i + 2] = b;
  }

  rect(x: number, y: number, w: number, h: number, color: [number, number, number]): void {
    for (let j = 0; j < h; j++) for (let i = 0; i < w; i++) this.set(x + i, y + j, color);
  }

  line(x0: number, y0: number, x1: number, y1: number, color: [number, number, number], width = 1): void {
    const steps = Math.max(Math.abs(x1 - x0), Math.abs(y1 - y0), 1);
    for (let k = 0; k <= steps; k++) {
      const x = x0 + ((x1 - x0) * k) / steps;
      const y = y0 + ((y1 - y0) * k) / steps;
      this.rect(Math.round(x - width / 2), Math.round(y - width / 2), width, width, color);
    }
  }

  /** Text at (x, y) (its top left), 2 px per font pixel; returns its width. */
  text(x: number, y: number, text: string, color: [number, number, number] = [0, 0, 0]): number {
    let cx = x;
    for (const c of text.toUpperCase()) {
      const glyph = GLYPHS[c] ?? GLYPHS[' ']!;
      for (let row = 0; row < 5; row++) for (let col = 0; col < 3; col++) if (glyph[row * 3 + col] === 'X') this.rect(cx + col * 2, y + row * 2, 2, 2, color);
      cx += 8;
    }
    return cx - x;
  }

  png(): Buffer {
    const raw = Buffer.alloc((W * 3 + 1) * H);
    for (let y = 0; y < H; y++) this.pixels.copy(raw, y * (W * 3 + 1) + 1, y * W * 3, (y + 1) * W * 3);
    const header = Buffer.alloc(13);
    header.writeUInt32BE(W, 0);
    header.writeUInt32BE(H, 4);
    header.set([8, 2, 0, 0, 0], 8); // 8 bits, RGB, deflate, no filter, no interlace
    return Buffer.concat([Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]), chunk('IHDR', header), chunk('IDAT', deflateSync(raw)), chunk('IEND', Buffer.alloc(0))]);
  }
}

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(data: Buffer): number {
  let c = 0xffffffff;
  for (const byte of data) c = CRC_TABLE[(c ^ byte) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type: string, data: Buffer): Buffer {
  const out = Buffer.alloc(12 + data.length);
  out.writeUInt32BE(data.length, 0);
  out.write(type, 4, 'latin1');
  data.copy(out, 8);
  out.writeUInt32BE(crc32(out.subarray(4, 8 + data.length)), 8 + data.length);
  return out;
}

const short = (n: number): string => (n >= 1e6 ? `${n / 1e6}M` : n >= 1e3 ? `${n / 1e3}K` : String(n));

/** The chart as PNG bytes. */
export function renderChart(chart: Chart): Buffer {
  const canvas = new Canvas();
  const plotW = W - LEFT - RIGHT;
  const plotH = H - TOP - BOTTOM;
  const max = Math.max(...chart.series.flatMap((s) => s.values.filter(Number.isFinite)), 1);
  const magnitude = 10 ** Math.floor(Math.log10(max));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * magnitude).find((s) => max / s <= 6)! / (max / magnitude > 5 ? 1 : 2);
  const top = Math.ceil(max / step) * step;
  const [lo, hi] = [Math.log10(Math.min(...chart.xs)), Math.log10(Math.max(...chart.xs))];
  const px = (x: number): number => LEFT + (hi === lo ? plotW / 2 : ((Math.log10(x) - lo) / (hi - lo)) * plotW);
  const py = (y: number): number => TOP + plotH - (y / top) * plotH;
  const grey: [number, number, number] = [220, 220, 220];
  for (let y = 0; y <= top + step / 2; y += step) {
    canvas.line(LEFT, py(y), LEFT + plotW, py(y), grey);
    const label = short(Math.round(y));
    canvas.text(LEFT - 12 - label.length * 8, py(y) - 5, label);
  }
  for (const x of chart.xs) {
    canvas.line(px(x), TOP, px(x), TOP + plotH, grey);
    const label = short(x);
    canvas.text(px(x) - label.length * 4, TOP + plotH + 10, label);
  }
  canvas.line(LEFT, TOP + plotH, LEFT + plotW, TOP + plotH, [0, 0, 0]);
  canvas.line(LEFT, TOP, LEFT, TOP + plotH, [0, 0, 0]);
  canvas.text(LEFT, 8, chart.title ?? 'ECHO: 64-BYTE ROUND TRIPS/S BY CONNECTIONS');
  canvas.text(LEFT + plotW / 2 - 60, H - 30, chart.xLabel ?? 'CONNECTIONS (LOG)');
  canvas.text(10, TOP - 18, chart.yLabel ?? 'ROUND TRIPS/S');
  chart.series.forEach((series, k) => {
    const color = COLORS[k % COLORS.length]!;
    const points = chart.xs.map((x, i) => [px(x), py(series.values[i]!)] as const).filter(([, y]) => Number.isFinite(y));
    points.forEach(([x, y], i) => {
      if (i > 0) canvas.line(points[i - 1]![0], points[i - 1]![1], x, y, color, 3);
      canvas.rect(x - 4, y - 4, 9, 9, color);
    });
    const ly = TOP + 10 + k * 24;
    canvas.rect(LEFT + plotW + 20, ly, 20, 10, color);
    canvas.text(LEFT + plotW + 48, ly, series.name, color);
  });
  return canvas.png();
}
