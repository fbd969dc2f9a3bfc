import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { assertChromiumInstalled, CHROMIUM } from './support/browser';

describe('the browser tests’ prerequisite', () => {
  it('is installed where the README says', () => {
    expect(() => assertChromiumInstalled()).not.toThrow();
    expect(CHROMIUM).toBe('/usr/bin/chromium');
  });

  it('when missing, fails with the command that installs it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'no-chromium-'));
    try {
      expect(() => assertChromiumInstalled(join(dir, 'chromium'))).toThrow(/apt-get install chromium/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
