/**
 * A headless Chromium for the report test, driven by playwright-core (which downloads no
 * browser). In order: `CHROMIUM_PATH`; a system Chromium or Chrome; otherwise the
 * Chromium shipped inside the `@sparticuz/chromium` dev dependency (pinned to 143.0.4, the
 * newest that supports Node 20; it unpacks itself into the temp folder on first use), so
 * `npm ci && npm test` needs nothing installed by hand.
 */
import { existsSync } from 'node:fs';
import { type Browser, chromium } from 'playwright-core';

const SYSTEM_BROWSERS = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome', '/usr/bin/google-chrome-stable'];

/** Flags for a headless run on a machine with no network and, often, as root. */
const HEADLESS_FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

interface BrowserChoice {
  readonly executablePath: string;
  readonly args: readonly string[];
}

async function chooseBrowser(): Promise<BrowserChoice> {
  const configured = process.env.CHROMIUM_PATH;
  if (configured) {
    if (!existsSync(configured)) throw new Error(`CHROMIUM_PATH names ${configured}, which does not exist`);
    return { executablePath: configured, args: HEADLESS_FLAGS };
  }
  const system = SYSTEM_BROWSERS.find((path) => existsSync(path));
  if (system) return { executablePath: system, args: HEADLESS_FLAGS };
  const { default: packaged } = await import('@sparticuz/chromium');
  return { executablePath: await packaged.executablePath(), args: [...packaged.args, ...HEADLESS_FLAGS] };
}

export async function launchChromium(): Promise<Browser> {
  const { executablePath, args } = await chooseBrowser();
  return chromium.launch({ executablePath, args: [...new Set(args)] });
}
