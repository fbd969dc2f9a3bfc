import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { logDestination } from './logging.module';

describe('logDestination', () => {
  let dir: string;
  let file: string;
  let fd: number;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'log-destination-'));
    file = join(dir, 'out.log');
    fd = openSync(file, 'w');
  });
  afterEach(() => {
    closeSync(fd);
    rmSync(dir, { recursive: true, force: true });
  });
  const line = `${JSON.stringify({ level: 30, time: 0, context: 'Boot', msg: 'hello' })}\n`;

  it('writes readable lines (pino-pretty), at once, in development on a terminal', () => {
    logDestination({ NODE_ENV: 'development' }, { isTTY: true, fd })?.write(line);
    const written = readFileSync(file, 'utf8');
    expect(written).toMatch(/INFO.*\[Boot\] hello/);
    expect(written).not.toContain('{');
  });

  it('writes JSON lines, at once, in development without a terminal (pipes, files)', () => {
    logDestination({ NODE_ENV: 'development' }, { isTTY: false, fd })?.write(line);
    expect(readFileSync(file, 'utf8')).toBe(line);
  });

  it.each(['production', 'test'] as const)("leaves pino's default JSON stdout in %s, terminal or not", (NODE_ENV) => {
    expect(logDestination({ NODE_ENV }, { isTTY: true, fd })).toBeUndefined();
    expect(logDestination({ NODE_ENV }, { isTTY: false, fd })).toBeUndefined();
  });
});
