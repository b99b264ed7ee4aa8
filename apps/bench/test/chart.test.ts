import { describe, expect, it } from 'vitest';
import { chartedWorkloads, renderChart } from '../dist/chart.js';
import { report, result } from './report-fixture.js';

describe('renderChart', () => {
  const r = report([
    result({ workload: 'cpu', name: 'inline', workers: 1, items: 100, seconds: 2 }),
    result({ workload: 'cpu', name: 'worker-threads', workers: 1, items: 100, seconds: 2.1 }),
    result({ workload: 'cpu', name: 'worker-threads', workers: 2, items: 100, seconds: 1.1 }),
    result({ workload: 'io-timer', name: 'inline', workers: 1, items: 100, seconds: 1 }),
    result({ workload: 'io-timer', name: 'worker-threads', workers: 1, items: 100, seconds: 1.2 }),
    result({ workload: 'io-timer', name: 'worker-threads', workers: 2, items: 100, seconds: 1.1 }),
    result({ workload: 'burst', name: 'inline', workers: 1, items: 100, seconds: 1 }),
    result({ workload: 'io-timer', name: 'failing', workers: 2, items: 100, error: 'boom' }),
  ]);
  const svg = renderChart(r);

  it('draws a panel per worker-sweeping workload: CPU-bound next to IO-bound', () => {
    expect(chartedWorkloads(r)).toEqual(['cpu', 'io-timer']);
    expect(svg).toContain('>CPU-bound</text>');
    expect(svg).toContain('>IO-bound (10 ms timer)</text>');
    expect(svg).not.toContain('>Burst</text>');
  });

  it('plots one point per passing non-baseline case, with the machine facts', () => {
    expect(svg.match(/<circle /g)).toHaveLength(4);
    expect(svg).toContain('worker-threads, 2 workers: 1.82× inline');
    expect(svg).toContain('2 cores · Test CPU @ 2.0GHz · Node v20.20.2');
    expect(svg).not.toContain('failing');
  });

  it('draws an error bar over each speedup interval', () => {
    const spread = report([
      result({ workload: 'cpu', name: 'inline', workers: 1, items: 100, samples: [2, 2.2, 1.8] }),
      result({
        workload: 'cpu',
        name: 'worker-threads',
        workers: 2,
        items: 100,
        samples: [1, 1.2, 1.0],
      }),
    ]);
    const drawn = renderChart(spread);
    expect(drawn.match(/class="errorbar"/g)).toHaveLength(1);
    expect(drawn).toContain('worker-threads, 2 workers: 1.83× inline (1.80–2.00)');
    // A point without spread gets no bar.
    expect(svg).not.toContain('class="errorbar"');
  });

  it('is a standalone SVG document with escaped text', () => {
    expect(
      svg.startsWith(
        '<?xml version="1.0" encoding="UTF-8"?>\n<svg xmlns="http://www.w3.org/2000/svg"',
      ),
    ).toBe(true);
    expect(svg.trimEnd().endsWith('</svg>')).toBe(true);
    const odd = report([
      result({ workload: 'cpu', name: 'inline', workers: 1, items: 100, seconds: 2 }),
      result({ workload: 'cpu', name: 'a<b>&c', workers: 2, items: 100, seconds: 1 }),
    ]);
    expect(renderChart(odd)).toContain('a&#60;b&#62;&#38;c');
  });
});
