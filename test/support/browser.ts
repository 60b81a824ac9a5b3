import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';

/** Where the browser tests write their screenshots (ignored by git; docs/images holds chosen copies). */
export const SCREENSHOTS = join('test-output', 'screenshots');

/**
 * Debian's Chromium (scripts/ensure-chromium.mjs installs it), headless, with the flags this
 * machine needs: no sandbox as root, and no background connections, which a closed network
 * refuses. Playwright gives each launch a fresh profile directory.
 */
export async function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });
}
