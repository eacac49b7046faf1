import type { DisplayEvidence, DisplayKind } from '../../shared/schemas/report.ts';
import type { CtaFacts, DisplayIdFacts } from './edid-extensions.ts';
import {
  brandOnlyNames,
  displayMakers,
  genericLargeWords,
  genericPanelWords,
  genericProjectorWords,
  genericScalerNames,
  type DisplayMaker,
} from './display-makers.ts';

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
  /** A direct-touch input device is attached to the PC (a panel's USB touch frame, or a laptop's own touchscreen). */
  touch?: boolean;
  /** Facts only an EDID gives: its text descriptors, whether it has range limits, its extensions. */
  edid?: {
    digital: boolean;
    texts: readonly string[];
    hasRangeLimits: boolean;
    cta?: CtaFacts;
    displayId?: DisplayIdFacts;
  };
};

export type DisplayJudgement = { kind: DisplayKind; evidence: DisplayEvidence[] };

/** Connectors that only ever carry a laptop's or all-in-one's own panel. */
const builtinConnections = /^(eDP|LVDS|DSI|internal)/i;

/**
 * Sizes from E-EDID bytes 21–22 (VESA E-EDID 1.4 §3.6.2). A 65–98″ panel is 140–220 cm wide, a 50″ TV 111 × 62;
 * desk monitors stay under ~70 cm tall-and-wide combined, and a 49″ 32:9 monitor (120 × 34) is wide but not tall.
 * `absent` means the OS gave no size; `none` is 0 × 0 (or 1 × 1); `aspect` is an aspect ratio written as a size
 * (16 × 9, 16 × 10), which TV firmware does and no projector in the corpus does.
 */
type SizeClass = 'absent' | 'none' | 'aspect' | 'large' | 'medium' | 'small';
function sizeClass(w: number | undefined, h: number | undefined): SizeClass {
  if (w === undefined || h === undefined) return 'absent';
  if (w <= 1 || h <= 1) return 'none';
  if (w <= 16 && h <= 10) return 'aspect';
  if (w >= 100 && h >= 50) return 'large';
  if (w >= 80 && h >= 45) return 'medium';
  return 'small';
}

/**
 * Finds the maker from a name in the vendor and model text first (the PNP id is often the scaler's), then the PNP
 * id. `small` says the EDID gave a desk- or laptop-sized screen, which settles SEC: Seiko Epson's projectors write
 * 0 × 0 or 160 × 90, Samsung's laptop panels (Samsung's own monitors and TVs say SAM) a small real size.
 */
export function findDisplayMaker(
  vendor: string | undefined,
  model: string | undefined,
  small = true,
): DisplayMaker | undefined {
  const text = `${vendor ?? ''} ${model ?? ''}`;
  const byName = displayMakers.find((m) => m.names?.test(text));
  if (byName) return byName;
  const id = vendor?.trim().toUpperCase();
  if (!id || !/^[A-Z]{3}$/.test(id)) return undefined;
  // Shared ids: CAS is Casio's projectors and Casper's monitors, SEC is Seiko Epson and Samsung's laptop panels.
  if (id === 'CAS' && /casper/i.test(model ?? '')) return undefined;
  return displayMakers.find((m) => m.pnpIds.includes(id) && !(id === 'SEC' && small === (m.kind === 'projector')));
}

/**
 * A CTA-861 block that looks like a TV's: it lists compressed audio formats (AC-3, DTS … CTA-861-G §7.5.2), which
 * TVs decode for their speakers and desk monitors do not (none of the 150 in the corpus does; 58 of 103 TVs do).
 */
function looksLikeTv(cta: CtaFacts | undefined): boolean {
  return !!cta && cta.compressedAudio;
}

/**
 * The laptop panel signature: a digital input, no model name and no range limits (both expected of a monitor since
 * E-EDID 1.3) or a part-number text, no CTA. Old analog CRTs also lack name and limits, hence the digital input.
 */
function looksLikeLaptopPanel(facts: DisplayFacts, size: SizeClass): boolean {
  const e = facts.edid;
  if (!e || !e.digital || e.cta || size !== 'small') return false;
  if (/^color lcd$/i.test(facts.model ?? '')) return true;
  return !facts.model && (e.texts.length > 0 || !e.hasRangeLimits);
}

/** Decides a display's kind from every signal at hand, strongest first, and says which signals decided. */
export function judgeDisplay(facts: DisplayFacts): DisplayJudgement {
  const judged = (kind: DisplayKind, ...evidence: DisplayEvidence[]): DisplayJudgement => ({ kind, evidence });
  if (facts.connection && builtinConnections.test(facts.connection)) return judged('builtin', 'connector');
  const model = facts.model ?? '';
  const size = sizeClass(facts.widthCm, facts.heightCm);
  const maker = findDisplayMaker(facts.vendor, model, size === 'small' || size === 'medium');
  const cta = facts.edid?.cta;
  const touch = facts.touch === true;
  const big = size === 'large';
  const presentation = (kind: DisplayKind, ...evidence: DisplayEvidence[]): DisplayJudgement =>
    // A large screen with a touch frame on the PC is an interactive panel, whatever its name says.
    touch && kind === 'large-display' ? judged('interactive-panel', 'touch', ...evidence) : judged(kind, ...evidence);

  // 1. A model the maker's own series names, or words that name the kind.
  if (maker?.panelModels?.test(model)) return judged('interactive-panel', 'model', 'maker');
  if (maker?.projectorModels?.test(model)) return judged('projector', 'model', 'maker');
  if (maker?.largeModels?.test(model)) return presentation('large-display', 'model', 'maker');
  if (genericPanelWords.test(model)) return judged('interactive-panel', 'name');
  if (genericProjectorWords.test(model)) return judged('projector', 'name');
  // A scaler's stock name ("CVTE TV", "Smart TV") says nothing of the screen; the size decides for those.
  const scalerOnly = !model || genericScalerNames.test(model) || maker?.kind === 'scaler';
  // A TV is classroom-sized from 32″ (70 cm wide); smaller "TV"s are TV-monitors on a desk.
  const tvSized = size === 'none' || size === 'aspect' || size === 'absent' || (facts.widthCm ?? 0) >= 60;
  if ((genericLargeWords.test(model) || brandOnlyNames.test(model)) && !scalerOnly && tvSized) {
    return presentation('large-display', 'name');
  }

  // 2. DisplayID's declared product (1.3 type 4 = TV receiver; 2.0 use case 3 = TV, 6 = presentation display).
  const did = facts.edid?.displayId;
  if (did?.productType === 4 || did?.primaryUseCase === 3 || did?.primaryUseCase === 6)
    return presentation('large-display', 'displayid');

  // 3. Size and touch: a 100 cm-wide screen is no desk monitor.
  if (big) {
    if (touch) return judged('interactive-panel', 'size', 'touch');
    if (maker?.kind === 'interactive-panel') return judged('interactive-panel', 'size', 'maker');
    if (maker?.kind === 'projector') return judged('projector', 'maker');
    return judged('large-display', 'size');
  }
  if (size === 'none' || size === 'aspect') {
    // An OPS PC's panel often reports only its scaler (`MStar Demo`, `HDMI`, 0 × 0): its touch frame tells.
    if (touch && scalerOnly) return judged('interactive-panel', 'touch', 'size');
    if (maker?.kind === 'projector') return judged('projector', 'maker', 'size');
    if (maker?.kind === 'interactive-panel') return judged('interactive-panel', 'maker');
    if (maker?.kind === 'tv') return presentation('large-display', 'maker');
    if (looksLikeTv(cta)) return presentation('large-display', 'size', 'cta');
    // VESA E-EDID 1.4 §3.6.2: 00h/00h means undefined, "e.g. a projector": trusted from a maker of projectors, or
    // with a CTA block (a projector or a TV); without either it is more often a KVM or a converter.
    if (size === 'aspect' && cta) return presentation('large-display', 'size', 'cta');
    if (maker?.projectorModels) return judged('projector', 'size', 'maker');
    if (cta) return judged('projector', 'size', 'cta');
  }
  // 4. Laptop panels seen through another connector (or without one: the Windows registry names none).
  if (looksLikeLaptopPanel(facts, size)) return judged('builtin', maker?.kind === 'panel-maker' ? 'maker' : 'name');
  if (facts.builtin) return judged('builtin', 'connector');
  if (maker?.kind === 'projector' && size !== 'small') return judged('projector', 'maker');
  if (maker?.kind === 'interactive-panel') return judged('interactive-panel', 'maker');
  // 5. A TV maker's 37–45″ screen, or any 60 cm-wide screen with a TV's CTA block, is a TV (32″ is 70 cm wide).
  if (size === 'medium' && maker?.kind === 'tv') return presentation('large-display', 'size', 'maker');
  if ((facts.widthCm ?? 0) >= 60 && looksLikeTv(cta)) return presentation('large-display', 'size', 'cta');
  if (facts.vendor || model)
    return judged('monitor', ...(size === 'small' || size === 'medium' ? (['size'] as const) : []));
  return judged('unknown');
}

/** Classifies a display as projector, interactive panel, large display, monitor, builtin or unknown. */
export function classifyDisplay(facts: DisplayFacts): DisplayKind {
  return judgeDisplay(facts).kind;
}
