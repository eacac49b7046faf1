import type { DisplayKind } from '../../shared/schemas/report.ts';
import { displayMakers, genericPanelWords, genericProjectorWords, type DisplayMaker } from './display-makers.ts';

export type DisplayFacts = {
  /** PNP id (SEC) or vendor name (EPSON). */
  vendor?: string;
  model?: string;
  /** Connector name: eDP, LVDS, DSI, HDMI, DP, VGA, internal … */
  connection?: string;
  /** What the OS says (systeminformation's `builtin`), used when there is no connector name. */
  builtin?: boolean;
  /** EDID physical size; 0 × 0 is how projectors say "no fixed size". */
  widthCm?: number;
  heightCm?: number;
};

/** Connectors that only ever carry a laptop's or all-in-one's own panel. */
const builtinConnections = /^(eDP|LVDS|DSI|internal)/i;

/** Finds the maker of a display from its PNP id first, then from names in the vendor and model text. */
export function findDisplayMaker(vendor: string | undefined, model: string | undefined): DisplayMaker | undefined {
  const id = vendor?.trim().toUpperCase();
  const byId = id && /^[A-Z]{3}$/.test(id) ? displayMakers.find((m) => m.pnpIds.includes(id)) : undefined;
  if (byId) return byId;
  const text = `${vendor ?? ''} ${model ?? ''}`;
  return displayMakers.find((m) => m.names.test(text));
}

/** Classifies a display as projector, interactive panel, monitor, builtin or unknown. */
export function classifyDisplay(facts: DisplayFacts): DisplayKind {
  if (facts.connection && builtinConnections.test(facts.connection)) return 'builtin';
  const model = facts.model ?? '';
  const maker = findDisplayMaker(facts.vendor, model);
  if (maker?.panelModels?.test(model)) return 'interactive-panel';
  if (maker?.projectorModels?.test(model)) return 'projector';
  if (maker && maker.kind !== 'mixed') return maker.kind;
  if (genericPanelWords.test(model)) return 'interactive-panel';
  if (genericProjectorWords.test(model)) return 'projector';
  if (facts.builtin) return 'builtin';
  // VESA E-EDID 1.4 §3.6.2: 00h/00h size means undefined, "e.g. a projector". Trusted only from a known
  // projector maker, since cheap monitors and KVMs also leave the size empty.
  if (maker && facts.widthCm === 0 && facts.heightCm === 0) return 'projector';
  if (facts.vendor || model) return 'monitor';
  return 'unknown';
}
