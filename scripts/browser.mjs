// Launches Debian's Chromium through playwright-core (Playwright's own browser download is
// refused on these machines; see ../shared/TOOLCHAIN.md).
import { chromium } from 'playwright-core';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** A headless Chromium in a fresh profile; close it with `await browser.close()`. */
export async function launchChromium() {
  const profile = mkdtempSync(join(tmpdir(), 'raptor-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync',
      '--js-flags=--expose-gc', '--enable-precise-memory-info'],
  });
  const close = context.close.bind(context);
  context.close = async () => { await close(); rmSync(profile, { recursive: true, force: true }); };
  return context;
}
