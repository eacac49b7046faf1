/**
 * Who makes classroom presentation displays, as data. A maker is matched by its EDID PNP id
 * (UEFI PNP registry) or by a name in the vendor/model text that Windows and xrandr report.
 *
 * `kind` is what the maker's displays are unless a model pattern says otherwise: Epson or Optoma
 * make projectors, so an unknown model is a projector; BenQ or Acer make far more desk monitors
 * than projectors, so they are `mixed` and only a model pattern (or a 0 × 0 size, which
 * projectors report) makes one a projector.
 */

export type MakerKind = 'projector' | 'interactive-panel' | 'mixed';

export type DisplayMaker = {
  name: string;
  kind: MakerKind;
  pnpIds: readonly string[];
  /** Matched against the vendor and model text, case-insensitive. */
  names: RegExp;
  projectorModels?: RegExp;
  panelModels?: RegExp;
};

export const displayMakers: readonly DisplayMaker[] = [
  // Projector makers. SEC is Seiko Epson's PNP id; Epson projectors name themselves "EPSON PJ".
  { name: 'Epson', kind: 'projector', pnpIds: ['SEC'], names: /epson/i },
  { name: 'Optoma', kind: 'projector', pnpIds: ['OTM'], names: /optoma/i, panelModels: /creative ?touch/i },
  { name: 'Casio', kind: 'projector', pnpIds: ['CAS'], names: /casio/i },
  { name: 'InFocus', kind: 'projector', pnpIds: ['IFS'], names: /infocus/i, panelModels: /mondopad/i },
  { name: 'Vivitek', kind: 'projector', pnpIds: [], names: /vivitek/i },
  { name: 'Christie', kind: 'projector', pnpIds: ['CDG'], names: /christie/i },
  { name: 'Hitachi / Maxell', kind: 'projector', pnpIds: ['MXL', 'HTC', 'HCE'], names: /hitachi|maxell/i },
  // Makers of both: a model pattern decides. Patterns are the projector series names of each maker.
  {
    name: 'BenQ', kind: 'mixed', pnpIds: ['BNQ'], names: /benq/i,
    projectorModels: /\b(M[SXWH]\d{3}|T[HK]\d{3}|LU\d{3}|W\d{4}|PJ)/i, panelModels: /\bR[PME]\d{4}/i,
  },
  {
    name: 'ViewSonic', kind: 'mixed', pnpIds: ['VSC'], names: /viewsonic/i,
    projectorModels: /\b(PJD|PA\d|PS\d|PX\d|LS\d|PG\d)/i, panelModels: /\b(IFP\d|viewboard)/i,
  },
  { name: 'NEC', kind: 'mixed', pnpIds: ['NEC'], names: /\bnec\b/i, projectorModels: /\b(NP-?|projector)/i },
  { name: 'Sony', kind: 'mixed', pnpIds: ['SNY', 'SON'], names: /\bsony\b/i, projectorModels: /\bVPL/i },
  { name: 'Panasonic', kind: 'mixed', pnpIds: ['MEI', 'MAT'], names: /panasonic/i, projectorModels: /\bPT-?[A-Z]/i },
  { name: 'Acer', kind: 'mixed', pnpIds: ['ACR', 'CHE'], names: /\bacer\b/i, projectorModels: /\b(X1\d{3}|P1\d{3}|H6\d{3}|PJ)/i },
  { name: 'Ricoh', kind: 'mixed', pnpIds: ['RIC'], names: /ricoh/i, projectorModels: /\bPJ/i },
  { name: 'Sharp', kind: 'mixed', pnpIds: ['SHP'], names: /\bsharp\b/i, panelModels: /\bPN-?[LC]\d/i },
  // Interactive flat panels (交互式智能平板) common in Chinese classrooms; OPS PCs sit inside them.
  // Seewo and MAXHUB are CVTE brands with no PNP id of their own: their scalers report other ids, so names decide.
  { name: 'Seewo 希沃', kind: 'interactive-panel', pnpIds: [], names: /seewo|希沃/i },
  { name: 'MAXHUB', kind: 'interactive-panel', pnpIds: [], names: /maxhub/i },
  { name: 'Hitevision 鸿合', kind: 'interactive-panel', pnpIds: ['HHT'], names: /hite ?vision|honghe|鸿合/i },
  { name: 'Newline', kind: 'interactive-panel', pnpIds: ['NWL'], names: /newline/i },
  { name: 'SMART', kind: 'interactive-panel', pnpIds: ['SBI'], names: /smart ?(board|technologies)|\bsbid/i },
  { name: 'Promethean', kind: 'interactive-panel', pnpIds: [], names: /promethean|activpanel/i },
  { name: 'Boxlight', kind: 'interactive-panel', pnpIds: [], names: /boxlight|procolor|mimio/i },
];

/** Words that mark a projector or a panel whatever the maker, e.g. Windows' "Generic PnP projector". */
export const genericProjectorWords = /projector|beamer|投影|\bPJ\b/i;
export const genericPanelWords = /interactive|whiteboard|白板|智能平板|一体机/i;
