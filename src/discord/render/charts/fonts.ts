/**
 * The charts' font, shipped with barista (the `dejavu-fonts-ttf` package: DejaVu Sans, Bitstream
 * Vera licence) and registered under its own family name, so text renders the same on a fresh
 * machine with no system fonts at all.
 */
import { GlobalFonts } from '@napi-rs/canvas';

/** The family every chart asks for; no system font has this name. */
export const CHART_FONT_FAMILY = 'Barista Chart Sans';

const FACES = ['DejaVuSans.ttf', 'DejaVuSans-Bold.ttf'];

let registered = false;

/** Registers the shipped faces once; throws when a file is missing (a broken install, better loud than text-less charts). */
export function ensureChartFonts(): void {
  if (registered) return;
  for (const face of FACES) {
    const file = require.resolve(`dejavu-fonts-ttf/ttf/${face}`);
    if (!GlobalFonts.registerFromPath(file, CHART_FONT_FAMILY)) throw new Error(`chart font ${file} could not be registered`);
  }
  registered = true;
}
