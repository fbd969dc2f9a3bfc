export interface LatencyStats {
  requests: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
}

export interface ThroughputStats extends LatencyStats {
  rps: number;
  durationS: number;
}

export interface PipelineRun {
  workers: number;
  enrichments: number;
  /** From the first request sent to the last enrichment `finished`, wall clock. */
  seconds: number;
  perSecond: number;
  /** The same span as the database saw it: max(updated_at) - min(created_at). */
  dbSpanSeconds: number;
  /** CPU seconds per 1,000 enrichments: the worker processes, and the database's backends (the API's too). */
  workerCpuPer1000?: number;
  dbCpuPer1000?: number;
}

export interface ProviderAdherence {
  calls: number;
  /** Calls in the measured span of `windows` windows from the provider's first call. */
  measuredCalls: number;
  windows: number;
  adherence: number;
  /** Most calls in any span of one window length (sliding), over the whole run. */
  maxSlidingWindow: number;
  /** Most calls in one of the limiter's own windows (each opens at the first call after the last closed). */
  maxFixedWindow: number;
  /** Whether work was still waiting when the measured span ended (else the rate reflects a lack of demand). */
  saturated: boolean;
}

export interface Results {
  generatedAt: string;
  smoke: boolean;
  environment: { node: string; cpus: number; cpuModel: string; postgres: string; commit: string | null };
  settings: Record<string, number | string>;
  bulk: Record<string, { service: LatencyStats; floor: LatencyStats }>;
  manual: { connections: number; orgs: number; service: ThroughputStats; floor: ThroughputStats };
  memory: { apiPeakRssMb: number; apiVmHwmMb: number; floorPeakRssMb: number };
  pipeline: PipelineRun[];
  rateLimit: {
    limit: number;
    windowMs: number;
    workers: number;
    providers: Record<string, ProviderAdherence>;
    adherence: number;
    maxInAnyWindow: number;
  };
  scaling: {
    leads: number[];
    serviceP50: number[];
    floorP50: number[];
    serviceLinearity: number;
    floorLinearity: number;
  };
  targets: { measure: string; measured: string; target: string; met: boolean }[];
}

const round = (value: number, digits = 1) => Number(value.toFixed(digits));

/**
 * Whether each extra lead costs more as requests grow: the marginal cost per lead from 100 to
 * 1000 leads divided by the average cost per lead of a 100-lead request. A linear cost
 * (fixed overhead + a constant per lead) gives at most 1 — the average still carries the
 * overhead; a cost that grows faster than the number of leads gives more.
 */
export function linearity(leads: number[], p50: number[]): number {
  const [, n2, n3] = leads;
  const [, t2, t3] = p50;
  return (t3 - t2) / (n3 - n2) / (t2 / n2);
}

export function evaluateTargets(r: Omit<Results, 'targets'>): Results['targets'] {
  const bulk = r.bulk['1000'];
  const pipelineTwo = r.pipeline.find((run) => run.workers === 2)?.perSecond ?? 0;
  const ratio = (a: number, b: number) => a / b;
  return [
    {
      measure: 'bulk-1000 p50, service ÷ floor',
      measured: `${round(ratio(bulk.service.p50, bulk.floor.p50), 2)}×`,
      target: '≤ 1.3×',
      met: ratio(bulk.service.p50, bulk.floor.p50) <= 1.3,
    },
    {
      measure: 'manual throughput, service ÷ floor',
      measured: `${round(ratio(r.manual.service.rps, r.manual.floor.rps), 2)}×`,
      target: '≥ 0.7×',
      met: ratio(r.manual.service.rps, r.manual.floor.rps) >= 0.7,
    },
    {
      measure: 'manual p99, service ÷ floor',
      measured: `${round(ratio(r.manual.service.p99, r.manual.floor.p99), 2)}×`,
      target: '≤ 1.5×',
      met: ratio(r.manual.service.p99, r.manual.floor.p99) <= 1.5,
    },
    {
      measure: 'pipeline, enrichments/s (2 worker processes)',
      measured: `${Math.round(pipelineTwo)}`,
      target: '≥ 4000',
      met: pipelineTwo >= 4000,
    },
    {
      measure: 'rate-limit adherence (worst provider)',
      measured: `${round(r.rateLimit.adherence, 3)}`,
      target: '0.95 – 1.0',
      met: r.rateLimit.adherence >= 0.95 && r.rateLimit.adherence <= 1,
    },
    {
      measure: `rate limit: most calls in any ${r.rateLimit.windowMs} ms`,
      measured: `${r.rateLimit.maxInAnyWindow}`,
      target: `≤ ${r.rateLimit.limit}`,
      met: r.rateLimit.maxInAnyWindow <= r.rateLimit.limit,
    },
    {
      measure: 'API peak RSS under manual load',
      measured: `${Math.round(r.memory.apiPeakRssMb)} MB`,
      target: '≤ 250 MB',
      met: r.memory.apiPeakRssMb <= 250,
    },
    {
      measure: 'bulk cost linear (ms per extra lead 100→1000 ÷ ms per lead at 100)',
      measured: `${round(r.scaling.serviceLinearity, 2)}`,
      target: '≤ 1.25',
      met: r.scaling.serviceLinearity <= 1.25,
    },
  ];
}

const ms = (value: number) => `${round(value)} ms`;

export function markdown(r: Results): string {
  const ratio = (a: number, b: number) => `${round(a / b, 2)}×`;
  const lines: string[] = [];
  lines.push(
    `Measured ${r.generatedAt.slice(0, 10)} on ${r.environment.cpus} × ${r.environment.cpuModel}, Node ${r.environment.node}, ` +
      `PostgreSQL ${r.environment.postgres}${r.environment.commit ? `, commit ${r.environment.commit.slice(0, 7)}` : ''}` +
      `${r.smoke ? ' — SMOKE RUN: tiny counts, the figures mean nothing' : ''}.`,
    '',
    '| measure | service | floor | service ÷ floor |',
    '|---|---:|---:|---:|',
  );
  for (const size of Object.keys(r.bulk)) {
    const { service, floor } = r.bulk[size];
    lines.push(
      `| bulk ${size} leads, p50 | ${ms(service.p50)} | ${ms(floor.p50)} | ${ratio(service.p50, floor.p50)} |`,
    );
    lines.push(
      `| bulk ${size} leads, p99 | ${ms(service.p99)} | ${ms(floor.p99)} | ${ratio(service.p99, floor.p99)} |`,
    );
  }
  const { service, floor } = r.manual;
  lines.push(
    `| manual 2 leads, ${r.manual.connections} clients / ${r.manual.orgs} orgs: requests/s | ${Math.round(service.rps)} | ${Math.round(floor.rps)} | ${ratio(service.rps, floor.rps)} |`,
    `| manual, p50 | ${ms(service.p50)} | ${ms(floor.p50)} | ${ratio(service.p50, floor.p50)} |`,
    `| manual, p99 | ${ms(service.p99)} | ${ms(floor.p99)} | ${ratio(service.p99, floor.p99)} |`,
    `| peak RSS under manual load | ${Math.round(r.memory.apiPeakRssMb)} MB | ${Math.round(r.memory.floorPeakRssMb)} MB | |`,
  );
  for (const run of r.pipeline) {
    lines.push(
      `| pipeline, ${run.workers} worker process${run.workers > 1 ? 'es' : ''}: enrichments/s (request → finished) | ${Math.round(run.perSecond)} | | |`,
    );
  }
  const rl = r.rateLimit;
  for (const [name, p] of Object.entries(rl.providers)) {
    lines.push(
      `| rate limit ${rl.limit}/${rl.windowMs} ms, ${rl.workers} workers, ${name}: achieved ÷ limit; most in any window | ${round(p.adherence, 3)}; ${p.maxSlidingWindow} | | |`,
    );
  }
  lines.push(
    '',
    '| target | measured | target | met |',
    '|---|---:|---:|:---:|',
    ...r.targets.map((t) => `| ${t.measure} | ${t.measured} | ${t.target} | ${t.met ? 'yes' : '**no**'} |`),
  );
  return lines.join('\n');
}

// ---------------------------------------------------------------------------------------------
// The chart, drawn by hand: three panels, no chart library.

const COLORS = { service: '#d9480f', floor: '#1c7ed6' };

function niceMax(value: number): number {
  if (!(value > 0)) return 1;
  const power = 10 ** Math.floor(Math.log10(value));
  for (const step of [1, 2, 2.5, 5, 10]) if (value <= step * power) return step * power;
  return 10 * power;
}

function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

interface Series {
  label: keyof typeof COLORS;
  points: [number, number][];
  markers?: boolean;
}

function panel(
  x0: number,
  title: string,
  xLabel: string,
  yLabel: string,
  xMax: number,
  xTicks: number[],
  series: Series[],
): string {
  const width = 360;
  const height = 260;
  const top = 60;
  const left = x0 + 55;
  const yMax = niceMax(Math.max(...series.flatMap((s) => s.points.map(([, y]) => y))) * 1.05);
  const px = (x: number) => left + (x / xMax) * width;
  const py = (y: number) => top + height - (y / yMax) * height;
  const out: string[] = [];
  out.push(
    `<text x="${left + width / 2}" y="${top - 22}" text-anchor="middle" font-weight="bold">${escapeXml(title)}</text>`,
  );
  out.push(`<rect x="${left}" y="${top}" width="${width}" height="${height}" fill="none" stroke="#adb5bd"/>`);
  for (let i = 0; i <= 5; i += 1) {
    const y = (yMax * i) / 5;
    out.push(`<line x1="${left}" x2="${left + width}" y1="${py(y)}" y2="${py(y)}" stroke="#e9ecef"/>`);
    out.push(`<text x="${left - 6}" y="${py(y) + 4}" text-anchor="end">${round(y, yMax < 10 ? 1 : 0)}</text>`);
  }
  for (const x of xTicks) {
    out.push(`<text x="${px(x)}" y="${top + height + 16}" text-anchor="middle">${x}</text>`);
  }
  out.push(`<text x="${left + width / 2}" y="${top + height + 34}" text-anchor="middle">${escapeXml(xLabel)}</text>`);
  out.push(
    `<text x="${x0 + 14}" y="${top + height / 2}" text-anchor="middle" transform="rotate(-90 ${x0 + 14} ${top + height / 2})">${escapeXml(yLabel)}</text>`,
  );
  series.forEach((s, index) => {
    const path = s.points.map(([x, y], i) => `${i === 0 ? 'M' : 'L'}${round(px(x), 1)},${round(py(y), 1)}`).join(' ');
    out.push(`<path d="${path}" fill="none" stroke="${COLORS[s.label]}" stroke-width="2"/>`);
    if (s.markers) {
      for (const [x, y] of s.points) out.push(`<circle cx="${px(x)}" cy="${py(y)}" r="4" fill="${COLORS[s.label]}"/>`);
    }
    out.push(
      `<rect x="${left + 10}" y="${top + 10 + index * 18}" width="12" height="3" fill="${COLORS[s.label]}"/>` +
        `<text x="${left + 28}" y="${top + 15 + index * 18}">${s.label}</text>`,
    );
  });
  return out.join('\n');
}

/** Latency at each percentile 0..100 (step 1, plus 99.9) of a sorted sample. */
function percentileCurve(sorted: number[]): [number, number][] {
  if (sorted.length === 0) return [[0, 0]];
  const at = (p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
  const points: [number, number][] = [];
  for (let p = 0; p <= 99; p += 1) points.push([p, at(p)]);
  points.push([99.9, at(99.9)], [100, sorted[sorted.length - 1]]);
  return points;
}

export interface ChartData {
  bulk1000: { service: number[]; floor: number[] };
  manual: { service: number[]; floor: number[] };
}

export function svgChart(r: Results, data: ChartData): string {
  const percentTicks = [0, 25, 50, 75, 90, 100];
  const body = [
    panel(0, 'Bulk, 1000 leads: latency by percentile', 'percentile', 'ms', 100, percentTicks, [
      { label: 'service', points: percentileCurve(data.bulk1000.service) },
      { label: 'floor', points: percentileCurve(data.bulk1000.floor) },
    ]),
    panel(
      430,
      `Manual, 2 leads, ${r.manual.connections} clients: latency by percentile`,
      'percentile',
      'ms',
      100,
      percentTicks,
      [
        { label: 'service', points: percentileCurve(data.manual.service) },
        { label: 'floor', points: percentileCurve(data.manual.floor) },
      ],
    ),
    panel(
      860,
      'Bulk cost by size: p50',
      'leads per request',
      'ms',
      1000,
      [0, 250, 500, 750, 1000],
      [
        { label: 'service', points: r.scaling.leads.map((n, i) => [n, r.scaling.serviceP50[i]]), markers: true },
        { label: 'floor', points: r.scaling.leads.map((n, i) => [n, r.scaling.floorP50[i]]), markers: true },
      ],
    ),
  ].join('\n');
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="1290" height="380" viewBox="0 0 1290 380" font-family="sans-serif" font-size="12">`,
    `<rect width="1290" height="380" fill="white"/>`,
    body,
    `<text x="10" y="372" fill="#868e96">${escapeXml(`npm run bench, ${r.generatedAt}${r.smoke ? ' (smoke run)' : ''}`)}</text>`,
    '</svg>',
    '',
  ].join('\n');
}
