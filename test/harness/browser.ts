// A headless Chromium for browser tests: Debian's chromium package, driven by puppeteer-core (which downloads
// no browser). One browser per test file.
import { after, before } from 'node:test';
import puppeteer, { type Browser } from 'puppeteer-core';

export const CHROMIUM = process.env.FLAGGER_CHROMIUM ?? '/usr/bin/chromium';

/** Launches the browser before the file's tests and closes it after. */
export function useBrowser(): { browser: Browser } {
  const handle = {} as { browser: Browser };
  before(async () => {
    handle.browser = await puppeteer.launch({
      executablePath: CHROMIUM,
      headless: true,
      // Root in a container has no user namespaces for the sandbox.
      args: ['--no-sandbox', '--disable-dev-shm-usage', '--disable-gpu'],
    });
  });
  after(async () => {
    await handle.browser.close();
  });
  return handle;
}
